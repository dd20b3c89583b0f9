"""A proper HTML 404 page for browsers: for page routes that name something unknown, and for
any unknown path a browser asks for outside the JSON API (which keeps its problem+json)."""

from __future__ import annotations

import inspect

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .render import page

__all__ = ["API_PREFIXES", "install_html_not_found", "not_found"]

API_PREFIXES = ("/v1", "/rpc", "/contexts", "/docs", "/redoc", "/openapi.json", "/static")


def not_found(request: Request, detail: str) -> Response:
    return page(request, "not_found.html", status_code=404, detail=detail)


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if any(path == p or path.startswith(p + "/") for p in API_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def install_html_not_found(app: FastAPI) -> None:
    """Wrap the problem+json handler of HTTP errors: a browser's 404 off the API gets HTML."""
    json_handler = app.exception_handlers[StarletteHTTPException]

    async def http_error(request: Request, exc: Exception) -> Response:
        if (
            isinstance(exc, StarletteHTTPException)
            and exc.status_code == 404
            and _wants_html(request)
        ):
            return not_found(request, request.url.path)
        response = json_handler(request, exc)
        return await response if inspect.isawaitable(response) else response

    app.add_exception_handler(StarletteHTTPException, http_error)
