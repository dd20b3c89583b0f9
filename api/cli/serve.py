"""``ledger serve``: the API and the anchoring worker in one process."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

import typer

from .common import ADMIN_TOKEN_FILE, fail

EMBEDDED_DB = Path("var/embedded.db")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def _database_url(db: str | None, rpc: str | None) -> str:
    if db:
        return db if "://" in db else f"sqlite:///{db}"
    if os.environ.get("DATABASE_URL") or os.environ.get("LEDGER_DATABASE_URL"):
        return os.environ.get("DATABASE_URL") or os.environ["LEDGER_DATABASE_URL"]
    if rpc:
        return "sqlite:///var/ledger.db"
    # The embedded EVM lives and dies with this process, so its database does too: records
    # anchored on a chain that no longer exists would carry proofs that point nowhere.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{EMBEDDED_DB}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{EMBEDDED_DB}"


def _admin_token() -> str:
    token = os.environ.get("LEDGER_ADMIN_TOKEN")
    if token:
        return token
    token = secrets.token_urlsafe(24)
    ADMIN_TOKEN_FILE.parent.mkdir(parents=True, exist_ok=True)
    ADMIN_TOKEN_FILE.unlink(missing_ok=True)
    fd = os.open(ADMIN_TOKEN_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token


def serve(
    db: str | None = typer.Option(
        None, "--db", help="Database URL or SQLite path (default: SQLite under var/)"
    ),
    rpc: str | None = typer.Option(
        None,
        "--rpc",
        envvar="LEDGER_RPC_URL",
        help="RPC URL of the chain (default: an embedded in-process EVM)",
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
    from api.settings import Settings
    from domain import open_ledger
    from ledger.errors import LedgerError

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    token = _admin_token()
    settings = Settings(
        database_url=_database_url(db, rpc),
        rpc_url=rpc,
        admin_token=SecretStr(token),
        deployment_file=deployment,
    )
    try:
        ledger = open_ledger(ledger_config(settings))
    except LedgerError as exc:
        fail(exc.detail, code=1)
    if demo:
        from domain.demo import seed_demo

        summary = seed_demo(ledger)
        typer.echo(summary)
    chain = "embedded EVM" if ledger.client.embedded else rpc
    typer.echo(
        f"ledger on http://{host}:{port} (docs at /docs); "
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
        typer.echo(f"admin token written to {ADMIN_TOKEN_FILE} (the CLI reads it from there)")
    try:
        uvicorn.run(create_app(settings, ledger=ledger), host=host, port=port, log_level="info")
    finally:
        ledger.close()
