"""Signed requests: an envelope of kind ``request`` that authenticates one HTTP request.

The client signs ``{method, path, bodySha256, audience}`` and sends the envelope,
base64url-encoded JCS, as ``Authorization: Envelope <token>``:

- ``path`` is the request target as sent: the path *and* the query string
  (``/v1/admin/signers/did:key:z6Mk...?role=1``), so no parameter can be stripped or added;
- ``bodySha256`` is the hex SHA-256 of the body bytes (of nothing for a GET);
- ``audience`` names the one deployment the request is for (:func:`audience_of`), so a
  header captured at one server is refused by every other.

The server checks the signature, that method, target, body and audience are the ones
signed, that ``created`` is within the skew window and that the nonce is new; *who* may
make the request (an admin, an accredited investigator, a record's party) is the caller's
decision.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Final

from .canonical import canonicalize, parse_json
from .envelope import Envelope, NonceLedger, sign_envelope
from .errors import ClockSkew, LedgerError, NonceReplayed, Unauthorized
from .keys import SigningKey
from .timeutil import format_time, utcnow
from .types import Did

__all__ = ["REQUEST_KIND", "SCHEME", "audience_of", "request_authorization", "verify_request"]

SCHEME: Final = "Envelope"
REQUEST_KIND: Final = "request"  # never stored or anchored as a record
MAX_SKEW: Final = timedelta(minutes=5)
MAX_TOKEN: Final = 16_384  # characters of a header token (a request envelope is ~600)


def audience_of(chain_id: int, anchor_address: str, instance: str) -> str:
    """The audience of a ledger: its chain, its ProvenanceAnchor, and the instance id of its
    database (two ledgers on look-alike chains, e.g. two embedded EVMs, are still apart;
    processes sharing one database are one audience)."""
    return f"urn:lpl:deployment:{chain_id}:{anchor_address.lower()}:{instance}"


def _body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def request_authorization(
    key: SigningKey,
    method: str,
    target: str,
    body: bytes = b"",
    *,
    audience: str,
    created: datetime | None = None,
) -> str:
    """The ``Authorization`` header value for one request to ``target`` (path?query)."""
    payload = {
        "method": method.upper(),
        "path": target,
        "bodySha256": _body_hash(body),
        "audience": audience,
    }
    envelope = sign_envelope(REQUEST_KIND, payload, key, created=created)
    token = base64.urlsafe_b64encode(canonicalize(envelope.to_dict())).decode().rstrip("=")
    return f"{SCHEME} {token}"


def verify_request(
    authorization: str,
    method: str,
    target: str,
    body: bytes,
    *,
    audience: str,
    signers: Collection[str] | None,
    nonces: NonceLedger,
    now: datetime | None = None,
    who: str = "allowed to make this request",
) -> Envelope:
    """Check a signed request; returns its envelope (the caller consumes the nonce).

    Args:
        target: the request's path and query string, exactly as received.
        audience: this deployment's audience (:func:`audience_of`).
        signers: the dids that may make it, or None for any signer (the caller decides).
        who: how to name those dids in the error (``an admin of this server``).

    Raises:
        Unauthorized: not a signed request, a signer not in ``signers``, or not this request.
        SignatureError, ClockSkew, NonceReplayed: as for any envelope.
    """
    scheme, _, token = authorization.partition(" ")
    if scheme != SCHEME or not token:
        raise Unauthorized(f"expected 'Authorization: {SCHEME} <token>'")
    if len(token) > MAX_TOKEN:
        raise Unauthorized(f"the signed request is longer than {MAX_TOKEN} characters")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        envelope = Envelope.from_dict(parse_json(raw))
    except (LedgerError, ValueError) as exc:
        raise Unauthorized(f"malformed signed request: {exc}") from exc
    if envelope.kind != REQUEST_KIND:
        raise Unauthorized(f"a signed request is an envelope of kind {REQUEST_KIND!r}")
    envelope.verify_signature()
    if signers is not None and envelope.signer not in signers:
        raise Unauthorized(f"{envelope.signer} is not {who}")
    payload = envelope.payload
    signed = (
        payload.get("method"),
        payload.get("path"),
        payload.get("bodySha256"),
        payload.get("audience"),
    )
    if set(payload) != {"method", "path", "bodySha256", "audience"}:
        raise Unauthorized("a signed request signs exactly method, path, bodySha256, audience")
    if signed[3] != audience:
        raise Unauthorized(f"the signed request is for {signed[3]!r}, not this deployment")
    if signed[:3] != (method.upper(), target, _body_hash(body)):
        raise Unauthorized("the signed request does not match this method, path, query and body")
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
