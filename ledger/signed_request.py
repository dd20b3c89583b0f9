"""Signed requests: an envelope of kind ``admin`` that authenticates one HTTP request.

The client signs ``{method, path, bodySha256}`` and sends the envelope, base64url-encoded
JCS, as ``Authorization: Envelope <token>``. The server checks the signature, that the
signer is one of its admins, that method, path and body are the ones signed, that
``created`` is within the skew window, and that the nonce is new.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Collection
from datetime import datetime, timedelta

from .canonical import canonicalize, parse_json
from .envelope import Envelope, NonceLedger, sign_envelope
from .errors import ClockSkew, LedgerError, NonceReplayed, Unauthorized
from .keys import SigningKey
from .roles import Kind
from .timeutil import format_time, utcnow
from .types import Did

__all__ = ["SCHEME", "request_authorization", "verify_request"]

SCHEME = "Envelope"
MAX_SKEW = timedelta(minutes=5)


def _body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def request_authorization(
    key: SigningKey, method: str, path: str, body: bytes = b"", *, created: datetime | None = None
) -> str:
    """The ``Authorization`` header value for one request."""
    payload = {"method": method.upper(), "path": path, "bodySha256": _body_hash(body)}
    envelope = sign_envelope(Kind.ADMIN, payload, key, created=created)
    token = base64.urlsafe_b64encode(canonicalize(envelope.to_dict())).decode().rstrip("=")
    return f"{SCHEME} {token}"


def verify_request(
    authorization: str,
    method: str,
    path: str,
    body: bytes,
    *,
    admins: Collection[str],
    nonces: NonceLedger,
    now: datetime | None = None,
) -> Envelope:
    """Check a signed admin request; returns its envelope (the caller consumes the nonce).

    Raises:
        Unauthorized: not an admin request, not an admin, or not this request.
        SignatureError, ClockSkew, NonceReplayed: as for any envelope.
    """
    scheme, _, token = authorization.partition(" ")
    if scheme != SCHEME or not token:
        raise Unauthorized(f"expected 'Authorization: {SCHEME} <token>'")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        envelope = Envelope.from_dict(parse_json(raw))
    except (LedgerError, ValueError) as exc:
        raise Unauthorized(f"malformed signed request: {exc}") from exc
    if envelope.kind != Kind.ADMIN.label:
        raise Unauthorized("a signed request must be an envelope of kind 'admin'")
    envelope.verify_signature()
    if envelope.signer not in admins:
        raise Unauthorized(f"{envelope.signer} is not an admin of this server")
    payload = envelope.payload
    signed = (payload.get("method"), payload.get("path"), payload.get("bodySha256"))
    if signed != (method.upper(), path, _body_hash(body)):
        raise Unauthorized("the signed request does not match this method, path and body")
    now = now or utcnow()
    created = envelope.created_at
    if abs(created - now) > MAX_SKEW:
        raise ClockSkew(
            f"signed request created {envelope.created}, server time {format_time(now)}",
            skew_seconds=round((created - now).total_seconds(), 3),
        )
    if nonces.is_nonce_used(Did(envelope.signer), envelope.nonce):
        raise NonceReplayed(f"signed request nonce {envelope.nonce} was used before")
    return envelope
