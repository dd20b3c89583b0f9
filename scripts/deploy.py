"""Deploy the ledger's contracts and write the deployment JSON the ledger reads.

    ape run deploy --network ethereum:local:foundry     # an anvil of its own, gone afterwards
    ape run deploy --network http://127.0.0.1:8545 --account TEST::0   # a running anvil
    SEPOLIA_RPC_URL=https://... ape run deploy --network ethereum:sepolia:node --account ALIAS \
        --admin 0xSAFE

Deploys AttesterRegistry with ``--admin`` as its admin (a Safe multisig in production) and the
deployer as its only anchorer, set by the constructor: the anchoring account never holds the
admin role. Then ProvenanceAnchor and CredentialStatus on that registry. Writes
``{"chainId", "genesisHash", "contracts": {name: {"address", "blockNumber"}}}`` to
``$LEDGER_DEPLOYMENT_OUT``, by default ``deployments/<network>.json``. On a local network the
first test account deploys and the second is the admin unless ``--account`` / ``--admin``
say otherwise; elsewhere both are required.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click
from ape import chain, project
from ape.cli import ConnectedProviderCommand, account_option
from ape.utils import ManagerAccessMixin


def _deployer(account: Any, network: Any) -> Any:
    if account is not None:
        return account
    if network.is_local:
        return ManagerAccessMixin.account_manager.test_accounts[0]
    raise click.UsageError(
        f"deploying to {network.choice} needs --account ALIAS (TEST::0: a devnet's first account)"
    )


def _admin(admin: str | None, network: Any) -> str:
    if admin is not None:
        return admin
    if network.is_local:
        return str(ManagerAccessMixin.account_manager.test_accounts[1].address)
    raise click.UsageError(
        f"deploying to {network.choice} needs --admin ADDRESS (the registry admin, e.g. a Safe)"
    )


def _deployed(contract: Any) -> dict[str, Any]:
    receipt = chain.get_receipt(contract.txn_hash)
    return {"address": contract.address, "blockNumber": receipt.block_number}


def _output_path(network: Any) -> Path:
    default = Path("deployments") / f"{network.name}.json"
    return Path(os.environ.get("LEDGER_DEPLOYMENT_OUT") or default)


@click.command(cls=ConnectedProviderCommand)
@account_option(prompt=False)
@click.option("--admin", default=None, help="Registry admin address (a Safe in production)")
def cli(network: Any, account: Any, admin: str | None) -> None:
    """Deploy AttesterRegistry, ProvenanceAnchor and CredentialStatus; write the deployment."""
    deployer = _deployer(account, network)
    admin = _admin(admin, network)
    click.echo(f"Deploying to {network.choice} (chain {chain.chain_id}) from {deployer.address}")

    registry = deployer.deploy(project.AttesterRegistry, admin, [deployer.address])
    anchor = deployer.deploy(project.ProvenanceAnchor, registry.address)
    status = deployer.deploy(project.CredentialStatus, registry.address)

    deployment = {
        "chainId": int(chain.chain_id),
        "genesisHash": chain.blocks[0].hash.to_0x_hex(),
        "contracts": {
            "AttesterRegistry": _deployed(registry),
            "ProvenanceAnchor": _deployed(anchor),
            "CredentialStatus": _deployed(status),
        },
    }
    out = _output_path(network)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(deployment, indent=2) + "\n", encoding="utf-8")
    for name, entry in deployment["contracts"].items():
        click.echo(f"  {name}: {entry['address']} (block {entry['blockNumber']})")
    click.echo(f"  registry admin {registry.owner()}; anchorer {deployer.address}")
    click.echo(f"Wrote {out}")
