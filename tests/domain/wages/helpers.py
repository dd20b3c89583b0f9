"""Build payroll lines for the engine tests: consistent by default, then broken on purpose.

Gross and net are computed here with our own rounding (each component hours x rate rounded
half up to the minor unit, then summed), independently of the engine's code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.wages.payroll_csv import spread_weeks
from domain.wages.schema import WageLinePayload

RUN_ID = "urn:uuid:00000000-0000-4000-8000-000000000001"
WORKER = "ab" * 32
EXPONENTS = {"VND": 0}


def q(amount: Decimal, currency: str) -> Decimal:
    places = EXPONENTS.get(currency, 2)
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Spec:
    """A line as figures; :func:`build` makes it a consistent ``WageLinePayload``."""

    country: str
    currency: str
    start: date
    end: date
    hours: tuple[str, str, str]  # period ordinary, overtime, rest-day
    rates: tuple[str, str, str]  # ordinary, overtime, rest-day
    paid_on: date
    area: str | None = None
    pay_basis: str | None = "monthly"
    deductions: tuple[tuple[str, str], ...] = ()  # (Deductions field, amount)
    damage_record: str | None = None
    weeks: tuple[tuple[str, str, str], ...] | None = None  # explicit weeks instead of hours
    gross: str | None = None  # override the computed gross
    net: str | None = None  # override the computed net
    line: int = 1
    lines: int = 1
    worker: str = WORKER
    run_id: str = RUN_ID

    def but(self, **changes: Any) -> Spec:
        return replace(self, **changes)


def gross_of(spec: Spec) -> Decimal:
    if spec.weeks is not None:
        totals = [sum((Decimal(w[i]) for w in spec.weeks), Decimal(0)) for i in range(3)]
    else:
        totals = [Decimal(h) for h in spec.hours]
    parts = (q(h * Decimal(r), spec.currency) for h, r in zip(totals, spec.rates, strict=True))
    return sum(parts, Decimal(0))


def build(spec: Spec) -> WageLinePayload:
    gross = Decimal(spec.gross) if spec.gross is not None else gross_of(spec)
    deductions: dict[str, Any] = {}
    for name, amount in spec.deductions:
        deductions[name] = {"amount": Decimal(amount), "reason": name}
        if name == "damage" and spec.damage_record is not None:
            deductions[name]["record"] = spec.damage_record
    total = sum((Decimal(a) for _, a in spec.deductions), Decimal(0))
    net = Decimal(spec.net) if spec.net is not None else gross - total
    if spec.weeks is not None:
        weeks: Sequence[Any] = [
            {"ordinary": Decimal(o), "overtime": Decimal(t), "rest_day": Decimal(r)}
            for o, t, r in spec.weeks
        ]
    else:
        o, t, r = (Decimal(h) for h in spec.hours)
        weeks = spread_weeks(spec.start, spec.end, o, t, r)
    worker = {"did": spec.worker} if spec.worker.startswith("did:") else {"commitment": spec.worker}
    return WageLinePayload.model_validate(
        {
            "schema": "wage/v1",
            "run": {
                "id": spec.run_id,
                "facility": "fac-test-01",
                "country": spec.country,
                "area": spec.area,
                "period_start": spec.start,
                "period_end": spec.end,
                "currency": spec.currency,
                "lines": spec.lines,
            },
            "line": spec.line,
            "worker": worker,
            "rates": dict(
                zip(("ordinary", "overtime", "rest_day"), map(Decimal, spec.rates), strict=True)
            ),
            "weeks": weeks,
            "gross": gross,
            "deductions": deductions,
            "net": net,
            "paid_on": spec.paid_on,
            "method": "bank",
            "pay_basis": spec.pay_basis,
        }
    )


# One compliant monthly line per jurisdiction the rules ship (November 2026: 30 days, 26
# working days; Thailand's rules are known through 2025, so its line is November 2025).
D = date
COMPLIANT: dict[str, Spec] = {
    "MY": Spec("MY", "MYR", D(2026, 11, 1), D(2026, 11, 30), ("195", "20", "0"),
               ("9.00", "13.50", "18.00"), D(2026, 12, 5)),
    "BD": Spec("BD", "BDT", D(2026, 11, 1), D(2026, 11, 30), ("208", "20", "0"),
               ("61.00", "76.25", "76.25"), D(2026, 12, 7)),
    "VN-I": Spec("VN", "VND", D(2026, 11, 1), D(2026, 11, 30), ("208", "30", "0"),
                 ("26000", "39000", "52000"), D(2026, 12, 10), area="VN-I"),
    "IN-DL": Spec("IN", "INR", D(2025, 7, 1), D(2025, 7, 31), ("208", "10", "0"),
                  ("90.00", "180.00", "180.00"), D(2025, 8, 5), area="IN-DL"),
    "TR": Spec("TR", "TRY", D(2026, 11, 1), D(2026, 11, 30), ("195", "20", "0"),
               ("150.00", "225.00", "225.00"), D(2026, 12, 10)),
    "TH-10": Spec("TH", "THB", D(2025, 11, 1), D(2025, 11, 30), ("208", "30", "0"),
                  ("52.00", "78.00", "104.00"), D(2025, 12, 5), area="TH-10"),
}  # fmt: skip

# The hourly minimum each compliant line is judged against, the legal overtime multiplier
# the engine applies (at least ETI's 1.25), the payment deadline in days (None: no law).
MINIMUM = {"MY": "8.72", "BD": "60.10", "VN-I": "25500", "IN-DL": "88.73", "TR": "146.80",
           "TH-10": "50.00"}  # fmt: skip
OVERTIME = {"MY": "1.5", "BD": "1.25", "VN-I": "1.5", "IN-DL": "2.0", "TR": "1.5", "TH-10": "1.5"}
DEADLINE = {"MY": 7, "BD": 8, "VN-I": None, "IN-DL": 7, "TR": None, "TH-10": None}
# Ordinary hours a week the law allows where it is stricter than ETI's 48.
ORDINARY_CAP = {"MY": "45", "BD": "48", "VN-I": "48", "IN-DL": "48", "TR": "45", "TH-10": "48"}
UNIT = {"VND": Decimal(1)}


def unit(currency: str) -> Decimal:
    return UNIT.get(currency, Decimal("0.01"))
