"""Supply: the facility registry (signed ``facility`` records, facilities named by audits
and supply links, aliases after a merge) and supply links between facilities (``supply-link``
signed by the buyer, ``supply-confirm`` countersigned by the supplier). Public: these name
companies, never people."""

from .facility_handler import FacilityHandler
from .link_handlers import SupplyConfirmHandler, SupplyLinkHandler
from .registry import resolve_facility

__all__ = [
    "FacilityHandler",
    "SupplyConfirmHandler",
    "SupplyLinkHandler",
    "resolve_facility",
]
