"""Demo extension: score snapshots, so lenders have a ranking to read and each facility a
history with a trend. Each buyer brand keeps a snapshot of its suppliers' scores twice: once
when only the audits are in, and again when the workers, payroll and supply links are (the
second is higher where links and wage records add points, lower where they expose gaps).
Both are taken today: admission recomputes a snapshot as of the server's day.
"""

from __future__ import annotations

from datetime import timedelta

from ledger.envelope import sign_envelope
from ledger.service import Ledger
from ledger.store.db import session_scope
from ledger.timeutil import utcnow

from ..scores import evidence_of, score
from ..scores.snapshot import snapshot_payload
from .keys import DemoKeys

__all__ = ["seed_demo_snapshots"]

# The brand that keeps each facility's snapshots (any brand may; these buy from them).
_KEPT_BY = {
    "fac-bd-dhaka-knit-01": "brand-nordwear",
    "fac-vn-binhduong-shoe-02": "brand-nordwear",
    "fac-bd-gazipur-fabric-06": "brand-nordwear",
    "fac-in-tiruppur-spin-04": "brand-nordwear",
    "fac-tr-denizli-dye-05": "brand-nordwear",
    "fac-my-penang-pcb-03": "brand-voltline",
}


def seed_demo_snapshots(ledger: Ledger, keys: DemoKeys, facilities: list[str], *, wave: int) -> int:
    """Snapshot each of ``facilities`` now, signed by the brand that buys from it. Each
    ``wave`` is dated a millisecond after the one before (the demo's records can all share
    one signing time, just after the last scope grant), so history orders waves as kept."""
    created = keys.signing_time() + timedelta(milliseconds=wave)
    for facility in facilities:
        with session_scope(ledger.engine) as session:
            evidence = evidence_of(session, facility, utcnow())
        payload = snapshot_payload(facility, evidence.as_of, score(evidence))
        signer = keys.brands[_KEPT_BY[facility]]
        envelope = sign_envelope("score", payload, signer, created=created)
        ledger.submit(envelope.to_dict())
    return len(facilities)
