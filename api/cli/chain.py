"""``ledger chain``: a local devnet and deployments."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import typer

from .common import fail

app = typer.Typer(help="Start a local anvil devnet; deploy the contracts.", no_args_is_help=True)


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


@app.command("deploy")
def deploy(
    rpc: str = typer.Option(..., "--rpc", help="RPC URL of the node", envvar="LEDGER_RPC_URL"),
    out: Path = typer.Option(Path("deployment.json"), "--out", help="Deployment JSON to write"),
) -> None:
    """Deploy AttesterRegistry, ProvenanceAnchor and CredentialStatus to an existing node.

    The anchoring key comes from LEDGER_ANCHOR_KEY, or LEDGER_ANCHOR_KEYFILE with
    LEDGER_ANCHOR_PASSPHRASE;
    on a local dev chain (anvil, chain id 31337) anvil's first account is used when none is set.
    """
    from ledger.chain.client import ChainClient
    from ledger.chain.deployment import deploy_contracts
    from ledger.errors import LedgerError

    try:
        deployment = deploy_contracts(ChainClient.connect(rpc, _anchor_key()))
    except LedgerError as exc:
        fail(exc.detail, code=1)
    deployment.write(out)
    for name, contract in deployment.contracts.items():
        typer.echo(f"{name:18} {contract.address}  (block {contract.block_number})")
    typer.echo(f"chain {deployment.chain_id}: wrote {out}")


@app.command("up")
def up(
    port: int = typer.Option(8545, "--port"),
    out: Path = typer.Option(Path("deployment.json"), "--out", help="Deployment JSON to write"),
    block_time: float | None = typer.Option(
        None, "--block-time", help="Seconds per block (default: mine on demand)"
    ),
) -> None:
    """Start anvil on 127.0.0.1 (with --prune-history), deploy, write the deployment JSON,
    and keep the node running until interrupted."""
    from ledger.chain.anvil import Anvil
    from ledger.chain.client import ChainClient
    from ledger.chain.deployment import deploy_contracts
    from ledger.errors import LedgerError

    node = Anvil(port, block_time=block_time)
    try:
        node.start()
        deployment = deploy_contracts(ChainClient.connect(node.url, _anchor_key()))
    except LedgerError as exc:
        node.stop()
        fail(exc.detail, code=1)
    deployment.write(out)
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
