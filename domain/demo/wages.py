"""Demo extension: November 2026 payroll at three demo facilities, with workers' answers.

Dhaka and Binh Duong pay inside the law. Penang, whose audit found recruitment fees of up
to MYR 4,000 paid to agents, shows what the engine is for: a recruitment-fee instalment
deducted from a worker's pay (disputed by that worker from their wallet), overtime past
Malaysia's 104 hours a month, and a rate below the minimum; another worker's fees are
being repaid under the Employer Pays Principle. Workers with a demo credential are named by
their wallet's did:key; the others by salted commitments the employer computes, never a
name. Each employer is accredited and scoped to its own facility only.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.service import Ledger

from ..wages.service import Wages
from .keys import DemoKeys

__all__ = ["DemoWorker", "seed_demo_wages"]

PERIOD = ("2026-11-01", "2026-11-30")
PAID_ON = "2026-12-05"
# A wage line's weeks of November 2026 (Sun 1st .. Mon 30th): four full weeks and two days.
_FULL_WEEKS, _LAST_DAYS = 4, 2

_FACILITIES = ("fac-my-penang-pcb-03", "fac-bd-dhaka-knit-01", "fac-vn-binhduong-shoe-02")

DemoWorker = tuple[str, SigningKey]  # (facility, the worker's wallet key)


def _commitment(employer: SigningKey, number: str) -> dict[str, str]:
    """A salted commitment to an employer's own worker number (the salt stays with them)."""
    salt = hashlib.sha256(b"demo-payroll-salt:" + employer.did.encode()).digest()
    return {"commitment": hashlib.sha256(salt + number.encode()).hexdigest()}


def _line(
    worker: Mapping[str, str],
    *,
    rates: tuple[str, str, str],
    weekly: tuple[str, str],
    exponent: int,
    deductions: Mapping[str, tuple[str, str]],
    **extra: Any,
) -> dict[str, Any]:
    """A line with four full weeks of ``weekly`` (ordinary, overtime) hours and a short fifth
    week, gross and net worked out so the arithmetic holds."""
    ordinary, overtime = (Decimal(h) for h in weekly)
    last = (ordinary / 6 * _LAST_DAYS).quantize(Decimal(1))
    weeks = [{"ordinary": str(ordinary), "overtime": str(overtime), "restDay": "0"}] * _FULL_WEEKS
    weeks = [*weeks, {"ordinary": str(last), "overtime": "0", "restDay": "0"}]
    unit = Decimal(1).scaleb(-exponent)
    rate_o, rate_x, _ = (Decimal(r) for r in rates)
    gross = (rate_o * (ordinary * _FULL_WEEKS + last) + rate_x * overtime * _FULL_WEEKS).quantize(
        unit
    )
    taken = sum((Decimal(amount) for amount, _ in deductions.values()), Decimal(0))
    return {
        "worker": dict(worker),
        "rates": {"ordinary": rates[0], "overtime": rates[1], "restDay": rates[2]},
        "weeks": weeks,
        "gross": str(gross),
        "deductions": {k: {"amount": a, "reason": r} for k, (a, r) in deductions.items()},
        "net": str((gross - taken).quantize(unit)),
        "paidOn": PAID_ON,
        "method": "bank",
        "payBasis": "monthly",
        **extra,
    }


def _submit_run(
    wages: Wages,
    employer: SigningKey,
    created: datetime,
    run: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
) -> list[str]:
    ref = {"id": f"urn:uuid:{uuid.uuid4()}", **run, "lines": len(lines)}
    envelopes = [
        sign_envelope(
            "wage",
            {"schema": "wage/v1", "run": ref, "line": number, **line},
            employer,
            created=created,
        ).to_dict()
        for number, line in enumerate(lines, start=1)
    ]
    return [line.id for line in wages.submit_run(envelopes).lines]


def _ack(wages: Wages, worker: SigningKey, line: str, created: datetime, *reasons: str) -> None:
    payload: dict[str, Any] = {"schema": "wage-ack/v1", "line": line}
    payload |= (
        {"status": "disputed", "reasons": list(reasons)} if reasons else {"status": "received"}
    )
    wages.acknowledge(sign_envelope("wage-ack", payload, worker, created=created).to_dict())


def seed_demo_wages(ledger: Ledger, keys: DemoKeys, workers: Sequence[DemoWorker]) -> str:
    """Payroll runs and acknowledgements at the demo facilities (pending until anchored)."""
    wages = Wages(ledger)
    wallets: dict[str, list[SigningKey]] = {}
    for facility, key in workers:
        wallets.setdefault(facility, []).append(key)
    period = {"periodStart": PERIOD[0], "periodEnd": PERIOD[1]}

    penang, dhaka, binh_duong = (keys.employers[f] for f in _FACILITIES)
    created = keys.signing_time()
    myr = partial(_line, rates=("10.00", "15.00", "20.00"), exponent=2)
    epf = {"socialSecurity": ("22.50", "EPF and SOCSO, employee share")}
    dorm = {"accommodation": ("100.00", "dormitory, agreed in contract")}
    nepali, coerced, myanmar, newcomer = (w.did for w in wallets["fac-my-penang-pcb-03"])
    penang_lines = [
        # A recruitment-fee instalment taken from pay: the worker disputes it.
        myr({"did": nepali}, weekly=("45", "10"),
              deductions=epf | dorm | {"recruitmentFee": ("250.00", "agent fee, 4 of 16")}),
        # Overtime past 104 hours a month (Employment Act 1955 s. 60A(1)).
        myr({"did": coerced}, weekly=("45", "28"), deductions=epf | dorm),
        # Inside the law, and the agent's fee being repaid by the employer.
        myr({"did": myanmar}, weekly=("45", "8"), deductions=epf | dorm,
              feesFound="4000.00", feesRepaid="500.00"),
        myr({"did": newcomer}, weekly=("45", "6"), deductions=epf | dorm),
        # Below the MYR 1,700 a month minimum (MYR 8.72 an hour on 45 hours a week).
        _line(_commitment(penang, "PCA-0417"), weekly=("45", "4"), rates=("8.00", "12.00", "16.00"),
              exponent=2, deductions=epf),
        myr(_commitment(penang, "PCA-0418"), weekly=("45", "8"), deductions=epf),
    ]  # fmt: skip
    lines = _submit_run(wages, penang, created,
                        {"facility": "fac-my-penang-pcb-03", "country": "MY", "currency": "MYR",
                         **period}, penang_lines)  # fmt: skip
    later = created + timedelta(seconds=1)
    _ack(wages, wallets["fac-my-penang-pcb-03"][0], lines[0], later, "deduction-not-agreed")
    _ack(wages, wallets["fac-my-penang-pcb-03"][2], lines[2], later)
    _ack(wages, wallets["fac-my-penang-pcb-03"][3], lines[3], later)

    bdt = partial(_line, rates=("80.00", "160.00", "160.00"), exponent=2)
    fund = {"socialSecurity": ("300.00", "provident fund, employee share")}
    dhaka_lines = [bdt({"did": w.did}, weekly=("48", "6"), deductions=fund)
                   for w in wallets["fac-bd-dhaka-knit-01"]]  # fmt: skip
    dhaka_lines += [
        bdt(_commitment(dhaka, f"DKL-{n}"), weekly=("48", h), deductions=fund)
        for n, h in (("1180", "4"), ("1181", "8"), ("1182", "0"))
    ]
    lines = _submit_run(wages, dhaka, created,
                        {"facility": "fac-bd-dhaka-knit-01", "country": "BD", "currency": "BDT",
                         **period}, dhaka_lines)  # fmt: skip
    _ack(wages, wallets["fac-bd-dhaka-knit-01"][0], lines[0], created + timedelta(seconds=1))

    vnd = partial(_line, rates=("30000", "45000", "60000"), exponent=0)
    insurance = {"socialSecurity": ("560000", "social, health and unemployment insurance")}
    vn_lines = [
        vnd(_commitment(binh_duong, f"BDF-{n}"), weekly=("48", h), deductions=insurance)
        for n, h in (("20311", "6"), ("20312", "9"), ("20313", "3"), ("20314", "0"))
    ]
    _submit_run(wages, binh_duong, created,
                {"facility": "fac-vn-binhduong-shoe-02", "country": "VN", "area": "VN-I",
                 "currency": "VND", **period}, vn_lines)  # fmt: skip
    runs = len(penang_lines) + len(dhaka_lines) + len(vn_lines)
    return f"3 payroll runs of {runs} wage lines, 4 worker acknowledgements (1 dispute)"
