"""The demo's employer and brand keys, each accredited and scoped on chain to its own
facility (or brand id) alone, granted before anything else is seeded: a record signed
before its grant's block time is outside the scope, and the embedded EVM's clock runs a
second ahead per block in a burst; the earlier the grants, the less the demo's records are
dated ahead of our clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ledger.chain.contracts import facility_scope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.timeutil import utcnow

__all__ = ["BRANDS", "EMPLOYED", "DemoKeys", "scope_demo_keys"]

# Facilities with an employer key in the demo (payroll, supply links, confirmations).
EMPLOYED = (
    "fac-my-penang-pcb-03", "fac-bd-dhaka-knit-01", "fac-vn-binhduong-shoe-02",
    "fac-bd-gazipur-fabric-06", "fac-in-tiruppur-spin-04", "fac-tr-denizli-dye-05",
)  # fmt: skip
BRANDS = ("brand-nordwear", "brand-voltline")


@dataclass(frozen=True)
class DemoKeys:
    employers: dict[str, SigningKey]
    brands: dict[str, SigningKey]
    scoped_from: datetime  # the last grant's block time

    def signing_time(self) -> datetime:
        """When to date a record signed under these scopes: now, or just after the last
        grant where the chain's clock is ahead of ours."""
        return max(utcnow(), self.scoped_from + timedelta(milliseconds=1))


def scope_demo_keys(ledger: Ledger) -> DemoKeys:
    granted: list[datetime] = []

    def key_for(role: Role, facility: str) -> SigningKey:
        key = SigningKey.generate()
        ledger.accredit(key.did, role)
        granted.append(ledger.grant_scope(key.did, role, facility_scope(facility),
                                          facility=facility))  # fmt: skip
        return key

    employers = {f: key_for(Role.EMPLOYER, f) for f in EMPLOYED}
    brands = {b: key_for(Role.BRAND, b) for b in BRANDS}
    return DemoKeys(employers, brands, max(granted))
