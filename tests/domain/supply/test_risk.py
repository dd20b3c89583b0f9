"""A trace node's risk level: the worst signal sets it, missing evidence never lowers it,
and every reason is named."""

from __future__ import annotations

from typing import Any

import pytest

from domain.supply.risk import Risk, risk_of
from domain.supply.trace import TraceNode


def node(missing: list[str] | None = None, **evidence: Any) -> TraceNode:
    found: dict[str, Any] = {"audit": None, "wages": None, "idPossession": None,
                             "coercionFlags": 0} | evidence  # fmt: skip
    return TraceNode(facility="fac-x-1", tier=1, name=None, country=None, suppliers=[],
                     links=[], evidence=found, missing=missing or [], records=[])  # fmt: skip


def audit(by_indicator: dict[str, int] | None = None, zero_tolerance: int = 0) -> dict[str, Any]:
    return {"openFindingsByIndicator": by_indicator or {}, "openZeroTolerance": zero_tolerance}


def wages(rate: float) -> dict[str, Any]:
    return {"complianceRate": rate}


def held(rate: float | None) -> dict[str, Any]:
    return {"rate": rate}


CLEAN = {"audit": audit(), "wages": wages(1.0), "idPossession": held(0.95)}


@pytest.mark.parametrize(
    ("evidence", "missing", "expected"),
    [
        (CLEAN, [], Risk("low", ())),
        (CLEAN | {"audit": audit({"deception": 1}, zero_tolerance=1)}, [],
         Risk("high", ("open_zero_tolerance", "open_findings"))),
        (CLEAN | {"audit": audit({"debt-bondage": 1})}, [], Risk("high", ("open_capping_finding",))),
        (CLEAN | {"audit": audit({"excessive-overtime": 2})}, [], Risk("medium", ("open_findings",))),
        (CLEAN | {"coercionFlags": 1}, [], Risk("high", ("coercion_flags",))),
        (CLEAN | {"wages": wages(0.5)}, [], Risk("high", ("wage_violations",))),
        (CLEAN | {"wages": wages(0.95)}, [], Risk("medium", ("wage_violations",))),
        (CLEAN | {"idPossession": held(0.5)}, [], Risk("medium", ("low_id_possession",))),
        (CLEAN | {"idPossession": held(None)}, [], Risk("low", ())),
        # Missing evidence is the worst case for an audit, a concern for the rest.
        ({}, ["no_audit", "no_wage_records", "no_credentialed_workers"],
         Risk("high", ("no_audit", "no_wage_records", "no_credentialed_workers"))),
        (CLEAN | {"audit": None}, ["audit_expired"], Risk("high", ("audit_expired",))),
        (CLEAN, ["unconfirmed_link"], Risk("medium", ("unconfirmed_link",))),
    ],
)  # fmt: skip
def test_the_worst_signal_sets_the_level(
    evidence: dict[str, Any], missing: list[str], expected: Risk
) -> None:
    assert risk_of(node(missing, **evidence)) == expected


def test_a_brand_with_nothing_owed_is_low() -> None:
    assert risk_of(node()).level == "low"
