"""Per-client rate limits: a moving window per client and bucket, kept in this process.

Four buckets, each a ``limits`` rate string from the settings (``LEDGER_RATE_*``):

* ``writes``: every POST, PUT, PATCH and DELETE under ``/v1``;
* ``rpc``: JSON-RPC calls on ``/rpc`` (a batch of n calls costs n);
* ``challenges``: ``GET /v1/presentations/challenge`` (each one is a stored row);
* ``verifications``: ``POST /credentials/verify`` (the VC API verifier: CPU, no rows).

A client is its peer IP address (an IPv6 client is its /64, which one host usually holds
whole). The counts live in memory, so each API process keeps its own: N processes behind
one address let a client make N times the limit. A refused request gets 429 problem+json
``rate_limited`` with ``Retry-After`` and never reaches a route, so it changes nothing.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Mapping, Sequence

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from ledger.errors import RateLimited

from .problems import problem_response

__all__ = ["RateLimitMiddleware", "RateLimiter", "bucket_of", "client_of", "parse_rates"]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CHALLENGE_PATH = "/v1/presentations/challenge"
VERIFY_PATH = "/credentials/verify"


def parse_rates(value: str) -> tuple[RateLimitItem, ...]:
    """``"600/minute"`` or ``"10/second;600/minute"``; an empty string means no limit.

    Raises:
        ValueError: not a rate string ``limits`` understands.
    """
    return tuple(parse_many(value)) if value.strip() else ()


def bucket_of(method: str, path: str) -> str | None:
    """Which limit a request counts against, if any."""
    if path == "/rpc":
        return "rpc"
    if method == "GET" and path == CHALLENGE_PATH:
        return "challenges"
    if method == "POST" and path == VERIFY_PATH:
        return "verifications"
    if method in WRITE_METHODS and path.startswith("/v1/"):
        return "writes"
    return None


def client_of(scope: Scope) -> str:
    """The peer address a limit counts against (an IPv6 address as its /64)."""
    peer = scope.get("client")
    host = peer[0] if peer else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else address)


class RateLimiter:
    """Moving-window limits per (bucket, client), in this process's memory."""

    def __init__(self, rates: Mapping[str, Sequence[RateLimitItem]]) -> None:
        self._rates = {bucket: tuple(items) for bucket, items in rates.items()}
        self._window = MovingWindowRateLimiter(MemoryStorage())

    def charge(self, bucket: str, client: str, cost: int = 1) -> None:
        """Count ``cost`` requests for ``client``; nothing is counted when refused.

        Raises:
            RateLimited: a limit of ``bucket`` would be exceeded (``retry_after`` seconds).
        """
        items = self._rates.get(bucket, ())
        for item in items:
            if not self._window.test(item, bucket, client, cost=cost):
                reset_at = self._window.get_window_stats(item, bucket, client).reset_time
                retry_after = max(1, math.ceil(reset_at - time.time()))
                raise RateLimited(
                    f"more than {item} for {bucket}; retry in {retry_after} s",
                    retry_after=retry_after,
                    limit=str(item),
                )
        for item in items:
            self._window.hit(item, bucket, client, cost=cost)


class RateLimitMiddleware:
    """Refuses a request over its bucket's limit before any route (or body read) runs."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            bucket = bucket_of(scope["method"], scope["path"])
            if bucket is not None:
                try:
                    self.limiter.charge(bucket, client_of(scope))
                except RateLimited as exc:
                    await problem_response(exc, scope["path"])(scope, receive, send)
                    return
        await self.app(scope, receive, send)
