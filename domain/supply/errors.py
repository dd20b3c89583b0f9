"""Errors of the supply domain, each with its own problem ``code``.

InvalidRecord                       (ledger.errors)
└── SelfLink               supply_link_to_self   a link whose buyer is its supplier
Forbidden                           (ledger.errors)
└── NotTheSupplier         not_the_supplier      a confirmation naming another supplier
NotFound                            (ledger.errors)
├── FacilityUnknown        facility_unknown      (.facility) no such facility (nor alias)
└── SupplyLinkUnknown      supply_link_unknown   (.link) no such supply link
Conflict                            (ledger.errors)
├── AlreadyConfirmed       already_confirmed     (.link, .confirmation)
├── FacilityMerged         facility_merged       (.facility, .into) the id is an alias now
└── MergeRefused           merge_refused         (.alias) an alias that cannot be merged
"""

from __future__ import annotations

from ledger.errors import Conflict, Forbidden, InvalidRecord, NotFound

__all__ = [
    "AlreadyConfirmed",
    "BrandUnknown",
    "FacilityMerged",
    "FacilityUnknown",
    "MergeRefused",
    "NotTheSupplier",
    "SelfLink",
    "SupplyLinkUnknown",
]


class SelfLink(InvalidRecord):
    code = "supply_link_to_self"
    title = "A facility cannot supply itself"


class NotTheSupplier(Forbidden):
    code = "not_the_supplier"
    title = "Not the link's supplier"


class FacilityUnknown(NotFound):
    code = "facility_unknown"
    title = "Unknown facility"


class BrandUnknown(NotFound):
    code = "brand_unknown"
    title = "Unknown brand"


class SupplyLinkUnknown(NotFound):
    code = "supply_link_unknown"
    title = "Unknown supply link"


class AlreadyConfirmed(Conflict):
    code = "already_confirmed"
    title = "Supply link already confirmed"


class FacilityMerged(Conflict):
    code = "facility_merged"
    title = "Facility merged into another"


class MergeRefused(Conflict):
    code = "merge_refused"
    title = "Merge refused"
