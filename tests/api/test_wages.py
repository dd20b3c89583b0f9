"""Payroll runs through the API on a real ledger (embedded EVM; SQLite and PostgreSQL):
admitted all or none, each line its own leaf, read by its parties only, acknowledged and
disputed by the worker's own key, aggregated for everyone else without a single worker's
figure or identity."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.store.db import session_scope
from ledger.store.models import RecordRow
from tests.api.conftest import signed_header
from tests.api.state import changed, snapshot
from tests.credentials.worker_support import accredited
from tests.domain.wages.builders import FACILITY, ack, employer_of, payroll, run_ref
from tests.ledger.helpers import signed_audit


@pytest.fixture
def employer(ledger: Ledger) -> SigningKey:
    return employer_of(ledger)


@pytest.fixture
def workers() -> list[SigningKey]:
    return [SigningKey.generate() for _ in range(3)]


def submit(client: TestClient, lines: list[dict[str, Any]]) -> Any:
    return client.post("/v1/wages", json={"lines": lines})


def read(client: TestClient, target: str, key: SigningKey | None = None) -> Any:
    headers = signed_header(client, key, "GET", target) if key is not None else None
    return client.get(target, headers=headers)


def test_a_compliant_run_is_admitted_line_by_line(
    client: TestClient, ledger: Ledger, employer: SigningKey, workers: list[SigningKey]
) -> None:
    lines = payroll(employer, [w.did for w in workers])
    response = submit(client, lines)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["facility"] == FACILITY and len(body["lines"]) == 3
    assert [line["line"] for line in body["lines"]] == [1, 2, 3]
    assert all(line["compliant"] and line["violations"] == [] for line in body["lines"])
    assert len({line["id"] for line in body["lines"]}) == 3  # each line its own record (leaf)
    assert response.headers["location"] == f"/v1/wages/runs/{body['run']}"

    public = client.get(f"/v1/wages/runs/{body['run']}").json()
    assert public["lineResults"] is None and public["summary"]["complianceRate"] == 1.0
    facility = client.get(f"/v1/facilities/{FACILITY}/wages").json()
    (period,) = facility["periods"]
    assert (period["lines"], period["compliantLines"]) == (3, 3)
    # No single worker's figure or identity in a public response.
    for text in (json.dumps(public), json.dumps(facility)):
        assert not any(w.did in text for w in workers)
        assert "1877.50" not in text and "2000.00" not in text


def test_violations_are_admitted_and_named(
    client: TestClient, employer: SigningKey, workers: list[SigningKey]
) -> None:
    fee = {"recruitmentFee": {"amount": "300.00", "reason": "agent's fee, instalment 2"}}
    deductions = {
        "socialSecurity": {"amount": "22.50", "reason": "EPF and SOCSO"}, **fee,
    }  # fmt: skip
    lines = payroll(employer, [w.did for w in workers],
                    changes={2: {"deductions": deductions, "net": "1677.50"}})  # fmt: skip
    body = submit(client, lines).json()
    verdicts = {line["line"]: line for line in body["lines"]}
    assert verdicts[1]["compliant"] and verdicts[3]["compliant"]
    assert not verdicts[2]["compliant"]
    assert [v["rule"] for v in verdicts[2]["violations"]] == ["recruitment-fee"]
    period = client.get(f"/v1/facilities/{FACILITY}/wages").json()["periods"][0]
    assert period["violationsByRule"] == {"recruitment-fee": 1}
    assert period["recruitmentFeesDeducted"] == "300.00"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("malformed line", "schema_violation"),
        ("bad signature", "bad_signature"),
        ("missing line", "schema_violation"),
        ("worker twice", "schema_violation"),
        ("two runs in one", "schema_violation"),
        ("not an employer", "not_accredited"),
        ("employer of another facility", "not_in_scope"),
    ],
)
def test_a_refused_line_refuses_the_whole_run_and_stores_nothing(
    client: TestClient, ledger: Ledger, employer: SigningKey, workers: list[SigningKey],
    case: str, code: str,
) -> None:  # fmt: skip
    dids = [w.did for w in workers]
    lines = payroll(employer, dids)
    if case == "malformed line":
        lines = payroll(employer, dids, changes={2: {"gross": 2000}})  # a JSON number
    elif case == "bad signature":
        lines[1] = {**lines[1], "nonce": "f" * 32}
    elif case == "missing line":
        lines = lines[:2]
    elif case == "worker twice":
        lines = payroll(employer, [dids[0], dids[1], dids[0]])
    elif case == "two runs in one":
        lines = lines[:2] + payroll(employer, [dids[2]], run=run_ref(3))[:1]
    elif case == "not an employer":
        lines = payroll(accredited(ledger, Role.AUDITOR), dids)
    elif case == "employer of another facility":
        lines = payroll(employer_of(ledger, "fac-bd-dhaka-knit-01"), dids)
    before = snapshot(ledger)
    response = submit(client, lines)
    assert response.status_code in (401, 403, 409, 422), response.text
    problem = response.json()
    assert problem["code"] == code, problem
    assert problem["errors"], problem  # each refused line named by its position
    assert changed(before, snapshot(ledger)) == {}


def test_a_second_run_for_a_period_must_say_what_it_corrects(
    client: TestClient, employer: SigningKey, workers: list[SigningKey]
) -> None:
    dids = [w.did for w in workers]
    first = submit(client, payroll(employer, dids)).json()
    again = submit(client, payroll(employer, dids))
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    fixed = payroll(employer, dids, run=run_ref(3, corrects=first["run"]),
                    changes={1: {"paidOn": "2026-12-02"}})  # fmt: skip
    corrected = submit(client, fixed)
    assert corrected.status_code == 201, corrected.text
    second = corrected.json()["run"]
    old = client.get(f"/v1/wages/runs/{first['run']}").json()
    assert old["correctedBy"] == second  # both kept, linked
    periods = client.get(f"/v1/facilities/{FACILITY}/wages").json()["periods"]
    assert [p["run"] for p in periods] == [second]  # the views count the latest
    twice = payroll(employer, dids, run=run_ref(3, corrects=first["run"]))
    assert submit(client, twice).status_code == 409  # a run is corrected once


def test_a_line_is_read_by_its_parties_only(
    client: TestClient,
    ledger: Ledger,
    employer: SigningKey,
    workers: list[SigningKey],
    admin_headers: dict[str, str],
) -> None:
    body = submit(client, payroll(employer, [w.did for w in workers])).json()
    line = body["lines"][0]["id"]
    target = f"/v1/wages/lines/{line}"
    assert read(client, target).status_code == 401
    assert read(client, target, workers[1]).json()["code"] == "not_a_party"  # another worker
    stranger_auditor = accredited(ledger, Role.AUDITOR)
    assert read(client, target, stranger_auditor).status_code == 403
    facility_auditor = accredited(ledger, Role.AUDITOR)
    client.post("/v1/attestations", json=signed_audit(
        facility_auditor, facility={"id": FACILITY, "name": "Penang", "country": "MY"}
    ).to_dict())  # fmt: skip
    for party in (workers[0], employer, facility_auditor):
        response = read(client, target, party)
        assert response.status_code == 200, response.text
        assert response.json()["envelope"]["payload"]["worker"]["did"] == workers[0].did
    # The run's lines' verdicts: the employer and the facility's auditor, not a worker.
    run = f"/v1/wages/runs/{body['run']}"
    assert read(client, run, employer).json()["lineResults"]
    assert read(client, run, facility_auditor).json()["lineResults"]
    assert read(client, run, workers[0]).json()["lineResults"] is None

    client.post("/v1/admin/anchor", headers=admin_headers)
    receipt = read(client, f"{target}/receipt", workers[0])
    assert receipt.status_code == 200, receipt.text
    downloaded = receipt.json()
    assert ledger.check_receipt(downloaded).ok  # verifies offline
    text = json.dumps(downloaded)
    assert workers[1].did not in text and workers[2].did not in text  # no other line
    assert read(client, f"{target}/receipt").status_code == 401
    assert client.get(f"/v1/records/{line}/receipt").status_code == 401


def test_acknowledgements_and_disputes(
    client: TestClient, ledger: Ledger, employer: SigningKey, workers: list[SigningKey]
) -> None:
    body = submit(client, payroll(employer, [w.did for w in workers])).json()
    ids = [line["id"] for line in body["lines"]]
    assert client.post("/v1/wages/ack", json=ack(workers[0], ids[0])).status_code == 201
    disputed = ack(workers[1], ids[1], "disputed", reasons=["deduction-not-agreed"])
    assert client.post("/v1/wages/ack", json=disputed).status_code == 201
    before = snapshot(ledger)
    for bad, code in (
        (ack(workers[2], ids[0]), "forbidden"),  # someone else's line
        (ack(SigningKey.generate(), ids[2]), "forbidden"),
        (ack(workers[2], "0x" + "ab" * 32), "not_found"),
        (ack(workers[2], ids[2], "disputed"), "schema_violation"),  # a dispute needs a reason
        ({**ack(workers[2], ids[2]), "nonce": "e" * 32}, "bad_signature"),
    ):
        response = client.post("/v1/wages/ack", json=bad)
        assert response.json()["code"] == code, response.text
    assert changed(before, snapshot(ledger)) == {}
    period = client.get(f"/v1/facilities/{FACILITY}/wages").json()["periods"][0]
    assert (period["acknowledged"], period["disputed"]) == (1, 1)
    assert period["disputeRate"] == round(1 / 3, 4)
    assert period["disputesByReason"] == {"deduction-not-agreed": 1}
    text = json.dumps(client.get(f"/v1/facilities/{FACILITY}/wages").json())
    assert workers[1].did not in text  # the dispute counts, never with the worker
    # The worker's own view of the line shows their latest acknowledgement.
    mine = read(client, f"/v1/wages/lines/{ids[1]}", workers[1]).json()
    assert mine["acknowledgement"] == "disputed"


def test_many_acknowledgements_from_one_device_are_flagged(
    client: TestClient, ledger: Ledger, employer: SigningKey, investigator: SigningKey
) -> None:
    crew = [SigningKey.generate() for _ in range(6)]
    body = submit(client, payroll(employer, [w.did for w in crew])).json()
    phone = "sha256:" + "7" * 64
    for worker, line in zip(crew, body["lines"], strict=True):
        response = client.post("/v1/wages/ack", json=ack(worker, line["id"], device=phone))
        assert response.status_code == 201, response.text
    target = "/v1/investigations/checkins"
    flags = read(client, target, investigator).json()["flags"]
    bursts = [f for f in flags if f["kind"] == "ack_burst"]
    assert bursts and bursts[0]["detail"]["facility"] == FACILITY
    assert all(w.did not in json.dumps(bursts) for w in crew)


@pytest.mark.slow
def test_a_10000_worker_run_is_accepted_checked_and_queued(
    client: TestClient, ledger: Ledger, employer: SigningKey
) -> None:
    """The issue's scale: one request of 10,000 signed lines (about 12 MB, under the 16 MB
    payroll cap), every line checked, every line pending for anchoring."""
    workers = [SigningKey.generate().did for _ in range(10_000)]
    lines = payroll(employer, workers, changes={7: {"deductions": {"recruitmentFee": {
        "amount": "100.00", "reason": "agent fee"}}, "net": "1900.00"}})  # fmt: skip
    response = submit(client, lines)
    assert response.status_code == 201, response.text[:500]
    body = response.json()
    assert len(body["lines"]) == 10_000
    flagged = [line for line in body["lines"] if not line["compliant"]]
    assert [line["line"] for line in flagged] == [7]
    assert {v["rule"] for v in flagged[0]["violations"]} == {"recruitment-fee"}
    ids = {line["id"] for line in body["lines"]}
    with session_scope(ledger.engine) as session:
        pending = session.exec(select(RecordRow.id).where(RecordRow.batch_id == None)).all()  # noqa: E711
    assert ids <= set(pending) and len(ids) == 10_000


def test_no_log_line_carries_a_workers_identity_or_figures(
    client: TestClient,
    employer: SigningKey,
    workers: list[SigningKey],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every path a payroll takes, logged at DEBUG by every logger: admitted, refused as a
    whole, conflicting (the database's own conflict message is logged), corrected, read,
    acknowledged and disputed. No worker's did or wage figure appears in any log record."""
    caplog.set_level(logging.DEBUG)
    dids = [w.did for w in workers]
    fee = {2: {"deductions": {"recruitmentFee": {"amount": "321.09", "reason": "agent"}},
               "net": "1678.91"}}  # fmt: skip
    first = submit(client, payroll(employer, dids, changes=fee)).json()
    assert submit(client, payroll(employer, dids)).status_code == 409
    bad = payroll(employer, dids, changes={3: {"gross": "not money"}})
    assert submit(client, bad).status_code == 422  # schema_violation
    ids = [line["id"] for line in first["lines"]]
    assert read(client, f"/v1/wages/lines/{ids[1]}", workers[1]).status_code == 200
    assert read(client, f"/v1/wages/lines/{ids[1]}", workers[0]).status_code == 403
    disputed = ack(workers[1], ids[1], "disputed", reasons=["deduction-not-agreed"])
    assert client.post("/v1/wages/ack", json=disputed).status_code == 201
    assert client.post("/v1/wages/ack", json=ack(workers[0], ids[1])).status_code == 403
    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    assert caplog.records, "the paths above log something (or this test proves nothing)"
    for secret in (*dids, *(d.split(":")[-1] for d in dids), "321.09", "1678.91", "1877.50"):
        assert secret not in logged, secret
