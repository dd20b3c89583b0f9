"""Possession check-ins through the API: signed by worker and verifier, anchored; duress seen
only by investigators; coercion patterns flagged; the facility's ID-possession rate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from credentials.possession import document_matches
from credentials.signal import open_signal, signal_binding
from domain.workers.models import CheckinRow, CoercionFlagRow, PresentationChallengeRow
from ledger.errors import SchemaViolation
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.store.db import session_scope
from ledger.store.models import RecordRow
from ledger.timeutil import utcnow
from tests.api.checkin_requests import challenge, check_in
from tests.api.conftest import signed_header
from tests.credentials.worker_support import (
    FACILITY,
    NUMBER,
    checkin_envelope,
    wallet_for,
)

INVESTIGATIONS = "/v1/investigations/checkins"


def counts(ledger: Ledger) -> dict[str, int]:
    with session_scope(ledger.engine) as session:
        return {
            table.__name__: int(session.exec(select(func.count()).select_from(table)).one())
            for table in (RecordRow, CheckinRow, CoercionFlagRow)
        }


def investigate(client: TestClient, key: SigningKey) -> Any:
    return client.get(INVESTIGATIONS, headers=signed_header(client, key, "GET", INVESTIGATIONS))


def test_checkin_flow_signed_by_both_and_anchored(
    client: TestClient,
    ledger: Ledger,
    ngo: SigningKey,
    inspector: SigningKey,
    investigator: SigningKey,
    admin_headers: dict[str, str],
) -> None:
    wallet = wallet_for(ledger, ngo, investigator)
    presentation = wallet.present(challenge=challenge(client))
    # On the inspector's device: the wallet reveals its salt; the passport is in hand.
    matched = document_matches(
        presentation,
        salt_hex=wallet.reveal_salt(),
        document_type="passport",
        number=NUMBER.lower(),
        country="NPL",
    )
    assert matched is True
    assert not document_matches(
        presentation,
        salt_hex=wallet.reveal_salt(),
        document_type="passport",
        number="PA7730418",
        country="NP",
    )
    response = check_in(
        client, presentation, checkin_envelope(inspector, presentation, matches=matched)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["documentMatches"] is True and body["facility"] == FACILITY
    view = client.get(f"/v1/checkins/{body['id']}").json()
    assert view["verifier"] == inspector.did and view["record"]["status"] == "pending"
    assert not {"holder", "holderSignal", "location", "verifierDevice"} & set(view)
    assert client.post("/v1/admin/anchor", headers=admin_headers).status_code == 200
    target = f"/v1/records/{body['id']}/receipt"
    assert client.get(target).status_code == 401  # a check-in's receipt is for its parties
    receipt = client.get(target, headers=signed_header(client, inspector, "GET", target)).json()
    assert ledger.check_receipt(receipt).ok
    assert receipt["envelope"]["signer"] == inspector.did  # the verifier's signature
    # the worker's: the presentation named by hash in the anchored envelope
    from credentials.possession import presentation_hash

    assert receipt["envelope"]["payload"]["presentationHash"] == presentation_hash(presentation)
    with session_scope(ledger.engine) as session:
        used = session.get(PresentationChallengeRow, presentation["proof"]["challenge"])
        assert used is not None and used.used_by == body["id"]


def test_rejections_store_nothing(
    client: TestClient, ledger: Ledger, ngo: SigningKey, inspector: SigningKey
) -> None:
    wallet = wallet_for(ledger, ngo)
    presentation = wallet.present(challenge=challenge(client))
    other = wallet_for(ledger, ngo).present()
    before = counts(ledger)
    issuer_signed = checkin_envelope(ngo, presentation)  # an issuer is not a verifier
    cases = [
        (presentation, checkin_envelope(inspector, other), 422, "checkin_mismatch"),
        (
            presentation,
            checkin_envelope(inspector, presentation, presentationHash="sha256:" + "0" * 64),
            422,
            "checkin_mismatch",
        ),
        (
            presentation,
            checkin_envelope(inspector, presentation, documentMatches="yes"),
            422,
            "schema_violation",
        ),
        (
            presentation,
            checkin_envelope(inspector, presentation, documentNumber=NUMBER),
            422,
            "schema_violation",
        ),
        (presentation, issuer_signed, 403, "not_accredited"),
        (
            presentation,
            {**checkin_envelope(inspector, presentation), "kind": "audit"},
            422,
            "schema_violation",
        ),
        (
            {**presentation, "holder": other["holder"]},
            checkin_envelope(inspector, presentation),
            401,
            "proof_signature_invalid",
        ),
    ]
    for shown, envelope, status, code in cases:
        response = check_in(client, shown, envelope)
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
    missing = client.post("/v1/checkins", json={"presentation": presentation})
    assert (missing.status_code, missing.json()["code"]) == (422, "schema_violation")
    assert counts(ledger) == before
    # a check-in envelope cannot bypass the presentation through another door
    direct = ledger.submit
    with pytest.raises(SchemaViolation):
        direct(checkin_envelope(inspector, presentation))
    assert counts(ledger) == before


def test_replay_is_rejected_and_flagged(
    client: TestClient,
    ledger: Ledger,
    ngo: SigningKey,
    inspector: SigningKey,
    investigator: SigningKey,
) -> None:
    wallet = wallet_for(ledger, ngo)
    presentation = wallet.present(challenge=challenge(client))
    assert (
        check_in(client, presentation, checkin_envelope(inspector, presentation)).status_code == 201
    )
    before = counts(ledger)
    replay = check_in(client, presentation, checkin_envelope(inspector, presentation))
    assert (replay.status_code, replay.json()["code"]) == (409, "challenge_replayed")
    after = counts(ledger)
    assert (after["RecordRow"], after["CheckinRow"]) == (before["RecordRow"], before["CheckinRow"])
    assert after["CoercionFlagRow"] == before["CoercionFlagRow"] + 1
    flags = investigate(client, investigator).json()["flags"]
    assert [f["kind"] for f in flags] == ["replayed"]
    assert flags[0]["detail"]["code"] == "challenge_replayed"


def test_an_offline_checkin_is_judged_at_the_servers_receive_time(
    client: TestClient, ledger: Ledger, ngo: SigningKey, inspector: SigningKey
) -> None:
    """Offline (no challenge), a presentation is checked in within its own 5-minute window of
    the server's receive time: a verifier cannot hold it back and submit it hours later
    with a `created` of its choosing."""
    wallet = wallet_for(ledger, ngo)
    fresh = wallet.present()
    ok = check_in(client, fresh, checkin_envelope(inspector, fresh))
    assert ok.status_code == 201, ok.text
    at_gate = utcnow() - timedelta(hours=2)
    veteran = SigningKey.generate()  # accredited since yesterday: only the window can fail
    ledger.accredit(veteran.did, Role.VERIFIER, valid_from=utcnow() - timedelta(days=1))
    old_issuer = SigningKey.generate()
    ledger.accredit(old_issuer.did, Role.ISSUER, valid_from=utcnow() - timedelta(days=1))
    old = wallet_for(ledger, old_issuer, valid_from=at_gate - timedelta(hours=1)).present(
        created=at_gate
    )
    late = check_in(
        client, old, checkin_envelope(veteran, old, created=at_gate + timedelta(minutes=1))
    )
    assert (late.status_code, late.json()["code"]) == (422, "presentation_expired")
    assert "received" in late.json()["detail"]


def test_duress_is_invisible_to_verifiers_and_visible_to_investigators(
    client: TestClient,
    ledger: Ledger,
    ngo: SigningKey,
    inspector: SigningKey,
    investigator: SigningKey,
) -> None:
    normal = wallet_for(ledger, ngo, investigator)
    coerced = wallet_for(ledger, ngo, investigator, duress=True)
    shown = {}
    for name, wallet in (("normal", normal), ("coerced", coerced)):
        presentation = wallet.present(challenge=challenge(client))
        verdict = client.post("/v1/presentations/verify", json={"presentation": presentation})
        assert verdict.status_code == 200 and verdict.json()["verified"] is True
        response = check_in(client, presentation, checkin_envelope(inspector, presentation))
        assert response.status_code == 201
        shown[name] = (presentation, response.json())
    # Same members, same signal length, same public answers: nothing tells them apart.
    (p1, r1), (p2, r2) = shown["normal"], shown["coerced"]
    assert set(p1) == set(p2) and len(p1["holderSignal"]) == len(p2["holderSignal"])
    assert {k: v for k, v in r1.items() if k not in ("id", "leaf")} == {
        k: v for k, v in r2.items() if k not in ("id", "leaf")
    }
    public = [client.get(f"/v1/checkins/{r['id']}").json() for r in (r1, r2)]
    assert set(public[0]) == set(public[1]) and "duress" not in str(public)

    assert investigate(client, inspector).status_code == 401  # a verifier is not an investigator
    body = investigate(client, investigator)
    assert body.status_code == 200, body.text
    readings = {}
    for checkin in body.json()["checkins"]:
        binding = signal_binding(checkin["holder"], checkin["presentedAt"], checkin["challenge"])
        readings[checkin["id"]] = open_signal(
            investigator, checkin["holderSignal"], binding=binding
        )
    assert readings[r1["id"]].duress is False and readings[r2["id"]].duress is True
    assert all(r.bound for r in readings.values())
    replayed = client.get(
        INVESTIGATIONS,
        headers=signed_header(client, investigator, "GET", INVESTIGATIONS),
    )
    assert replayed.status_code == 200
    unsigned = client.get(INVESTIGATIONS)
    assert (unsigned.status_code, unsigned.json()["code"]) == (401, "unauthorized")


def test_coercion_patterns_are_flagged(
    client: TestClient,
    ledger: Ledger,
    ngo: SigningKey,
    inspector: SigningKey,
    investigator: SigningKey,
) -> None:
    # Three workers presenting from one phone within minutes: the employer holds the phones.
    for _ in range(3):
        presentation = wallet_for(ledger, ngo).present()
        envelope = checkin_envelope(
            inspector, presentation, on_site=True, presenting_device="manager-phone"
        )
        assert check_in(client, presentation, envelope).status_code == 201
    # One worker always checked on site; then the same credential in two places at once.
    wallet = wallet_for(ledger, ngo)
    for location in ("MY-07", "MY-07", "MY-07"):
        presentation = wallet.present(challenge=challenge(client))
        assert (
            check_in(
                client,
                presentation,
                checkin_envelope(inspector, presentation, on_site=True, location=location),
            ).status_code
            == 201
        )
    presentation = wallet.present(challenge=challenge(client))
    assert (
        check_in(
            client, presentation, checkin_envelope(inspector, presentation, location="MY-14")
        ).status_code
        == 201
    )
    kinds = sorted(f["kind"] for f in investigate(client, investigator).json()["flags"])
    assert kinds.count("shared_device") == 1
    assert kinds.count("always_on_site") >= 1
    assert kinds.count("two_places") == 1


def test_id_possession_rate_in_facility_views(
    client: TestClient, ledger: Ledger, ngo: SigningKey, inspector: SigningKey
) -> None:
    wallets = [wallet_for(ledger, ngo) for _ in range(4)]
    wallet_for(ledger, ngo, facility="fac-bd-dhaka-knit-01")
    for wallet, matches in ((wallets[0], True), (wallets[1], True), (wallets[2], False)):
        presentation = wallet.present()
        assert (
            check_in(
                client, presentation, checkin_envelope(inspector, presentation, matches=matches)
            ).status_code
            == 201
        )
    rate = client.get(f"/v1/facilities/{FACILITY}/id-possession").json()
    assert rate["credentialedWorkers"] == 4 and rate["workersWithRecentCheckin"] == 2
    assert rate["idPossessionRate"] == 0.5 and rate["windowDays"] == 90
    audits_view = client.get(f"/v1/facilities/{FACILITY}/audits").json()
    assert audits_view["idPossession"]["idPossessionRate"] == 0.5
    other = client.get("/v1/facilities/fac-bd-dhaka-knit-01/id-possession").json()
    assert (other["credentialedWorkers"], other["idPossessionRate"]) == (1, 0.0)
    assert client.get("/v1/facilities/fac-none/id-possession").json()["idPossessionRate"] is None


def test_a_burst_of_checkins_at_one_facility_is_flagged(
    client: TestClient,
    ledger: Ledger,
    ngo: SigningKey,
    inspector: SigningKey,
    investigator: SigningKey,
) -> None:
    from domain.workers.coercion import CoercionPolicy

    ledger.kinds["checkin"].policy = CoercionPolicy(burst_holders=3)  # type: ignore[attr-defined]
    for index in range(3):
        presentation = wallet_for(ledger, ngo).present()
        envelope = checkin_envelope(inspector, presentation, device=f"tablet-{index}")
        assert check_in(client, presentation, envelope).status_code == 201
    flags = investigate(client, investigator).json()["flags"]
    assert [(f["kind"], f["detail"]["by"]) for f in flags] == [("burst", "facility")]


def test_since_with_an_offset_is_compared_in_utc(
    client: TestClient,
    ledger: Ledger,
    ngo: SigningKey,
    inspector: SigningKey,
    investigator: SigningKey,
) -> None:
    """``since=…+14:00`` used to be compared as if it were UTC, so investigators missed every
    check-in of the last 14 hours (duress ones included)."""
    from datetime import timezone
    from urllib.parse import urlencode

    presentation = wallet_for(ledger, ngo, investigator).present()
    record = check_in(client, presentation, checkin_envelope(inspector, presentation)).json()["id"]
    kiribati = timezone(timedelta(hours=14))
    for since, included in (
        (utcnow() - timedelta(hours=1), True),
        (utcnow() + timedelta(hours=1), False),
    ):
        target = f"{INVESTIGATIONS}?{urlencode({'since': since.astimezone(kiribati).isoformat()})}"
        response = client.get(target, headers=signed_header(client, investigator, "GET", target))
        assert response.status_code == 200, response.text
        ids = [c["id"] for c in response.json()["checkins"]]
        assert (record in ids) is included, (since, ids)
