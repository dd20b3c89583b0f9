"""RFC 9457 problem details: one handler maps the core's error tree to HTTP."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from credentials import errors as ce
from domain.workers import errors as we
from ledger import errors as e

from .request_id import HEADER, current_request_id

__all__ = ["PROBLEM_BASE", "install_problem_handlers", "problem_response"]

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://ledger.labour-provenance.org/problems/"
MEDIA_TYPE = "application/problem+json"

# Most specific class first; the first match wins.
STATUS: list[tuple[type[e.LedgerError], int]] = [
    (e.BodyTooLarge, 413),
    (e.UnsupportedMediaType, 415),
    (e.RpcRequestError, 400),
    (e.MalformedJSON, 400),
    (ce.QrTooLarge, 413),
    (e.InvalidRecord, 422),
    (e.SignatureError, 401),
    (e.UnknownSigner, 401),
    (e.NotAccredited, 403),
    (e.SignerRevoked, 403),
    (e.SignerSuspended, 403),
    (e.NonceReplayed, 409),
    (we.ChallengeReplayed, 409),
    (we.PresentationReplayed, 409),
    (we.CredentialRevoked, 409),
    (we.CredentialSuspended, 409),
    (we.IssuerNotAccredited, 403),
    (e.ClockSkew, 422),
    (e.VerificationError, 422),
    (e.Unauthorized, 401),
    (e.Forbidden, 403),
    (e.RateLimited, 429),
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.ChainUnavailable, 503),
    (e.DeploymentMissing, 503),
    (e.ContractRevert, 409),
    (e.ChainError, 502),
    (ce.WalletError, 400),
    (e.KeyFileError, 400),
]


def status_of(error: e.LedgerError) -> int:
    return next((status for cls, status in STATUS if isinstance(error, cls)), 500)


def problem_body(error: e.LedgerError, instance: str | None = None) -> dict[str, Any]:
    body = error.to_dict()
    body.update(type=PROBLEM_BASE + error.code, status=status_of(error))
    if instance:
        body["instance"] = instance
    return body


def _with_request_id(body: dict[str, Any]) -> dict[str, Any]:
    # An extension member (RFC 9457 allows them): what to quote when reporting a problem,
    # the same id as the X-Request-ID header and the server's log lines.
    request_id = current_request_id()
    return {**body, "requestId": request_id} if request_id else body


def problem_response(
    error: e.LedgerError, instance: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    status = status_of(error)
    if status == 401 and headers is None:
        headers = {"WWW-Authenticate": 'Bearer realm="ledger", Envelope'}
    if isinstance(error, e.RateLimited):
        headers = {"Retry-After": str(error.retry_after), **(headers or {})}
    return JSONResponse(
        _with_request_id(problem_body(error, instance)),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(e.LedgerError)
    async def ledger_error(request: Request, exc: e.LedgerError) -> JSONResponse:
        return problem_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        if first.get("type") == "json_invalid":
            return problem_response(
                e.MalformedJSON(f"malformed JSON: {first['msg']}"), request.url.path
            )
        field = ".".join(str(p) for p in first["loc"])
        return problem_response(
            e.SchemaViolation(f"{field}: {first['msg']}", field=field), request.url.path
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The route's template, not the path: a path may hold a did.
        route = getattr(request.scope.get("route"), "path", "unmatched")
        log.exception("unhandled error on %s %s", request.method, route)
        body = {"type": PROBLEM_BASE + "internal_error", "title": "Internal error", "status": 500,
                "detail": "the server failed; the error is logged", "code": "internal_error",
                "instance": request.url.path}  # fmt: skip
        # This handler runs outside the request middleware, so it sets the header itself.
        request_id = current_request_id()
        headers = {HEADER: request_id} if request_id else None
        return JSONResponse(
            _with_request_id(body), status_code=500, media_type=MEDIA_TYPE, headers=headers
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {
            404: "not_found",
            405: "method_not_allowed",
            406: "not_acceptable",
            415: "unsupported_media_type",
        }
        code = codes.get(exc.status_code, f"http_{exc.status_code}")
        body = {
            "type": PROBLEM_BASE + code,
            "title": str(exc.detail),
            "status": exc.status_code,
            "detail": str(exc.detail),
            "code": code,
            "instance": request.url.path,
        }
        return JSONResponse(
            _with_request_id(body),
            status_code=exc.status_code,
            media_type=MEDIA_TYPE,
            headers=getattr(exc, "headers", None),
        )
