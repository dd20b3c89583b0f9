"""Several API processes on one port, with Nagle's algorithm off as it is for one process.

``uvicorn.run(..., workers=N)`` binds the listening socket with ``socket.socket(family)``,
so its ``proto`` is 0; accepted connections inherit that, and asyncio turns on
``TCP_NODELAY`` only for sockets that say ``IPPROTO_TCP``. Each keep-alive response then
waits for the client's delayed ACK: ~44 ms a request on Linux, measured here on a plain
ASGI app (0.6 ms with one process). Known upstream (Kludex/uvicorn#3149, open). So the
socket is bound by uvicorn as before and re-wrapped with its real protocol before the
supervisor hands it to the processes.

Each process also listens on a socket of its own (``SO_REUSEPORT``), so the kernel spreads
new connections over the processes. On one shared socket, asyncio accepts every connection
already queued whenever it wakes: clients that connect together (a load balancer's pool, a
bench's clients) all landed in one process, measured at one process's CPU busy and the
other's idle through a whole ``:batch`` run.

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
from uvicorn.supervisors import Multiprocess, multiprocess

__all__ = ["TcpConfig", "run_processes"]

APP = "api.app:create_app"


class TcpConfig(uvicorn.Config):
    """uvicorn's config whose bound TCP socket reports ``IPPROTO_TCP``."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
            sock = socket.socket(sock.family, socket.SOCK_STREAM, socket.IPPROTO_TCP, sock.detach())
        return sock


def _listener(config: uvicorn.Config, *, reuse_port: bool) -> socket.socket:
    """A listening TCP socket on the config's host and port (``IPPROTO_TCP``: Nagle off)."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((config.host, config.port))
        sock.listen(config.backlog)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class _OwnSocketProcess(multiprocess.Process):
    """A uvicorn worker process that listens on a ``SO_REUSEPORT`` socket of its own."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # in the child
        super().target([_listener(self.config, reuse_port=True)])


def run_processes(host: str, port: int, workers: int, **options: Any) -> None:
    """Serve :data:`APP` (a factory) from ``workers`` processes until stopped.

    ``options``: further :class:`uvicorn.Config` arguments (log level and config, access log).
    """
    config = TcpConfig(APP, factory=True, host=host, port=port, workers=workers, **options)
    if port == 0 or not hasattr(socket, "SO_REUSEPORT"):  # one port for all: shared socket
        sockets = [config.bind_socket()]
    else:
        # Fail here, not in N children, if the port is taken; bound without SO_REUSEPORT so
        # that another server's reusable socket refuses us instead of sharing its traffic.
        _listener(config, reuse_port=False).close()
        sockets = []
        # uvicorn's supervisor makes (and remakes) its workers with this module's Process.
        multiprocess.Process = _OwnSocketProcess  # type: ignore[misc]
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops the supervisor: a clean exit
        Multiprocess(config, sockets=sockets).run()


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
