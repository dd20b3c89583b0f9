"""The benchmark's baseline contracts (not a script): PerRecordAttestation from the ledger's
artifacts (or compiled on the spot), and SchemaRegistry + EAS from the pinned npm package.

Deployment goes through :class:`ledger.chain.client.ChainClient` (prepare, broadcast, wait),
the same signing and nonce path the ledger's own contracts take.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _helpers import REPO
from eth_abi.abi import encode as abi_encode
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3.contract import Contract

from ledger.canonical import canonicalize
from ledger.chain.client import ChainClient

__all__ = [
    "EAS_SCHEMA",
    "AuditFields",
    "BaselineArtifact",
    "audit_fields",
    "deploy",
    "eas_artifacts",
    "ensure_bench_npm",
    "per_record_artifact",
]

BENCH = REPO / "bench"
EAS_PACKAGE = BENCH / "node_modules/@ethereum-attestation-service/eas-contracts"
EAS_SCHEMA = "bytes32 facilityId,bytes32 auditHash,uint8 rating,uint64 validUntil"
SEVERITY = {"minor": 1, "major": 2, "critical": 3}


@dataclass(frozen=True)
class BaselineArtifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    source: str  # where the bytecode came from, for the report


@dataclass(frozen=True)
class AuditFields:
    """What a one-record-per-transaction design puts on chain for one audit."""

    facility_id: bytes  # keccak256 of the facility id
    audit_hash: bytes  # keccak256 of the audit payload's JCS bytes
    rating: int  # highest finding severity: 0 none, 1 minor, 2 major, 3 critical
    valid_until: int  # unix seconds

    def as_args(self) -> tuple[bytes, bytes, int, int]:
        return (self.facility_id, self.audit_hash, self.rating, self.valid_until)

    def abi_encoded(self) -> bytes:
        """The EAS attestation data for :data:`EAS_SCHEMA`."""
        return abi_encode(["bytes32", "bytes32", "uint8", "uint64"], list(self.as_args()))


def audit_fields(payload: dict[str, Any]) -> AuditFields:
    until = datetime.fromisoformat(payload["validUntil"]).replace(tzinfo=UTC)
    severities = [SEVERITY.get(f.get("severity", ""), 0) for f in payload.get("findings", [])]
    return AuditFields(
        facility_id=keccak(payload["facility"]["id"].encode("utf-8")),
        audit_hash=keccak(canonicalize(payload)),
        rating=max(severities, default=0),
        valid_until=int(until.timestamp()),
    )


# -- artifacts ------------------------------------------------------------------------------


def ensure_bench_npm() -> None:
    """Install bench/package-lock.json into bench/node_modules if it is not there yet."""
    if EAS_PACKAGE.is_dir():
        return
    print("bench: installing the EAS contracts (npm ci --ignore-scripts --prefix bench) ...")
    subprocess.run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error",
         "--prefix", str(BENCH)],
        check=True,
    )  # fmt: skip


def _hardhat_artifact(relative: str) -> BaselineArtifact:
    data = json.loads((EAS_PACKAGE / "artifacts/contracts" / relative).read_text("utf-8"))
    version = json.loads((EAS_PACKAGE / "package.json").read_text("utf-8"))["version"]
    return BaselineArtifact(
        name=data["contractName"],
        abi=data["abi"],
        bytecode=data["bytecode"],
        source=f"@ethereum-attestation-service/eas-contracts {version}",
    )


def eas_artifacts() -> tuple[BaselineArtifact, BaselineArtifact]:
    """(SchemaRegistry, EAS) as published on npm."""
    ensure_bench_npm()
    return (
        _hardhat_artifact("SchemaRegistry.sol/SchemaRegistry.json"),
        _hardhat_artifact("EAS.sol/EAS.json"),
    )


def per_record_artifact() -> BaselineArtifact:
    """PerRecordAttestation: the committed artifact if exported, else compiled from source with
    the repo's solc-js shim and the settings of ape-config.yaml (0.8.28, cancun, 200 runs)."""
    exported = REPO / "ledger/chain/artifacts/PerRecordAttestation.json"
    if exported.is_file():
        data = json.loads(exported.read_text("utf-8"))
        return BaselineArtifact(
            data["contractName"], data["abi"], data["bytecode"], "ledger/chain/artifacts"
        )
    return _compile_per_record()


def _compile_per_record() -> BaselineArtifact:
    import solcx

    sources = {
        "bench/PerRecordAttestation.sol": REPO / "contracts/bench/PerRecordAttestation.sol",
        "interfaces/IPerRecordAttestation.sol": (
            REPO / "contracts/interfaces/IPerRecordAttestation.sol"
        ),
    }
    standard_input = {
        "language": "Solidity",
        "sources": {name: {"content": path.read_text("utf-8")} for name, path in sources.items()},
        "settings": {
            "optimizer": {"enabled": True, "runs": 200},
            "evmVersion": "cancun",
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }
    binary = Path(os.environ.get("SOLCX_BINARY_PATH", REPO / ".venv/solcx")) / "solc-v0.8.28"
    output = solcx.compile_standard(standard_input, solc_binary=str(binary))
    compiled = output["contracts"]["bench/PerRecordAttestation.sol"]["PerRecordAttestation"]
    return BaselineArtifact(
        "PerRecordAttestation",
        compiled["abi"],
        "0x" + compiled["evm"]["bytecode"]["object"],
        "compiled from contracts/bench (artifact not exported yet)",
    )


# -- transactions ---------------------------------------------------------------------------


def deploy(client: ChainClient, artifact: BaselineArtifact, *args: Any) -> Contract:
    """Deploy ``artifact`` with the client's account; the contract at its new address."""
    factory = client.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    # ChainClient.prepare only needs `build_transaction`, which a constructor has too.
    prepared = client.prepare(factory.constructor(*args))
    client.broadcast(prepared)
    client.wait(prepared.tx_hash)
    receipt = client.w3.eth.get_transaction_receipt(HexBytes(prepared.tx_hash))
    contract: Contract = client.w3.eth.contract(
        address=receipt["contractAddress"], abi=artifact.abi
    )
    return contract
