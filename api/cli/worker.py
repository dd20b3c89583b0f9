"""``ledger worker``: the anchoring worker on its own, without the API.

Several processes may run it against one database: the database lease lets one work at a
time. ``--drain`` anchors everything pending and exits (used by the kill tests).
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import TYPE_CHECKING

import typer

from .common import fail
from .db import open_refused

if TYPE_CHECKING:
    from ledger.service import Ledger


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(
    db: str = typer.Option(..., "--db", envvar="DATABASE_URL", help="Database URL"),
    rpc: str | None = typer.Option(
        None,
        "--rpc",
        envvar="LEDGER_RPC_URL",
        help="RPC URL of the chain, or several comma-separated URLs of one chain that fail over",
    ),
    drain: bool = typer.Option(False, "--drain", help="Anchor everything pending, then exit"),
    interval: float = typer.Option(1.0, "--interval", help="Seconds between passes when idle"),
    metrics_port: int | None = typer.Option(
        None,
        "--metrics-port",
        envvar="LEDGER_WORKER_METRICS_PORT",
        help="Serve Prometheus metrics on 127.0.0.1:PORT (what `ledger serve` has at /metrics)",
    ),
) -> None:
    """Run the anchoring worker (pending → batched → submitted → anchored)."""
    from api.app import ledger_config
    from api.logs import configure_logging
    from api.settings import Settings
    from domain import open_ledger
    from ledger.errors import LedgerError

    if rpc is None:
        fail("the worker needs --rpc: the embedded EVM only lives inside `ledger serve`")
    database_url = db if "://" in db else f"sqlite:///{db}"
    settings = Settings(database_url=database_url, rpc_url=rpc)
    configure_logging(settings.log_format, secrets=settings.secret_values())
    try:
        ledger = open_ledger(ledger_config(settings))
    except LedgerError as exc:
        fail(open_refused(exc, database_url), code=1)
    if metrics_port is not None:
        _serve_metrics(ledger, metrics_port)
    try:
        if drain:
            report = ledger.anchorer.drain()
            typer.echo(f"anchored batches {report.anchored or 'none'}")
            if report.error:
                fail(report.error, code=1)
            return
        # Said once the worker is ready: which process may hold the lease (tests wait for it).
        logging.getLogger("ledger.worker").info(
            "anchoring worker %s running", ledger.anchorer.holder
        )
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        ledger.anchorer.run_forever(stop, interval=interval, also=ledger.follow_registry)
    finally:
        ledger.anchorer.release()  # run_forever released it too; drain and errors have not
        ledger.close()


def _serve_metrics(ledger: Ledger, port: int) -> None:
    """This process's anchoring metrics (time to anchor, chain errors) and the database
    gauges, on loopback only: prometheus_client's small server has no authentication, so
    reach it through the host's own scraper or a tunnel."""
    from prometheus_client import start_http_server

    from api.metrics import Metrics

    metrics = Metrics()
    metrics.watch(ledger)
    start_http_server(port, addr="127.0.0.1", registry=metrics.scrape_registry())
