"""Deploy the ledger's contracts and write the deployment JSON the ledger reads.

    ape run deploy --network ethereum:local:foundry     # an anvil of its own, gone afterwards
    ape run deploy --network http://127.0.0.1:8545 --account TEST::0   # a running anvil
    SEPOLIA_RPC_URL=https://... ape run deploy --network ethereum:sepolia:node --account ALIAS

Deploys AttesterRegistry (admin: the deployer), ProvenanceAnchor and CredentialStatus on that
registry, and lists the deployer as an anchorer. Writes
``{"chainId", "genesisHash", "contracts": {name: {"address", "blockNumber"}}}`` to
``$LEDGER_DEPLOYMENT_OUT``, by default ``deployments/<network>.json``. On a local network the
first test account deploys unless ``--account`` says otherwise; elsewhere ``--account`` is
required.
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


def _deployed(contract: Any) -> dict[str, Any]:
    receipt = chain.get_receipt(contract.txn_hash)
    return {"address": contract.address, "blockNumber": receipt.block_number}


def _output_path(network: Any) -> Path:
    default = Path("deployments") / f"{network.name}.json"
    return Path(os.environ.get("LEDGER_DEPLOYMENT_OUT") or default)


@click.command(cls=ConnectedProviderCommand)
@account_option(prompt=False)
def cli(network: Any, account: Any) -> None:
    """Deploy AttesterRegistry, ProvenanceAnchor and CredentialStatus; write the deployment."""
    deployer = _deployer(account, network)
    click.echo(f"Deploying to {network.choice} (chain {chain.chain_id}) from {deployer.address}")

    registry = deployer.deploy(project.AttesterRegistry, deployer.address)
    anchor = deployer.deploy(project.ProvenanceAnchor, registry.address)
    status = deployer.deploy(project.CredentialStatus, registry.address)
    registry.addAnchorer(deployer.address, sender=deployer)

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
    click.echo(f"Wrote {out}")
