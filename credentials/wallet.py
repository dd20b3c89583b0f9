"""The worker's wallet: key, credential and document secret, encrypted at rest under a PIN.

File format (JSON, version 1; our design)::

    {"version": 1, "type": "LabourWorkerWallet", "did": "did:key:z6Mk...",
     "compartments": [<sealed>, <sealed>]}

Each ``<sealed>`` is :func:`ledger.keyfile.encrypt_secret` (Argon2id + SecretBox) of one
compartment's JSON, padded with spaces to a multiple of 1 KiB::

    {"seed": "z3u2...", "mode": 0 | 1, "credential": {...} | null,
     "document": {"type", "number", "country", "salt"} | null, "investigator": did | null}

Decisions:

- **Two compartments, always.** One opens with the PIN (``mode`` 0), the other with the
  duress PIN (``mode`` 1). A wallet without a duress PIN still has a second compartment,
  sealed under a random passphrase nobody keeps, and the order is random, so the file
  does not tell whether a duress PIN exists or which compartment is which; padding makes
  both the same size. Opening always runs Argon2id on both, so timing does not tell either.
- **The duress compartment works.** It holds the same key and credential, so its
  presentations verify like any other; only the sealed holder signal inside them says
  "duress" (:mod:`credentials.signal`), readable by accredited investigators alone.
- **Crypto-shredding.** :meth:`Wallet.without_document` drops the salt and the document
  fields from both compartments; the commitment in the credential can then never be
  opened again, while the credential, past presentations and check-in receipts still verify.
- Changing the contents needs both PINs (each compartment is re-sealed under its own);
  passing no duress PIN replaces the duress compartment with a new unopenable one.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from ledger.canonical import canonicalize, parse_json
from ledger.errors import KeyFileError, LedgerError, SchemaViolation
from ledger.keyfile import MEMLIMIT, OPSLIMIT, decrypt_secret, encrypt_secret
from ledger.keys import SigningKey
from ledger.timeutil import format_time, utcnow
from ledger.types import Did

from .commitment import DocumentSecret, matches
from .errors import WalletError
from .presentation import MAX_LIFETIME, create_presentation
from .signal import investigator_sealing_key, seal_signal, signal_binding
from .worker import parse_worker_credential

__all__ = [
    "IMPORT_TYPE",
    "MIN_PIN_LENGTH",
    "Wallet",
    "create_wallet",
    "import_bundle",
    "open_wallet",
    "read_wallet_did",
    "save_wallet",
]

_VERSION: Final = 1
_TYPE: Final = "LabourWorkerWallet"
IMPORT_TYPE: Final = "LabourWalletImport"
MIN_PIN_LENGTH: Final = 4
_PAD: Final = 1024


@dataclass(frozen=True, repr=False)
class Wallet:
    """An opened wallet compartment. Its repr shows only the did."""

    key: SigningKey
    credential: Mapping[str, Any] | None = None
    document: DocumentSecret | None = None
    investigator: str | None = None
    _duress: bool = False

    @property
    def did(self) -> Did:
        return self.key.did

    def present(
        self,
        *,
        challenge: str | None = None,
        domain: str | None = None,
        created: datetime | None = None,
        lifetime: timedelta = MAX_LIFETIME,
    ) -> dict[str, Any]:
        """A fresh presentation of the wallet's credential (with its sealed holder signal).

        Raises:
            WalletError: the wallet holds no credential yet.
        """
        if self.credential is None:
            raise WalletError("the wallet holds no credential yet: import one first")
        start = (created or utcnow()).replace(microsecond=0)
        recipient = (
            investigator_sealing_key(self.investigator) if self.investigator is not None else None
        )
        signal = seal_signal(
            recipient,
            duress=self._duress,
            binding=signal_binding(self.did, format_time(start), challenge),
        )
        return create_presentation(
            self.credential,
            self.key,
            signal=signal,
            challenge=challenge,
            domain=domain,
            created=start,
            lifetime=lifetime,
        )

    def with_credential(
        self,
        credential: Mapping[str, Any],
        document: DocumentSecret,
        investigator: str | None,
    ) -> Wallet:
        """This wallet holding ``credential`` and the secret that opens its commitment.

        Raises:
            WalletError: the credential is not for this wallet's did, or the document
                secret does not open its commitment.
        """
        try:
            parsed = parse_worker_credential(credential)
        except LedgerError as exc:
            raise WalletError(f"not a worker credential: {exc.detail}") from exc
        if parsed.holder != self.did:
            raise WalletError(
                f"the credential is for {parsed.holder}, not this wallet ({self.did})"
            )
        if not matches(
            parsed.commitment,
            salt=document.salt,
            document_type=document.document_type,
            number=document.number,
            country=document.country,
        ):
            raise WalletError(
                "the document details and salt do not open the credential's commitment"
            )
        return replace(
            self, credential=dict(credential), document=document, investigator=investigator
        )

    def without_document(self) -> Wallet:
        """Crypto-shredding: the same wallet without the salt and document fields."""
        return replace(self, document=None)

    def reveal_salt(self) -> str:
        """The salt (hex), for the verifier's device only, at a check-in.

        Raises:
            WalletError: erased, or never imported.
        """
        if self.document is None:
            raise WalletError("the wallet holds no document secret (never imported, or erased)")
        return self.document.salt.hex()

    def _compartment(self, duress: bool) -> bytes:
        data = {
            "seed": self.key.multibase,
            "mode": 1 if duress else 0,
            "credential": self.credential,
            "document": self.document.to_dict() if self.document is not None else None,
            "investigator": self.investigator,
        }
        raw = canonicalize(data)
        return raw + b" " * (-len(raw) % _PAD)

    def __repr__(self) -> str:
        return f"Wallet({self.did})"


def _compartment_of(raw: bytes) -> Wallet:
    try:
        data = parse_json(raw)
        key = SigningKey.from_multibase(data["seed"])
        document = data.get("document")
        return Wallet(
            key=key,
            credential=data.get("credential"),
            document=DocumentSecret.from_dict(document) if document is not None else None,
            investigator=data.get("investigator"),
            _duress=data.get("mode") == 1,
        )
    except (LedgerError, KeyError, TypeError) as exc:
        raise WalletError("the wallet compartment is damaged") from exc


def _check_pins(pin: str, duress_pin: str | None) -> None:
    if len(pin) < MIN_PIN_LENGTH:
        raise WalletError(f"a PIN has at least {MIN_PIN_LENGTH} characters")
    if duress_pin is not None:
        if len(duress_pin) < MIN_PIN_LENGTH:
            raise WalletError(f"a duress PIN has at least {MIN_PIN_LENGTH} characters")
        if secrets.compare_digest(pin.encode(), duress_pin.encode()):
            raise WalletError("the duress PIN must differ from the PIN")


def save_wallet(
    path: Path,
    wallet: Wallet,
    pin: str,
    *,
    duress_pin: str | None = None,
    overwrite: bool = False,
    opslimit: int = OPSLIMIT,
    memlimit: int = MEMLIMIT,
) -> None:
    """Seal ``wallet`` into ``path`` (mode 0600), both compartments re-sealed.

    Raises:
        WalletError: PINs too short or equal; the file exists and ``overwrite`` is false.
    """
    _check_pins(pin, duress_pin)
    limits = {"opslimit": opslimit, "memlimit": memlimit}
    normal = encrypt_secret(wallet._compartment(duress=False), pin, **limits)
    second_pin = duress_pin if duress_pin is not None else secrets.token_urlsafe(32)
    duress = encrypt_secret(wallet._compartment(duress=True), second_pin, **limits)
    compartments = [normal, duress]
    if secrets.randbits(1):
        compartments.reverse()
    document = {"version": _VERSION, "type": _TYPE, "did": wallet.did, "compartments": compartments}
    path = Path(path)
    temporary = path.with_name(path.name + f".{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    if not overwrite and path.exists():
        raise WalletError(f"{path} exists; refusing to overwrite a wallet")
    fd = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def create_wallet(
    path: Path,
    pin: str,
    *,
    duress_pin: str | None = None,
    key: SigningKey | None = None,
    opslimit: int = OPSLIMIT,
    memlimit: int = MEMLIMIT,
) -> Wallet:
    """A new wallet with a fresh worker key (refuses to overwrite ``path``)."""
    wallet = Wallet(key=key or SigningKey.generate())
    save_wallet(path, wallet, pin, duress_pin=duress_pin, opslimit=opslimit, memlimit=memlimit)
    return wallet


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WalletError(f"cannot read wallet {path}: {exc}") from exc
    if (
        not isinstance(document, dict)
        or document.get("version") != _VERSION
        or document.get("type") != _TYPE
        or not isinstance(document.get("compartments"), list)
        or len(document["compartments"]) != 2
    ):
        raise WalletError(f"{path} is not a version {_VERSION} worker wallet")
    return document


def read_wallet_did(path: Path) -> Did:
    """The wallet's did, readable without the PIN."""
    return Did(str(_read(path)["did"]))


def open_wallet(path: Path, pin: str) -> Wallet:
    """Open the compartment ``pin`` unlocks (the PIN's, or the duress PIN's).

    Raises:
        WalletError: wrong PIN, or a damaged file (indistinguishable on purpose).
    """
    document = _read(path)
    opened: list[bytes] = []
    for sealed in document["compartments"]:  # always both: equal time whichever PIN it is
        try:
            opened.append(decrypt_secret(sealed, pin))
        except KeyFileError:
            continue
    if len(opened) != 1:
        raise WalletError("wrong PIN, or the wallet file is damaged")
    wallet = _compartment_of(opened[0].rstrip(b" "))
    if wallet.did != document.get("did"):
        raise WalletError("the wallet's did does not match its key")
    return wallet


def import_bundle(bundle: Mapping[str, Any]) -> tuple[dict[str, Any], DocumentSecret, str | None]:
    """Read a wallet import bundle (written by ``ledger vc issue-worker --salt-out``).

    ``{"type": "LabourWalletImport", "version": 1, "credential": {...},
    "document": {"type", "number", "country", "salt"}, "investigator": did | null}``

    Raises:
        SchemaViolation: not such a bundle.
    """
    if bundle.get("type") != IMPORT_TYPE or bundle.get("version") != 1:
        raise SchemaViolation(f"not a {IMPORT_TYPE} version 1 bundle", field="type")
    credential = bundle.get("credential")
    document = bundle.get("document")
    investigator = bundle.get("investigator")
    if not isinstance(credential, dict) or not isinstance(document, Mapping):
        raise SchemaViolation("the bundle needs a credential and a document", field="credential")
    if investigator is not None and not isinstance(investigator, str):
        raise SchemaViolation("investigator is a did:key", field="investigator")
    return credential, DocumentSecret.from_dict(document), investigator
