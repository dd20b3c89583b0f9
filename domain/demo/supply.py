"""Demo extension: two brands and their supplier graphs, four tiers deep.

Nordwear (a retail brand) buys knitwear from Dhaka, which buys fabric from a Gazipur mill,
which buys yarn from Tiruppur and dyeing from Denizli; Nordwear's footwear order with Binh
Duong is not confirmed by the supplier yet. Voltline (an electronics brand) buys PCB
assemblies from Penang. The Gazipur mill registered itself and has no evidence at all: no
audit, no payroll, no credentialed workers; the trace names each gap.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.service import Ledger

from .keys import DemoKeys

__all__ = ["DEMO_BRANDS", "seed_demo_supply"]

DEMO_BRANDS: dict[str, dict[str, Any]] = {
    "brand-nordwear": {
        "id": "brand-nordwear", "name": "Nordwear AB", "country": "SE",
        "address": "Sveavägen 44, 111 34 Stockholm", "sector": "retail",
    },
    "brand-voltline": {
        "id": "brand-voltline", "name": "Voltline Electronics GmbH", "country": "DE",
        "address": "Hansaring 61, 50670 Köln", "sector": "brand",
    },
}  # fmt: skip
_GAZIPUR = {
    "id": "fac-bd-gazipur-fabric-06", "name": "Gazipur Knit Fabrics Ltd", "country": "BD",
    "address": "Konabari, Gazipur 1700", "sector": "textiles", "productType": "knitted fabric",
    "processingType": "knitting", "workerCount": 850,
}  # fmt: skip
# (buyer, supplier, product, purchase order, confirmed by the supplier)
_LINKS = (
    ("brand-nordwear", "fac-bd-dhaka-knit-01", "cotton jersey T-shirts", "NW-PO-2026-118", True),
    ("brand-nordwear", "fac-vn-binhduong-shoe-02", "canvas trainers", "NW-PO-2026-131", False),
    ("fac-bd-dhaka-knit-01", "fac-bd-gazipur-fabric-06", "single jersey fabric", None, True),
    ("fac-bd-gazipur-fabric-06", "fac-in-tiruppur-spin-04", "combed cotton yarn 30s", None, True),
    ("fac-bd-gazipur-fabric-06", "fac-tr-denizli-dye-05", "reactive dyeing", None, True),
    ("brand-voltline", "fac-my-penang-pcb-03", "PCB assemblies VL-200", "VL-PO-7781", True),
)  # fmt: skip


def seed_demo_supply(ledger: Ledger, keys: DemoKeys) -> str:
    """Brands and the Gazipur mill register, then every link, then the confirmations."""
    created = keys.signing_time()

    def submit(kind: str, payload: dict[str, Any], key: SigningKey, at: datetime) -> str:
        envelope = sign_envelope(kind, payload, key, created=at)
        return ledger.submit(envelope.to_dict()).record_id

    for brand, profile in DEMO_BRANDS.items():
        submit("facility", {"schema": "facility/v1", "facility": profile},
               keys.brands[brand], created)  # fmt: skip
    submit("facility", {"schema": "facility/v1", "facility": _GAZIPUR},
           keys.employers[str(_GAZIPUR["id"])], created)  # fmt: skip
    confirmed = 0
    for buyer, supplier, product, order, confirm in _LINKS:
        payload: dict[str, Any] = {
            "schema": "supply-link/v1", "buyer": buyer, "supplier": supplier,
            "product": product, "period": {"from": "2026-01-01", "to": "2026-12-31"},
        }  # fmt: skip
        if order is not None:
            payload["purchaseOrder"] = order
        signer = keys.brands.get(buyer) or keys.employers[buyer]
        link = submit("supply-link", payload, signer, created)
        if confirm:
            answer = {"schema": "supply-confirm/v1", "link": link, "supplier": supplier}
            submit("supply-confirm", answer, keys.employers[supplier], created)
            confirmed += 1
    return (
        f"{len(DEMO_BRANDS)} brands, {len(_LINKS)} supply links "
        f"({len(_LINKS) - confirmed} unconfirmed) down 4 tiers"
    )
