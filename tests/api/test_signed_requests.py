"""Signed requests cover everything they authorise: method, path *and query*, body, and the one
deployment they are for. Tried as an attacker replaying or trimming a captured header."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app, ledger_config
from api.settings import Settings
from domain import open_ledger
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.signed_request import request_authorization
from tests.api.conftest import signed_header


def test_the_query_string_is_signed(
    client: TestClient, ledger: Ledger, admin_key: SigningKey, admin_headers: dict[str, str]
) -> None:
    """Stripping ``?role=1`` from a signed revocation used to revoke every role."""
    key = SigningKey.generate()
    for role in ("auditor", "issuer"):
        body = {"did": key.did, "role": role}
        assert client.post("/v1/admin/signers", json=body, headers=admin_headers).status_code == 201
    target = f"/v1/admin/signers/{key.did}?role=1"
    header = signed_header(client, admin_key, "DELETE", target)
    stripped = client.delete(f"/v1/admin/signers/{key.did}", headers=header)
    assert (stripped.status_code, stripped.json()["code"]) == (401, "unauthorized")
    assert "query" in stripped.json()["detail"]
    other_query = client.delete(f"/v1/admin/signers/{key.did}?role=2", headers=header)
    assert other_query.status_code == 401
    roles = {s["role"]: s["revokedAt"] for s in ledger_signers(client, admin_headers, key.did)}
    assert roles == {"auditor": None, "issuer": None}  # nothing was revoked
    done = client.delete(target, headers=header)
    assert done.status_code == 200, done.text
    assert done.json()["revokedRoles"] == ["auditor"]


def ledger_signers(client: TestClient, headers: dict[str, str], did: str) -> list[dict[str, str]]:
    return [s for s in client.get("/v1/admin/signers", headers=headers).json() if s["did"] == did]


@pytest.fixture
def second_client(tmp_path: Path, admin_key: SigningKey) -> Iterator[TestClient]:
    """Another ledger (its own embedded EVM and database) that trusts the same admin key."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'second.db'}", admin_token="another-token-x9",
        admin_dids=[admin_key.did], worker=False,
    )  # fmt: skip
    other = open_ledger(ledger_config(settings))
    with TestClient(create_app(settings, ledger=other)) as test_client:
        yield test_client
    other.close()


def test_a_header_for_one_server_is_refused_by_another(
    client: TestClient, second_client: TestClient, admin_key: SigningKey
) -> None:
    """The same admin key on two servers: a header captured at one used to work at the other."""
    body = json.dumps({"did": SigningKey.generate().did, "role": "auditor"}).encode()
    header = signed_header(client, admin_key, "POST", "/v1/admin/signers", body)
    elsewhere = second_client.post(
        "/v1/admin/signers",
        content=body,
        headers={**header, "content-type": "application/json"},
    )
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (401, "unauthorized")
    assert "not this deployment" in elsewhere.json()["detail"]
    here = client.post(
        "/v1/admin/signers", content=body, headers={**header, "content-type": "application/json"}
    )
    assert here.status_code == 201, here.text


def test_audiences_differ_between_ledgers(client: TestClient, second_client: TestClient) -> None:
    first = client.get("/v1/health").json()["chain"]["audience"]
    second = second_client.get("/v1/health").json()["chain"]["audience"]
    assert first != second and first.startswith("urn:lpl:deployment:")


def test_a_request_without_audience_or_of_another_kind_is_refused(
    client: TestClient, ledger: Ledger, admin_key: SigningKey
) -> None:
    from ledger.canonical import canonicalize
    from ledger.envelope import sign_envelope

    def token(kind: str, payload: dict[str, str]) -> str:
        import base64

        envelope = sign_envelope(kind, payload, admin_key).to_dict()
        return "Envelope " + base64.urlsafe_b64encode(canonicalize(envelope)).decode().rstrip("=")

    body_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    old_style = token(
        "admin", {"method": "GET", "path": "/v1/admin/signers", "bodySha256": body_hash}
    )
    no_audience = token("request", {"method": "GET", "path": "/v1/admin/signers",
                                    "bodySha256": body_hash})  # fmt: skip
    for header in (old_style, no_audience):
        response = client.get("/v1/admin/signers", headers={"Authorization": header})
        assert response.status_code == 401, response.text


def test_investigators_are_not_told_they_are_not_admins(client: TestClient, ledger: Ledger) -> None:
    verifier = SigningKey.generate()
    ledger.accredit(verifier.did, Role.VERIFIER)
    target = "/v1/investigations/checkins"
    response = client.get(target, headers=signed_header(client, verifier, "GET", target))
    assert response.status_code == 401
    assert "accredited investigator" in response.json()["detail"]
    assert "admin" not in response.json()["detail"]


def test_since_must_name_its_offset(client: TestClient, ledger: Ledger) -> None:
    from urllib.parse import urlencode

    investigator = SigningKey.generate()
    ledger.accredit(investigator.did, Role.INVESTIGATOR)
    naive = "/v1/investigations/checkins?" + urlencode({"since": "2026-01-01T00:00:00"})
    refused = client.get(naive, headers=signed_header(client, investigator, "GET", naive))
    assert (refused.status_code, refused.json()["code"]) == (422, "schema_violation")


def test_a_bad_query_is_refused_before_the_investigators_nonce_is_spent(
    client: TestClient, ledger: Ledger
) -> None:
    from urllib.parse import quote

    from tests.api.state import changed, snapshot

    investigator = SigningKey.generate()
    ledger.accredit(investigator.did, Role.INVESTIGATOR)
    base = "/v1/investigations/checkins"
    before = snapshot(ledger)
    for query in ("limit=0", "limit=5001", "limit=x", "limit=%C2%B2", "since=yesterday",
                  "since=" + quote("2026-01-01T00:00:00")):  # fmt: skip
        target = f"{base}?{query}"
        bad = client.get(target, headers=signed_header(client, investigator, "GET", target))
        assert (bad.status_code, bad.json()["code"]) == (422, "schema_violation"), bad.text
    assert changed(before, snapshot(ledger)) == {}, "a refused read spent its nonce"
    target = f"{base}?limit=5000&since=" + quote("2026-01-01T00:00:00Z")
    good = client.get(target, headers=signed_header(client, investigator, "GET", target))
    assert good.status_code == 200, good.text
    assert changed(before, snapshot(ledger)) == {"used_nonces": (0, 1)}


def test_request_authorization_names_its_target(admin_key: SigningKey) -> None:
    header = request_authorization(admin_key, "GET", "/x?a=1", audience="urn:lpl:deployment:1:0x:y")
    assert header.startswith("Envelope ")
