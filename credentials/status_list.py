"""W3C Bitstring Status List v1.0: an issuer's signed list of revocation bits.

A worker credential names its place in its issuer's list (a ``BitstringStatusListEntry`` in
``credentialStatus``, beside the on-chain entry); the list is a VC 2.0 credential of type
``BitstringStatusListCredential`` the issuer signs, so any verifier (Digital Bazaar's
``@digitalbazaar/vc-bitstring-status-list`` among them) can read a credential's status
without the chain::

    {"@context": ["https://www.w3.org/ns/credentials/v2"],
     "id": "<base>/v1/status-lists/<issuer multibase>/revocation",
     "type": ["VerifiableCredential", "BitstringStatusListCredential"],
     "issuer": "<issuer did:key>", "validFrom": "...Z",
     "credentialSubject": {"id": "<id>#list", "type": "BitstringStatusList",
                           "statusPurpose": "revocation", "encodedList": "u<base64url>"},
     "proof": {... eddsa-rdfc-2022, assertionMethod, by the issuer's key ...}}

Decisions:

- ``encodedList`` is the spec's: the multibase base64url (no padding, prefix ``u``) of the
  GZIP of the bitstring; bit 0 is the most significant bit of the first byte.
- Every list here has exactly :data:`LIST_BITS` (131,072) entries, the spec's minimum,
  the herd a credential hides in. Decoding refuses an ``encodedList`` longer than an
  incompressible list could be, and stops inflating past the list's size (a gzip bomb).
- Indexes are allocated at random among the free ones (the spec's privacy advice), so an
  index does not tell when a credential was issued.
- Only ``revocation`` lists: suspension stays on chain (``OnChainCredentialStatus``).
- The list's ``id`` is the URL it is served at: ``/v1/status-lists/<issuer>/<purpose>``
  on the ledger's public host; the path names the issuer, so one issuer cannot publish a
  list for another's URL.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from ledger.keys import InvalidKey, SigningKey, VerifyKey
from ledger.timeutil import format_time
from ledger.types import Did

from .dataintegrity import EDDSA_RDFC_2022, VerifiedProof, add_proof, parse_datetime, verify_proof
from .errors import (
    StatusListEncodingInvalid,
    StatusListInvalid,
    StatusListTooLarge,
    VerificationMethodInvalid,
)
from .loader import CREDENTIALS_CONTEXT_V2

__all__ = [
    "ENTRY_TYPE",
    "LIST_BITS",
    "LIST_BYTES",
    "LIST_CREDENTIAL_TYPE",
    "MAX_ENCODED_LIST",
    "PURPOSES",
    "StatusList",
    "StatusListEntry",
    "bit_is_set",
    "decode_list",
    "encode_list",
    "expand_list",
    "issue_status_list",
    "list_path",
    "parse_status_list",
    "set_bits",
    "status_list_url",
    "verify_status_list",
]

ENTRY_TYPE: Final = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE: Final = "BitstringStatusListCredential"
LIST_TYPE: Final = "BitstringStatusList"
PURPOSES: Final = ("revocation",)
LIST_BITS: Final = 131_072
LIST_BYTES: Final = LIST_BITS // 8
# gzip of 16 KiB of random bits: 16,384 bytes in stored blocks + headers (< 16,450), in
# base64url (4/3) plus the multibase prefix: a longer encodedList cannot be ours.
MAX_ENCODED_LIST: Final = 1 + (16_450 * 4 + 2) // 3
_BASE64URL: Final = re.compile(r"^[A-Za-z0-9_-]*$")
_PATH: Final = re.compile(
    r"/v1/status-lists/(?P<issuer>z6Mk[1-9A-HJ-NP-Za-km-z]{44})/(?P<p>[a-z]+)$"
)


@dataclass(frozen=True)
class StatusListEntry:
    """Where a credential's bit is: its index in the list at ``url``."""

    url: str
    index: int
    purpose: str = "revocation"

    def to_json(self) -> dict[str, Any]:
        """The ``credentialStatus`` entry (``statusListIndex`` is a decimal string)."""
        return {
            "id": f"{self.url}#{self.index}",
            "type": ENTRY_TYPE,
            "statusPurpose": self.purpose,
            "statusListIndex": str(self.index),
            "statusListCredential": self.url,
        }


@dataclass(frozen=True)
class StatusList:
    """A parsed status list credential (shape and encoding checked; not its proof)."""

    id: str
    issuer: Did
    purpose: str
    valid_from: datetime
    bits: bytes
    document: Mapping[str, Any]

    def is_set(self, index: int) -> bool:
        return bit_is_set(self.bits, index)


def list_path(issuer: str, purpose: str = "revocation") -> str:
    """``/v1/status-lists/<multibase of the issuer's did:key>/<purpose>``."""
    key = VerifyKey.from_did(issuer)
    return f"/v1/status-lists/{key.did.removeprefix('did:key:')}/{purpose}"


def status_list_url(base: str, issuer: str, purpose: str = "revocation") -> str:
    """The list's absolute URL on the ledger at ``base`` (``https://ledger.example.org``)."""
    return base.rstrip("/") + list_path(issuer, purpose)


def issuer_of_url(url: str) -> tuple[Did, str] | None:
    """The issuer and purpose a list URL names by its path, or None if it names none."""
    match = _PATH.search(url)
    if match is None:
        return None
    try:
        key = VerifyKey.from_did("did:key:" + match["issuer"])
    except InvalidKey:
        return None
    return Did(key.did), match["p"]


def bit_is_set(bits: bytes, index: int) -> bool:
    """Bit ``index`` (0 is the first byte's most significant bit)."""
    return bool(bits[index // 8] >> (7 - index % 8) & 1)


def set_bits(bits: bytes, indexes: Iterable[int]) -> bytes:
    """``bits`` with every bit of ``indexes`` set."""
    out = bytearray(bits)
    for index in indexes:
        if not 0 <= index < len(out) * 8:
            raise ValueError(f"index {index} is outside the list")
        out[index // 8] |= 0x80 >> (index % 8)
    return bytes(out)


def encode_list(bits: bytes) -> str:
    """``u`` + base64url (no padding) of the GZIP of ``bits``."""
    import gzip

    packed = gzip.compress(bits, compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode_list(encoded: Any, *, size: int = LIST_BYTES) -> bytes:
    """The bitstring of an ``encodedList``: exactly ``size`` bytes.

    Raises:
        StatusListTooLarge: longer than any list of ``size`` bytes, or inflating past it.
        StatusListEncodingInvalid: not multibase base64url, or not GZIP.
    """
    bits = expand_list(encoded, max_chars=MAX_ENCODED_LIST, max_bytes=size)
    if len(bits) != size:
        raise StatusListInvalid(
            f"the list has {len(bits) * 8} entries; lists here have {size * 8}",
            field="credentialSubject.encodedList",
        )
    return bits


def expand_list(encoded: Any, *, max_chars: int, max_bytes: int) -> bytes:
    """The spec's Bitstring Expansion, bounded: multibase base64url (``u``, no padding) of
    one GZIP member, at most ``max_chars`` long, inflating to at most ``max_bytes`` (never
    more than one byte past, however small the text: a GZIP bomb stops there).

    Raises:
        StatusListTooLarge: longer than ``max_chars``, or inflating past ``max_bytes``.
        StatusListEncodingInvalid: not a string, not multibase base64url, or not GZIP.
    """
    if not isinstance(encoded, str):
        raise StatusListEncodingInvalid("encodedList must be a string")
    if len(encoded) > max_chars:
        raise StatusListTooLarge(
            f"encodedList has {len(encoded)} characters; at most {max_chars}", limit=max_chars
        )
    if not encoded.startswith("u"):
        raise StatusListEncodingInvalid("encodedList must be multibase base64url (prefix u)")
    text = encoded[1:]
    if not _BASE64URL.match(text) or len(text) % 4 == 1:
        raise StatusListEncodingInvalid("encodedList is not base64url")
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise StatusListEncodingInvalid("encodedList is not base64url") from None
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip only
    try:
        bits = inflater.decompress(packed, max_bytes + 1)  # never more than one byte past
    except zlib.error:
        raise StatusListEncodingInvalid("encodedList is not GZIP data") from None
    if len(bits) > max_bytes or inflater.unconsumed_tail:
        raise StatusListTooLarge(
            f"the list is larger than {max_bytes} bytes ({max_bytes * 8} entries) inflated",
            limit=max_bytes,
        )
    if not inflater.eof or inflater.unused_data:
        raise StatusListEncodingInvalid("encodedList is not one complete GZIP member")
    return bits


def issue_status_list(
    issuer: SigningKey,
    url: str,
    bits: bytes,
    *,
    valid_from: datetime,
    purpose: str = "revocation",
    suite: str = EDDSA_RDFC_2022,
) -> dict[str, Any]:
    """Build and sign the status list credential served at ``url``."""
    if len(bits) != LIST_BYTES:
        raise ValueError(f"a list has {LIST_BYTES} bytes")
    start = format_time(valid_from.replace(microsecond=0))
    unsigned = {
        "@context": [CREDENTIALS_CONTEXT_V2],
        "id": url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer.did,
        "validFrom": start,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": LIST_TYPE,
            "statusPurpose": purpose,
            "encodedList": encode_list(bits),
        },
    }
    return add_proof(unsigned, issuer, suite=suite, created=start)


_MEMBERS: Final = frozenset(
    {"@context", "id", "type", "issuer", "validFrom", "validUntil", "credentialSubject", "proof"}
)
_SUBJECT: Final = frozenset({"id", "type", "statusPurpose", "encodedList"})


def _invalid(detail: str, field: str) -> StatusListInvalid:
    return StatusListInvalid(detail, field=field)


def parse_status_list(document: Any) -> StatusList:
    """Check a status list credential's shape and decode its list (not its proof).

    Raises:
        StatusListInvalid, StatusListEncodingInvalid, StatusListTooLarge
    """
    if not isinstance(document, Mapping):
        raise _invalid("a status list credential is a JSON object", "credential")
    extra = sorted(set(document) - _MEMBERS)
    if extra:
        raise _invalid(f"unexpected member {extra[0]!r}", extra[0])
    if document.get("@context") != [CREDENTIALS_CONTEXT_V2]:
        raise _invalid(f"@context must be [{CREDENTIALS_CONTEXT_V2!r}]", "@context")
    if document.get("type") != ["VerifiableCredential", LIST_CREDENTIAL_TYPE]:
        raise _invalid(f"type must be VerifiableCredential, {LIST_CREDENTIAL_TYPE}", "type")
    url = document.get("id")
    if not isinstance(url, str) or len(url) > 512 or not url.startswith(("https://", "http://")):
        raise _invalid("id must be a status list URL of this ledger", "id")
    named = issuer_of_url(url)
    if named is None:
        raise _invalid("id must be a status list URL of this ledger", "id")
    issuer = document.get("issuer")
    try:
        key = VerifyKey.from_did(issuer) if isinstance(issuer, str) else None
    except InvalidKey:
        key = None
    if key is None:
        raise _invalid("issuer must be a did:key", "issuer")
    try:
        valid_from = parse_datetime(str(document.get("validFrom")))
    except ValueError:
        raise _invalid("validFrom must be an XML Schema dateTime", "validFrom") from None
    subject = document.get("credentialSubject")
    if not isinstance(subject, Mapping) or set(subject) != _SUBJECT:
        raise _invalid(
            "credentialSubject must be {id, type, statusPurpose, encodedList}",
            "credentialSubject",
        )
    if subject["id"] != f"{url}#list" or subject["type"] != LIST_TYPE:
        raise _invalid(f"credentialSubject must be the {LIST_TYPE} {url}#list", "credentialSubject")
    purpose = subject["statusPurpose"]
    if purpose not in PURPOSES or named[1] != purpose:
        raise _invalid(
            "statusPurpose must be revocation, as the list's URL says",
            "credentialSubject.statusPurpose",
        )
    bits = decode_list(subject["encodedList"])
    return StatusList(
        id=url,
        issuer=Did(key.did),
        purpose=purpose,
        valid_from=valid_from,
        bits=bits,
        document=document,
    )


def verify_status_list(
    document: Any, *, now: datetime | None = None
) -> tuple[StatusList, VerifiedProof]:
    """Shape, list, and the proof: by the list's ``issuer``, who is also the issuer its URL
    names. ``now`` (default: the clock) is when the proof is judged: a list is a current
    document, its proof made at or after its ``validFrom``.

    Raises:
        StatusListInvalid (also: the URL names another issuer), StatusListEncodingInvalid,
        StatusListTooLarge, ProofError
    """
    status_list = parse_status_list(document)
    named = issuer_of_url(status_list.id)
    assert named is not None
    if named[0] != status_list.issuer:
        raise StatusListInvalid(
            f"the list at {status_list.id} is {named[0]}'s, not {status_list.issuer}'s",
            field="id",
        )
    verified = verify_proof(
        document, expected_purpose="assertionMethod", now=status_list.valid_from
    )
    if verified.controller != status_list.issuer:
        raise VerificationMethodInvalid(
            f"the list is signed by {verified.controller}, not by its issuer {status_list.issuer}",
            verification_method=verified.verification_method,
        )
    return status_list, verified
