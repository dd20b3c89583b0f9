"""``/v1/admin/signers/{did}/scopes``: grant a signer's role a facility scope (or a raw
bytes32 one) in AttesterRegistry and revoke it; ``GET /v1/admin/signers`` lists the scopes.
A refused request is problem+json with a stable code and sends nothing to the chain."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.problems import problem_body
from ledger.chain.contracts import facility_scope
from ledger.errors import NotInScope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger

FAC_1 = "0x" + facility_scope("fac-1").hex()
RAW = "0x" + "5c" * 32


@pytest.fixture
def employer(ledger: Ledger) -> SigningKey:
    key = SigningKey.generate()
    ledger.accredit(key.did, Role.EMPLOYER)
    return key


def grant(client: TestClient, did: str, body: Any, headers: dict[str, str]) -> Any:
    return client.post(f"/v1/admin/signers/{did}/scopes", json=body, headers=headers)


def test_grant_a_facility_list_it_and_revoke_it(
    client: TestClient, ledger: Ledger, employer: SigningKey, admin_headers: dict[str, str]
) -> None:
    response = grant(client, employer.did, {"role": "employer", "facility": "fac-1"}, admin_headers)

    assert response.status_code == 201, response.text
    result = response.json()
    assert result["did"] == employer.did and result["role"] == "employer"
    assert result["scope"]["scope"] == FAC_1 and result["scope"]["facility"] == "fac-1"
    assert result["scope"]["grantedAt"] and result["scope"]["revokedAt"] is None
    granted, _ = ledger.registry.scope_of(
        employer.verify_key, Role.EMPLOYER, facility_scope("fac-1")
    )
    assert granted is not None

    listed = client.get("/v1/admin/signers", headers=admin_headers).json()
    (signer,) = [s for s in listed if s["did"] == employer.did]
    assert signer["scopes"] == [result["scope"]]

    response = client.delete(
        f"/v1/admin/signers/{employer.did}/scopes/{FAC_1}",
        params={"role": "employer"},
        headers=admin_headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"]["revokedAt"] is not None
    assert ledger.registry.scope_of(employer.verify_key, Role.EMPLOYER, facility_scope("fac-1"))[1]


def test_a_raw_scope_has_no_facility_and_a_facility_id_revokes_by_name(
    client: TestClient, employer: SigningKey, admin_headers: dict[str, str]
) -> None:
    response = grant(client, employer.did, {"role": "employer", "scope": RAW}, admin_headers)
    assert response.status_code == 201, response.text
    assert response.json()["scope"] == {**response.json()["scope"], "scope": RAW, "facility": None}

    grant(client, employer.did, {"role": "employer", "facility": "IN2019067X1K87E"}, admin_headers)
    response = client.delete(
        f"/v1/admin/signers/{employer.did}/scopes/IN2019067X1K87E",
        params={"role": "3"},  # the role's number works too
        headers=admin_headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"]["facility"] == "IN2019067X1K87E"


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"role": "employer"}, 422, "schema_violation", "body"),
        ({"role": "employer", "facility": "fac-1", "scope": RAW}, 422, "schema_violation", "body"),
        ({"role": "employer", "facility": "fac 1"}, 422, "schema_violation", "body.facility"),
        ({"role": "employer", "facility": "f" * 65}, 422, "schema_violation", "body.facility"),
        ({"role": "employer", "scope": RAW.upper()}, 422, "schema_violation", "body.scope"),
        ({"role": "employer", "scope": RAW[:-2]}, 422, "schema_violation", "body.scope"),
        ({"role": "employer", "scope": "0x" + "00" * 32}, 422, "schema_violation", "scope"),
        ({"role": "boss", "facility": "fac-1"}, 422, "schema_violation", "body.role"),
        ({"role": "employer", "facility": "fac-1", "label": "x"}, 422, "schema_violation",
         "body.label"),
        (["employer"], 422, "schema_violation", "body"),
        ({"role": "auditor", "facility": "fac-1"}, 404, "not_found", None),  # not accredited so
    ],
)  # fmt: skip
def test_bad_grants_are_refused_and_send_nothing(
    client: TestClient,
    ledger: Ledger,
    employer: SigningKey,
    admin_headers: dict[str, str],
    body: Any,
    status: int,
    code: str,
    field: str | None,
) -> None:
    head, before = ledger.client.block_number(), ledger.signers()

    response = grant(client, employer.did, body, admin_headers)

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    if field is not None:
        assert response.json()["field"] == field
    assert ledger.client.block_number() == head and ledger.signers() == before


def test_refusals_by_did_and_token(
    client: TestClient, ledger: Ledger, employer: SigningKey, admin_headers: dict[str, str]
) -> None:
    head = ledger.client.block_number()
    body = {"role": "employer", "facility": "fac-1"}
    cases = [
        (grant(client, "did:key:zNotAKey", body, admin_headers), 422, "invalid_key"),
        (grant(client, SigningKey.generate().did, body, admin_headers), 404, "not_found"),
        (grant(client, employer.did, body, {}), 401, "unauthorized"),
        (grant(client, employer.did, body, {"Authorization": "Bearer wrong"}), 401, "unauthorized"),
        (client.delete(f"/v1/admin/signers/{employer.did}/scopes/{FAC_1}",
                       params={"role": "employer"}), 401, "unauthorized"),
    ]  # fmt: skip
    for response, status, code in cases:
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert ledger.client.block_number() == head


@pytest.mark.parametrize(
    ("scope", "params", "status", "code", "field"),
    [
        (FAC_1, {}, 422, "schema_violation", "query.role"),
        (FAC_1, {"role": "boss"}, 422, "schema_violation", "query.role"),
        (FAC_1, {"role": "7"}, 422, "schema_violation", "query.role"),
        (FAC_1, {"role": "r" * 17}, 422, "schema_violation", "query.role"),
        ("0x" + "AB" * 32, {"role": "employer"}, 422, "schema_violation", "path.scope"),
        ("fac 1", {"role": "employer"}, 422, "schema_violation", "path.scope"),
        ("f" * 67, {"role": "employer"}, 422, "schema_violation", "path.scope"),
        (RAW, {"role": "employer"}, 404, "not_found", None),  # never granted
    ],
)
def test_bad_revocations_are_refused_and_send_nothing(
    client: TestClient,
    ledger: Ledger,
    employer: SigningKey,
    admin_headers: dict[str, str],
    scope: str,
    params: dict[str, str],
    status: int,
    code: str,
    field: str | None,
) -> None:
    grant(client, employer.did, {"role": "employer", "facility": "fac-1"}, admin_headers)
    head, before = ledger.client.block_number(), ledger.signers()

    response = client.delete(
        f"/v1/admin/signers/{employer.did}/scopes/{scope}", params=params, headers=admin_headers
    )

    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    if field is not None:
        assert response.json()["field"] == field
    assert ledger.client.block_number() == head and ledger.signers() == before


def test_revoking_twice_is_a_conflict(
    client: TestClient, ledger: Ledger, employer: SigningKey, admin_headers: dict[str, str]
) -> None:
    grant(client, employer.did, {"role": "employer", "facility": "fac-1"}, admin_headers)
    url = f"/v1/admin/signers/{employer.did}/scopes/fac-1"
    assert client.delete(url, params={"role": "employer"}, headers=admin_headers).status_code == 200
    head = ledger.client.block_number()

    again = client.delete(url, params={"role": "employer"}, headers=admin_headers)

    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    assert ledger.client.block_number() == head


def test_not_in_scope_is_a_403_problem_with_its_scope() -> None:
    error = NotInScope("not scoped", role="employer", scope=FAC_1)
    body = problem_body(error)
    assert (body["status"], body["code"], body["check"]) == (
        403,
        "not_in_scope",
        "signer_accredited",
    )
    assert body["scope"] == FAC_1 and body["role"] == "employer"
    assert body["type"].endswith("/not_in_scope")
