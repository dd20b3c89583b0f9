"""Builders for the supply kinds (real keys, real signatures)."""

from __future__ import annotations

import time
from typing import Any

from ledger.chain.contracts import facility_scope
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.timeutil import utcnow
from tests.domain.wages.builders import FACILITY, employer_of

__all__ = [
    "BRAND",
    "FACILITY",
    "SUPPLIER",
    "brand_of",
    "confirmation",
    "employer_of",
    "facility_record",
    "profile",
    "supply_link",
]

BRAND = "brand-nordwear"
SUPPLIER = "fac-my-johor-resin-02"


def brand_of(ledger: Ledger, brand: str = BRAND) -> SigningKey:
    """A brand key accredited, and scoped on chain to the brand's own id (as
    :func:`employer_of` waits past the grant's block time)."""
    key = SigningKey.generate()
    ledger.accredit(key.did, Role.BRAND)
    granted = ledger.grant_scope(key.did, Role.BRAND, facility_scope(brand), facility=brand)
    time.sleep(max(0.0, (granted - utcnow()).total_seconds() + 0.05))
    return key


def profile(facility: str = FACILITY, **changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "id": facility,
        "oshId": "MY2020123ABCDEF",
        "name": "Penang PCB Assembly Sdn Bhd, Plant 3",
        "country": "MY",
        "address": "Plot 12, Bayan Lepas Free Industrial Zone, 11900 Penang",
        "sector": "electronics",
        "productType": "printed circuit boards",
        "processingType": "assembly",
        "workerCount": 1200,
    }
    value.update(changes)
    return {k: v for k, v in value.items() if v is not None}


def facility_record(key: SigningKey, facility: dict[str, Any]) -> dict[str, Any]:
    return sign_envelope("facility", {"schema": "facility/v1", "facility": facility}, key).to_dict()


def supply_link(
    key: SigningKey, buyer: str, supplier: str = FACILITY, **changes: Any
) -> dict[str, Any]:
    payload = {
        "schema": "supply-link/v1",
        "buyer": buyer,
        "supplier": supplier,
        "product": "PCB assemblies, model NW-7",
        "period": {"from": "2026-01-01", "to": "2026-12-31"},
        "purchaseOrder": "PO-2026-0042",
        **changes,
    }
    return sign_envelope("supply-link", payload, key).to_dict()


def confirmation(key: SigningKey, link: str, supplier: str = FACILITY) -> dict[str, Any]:
    payload = {"schema": "supply-confirm/v1", "link": link, "supplier": supplier}
    return sign_envelope("supply-confirm", payload, key).to_dict()
