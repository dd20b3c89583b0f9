"""Several API processes on one port, with Nagle's algorithm off as it is for one process.

``uvicorn.run(..., workers=N)`` binds the listening socket with ``socket.socket(family)``,
so its ``proto`` is 0; accepted connections inherit that, and asyncio turns on
``TCP_NODELAY`` only for sockets that say ``IPPROTO_TCP``. Each keep-alive response then
waits for the client's delayed ACK: ~44 ms a request on Linux, measured here on a plain
ASGI app (0.6 ms with one process). Known upstream (Kludex/uvicorn#3149, open). So the
socket is bound by uvicorn as before and re-wrapped with its real protocol before the
supervisor hands it to the processes.

``python -m api.serving --workers N --host H --port P`` serves ``api.app:create_app`` so,
configured by its ``LEDGER_*`` environment (what ``ledger serve --workers N`` does after its
set-up, and what the benchmarks start).
"""

from __future__ import annotations

import argparse
import contextlib
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

__all__ = ["TcpConfig", "run_processes"]

APP = "api.app:create_app"


class TcpConfig(uvicorn.Config):
    """uvicorn's config whose bound TCP socket reports ``IPPROTO_TCP``."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
            sock = socket.socket(sock.family, socket.SOCK_STREAM, socket.IPPROTO_TCP, sock.detach())
        return sock


def run_processes(host: str, port: int, workers: int, **options: Any) -> None:
    """Serve :data:`APP` (a factory) from ``workers`` processes until stopped.

    ``options``: further :class:`uvicorn.Config` arguments (log level and config, access log).
    """
    config = TcpConfig(APP, factory=True, host=host, port=port, workers=workers, **options)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops the supervisor: a clean exit
        Multiprocess(config, sockets=[config.bind_socket()]).run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api.serving", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    run_processes(args.host, args.port, args.workers, log_level=args.log_level, access_log=False)


if __name__ == "__main__":
    main()
