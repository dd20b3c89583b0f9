"""Verifiers through the API: challenges, and presentations (JSON or QR) with every check
reported; replayed and expired presentations each have their own problem code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from credentials.dataintegrity import add_proof
from credentials.qr import encode_payload, read_qr_image, render_png
from credentials.wallet import Wallet
from ledger.keys import SigningKey
from ledger.service import Ledger
from ledger.timeutil import format_time, utcnow
from tests.credentials.vc_support import mutated
from tests.credentials.worker_support import checkin_envelope, wallet_for

CHECKS = [
    "shape", "credential_signature", "credential_validity", "presentation_signature",
    "holder_binding", "freshness", "registered", "issuer_accredited", "status", "challenge",
    "not_replayed",
]  # fmt: skip


def challenge(client: TestClient) -> str:
    response = client.get("/v1/presentations/challenge")
    assert response.status_code == 200
    return str(response.json()["challenge"])


def failed(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    return {c["check"]: c["code"] for c in body["checks"] if not c["ok"]}


def test_verify_json_reports_every_check(
    client: TestClient, ledger: Ledger, ngo: SigningKey, investigator: SigningKey
) -> None:
    wallet = wallet_for(ledger, ngo, investigator)
    presentation = wallet.present(challenge=challenge(client), domain="inspect.example.org")
    response = client.post("/v1/presentations/verify", json={"presentation": presentation})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verified"] is True and body["holder"] == wallet.did
    assert [c["check"] for c in body["checks"]] == CHECKS
    assert all(c["ok"] for c in body["checks"])


def test_qr_png_decodes_and_verifies(
    client: TestClient, ledger: Ledger, ngo: SigningKey, investigator: SigningKey
) -> None:
    wallet = wallet_for(ledger, ngo, investigator)
    presentation = wallet.present(challenge=challenge(client))
    scanned = read_qr_image(render_png(encode_payload(presentation)))  # zxing-cpp reads the PNG
    response = client.post("/v1/presentations/verify", json={"qr": scanned})
    assert response.status_code == 200, response.text
    assert response.json()["verified"] is True


def test_expired_presentation_has_its_own_code(
    client: TestClient, ledger: Ledger, ngo: SigningKey
) -> None:
    wallet = wallet_for(ledger, ngo)
    old = wallet.present(created=utcnow() - timedelta(minutes=6))
    response = client.post("/v1/presentations/verify", json={"presentation": old})
    assert (response.status_code, response.json()["code"]) == (422, "presentation_expired")
    assert failed(response) == {"freshness": "presentation_expired"}


def test_replayed_challenge_has_its_own_code(
    client: TestClient, ledger: Ledger, ngo: SigningKey, inspector: SigningKey
) -> None:
    wallet = wallet_for(ledger, ngo)
    used = challenge(client)
    first = wallet.present(challenge=used)
    accepted = client.post(
        "/v1/checkins", json={"presentation": first, "envelope": checkin_envelope(inspector, first)}
    )
    assert accepted.status_code == 201, accepted.text
    for presentation in (first, wallet.present(challenge=used)):  # the same QR, or a new one
        response = client.post("/v1/presentations/verify", json={"presentation": presentation})
        assert (response.status_code, response.json()["code"]) == (409, "challenge_replayed")
        assert failed(response)["challenge"] == "challenge_replayed"


def test_offline_presentation_verifies_and_cannot_be_reused(
    client: TestClient, ledger: Ledger, ngo: SigningKey, inspector: SigningKey
) -> None:
    wallet = wallet_for(ledger, ngo)
    offline = wallet.present()  # no challenge: the 5-minute window bounds it
    assert (
        client.post("/v1/presentations/verify", json={"presentation": offline}).status_code == 200
    )
    assert (
        client.post(
            "/v1/checkins",
            json={"presentation": offline, "envelope": checkin_envelope(inspector, offline)},
        ).status_code
        == 201
    )
    again = client.post("/v1/presentations/verify", json={"presentation": offline})
    assert (again.status_code, again.json()["code"]) == (409, "presentation_replayed")


@pytest.mark.parametrize(
    ("tamper", "status", "code", "check"),
    [
        ("credential value", 401, "proof_signature_invalid", "credential_signature"),
        ("presentation value", 401, "proof_signature_invalid", "presentation_signature"),
        ("other holder", 422, "holder_mismatch", "holder_binding"),
        ("unknown challenge", 422, "challenge_unknown", "challenge"),
        ("window too long", 422, "presentation_expired", "freshness"),
    ],
)
def test_each_failure_names_its_check(
    client: TestClient,
    ledger: Ledger,
    ngo: SigningKey,
    tamper: str,
    status: int,
    code: str,
    check: str,
) -> None:
    wallet = wallet_for(ledger, ngo)
    if tamper == "credential value":
        presentation = wallet.present()
        presentation = mutated(
            presentation,
            ("verifiableCredential", 0, "credentialSubject", "facility"),
            "fac-other-99",
        )
    elif tamper == "presentation value":
        presentation = mutated(
            wallet.present(), ("proof", "expires"), (utcnow() + timedelta(minutes=4)).isoformat()
        )
    elif tamper == "other holder":
        presentation = Wallet(SigningKey.generate(), credential=wallet.credential).present()
    elif tamper == "unknown challenge":
        presentation = wallet.present(challenge="not-issued-by-this-ledger-0001")
    else:  # correctly signed by the worker, but valid for 10 minutes
        unsigned = {k: v for k, v in wallet.present().items() if k != "proof"}
        start = utcnow().replace(microsecond=0)
        presentation = add_proof(
            unsigned, wallet.key, proof_purpose="authentication",
            created=format_time(start), expires=format_time(start + timedelta(minutes=10)),
        )  # fmt: skip
    response = client.post("/v1/presentations/verify", json={"presentation": presentation})
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert failed(response)[check] == code


def test_revoked_and_suspended_credentials_fail_the_status_check(
    client: TestClient, ledger: Ledger, ngo: SigningKey
) -> None:
    from credentials.worker import parse_worker_credential, status_change_payload
    from ledger.envelope import sign_envelope

    wallet = wallet_for(ledger, ngo)
    assert wallet.credential is not None
    status_id = parse_worker_credential(wallet.credential).status_id
    for action, code in (("suspend", "credential_suspended"), ("revoke", "credential_revoked")):
        envelope = sign_envelope("credential_status", status_change_payload(status_id, action), ngo)
        assert client.post("/v1/credentials/status", json=envelope.to_dict()).status_code == 200
        response = client.post("/v1/presentations/verify", json={"presentation": wallet.present()})
        assert (response.status_code, response.json()["code"]) == (409, code)
        assert failed(response) == {"status": code}


def test_unregistered_credential_and_bad_bodies(
    client: TestClient, ledger: Ledger, ngo: SigningKey
) -> None:
    unregistered = wallet_for(ledger, ngo, register=False)
    response = client.post(
        "/v1/presentations/verify", json={"presentation": unregistered.present()}
    )
    assert (response.status_code, response.json()["code"]) == (422, "credential_unregistered")
    for body, code in (
        ({}, "schema_violation"),
        ({"presentation": {}, "qr": "LPL1:"}, "schema_violation"),
        ({"qr": "HC1:NCFOXN%TS3DH"}, "qr_invalid"),
        ({"qr": "LPL1:%%%%"}, "qr_invalid"),
        ({"presentation": {"type": ["VerifiablePresentation"]}}, "schema_violation"),
    ):
        response = client.post("/v1/presentations/verify", json=body)
        assert response.status_code == 422 and response.json()["code"] == code, response.text
