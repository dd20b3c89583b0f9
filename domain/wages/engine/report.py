"""What the engine returns: violations, caveats, per-line and per-run reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ..schema import RunRef
from .money import fmt

__all__ = ["RULE_IDS", "Caveat", "LineReport", "RuleId", "RunReport", "RunTotals", "Violation"]


class RuleId(StrEnum):
    """The rule ids: an interface outside tools rely on (never rename one)."""

    MINIMUM_WAGE = "minimum-wage"
    OVERTIME_PREMIUM = "overtime-premium"
    HOURS_CAP = "hours-cap"
    REST_DAY = "rest-day"
    LATE_PAYMENT = "late-payment"
    RECRUITMENT_FEE = "recruitment-fee"
    UNRECORDED_DAMAGE = "unrecorded-damage"
    ARITHMETIC = "arithmetic"
    NEGATIVE_NET = "negative-net"


RULE_IDS: tuple[str, ...] = tuple(rule.value for rule in RuleId)


@dataclass(frozen=True)
class Violation:
    """One broken rule on one line.

    ``figures`` are the figures that break it, as plain decimal strings (``{"hourly":
    "6.50", "minimum": "7.21", "hours": "208"}``); a few carry a word that says which limit
    (``"limit": "total"``).
    """

    rule: str
    line: int
    worker: str
    detail: str
    figures: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The violation as one flat object: ``line, worker, rule, detail`` and its figures."""
        return {
            "line": self.line,
            "worker": self.worker,
            "rule": self.rule,
            "detail": self.detail,
            **self.figures,
        }


@dataclass(frozen=True)
class Caveat:
    """What the engine could not check (``checked`` False), or checked with a reservation:
    a figure not confirmed, rules that may be out of date, a rate the line cannot show."""

    rule: str
    checked: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "checked": self.checked, "detail": self.detail}


@dataclass(frozen=True)
class LineReport:
    line: int
    worker: str
    violations: tuple[Violation, ...]
    caveats: tuple[Caveat, ...]

    @property
    def compliant(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class RunTotals:
    """Run-level facts: sums over every line."""

    workers: int
    gross: Decimal
    deductions: Decimal
    net: Decimal
    ordinary_hours: Decimal
    overtime_hours: Decimal
    rest_day_hours: Decimal
    first_paid: date
    last_paid: date

    def to_dict(self) -> dict[str, Any]:
        return {
            "workers": self.workers,
            "gross": fmt(self.gross),
            "deductions": fmt(self.deductions),
            "net": fmt(self.net),
            "ordinaryHours": fmt(self.ordinary_hours),
            "overtimeHours": fmt(self.overtime_hours),
            "restDayHours": fmt(self.rest_day_hours),
            "firstPaid": self.first_paid.isoformat(),
            "lastPaid": self.last_paid.isoformat(),
        }


@dataclass(frozen=True)
class RunReport:
    """Every line's result and the run's facts, under one rules version."""

    run: RunRef
    rules_version: str
    jurisdiction: str
    lines: tuple[LineReport, ...]
    totals: RunTotals
    caveats: tuple[Caveat, ...]

    @property
    def violations(self) -> tuple[Violation, ...]:
        return tuple(v for report in self.lines for v in report.violations)

    @property
    def by_rule(self) -> dict[str, int]:
        """Violations per rule id, every rule listed (0 where none)."""
        counts = Counter(v.rule for v in self.violations)
        return {rule: counts.get(rule, 0) for rule in RULE_IDS}

    @property
    def compliant_lines(self) -> int:
        return sum(1 for report in self.lines if report.compliant)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run.model_dump(mode="json", by_alias=True, exclude_none=True),
            "rulesVersion": self.rules_version,
            "jurisdiction": self.jurisdiction,
            "lines": len(self.lines),
            "compliantLines": self.compliant_lines,
            "byRule": self.by_rule,
            "totals": self.totals.to_dict(),
            "violations": [v.to_dict() for v in self.violations],
            "caveats": [c.to_dict() for c in self.caveats],
        }
