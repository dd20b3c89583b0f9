"""Salted, per-field commitments to an identity document: (type, number, issuing country).

A worker credential never carries the document number. It carries a commitment that only
someone holding the worker's 32-byte random salt *and* the physical document can open.

Scheme ``lpl-hmac-sha256-v1`` (our design; inspired by the attestation services' lesson that
private fields must each be salted, see shared/DOMAIN.md "Lessons from peers"):

1. Normalise: ``type`` is one of :data:`DOCUMENT_TYPES`; ``number`` is NFKC, upper case,
   with spaces, hyphens and ``<`` filler removed (what a verifier types from the data page
   or reads from the MRZ gives the same value); ``country`` is ISO 3166-1 alpha-3 (alpha-2
   is accepted and converted, as passports' MRZ print alpha-3).
2. Per field ``f`` in (country, number, type): ``key_f = HMAC-SHA256(salt, "lpl/document/v1/" + f)``
   and ``digest_f = HMAC-SHA256(key_f, UTF-8 value)``.
3. ``commitment = SHA-256(JCS({"country": hex(digest_country), "number": hex(digest_number),
   "type": hex(digest_type)}))``, 64 lower-case hex characters.

Per-field keys let a worker open one field (say the country) by revealing only that
field's key and the other fields' digests (:func:`open_fields`), without revealing the number;
every digest is keyed by 256 random bits, so no field can be brute-forced from the
commitment or from another field's opening. Deleting the salt (crypto-shredding) makes the
commitment unopenable forever while every signature over it stays valid.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import pycountry

from ledger.canonical import canonicalize
from ledger.errors import SchemaViolation

__all__ = [
    "COMMITMENT_SCHEME",
    "DOCUMENT_TYPES",
    "SALT_BYTES",
    "DocumentSecret",
    "commit",
    "matches",
    "normalise_country",
    "normalise_number",
    "open_fields",
    "parse_salt",
    "verify_opening",
]

COMMITMENT_SCHEME: Final = "lpl-hmac-sha256-v1"
SALT_BYTES: Final = 32
DOCUMENT_TYPES: Final = frozenset(
    {"passport", "national-id", "residence-permit", "work-permit", "seafarer-id", "other"}
)
_FIELDS: Final = ("country", "number", "type")
_LABEL: Final = b"lpl/document/v1/"
_NUMBER: Final = re.compile(r"^[A-Z0-9]{1,40}$")
_HEX64: Final = re.compile(r"^[0-9a-f]{64}$")
_MAX_INPUT: Final = 200  # characters typed for one field, before normalisation
_SALT_HEX: Final = re.compile(r"^[0-9a-fA-F]{64}$")


def parse_salt(text: str) -> bytes:
    """The worker's salt from its hex form (what ``Wallet.reveal_salt`` shows): 64 hex digits.

    Strict on purpose: ``bytes.fromhex`` would accept inner spaces and any length, and a
    mistyped salt must be an error, never a commitment that silently fails to open.
    The message never repeats the value (it is a secret).

    Raises:
        SchemaViolation: not exactly 32 bytes of hex.
    """
    value = text.strip()
    if not _SALT_HEX.fullmatch(value):
        raise SchemaViolation(
            f"the salt is {SALT_BYTES} bytes written as {2 * SALT_BYTES} hex digits "
            "(as the worker's wallet shows it)",
            field="salt",
        )
    return bytes.fromhex(value)


def normalise_number(number: str) -> str:
    """``"n 1234-567<"`` -> ``"N1234567"``.

    Raises:
        SchemaViolation: nothing left, or characters other than letters and digits.
    """
    text = unicodedata.normalize("NFKC", number[: _MAX_INPUT + 1]).upper()
    text = re.sub(r"[\s\-<]", "", text)
    if len(number) > _MAX_INPUT or not _NUMBER.fullmatch(text):
        raise SchemaViolation(
            "a document number is 1-40 letters and digits (spaces, hyphens and < ignored)",
            field="documentNumber",
        )
    return text


def normalise_country(country: str) -> str:
    """ISO 3166-1 alpha-2 or alpha-3 -> alpha-3 (``"np"`` -> ``"NPL"``).

    Raises:
        SchemaViolation: not an ISO 3166-1 code.
    """
    code = country.strip().upper()
    found = None
    if len(code) == 2:
        found = pycountry.countries.get(alpha_2=code)
    elif len(code) == 3:
        found = pycountry.countries.get(alpha_3=code)
    if found is None:
        shown = repr(country) if len(country) <= 8 else "the document country"
        raise SchemaViolation(
            f"{shown} is not an ISO 3166-1 alpha-2 or alpha-3 country code",
            field="documentCountry",
        )
    alpha3: str = found.alpha_3
    return alpha3


def _normalise_type(document_type: str) -> str:
    value = document_type.strip().lower()
    if value not in DOCUMENT_TYPES:
        shown = repr(document_type) if len(document_type) <= 32 else "(too long)"
        raise SchemaViolation(
            f"document type {shown} is not one of {', '.join(sorted(DOCUMENT_TYPES))}",
            field="documentType",
        )
    return value


@dataclass(frozen=True, repr=False)
class DocumentSecret:
    """What opens a commitment: the document's fields (normalised) and the salt.

    Lives only in the worker's wallet (and, for a moment, on a verifier's device). The repr
    never shows the number or the salt, so it cannot leak into logs by accident.
    """

    document_type: str
    number: str
    country: str
    salt: bytes

    @classmethod
    def create(
        cls, document_type: str, number: str, country: str, *, salt: bytes | None = None
    ) -> DocumentSecret:
        """Normalise the fields and draw a fresh 32-byte salt (unless one is given).

        Raises:
            SchemaViolation: a salt that is not 32 bytes, or a malformed field.
        """
        salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
        if not isinstance(salt, bytes | bytearray) or len(salt) != SALT_BYTES:
            raise SchemaViolation(f"the salt is {SALT_BYTES} bytes", field="salt")
        return cls(
            _normalise_type(document_type),
            normalise_number(number),
            normalise_country(country),
            bytes(salt),
        )

    def to_dict(self) -> dict[str, str]:
        return {
            "type": self.document_type,
            "number": self.number,
            "country": self.country,
            "salt": self.salt.hex(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DocumentSecret:
        """Raises: SchemaViolation: a field is missing or malformed."""
        try:
            salt = parse_salt(str(data["salt"]))
            return cls.create(
                str(data["type"]), str(data["number"]), str(data["country"]), salt=salt
            )
        except (KeyError, ValueError) as exc:
            raise SchemaViolation(f"not a document secret: {exc}", field="document") from None

    def field_values(self) -> dict[str, str]:
        return {"country": self.country, "number": self.number, "type": self.document_type}

    def __repr__(self) -> str:
        return f"DocumentSecret({self.document_type}, <number>, {self.country}, <salt>)"


def _field_key(salt: bytes, name: str) -> bytes:
    return hmac.new(salt, _LABEL + name.encode("ascii"), hashlib.sha256).digest()


def _field_digest(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _combine(digests: Mapping[str, str]) -> str:
    return hashlib.sha256(canonicalize({name: digests[name] for name in _FIELDS})).hexdigest()


def commit(secret: DocumentSecret) -> str:
    """The 64-hex commitment to ``secret`` (scheme :data:`COMMITMENT_SCHEME`)."""
    values = secret.field_values()
    return _combine(
        {name: _field_digest(_field_key(secret.salt, name), values[name]) for name in _FIELDS}
    )


def matches(commitment: str, *, salt: bytes, document_type: str, number: str, country: str) -> bool:
    """True when the document in hand (its type, number, country) and the worker's salt open
    ``commitment``; False only when a well-formed document genuinely differs from it.

    A malformed input is an error, not a mismatch: ``False`` ends up signed and anchored as
    "this worker does not hold their document", so a typo must never produce it.

    Raises:
        SchemaViolation: a malformed commitment, salt (not 32 bytes), document type, number
            or country (see :func:`normalise_number`, :func:`normalise_country`).
    """
    if not isinstance(commitment, str) or not _HEX64.fullmatch(commitment.lower()):
        raise SchemaViolation("a commitment is 64 hex digits", field="commitment")
    secret = DocumentSecret.create(document_type, number, country, salt=salt)
    return hmac.compare_digest(commit(secret), commitment.lower())


def open_fields(secret: DocumentSecret, reveal: set[str]) -> dict[str, dict[str, str]]:
    """A selective opening: revealed fields give their value and key, the others their digest.

    Raises:
        SchemaViolation: ``reveal`` names an unknown field.
    """
    unknown = reveal - set(_FIELDS)
    if unknown:
        raise SchemaViolation(f"unknown document field {sorted(unknown)[0]!r}", field="reveal")
    values = secret.field_values()
    opening: dict[str, dict[str, str]] = {}
    for name in _FIELDS:
        key = _field_key(secret.salt, name)
        if name in reveal:
            opening[name] = {"value": values[name], "key": key.hex()}
        else:
            opening[name] = {"digest": _field_digest(key, values[name])}
    return opening


def verify_opening(commitment: str, opening: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Check a selective opening against ``commitment``; return the revealed values.

    Raises:
        SchemaViolation: malformed opening, or it does not open the commitment.
    """
    digests: dict[str, str] = {}
    revealed: dict[str, str] = {}
    for name in _FIELDS:
        part = opening.get(name)
        if not isinstance(part, Mapping):
            raise SchemaViolation(f"opening.{name} is missing", field=f"opening.{name}")
        if "digest" in part:
            digest = str(part["digest"])
        else:
            try:
                key = bytes.fromhex(str(part["key"]))
                value = str(part["value"])
            except (KeyError, ValueError):
                raise SchemaViolation(
                    f"opening.{name} needs a digest, or a value and its key",
                    field=f"opening.{name}",
                ) from None
            digest = _field_digest(key, value)
            revealed[name] = value
        if not _HEX64.match(digest):
            raise SchemaViolation(f"opening.{name}: malformed digest", field=f"opening.{name}")
        digests[name] = digest
    if not hmac.compare_digest(_combine(digests), commitment.lower()):
        raise SchemaViolation("the opening does not open the commitment", field="opening")
    return revealed
