"""Compiled contracts committed with the package (exported from ``ape compile``), so
running the ledger never needs a Solidity compiler."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from eth_utils.crypto import keccak

__all__ = ["CONTRACT_NAMES", "Artifact", "error_selectors", "load_artifact"]

CONTRACT_NAMES = ("AttesterRegistry", "ProvenanceAnchor", "CredentialStatus")


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str


@cache
def load_artifact(name: str) -> Artifact:
    text = resources.files("ledger.chain.artifacts").joinpath(f"{name}.json").read_text("utf-8")
    data = json.loads(text)
    return Artifact(name=data["contractName"], abi=data["abi"], bytecode=data["bytecode"])


def _signature(item: dict[str, Any]) -> str:
    return f"{item['name']}({','.join(_canonical_type(i) for i in item['inputs'])})"


def _canonical_type(param: dict[str, Any]) -> str:
    kind: str = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in param["components"])
        return f"({inner}){kind[5:]}"
    return kind


@cache
def error_selectors() -> dict[bytes, tuple[str, tuple[str, ...]]]:
    """4-byte selector -> (error name, argument types) for every custom error we deploy."""
    table: dict[bytes, tuple[str, tuple[str, ...]]] = {}
    for name in CONTRACT_NAMES:
        for item in load_artifact(name).abi:
            if item.get("type") == "error":
                types = tuple(_canonical_type(i) for i in item["inputs"])
                table[keccak(text=_signature(item))[:4]] = (item["name"], types)
    return table
