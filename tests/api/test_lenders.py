"""Lenders and banks on the demo (embedded EVM; SQLite and PostgreSQL): the due-diligence
typology counts the demo's substantiated findings by indicator, country, sector and quarter,
names the facility with an open zero-tolerance finding, and carries no personal data;
suppliers are ranked by their citable score snapshots."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient
from sqlmodel import select

from domain.demo import seed_demo
from domain.scores.typology_snapshot import typology_payload
from domain.workers.models import WorkerCredentialRow
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.store.db import session_scope
from ledger.store.models import RecordRow
from ledger.timeutil import utcnow
from tests.api.test_scores import snapshot_of
from tests.credentials.worker_support import accredited
from tests.domain.supply.builders import brand_of


def test_the_typology_counts_substantiated_findings_and_names_no_person(
    client: TestClient, ledger: Ledger
) -> None:
    seed_demo(ledger)
    response = client.get("/v1/due-diligence/typology")
    assert response.status_code == 200, response.text
    body = response.json()
    rows = {(r["indicator"], r["country"], r["period"]): r for r in body["rows"]}
    # Dhaka, Q1 2026: passports held (closed by the May follow-up), debt bondage (in progress).
    retention = rows[("retention-of-identity-documents", "BD", "2026-Q1")]
    assert (retention["findings"], retention["open"]) == (1, 0)
    assert (rows[("debt-bondage", "BD", "2026-Q1")]["open"]) == 1
    assert rows[("debt-bondage", "MY", "2026-Q2")]["findings"] == 1  # Penang's agents' fees
    (penang,) = body["openZeroTolerance"]
    assert (penang["facility"], penang["openFindings"]) == ("fac-my-penang-pcb-03", 1)
    assert all(r["records"] for r in body["rows"]), "every row names the audits behind it"

    # Nothing about any person: no worker's or auditor's did, no document number.
    with session_scope(ledger.engine) as session:
        people = set(session.exec(select(WorkerCredentialRow.holder)).all())
        people |= set(session.exec(select(RecordRow.signer)).all())
    text = json.dumps(body) + client.get("/v1/due-diligence/typology?format=csv").text
    assert people and not any(p in text for p in people)
    assert not any(n in text for n in ("PA4410771", "EB0177345", "MM0932277"))

    narrowed = client.get("/v1/due-diligence/typology", params={"from": "2026-04-01"}).json()
    assert {r["period"] for r in narrowed["rows"]} <= {"2026-Q2", "2026-Q3", "2026-Q4"}
    sheet = list(csv.DictReader(io.StringIO(client.get(
        "/v1/due-diligence/typology", params={"format": "csv"}).text)))  # fmt: skip
    assert len(sheet) == len(body["rows"]) and sheet[0]["indicator"]
    bad = client.get(
        "/v1/due-diligence/typology", params={"from": "2026-05-01", "to": "2026-01-01"}
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "schema_violation")

    # A bank keeps the export it cites: signed (brand-role key), recomputed, anchored.
    brand, today = brand_of(ledger), utcnow().date().isoformat()
    export = {k: narrowed[k] for k in ("periodFrom", "periodTo", "rows", "openZeroTolerance")}

    def signed(key: SigningKey = brand, **changes: object) -> dict:
        payload = {**typology_payload(today, export), **changes}
        return sign_envelope("typology", payload, key).to_dict()

    fewer = [{**export["rows"][0], "findings": export["rows"][0]["findings"] + 1}]
    with session_scope(ledger.engine) as session:
        before = len(session.exec(select(RecordRow.id)).all())
    for envelope, code in [
        (signed(rows=fewer + export["rows"][1:]), "typology_mismatch"),  # a count made up
        (signed(openZeroTolerance=[]), "typology_mismatch"),  # Penang left out
        (signed(periodFrom=None), "typology_mismatch"),  # other bounds than those counted
        (signed(asOf="2026-01-01"), "typology_mismatch"),
        (signed(rows="all"), "schema_violation"),
        (signed(key=SigningKey.generate()), "unknown_signer"),
        (signed(key=accredited(ledger, Role.AUDITOR)), "not_accredited"),  # not a brand
        (sign_envelope("score", {"schema": "score/v1"}, brand).to_dict(), "schema_violation"),
    ]:
        response = client.post("/v1/due-diligence/typology/snapshot", json=envelope)
        assert response.json()["code"] == code, (code, response.text)
    with session_scope(ledger.engine) as session:
        assert len(session.exec(select(RecordRow.id)).all()) == before, "refusals keep nothing"
    kept = client.post("/v1/due-diligence/typology/snapshot", json=signed())
    assert kept.status_code == 201, kept.text
    (listed,) = client.get("/v1/due-diligence/typology/snapshots").json()["snapshots"]
    assert (listed["record"], listed["asOf"], listed["periodFrom"]) == (
        kept.json()["id"], today, "2026-04-01")  # fmt: skip
    assert ledger.anchorer.drain().error is None
    receipt = client.get(f"/v1/records/{kept.json()['id']}/receipt").json()
    assert ledger.check_receipt(receipt).ok
    assert receipt["envelope"]["payload"]["rows"] == export["rows"]


def test_suppliers_are_ranked_by_their_score_snapshots(client: TestClient, ledger: Ledger) -> None:
    seed_demo(ledger)
    demo = client.get("/v1/lenders/suppliers").json()["suppliers"]
    assert len(demo) == 6, "the demo's brands snapshot every facility"
    lender = brand_of(ledger)  # lenders cite snapshots signed by a brand key (no lender role)
    again = ("fac-bd-dhaka-knit-01", "fac-my-penang-pcb-03", "fac-tr-denizli-dye-05")
    for facility in again:
        kept = client.post(f"/v1/facilities/{facility}/score/snapshot",
                           json=snapshot_of(client, lender, facility))  # fmt: skip
        assert kept.status_code == 201, kept.text
    ranked = client.get("/v1/lenders/suppliers").json()["suppliers"]
    scores = [r["score"] for r in ranked]
    assert len(ranked) == 6 and scores == sorted(scores, key=lambda s: -float(s))
    for row in ranked:
        live = client.get(f"/v1/facilities/{row['facility']}/score").json()
        assert float(row["score"]) == live["score"]
        # The latest is the last kept (several can share a day), as the history lists them.
        assert row["record"] == live["history"][-1]["record"], row["facility"]
        assert row["record"].startswith("0x") and row["snapshotAgeDays"] == 0
    by_id = {r["facility"]: r for r in ranked}
    for facility in again:  # the demo's two, then ours: the same evidence, the same score
        assert by_id[facility]["snapshots"] == 3 and float(by_id[facility]["trend"]) == 0
    gazipur = by_id["fac-bd-gazipur-fabric-06"]  # snapshotted once, once it existed
    assert gazipur["snapshots"] == 1 and gazipur["trend"] is None
    only_bd = client.get("/v1/lenders/suppliers", params={"country": "BD"}).json()["suppliers"]
    assert {r["facility"] for r in only_bd} == {"fac-bd-dhaka-knit-01", "fac-bd-gazipur-fabric-06"}
    high = client.get("/v1/lenders/suppliers", params={"min_score": 101})
    assert high.status_code == 422
    for bad in ({"country": "bd"}, {"limit": 0}, {"min_score": "lots"}):
        assert client.get("/v1/lenders/suppliers", params=bad).status_code == 422
