"""Bitstring Status Lists through the API: issuers publish their signed revocation lists
(kind ``status_list``, code 12), the API serves them at the URL the credentials name, and
Digital Bazaar's status list library reads them. Revoking through the contract path or the
list path shows in both; every refused list is problem+json with its own code and changes
nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from credentials.dataintegrity import add_proof
from credentials.status_list import (
    LIST_BYTES,
    MAX_ENCODED_LIST,
    StatusListEntry,
    issue_status_list,
    set_bits,
)
from credentials.worker import parse_worker_credential, registration_payload
from domain.workers.models import StatusListEntryRow, StatusListRow
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.store.db import session_scope
from ledger.store.models import RecordRow
from tests.api.test_credentials import status_change
from tests.credentials.vc_support import ROOT
from tests.credentials.worker_support import accredited, chain_status, issue

PROBLEM = "application/problem+json"
VERIFIER = ROOT / "tools" / "independent-verifier" / "verify.mjs"
EMPTY = bytes(LIST_BYTES)


def slug(key: SigningKey) -> str:
    return key.did.removeprefix("did:key:")


def state(client: TestClient, issuer: SigningKey) -> dict[str, Any]:
    response = client.get(f"/v1/status-lists/{slug(issuer)}/revocation/state")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def listed(
    ledger: Ledger, client: TestClient, issuer: SigningKey
) -> tuple[dict[str, Any], StatusListEntry]:
    """A registered credential of ``issuer`` at a free index of its list."""
    now = state(client, issuer)
    entry = StatusListEntry(now["url"], now["freeIndex"])
    credential, _ = issue(ledger, issuer, SigningKey.generate(), status_list=entry)
    return credential, entry


_clock = [datetime.now(UTC).replace(microsecond=0)]


def signed_list(
    issuer: SigningKey,
    url: str,
    indexes: list[int],
    *,
    signer: SigningKey | None = None,
    valid_from: datetime | None = None,
) -> dict[str, Any]:
    """A list credential as ``issuer``'s tooling signs it, in an envelope (each one a second
    after the last, so validFrom keeps rising)."""
    _clock[0] = max(_clock[0] + timedelta(seconds=1), datetime.now(UTC).replace(microsecond=0))
    document = issue_status_list(
        issuer, url, set_bits(EMPTY, indexes), valid_from=valid_from or _clock[0]
    )
    return envelope_of(document, signer or issuer)


def envelope_of(document: dict[str, Any], signer: SigningKey) -> dict[str, Any]:
    payload = {"schema": "status-list/v1", "credential": document}
    return sign_envelope("status_list", payload, signer).to_dict()


def publish(client: TestClient, envelope: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/status-lists", json=envelope)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def served(client: TestClient, issuer: SigningKey) -> dict[str, Any]:
    response = client.get(f"/v1/status-lists/{slug(issuer)}/revocation")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def db_verdict(credential: dict[str, Any], status_list: dict[str, Any]) -> tuple[int, Any]:
    """Digital Bazaar's verifier, given the list as the API serves it."""
    node = shutil.which("node")
    assert node, "node is required (see tools/setup.sh)"
    with tempfile.TemporaryDirectory() as folder:
        files = Path(folder)
        (files / "credential.json").write_text(json.dumps(credential), encoding="utf-8")
        (files / "list.json").write_text(json.dumps(status_list), encoding="utf-8")
        completed = subprocess.run(
            [node, str(VERIFIER), "--status-list", str(files / "list.json"),
             str(files / "credential.json")],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert completed.stderr == "", completed.stderr
    return completed.returncode, json.loads(completed.stdout)


def counts(ledger: Ledger) -> tuple[int, int, str | None]:
    with session_scope(ledger.engine) as session:
        rows = session.exec(select(StatusListRow)).all()
        return (
            int(session.exec(select(func.count()).select_from(RecordRow)).one()),
            len(rows),
            ",".join(sorted(r.record_id for r in rows)) or None,
        )


def test_state_names_the_url_and_a_free_index(client: TestClient, ngo: SigningKey) -> None:
    body = state(client, ngo)
    assert body["url"] == f"http://127.0.0.1:8000/v1/status-lists/{slug(ngo)}/revocation"
    assert body["size"] == 131_072 and body["revoked"] == [] and body["recordId"] is None
    assert 0 <= body["freeIndex"] < 131_072
    missing = client.get(f"/v1/status-lists/{slug(ngo)}/revocation")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    for path in (f"{slug(ngo)}/suspension", "z6Mknot-a-key/revocation", "x" * 300 + "/revocation"):
        response = client.get(f"/v1/status-lists/{path}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), path


def test_revocation_through_either_path_shows_in_both(
    client: TestClient, ledger: Ledger, ngo: SigningKey
) -> None:
    first, first_at = listed(ledger, client, ngo)
    second, second_at = listed(ledger, client, ngo)
    assert first_at.index != second_at.index
    url = first_at.url
    accepted = publish(client, signed_list(ngo, url, []))
    assert accepted["revoked"] == [] and accepted["status"] == "pending"

    response = client.get(f"/v1/status-lists/{slug(ngo)}/revocation")
    assert response.headers["content-type"] == "application/vc"
    assert response.headers["cache-control"] == "public, max-age=60, must-revalidate"
    assert response.headers["x-status-list-record"] == accepted["id"]
    again = client.get(
        f"/v1/status-lists/{slug(ngo)}/revocation",
        headers={"if-none-match": response.headers["etag"]},
    )
    assert again.status_code == 304
    code, verdict = db_verdict(first, response.json())
    assert (code, verdict["statusList"], verdict["errors"]) == (0, "active", [])

    # The contract path: a credential_status record, then the issuer re-signs the list
    # from the ledger's state (as `ledger vc revoke` does).
    first_id = parse_worker_credential(first).status_id
    assert client.post(
        "/v1/credentials/status", json=status_change(ngo, first, "revoke")
    ).is_success
    assert chain_status(ledger, first_id) == "revoked"
    required = state(client, ngo)["revoked"]
    assert required == [first_at.index]
    publish(client, signed_list(ngo, url, required))
    code, verdict = db_verdict(first, served(client, ngo))
    assert (code, verdict["verified"], verdict["statusList"]) == (1, False, "revoked")
    code, verdict = db_verdict(second, served(client, ngo))
    assert (code, verdict["statusList"]) == (0, "active")

    # The list path only: a bit newly set revokes on the ledger and, relayed, on chain.
    second_id = parse_worker_credential(second).status_id
    body = publish(client, signed_list(ngo, url, [first_at.index, second_at.index]))
    assert body["revoked"] == [second_id]
    assert client.get(f"/v1/credentials/{second_id}").json()["status"] == "revoked"
    assert chain_status(ledger, second_id) == "revoked"
    code, verdict = db_verdict(second, served(client, ngo))
    assert (code, verdict["statusList"]) == (1, "revoked")
    reinstate = client.post("/v1/credentials/status", json=status_change(ngo, second, "reinstate"))
    assert (reinstate.status_code, reinstate.json()["code"]) == (409, "conflict")


def test_list_is_anchored_like_any_record(
    client: TestClient, ledger: Ledger, ngo: SigningKey, admin_headers: dict[str, str]
) -> None:
    _, entry = listed(ledger, client, ngo)
    accepted = publish(client, signed_list(ngo, entry.url, []))
    assert client.post("/v1/admin/anchor", headers=admin_headers).status_code == 200
    receipt = client.get(f"/v1/records/{accepted['id']}/receipt")
    assert receipt.status_code == 200, receipt.text  # public: a list holds no personal data
    assert ledger.check_receipt(receipt.json()).ok


def _refused(
    client: TestClient, ledger: Ledger, envelope: dict[str, Any], status: int, code: str
) -> None:
    before = counts(ledger)
    response = client.post("/v1/status-lists", json=envelope)
    assert (response.status_code, response.json().get("code")) == (status, code), response.text
    assert response.headers["content-type"] == PROBLEM
    assert counts(ledger) == before


def _with_encoded(envelope_issuer: SigningKey, url: str, encoded: str) -> dict[str, Any]:
    document = json.loads(json.dumps(signed_list(envelope_issuer, url, [])["payload"]))
    document = document["credential"]
    document["credentialSubject"]["encodedList"] = encoded
    return envelope_of(document, envelope_issuer)


def test_refused_lists_change_nothing(
    client: TestClient, ledger: Ledger, ngo: SigningKey, inspector: SigningKey
) -> None:
    import base64
    import gzip

    revoked, entry = listed(ledger, client, ngo)
    url = entry.url
    publish(client, signed_list(ngo, url, []))
    assert client.post(
        "/v1/credentials/status", json=status_change(ngo, revoked, "revoke")
    ).is_success
    good = signed_list(ngo, url, [entry.index])
    other = accredited(ledger, Role.ISSUER)

    def b64(raw: bytes) -> str:
        return "u" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    # Another accredited issuer: its own list at our URL; our list under its signature;
    # our list with its proof.
    _refused(client, ledger, signed_list(other, url, [entry.index]), 422, "status_list_invalid")
    _refused(
        client, ledger, signed_list(ngo, url, [entry.index], signer=other), 403,
        "issuer_not_accredited",
    )  # fmt: skip
    ours = dict(good["payload"]["credential"])
    del ours["proof"]
    by_other = add_proof(ours, other, created=ours["validFrom"])
    _refused(client, ledger, envelope_of(by_other, ngo), 422, "verification_method_invalid")
    # Revocation is final.
    _refused(client, ledger, signed_list(ngo, url, []), 409, "status_list_clears_revoked")
    # Encodings: oversized, not multibase, not gzip, a gzip bomb, wrong size; a changed bit.
    for encoded, code in (
        ("u" + "A" * MAX_ENCODED_LIST, "status_list_too_large"),
        ("z" + "1" * 40, "status_list_encoding_invalid"),
        (b64(b"not gzip"), "status_list_encoding_invalid"),
        (b64(gzip.compress(bytes(8 * 1024 * 1024))), "status_list_too_large"),
        (b64(gzip.compress(bytes(100))), "status_list_invalid"),
        (b64(gzip.compress(set_bits(EMPTY, [entry.index, 1]))), "proof_signature_invalid"),
    ):
        _refused(client, ledger, _with_encoded(ngo, url, encoded), 422 if "proof" not in code
                 else 401, code)  # fmt: skip
    # Who may publish: a verifier; an unknown key; a forged signature.
    _refused(client, ledger, signed_list(ngo, url, [entry.index], signer=inspector), 403,
             "not_accredited")  # fmt: skip
    stranger = SigningKey.generate()
    _refused(client, ledger, signed_list(stranger, url, [], signer=stranger), 401, "unknown_signer")
    forged = {**good, "signature": signed_list(ngo, url, [1])["signature"]}
    _refused(client, ledger, forged, 401, "bad_signature")
    # Time: not after the served list; far in the future.
    stale = signed_list(ngo, url, [entry.index], valid_from=datetime(2026, 1, 1, tzinfo=UTC))
    _refused(client, ledger, stale, 409, "status_list_stale")
    future = signed_list(ngo, url, [entry.index], valid_from=datetime.now(UTC) + timedelta(days=1))
    _refused(client, ledger, future, 409, "status_list_stale")
    # The good one is accepted once; its replay is refused.
    publish(client, good)
    _refused(client, ledger, good, 409, "duplicate_record")


def test_registration_claims_a_free_bit(
    client: TestClient, ledger: Ledger, ngo: SigningKey
) -> None:
    credential, entry = listed(ledger, client, ngo)
    publish(client, signed_list(ngo, entry.url, [7]))  # a decoy bit no credential holds
    twin, _ = issue(ledger, ngo, SigningKey.generate(), status_list=entry, register=False)
    decoy, _ = issue(
        ledger, ngo, SigningKey.generate(), status_list=StatusListEntry(entry.url, 7),
        register=False,
    )  # fmt: skip
    other = accredited(ledger, Role.ISSUER)
    foreign, _ = issue(ledger, other, SigningKey.generate(), register=False)
    with session_scope(ledger.engine) as session:
        before = int(session.exec(select(func.count()).select_from(StatusListEntryRow)).one())
    for document, signer, changes, status, code in (
        (twin, ngo, {}, 409, "status_index_taken"),
        (decoy, ngo, {}, 409, "status_index_taken"),
        (foreign, other, {"statusList": {"url": entry.url, "index": 9}}, 422, "schema_violation"),
        (twin, ngo, {"statusList": {"url": entry.url, "index": 131_072}}, 422, "schema_violation"),
    ):
        payload = {**registration_payload(document), **changes}
        envelope = sign_envelope("credential", payload, signer).to_dict()
        response = client.post("/v1/credentials", json=envelope)
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
    with session_scope(ledger.engine) as session:
        after = int(session.exec(select(func.count()).select_from(StatusListEntryRow)).one())
    assert after == before
    assert state(client, ngo)["freeIndex"] not in (entry.index, 7)
    assert parse_worker_credential(credential).status_list == entry


@pytest.mark.parametrize("field", ["credential", "schema"])
def test_payload_shape(client: TestClient, ledger: Ledger, ngo: SigningKey, field: str) -> None:
    _, entry = listed(ledger, client, ngo)
    payload = signed_list(ngo, entry.url, [])["payload"]
    broken = {**payload, field: "x"}
    _refused(client, ledger, sign_envelope("status_list", broken, ngo).to_dict(), 422,
             "schema_violation")  # fmt: skip


def test_the_issuers_own_vc_api_service_signs_a_list_the_ledger_accepts(
    client: TestClient, ledger: Ledger, ngo: SigningKey
) -> None:
    """``ledger vc serve`` (the issuer's VC API issuer, holding its key) signs the list; the
    issuer's tooling posts it in its envelope: the service path of re-signing a list."""
    from api.vc_issuer import ISSUE_PATH, create_issuer_app

    revoked, entry = listed(ledger, client, ngo)
    publish(client, signed_list(ngo, entry.url, []))
    unsigned = dict(signed_list(ngo, entry.url, [entry.index])["payload"]["credential"])
    del unsigned["proof"]
    with TestClient(create_issuer_app(ngo, "eddsa-rdfc-2022")) as service:
        answer = service.post(ISSUE_PATH, json={"credential": unsigned})
    assert answer.status_code == 201, answer.text
    body = publish(client, envelope_of(answer.json()["verifiableCredential"], ngo))
    assert body["revoked"] == [parse_worker_credential(revoked).status_id]
    code, verdict = db_verdict(revoked, served(client, ngo))
    assert (code, verdict["statusList"]) == (1, "revoked")
