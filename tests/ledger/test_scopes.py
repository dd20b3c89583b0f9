"""Scopes end to end: granted and revoked on chain as the registry admin, mirrored into
``signer_scopes``, checked at admission for a kind that names one, and checked again by the
receipt verifier through the pinned anchor's registry. A dummy scoped kind (``payslip``,
the signer must hold the scope of ``payload.run.facility`` as employer) stands in for wage
lines. Real EVM (eth-tester), real signatures, SQLite and PostgreSQL.

The embedded EVM adds a second per block mined in a burst, so its clock runs ahead of ours
and a scope holds from a block time that may still be in our future: records here are
created, and admitted, at a moment after the grant (``after``)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import delete, func, select

from domain import KINDS
from ledger.chain.client import ChainClient
from ledger.chain.contracts import RegistryContract, facility_scope
from ledger.envelope import Envelope, sign_envelope
from ledger.errors import (
    AdminKeyMissing,
    Conflict,
    ContractRevert,
    InvalidKey,
    LedgerError,
    NotAccredited,
    NotFound,
    NotInScope,
    SchemaViolation,
)
from ledger.keys import SigningKey
from ledger.kinds import KindHandler, KindRegistry, Parsed
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import session_scope
from ledger.store.models import RecordRow, SignerScopeRow, SyncCursorRow
from ledger.timeutil import utcnow
from tests.ledger.test_admin_separation import funded_account

FAC_1, FAC_2 = facility_scope("fac-1"), facility_scope("fac-2")


class PayslipKind(KindHandler):
    label = "payslip"
    code = 200
    roles = frozenset({Role.EMPLOYER})
    scope = "run.facility"

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        facility = payload.get("run", {}).get("facility")
        if not isinstance(facility, str):
            raise SchemaViolation("payload.run.facility is required", field="payload.run.facility")
        return Parsed(dict(payload), subject=facility)


def kinds() -> KindRegistry:
    return KindRegistry([*(kind() for kind in KINDS), PayslipKind()])


def open_scoped(database_url: str, **config: Any) -> Ledger:
    client = config.pop("client", None)
    return Ledger.open(LedgerConfig(database_url=database_url, **config), kinds(), client=client)


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    opened = open_scoped(database_url)
    yield opened
    opened.close()


@pytest.fixture
def employer(ledger: Ledger) -> SigningKey:
    key = SigningKey.generate()
    ledger.accredit(key.did, Role.EMPLOYER)
    return key


def after(moment: datetime) -> datetime:
    """A moment of our clock at or after the chain's ``moment`` (whole microseconds)."""
    return max(utcnow(), moment + timedelta(seconds=1))


def payslip(key: SigningKey, facility: str = "fac-1", *, created: datetime) -> Envelope:
    return sign_envelope("payslip", {"run": {"facility": facility}, "net": "1500.00"}, key,
                         created=created)  # fmt: skip


def submit(ledger: Ledger, envelope: Envelope, now: datetime | None = None) -> str:
    """Admit ``envelope`` as if it arrived at ``now`` (default: when it was created)."""
    return ledger.submit(envelope.to_dict(), now=now or envelope.created_at).record_id


def records(ledger: Ledger) -> int:
    with session_scope(ledger.engine) as session:
        return int(session.exec(select(func.count()).select_from(RecordRow)).one())


def scope_rows(ledger: Ledger) -> list[tuple[str, int, str, Any, Any, int]]:
    with session_scope(ledger.engine) as session:
        rows = session.exec(select(SignerScopeRow).order_by(SignerScopeRow.scope)).all()
        return [(r.key, r.role, r.scope, r.granted_at, r.revoked_at, r.updated_block) for r in rows]


# --- grant and revoke, mirrored -------------------------------------------------------------


def test_grant_and_revoke_are_written_on_chain_and_mirrored(
    ledger: Ledger, employer: SigningKey
) -> None:
    granted = ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1, facility="fac-1")

    assert ledger.registry.scope_of(employer.verify_key, Role.EMPLOYER, FAC_1) == (granted, None)
    (signer,) = ledger.signers()
    assert signer["scopes"] == [{"scope": "0x" + FAC_1.hex(), "facility": "fac-1",
                                 "grantedAt": signer["scopes"][0]["grantedAt"], "revokedAt": None}]  # fmt: skip
    assert signer["scopes"][0]["grantedAt"].startswith(granted.strftime("%Y-%m-%dT%H:%M:%S"))

    # Granting again changes nothing: the chain's write is idempotent and emits nothing.
    head = ledger.client.block_number()
    assert ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1) == granted
    ledger.revoke_scope(employer.did, Role.EMPLOYER, FAC_1)

    window = ledger.registry.scope_of(employer.verify_key, Role.EMPLOYER, FAC_1)
    assert window[0] == granted and window[1] is not None and window[1] > granted
    (signer,) = ledger.signers()
    assert signer["scopes"][0]["revokedAt"] is not None
    events = ledger.registry.events(head + 1, ledger.client.block_number())
    # (the repeated grant mined a block but emitted nothing)
    assert [(e.name, e.scope, e.role) for e in events] == [("ScopeRevoked", FAC_1, 3)]
    assert events[0].at == window[1]


def test_a_revoked_scope_granted_again_opens_a_new_window(
    ledger: Ledger, employer: SigningKey
) -> None:
    first = ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1)
    ledger.revoke_scope(employer.did, Role.EMPLOYER, FAC_1)
    _, revoked = ledger.registry.scope_of(employer.verify_key, Role.EMPLOYER, FAC_1)

    second = ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1)

    assert revoked is not None and first < revoked <= second
    ((*_, granted_at, revoked_at, _block),) = scope_rows(ledger)
    assert (granted_at.replace(tzinfo=None), revoked_at) == (second.replace(tzinfo=None), None)
    # The old window is still on chain for verifiers.
    old = ledger.registry.scope_at(employer.verify_key, Role.EMPLOYER, FAC_1, first)
    assert old == (first, revoked)


def test_the_mirror_applies_the_same_events_twice_to_the_same_rows(
    ledger: Ledger, employer: SigningKey
) -> None:
    ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1)
    ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_2)
    ledger.revoke_scope(employer.did, Role.EMPLOYER, FAC_1)
    ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1)
    before = scope_rows(ledger)

    with session_scope(ledger.engine) as session:  # forget the cursor: every event again
        session.exec(delete(SyncCursorRow))  # type: ignore[call-overload]
    assert ledger.sync_registry() >= 5

    assert scope_rows(ledger) == before and len(before) == 2


def test_a_label_is_per_scope_and_a_raw_grant_has_none(ledger: Ledger) -> None:
    first, second = SigningKey.generate(), SigningKey.generate()
    for key in (first, second):
        ledger.accredit(key.did, Role.EMPLOYER)
    ledger.grant_scope(first.did, Role.EMPLOYER, FAC_2)
    assert labels(ledger) == {first.did: [None], second.did: []}

    ledger.grant_scope(second.did, Role.EMPLOYER, FAC_2, facility="fac-2")

    assert labels(ledger) == {first.did: ["fac-2"], second.did: ["fac-2"]}


def labels(ledger: Ledger) -> dict[str, list[str | None]]:
    return {s["did"]: [scope["facility"] for scope in s["scopes"]] for s in ledger.signers()}


# --- refused grants send nothing ------------------------------------------------------------


def test_refused_changes_send_nothing(ledger: Ledger, employer: SigningKey) -> None:
    revoked = SigningKey.generate()
    ledger.accredit(revoked.did, Role.EMPLOYER)
    ledger.revoke(revoked.did)
    head = ledger.client.block_number()
    attempts: list[tuple[Any, type[LedgerError], str | None]] = [
        (lambda: ledger.grant_scope(SigningKey.generate().did, Role.EMPLOYER, FAC_1), NotFound,
         "not accredited as employer"),
        (lambda: ledger.grant_scope(employer.did, Role.AUDITOR, FAC_1), NotFound,
         "not accredited as auditor"),
        (lambda: ledger.grant_scope(revoked.did, Role.EMPLOYER, FAC_1), Conflict, "revoked"),
        (lambda: ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1[:31]), SchemaViolation,
         "32 bytes"),
        (lambda: ledger.grant_scope(employer.did, Role.EMPLOYER, bytes(32)), SchemaViolation,
         "not all zero"),
        (lambda: ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1, facility="fac-2"),
         SchemaViolation, "not the scope of facility"),
        (lambda: ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1, facility=""),
         SchemaViolation, "1-256 characters"),
        (lambda: ledger.grant_scope("did:key:zNotAKey", Role.EMPLOYER, FAC_1), InvalidKey, None),
        (lambda: ledger.revoke_scope(employer.did, Role.EMPLOYER, FAC_1), NotFound,
         "holds no scope"),
        (lambda: ledger.revoke_scope(employer.did, Role.EMPLOYER, b"\x01"), SchemaViolation,
         "32 bytes"),
    ]  # fmt: skip
    for attempt, error, message in attempts:
        with pytest.raises(error, match=message):
            attempt()
    assert ledger.client.block_number() == head
    assert scope_rows(ledger) == []

    ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1)
    ledger.revoke_scope(employer.did, Role.EMPLOYER, FAC_1)
    head = ledger.client.block_number()
    with pytest.raises(Conflict, match="revoked already"):
        ledger.revoke_scope(employer.did, Role.EMPLOYER, FAC_1)
    assert ledger.client.block_number() == head


def test_the_anchoring_account_cannot_grant_a_scope(ledger: Ledger, employer: SigningKey) -> None:
    """The operator's hot key cannot widen what a key may sign any more than accredit one."""
    as_anchorer = RegistryContract(ledger.client, ledger.registry.address)
    with pytest.raises(ContractRevert) as caught:
        as_anchorer.grant_scope(employer.verify_key, Role.EMPLOYER, FAC_1)
    assert caught.value.error_name == "OwnableUnauthorizedAccount"
    ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1)
    with pytest.raises(ContractRevert) as caught:
        as_anchorer.revoke_scope(employer.verify_key, Role.EMPLOYER, FAC_1)
    assert caught.value.error_name == "OwnableUnauthorizedAccount"
    ledger.sync_registry()
    assert [s["scopes"][0]["revokedAt"] for s in ledger.signers()] == [None]


# --- admission ------------------------------------------------------------------------------


def test_admission_requires_the_facility_scope_at_created_and_now(
    ledger: Ledger, employer: SigningKey
) -> None:
    unscoped = SigningKey.generate()
    ledger.accredit(unscoped.did, Role.EMPLOYER)
    granted = ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1, facility="fac-1")
    at = after(granted)

    record_id = submit(ledger, payslip(employer, created=at))
    stored = records(ledger)
    refusals = [
        (payslip(employer, "fac-2", created=at), "never granted"),
        (payslip(unscoped, created=at), "never granted"),
        (payslip(employer, created=granted - timedelta(seconds=1)), "after"),  # backdated
    ]
    for envelope, reason in refusals:
        with pytest.raises(NotInScope, match=reason) as caught:
            submit(ledger, envelope)
        assert caught.value.code == "not_in_scope"
        assert caught.value.scope in ("0x" + FAC_1.hex(), "0x" + FAC_2.hex())
    assert records(ledger) == stored and ledger.status(record_id).state == "pending"

    # Revoked: refused from then on, a re-grant admits again (from its own block time).
    ledger.revoke_scope(employer.did, Role.EMPLOYER, FAC_1)
    _, revoked = ledger.registry.scope_of(employer.verify_key, Role.EMPLOYER, FAC_1)
    assert revoked is not None
    with pytest.raises(NotInScope, match="lost it"):
        submit(ledger, payslip(employer, created=after(revoked)))
    again = ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1)
    submit(ledger, payslip(employer, created=after(again)))
    with pytest.raises(NotInScope):  # created in the gap between the two windows
        submit(ledger, payslip(employer, created=again - timedelta(microseconds=1)))


def test_admission_in_bulk_answers_each_line(ledger: Ledger, employer: SigningKey) -> None:
    at = after(ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1))
    lines = [payslip(employer, facility, created=at) for facility in ("fac-1", "fac-2", "fac-1")]

    results = ledger.submit_many([line.to_dict() for line in lines], now=at)

    assert [getattr(r, "code", "accepted") for r in results] == [
        "accepted", "not_in_scope", "accepted"
    ]  # fmt: skip
    assert records(ledger) == 2


def test_scopes_do_not_lift_a_missing_role_and_do_not_touch_unscoped_kinds(
    ledger: Ledger, employer: SigningKey
) -> None:
    """An auditor scoped to the facility still may not sign a payslip (wrong role), and the
    kinds without a scope admit as before."""
    auditor = SigningKey.generate()
    ledger.accredit(auditor.did, Role.AUDITOR)
    at = after(ledger.grant_scope(auditor.did, Role.AUDITOR, FAC_1))
    with pytest.raises(NotAccredited) as caught:
        submit(ledger, payslip(auditor, created=at))
    assert not isinstance(caught.value, NotInScope)

    from tests.ledger.helpers import signed_audit

    ledger.submit(signed_audit(auditor).to_dict())


# --- receipts: the scope checked on chain, through the pinned anchor's registry -------------


def anchored_receipt(ledger: Ledger, record_id: str) -> dict[str, Any]:
    assert ledger.anchorer.drain().error is None
    return ledger.receipt(record_id)


def test_a_receipt_checks_the_scope_on_chain(ledger: Ledger, employer: SigningKey) -> None:
    at = after(ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1))
    kept = submit(ledger, payslip(employer, created=at))
    receipt = anchored_receipt(ledger, kept)

    report = ledger.check_receipt(receipt)
    assert report.ok, report.to_dict()
    assert "holds scope 0x" + FAC_1.hex() in report.checks[7].detail

    # Revoked after anchoring, then granted again: the record stays provable, because the
    # registry keeps the window it was signed in.
    ledger.revoke_scope(employer.did, Role.EMPLOYER, FAC_1)
    assert ledger.check_receipt(receipt).ok
    again = ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1)
    assert ledger.check_receipt(receipt).ok

    # Admitted while scoped, revoked before it was anchored: no longer provable. (Created in
    # the very second of the grant, so the revocation's block comes after it.)
    doomed = submit(ledger, payslip(employer, created=again), now=after(again))
    ledger.revoke_scope(employer.did, Role.EMPLOYER, FAC_1)
    report = ledger.check_receipt(anchored_receipt(ledger, doomed))
    assert report.failed is not None and report.failed.name == "signer_accredited"
    assert "not after the anchoring" in report.failed.detail


# --- a registry admin elsewhere (a Safe) ----------------------------------------------------


@pytest.fixture
def admin_elsewhere(database_url: str) -> Iterator[tuple[Ledger, ChainClient]]:
    client = ChainClient.embedded_evm()
    elsewhere = funded_account(client)
    opened = open_scoped(database_url, client=client, admin_address=elsewhere.address,
                         registry_max_age=timedelta(seconds=0.1))  # fmt: skip
    yield opened, elsewhere
    opened.close()


def test_without_the_admin_key_scope_changes_are_refused_and_the_admins_mirrored(
    admin_elsewhere: tuple[Ledger, ChainClient],
) -> None:
    ledger, elsewhere = admin_elsewhere
    employer = SigningKey.generate()
    registry = RegistryContract(elsewhere, ledger.registry.address)
    registry.accredit(employer.verify_key, Role.EMPLOYER, utcnow() - timedelta(minutes=1))
    head = ledger.client.block_number()
    for attempt in (
        lambda: ledger.grant_scope(employer.did, Role.EMPLOYER, FAC_1, facility="fac-1"),
        lambda: ledger.revoke_scope(employer.did, Role.EMPLOYER, FAC_1),
    ):
        with pytest.raises(AdminKeyMissing) as caught:
            attempt()
        assert caught.value.admin == elsewhere.address
    assert ledger.client.block_number() == head

    # The admin grants from its own account; the next admission syncs the mirror first.
    registry.grant_scope(employer.verify_key, Role.EMPLOYER, FAC_1)
    granted, _ = registry.scope_of(employer.verify_key, Role.EMPLOYER, FAC_1)
    assert granted is not None
    time.sleep(0.2)
    submit(ledger, payslip(employer, created=after(granted)))
    (signer,) = ledger.signers()
    assert signer["scopes"][0]["facility"] is None  # the chain only knows the hash
    registry.revoke_scope(employer.verify_key, Role.EMPLOYER, FAC_1)
    _, revoked = registry.scope_of(employer.verify_key, Role.EMPLOYER, FAC_1)
    assert revoked is not None
    time.sleep(0.2)
    with pytest.raises(NotInScope):
        submit(ledger, payslip(employer, created=after(revoked)))
