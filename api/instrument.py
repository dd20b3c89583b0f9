"""The outermost middleware: a request id for each request, its access log line, its metrics.

The access line names the route's template, never the raw path (which may hold a did), and
no header or body. Health probes and scrapes log at DEBUG, so they do not drown the rest.
"""

from __future__ import annotations

import logging
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .metrics import Metrics
from .request_id import HEADER, request_id_of, request_id_var

__all__ = ["InstrumentMiddleware", "route_of"]

log = logging.getLogger("api.access")

UNMATCHED = "unmatched"
QUIET_ROUTES = frozenset({"/metrics", "/v1/health/live", "/v1/health/ready"})


def route_of(scope: Scope) -> str:
    """The template of the route that handled the request (``unmatched`` if none did)."""
    route = scope.get("route")
    if isinstance(route, Mount):
        return route.path + "/{path}"
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class InstrumentMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(Headers(scope=scope).get(HEADER))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            self._record(scope, status, started)
            # The id stays set: the 500 handler outside this middleware puts it in its
            # answer. The context belongs to this request's task, so nothing else sees it.
            raise
        self._record(scope, status, started)
        request_id_var.reset(token)

    def _record(self, scope: Scope, status: int, started: float) -> None:
        seconds = time.perf_counter() - started
        method, route = scope["method"], route_of(scope)
        self.metrics.observe_request(method, route, status, seconds)
        level = logging.DEBUG if route in QUIET_ROUTES else logging.INFO
        duration_ms = round(seconds * 1000, 1)
        log.log(level, "%s %s %d %.1f ms", method, route, status, duration_ms,
                extra={"method": method, "route": route, "status": status,
                       "duration_ms": duration_ms})  # fmt: skip
