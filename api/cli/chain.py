"""``ledger chain``: a local devnet, deployments, and checking the database against the chain."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .common import fail, print_json, shown_url

if TYPE_CHECKING:
    from ledger.chain.client import ChainClient
    from ledger.chain.deployment import Deployment
    from ledger.consistency import ConsistencyReport

app = typer.Typer(
    help="Start a local anvil devnet; deploy the contracts; check the database against the chain.",
    no_args_is_help=True,
)


RPC_HELP = "RPC URL of the node, or several comma-separated URLs of one chain that fail over"

ADMIN_HELP = (
    "Registry admin address (a Safe multisig in production); default on a local dev chain: "
    "anvil's second dev account; required elsewhere"
)


def _anchor_key() -> str | None:
    """The anchoring key, checked here: eth_account's errors would reach a traceback."""
    from eth_account import Account

    from api.settings import Settings

    try:
        key = Settings().anchor_private_key()
        if key is not None:
            Account.from_key(key)
    except (OSError, TypeError, ValueError):
        fail(
            "the anchoring key cannot be used: LEDGER_ANCHOR_KEY must be a 32-byte hex private "
            "key, or LEDGER_ANCHOR_KEYFILE a keystore file that LEDGER_ANCHOR_PASSPHRASE opens "
            "(the values are not shown)"
        )
    return key


def _deploy(client: ChainClient, admin: str | None) -> Deployment:
    """Deploy with ``admin`` as the registry admin, or the chain's default admin.

    Raises:
        LedgerError: no admin given on a chain without a default, or the deployment failed.
    """
    from eth_account import Account

    from ledger.chain.deployment import deploy_contracts
    from ledger.errors import ChainError

    if admin is None:
        default = client.default_admin_key()
        if default is None:
            raise ChainError(
                f"chain {client.chain_id} is not a local dev chain: name the registry admin "
                "with --admin ADDRESS (or LEDGER_ADMIN_ADDRESS), e.g. a Safe multisig"
            )
        admin = Account.from_key(default).address
    return deploy_contracts(client, admin=admin)


def _report(deployment: Deployment, out: Path) -> None:
    deployment.write(out)
    for name, contract in deployment.contracts.items():
        typer.echo(f"{name:18} {contract.address}  (block {contract.block_number})")


@app.command("deploy")
def deploy(
    rpc: str = typer.Option(..., "--rpc", help=RPC_HELP, envvar="LEDGER_RPC_URL"),
    admin: str | None = typer.Option(
        None, "--admin", envvar="LEDGER_ADMIN_ADDRESS", help=ADMIN_HELP
    ),
    out: Path = typer.Option(Path("deployment.json"), "--out", help="Deployment JSON to write"),
) -> None:
    """Deploy AttesterRegistry, ProvenanceAnchor and CredentialStatus to an existing node.

    The anchoring key (the only anchorer, never the admin) comes from LEDGER_ANCHOR_KEY, or
    LEDGER_ANCHOR_KEYFILE with LEDGER_ANCHOR_PASSPHRASE; on a local dev chain (anvil, chain id
    31337) anvil's first account is used when none is set.
    """
    from ledger.chain.client import ChainClient
    from ledger.chain.contracts import RegistryContract
    from ledger.errors import LedgerError

    try:
        client = ChainClient.connect(rpc, _anchor_key())
        deployment = _deploy(client, admin)
        owner = RegistryContract.of(client, deployment).owner()
    except LedgerError as exc:
        fail(exc.detail, code=1)
    _report(deployment, out)
    typer.echo(f"registry admin {owner}; anchorer {client.address}")
    typer.echo(f"chain {deployment.chain_id}: wrote {out}")


@app.command("up")
def up(
    port: int = typer.Option(8545, "--port"),
    out: Path = typer.Option(Path("deployment.json"), "--out", help="Deployment JSON to write"),
    block_time: float | None = typer.Option(
        None, "--block-time", help="Seconds per block (default: mine on demand)"
    ),
    admin: str | None = typer.Option(
        None, "--admin", envvar="LEDGER_ADMIN_ADDRESS", help=ADMIN_HELP
    ),
) -> None:
    """Start anvil on 127.0.0.1 (with --prune-history), deploy, write the deployment JSON,
    and keep the node running until interrupted."""
    from ledger.chain.anvil import Anvil
    from ledger.chain.client import ChainClient
    from ledger.chain.contracts import RegistryContract
    from ledger.errors import LedgerError

    node = Anvil(port, block_time=block_time)
    try:
        node.start()
        client = ChainClient.connect(node.url, _anchor_key())
        deployment = _deploy(client, admin)
        owner = RegistryContract.of(client, deployment).owner()
    except LedgerError as exc:
        node.stop()
        fail(exc.detail, code=1)
    _report(deployment, out)
    typer.echo(f"registry admin {owner}; anchorer {client.address}")
    typer.echo(f"anvil on {node.url} (chain {deployment.chain_id}); deployment written to {out}")
    typer.echo(f"serve against it: ledger serve --rpc {node.url}    (Ctrl-C stops the node)")
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    while not stopped.wait(0.5):
        if node.process is None or node.process.poll() is not None:
            fail("anvil exited", code=1)
    node.stop()
    if os.environ.get("LEDGER_DEBUG"):
        typer.echo("anvil stopped")


@app.command("check")
def check(
    db: str | None = typer.Option(
        None, "--db", help="Database URL or SQLite path (default: DATABASE_URL)"
    ),
    rpc: str = typer.Option(..., "--rpc", help=RPC_HELP, envvar="LEDGER_RPC_URL"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
) -> None:
    """Compare every anchored batch and every record's proof in the database with the chain.

    Prints each difference; exits 0 only when everything agrees, 1 when something differs,
    2 when the check could not run (no such database, chain unreachable). Writes nothing.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from api.settings import Settings
    from ledger.chain.client import ChainClient
    from ledger.chain.contracts import AnchorContract
    from ledger.consistency import bound_deployment, check_consistency
    from ledger.errors import LedgerError
    from ledger.store.db import make_engine

    url = db or Settings().database_url
    url = url if "://" in url else f"sqlite:///{url}"  # a bare path, as `ledger worker` takes
    _refuse_missing_sqlite(url)
    engine = make_engine(url)
    try:
        client = ChainClient.reader(rpc)
        deployment = bound_deployment(engine)
        anchor = AnchorContract.of(client, deployment)
        report = check_consistency(engine, anchor, deployment)
    except LedgerError as exc:
        shown_rpc = ", ".join(shown_url(u.strip()) for u in rpc.split(","))
        fail(f"cannot check {shown_url(url)} against {shown_rpc}: {exc.detail}")
    except SQLAlchemyError as exc:
        fail(f"cannot read {shown_url(url)}: {type(exc).__name__}")
    finally:
        engine.dispose()
    if as_json:
        print_json(report.to_dict())
    else:
        _print_report(report)
    raise typer.Exit(0 if report.ok else 1)


def _refuse_missing_sqlite(url: str) -> None:
    """SQLite would create an empty database; a check of a mistyped path must not."""
    if url.startswith("sqlite") and "///" in url:
        path = url.split("///", 1)[1]
        if path and path != ":memory:" and not Path(path).is_file():
            fail(f"no database at {path}")


def _print_report(report: ConsistencyReport) -> None:
    summary = (
        f"checked {report.batches_checked} anchored batches, {report.records_checked} records, "
        f"{report.events_seen} Anchored events"
    )
    if report.ok:
        typer.echo(f"{summary}: database and chain agree")
        return
    typer.echo(f"{summary}: {len(report.differences)} differences")
    typer.echo(f"{'difference':22} {'batch':>7}  {'record':18} detail")
    for d in report.differences:
        batch = "" if d.batch_id is None else str(d.batch_id)
        record = "" if d.record_id is None else d.record_id[:16] + "…"
        typer.echo(f"{d.code:22} {batch:>7}  {record:18} {d.detail}")
