"""The holder signal: a hidden duress flag that only accredited investigators can read.

Every presentation a wallet makes carries ``holderSignal``: a libsodium sealed box
(X25519 + XSalsa20-Poly1305, PyNaCl ``SealedBox``) to the investigators' public key of::

    version (1 byte, 1) || flag (1: 0 normal, 1 duress) || binding (16) || padding (6 random)

encoded as multibase base64url (``u`` + 96 characters). A sealed box uses a fresh
ephemeral key each time, so two signals never look alike and a normal and a duress signal
have the same size and the same look: neither the coercer holding the phone nor the
verifier can tell them apart. The signal sits in the presentation's proof-covered body, so
it cannot be swapped without the worker's key.

``binding`` is the first 16 bytes of SHA-256 over the holder's did, the proof's
``created`` and its challenge (if any): a signal lifted from an earlier presentation into a
new one reads as *unbound*, which investigators treat as tampering.

The investigators' key is the X25519 form of an accredited investigator's Ed25519
``did:key`` (libsodium's ``crypto_sign_ed25519_pk_to_curve25519``), so no second key
infrastructure is needed; the investigator opens signals with their own key file. A wallet
without an investigator key seals to a throwaway key: same size, readable by nobody.

Limits (documented, not hidden): the duress compartment of a wallet must hold the worker's
signing key (its presentations must verify), so an adversary who reads that compartment
with the duress PIN *and* understands the wallet format can extract the key and seal a
"normal" signal himself. The duress PIN protects against a coercer who makes the worker
open the app and show a QR, which is the attack reported in the field; not against a
forensic examination of the phone.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Final

import nacl.exceptions
import nacl.public
import nacl.signing

from ledger.errors import SchemaViolation
from ledger.keys import SigningKey, VerifyKey

__all__ = [
    "SIGNAL_LENGTH",
    "SignalReading",
    "investigator_sealing_key",
    "open_signal",
    "seal_signal",
    "signal_binding",
]

_VERSION: Final = 1
_PLAIN_LENGTH: Final = 24
SIGNAL_LENGTH: Final = _PLAIN_LENGTH + 48  # sealed box: ephemeral X25519 key (32) + MAC (16)
_LABEL: Final = b"lpl/holder-signal/v1\x00"


@dataclass(frozen=True)
class SignalReading:
    """What an investigator reads from a signal.

    Attributes:
        duress: the wallet was opened with the duress PIN.
        bound: the signal was made for this presentation (else it was moved: tampering).
    """

    duress: bool
    bound: bool


def investigator_sealing_key(investigator: str | VerifyKey) -> nacl.public.PublicKey:
    """The X25519 public key that signals are sealed to, from the investigator's did:key."""
    key = investigator if isinstance(investigator, VerifyKey) else VerifyKey.from_did(investigator)
    return nacl.signing.VerifyKey(key.raw).to_curve25519_public_key()


def signal_binding(holder: str, created: str, challenge: str | None) -> bytes:
    """16 bytes tying a signal to one presentation (holder, proof created, challenge)."""
    digest = hashlib.sha256(
        _LABEL + b"\x00".join(v.encode("utf-8") for v in (holder, created, challenge or ""))
    )
    return digest.digest()[:16]


def _encode(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _decode(value: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("u"):
        raise SchemaViolation("holderSignal is multibase base64url (u...)", field="holderSignal")
    try:
        data = base64.urlsafe_b64decode(value[1:] + "=" * (-len(value[1:]) % 4))
    except ValueError as exc:
        raise SchemaViolation(f"holderSignal: {exc}", field="holderSignal") from None
    if len(data) != SIGNAL_LENGTH:
        raise SchemaViolation(f"holderSignal is {SIGNAL_LENGTH} bytes", field="holderSignal")
    return data


def seal_signal(recipient: nacl.public.PublicKey | None, *, duress: bool, binding: bytes) -> str:
    """A fresh signal for one presentation (``recipient`` None: a throwaway key)."""
    if len(binding) != 16:
        raise ValueError("a signal binding is 16 bytes")
    if recipient is None:
        recipient = nacl.public.PrivateKey.generate().public_key
    plain = bytes([_VERSION, 1 if duress else 0]) + binding + secrets.token_bytes(6)
    return _encode(bytes(nacl.public.SealedBox(recipient).encrypt(plain)))


def open_signal(investigator: SigningKey, signal: str, *, binding: bytes) -> SignalReading:
    """Read a signal with the investigator's key.

    Raises:
        SchemaViolation: malformed, or not sealed to this investigator.
    """
    private = nacl.signing.SigningKey(investigator.seed).to_curve25519_private_key()
    try:
        plain = nacl.public.SealedBox(private).decrypt(_decode(signal))
    except nacl.exceptions.CryptoError:
        raise SchemaViolation(
            "the signal is not sealed to this investigator's key", field="holderSignal"
        ) from None
    if len(plain) != _PLAIN_LENGTH or plain[0] != _VERSION or plain[1] not in (0, 1):
        raise SchemaViolation("unknown holder signal format", field="holderSignal")
    return SignalReading(duress=plain[1] == 1, bound=secrets.compare_digest(plain[2:18], binding))


def signal_length_ok(signal: str) -> bool:
    """True for a well-formed signal (anyone can check the shape, nobody but investigators more)."""
    try:
        _decode(signal)
    except SchemaViolation:
        return False
    return True
