"""Dependencies as ``Annotated`` aliases: the ledger and its domain services, a JSON body,
an authenticated admin, the signer of a signed request."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Collection
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from domain.wages.service import Wages
from domain.workers import WorkerCredentials
from ledger.canonical import parse_json
from ledger.errors import BodyTooLarge, Unauthorized, UnsupportedMediaType
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
    "WagesDep",
    "WorkersDep",
    "check_json_media_type",
    "request_target",
    "verify_signed_request",
]


async def get_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_workers(request: Request) -> WorkerCredentials:
    workers: WorkerCredentials = request.app.state.workers
    return workers


async def get_wages(request: Request) -> Wages:
    wages: Wages = request.app.state.wages
    return wages


LedgerDep = Annotated[Ledger, Depends(get_ledger)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
WorkersDep = Annotated[WorkerCredentials, Depends(get_workers)]
WagesDep = Annotated[Wages, Depends(get_wages)]


PAYROLL_PATH = "/v1/wages"
INLINE_PARSE_BYTES = 32_768  # parsed on the event loop up to this size (well under 1 ms)
VC_VERIFY_PATH = "/credentials/verify"


def is_bulk(request: Request) -> bool:
    """Bulk endpoints (their path ends in ``:batch``, and payroll runs) take the large
    bodies, one of ``max_concurrent_batches`` at a time."""
    return request.url.path.endswith(":batch") or request.url.path == PAYROLL_PATH


async def bulk_slot(request: Request) -> AsyncIterator[None]:
    """A bulk request holds one of ``max_concurrent_batches`` slots from before its body is
    read until it is answered; others wait unread. Parsing costs up to ~31x a body, so this
    is what bounds the memory that bulk requests take together."""
    if not is_bulk(request):
        yield
        return
    async with request.app.state.batch_slots:
        yield


async def read_body(request: Request, _slot: Annotated[None, Depends(bulk_slot)]) -> bytes:
    """The raw body, refused past the limit before it is all read (``max_body_bytes``;
    ``max_batch_body_bytes`` for bulk endpoints, ``max_vc_body_bytes`` for the VC API)."""
    settings = request.app.state.settings
    if request.url.path == PAYROLL_PATH:
        limit = settings.max_payroll_body_bytes
    elif request.url.path == VC_VERIFY_PATH:
        limit = settings.max_vc_body_bytes
    elif is_bulk(request):
        limit = settings.max_batch_body_bytes
    else:
        limit = settings.max_body_bytes
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


def check_json_media_type(content_type: str | None) -> None:
    """``application/json`` (or ``*/*+json``), in UTF-8 if a charset is named.

    Raises:
        UnsupportedMediaType: no ``Content-Type``, another media type or another charset.
    """
    if content_type is None or not content_type.strip():
        raise UnsupportedMediaType(
            "send Content-Type: application/json", media_type=None, field="content-type"
        )
    media_type, *parameters = (part.strip() for part in content_type.split(";"))
    media_type = media_type.lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType(
            f"send application/json, not {media_type[:100]!r}",
            media_type=media_type[:100],
            field="content-type",
        )
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset != "utf-8":
            raise UnsupportedMediaType(
                f"JSON is UTF-8; charset {charset[:40]!r} is not accepted",
                media_type=media_type,
                field="content-type",
            )


async def json_body(request: Request, body: Annotated[bytes, Depends(read_body)]) -> Any:
    """The body parsed as strict JSON; a large one in a worker thread: parsing it takes a
    while, and on the event loop it would hold up every other request meanwhile. A small one
    (an envelope: ~50 us) is parsed in place, cheaper than the hop to a thread and back."""
    check_json_media_type(request.headers.get("content-type"))
    if len(body) <= INLINE_PARSE_BYTES:
        return parse_json(body)
    return await run_in_threadpool(parse_json, body)


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
