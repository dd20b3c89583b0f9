"""A trace node's risk level: a coarse reading of its evidence for a brand's compliance team,
who must know where to look first. Three levels, each with the reasons that set it:

- ``high``: an open zero-tolerance finding; an open finding of
  ``retention-of-identity-documents`` or ``debt-bondage`` (the indicators that cap a score);
  coercion flags raised in the last 90 days; under 90 % of the current payroll run's lines
  compliant; or no valid audit (``no_audit``, ``audit_expired``): a workplace nobody has
  looked into is treated as the worst case, never as a clean one.
- ``medium``: any other open finding with an ILO indicator; any other missing evidence
  (``no_wage_records``, ``no_credentialed_workers``, ``unconfirmed_link``); a payroll run
  not fully compliant; fewer than 80 % of credentialed workers with a recent check-in.
- ``low``: none of the above.

Missing evidence never lowers a level (as it scores zero in the transparency score). A brand
is not a workplace: it owes no audit or payroll (the trace names no such gaps for it), so
only its own unconfirmed links can raise it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ..scores.formula import CAP_INDICATORS
from .trace import TraceNode

__all__ = ["RISK_LEVELS", "Risk", "risk_of"]

RiskLevel = Literal["high", "medium", "low"]
RISK_LEVELS: tuple[RiskLevel, ...] = ("high", "medium", "low")
WAGE_HIGH = Decimal("0.9")  # compliant-line share below which wages are a high risk
POSSESSION_MEDIUM = Decimal("0.8")  # ID-possession rate below which it is a medium risk
_UNAUDITED = ("no_audit", "audit_expired")


@dataclass(frozen=True)
class Risk:
    level: RiskLevel
    reasons: tuple[str, ...]  # why, most serious first: ids such as "open_zero_tolerance"


def risk_of(node: TraceNode) -> Risk:
    """The node's level and every reason for it (see the module docstring)."""
    high: list[str] = []
    medium: list[str] = []
    audit = node.evidence.get("audit")
    if audit is not None:
        if audit["openZeroTolerance"]:
            high.append("open_zero_tolerance")
        indicators = audit["openFindingsByIndicator"]
        if any(indicators.get(i) for i in CAP_INDICATORS):
            high.append("open_capping_finding")
        if any(n for i, n in indicators.items() if i not in CAP_INDICATORS):
            medium.append("open_findings")
    if node.evidence.get("coercionFlags"):
        high.append("coercion_flags")
    wages = node.evidence.get("wages")
    if wages is not None:
        compliance = Decimal(str(wages["complianceRate"]))
        if compliance < WAGE_HIGH:
            high.append("wage_violations")
        elif compliance < 1:
            medium.append("wage_violations")
    held = node.evidence.get("idPossession")
    if (
        held is not None
        and held["rate"] is not None
        and Decimal(str(held["rate"])) < POSSESSION_MEDIUM
    ):
        medium.append("low_id_possession")
    high += [m for m in node.missing if m in _UNAUDITED]
    medium += [m for m in node.missing if m not in _UNAUDITED]
    if high:
        return Risk("high", tuple(high + medium))
    if medium:
        return Risk("medium", tuple(medium))
    return Risk("low", ())
