"""Admission is all or nothing: for every kind and every reason a record can be refused, every
table is exactly as it was (compared row by row, not just counted) and no chain transaction
was sent (the relaying account's nonce is unchanged). The one deliberate exception: a
check-in refused as a *replay* by an authenticated verifier leaves a flag for investigators.

Also the reproductions of issue 9: refused envelopes that used to change state."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from credentials.loader import CREDENTIALS_CONTEXT_V2
from credentials.possession import presentation_hash
from credentials.worker import parse_worker_credential, registration_payload, status_change_payload
from domain.workers.models import CoercionFlagRow, PresentationChallengeRow, WorkerCredentialRow
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.store.db import session_scope
from ledger.timeutil import utcnow
from tests.api.state import changed, snapshot
from tests.credentials.worker_support import (
    accredited,
    chain_status,
    checkin_envelope,
    issue,
    wallet_for,
)
from tests.ledger.helpers import signed_audit


def resigned(envelope: dict[str, Any], key: SigningKey, **changes: Any) -> dict[str, Any]:
    """The envelope with ``changes`` (to any field, payload included), signed again."""
    data = copy.deepcopy(envelope)
    created = changes.pop("created", None)
    payload = {**data["payload"], **changes.pop("payload", {})}
    return sign_envelope(
        changes.pop("kind", data["kind"]), payload, key, created=created,
        nonce=changes.pop("nonce", None),
    ).to_dict()  # fmt: skip


def bad_signature(envelope: dict[str, Any]) -> dict[str, Any]:
    return {**envelope, "nonce": "f" * 32}  # the signature no longer covers these bytes


def generic_refusals(
    ledger: Ledger, good: Callable[[SigningKey], dict[str, Any]], role: Role, signer: SigningKey
) -> list[tuple[str, dict[str, Any], str]]:
    """(case, envelope, expected code) for every generic check, around a valid envelope."""
    stranger = SigningKey.generate()
    wrong_role = accredited(ledger, Role.BRAND)
    revoked = accredited(ledger, role)
    ledger.revoke(revoked.did)
    suspended = accredited(ledger, role)
    ledger.suspend(suspended.did, [role])
    veteran = SigningKey.generate()  # accredited for a month, so only the clock can fail
    ledger.accredit(veteran.did, role, valid_from=utcnow() - timedelta(days=30))
    template = good(signer)
    missing = {k: v for k, v in template.items() if k != "nonce"}
    return [
        ("missing field", missing, "schema_violation"),
        ("unknown kind", resigned(template, signer, kind="gossip"), "schema_violation"),
        ("bad signature", bad_signature(template), "bad_signature"),
        ("unknown signer", good(stranger), "unknown_signer"),
        ("wrong role", good(wrong_role), "not_accredited"),
        ("revoked signer", good(revoked), "signer_revoked"),
        ("suspended signer", good(suspended), "signer_suspended"),
        (
            "created in the future",
            resigned(template, signer, created=utcnow() + timedelta(minutes=10)),
            "clock_skew",
        ),
        (
            "created too long ago",
            resigned(good(veteran), veteran, created=utcnow() - timedelta(days=8)),
            "clock_skew",
        ),
    ]


def post(client: TestClient, path: str, body: Any) -> tuple[int, str]:
    response = client.post(path, json=body)
    return response.status_code, response.json().get("code", "")


def assert_refusals_change_nothing(
    client: TestClient,
    ledger: Ledger,
    cases: list[tuple[str, Any, str]],
    path: str,
    wrap: Callable[[Any], Any] = lambda envelope: envelope,
) -> None:
    for case, envelope, code in cases:
        before = snapshot(ledger)
        status, got = post(client, path, wrap(envelope))
        assert got == code and status >= 400, (case, status, got)
        assert changed(before, snapshot(ledger)) == {}, case


# -- audits ----------------------------------------------------------------------------


def test_audit_refusals_change_nothing(
    client: TestClient, ledger: Ledger, auditor: SigningKey
) -> None:
    accepted = signed_audit(auditor).to_dict()
    assert post(client, "/v1/attestations", accepted)[0] == 201
    cases = generic_refusals(ledger, lambda key: signed_audit(key).to_dict(), Role.AUDITOR, auditor)
    cases += [
        ("duplicate", accepted, "duplicate_record"),
        ("replayed nonce", resigned(accepted, auditor, nonce=accepted["nonce"],
                                    payload={"overallRating": "B"}), "nonce_replayed"),
        ("schema", resigned(accepted, auditor, payload={"workersInterviewed": -1}),
         "schema_violation"),
        ("kind rule: follows nothing", signed_audit(
            auditor, auditType="follow-up", follows="0x" + "ab" * 32).to_dict(),
         "schema_violation"),
    ]  # fmt: skip
    assert_refusals_change_nothing(client, ledger, cases, "/v1/attestations")


# -- credential registrations ----------------------------------------------------------


def registration(ledger: Ledger, issuer: SigningKey) -> dict[str, Any]:
    credential, _ = issue(ledger, issuer, SigningKey.generate(), register=False)
    return sign_envelope("credential", registration_payload(credential), issuer).to_dict()


def test_credential_refusals_change_nothing_in_tables_or_on_chain(
    client: TestClient, ledger: Ledger, ngo: SigningKey
) -> None:
    accepted = registration(ledger, ngo)
    assert post(client, "/v1/credentials", accepted)[0] == 201
    chain_status(ledger, accepted["payload"]["statusId"])  # relay the registration first
    cases = generic_refusals(ledger, lambda key: registration(ledger, key), Role.ISSUER, ngo)
    cases += [
        ("duplicate", accepted, "duplicate_record"),
        # A valid signature over a fresh credential, reusing an admitted record's nonce: it
        # used to create a worker_credentials row (and so count in the possession rate).
        ("replayed nonce", resigned(registration(ledger, ngo), ngo, nonce=accepted["nonce"]),
         "nonce_replayed"),
        ("kind rule: registered already", resigned(accepted, ngo), "conflict"),
    ]  # fmt: skip
    assert_refusals_change_nothing(client, ledger, cases, "/v1/credentials")


# -- credential status changes ---------------------------------------------------------


def test_status_refusals_change_nothing_in_tables_or_on_chain(
    client: TestClient, ledger: Ledger, ngo: SigningKey
) -> None:
    credential, _ = issue(ledger, ngo, SigningKey.generate())
    status_id = parse_worker_credential(credential).status_id
    suspend = sign_envelope("credential_status", status_change_payload(status_id, "suspend"), ngo)
    assert post(client, "/v1/credentials/status", suspend.to_dict())[0] == 200
    assert chain_status(ledger, status_id) == "suspended"

    def change(key: SigningKey, action: str = "reinstate") -> dict[str, Any]:
        payload = status_change_payload(status_id, action)
        return sign_envelope("credential_status", payload, key).to_dict()

    other_issuer = accredited(ledger, Role.ISSUER)
    cases = generic_refusals(ledger, change, Role.ISSUER, ngo)
    cases += [
        ("duplicate", suspend.to_dict(), "duplicate_record"),
        # Reinstating a suspended credential with a valid signature and a replayed nonce
        # used to reinstate it on chain and in the database.
        ("replayed nonce", resigned(change(ngo), ngo, nonce=suspend.nonce), "nonce_replayed"),
        ("kind rule: another issuer", change(other_issuer), "issuer_not_accredited"),
        ("kind rule: no such transition", change(ngo, "suspend"), "conflict"),
        ("kind rule: unknown credential", sign_envelope(
            "credential_status", status_change_payload("0x" + "11" * 32, "revoke"), ngo
        ).to_dict(), "not_found"),
    ]  # fmt: skip
    assert_refusals_change_nothing(client, ledger, cases, "/v1/credentials/status")
    assert chain_status(ledger, status_id) == "suspended"
    assert client.get(f"/v1/credentials/{status_id}").json()["status"] == "suspended"


# -- check-ins -------------------------------------------------------------------------


def challenge(client: TestClient) -> str:
    return str(client.get("/v1/presentations/challenge").json()["challenge"])


def test_checkin_refusals_change_nothing(
    client: TestClient, ledger: Ledger, ngo: SigningKey, inspector: SigningKey
) -> None:
    wallet = wallet_for(ledger, ngo)
    first = wallet.present(challenge=challenge(client))
    accepted = checkin_envelope(inspector, first)
    assert post(client, "/v1/checkins", {"presentation": first, "envelope": accepted})[0] == 201

    presentation = wallet.present(challenge=challenge(client))
    with_presentation = lambda envelope: {"presentation": presentation, "envelope": envelope}  # noqa: E731
    cases = generic_refusals(
        ledger, lambda key: checkin_envelope(key, presentation), Role.VERIFIER, inspector
    )
    issuer_signed = checkin_envelope(ngo, presentation)  # an issuer is no verifier
    cases += [
        ("an issuer's check-in", issuer_signed, "not_accredited"),
        # A valid verifier signature with a replayed nonce used to store a check-in row and
        # consume the worker's challenge, so the genuine retry was refused and flagged.
        ("replayed nonce", resigned(checkin_envelope(inspector, presentation), inspector,
                                    nonce=accepted["nonce"]), "nonce_replayed"),
        ("kind rule: hash of another presentation", checkin_envelope(inspector, first),
         "checkin_mismatch"),
        ("kind rule: another worker", checkin_envelope(
            inspector, presentation, holder=SigningKey.generate().did), "checkin_mismatch"),
    ]  # fmt: skip
    assert_refusals_change_nothing(client, ledger, cases, "/v1/checkins", with_presentation)
    # Nothing was consumed: the genuine check-in goes through.
    genuine = {"presentation": presentation, "envelope": checkin_envelope(inspector, presentation)}
    assert post(client, "/v1/checkins", genuine)[0] == 201


def test_garbage_from_an_unaccredited_key_raises_no_flag(
    client: TestClient, ledger: Ledger, ngo: SigningKey, inspector: SigningKey
) -> None:
    """It used to add a "replayed" coercion flag on every call (1 -> 6 in 5 calls)."""
    presentation = wallet_for(ledger, ngo).present(challenge=challenge(client))
    good = {"presentation": presentation, "envelope": checkin_envelope(inspector, presentation)}
    assert post(client, "/v1/checkins", good)[0] == 201
    stranger = SigningKey.generate()
    before = snapshot(ledger)
    for _ in range(5):
        replay = checkin_envelope(stranger, presentation)
        replay["signature"] = "u" + "A" * 86
        assert post(client, "/v1/checkins", {"presentation": presentation, "envelope": replay})[
            1
        ] in {"bad_signature", "unknown_signer"}
    assert changed(before, snapshot(ledger)) == {}


def veteran(ledger: Ledger, role: Role) -> SigningKey:
    """A key accredited a month ago, so only the check under test can fail on old times."""
    key = SigningKey.generate()
    ledger.accredit(key.did, role, valid_from=utcnow() - timedelta(days=30))
    return key


def test_checkin_created_before_its_challenge_is_refused(
    client: TestClient, ledger: Ledger, inspector: SigningKey
) -> None:
    """A check-in (and its presentation) dated 3 days before its challenge was issued used to
    be accepted: freshness was judged at the verifier's own `created`."""
    days_ago = utcnow() - timedelta(days=3)
    issuer, verifier = veteran(ledger, Role.ISSUER), veteran(ledger, Role.VERIFIER)
    wallet = wallet_for(ledger, issuer, valid_from=days_ago - timedelta(days=1))
    presentation = wallet.present(challenge=challenge(client), created=days_ago)
    backdated = checkin_envelope(verifier, presentation, created=days_ago + timedelta(minutes=1))
    before = snapshot(ledger)
    status, code = post(
        client, "/v1/checkins", {"presentation": presentation, "envelope": backdated}
    )
    assert (status, code) == (422, "challenge_expired")
    assert changed(before, snapshot(ledger)) == {}


def test_offline_presentation_must_arrive_within_its_window(
    client: TestClient, ledger: Ledger, inspector: SigningKey
) -> None:
    made = utcnow() - timedelta(minutes=20)
    issuer, verifier = veteran(ledger, Role.ISSUER), veteran(ledger, Role.VERIFIER)
    wallet = wallet_for(ledger, issuer, valid_from=made - timedelta(hours=1))
    stale = wallet.present(created=made)  # offline: no challenge; expired 15 minutes ago
    late = checkin_envelope(verifier, stale, created=made + timedelta(minutes=1))
    before = snapshot(ledger)
    assert post(client, "/v1/checkins", {"presentation": stale, "envelope": late}) == (
        422,
        "presentation_expired",
    )
    assert changed(before, snapshot(ledger)) == {}


def test_a_dressed_up_replay_is_refused_as_replayed_and_flagged_once(
    client: TestClient, ledger: Ledger, ngo: SigningKey, inspector: SigningKey
) -> None:
    """A no-op entry in ``@context`` keeps the holder's signature valid but changed the JSON
    hash the replay check used: one offline presentation gave 6 check-ins."""
    presentation = wallet_for(ledger, ngo).present()  # offline
    assert post(client, "/v1/checkins", {"presentation": presentation,
                "envelope": checkin_envelope(inspector, presentation)})[0] == 201  # fmt: skip
    dressed = copy.deepcopy(presentation)
    dressed["@context"] = [*dressed["@context"], CREDENTIALS_CONTEXT_V2]  # no-op, still signed
    assert presentation_hash(dressed) != presentation_hash(presentation)
    assert (
        client.post("/v1/presentations/verify", json={"presentation": dressed}).json()["code"]
        == "presentation_replayed"
    )
    envelope = checkin_envelope(inspector, dressed)
    before = snapshot(ledger)
    for _ in range(3):  # the same refused envelope, resent: one flag
        status, code = post(client, "/v1/checkins", {"presentation": dressed, "envelope": envelope})
        assert (status, code) == (409, "presentation_replayed")
    diff = changed(before, snapshot(ledger))
    assert diff == {"coercion_flags": (len(before[0]["coercion_flags"]),
                                       len(before[0]["coercion_flags"]) + 1)}  # fmt: skip
    with session_scope(ledger.engine) as session:
        flag = session.exec(
            select(CoercionFlagRow).where(CoercionFlagRow.record_id == sign_record_id(envelope))
        ).one()
        assert flag.kind == "replayed"


def sign_record_id(envelope: dict[str, Any]) -> str:
    from ledger.envelope import Envelope

    return Envelope.from_dict(envelope).record_id


def test_a_refused_registration_does_not_count_in_the_possession_rate(
    client: TestClient, ledger: Ledger, ngo: SigningKey
) -> None:
    accepted = registration(ledger, ngo)
    assert post(client, "/v1/credentials", accepted)[0] == 201
    facility = accepted["payload"]["facility"]
    rate = client.get(f"/v1/facilities/{facility}/id-possession").json()
    replay = resigned(registration(ledger, ngo), ngo, nonce=accepted["nonce"])
    assert post(client, "/v1/credentials", replay) == (409, "nonce_replayed")
    assert client.get(f"/v1/facilities/{facility}/id-possession").json() == rate
    with session_scope(ledger.engine) as session:
        assert session.get(WorkerCredentialRow, replay["payload"]["statusId"]) is None


def test_a_challenge_survives_a_refused_checkin(
    client: TestClient, ledger: Ledger, ngo: SigningKey, inspector: SigningKey
) -> None:
    presentation = wallet_for(ledger, ngo).present(challenge=challenge(client))
    bad = checkin_envelope(inspector, presentation, presentationHash="sha256:" + "0" * 64)
    assert post(client, "/v1/checkins", {"presentation": presentation, "envelope": bad})[0] == 422
    with session_scope(ledger.engine) as session:
        row = session.get(PresentationChallengeRow, presentation["proof"]["challenge"])
        assert row is not None and row.used_at is None
