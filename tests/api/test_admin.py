"""Admin endpoints for the registry: suspend and reinstate beside accredit and revoke, by role;
every refusal is problem+json with its own code and changes nothing, and a server without the
registry admin's key answers 403 ``admin_key_missing`` naming the admin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from api.app import create_app, ledger_config
from api.settings import Settings
from domain import open_ledger
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from tests.api.conftest import signed_header
from tests.ledger.helpers import signed_audit

PROBLEM = "application/problem+json"


def signers(client: TestClient, headers: dict[str, str]) -> list[dict[str, object]]:
    response = client.get("/v1/admin/signers", headers=headers)
    assert response.status_code == 200
    return list(response.json())


def test_suspend_and_reinstate_a_signer(
    client: TestClient, ledger: Ledger, auditor: SigningKey, admin_headers: dict[str, str]
) -> None:
    suspended = client.post(f"/v1/admin/signers/{auditor.did}/suspend", headers=admin_headers)
    assert suspended.status_code == 200, suspended.text
    assert suspended.json() == {"did": auditor.did, "suspendedRoles": ["auditor"]}
    assert [s["suspended"] for s in signers(client, admin_headers)] == [True]
    refused = client.post("/v1/attestations", json=signed_audit(auditor).to_dict())
    assert (refused.status_code, refused.json()["code"]) == (403, "signer_suspended")

    again = client.post(f"/v1/admin/signers/{auditor.did}/suspend", headers=admin_headers)
    assert (again.status_code, again.json()["code"]) == (409, "conflict")

    reinstated = client.post(
        f"/v1/admin/signers/{auditor.did}/reinstate", params={"role": 1}, headers=admin_headers
    )
    assert reinstated.status_code == 200, reinstated.text
    assert reinstated.json() == {"did": auditor.did, "reinstatedRoles": ["auditor"]}
    accepted = client.post("/v1/attestations", json=signed_audit(auditor).to_dict())
    assert accepted.status_code == 201, accepted.text


def test_suspend_one_role(
    client: TestClient, ledger: Ledger, auditor: SigningKey, admin_headers: dict[str, str]
) -> None:
    ledger.accredit(auditor.did, Role.VERIFIER)
    response = client.post(
        f"/v1/admin/signers/{auditor.did}/suspend", params={"role": 5}, headers=admin_headers
    )
    assert response.json()["suspendedRoles"] == ["verifier"]
    held = {s["role"]: s["suspended"] for s in signers(client, admin_headers)}
    assert held == {"auditor": False, "verifier": True}


def test_signed_admin_request_suspends(
    client: TestClient, auditor: SigningKey, admin_key: SigningKey
) -> None:
    path = f"/v1/admin/signers/{auditor.did}/suspend"
    headers = signed_header(client, admin_key, "POST", path)
    assert client.post(path, headers=headers).status_code == 200
    # The same signed request again (its nonce is spent), or for another path: refused.
    replayed = client.post(path, headers=headers)
    assert (replayed.status_code, replayed.json()["code"]) == (409, "nonce_replayed")
    moved = client.post(path.replace("suspend", "reinstate"), headers=headers)
    assert moved.status_code == 401


@pytest.mark.parametrize("action", ["suspend", "reinstate"])
def test_refusals_have_their_own_codes(
    client: TestClient,
    ledger: Ledger,
    auditor: SigningKey,
    admin_headers: dict[str, str],
    action: str,
) -> None:
    before = signers(client, admin_headers)
    cases = [
        (f"/v1/admin/signers/{auditor.did}/{action}", {}, 401, "unauthorized"),
        (f"/v1/admin/signers/{SigningKey.generate().did}/{action}", admin_headers, 404,
         "not_found"),
        (f"/v1/admin/signers/did:key:zNotAKey/{action}", admin_headers, 422, "invalid_key"),
        (f"/v1/admin/signers/{auditor.did}/{action}?role=9", admin_headers, 422,
         "schema_violation"),
        (f"/v1/admin/signers/{auditor.did}/{action}?role=2", admin_headers, 404, "not_found"),
    ]  # fmt: skip
    for path, headers, status, code in cases:
        response = client.post(path, headers=headers)
        assert (response.status_code, response.json()["code"]) == (status, code), path
        assert response.headers["content-type"] == PROBLEM
    assert signers(client, admin_headers) == before


@pytest.fixture
def no_admin_client(database_url: str) -> Iterator[tuple[TestClient, Ledger, str]]:
    """The API over a ledger whose registry admin is an account it holds no key for."""
    admin = Account.create().address
    settings = Settings(
        database_url=database_url, admin_token="token-7c1d", admin_address=admin, worker=False
    )
    ledger = open_ledger(ledger_config(settings))
    with TestClient(create_app(settings, ledger=ledger)) as client:
        yield client, ledger, admin
    ledger.close()


def test_without_the_admin_key_every_registry_change_is_403(
    no_admin_client: tuple[TestClient, Ledger, str],
) -> None:
    client, ledger, admin = no_admin_client
    headers = {"Authorization": "Bearer token-7c1d"}
    did = SigningKey.generate().did
    head = ledger.client.block_number()
    for method, path, body in [
        ("POST", "/v1/admin/signers", {"did": did, "role": "auditor"}),
        ("POST", f"/v1/admin/signers/{did}/suspend", None),
        ("POST", f"/v1/admin/signers/{did}/reinstate", None),
        ("DELETE", f"/v1/admin/signers/{did}", None),
    ]:
        response = client.request(method, path, json=body, headers=headers)
        problem = response.json()
        assert (response.status_code, problem["code"]) == (403, "admin_key_missing"), path
        assert response.headers["content-type"] == PROBLEM
        assert problem["admin"] == admin and admin in problem["detail"]
        assert "mirrors it from the chain" in problem["detail"]
    assert ledger.client.block_number() == head
    assert signers(client, headers) == []
