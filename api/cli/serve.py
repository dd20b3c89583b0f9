"""``ledger serve``: the API and the anchoring worker in one process."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .common import ADMIN_TOKEN_FILE, fail
from .db import open_refused
from .instance_lock import HeldLock, LockHeld, lock_database, share_admin_token

if TYPE_CHECKING:
    from api.settings import Settings

EMBEDDED_DB = Path("var/embedded.db")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def _database_url(db: str | None, rpc: str | None) -> tuple[str, bool]:
    """The database URL, and whether it is the embedded chain's own (fresh every run)."""
    if db:
        return (db if "://" in db else f"sqlite:///{db}"), False
    if os.environ.get("DATABASE_URL") or os.environ.get("LEDGER_DATABASE_URL"):
        return os.environ.get("DATABASE_URL") or os.environ["LEDGER_DATABASE_URL"], False
    if rpc:
        return "sqlite:///var/ledger.db", False
    return f"sqlite:///{EMBEDDED_DB}", True


def _sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for PostgreSQL or an in-memory SQLite)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _lock_database(url: str) -> HeldLock | None:
    """Lock the SQLite file before anything touches it; refuse if another server has it.

    PostgreSQL is meant to be shared by several API processes, so it is not locked.
    """
    database = _sqlite_file(url)
    if database is None:
        return None
    try:
        return lock_database(database)
    except LockHeld as exc:
        who = f"another `ledger serve` (pid {exc.pid})" if exc.pid else "another process"
        fail(
            f"{who} is using {database} (lock {exc.path}). Stop it first, or start this one "
            "on another --port with a database of its own, e.g. "
            f"`ledger serve --port 8001 --db {database.with_name('ledger-8001.db')}`",
            code=1,
        )


def _check_several_processes_fit(database_url: str, rpc: str | None) -> None:
    """Several API processes share one database and one chain: SQLite's single writer and the
    embedded EVM, which lives inside one process, cannot be shared."""
    if not database_url.startswith("postgresql"):
        fail(
            "--workers above 1 needs PostgreSQL (--db postgresql://…): SQLite takes one "
            "writer at a time, so more processes would only queue; run one process on SQLite",
            code=2,
        )
    if rpc is None:
        fail(
            "--workers above 1 needs --rpc: the embedded EVM lives inside one process, and "
            "the others could not reach it",
            code=2,
        )


def _settings_environment(settings: Settings) -> dict[str, str]:
    """The environment the API processes build their settings from (create_app() reads it)."""
    env = {"LEDGER_DATABASE_URL": settings.database_url, "DATABASE_URL": settings.database_url}
    if settings.rpc_url:
        env["LEDGER_RPC_URL"] = settings.rpc_url
    if settings.admin_token is not None:
        env["LEDGER_ADMIN_TOKEN"] = settings.admin_token.get_secret_value()
    if settings.deployment_file is not None:
        env["LEDGER_DEPLOYMENT_FILE"] = str(settings.deployment_file)
    return env


def _fresh_embedded_database() -> None:
    # The embedded EVM lives and dies with this process, so its database does too: records
    # anchored on a chain that no longer exists would carry proofs that point nowhere.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{EMBEDDED_DB}{suffix}").unlink(missing_ok=True)


def _admin_token() -> tuple[str, HeldLock | None]:
    token = os.environ.get("LEDGER_ADMIN_TOKEN")
    if token:
        return token, None
    try:
        return share_admin_token(ADMIN_TOKEN_FILE)
    except FileNotFoundError:
        fail(
            f"another `ledger serve` in this directory uses the admin token in "
            f"{ADMIN_TOKEN_FILE}, which is gone; set LEDGER_ADMIN_TOKEN for this one",
            code=1,
        )


def serve(
    db: str | None = typer.Option(
        None, "--db", help="Database URL or SQLite path (default: SQLite under var/)"
    ),
    rpc: str | None = typer.Option(
        None,
        "--rpc",
        envvar="LEDGER_RPC_URL",
        help="RPC URL of the chain, or several comma-separated URLs of one chain that fail over "
        "(default: an embedded in-process EVM)",
    ),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    demo: bool = typer.Option(
        False, "--demo", help="Seed an empty database with a demo supply chain"
    ),
    deployment: Path | None = typer.Option(
        None,
        "--deployment",
        envvar="LEDGER_DEPLOYMENT_FILE",
        help="Bind a fresh database to this existing deployment (e.g. one a Safe administers) "
        "instead of deploying contracts",
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="API processes (PostgreSQL and --rpc only); each runs an anchoring worker and "
        "the database lease lets one anchor at a time",
    ),
) -> None:
    """Serve the API (OpenAPI at /docs) and run the anchoring worker.

    With --rpc, the contracts are deployed to that node the first time (or --deployment names
    existing ones); the anchoring key is LEDGER_ANCHOR_KEY or LEDGER_ANCHOR_KEYFILE (anvil's
    first dev account on a local anvil). Registry changes (`ledger admin accredit`) need the
    registry admin's key, LEDGER_ADMIN_KEY (anvil's second dev account on a local anvil);
    when the admin is a Safe, it makes them and the server mirrors them from the chain.
    """
    import uvicorn
    from pydantic import SecretStr

    from api.app import create_app, ledger_config
    from api.logs import configure_logging, uvicorn_log_config
    from api.serving import run_processes
    from api.settings import Settings
    from domain import open_ledger
    from ledger.errors import LedgerError

    database_url, embedded_database = _database_url(db, rpc)
    if workers > 1:
        _check_several_processes_fit(database_url, rpc)
    # Locks first: nothing is deleted or written while another server owns it.
    database_lock = _lock_database(database_url)
    if embedded_database:
        _fresh_embedded_database()
    token, token_lock = _admin_token()
    settings = Settings(
        database_url=database_url,
        rpc_url=rpc,
        admin_token=SecretStr(token),
        deployment_file=deployment,
    )
    configure_logging(settings.log_format, secrets=settings.secret_values())
    try:
        ledger = open_ledger(ledger_config(settings))
    except LedgerError as exc:
        fail(open_refused(exc, database_url), code=1)
    if demo:
        from domain.demo import seed_demo

        summary = seed_demo(ledger)
        typer.echo(summary)
    chain = "embedded EVM" if ledger.client.embedded else rpc
    typer.echo(
        f"ledger on http://{host}:{port}/ (home page; API docs at /docs); "
        f"chain {ledger.deployment.chain_id} ({chain}); "
        f"database {ledger.engine.url.render_as_string(hide_password=True)}"
    )
    admin = ledger.registry.owner()
    held = ledger.admin is not None and ledger.admin.address == admin
    typer.echo(
        f"registry admin {admin} ({'this server holds its key' if held else 'not held here'}); "
        f"anchoring account {ledger.client.address}"
    )
    if not os.environ.get("LEDGER_ADMIN_TOKEN"):
        typer.echo(f"admin token in {ADMIN_TOKEN_FILE} (the CLI reads it from there)")
    try:
        # uvicorn's loggers go through ours (format, request ids, masking); its access log
        # is off because it prints raw paths, which may hold a did: api.instrument logs
        # each request by route template instead.
        if workers == 1:
            uvicorn.run(
                create_app(settings, ledger=ledger),
                host=host,
                port=port,
                log_level="info",
                log_config=uvicorn_log_config(),
                access_log=False,
            )
        else:
            # The contracts are deployed (or bound) and the demo seeded once, here; each API
            # process opens its own ledger from the same settings, passed by the environment.
            ledger.close()
            os.environ.update(_settings_environment(settings))
            if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
                # One scrape counts every process's requests (api/metrics.py): a directory
                # of their counters, empty at start, gone when the server stops.
                metrics_dir = tempfile.mkdtemp(prefix="ledger-metrics-")
                os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
            typer.echo(f"{workers} API processes")
            # api.serving: uvicorn's own multi-process path leaves Nagle on (~44 ms a request).
            run_processes(host, port, workers, log_level="info",
                          log_config=uvicorn_log_config(), access_log=False)  # fmt: skip
    finally:
        ledger.close()
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
        for lock in (token_lock, database_lock):
            if lock is not None:
                lock.release()
