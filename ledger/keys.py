"""Ed25519 keys as types, and their ``did:key`` / Multikey encodings.

``did:key`` for Ed25519 is ``did:key:z`` + base58btc(0xed 0x01 || public key): the
multicodec ``ed25519-pub`` prefix, then the 32-byte key (W3C did:key v0.7). The
secret key's Multikey form is ``z`` + base58btc(0x80 0x26 || seed) (``ed25519-priv``).
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from typing import Final

import base58
import nacl.exceptions
import nacl.signing

from .errors import InvalidKey, SignatureError
from .types import Did

__all__ = [
    "ED25519_PRIV_PREFIX",
    "ED25519_PUB_PREFIX",
    "InvalidKey",
    "SigningKey",
    "VerifyKey",
    "multibase_decode",
    "multibase_encode",
]

ED25519_PUB_PREFIX: Final = b"\xed\x01"
ED25519_PRIV_PREFIX: Final = b"\x80\x26"
_DID_KEY: Final = "did:key:"


_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def multibase_encode(data: bytes, base: str = "base58btc") -> str:
    """Multibase: ``z`` + base58btc (keys, did:key, Data Integrity), or ``u`` + unpadded
    base64url (envelope signatures: decoding it costs a fraction of the signature check)."""
    if base == "base64url":
        return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
    encoded: bytes = base58.b58encode(data)
    return "z" + encoded.decode("ascii")


def multibase_decode(value: str) -> bytes:
    """Decode a base58btc (``z``) or base64url (``u``) multibase string.

    Raises:
        InvalidKey: another prefix, or not valid in its base.
    """
    if len(value) < 2 or value[0] not in "zu":
        raise InvalidKey(f"not a base58btc or base64url multibase value: {value[:16]!r}")
    if value[0] == "u":
        body = value[1:]
        if not _BASE64URL.match(body) or len(body) % 4 == 1:
            raise InvalidKey("invalid base64url")
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return _b58decode(value[1:])


_B58_ALPHABET: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX: Final = {c: i for i, c in enumerate(_B58_ALPHABET)}


def _b58decode(text: str) -> bytes:
    """base58btc (Bitcoin alphabet) to bytes: one big-integer pass, a fifth of the time
    ``base58.b58decode`` takes (every did:key in a 10,000-line payroll run is decoded)."""
    number = 0
    try:
        for char in text:
            number = number * 58 + _B58_INDEX[char]
    except KeyError:
        raise InvalidKey(f"invalid base58btc character in {text[:16]!r}") from None
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


class VerifyKey:
    """An Ed25519 public key."""

    __slots__ = ("_key",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != 32:
            raise InvalidKey(f"an Ed25519 public key is 32 bytes, got {len(raw)}")
        self._key = nacl.signing.VerifyKey(bytes(raw))

    @classmethod
    def from_multibase(cls, value: str) -> VerifyKey:
        """From a Multikey ``publicKeyMultibase`` (``z6Mk...``)."""
        if not value.startswith("z"):
            raise InvalidKey("a Multikey is base58btc (z...)")
        data = multibase_decode(value)
        if not data.startswith(ED25519_PUB_PREFIX):
            raise InvalidKey("multikey is not ed25519-pub (multicodec 0xed)")
        return cls(data[len(ED25519_PUB_PREFIX) :])

    @classmethod
    def from_did(cls, did: str) -> VerifyKey:
        """From a ``did:key`` (a DID URL with a fragment is accepted; the fragment is ignored)."""
        if not did.startswith(_DID_KEY):
            raise InvalidKey(f"not a did:key: {did[:32]!r}")
        return cls.from_multibase(did[len(_DID_KEY) :].split("#", 1)[0])

    @property
    def raw(self) -> bytes:
        return bytes(self._key)

    @property
    def multibase(self) -> str:
        return multibase_encode(ED25519_PUB_PREFIX + self.raw)

    @property
    def did(self) -> Did:
        return Did(_DID_KEY + self.multibase)

    @property
    def verification_method(self) -> str:
        """The did:key verification method id (``did#multibase``)."""
        return f"{self.did}#{self.multibase}"

    def verify(self, message: bytes, signature: bytes) -> None:
        """Check a detached signature.

        Raises:
            SignatureError: the signature does not match (never returns False).
        """
        try:
            self._key.verify(message, signature)
        except (nacl.exceptions.BadSignatureError, ValueError, TypeError) as exc:
            raise SignatureError(f"signature does not verify for {self.did}") from exc

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VerifyKey) and hmac.compare_digest(self.raw, other.raw)

    def __hash__(self) -> int:
        return hash(self.raw)

    def __repr__(self) -> str:
        return f"VerifyKey({self.did})"


class SigningKey:
    """An Ed25519 secret key (32-byte seed). Its repr never shows the secret."""

    __slots__ = ("_key",)

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise InvalidKey(f"an Ed25519 seed is 32 bytes, got {len(seed)}")
        self._key = nacl.signing.SigningKey(bytes(seed))

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(secrets.token_bytes(32))

    @classmethod
    def from_multibase(cls, value: str) -> SigningKey:
        """From a Multikey ``secretKeyMultibase`` (``z3u2...``)."""
        if not value.startswith("z"):
            raise InvalidKey("a Multikey is base58btc (z...)")
        data = multibase_decode(value)
        if not data.startswith(ED25519_PRIV_PREFIX):
            raise InvalidKey("multikey is not ed25519-priv (multicodec 0x1300)")
        return cls(data[len(ED25519_PRIV_PREFIX) :])

    @property
    def seed(self) -> bytes:
        return bytes(self._key)

    @property
    def multibase(self) -> str:
        return multibase_encode(ED25519_PRIV_PREFIX + self.seed)

    @property
    def verify_key(self) -> VerifyKey:
        return VerifyKey(bytes(self._key.verify_key))

    @property
    def did(self) -> Did:
        return self.verify_key.did

    def sign(self, message: bytes) -> bytes:
        """Detached 64-byte Ed25519 signature."""
        return self._key.sign(message).signature

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SigningKey) and hmac.compare_digest(self.seed, other.seed)

    def __hash__(self) -> int:
        return hash(self.verify_key.raw)

    def __repr__(self) -> str:
        return f"SigningKey(<secret>, {self.did})"
