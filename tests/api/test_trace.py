"""A brand's trace through the API on a real ledger (embedded EVM; SQLite and PostgreSQL):
every tier once, a shared supplier once at its lowest tier, a cycle reported and not
followed, each node's evidence (audits with a finding a follow-up closed, wages, ID
possession) and what is missing, JSON and CSV, and bad queries refused.

    brand ──> G (Penang; audited, wages, credentialed workers)
      └──(unconfirmed)──> E (no evidence at all)
    G ──> F (fabric mill; audit expired) ──> S (spinner) ──> X (dyer) ──> F   (a cycle)
    G ──> S                                   (S shared: tier 2 by G, tier 3 by F)
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from tests.api.test_supply import BRAND_PROFILE, created
from tests.credentials.worker_support import accredited, issue
from tests.domain.supply.builders import (
    BRAND,
    FACILITY,
    brand_of,
    confirmation,
    employer_of,
    facility_record,
    supply_link,
)
from tests.domain.wages.builders import payroll, run_ref
from tests.ledger.helpers import signed_audit

G, E, F, S, X = FACILITY, "fac-vn-hanoi-cable-09", "fac-bd-gazipur-fabric-11", "fac-in-salem-spin-12", "fac-in-erode-dye-13"  # fmt: skip


@dataclass
class Chain:
    links: dict[tuple[str, str], str]  # (buyer, supplier) -> link record id
    audits: dict[str, str]  # name -> record id
    lines: list[str]


def _audit(auditor: SigningKey, facility: str, country: str, **changes: Any) -> Any:
    named = {"id": facility, "name": f"Facility {facility}", "country": country}
    return signed_audit(auditor, facility=named, **changes).to_dict()


@pytest.fixture
def chain(ledger: Ledger, client: TestClient) -> Chain:
    brand = brand_of(ledger)
    created(client.post("/v1/facilities", json=facility_record(brand, BRAND_PROFILE)))
    employers = {f: employer_of(ledger, f) for f in (G, F, S, X)}
    links: dict[tuple[str, str], str] = {}

    def link(key: SigningKey, buyer: str, supplier: str, confirm: bool = True) -> None:
        body = created(client.post("/v1/supply-links", json=supply_link(key, buyer, supplier)))
        links[(buyer, supplier)] = body["id"]
        if confirm:
            signed = confirmation(employers[supplier], body["id"], supplier)
            created(client.post(f"/v1/supply-links/{body['id']}/confirm", json=signed))

    auditor = accredited(ledger, Role.AUDITOR)
    audits: dict[str, str] = {}
    # G: a full audit (F1 passports, F2 overtime) and a follow-up closing F1. F: expired.
    audits["G full"] = created(client.post("/v1/attestations", json=_audit(auditor, G, "MY")))["id"]
    follow = _audit(auditor, G, "MY", auditType="follow-up", follows=audits["G full"],
                    startDate="2026-10-20", endDate="2026-10-20", correctiveActions=[],
                    findings=[{"id": "U1", "clause": "ETI 1.1",
                               "iloIndicators": ["retention-of-identity-documents"],
                               "severity": "critical", "description": "Passports returned.",
                               "evidence": [], "status": "closed", "followsFinding": "F1"}])  # fmt: skip
    audits["G follow-up"] = created(client.post("/v1/attestations", json=follow))["id"]
    expired = _audit(auditor, F, "BD", startDate="2024-01-08", endDate="2024-01-10",
                     validUntil="2025-01-10")  # fmt: skip
    audits["F expired"] = created(client.post("/v1/attestations", json=expired))["id"]

    link(brand, BRAND, G)
    link(brand, BRAND, E, confirm=False)
    link(employers[G], G, F)
    link(employers[G], G, S)
    link(employers[F], F, S)
    link(employers[S], S, X)
    link(employers[X], X, F)

    workers = [SigningKey.generate() for _ in range(2)]
    run = payroll(employers[G], [w.did for w in workers], run=run_ref(2, facility=G))
    lines = [line["id"] for line in created(client.post("/v1/wages", json={"lines": run}))["lines"]]
    issue(ledger, accredited(ledger, Role.ISSUER), workers[0], facility=G)
    return Chain(links, audits, lines)


def nodes_of(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["facility"]: node for node in body["nodes"]}


def test_every_tier_once_with_its_evidence_and_gaps(client: TestClient, chain: Chain) -> None:
    response = client.get(f"/v1/brands/{BRAND}/trace", params={"depth": 10})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["brand"], body["depth"]) == (BRAND, 10)
    nodes = nodes_of(body)
    assert [n["facility"] for n in body["nodes"]] == [BRAND, G, E, F, S, X]  # by tier, then id
    assert {f: n["tier"] for f, n in nodes.items()} == {BRAND: 0, G: 1, E: 1, F: 2, S: 2, X: 3}
    assert nodes[BRAND]["suppliers"] == sorted([G, E])
    assert nodes[G]["suppliers"] == sorted([F, S]) and nodes[F]["suppliers"] == [S]
    assert body["cycles"] == [[F, S, X, F]]  # reported once, never looped

    g = nodes[G]["evidence"]
    # F1 (passports, movement) was closed by the follow-up; F2 and F3 are still open.
    assert g["audit"]["id"] == chain.audits["G follow-up"]
    assert g["audit"]["openFindingsByIndicator"] == {
        "debt-bondage": 1, "excessive-overtime": 1, "withholding-of-wages": 1,
    }  # fmt: skip
    assert g["wages"]["lines"] == 2 and g["wages"]["complianceRate"] == 1.0
    assert g["idPossession"] == {"rate": 0.0, "credentialedWorkers": 1, "withRecentCheckin": 0,
                                 "windowDays": 90}  # fmt: skip
    assert nodes[G]["missing"] == []
    assert {*chain.lines, chain.audits["G full"], chain.audits["G follow-up"]} <= set(
        nodes[G]["records"]
    )
    assert chain.links[(G, F)] in nodes[G]["records"]

    assert nodes[E]["missing"] == ["no_audit", "no_wage_records", "no_credentialed_workers",
                                   "unconfirmed_link"]  # fmt: skip
    assert nodes[F]["missing"][0] == "audit_expired" and nodes[F]["evidence"]["audit"] is None
    brand_links = {link["supplier"]: link["confirmed"] for link in nodes[BRAND]["links"]}
    assert brand_links == {G: True, E: False}
    assert "unconfirmed_link" not in nodes[G]["missing"]


def test_depth_bounds_the_walk(client: TestClient, chain: Chain) -> None:
    nodes = nodes_of(client.get(f"/v1/brands/{BRAND}/trace", params={"depth": 1}).json())
    assert set(nodes) == {BRAND, G, E}
    assert nodes[G]["suppliers"] == []  # not walked past the depth


def test_a_trace_by_purchase_order_and_by_product(client: TestClient, chain: Chain) -> None:
    by_po = client.get("/v1/trace", params={"po": "PO-2026-0042"}).json()
    assert by_po["po"] == "PO-2026-0042"
    assert {n["facility"] for n in by_po["nodes"]} == {BRAND, G, E, F, S, X}
    by_product = client.get("/v1/trace", params={"product": "nothing of this name"}).json()
    assert by_product["nodes"] == [] and by_product["cycles"] == []


def test_the_trace_as_csv(client: TestClient, chain: Chain) -> None:
    response = client.get(f"/v1/brands/{BRAND}/trace", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_id = {row["facility"]: row for row in rows}
    assert len(rows) == 6 and by_id[E]["missing"].endswith("unconfirmed_link")
    assert by_id[G]["open_findings_by_indicator"] == (
        "debt-bondage:1;excessive-overtime:1;withholding-of-wages:1"
    )
    assert by_id[BRAND]["unconfirmed_suppliers"] == E


BAD_QUERIES = [
    ("/v1/brands/brand-nobody/trace", 404, "brand_unknown"),
    (f"/v1/brands/{FACILITY}/trace", 404, "brand_unknown"),  # a facility, not a brand
    (f"/v1/brands/{BRAND}/trace?depth=0", 422, None),
    (f"/v1/brands/{BRAND}/trace?depth=21", 422, None),
    (f"/v1/brands/{BRAND}/trace?format=xml", 422, None),
    ("/v1/trace", 422, "schema_violation"),
    ("/v1/trace?po=a&product=b", 422, "schema_violation"),
    ("/v1/trace?po=" + "x" * 201, 422, None),
    ("/v1/trace?po=%00", 422, None),  # PostgreSQL refuses NUL in text: found by the fuzzer
    ("/v1/trace?product=a%0Ab", 422, None),
]


def test_bad_trace_queries_are_refused(client: TestClient, chain: Chain) -> None:
    for target, status, code in BAD_QUERIES:
        response = client.get(target)
        assert response.status_code == status, (target, response.text)
        assert response.headers["content-type"].startswith("application/problem+json"), target
        if code is not None:
            assert response.json()["code"] == code, target


def test_the_number_of_queries_does_not_grow_with_the_graph(
    client: TestClient, ledger: Ledger, chain: Chain
) -> None:
    """Set-based: the same statements for 3 facilities (depth 1) as for all 6."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(ledger.engine, "before_cursor_execute", count)
    try:
        sizes = {}
        for depth in (1, 10):
            statements.clear()
            body = client.get(f"/v1/brands/{BRAND}/trace", params={"depth": depth}).json()
            sizes[len(body["nodes"])] = len(statements)
    finally:
        event.remove(ledger.engine, "before_cursor_execute", count)
    assert set(sizes) == {3, 6}
    assert sizes[6] > 0, "the statements are counted on the engine the API reads"
    assert sizes[3] == sizes[6], sizes
