"""``POST /credentials/verify``: the W3C VC API verifier (200 checks / 400 errors)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app, ledger_config
from api.ratelimit import bucket_of
from api.settings import Settings
from credentials.dataintegrity import SUITES, add_proof
from credentials.loader import CREDENTIALS_CONTEXT_V1, DATA_INTEGRITY_CONTEXT_V2
from credentials.proofsets import add_proof_to_set
from domain import open_ledger
from ledger.keys import SigningKey
from tests.credentials.vc_support import worker_credential

PATH = "/credentials/verify"
BOTH = pytest.mark.parametrize("suite", SUITES)


def settings_for(tmp: Any, **update: Any) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp / 'ledger.db'}", worker=False, **update)


@pytest.fixture(scope="module")
def vc_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = settings_for(tmp_path_factory.mktemp("vc"))
    ledger = open_ledger(ledger_config(settings))
    try:
        with TestClient(create_app(settings, ledger=ledger)) as client:
            yield client
    finally:
        ledger.close()


@pytest.fixture
def issuer() -> SigningKey:
    return SigningKey(bytes(range(32)))


@pytest.fixture
def holder() -> SigningKey:
    return SigningKey(bytes(range(32, 64)))


def v1_credential(issuer: SigningKey) -> dict[str, Any]:
    return {
        "@context": [CREDENTIALS_CONTEXT_V1, DATA_INTEGRITY_CONTEXT_V2],
        "id": "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
        "type": ["VerifiableCredential"],
        "issuer": issuer.did,
        "issuanceDate": "2020-03-16T22:37:26.544Z",
        "credentialSubject": {"id": "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"},
    }


def post(client: TestClient, credential: Any, **options: Any) -> Any:
    return client.post(PATH, json={"verifiableCredential": credential, "options": options})


def assert_refused(response: Any, code: str) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["checks"] == [] and body["warnings"] == []
    assert [error["code"] for error in body["errors"]] == [code]
    return dict(body["errors"][0])


@BOTH
def test_a_signed_credential_verifies(
    vc_client: TestClient, issuer: SigningKey, holder: SigningKey, suite: str
) -> None:
    signed = add_proof(worker_credential(issuer, holder), issuer, suite=suite)
    response = post(vc_client, signed, checks=["proof"])
    assert response.status_code == 200, response.text
    assert response.json() == {"checks": ["proof", "validity"], "warnings": [], "errors": []}


@BOTH
def test_vc_1_1_sets_and_chains_verify(
    vc_client: TestClient, issuer: SigningKey, suite: str
) -> None:
    signed = add_proof(v1_credential(issuer), issuer, suite=suite)
    assert post(vc_client, signed).status_code == 200
    chain = add_proof_to_set(
        add_proof_to_set(v1_credential(issuer), issuer, suite=suite, proof_id="urn:uuid:p1"),
        SigningKey.generate(),
        suite=suite,
        previous_proof="urn:uuid:p1",
    )
    assert post(vc_client, chain).status_code == 200
    chain["proof"][1]["previousProof"] = "urn:uuid:elsewhere"
    error = assert_refused(post(vc_client, chain), "previous_proof_invalid")
    assert error["check"] == "previous_proof"


@BOTH
def test_a_tampered_credential_is_refused_with_the_failed_check(
    vc_client: TestClient, issuer: SigningKey, suite: str
) -> None:
    signed = add_proof(v1_credential(issuer), issuer, suite=suite)
    signed["issuanceDate"] = "2020-03-16T22:37:27.544Z"
    error = assert_refused(post(vc_client, signed), "proof_signature_invalid")
    assert error["check"] == "signature"
    assert error["type"].endswith("/proof_signature_invalid") and error["status"] == 401


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda vc: vc.update(proof=None), "proof_missing"),
        (lambda vc: vc.pop("proof"), "proof_missing"),
        (lambda vc: vc["proof"].pop("proofValue"), "proof_signature_invalid"),
        (lambda vc: vc["proof"].update(proofValue=None), "proof_signature_invalid"),
        (lambda vc: vc["proof"].update(proofValue=vc["proof"]["proofValue"][1:]), "proof_signature_invalid"),
        (lambda vc: vc["proof"].pop("type"), "unsupported_cryptosuite"),
        (lambda vc: vc["proof"].update(cryptosuite="eddsa-2022"), "unsupported_cryptosuite"),
        (lambda vc: vc["proof"].pop("verificationMethod"), "verification_method_invalid"),
        (lambda vc: vc["proof"].pop("proofPurpose"), "proof_purpose_mismatch"),
        (lambda vc: vc["credentialSubject"].update(undefinedTerm="x"), "proof_context_invalid"),
        (lambda vc: vc["type"].append("UndefinedType"), "proof_context_invalid"),
        (lambda vc: vc.pop("credentialSubject"), "credential_invalid"),
        (lambda vc: vc.update(type=["Other"]), "credential_invalid"),
        (lambda vc: vc.update({"@context": [DATA_INTEGRITY_CONTEXT_V2]}), "credential_invalid"),
    ],
)  # fmt: skip
def test_what_the_w3c_suite_sends_is_refused(
    vc_client: TestClient, issuer: SigningKey, change: Any, code: str
) -> None:
    signed = add_proof(v1_credential(issuer), issuer)
    changed = copy.deepcopy(signed)
    change(changed)
    assert_refused(post(vc_client, changed), code)


@pytest.mark.parametrize(
    "dates",
    [
        {"expirationDate": "2021-01-01T00:00:00Z"},
        {"issuanceDate": "2999-01-01T00:00:00Z"},
        {"issuanceDate": None},
    ],
)
def test_vc_1_1_validity_period(
    vc_client: TestClient, issuer: SigningKey, dates: dict[str, Any]
) -> None:
    credential = {**v1_credential(issuer), **dates}
    expected = "credential_invalid" if None in dates.values() else "credential_not_valid"
    credential = {name: value for name, value in credential.items() if value is not None}
    assert_refused(post(vc_client, add_proof(credential, issuer)), expected)


def test_vc_2_0_validity_period(
    vc_client: TestClient, issuer: SigningKey, holder: SigningKey
) -> None:
    credential = {**worker_credential(issuer, holder), "validUntil": "2026-01-06T00:00:00Z"}
    assert_refused(post(vc_client, add_proof(credential, issuer)), "credential_not_valid")
    credential = {**worker_credential(issuer, holder), "validFrom": "2999-01-01T00:00:00Z"}
    assert_refused(post(vc_client, add_proof(credential, issuer)), "credential_not_valid")


@pytest.mark.parametrize("credential", ["{}", 7, None, []])
def test_a_credential_that_is_not_an_object(vc_client: TestClient, credential: Any) -> None:
    assert_refused(post(vc_client, credential), "credential_invalid")


def test_the_issuer_must_have_signed(
    vc_client: TestClient, issuer: SigningKey, holder: SigningKey
) -> None:
    signed = add_proof(v1_credential(issuer), holder)
    assert_refused(post(vc_client, signed), "issuer_proof_missing")


def test_challenge_and_domain_options(
    vc_client: TestClient, issuer: SigningKey, holder: SigningKey
) -> None:
    signed = add_proof(
        worker_credential(issuer, holder), issuer, challenge="c-123", domain="verifier.example"
    )
    assert post(vc_client, signed, challenge="c-123", domain="verifier.example").status_code == 200
    assert_refused(post(vc_client, signed, challenge="c-999"), "challenge_mismatch")
    assert_refused(post(vc_client, signed, domain="other.example"), "domain_mismatch")
    refused = post(vc_client, signed, expectedProofPurpose="authentication")
    assert_refused(refused, "proof_purpose_mismatch")


@pytest.mark.parametrize(
    "body",
    [
        {"credential": {}},
        {"verifiableCredential": {}, "options": []},
        {"verifiableCredential": {}, "options": {"challenge": 5}},
        {"verifiableCredential": {}, "options": {"challenge": "x" * 513}},
        {"verifiableCredential": {}, "options": {"checks": "proof"}},
        {"verifiableCredential": {}, "options": {"checks": ["proof"] * 9}},
        {"verifiableCredential": {}, "options": {"expectedProofPurpose": "capabilityInvocation"}},
        [],
    ],
)
def test_malformed_requests(vc_client: TestClient, body: Any) -> None:
    assert_refused(vc_client.post(PATH, json=body), "schema_violation")


def test_unperformed_checks_and_status_are_warnings(
    vc_client: TestClient, issuer: SigningKey, holder: SigningKey
) -> None:
    credential = worker_credential(issuer, holder)
    credential["credentialStatus"] = {
        "id": "urn:uuid:status",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://status.example/1",
    }
    signed = add_proof(credential, issuer)
    response = post(vc_client, signed, checks=["proof", "credentialStatus"])
    assert response.status_code == 200, response.text
    assert response.json()["warnings"] == [
        "credentialStatus was not checked (it needs the chain)",
        "check 'credentialStatus' is not performed",
    ]


def test_body_is_bounded_and_json_only(vc_client: TestClient, issuer: SigningKey) -> None:
    big = vc_client.post(
        PATH,
        content=b'{"verifiableCredential": "' + b"x" * 256_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert big.status_code == 413
    assert big.headers["content-type"] == "application/problem+json"
    assert big.json()["code"] == "body_too_large"
    deep = vc_client.post(PATH, content=b"[" * 10_000, headers={"content-type": "application/json"})
    assert deep.status_code == 400 and deep.json()["code"] == "malformed_json"
    text = vc_client.post(PATH, content=b"{}", headers={"content-type": "text/plain"})
    assert text.status_code == 415


def test_verification_is_rate_limited(tmp_path: Any, issuer: SigningKey) -> None:
    assert bucket_of("POST", PATH) == "verifications"
    assert bucket_of("GET", PATH) is None
    settings = settings_for(tmp_path, rate_verifications="2/minute")
    ledger = open_ledger(ledger_config(settings))
    try:
        with TestClient(create_app(settings, ledger=ledger)) as client:
            signed = add_proof(v1_credential(issuer), issuer)
            assert [post(client, signed).status_code for _ in range(3)] == [200, 200, 429]
    finally:
        ledger.close()


def test_a_poison_graph_is_refused_without_canonicalizing_for_minutes(
    vc_client: TestClient, issuer: SigningKey, holder: SigningKey
) -> None:
    """Eight blank nodes naming each other keep an unbounded RDFC-1.0 busy for minutes, and
    no valid signature is needed to make the verifier try: refused by the work limit."""
    credential = worker_credential(issuer, holder)
    credential["@context"] = [*credential["@context"], {"@vocab": "https://example.org/v#"}]
    credential["credentialSubject"]["graph"] = [
        {"@id": f"_:b{i}", "knows": [{"@id": f"_:b{j}"} for j in range(8) if j != i]}
        for i in range(8)
    ]
    signed = add_proof(credential, issuer, suite="eddsa-jcs-2022")
    signed["proof"]["cryptosuite"] = "eddsa-rdfc-2022"
    error = assert_refused(post(vc_client, signed), "proof_context_invalid")
    assert error["check"] == "context" and error["cause"] == "rdfc_too_complex"
