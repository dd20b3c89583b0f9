"""What the request middleware (request id, access log line, two metric updates) costs per
request: the same trivial ASGI app called directly, with and without it, in one process.

    .venv/bin/python bench/metrics_overhead.py [--requests N]

No network and no ledger: the difference is the middleware alone. The access line is
formatted as ``LEDGER_LOG_FORMAT=json`` would write it, to a sink that discards it.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import statistics
import time
from typing import Any

from starlette.routing import Route

from api.instrument import InstrumentMiddleware
from api.logs import JsonFormatter, RequestIdFilter
from api.metrics import Metrics

ROUTE = Route("/v1/records/{record_id}", endpoint=lambda request: None)


async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    scope["route"] = ROUTE  # as the router would set it
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def per_request(app: Any, n: int) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(_: dict[str, Any]) -> None:
        return None

    started = time.perf_counter()
    for i in range(n):
        scope = {"type": "http", "method": "GET", "path": f"/v1/records/0x{i:064x}",
                 "headers": [(b"x-request-id", b"bench-1")]}  # fmt: skip
        await app(scope, receive, send)
    return (time.perf_counter() - started) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20_000)
    n = parser.parse_args().requests
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    wrapped = InstrumentMiddleware(bare, Metrics())
    rounds = [
        (asyncio.run(per_request(bare, n)), asyncio.run(per_request(wrapped, n))) for _ in range(5)
    ]
    base = statistics.median(r[0] for r in rounds) * 1e6
    with_mw = statistics.median(r[1] for r in rounds) * 1e6
    print(f"{n} requests x 5 rounds (median): bare {base:.1f} us, with the middleware "
          f"{with_mw:.1f} us: +{with_mw - base:.1f} us per request")  # fmt: skip


if __name__ == "__main__":
    main()
