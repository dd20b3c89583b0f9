"""``ledger chain``: a local devnet and deployments."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .common import fail

if TYPE_CHECKING:
    from ledger.chain.client import ChainClient
    from ledger.chain.deployment import Deployment

app = typer.Typer(help="Start a local anvil devnet; deploy the contracts.", no_args_is_help=True)


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
    rpc: str = typer.Option(..., "--rpc", help="RPC URL of the node", envvar="LEDGER_RPC_URL"),
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
