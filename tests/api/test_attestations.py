"""Auditors' path through the API, and every rejection as its own problem+json code."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.store.db import session_scope
from ledger.store.models import BatchRow, RecordRow, SignerRow, UsedNonceRow
from ledger.timeutil import utcnow
from tests.api.conftest import signed_header
from tests.ledger.helpers import audit_payload, signed_audit

PROBLEM = "application/problem+json"


def row_counts(ledger: Ledger) -> tuple[int, ...]:
    with session_scope(ledger.engine) as session:
        return tuple(
            int(session.exec(select(func.count()).select_from(table)).one())
            for table in (RecordRow, BatchRow, SignerRow, UsedNonceRow)
        )


def test_auditor_flow_submit_anchor_receipt(
    client: TestClient, auditor: SigningKey, admin_headers: dict[str, str]
) -> None:
    envelope = signed_audit(auditor).to_dict()
    response = client.post("/v1/attestations", json=envelope)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "pending" and body["leaf"] == body["id"]
    assert response.headers["location"] == f"/v1/attestations/{body['id']}"

    assert client.get(f"/v1/records/{body['id']}").json()["status"] == "pending"
    not_yet = client.get(f"/v1/records/{body['id']}/receipt")
    assert not_yet.status_code == 409 and not_yet.json()["code"] == "not_anchored"

    anchored = client.post("/v1/admin/anchor", headers=admin_headers)
    assert anchored.status_code == 200 and anchored.json()["batchesAnchored"]

    record = client.get(f"/v1/records/{body['id']}").json()
    assert record["status"] == "anchored" and record["timeToAnchorSeconds"] is not None
    receipt = client.get(f"/v1/records/{body['id']}/receipt").json()
    assert receipt["envelope"] == envelope and receipt["leaf"] == body["id"]

    attestation = client.get(f"/v1/attestations/{body['id']}").json()
    assert attestation["envelope"] == envelope and attestation["record"]["status"] == "anchored"

    audits = client.get("/v1/facilities/fac-bd-dhaka-knit-01/audits").json()["audits"]
    assert [a["id"] for a in audits] == [body["id"]]
    assert {f["currentStatus"] for f in audits[0]["findings"]} == {"open"}


def test_follow_up_closes_a_finding_in_the_facility_view(
    client: TestClient, auditor: SigningKey
) -> None:
    first = client.post("/v1/attestations", json=signed_audit(auditor).to_dict()).json()["id"]
    follow_up = signed_audit(
        auditor, auditType="follow-up", follows=first, startDate="2026-10-20", endDate="2026-10-20",
        findings=[{"id": "FU1", "clause": "ETI 1.1", "iloIndicators": ["retention-of-identity-documents"],
                   "severity": "critical", "description": "All passports returned; lockers in use.",
                   "evidence": [], "status": "closed", "followsFinding": "F1"}],
        correctiveActions=[],
    )  # fmt: skip
    second = client.post("/v1/attestations", json=follow_up.to_dict())
    assert second.status_code == 201, second.text
    audits = client.get("/v1/facilities/fac-bd-dhaka-knit-01/audits").json()["audits"]
    assert [a["id"] for a in audits] == [second.json()["id"], first]  # newest first
    statuses = {f["id"]: f["currentStatus"] for f in audits[1]["findings"]}
    assert statuses == {"F1": "closed", "F2": "open", "F3": "open", "F4": "open"}
    assert audits[1]["findings"][0]["statusFrom"] == {
        "recordId": second.json()["id"],
        "findingId": "FU1",
    }


def _post(client: TestClient, body: Any, **kwargs: Any) -> Any:
    if isinstance(body, (bytes, str)):
        return client.post(
            "/v1/attestations", content=body, headers={"content-type": "application/json"}, **kwargs
        )
    return client.post("/v1/attestations", json=body, **kwargs)


def bad_inputs(
    ledger: Ledger, auditor: SigningKey, existing: dict[str, Any]
) -> list[tuple[str, int, Any]]:
    forged = signed_audit(auditor).to_dict()
    forged["payload"]["overallRating"] = "all good"
    employer = SigningKey.generate()
    ledger.accredit(employer.did, Role.EMPLOYER)
    revoked = SigningKey.generate()
    ledger.accredit(revoked.did, Role.AUDITOR)
    ledger.revoke(revoked.did)
    return [
        ("malformed_json", 400, b'{"kind": "audit", '),
        ("malformed_json", 400, b'{"kind": "audit", "kind": "wage"}'),
        ("schema_violation", 422, {"kind": "audit"}),
        (
            "schema_violation",
            422,
            sign_envelope("audit", audit_payload(workersInterviewed=-1), auditor).to_dict(),
        ),
        ("schema_violation", 422, sign_envelope("wage", {"x": 1}, auditor).to_dict()),
        ("bad_signature", 401, forged),
        ("unknown_signer", 401, signed_audit(SigningKey.generate()).to_dict()),
        ("not_accredited", 403, signed_audit(employer).to_dict()),
        ("signer_revoked", 403, signed_audit(revoked).to_dict()),
        (
            "nonce_replayed",
            409,
            sign_envelope("audit", audit_payload(), auditor, nonce=existing["nonce"]).to_dict(),
        ),
        ("clock_skew", 422, signed_audit(auditor, created=utcnow() + timedelta(hours=2)).to_dict()),
        ("body_too_large", 413, json.dumps({"kind": "audit", "pad": "x" * 300_000}).encode()),
        ("duplicate_record", 409, existing),
    ]


def test_each_bad_input_has_its_own_code_and_changes_nothing(
    client: TestClient, ledger: Ledger, auditor: SigningKey
) -> None:
    existing = signed_audit(auditor).to_dict()
    assert _post(client, existing).status_code == 201
    cases = bad_inputs(ledger, auditor, existing)
    before = row_counts(ledger)
    for code, status, body in cases:
        response = _post(client, body)
        assert response.status_code == status, (code, response.text)
        assert response.headers["content-type"] == PROBLEM
        problem = response.json()
        assert problem["code"] == code, (code, problem)
        assert (
            problem["type"].endswith("/" + code)
            and problem["status"] == status
            and problem["detail"]
        )
        assert row_counts(ledger) == before, code
    assert {c for c, _, _ in cases} >= {
        "malformed_json", "schema_violation", "bad_signature", "unknown_signer", "not_accredited",
        "signer_revoked", "nonce_replayed", "clock_skew", "body_too_large", "duplicate_record",
    }  # fmt: skip


def test_schema_violation_names_the_field(client: TestClient, auditor: SigningKey) -> None:
    bad = sign_envelope("audit", audit_payload(findings=[{"id": "F1"}]), auditor).to_dict()
    problem = _post(client, bad).json()
    assert problem["code"] == "schema_violation" and problem["field"].startswith(
        "payload.findings.0"
    )


def test_not_found_is_a_problem(client: TestClient) -> None:
    for path in ("/v1/records/0x" + "00" * 32, "/v1/attestations/0x" + "00" * 32, "/v1/nowhere"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert response.headers["content-type"] == PROBLEM


def test_batch_accepts_and_rejects_each_item_on_its_own(
    client: TestClient, ledger: Ledger, auditor: SigningKey
) -> None:
    good = [signed_audit(auditor).to_dict() for _ in range(3)]
    stranger = signed_audit(SigningKey.generate()).to_dict()
    response = client.post(
        "/v1/attestations:batch",
        json={"envelopes": [good[0], stranger, good[1], good[0], good[2], {"kind": 1}]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (3, 3)
    codes = [r["error"]["code"] if r["error"] else None for r in body["results"]]
    assert codes == [None, "unknown_signer", None, "duplicate_record", None, "schema_violation"]
    assert row_counts(ledger)[0] == 3


def test_batch_limit(client: TestClient) -> None:
    response = client.post("/v1/attestations:batch", json={"envelopes": [{}] * 1001})
    assert response.status_code == 422 and response.json()["code"] == "schema_violation"


def test_admin_writes_need_credentials(client: TestClient, ledger: Ledger) -> None:
    did = SigningKey.generate().did
    before = row_counts(ledger)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        for method, path, body in (("POST", "/v1/admin/signers", {"did": did, "role": "auditor"}),
                                   ("DELETE", f"/v1/admin/signers/{did}", None),
                                   ("POST", "/v1/admin/anchor", None)):  # fmt: skip
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    assert row_counts(ledger) == before


def test_accredit_and_revoke_by_token(client: TestClient, admin_headers: dict[str, str]) -> None:
    key = SigningKey.generate()
    created = client.post(
        "/v1/admin/signers", json={"did": key.did, "role": "auditor"}, headers=admin_headers
    )
    assert created.status_code == 201, created.text
    assert [s["role"] for s in created.json()] == ["auditor"]
    assert client.post("/v1/attestations", json=signed_audit(key).to_dict()).status_code == 201
    revoked = client.delete(f"/v1/admin/signers/{key.did}", headers=admin_headers)
    assert revoked.json() == {"did": key.did, "revokedRoles": ["auditor"]}
    again = client.post("/v1/attestations", json=signed_audit(key).to_dict())
    assert again.json()["code"] == "signer_revoked"


def test_admin_by_signed_request_and_replay(client: TestClient, admin_key: SigningKey) -> None:
    key = SigningKey.generate()
    body = json.dumps({"did": key.did, "role": "issuer"}).encode()
    headers = {**signed_header(client, admin_key, "POST", "/v1/admin/signers", body),
               "content-type": "application/json"}  # fmt: skip
    first = client.post("/v1/admin/signers", content=body, headers=headers)
    assert first.status_code == 201, first.text
    replay = client.post("/v1/admin/signers", content=body, headers=headers)
    assert replay.status_code == 409 and replay.json()["code"] == "nonce_replayed"
    other_body = json.dumps({"did": key.did, "role": "auditor"}).encode()
    tampered = client.post("/v1/admin/signers", content=other_body,
                           headers={**signed_header(client, admin_key, "POST", "/v1/admin/signers", body),
                                    "content-type": "application/json"})  # fmt: skip
    assert tampered.status_code == 401
    stranger = signed_header(client, SigningKey.generate(), "POST", "/v1/admin/signers", other_body)
    assert client.post("/v1/admin/signers", content=other_body, headers=stranger).status_code == 401


def test_health(client: TestClient, auditor: SigningKey) -> None:
    client.post("/v1/attestations", json=signed_audit(auditor).to_dict())
    health = client.get("/v1/health").json()
    assert health["status"] == "ok" and health["database"]["ok"] and health["chain"]["ok"]
    assert health["anchoring"]["pendingRecords"] == 1


@pytest.mark.parametrize("path", ["/openapi.json", "/docs"])
def test_docs_are_served(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200
