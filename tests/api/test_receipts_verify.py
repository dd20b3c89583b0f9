"""``POST /v1/receipts/verify``: this ledger's verdict on a receipt, every check reported
(what the /verify page shows beside the browser's own); problem+json for what is not a
receipt at all; the body is bounded like any other."""

from __future__ import annotations

import copy

from fastapi.testclient import TestClient

from api.settings import Settings
from ledger.keys import SigningKey
from tests.ledger.helpers import signed_audit

CHECKS = ["format", "signature", "leaf", "proof", "chain", "contract", "anchored",
          "signer_accredited", "kind", "anchored_at"]  # fmt: skip


def test_a_receipt_is_checked_and_a_tampered_one_names_its_failed_check(
    client: TestClient, auditor: SigningKey, admin_headers: dict[str, str]
) -> None:
    record = client.post("/v1/attestations", json=signed_audit(auditor).to_dict()).json()["id"]
    client.post("/v1/admin/anchor", headers=admin_headers)
    receipt = client.get(f"/v1/records/{record}/receipt").json()
    verdict = client.post("/v1/receipts/verify", json=receipt)
    assert verdict.status_code == 200
    body = verdict.json()
    assert body["valid"] is True and body["failedCheck"] is None
    assert [c["check"] for c in body["checks"]] == CHECKS
    assert all(c["ok"] is True for c in body["checks"])

    tampered = copy.deepcopy(receipt)
    tampered["envelope"]["payload"]["workersInterviewed"] = 999
    body = client.post("/v1/receipts/verify", json=tampered).json()
    assert body["valid"] is False and body["failedCheck"] == "signature"
    assert [c["ok"] for c in body["checks"]][:3] == [True, False, None]

    body = client.post("/v1/receipts/verify", json={"leaf": "0x00"}).json()
    assert body["valid"] is False and body["failedCheck"] == "format"


def test_what_is_not_a_receipt_is_a_problem(client: TestClient, settings: Settings) -> None:
    for content, status, code in ((b"{", 400, "malformed_json"), (b"[1]", 422, "schema_violation"),
                                  (b'{"a":1,"a":2}', 400, "malformed_json")):  # fmt: skip
        response = client.post("/v1/receipts/verify", content=content,
                               headers={"content-type": "application/json"})  # fmt: skip
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == code
    too_big = b'{"x":"' + b"a" * settings.max_body_bytes + b'"}'
    response = client.post("/v1/receipts/verify", content=too_big,
                           headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 413
    assert client.post("/v1/receipts/verify", content=b"{}").status_code == 415


def test_the_verify_page_renders_with_its_own_connect_src(client: TestClient) -> None:
    page = client.get("/verify", headers={"Accept": "text/html"})
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "connect-src 'self' https: http://127.0.0.1:* http://localhost:*;" in csp
    assert "script-src 'self' 'sha256-" in csp and "'unsafe-inline'" not in csp
    assert '<script type="module" src="/static/js/verify.mjs"></script>' in page.text
    assert " style=" not in page.text
    # every other page keeps connect-src 'self' alone
    assert "connect-src 'self';" in client.get("/").headers["content-security-policy"]
