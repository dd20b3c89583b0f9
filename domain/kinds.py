"""The one list of record kinds this application accepts.

Adding a kind means writing its handler in its domain package and adding it here; nothing
in ``ledger/`` changes. Codes are what batches are anchored with on chain (``uint8``): never
reuse one.
"""

from __future__ import annotations

from ledger.kinds import KindHandler, KindRegistry

from .audits import AuditHandler
from .audits.external_handler import ExternalConformityHandler
from .scores import ScoreHandler, TypologyHandler
from .supply import FacilityHandler, SupplyConfirmHandler, SupplyLinkHandler
from .wages.handlers import WageAckHandler, WageLineHandler
from .workers import (
    CheckinHandler,
    CredentialHandler,
    CredentialStatusHandler,
    StatusListHandler,
)

__all__ = ["KINDS", "kind_registry"]

KINDS: tuple[type[KindHandler], ...] = (
    AuditHandler,  # 1
    WageLineHandler,  # 2
    CheckinHandler,  # 3
    SupplyLinkHandler,  # 4
    CredentialStatusHandler,  # 5
    ScoreHandler,  # 6
    CredentialHandler,  # 7
    WageAckHandler,  # 8
    FacilityHandler,  # 9
    SupplyConfirmHandler,  # 10
    TypologyHandler,  # 11
    StatusListHandler,  # 12
    ExternalConformityHandler,  # 13
)


def kind_registry() -> KindRegistry:
    """A registry with a fresh handler of every kind."""
    return KindRegistry(kind() for kind in KINDS)
