"""``ledger vc serve``: the issuer's own VC API issuer (``POST /credentials/issue``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.vc_issuer import ISSUE_PATH, create_issuer_app
from credentials.dataintegrity import SUITES
from credentials.loader import (
    CREDENTIALS_CONTEXT_V1,
    CREDENTIALS_CONTEXT_V2,
    DATA_INTEGRITY_CONTEXT_V2,
)
from credentials.verifier import verify_credential
from ledger.chain.anvil import free_port
from ledger.keyfile import save_key_file
from ledger.keys import SigningKey
from tests.api.live import wait_until_answering
from tests.credentials.worker_support import FAST_KDF

BOTH = pytest.mark.parametrize("suite", SUITES)
LEDGER = [sys.executable, "-c", "from api.cli import main; main()"]
PASSPHRASE = "correct horse battery"


@pytest.fixture
def issuer() -> SigningKey:
    return SigningKey(bytes(range(32)))


def v1_credential(**members: Any) -> dict[str, Any]:
    return {
        "@context": [CREDENTIALS_CONTEXT_V1],
        "id": "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
        "type": ["VerifiableCredential"],
        "issuanceDate": "2020-03-16T22:37:26.544Z",
        "credentialSubject": {"id": "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"},
        **members,
    }


def v2_credential(**members: Any) -> dict[str, Any]:
    return {
        "@context": [CREDENTIALS_CONTEXT_V2],
        "id": "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"},
        **members,
    }


@pytest.fixture(params=SUITES)
def service(request: pytest.FixtureRequest, issuer: SigningKey) -> Iterator[TestClient]:
    with TestClient(create_issuer_app(issuer, request.param)) as client:
        yield client


def issue(client: TestClient, credential: Any, **options: Any) -> Any:
    return client.post(ISSUE_PATH, json={"credential": credential, "options": options})


def issued(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    vc: dict[str, Any] = response.json()["verifiableCredential"]
    return vc


def test_issues_vc_2_0_as_the_key(service: TestClient, issuer: SigningKey) -> None:
    vc = issued(issue(service, v2_credential(issuer=issuer.did)))
    assert vc["@context"] == [CREDENTIALS_CONTEXT_V2]
    verification = verify_credential(vc)
    assert [p.controller for p in verification.proofs] == [issuer.did]


def test_vc_1_1_gets_the_data_integrity_context(service: TestClient, issuer: SigningKey) -> None:
    vc = issued(issue(service, v1_credential()))  # no issuer: it is filled in
    assert vc["issuer"] == issuer.did
    assert vc["@context"] == [CREDENTIALS_CONTEXT_V1, DATA_INTEGRITY_CONTEXT_V2]
    verify_credential(vc)
    again = issued(issue(service, v1_credential(**{"@context": CREDENTIALS_CONTEXT_V1})))
    assert again["@context"] == [CREDENTIALS_CONTEXT_V1, DATA_INTEGRITY_CONTEXT_V2]


def test_options_reach_the_proof(service: TestClient, issuer: SigningKey) -> None:
    options = {
        "created": "2026-01-05T09:30:00Z",
        "challenge": "c-1",
        "domain": "verifier.example",
        "expires": "2999-01-01T00:00:00Z",
        "proofPurpose": "authentication",
    }
    proof = issued(issue(service, v2_credential(issuer={"id": issuer.did}), **options))["proof"]
    assert {name: proof[name] for name in ("created", "challenge", "domain", "expires")} == {
        name: options[name] for name in ("created", "challenge", "domain", "expires")
    }
    assert proof["proofPurpose"] == "authentication"


@BOTH
def test_the_cryptosuite_is_the_services(issuer: SigningKey, suite: str) -> None:
    other = next(s for s in SUITES if s != suite)
    with TestClient(create_issuer_app(issuer, suite)) as client:
        assert (
            issued(issue(client, v2_credential(), cryptosuite=suite))["proof"]["cryptosuite"]
            == suite
        )
        refused = issue(client, v2_credential(), cryptosuite=other)
    assert refused.status_code == 422 and refused.json()["field"] == "options.cryptosuite"


@pytest.mark.parametrize(
    ("credential", "code"),
    [
        (v2_credential(issuer="did:key:z6MkhWqdDBPojHA7cprTGTt5yHv5yUi1B8cnXn8ReLumkw6E"), "schema_violation"),
        (v2_credential(proof={"type": "DataIntegrityProof"}), "schema_violation"),
        ({k: v for k, v in v2_credential().items() if k != "credentialSubject"}, "credential_invalid"),
        (v2_credential(type=["VerifiableCredential", "InvalidType"]), "relative_iri"),
        (v1_credential(type=["VerifiableCredential", "InvalidType"]), "relative_iri"),
        (v1_credential(credentialSubject={"id": "did:example:1", "invalidTerm": "x"}), "undefined_term"),
        (v2_credential(**{"@context": ["https://example.org/v1"]}), "credential_invalid"),
        ("{}", "schema_violation"),
    ],
)  # fmt: skip
def test_refuses_what_it_will_not_sign(service: TestClient, credential: Any, code: str) -> None:
    response = issue(service, credential)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


def test_request_bounds(service: TestClient) -> None:
    big = service.post(
        ISSUE_PATH,
        content=b'{"credential": "' + b"x" * 256_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert big.status_code == 413
    assert issue(service, v2_credential(), created="x" * 513).status_code == 422
    deep = service.post(
        ISSUE_PATH, content=b"[" * 10_000, headers={"content-type": "application/json"}
    )
    assert deep.status_code == 400


def test_a_token_is_required_when_set(issuer: SigningKey) -> None:
    with TestClient(create_issuer_app(issuer, SUITES[0], token="s3cret-token")) as client:
        body = {"credential": v2_credential()}
        assert client.post(ISSUE_PATH, json=body).status_code == 401
        wrong = {"Authorization": "Bearer wrong"}
        assert client.post(ISSUE_PATH, json=body, headers=wrong).status_code == 401
        right = {"Authorization": "Bearer s3cret-token"}
        assert client.post(ISSUE_PATH, json=body, headers=right).status_code == 201


def test_the_key_is_never_in_an_answer(service: TestClient, issuer: SigningKey) -> None:
    secret = issuer.multibase
    texts = [
        issue(service, v2_credential()).text,
        issue(service, v2_credential(issuer="did:example:x")).text,
        service.get("/openapi.json").text,
    ]
    for text in texts:
        assert issuer.seed.hex() not in text
        assert secret not in text


# -- the CLI -------------------------------------------------------------------------------


@pytest.fixture
def key_file(tmp_path: Path, issuer: SigningKey) -> Path:
    path = tmp_path / "issuer.key"
    save_key_file(path, issuer, PASSPHRASE, **FAST_KDF)
    return path


@BOTH
def test_ledger_vc_serve_issues_over_http(key_file: Path, issuer: SigningKey, suite: str) -> None:
    port = free_port()
    env = {**os.environ, "LEDGER_KEY_PASSPHRASE": PASSPHRASE}
    env.pop("LEDGER_VC_SERVE_TOKEN", None)
    command = [*LEDGER, "vc", "serve", "--key", str(key_file), "--suite", suite]
    process = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_answering(base + "/openapi.json", process, "ledger vc serve")
        response = httpx.post(base + ISSUE_PATH, json={"credential": v1_credential()}, timeout=30)
        vc = issued(response)
        assert vc["proof"]["cryptosuite"] == suite
        assert verify_credential(vc).proofs[0].controller == issuer.did
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert f"issuing as {issuer.did} with {suite}" in stderr.decode()
    assert PASSPHRASE not in stderr.decode()


def test_ledger_vc_serve_needs_a_token_off_loopback(key_file: Path) -> None:
    env = {**os.environ, "LEDGER_KEY_PASSPHRASE": PASSPHRASE}
    env.pop("LEDGER_VC_SERVE_TOKEN", None)
    command = [*LEDGER, "vc", "serve", "--key", str(key_file), "--suite", SUITES[0]]
    result = subprocess.run(
        [*command, "--host", "0.0.0.0"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert b"LEDGER_VC_SERVE_TOKEN" in result.stderr


def test_ledger_vc_serve_wrong_passphrase(key_file: Path) -> None:
    env = {**os.environ, "LEDGER_KEY_PASSPHRASE": "wrong"}
    command = [*LEDGER, "vc", "serve", "--key", str(key_file), "--suite", SUITES[0]]
    result = subprocess.run(command, env=env, capture_output=True, timeout=60)
    assert result.returncode == 1
    assert b"--key" in result.stderr and str(key_file).encode() not in result.stderr


def test_what_it_issues_verifies_in_digital_bazaars_verifier(issuer: SigningKey) -> None:
    from tests.credentials.test_independent_verifier import run_verifier

    issued_vcs = []
    for suite in SUITES:
        with TestClient(create_issuer_app(issuer, suite)) as client:
            issued_vcs += [
                issued(issue(client, v1_credential())),
                issued(issue(client, v2_credential())),
            ]
    tampered = {**issued_vcs[0], "issuanceDate": "2020-03-16T22:37:27.544Z"}
    code, verdicts = run_verifier([*issued_vcs, tampered])
    assert code == 1
    assert [v["verified"] for v in verdicts] == [True, True, True, True, False], verdicts
    assert [v["cryptosuite"] for v in verdicts[:4]] == [SUITES[0], SUITES[0], SUITES[1], SUITES[1]]
