"""Dependencies as ``Annotated`` aliases: the ledger and its domain services, a JSON body,
an authenticated admin, the signer of a signed request."""

from __future__ import annotations

import hmac
from collections.abc import Collection
from typing import Annotated, Any

from fastapi import Depends, Request

from domain.workers import WorkerCredentials
from ledger.canonical import parse_json
from ledger.errors import BodyTooLarge, SchemaViolation, Unauthorized
from ledger.service import Ledger
from ledger.signed_request import SCHEME, verify_request
from ledger.store.db import session_scope
from ledger.store.records import StoreNonces

from .settings import Settings

__all__ = [
    "AdminDep",
    "JsonBody",
    "LedgerDep",
    "ReaderDep",
    "SettingsDep",
    "WorkersDep",
    "request_target",
    "verify_signed_request",
]


def get_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_workers(request: Request) -> WorkerCredentials:
    workers: WorkerCredentials = request.app.state.workers
    return workers


LedgerDep = Annotated[Ledger, Depends(get_ledger)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
WorkersDep = Annotated[WorkerCredentials, Depends(get_workers)]


async def read_body(request: Request) -> bytes:
    """The raw body, refused past the limit before it is all read (``max_body_bytes``;
    ``max_batch_body_bytes`` for bulk endpoints, whose path ends in ``:batch``)."""
    settings = request.app.state.settings
    bulk = request.url.path.endswith(":batch")
    limit = settings.max_batch_body_bytes if bulk else settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"body of {declared} bytes exceeds the limit of {limit}", limit=limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"body exceeds the limit of {limit} bytes", limit=limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    request.state.raw_body = body
    return body


async def json_body(request: Request, body: Annotated[bytes, Depends(read_body)]) -> Any:
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise SchemaViolation(f"send application/json, not {content_type!r}", field="content-type")
    return parse_json(body)


JsonBody = Annotated[Any, Depends(json_body)]


def request_target(request: Request) -> str:
    """The request's path and query string exactly as the client sent them (what a signed
    request signs)."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


def verify_signed_request(
    request: Request,
    ledger: Ledger,
    body: bytes,
    signers: Collection[str] | None,
    *,
    who: str = "allowed to make this request",
) -> str:
    """Check ``Authorization: Envelope ...`` (signature, one of ``signers`` or anyone, this
    method, path, query, body and deployment, clock skew) and consume its nonce; returns
    the signer's did."""
    with session_scope(ledger.engine) as session:
        nonces = StoreNonces(session)
        envelope = verify_request(
            request.headers.get("authorization", ""),
            request.method,
            request_target(request),
            body,
            audience=ledger.audience,
            signers=signers,
            nonces=nonces,
            who=who,
        )
        nonces.consume(envelope.signer, envelope.nonce)
    return envelope.signer


def signed_reader(
    request: Request, ledger: LedgerDep, body: Annotated[bytes, Depends(read_body)]
) -> str | None:
    """The did of a signed request's signer (any key: a worker reading their own record),
    or None when the request is not signed. What it may read is the route's decision."""
    if not request.headers.get("authorization", "").startswith(SCHEME + " "):
        return None
    return verify_signed_request(request, ledger, body, None)


ReaderDep = Annotated[str | None, Depends(signed_reader)]


def require_admin(
    request: Request,
    ledger: LedgerDep,
    settings: SettingsDep,
    body: Annotated[bytes, Depends(read_body)],
) -> str:
    """Bearer token from settings, or a signed admin request (``Authorization: Envelope``).

    Returns who acted: ``"token"`` or the admin's did.
    """
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "bearer":
        token = settings.admin_token
        if token is None or not hmac.compare_digest(
            credential.encode(), token.get_secret_value().encode()
        ):
            raise Unauthorized("invalid admin token")
        return "token"
    if scheme == SCHEME:
        return verify_signed_request(
            request, ledger, body, settings.admin_dids, who="an admin of this server"
        )
    raise Unauthorized("admin endpoints need 'Authorization: Bearer <token>' or a signed request")


AdminDep = Annotated[str, Depends(require_admin)]
