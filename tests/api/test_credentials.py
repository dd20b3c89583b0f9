"""Issuers through the API: registration, status on chain, served contexts; every rejection
is problem+json with its own code and stores nothing."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import func, select

from credentials.loader import LABOUR_CONTEXT_V1, context_bytes
from credentials.worker import parse_worker_credential, registration_payload, status_change_payload
from domain.workers.models import WorkerCredentialRow
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.store.db import session_scope
from ledger.store.models import RecordRow
from tests.api.conftest import signed_header
from tests.credentials.worker_support import FACILITY, accredited, chain_status, issue

PROBLEM = "application/problem+json"


def counts(ledger: Ledger) -> tuple[int, int]:
    with session_scope(ledger.engine) as session:
        return (
            int(session.exec(select(func.count()).select_from(RecordRow)).one()),
            int(session.exec(select(func.count()).select_from(WorkerCredentialRow)).one()),
        )


def registration(issuer: SigningKey, credential: dict[str, Any], **changes: Any) -> dict[str, Any]:
    payload = {**registration_payload(credential), **changes}
    return sign_envelope("credential", payload, issuer).to_dict()


def status_change(issuer: SigningKey, credential: dict[str, Any], action: str) -> dict[str, Any]:
    status_id = parse_worker_credential(credential).status_id
    return sign_envelope(
        "credential_status", status_change_payload(status_id, action, 3), issuer
    ).to_dict()


def test_issuance_info_names_the_status_contract_and_investigators(
    client: TestClient, ledger: Ledger, investigator: SigningKey
) -> None:
    body = client.get("/v1/credentials/issuance").json()
    assert body["statusChainId"] == ledger.deployment.chain_id
    assert body["statusContract"] == ledger.deployment.address("CredentialStatus")
    assert body["statusType"] == "OnChainCredentialStatus"
    assert body["investigators"] == [investigator.did]


def test_register_read_and_anchor(
    client: TestClient, ledger: Ledger, ngo: SigningKey, admin_headers: dict[str, str]
) -> None:
    worker = SigningKey.generate()
    credential, _ = issue(ledger, ngo, worker, register=False)
    response = client.post("/v1/credentials", json=registration(ngo, credential))
    assert response.status_code == 201, response.text
    body = response.json()
    status_id = parse_worker_credential(credential).status_id
    assert body["statusId"] == status_id and body["status"] == "pending"
    assert response.headers["location"] == f"/v1/credentials/{status_id}"
    view = client.get(f"/v1/credentials/{status_id}").json()
    assert view["status"] == "active" and view["issuer"] == ngo.did and view["facility"] == FACILITY
    assert "holder" not in view  # a public holder did would link a worker's check-ins
    assert client.post("/v1/admin/anchor", headers=admin_headers).status_code == 200
    target = f"/v1/records/{body['id']}/receipt"
    assert client.get(target).status_code == 401  # it names the worker: parties only
    receipt = client.get(target, headers=signed_header(client, ngo, "GET", target)).json()
    assert ledger.check_receipt(receipt).ok


def test_registration_rejections_store_nothing(
    client: TestClient, ledger: Ledger, ngo: SigningKey, inspector: SigningKey
) -> None:
    worker = SigningKey.generate()
    credential, _ = issue(ledger, ngo, worker, register=False)
    before = counts(ledger)
    cases = [
        (registration(inspector, credential), 403, "not_accredited"),  # a verifier, not an issuer
        (registration(SigningKey.generate(), credential), 401, "unknown_signer"),
        (registration(ngo, credential, statusId="0x" + "ab" * 32), 422, "schema_violation"),
        (
            registration(ngo, credential, commitment={"scheme": "plain", "value": "00" * 32}),
            422,
            "schema_violation",
        ),
        (registration(ngo, credential, documentNumber="PA7730419"), 422, "schema_violation"),
        ({**registration(ngo, credential), "kind": "audit"}, 422, "schema_violation"),
    ]
    for envelope, status, code in cases:
        response = client.post("/v1/credentials", json=envelope)
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
        assert response.headers["content-type"] == PROBLEM
    assert counts(ledger) == before
    assert client.post("/v1/credentials", json=registration(ngo, credential)).status_code == 201
    again = client.post("/v1/credentials", json=registration(ngo, credential))
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    assert counts(ledger) == (before[0] + 1, before[1] + 1)


def test_suspend_reinstate_revoke_on_chain(
    client: TestClient, ledger: Ledger, ngo: SigningKey
) -> None:
    credential, _ = issue(ledger, ngo, SigningKey.generate())
    status_id = parse_worker_credential(credential).status_id
    for action, expected in (
        ("suspend", "suspended"),
        ("reinstate", "active"),
        ("revoke", "revoked"),
    ):
        response = client.post(
            "/v1/credentials/status", json=status_change(ngo, credential, action)
        )
        assert response.status_code == 200, response.text
        assert response.json()["credentialStatus"] == expected
        assert chain_status(ledger, status_id) == expected  # read from the contract
    assert client.get(f"/v1/credentials/{status_id}").json()["status"] == "revoked"
    final = client.post("/v1/credentials/status", json=status_change(ngo, credential, "reinstate"))
    assert (final.status_code, final.json()["code"]) == (409, "conflict")


def test_only_the_credentials_issuer_changes_its_status(
    client: TestClient, ledger: Ledger, ngo: SigningKey
) -> None:
    credential, _ = issue(ledger, ngo, SigningKey.generate())
    other = accredited(ledger, Role.ISSUER)
    before = counts(ledger)
    response = client.post(
        "/v1/credentials/status", json=status_change(other, credential, "revoke")
    )
    assert (response.status_code, response.json()["code"]) == (403, "issuer_not_accredited")
    assert counts(ledger) == before
    assert chain_status(ledger, parse_worker_credential(credential).status_id) == "active"
    unknown = sign_envelope(
        "credential_status", status_change_payload("0x" + "11" * 32, "revoke"), ngo
    )
    response = client.post("/v1/credentials/status", json=unknown.to_dict())
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_our_context_is_served_byte_for_byte(client: TestClient) -> None:
    path = LABOUR_CONTEXT_V1.removeprefix("https://ledger.labour-provenance.org")
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert response.content == context_bytes(LABOUR_CONTEXT_V1)
    assert response.headers["etag"] == '"' + hashlib.sha256(response.content).hexdigest() + '"'
    cached = client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert cached.status_code == 304
    missing = client.get("/contexts/labour/v9.jsonld")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
