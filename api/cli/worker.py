"""``ledger worker``: the anchoring worker on its own, without the API.

Several processes may run it against one database: the database lease lets one work at a
time. ``--drain`` anchors everything pending and exits (used by the kill tests).
"""

from __future__ import annotations

import logging
import signal
import threading

import typer

from .common import fail


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
) -> None:
    """Run the anchoring worker (pending → batched → submitted → anchored)."""
    from api.app import ledger_config
    from api.settings import Settings
    from domain import open_ledger
    from ledger.errors import LedgerError

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if rpc is None:
        fail("the worker needs --rpc: the embedded EVM only lives inside `ledger serve`")
    settings = Settings(database_url=db if "://" in db else f"sqlite:///{db}", rpc_url=rpc)
    try:
        ledger = open_ledger(ledger_config(settings))
    except LedgerError as exc:
        fail(exc.detail, code=1)
    try:
        if drain:
            report = ledger.anchorer.drain()
            typer.echo(f"anchored batches {report.anchored or 'none'}")
            if report.error:
                fail(report.error, code=1)
            return
        # Said once the worker is ready: which process may hold the lease (tests wait for it).
        typer.echo(f"anchoring worker {ledger.anchorer.holder} running", err=True)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        ledger.anchorer.run_forever(stop, interval=interval, also=ledger.follow_registry)
    finally:
        ledger.anchorer.release()  # run_forever released it too; drain and errors have not
        ledger.close()
