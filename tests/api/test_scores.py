"""A facility's transparency score through the API on a real ledger (embedded EVM; SQLite
and PostgreSQL), from real signed audits, links, wages and credentials: the cap while an
ID-retention finding is open and its lifting when a follow-up audit closes it, a facility
without evidence scoring 0 with what is missing named, and bad ids refused.

    G (audited: F1 passports, F2 overtime; wages; one credentialed worker)
    ├──> S (audited, confirms the link)
    └──(unconfirmed)──> E (a stub: no evidence at all)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.timeutil import utcnow
from tests.api.test_supply import created
from tests.credentials.worker_support import accredited, issue
from tests.domain.supply.builders import FACILITY, confirmation, employer_of, supply_link
from tests.domain.wages.builders import payroll, run_ref
from tests.ledger.helpers import EXAMPLE_AUDIT, signed_audit

G, S, E = FACILITY, "fac-in-salem-spin-12", "fac-vn-hanoi-cable-09"
RETENTION = "retention-of-identity-documents"


@dataclass
class Scored:
    auditor: SigningKey
    audit: str  # G's full audit
    supplier_audit: str
    confirmation: str
    links: dict[str, str]  # supplier -> link record id
    lines: list[str]
    employer: SigningKey  # G's


def _audit(auditor: SigningKey, facility: str, **changes: Any) -> Any:
    named = {"id": facility, "name": f"Facility {facility}", "country": "MY"}
    return signed_audit(auditor, facility=named, **changes).to_dict()


@pytest.fixture
def scored(ledger: Ledger, client: TestClient) -> Scored:
    auditor = accredited(ledger, Role.AUDITOR)
    findings = EXAMPLE_AUDIT["findings"][:2]  # F1 passports (and movement), F2 overtime
    actions = EXAMPLE_AUDIT["correctiveActions"][:1]  # F1's, due 2026-10-16
    full = _audit(auditor, G, findings=findings, correctiveActions=actions)
    audit = created(client.post("/v1/attestations", json=full))["id"]
    of_s = _audit(auditor, S, findings=[], correctiveActions=[])
    supplier_audit = created(client.post("/v1/attestations", json=of_s))["id"]
    employers = {f: employer_of(ledger, f) for f in (G, S)}
    links = {}
    for supplier in (S, E):
        body = created(client.post("/v1/supply-links", json=supply_link(employers[G], G, supplier)))
        links[supplier] = body["id"]
    signed = confirmation(employers[S], links[S], S)
    confirmed = created(client.post(f"/v1/supply-links/{links[S]}/confirm", json=signed))["id"]
    workers = [SigningKey.generate() for _ in range(2)]
    run = payroll(employers[G], [w.did for w in workers], run=run_ref(2, facility=G))
    lines = [line["id"] for line in created(client.post("/v1/wages", json={"lines": run}))["lines"]]
    issue(ledger, accredited(ledger, Role.ISSUER), workers[0], facility=G)
    return Scored(auditor, audit, supplier_audit, confirmed, links, lines, employers[G])


def score_of(client: TestClient, facility: str) -> dict[str, Any]:
    response = client.get(f"/v1/facilities/{facility}/score")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def by_name(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in body["components"]}


def test_the_score_its_components_and_the_cap(client: TestClient, scored: Scored) -> None:
    body = score_of(client, G)
    assert set(body) == {"score", "formula_version", "components", "cap", "history",
                         "externalEvidence"}  # fmt: skip
    assert body["formula_version"] == "2026.1" and body["history"] == []
    parts = by_name(body)
    assert [(c["name"], c["weight"]) for c in body["components"]] == [
        ("traceability", 25), ("audit", 25), ("corrective_actions", 15),
        ("forced_labour_findings", 15), ("worker_voice", 10), ("wages", 10),
    ]  # fmt: skip
    assert all(set(c) == {"name", "weight", "value", "inputs", "records"} for c in parts.values())
    # One of G's two links is confirmed and its supplier audited.
    assert parts["traceability"]["value"] == 12.5
    assert parts["traceability"]["records"] == sorted(
        [*scored.links.values(), scored.confirmation, scored.supplier_audit]
    )
    assert parts["audit"] == {
        "name": "audit", "weight": 25, "value": 25, "records": [scored.audit],
        "inputs": {"latest": scored.audit, "validUntil": "2027-09-16", "daysPastValidity": 0,
                   "decayDays": 365, "missing": []},
    }  # fmt: skip
    assert parts["forced_labour_findings"]["value"] == 5  # F1 and F2 open: 15 - 2 x 5
    assert parts["forced_labour_findings"]["inputs"]["byIndicator"] == {
        "excessive-overtime": 1, RETENTION: 1, "restriction-of-movement": 1,
    }  # fmt: skip
    assert parts["wages"]["records"] == sorted(scored.lines)
    voice = parts["worker_voice"]
    assert voice["value"] == 0 and voice["inputs"]["credentialedWorkers"] == 1
    assert voice["inputs"]["missing"] == []  # evidence there, and it earns nothing
    uncapped = sum(c["value"] for c in body["components"])
    assert body["cap"] == {"limit": 40, "uncapped": uncapped,
                           "findings": [{"record": scored.audit, "finding": "F1",
                                         "indicators": [RETENTION]}]}  # fmt: skip
    assert uncapped > 40 and body["score"] == 40


def test_a_follow_up_closing_the_finding_lifts_the_cap(client: TestClient, scored: Scored) -> None:
    before = score_of(client, G)
    assert by_name(before)["corrective_actions"]["inputs"]["overdue"] == 1
    follow = _audit(scored.auditor, G, auditType="follow-up", follows=scored.audit,
                    startDate="2026-10-20", endDate="2026-10-20", correctiveActions=[],
                    findings=[{"id": "U1", "clause": "ETI 1.1", "iloIndicators": [RETENTION],
                               "severity": "critical", "description": "Passports returned.",
                               "evidence": [], "status": "closed", "followsFinding": "F1"}])  # fmt: skip
    follow_up = created(client.post("/v1/attestations", json=follow))["id"]
    after = score_of(client, G)
    assert "cap" not in after
    parts = by_name(after)
    assert parts["forced_labour_findings"]["value"] == 10  # F2 alone is open
    assert parts["corrective_actions"]["value"] == 15  # F1's action: closed by the follow-up
    assert follow_up in parts["corrective_actions"]["records"]
    assert parts["audit"]["records"] == [follow_up]
    assert after["score"] == sum(c["value"] for c in after["components"]) > 40


def test_a_facility_without_evidence_scores_zero_naming_what_is_missing(
    client: TestClient, scored: Scored
) -> None:
    body = score_of(client, E)  # registered as a stub by G's link
    assert body["score"] == 0 and "cap" not in body
    for component in body["components"]:
        assert component["value"] == 0 and component["records"] == [], component
        assert component["inputs"]["missing"], component
    assert by_name(body)["audit"]["inputs"] == {"missing": ["no_audit"]}


BAD_IDS = [("fac-nobody-here", 404, "facility_unknown"), ("-bad", 422, None),
           ("x" * 65, 422, None), ("a", 422, None)]  # fmt: skip


def test_bad_ids_are_refused(client: TestClient) -> None:
    for facility, status, code in BAD_IDS:
        response = client.get(f"/v1/facilities/{facility}/score")
        assert response.status_code == status, (facility, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        if code is not None:
            assert response.json()["code"] == code


def test_the_number_of_queries_does_not_grow_with_the_graph(
    client: TestClient, ledger: Ledger, scored: Scored
) -> None:
    """Set-based: the same statements for G with 2 suppliers as with 5 (each counted on a
    second read, once the audits are parsed: a first read adds one statement per chunk of
    envelopes not parsed yet)."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    def measured() -> tuple[int, int]:
        score_of(client, G)
        statements.clear()
        event.listen(ledger.engine, "before_cursor_execute", count)
        try:
            links = by_name(score_of(client, G))["traceability"]["inputs"]["links"]
        finally:
            event.remove(ledger.engine, "before_cursor_execute", count)
        return links, len(statements)

    small = measured()
    for supplier in ("fac-in-erode-dye-13", "fac-bd-gazipur-fabric-11", "fac-cn-ningbo-14"):
        created(client.post("/v1/supply-links", json=supply_link(scored.employer, G, supplier)))
    large = measured()
    assert (small[0], large[0]) == (2, 5)
    assert small[1] > 0 and small[1] == large[1], (small, large)


def snapshot_of(client: TestClient, key: SigningKey, of: str, **changes: Any) -> Any:
    """A `score` envelope repeating what ``GET .../score`` gives now (with ``changes``)."""
    body = score_of(client, of)
    payload = {
        "schema": "score/v1", "facility": of, "formulaVersion": body["formula_version"],
        "asOf": utcnow().date().isoformat(), "score": str(body["score"]),
        "components": [{"name": c["name"], "value": str(c["value"])} for c in body["components"]],
    } | changes  # fmt: skip
    return sign_envelope("score", payload, key).to_dict()


def test_a_brand_keeps_a_snapshot_the_ledger_recomputed(
    client: TestClient, ledger: Ledger, scored: Scored
) -> None:
    brand = accredited(ledger, Role.BRAND)
    target = f"/v1/facilities/{G}/score/snapshot"
    refused = [
        (snapshot_of(client, brand, G, score="90"), "score_mismatch"),
        (snapshot_of(client, brand, G, components=[{"name": "audit", "value": "25"}]),
         "score_mismatch"),
        (snapshot_of(client, brand, G, asOf="2026-01-01"), "score_mismatch"),
        (snapshot_of(client, brand, G, formulaVersion="2025.9"), "score_mismatch"),
        (snapshot_of(client, brand, G, facility=S), "schema_violation"),  # not the path's
        (snapshot_of(client, brand, G, score="100.5"), "schema_violation"),
        (snapshot_of(client, scored.employer, G), "not_accredited"),  # not a brand key
        (confirmation(scored.employer, scored.links[S], S), "schema_violation"),  # other kind
    ]  # fmt: skip
    for envelope, code in refused:
        response = client.post(target, json=envelope)
        assert response.status_code >= 400, response.text
        assert response.json()["code"] == code, (code, response.text)
    assert score_of(client, G)["history"] == []
    kept = created(client.post(target, json=snapshot_of(client, brand, G)))
    history = score_of(client, G)["history"]
    assert history == [{"record": kept["id"], "as_of": utcnow().date().isoformat(),
                        "score": "40", "formula_version": "2026.1", "signer": brand.did}]  # fmt: skip
    assert score_of(client, S)["history"] == []
    unknown = client.post("/v1/facilities/fac-nobody-here/score/snapshot",
                          json=snapshot_of(client, brand, G, facility="fac-nobody-here"))  # fmt: skip
    assert unknown.status_code == 404 and unknown.json()["code"] == "facility_unknown"
