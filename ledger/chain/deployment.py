"""Where the contracts live on a chain, and deploying them there."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DeploymentMissing
from ..types import Address
from .abi import CONTRACT_NAMES
from .client import ChainClient

__all__ = ["ContractDeployment", "Deployment", "deploy_contracts"]


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
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def is_live_on(self, client: ChainClient) -> bool:
        """The chain is the one deployed to, and every contract still has code there."""
        if client.chain_id != self.chain_id:
            return False
        if self.genesis_hash and client.genesis_hash != self.genesis_hash:
            return False
        return all(client.has_code(c.address) for c in self.contracts.values())


def deploy_contracts(client: ChainClient) -> Deployment:
    """Deploy AttesterRegistry, ProvenanceAnchor and CredentialStatus; the client's account
    becomes the registry admin and an anchorer."""
    registry, registry_block = client.deploy("AttesterRegistry", client.address)
    anchor, anchor_block = client.deploy("ProvenanceAnchor", registry)
    status, status_block = client.deploy("CredentialStatus", registry)
    client.transact(
        client.contract("AttesterRegistry", registry).functions.addAnchorer(client.address)
    )
    deployed = {
        "AttesterRegistry": ContractDeployment(registry, registry_block),
        "ProvenanceAnchor": ContractDeployment(anchor, anchor_block),
        "CredentialStatus": ContractDeployment(status, status_block),
    }
    assert tuple(deployed) == CONTRACT_NAMES
    return Deployment(client.chain_id, client.genesis_hash, deployed)
