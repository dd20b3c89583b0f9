"""What records mean: one package per domain (audits, workers; wages, supply and scores to
come), each holding its kinds' schemas, rules and views, and the demo seed.

Layers, top to bottom (an import-linter contract enforces them): ``api`` → ``domain`` →
``credentials`` → ``ledger``.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlmodel import SQLModel

from ledger.chain.client import ChainClient
from ledger.service import Ledger, LedgerConfig

from .kinds import KINDS, kind_registry

__all__ = ["KINDS", "kind_registry", "open_ledger", "table_metadata"]


def open_ledger(config: LedgerConfig, *, client: ChainClient | None = None) -> Ledger:
    """A ledger that accepts every kind of :data:`KINDS`."""
    return Ledger.open(config, kind_registry(), client=client)


def table_metadata() -> MetaData:
    """Every table: the ledger's and each domain's (their models are imported with
    :data:`KINDS`). What the migrations must build, and ``ledger db check`` compares."""
    return SQLModel.metadata
