"""Who reads what: an audit's receipt is public; a check-in's and a credential registration's
receipt (which carry the worker's did, the status id, the place and the devices) are for
their parties only, and a receipt a party downloads still verifies offline."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from credentials.worker import registration_payload
from domain.workers import WorkerCredentials
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from tests.api.conftest import signed_header
from tests.credentials.worker_support import accredited, checkin_envelope, issue, wallet_for
from tests.ledger.helpers import signed_audit


def receipt(client: TestClient, record_id: str, key: SigningKey | None = None) -> Any:
    target = f"/v1/records/{record_id}/receipt"
    headers = signed_header(client, key, "GET", target) if key is not None else None
    return client.get(target, headers=headers)


def test_an_audits_receipt_is_public(
    client: TestClient, ledger: Ledger, auditor: SigningKey, admin_headers: dict[str, str]
) -> None:
    record = client.post("/v1/attestations", json=signed_audit(auditor).to_dict()).json()["id"]
    client.post("/v1/admin/anchor", headers=admin_headers)
    response = receipt(client, record)
    assert response.status_code == 200 and ledger.check_receipt(response.json()).ok


def test_a_checkins_receipt_is_for_its_parties(
    client: TestClient,
    ledger: Ledger,
    ngo: SigningKey,
    inspector: SigningKey,
    investigator: SigningKey,
    admin_headers: dict[str, str],
) -> None:
    wallet = wallet_for(ledger, ngo, investigator)
    presentation = wallet.present()
    body = {"presentation": presentation, "envelope": checkin_envelope(inspector, presentation)}
    record = client.post("/v1/checkins", json=body).json()["id"]
    assert client.post("/v1/admin/anchor", headers=admin_headers).status_code == 200

    anonymous = receipt(client, record)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthorized")
    assert wallet.key.did not in anonymous.text
    other_verifier = accredited(ledger, Role.VERIFIER)
    for outsider in (SigningKey.generate(), other_verifier, accredited(ledger, Role.AUDITOR)):
        refused = receipt(client, record, outsider)
        assert (refused.status_code, refused.json()["code"]) == (403, "not_a_party")
        assert wallet.key.did not in refused.text
    for party in (wallet.key, inspector, ngo, investigator):
        response = receipt(client, record, party)
        assert response.status_code == 200, response.text
        downloaded = response.json()
        assert downloaded["envelope"]["payload"]["holder"] == wallet.key.did
        assert ledger.check_receipt(downloaded).ok  # still verifies offline
    # The public views say nothing that links a worker.
    public = client.get(f"/v1/checkins/{record}").json()
    assert wallet.key.did not in str(public)
    assert client.get(f"/v1/records/{record}").json()["kind"] == "checkin"


def test_a_registrations_receipt_is_for_its_parties(
    client: TestClient,
    ledger: Ledger,
    ngo: SigningKey,
    investigator: SigningKey,
    admin_headers: dict[str, str],
) -> None:
    holder = SigningKey.generate()
    credential, _ = issue(ledger, ngo, holder, register=False)
    envelope = sign_envelope("credential", registration_payload(credential), ngo).to_dict()
    record = WorkerCredentials(ledger).register(envelope).record_id
    assert client.post("/v1/admin/anchor", headers=admin_headers).status_code == 200
    assert receipt(client, record).status_code == 401
    assert receipt(client, record, accredited(ledger, Role.ISSUER)).status_code == 403
    for party in (holder, ngo, investigator):
        response = receipt(client, record, party)
        assert response.status_code == 200 and ledger.check_receipt(response.json()).ok
    view = client.get(f"/v1/credentials/{envelope['payload']['statusId']}").json()
    assert holder.did not in str(view)


def test_a_signed_read_cannot_be_replayed(
    client: TestClient, ledger: Ledger, ngo: SigningKey, admin_headers: dict[str, str]
) -> None:
    holder = SigningKey.generate()
    credential, _ = issue(ledger, ngo, holder, register=False)
    envelope = sign_envelope("credential", registration_payload(credential), ngo).to_dict()
    record = WorkerCredentials(ledger).register(envelope).record_id
    client.post("/v1/admin/anchor", headers=admin_headers)
    target = f"/v1/records/{record}/receipt"
    headers = signed_header(client, holder, "GET", target)
    assert client.get(target, headers=headers).status_code == 200
    again = client.get(target, headers=headers)
    assert (again.status_code, again.json()["code"]) == (409, "nonce_replayed")
