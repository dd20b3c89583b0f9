"""Where the contracts live on a chain, deploying them there, and checking a deployment
someone else made before binding to it.

Who holds what (see README "Who can do what"): the registry's admin (a Safe multisig in
production) is named at deployment and owns the registry from its constructor on; the
deploying client's account (the operator's hot key) is the only anchorer and never the admin.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.exceptions import Web3Exception

from ..errors import ChainError, ChainUnavailable, DeploymentMissing
from ..types import Address
from .abi import CONTRACT_NAMES
from .client import ChainClient

__all__ = [
    "CONTRACT_VERSIONS",
    "ContractDeployment",
    "Deployment",
    "deploy_contracts",
    "verify_deployment",
]

# The version() each contract this code speaks to reports; an older deployment has other ABIs.
CONTRACT_VERSIONS = {
    "AttesterRegistry": "2.1.0",
    "ProvenanceAnchor": "1.0.0",
    "CredentialStatus": "2.0.0",
}


@dataclass(frozen=True)
class ContractDeployment:
    address: Address
    block_number: int


@dataclass(frozen=True)
class Deployment:
    """The deployment JSON.

    ``{"chainId", "genesisHash", "contracts": {name: {"address", "blockNumber"}}}``
    """

    chain_id: int
    genesis_hash: str
    contracts: dict[str, ContractDeployment]

    def address(self, name: str) -> Address:
        try:
            return self.contracts[name].address
        except KeyError:
            raise DeploymentMissing(
                f"{name} is not in the deployment for chain {self.chain_id}"
            ) from None

    @property
    def first_block(self) -> int:
        return min(c.block_number for c in self.contracts.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "chainId": self.chain_id,
            "genesisHash": self.genesis_hash,
            "contracts": {
                name: {"address": c.address, "blockNumber": c.block_number}
                for name, c in self.contracts.items()
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Deployment:
        return cls(
            chain_id=int(data["chainId"]),
            genesis_hash=str(data.get("genesisHash", "")),
            contracts={
                name: ContractDeployment(Address(c["address"]), int(c["blockNumber"]))
                for name, c in data["contracts"].items()
            },
        )

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Deployment:
        """The deployment JSON at ``path``.

        Raises:
            DeploymentMissing: the file is missing, not JSON, or not a deployment.
        """
        try:
            return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DeploymentMissing(f"cannot read the deployment file {path}: {exc!r}") from None

    def is_live_on(self, client: ChainClient) -> bool:
        """The chain is the one deployed to, and every contract still has code there."""
        if client.chain_id != self.chain_id:
            return False
        if self.genesis_hash and client.genesis_hash != self.genesis_hash:
            return False
        return all(client.has_code(c.address) for c in self.contracts.values())


def deploy_contracts(client: ChainClient, *, admin: str) -> Deployment:
    """Deploy AttesterRegistry, ProvenanceAnchor and CredentialStatus.

    ``admin`` owns the registry from its constructor on and the client's account is its only
    anchorer, so the anchoring account never holds the admin role, not even for a block.

    Raises:
        ChainError: ``admin`` is not an address, or is the anchoring account itself.
    """
    if not Web3.is_address(admin):
        raise ChainError(f"the registry admin {admin!r} is not an address")
    admin = Address(Web3.to_checksum_address(admin))
    if admin == client.address:
        raise ChainError(
            f"the registry admin must not be the anchoring account {admin}: "
            "name another account (a Safe multisig in production)"
        )
    registry, registry_block = client.deploy("AttesterRegistry", admin, [client.address])
    anchor, anchor_block = client.deploy("ProvenanceAnchor", registry)
    status, status_block = client.deploy("CredentialStatus", registry)
    deployed = {
        "AttesterRegistry": ContractDeployment(registry, registry_block),
        "ProvenanceAnchor": ContractDeployment(anchor, anchor_block),
        "CredentialStatus": ContractDeployment(status, status_block),
    }
    assert tuple(deployed) == CONTRACT_NAMES
    return Deployment(client.chain_id, client.genesis_hash, deployed)


def verify_deployment(client: ChainClient, deployment: Deployment) -> None:
    """Check a deployment made elsewhere before binding a database to it: it is live on the
    connected chain, holds our three contracts at the versions this code speaks, the anchor and
    the status list use its registry, the client's account is one of its anchorers, and no
    batch was anchored there yet.

    Raises:
        DeploymentMissing: another chain, no code, a contract missing, the wrong version or
            wiring, or batches anchored there already (by another database).
        ChainError: the client's account is not an anchorer (the admin must add it).
    """
    if not deployment.is_live_on(client):
        raise DeploymentMissing(
            f"the deployment for chain {deployment.chain_id} is not live on the connected "
            f"chain {client.chain_id} (another chain, another genesis, or no code there)"
        )
    registry = deployment.address("AttesterRegistry")
    for name in CONTRACT_NAMES:
        contract = client.contract(name, deployment.address(name))
        try:
            version = str(client.call(contract.functions.version()))
            wired = name == "AttesterRegistry" or (
                Address(Web3.to_checksum_address(client.call(contract.functions.registry())))
                == registry
            )
        except ChainUnavailable:
            raise
        except (ChainError, Web3Exception) as exc:
            raise DeploymentMissing(
                f"{name} at {contract.address} does not answer as ours: {exc}"
            ) from None
        if version != CONTRACT_VERSIONS[name]:
            raise DeploymentMissing(
                f"{name} at {contract.address} is version {version}; this ledger needs "
                f"{CONTRACT_VERSIONS[name]}: deploy afresh (`ledger chain deploy`)"
            )
        if not wired:
            raise DeploymentMissing(f"{name} at {contract.address} uses another registry")
    registry_contract = client.contract("AttesterRegistry", registry)
    if not client.call(registry_contract.functions.isAnchorer(client.address)):
        raise ChainError(
            f"the anchoring account {client.address} is not an anchorer of the registry at "
            f"{registry}; the registry admin must add it (addAnchorer) first"
        )
    # Batch ids must increase on chain and a database numbers its own from 1: a deployment
    # another database has anchored to cannot take a second history.
    anchor = client.contract("ProvenanceAnchor", deployment.address("ProvenanceAnchor"))
    last = int(client.call(anchor.functions.lastBatchId()))
    if last:
        raise DeploymentMissing(
            f"the ProvenanceAnchor at {anchor.address} already holds batches (up to {last}) "
            "anchored from another database; bind the database they came from, or deploy afresh"
        )
