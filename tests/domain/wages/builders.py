"""Builders for payroll runs (real keys, real signatures): one signed `wage` envelope a line."""

from __future__ import annotations

import copy
import time
import uuid
from typing import Any

from ledger.chain.contracts import facility_scope
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.timeutil import utcnow

FACILITY = "fac-my-penang-pcb-03"


def employer_of(ledger: Ledger, facility: str = FACILITY) -> SigningKey:
    """An employer key accredited, and scoped on chain, for ``facility``. Waits until the
    grant's block time has passed: the embedded EVM's clock runs ahead of ours by a second a
    block in a burst, and a line signed before the grant is outside it."""
    key = SigningKey.generate()
    ledger.accredit(key.did, Role.EMPLOYER)
    granted = ledger.grant_scope(
        key.did, Role.EMPLOYER, facility_scope(facility), facility=facility
    )
    time.sleep(max(0.0, (granted - utcnow()).total_seconds() + 0.05))
    return key


def compliant_line(worker: str) -> dict[str, Any]:
    """A Malaysian November 2026 line well inside every rule: RM 10.00 an hour ordinary,
    RM 15.00 overtime (1.5x), 40 + 4 hours a week, paid within 7 days of the period's end."""
    return {
        "worker": {"did": worker},
        "rates": {"ordinary": "10.00", "overtime": "15.00", "restDay": "20.00"},
        "weeks": [
            {"ordinary": "40", "overtime": "4", "restDay": "0"},
            {"ordinary": "40", "overtime": "4", "restDay": "0"},
            {"ordinary": "40", "overtime": "4", "restDay": "0"},
            {"ordinary": "40", "overtime": "4", "restDay": "0"},
            {"ordinary": "16", "overtime": "0", "restDay": "0"},
        ],
        "gross": "2000.00",
        "deductions": {
            "socialSecurity": {"amount": "22.50", "reason": "EPF and SOCSO, employee share"},
            "accommodation": {"amount": "100.00", "reason": "dormitory, agreed in contract"},
        },
        "net": "1877.50",
        "paidOn": "2026-12-05",
        "method": "bank",
    }


def run_ref(lines: int, **changes: Any) -> dict[str, Any]:
    ref = {
        "id": f"urn:uuid:{uuid.uuid4()}",
        "facility": FACILITY,
        "country": "MY",
        "periodStart": "2026-11-01",
        "periodEnd": "2026-11-30",
        "currency": "MYR",
        "lines": lines,
    }
    ref.update(changes)
    return ref


def payroll(
    employer: SigningKey,
    workers: list[str],
    *,
    run: dict[str, Any] | None = None,
    changes: dict[int, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """A signed run with one line per worker; ``changes`` maps a line number (1-based) to
    the members to replace in that line's payload."""
    ref = run or run_ref(len(workers))
    envelopes = []
    for number, worker in enumerate(workers, start=1):
        payload = {"schema": "wage/v1", "run": ref, "line": number, **compliant_line(worker)}
        payload.update(copy.deepcopy((changes or {}).get(number, {})))
        envelopes.append(sign_envelope("wage", payload, employer).to_dict())
    return envelopes


def ack(worker: SigningKey, line: str, status: str = "received", **changes: Any) -> dict[str, Any]:
    payload = {"schema": "wage-ack/v1", "line": line, "status": status, **changes}
    return sign_envelope("wage-ack", payload, worker).to_dict()
