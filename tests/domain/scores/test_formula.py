"""The score formula on hand-built evidence: a known answer for every component, the decay,
the cap, zero-tolerance findings, and missing evidence scoring zero (never a guess)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from domain.scores import FORMULA_VERSION, Evidence, score
from domain.scores.evidence import (
    ActionEvidence,
    AuditEvidence,
    FindingEvidence,
    LinkEvidence,
    PossessionCounts,
    WageEvidence,
)
from domain.scores.formula import CAP, WEIGHTS

AS_OF = date(2026, 12, 2)


def finding(audit: str, id: str, *indicators: str, status: str = "open",
            severity: str = "major", closed_by: tuple[str, str] | None = None) -> FindingEvidence:  # fmt: skip
    return FindingEvidence(id, indicators, severity, status, closed_by or (audit, id))


# A1 (valid until 2026-06-01) and its follow-up A2 (until 2026-06-05, 180 days ago).
A1 = AuditEvidence(
    "A1", "2025-06-02T00:00:00Z", date(2025, 6, 1), date(2026, 6, 1),
    findings=(
        finding("A1", "F1", "retention-of-identity-documents", status="closed",
                closed_by=("A2", "U1")),
        finding("A1", "F2", "excessive-overtime"),
        finding("A1", "F3", severity="minor"),  # no indicator
    ),
    actions=(
        ActionEvidence("F1", date(2025, 7, 1), None),  # closed by A2
        ActionEvidence("F2", date(2025, 8, 1), None),  # overdue
        ActionEvidence("F3", date(2027, 1, 1), None),  # not due yet
    ),
)  # fmt: skip
A2 = AuditEvidence(
    "A2", "2025-06-06T00:00:00Z", date(2025, 6, 5), date(2026, 6, 5),
    findings=(
        finding("A2", "U1", "retention-of-identity-documents", status="closed"),
        finding("A2", "U2", "withholding-of-wages"),
    ),
    actions=(ActionEvidence("U2", date(2025, 9, 1), date(2025, 8, 20)),),
)  # fmt: skip
EVIDENCE = Evidence(
    facility="fac-my-penang-01",
    as_of=AS_OF,
    links=(
        LinkEvidence("L1", "S1", "C1", "SA1"),
        LinkEvidence("L2", "S2", "C2", None),  # supplier without a valid audit
        LinkEvidence("L3", "S3", None, "SA3"),  # unconfirmed
        LinkEvidence("L4", "S4", "C4", "SA4"),
    ),
    audits=(A1, A2),
    wages=WageEvidence(
        "run-1",
        lines=8,
        compliant_lines=6,
        acknowledged=5,
        disputed=1,
        fees_found=Decimal("1000.00"),
        fees_repaid=Decimal("250.00"),
        records=("W1", "W2"),
    ),
    possession=PossessionCounts(4, 3, ("V1", "K1")),
    coercion_flags=2,
)


def values(evidence: Evidence) -> dict[str, Decimal]:
    return {c.name: c.value for c in score(evidence).components}


def test_a_known_answer_for_every_component() -> None:
    result = score(EVIDENCE)
    assert result.formula_version == FORMULA_VERSION == "2026.1"
    assert [(c.name, c.weight) for c in result.components] == list(WEIGHTS)
    assert values(EVIDENCE) == {
        "traceability": Decimal("12.50"),  # 2 of 4 links confirmed with an audited supplier
        "audit": Decimal("12.67"),  # 25 x (1 - 180/365)
        "corrective_actions": Decimal("10.00"),  # 2 of 3 due closed (F1 by A2, U2 by date)
        "forced_labour_findings": Decimal("5.00"),  # F2 and U2 open: 15 - 2 x 5
        "worker_voice": Decimal("7.50"),  # 5 x 3/4 + 5 x 6/8
        "wages": Decimal("5.00"),  # 5 x 6/8 + 5 x 250/1000
    }
    assert result.score == Decimal("52.67") and result.cap is None
    by_name = {c.name: c for c in result.components}
    assert by_name["traceability"].records == ["C1", "C4", "L1", "L2", "L3", "L4", "SA1", "SA4"]
    assert by_name["audit"].records == ["A2"]
    assert by_name["corrective_actions"].inputs == {"due": 3, "closed": 2, "overdue": 1,
                                                    "missing": []}  # fmt: skip
    assert by_name["forced_labour_findings"].inputs["byIndicator"] == {
        "excessive-overtime": 1, "withholding-of-wages": 1}  # fmt: skip
    assert by_name["worker_voice"].records == ["K1", "V1", "W1", "W2"]
    assert all(c.inputs["missing"] == [] for c in result.components)


def test_the_audit_decays_linearly_to_zero_a_year_past_validity() -> None:
    def audit_points(as_of: date) -> Decimal:
        return values(dataclasses.replace(EVIDENCE, as_of=as_of))["audit"]

    assert audit_points(date(2026, 6, 5)) == Decimal("25.00")  # its last valid day
    assert audit_points(date(2026, 6, 6)) == Decimal("24.93")  # 25 x 364/365
    assert audit_points(date(2027, 6, 5)) == Decimal("0.00")
    later = score(dataclasses.replace(EVIDENCE, as_of=date(2028, 1, 1)))
    by_name = {c.name: c for c in later.components}
    assert by_name["audit"].inputs["missing"] == ["audit_expired"]
    # Out of view: their actions and findings no longer earn points either.
    assert by_name["corrective_actions"].value == by_name["forced_labour_findings"].value == 0
    assert by_name["forced_labour_findings"].inputs["missing"] == ["no_current_audit"]


def test_an_open_id_retention_or_debt_bondage_finding_caps_the_score() -> None:
    for indicator in ("retention-of-identity-documents", "debt-bondage"):
        a3 = dataclasses.replace(A2, id="A3", findings=(finding("A3", "R1", indicator),),
                                 actions=())  # fmt: skip
        result = score(dataclasses.replace(EVIDENCE, audits=(A1, A2, a3)))
        assert result.cap == {"limit": CAP, "uncapped": Decimal("47.67"),
                              "findings": [{"record": "A3", "finding": "R1",
                                            "indicators": [indicator]}]}  # fmt: skip
        assert result.score == Decimal("40.00")
    # Closed by a later audit (A2 closed A1's F1): no cap.
    assert score(EVIDENCE).cap is None


def test_the_cap_stands_below_it_too() -> None:
    a3 = dataclasses.replace(A2, id="A3", findings=(finding("A3", "R1", "debt-bondage"),),
                             actions=())  # fmt: skip
    poor = dataclasses.replace(EVIDENCE, audits=(a3,), links=(), wages=None, possession=None)
    result = score(poor)
    assert result.cap is not None and result.score == result.cap["uncapped"] < CAP


def test_an_open_zero_tolerance_indicator_finding_takes_all_its_points() -> None:
    zero = finding("A2", "U3", "physical-and-sexual-violence", severity="zero-tolerance")
    a2 = dataclasses.replace(A2, findings=(*A2.findings, zero))
    assert values(dataclasses.replace(EVIDENCE, audits=(A1, a2)))["forced_labour_findings"] == 0


def test_no_fees_found_earns_the_fee_half_and_no_action_due_the_closure_points() -> None:
    wages = dataclasses.replace(EVIDENCE.wages, fees_found=Decimal(0), fees_repaid=Decimal(0))
    a2 = dataclasses.replace(A2, actions=())
    found = values(dataclasses.replace(EVIDENCE, wages=wages, audits=(a2,)))
    assert found["wages"] == Decimal("8.75")  # 5 x 6/8 + 5
    assert found["corrective_actions"] == Decimal("15.00")


def test_missing_evidence_scores_zero_and_says_what_is_missing() -> None:
    result = score(Evidence("fac-nothing", AS_OF, (), (), None, None, 0))
    assert result.score == 0 and result.cap is None
    missing = {c.name: c.inputs["missing"] for c in result.components}
    assert missing == {
        "traceability": ["no_supplier_links"],
        "audit": ["no_audit"],
        "corrective_actions": ["no_current_audit"],
        "forced_labour_findings": ["no_current_audit"],
        "worker_voice": ["no_credentialed_workers", "no_wage_records"],
        "wages": ["no_wage_records"],
    }
    assert all(c.value == 0 and c.records == [] for c in result.components)


def test_half_the_evidence_earns_half_the_component_never_an_average() -> None:
    only_workers = dataclasses.replace(EVIDENCE, wages=None)
    voice = next(c for c in score(only_workers).components if c.name == "worker_voice")
    assert voice.value == Decimal("3.75") and voice.inputs["missing"] == ["no_wage_records"]
