"""Key files encrypted at rest: Argon2id derives a key from a passphrase, SecretBox seals.

File format (JSON, version 1)::

    {"version": 1, "type": "ed25519", "did": "did:key:z6Mk...",
     "kdf": {"name": "argon2id", "opslimit": 3, "memlimit": 268435456, "salt": b64},
     "ciphertext": b64}   # SecretBox(nonce || XSalsa20-Poly1305 of the 32-byte seed)

The did is stored in clear so a file can be recognised without the passphrase.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any, Final

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils

from .errors import KeyFileError
from .keys import SigningKey

__all__ = ["decrypt_secret", "encrypt_secret", "load_key_file", "save_key_file"]

_VERSION: Final = 1
OPSLIMIT: Final = nacl.pwhash.argon2id.OPSLIMIT_MODERATE
MEMLIMIT: Final = nacl.pwhash.argon2id.MEMLIMIT_MODERATE


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encrypt_secret(
    secret: bytes, passphrase: str, *, opslimit: int = OPSLIMIT, memlimit: int = MEMLIMIT
) -> dict[str, Any]:
    """Seal ``secret`` under a passphrase; returns the ``kdf`` and ``ciphertext`` fields."""
    if not passphrase:
        raise KeyFileError("an empty passphrase does not protect anything")
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    key = nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        passphrase.encode(),
        salt,
        opslimit=opslimit,
        memlimit=memlimit,
    )
    box = nacl.secret.SecretBox(key)
    return {
        "kdf": {"name": "argon2id", "opslimit": opslimit, "memlimit": memlimit, "salt": _b64(salt)},
        "ciphertext": _b64(bytes(box.encrypt(secret))),
    }


def decrypt_secret(sealed: dict[str, Any], passphrase: str) -> bytes:
    """Open what :func:`encrypt_secret` sealed.

    Raises:
        KeyFileError: wrong passphrase or damaged data (the two are indistinguishable).
    """
    try:
        kdf = sealed["kdf"]
        if kdf["name"] != "argon2id":
            raise KeyFileError(f"unsupported kdf {kdf['name']!r}")
        key = nacl.pwhash.argon2id.kdf(
            nacl.secret.SecretBox.KEY_SIZE,
            passphrase.encode(),
            base64.b64decode(kdf["salt"]),
            opslimit=int(kdf["opslimit"]),
            memlimit=int(kdf["memlimit"]),
        )
        return nacl.secret.SecretBox(key).decrypt(base64.b64decode(sealed["ciphertext"]))
    except nacl.exceptions.CryptoError as exc:
        raise KeyFileError("wrong passphrase, or the file is damaged") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyFileError(f"not a sealed secret: {exc}") from exc


def save_key_file(path: Path, key: SigningKey, passphrase: str, **kdf_limits: int) -> None:
    """Write ``key`` encrypted to ``path`` (mode 0600; refuses to overwrite)."""
    document = {
        "version": _VERSION,
        "type": "ed25519",
        "did": key.did,
        **encrypt_secret(key.seed, passphrase, **kdf_limits),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")


def load_key_file(path: Path, passphrase: str) -> SigningKey:
    """Read and decrypt a key file.

    Raises:
        KeyFileError: unreadable, wrong passphrase, or the did does not match the key.
    """
    # Messages leave the path out: the caller names the file (or the option it came from),
    # and a "path" typed by mistake may be key material that must not be echoed.
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise KeyFileError(f"cannot read the key file ({exc.strerror or 'I/O error'})") from None
    except UnicodeDecodeError:
        raise KeyFileError(f"not a version {_VERSION} key file (not UTF-8 text)") from None
    try:
        document = json.loads(text)
    except ValueError:
        raise KeyFileError(f"not a version {_VERSION} key file (not JSON)") from None
    if not isinstance(document, dict) or document.get("version") != _VERSION:
        raise KeyFileError(f"not a version {_VERSION} key file")
    key = SigningKey(decrypt_secret(document, passphrase))
    if document.get("did") != key.did:
        raise KeyFileError("the key file's stored did does not match its key")
    return key
