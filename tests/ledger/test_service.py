"""The ledger end to end on a real EVM (eth-tester) and real databases (SQLite, PostgreSQL):
accreditation mirrored from the registry, ingestion checks that store nothing on failure,
anchoring, receipts that verify, and each tampered receipt failing the right check."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import func, select

from domain import open_ledger
from ledger.anchoring import AnchoringPolicy
from ledger.envelope import sign_envelope
from ledger.errors import (
    ClockSkew,
    DuplicateRecord,
    NonceReplayed,
    NotAccredited,
    NotAnchored,
    SchemaViolation,
    SignatureError,
    SignerRevoked,
    UnknownSigner,
)
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import session_scope
from ledger.store.models import RecordRow
from ledger.timeutil import utcnow
from tests.ledger.helpers import audit_payload, signed_audit


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    opened = open_ledger(
        LedgerConfig(database_url=database_url, policy=AnchoringPolicy(max_batch=8))
    )
    yield opened
    opened.close()


def count_records(ledger: Ledger) -> int:
    with session_scope(ledger.engine) as session:
        return int(session.exec(select(func.count()).select_from(RecordRow)).one())


def test_accreditation_is_mirrored_from_the_chain(ledger: Ledger, auditor: SigningKey) -> None:
    (row,) = [s for s in ledger.signers() if s["did"] == auditor.did]
    assert row["role"] == "auditor" and row["revokedAt"] is None
    assert ledger.registry.is_accredited(auditor.verify_key, Role.AUDITOR, utcnow())


def test_submit_anchor_receipt_verify(ledger: Ledger, auditor: SigningKey) -> None:
    ids = [ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(5)]
    assert {ledger.status(i).state for i in ids} == {"pending"}
    with pytest.raises(NotAnchored):
        ledger.receipt(ids[0])

    report = ledger.anchorer.drain()
    assert report.error is None and len(report.anchored) == 1

    for record_id in ids:
        status = ledger.status(record_id)
        assert status.state == "anchored" and status.time_to_anchor is not None
        receipt = ledger.receipt(record_id)
        assert receipt["leaf"] == record_id and receipt["kind"] == "audit"
        check = ledger.check_receipt(receipt)
        assert check.ok, check.to_dict()


def test_batches_split_at_max_batch(ledger: Ledger, auditor: SigningKey) -> None:
    for _ in range(19):
        ledger.submit(signed_audit(auditor).to_dict())
    report = ledger.anchorer.drain()
    assert len(report.anchored) == 3  # 8 + 8 + 3
    assert ledger.anchor.last_batch_id() == max(report.anchored)


TAMPERS: list[tuple[str, Any]] = [
    ("format", lambda r: r.pop("root")),
    ("format", lambda r: r.update(proof="0x00")),
    ("signature", lambda r: r["envelope"]["payload"].update(overallRating="excellent")),
    ("signature", lambda r: r["envelope"].update(created="2026-01-01T00:00:00Z")),
    ("leaf", lambda r: r.update(leaf="0x" + "11" * 32)),
    ("proof", lambda r: r["proof"].__setitem__(0, "0x" + "22" * 32)),
    ("proof", lambda r: r.update(root="0x" + "33" * 32)),
    ("chain", lambda r: r.update(chainId=r["chainId"] + 1)),
    ("contract", lambda r: r.update(contract="0x" + "44" * 20)),
    ("kind", lambda r: r.update(kind="wage")),
    ("anchored_at", lambda r: r.update(anchoredAt="2020-01-01T00:00:00Z")),
]


@pytest.mark.parametrize(("check", "tamper"), TAMPERS)
def test_tampered_receipt_fails_the_named_check(
    ledger: Ledger, auditor: SigningKey, check: str, tamper: Any
) -> None:
    ids = [ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(3)]
    ledger.anchorer.drain()
    receipt = copy.deepcopy(ledger.receipt(ids[1]))
    tamper(receipt)
    report = ledger.check_receipt(receipt)
    assert not report.ok
    assert report.failed is not None and report.failed.name == check, report.to_dict()


def test_root_never_anchored_fails_anchored_check(ledger: Ledger, auditor: SigningKey) -> None:
    # A receipt whose envelope, leaf and proof agree, but whose root is not on chain.
    record_id = ledger.submit(signed_audit(auditor).to_dict()).record_id
    ledger.anchorer.drain()
    receipt = ledger.receipt(record_id)
    other = signed_audit(auditor)
    receipt.update(envelope=other.to_dict(), leaf=other.record_id, proof=[], root=other.record_id)
    report = ledger.check_receipt(receipt)
    assert report.failed is not None and report.failed.name == "anchored"


def rejected(ledger: Ledger, data: dict[str, Any], error: type[Exception]) -> None:
    before = count_records(ledger)
    with pytest.raises(error):
        ledger.submit(data)
    assert count_records(ledger) == before


def test_each_bad_input_is_rejected_and_stores_nothing(ledger: Ledger, auditor: SigningKey) -> None:
    good = signed_audit(auditor)
    ledger.submit(good.to_dict())

    rejected(ledger, good.to_dict(), DuplicateRecord)
    rejected(ledger, signed_audit(SigningKey.generate()).to_dict(), UnknownSigner)

    forged = signed_audit(auditor).to_dict()
    forged["payload"]["workersInterviewed"] = 0
    rejected(ledger, forged, SignatureError)

    rejected(
        ledger,
        sign_envelope("audit", audit_payload(startDate="2027-01-01"), auditor).to_dict(),
        SchemaViolation,
    )
    rejected(
        ledger, signed_audit(auditor, created=utcnow() + timedelta(hours=1)).to_dict(), ClockSkew
    )
    rejected(
        ledger,
        sign_envelope("audit", audit_payload(), auditor, nonce=good.nonce).to_dict(),
        NonceReplayed,
    )

    employer = SigningKey.generate()
    ledger.accredit(employer.did, Role.EMPLOYER)
    rejected(ledger, signed_audit(employer).to_dict(), NotAccredited)

    ledger.revoke(auditor.did)
    rejected(ledger, signed_audit(auditor).to_dict(), SignerRevoked)


def test_follow_up_must_reference_a_real_audit_of_the_same_facility(
    ledger: Ledger, auditor: SigningKey
) -> None:
    first = ledger.submit(signed_audit(auditor).to_dict()).record_id
    follow_up = {
        "auditType": "follow-up", "follows": first, "startDate": "2026-10-20", "endDate": "2026-10-20",
        "findings": [{"id": "F1-FU", "clause": "ETI 1.1", "iloIndicators": ["retention-of-identity-documents"],
                      "severity": "critical", "description": "Passports returned; lockers installed.",
                      "evidence": [], "status": "closed", "followsFinding": "F1"}],
        "correctiveActions": [],
    }  # fmt: skip
    ledger.submit(signed_audit(auditor, **follow_up).to_dict())
    rejected(
        ledger,
        signed_audit(auditor, **{**follow_up, "follows": "0x" + "ab" * 32}).to_dict(),
        SchemaViolation,
    )
    bad_finding = copy.deepcopy(follow_up)
    bad_finding["findings"][0]["followsFinding"] = "F9"
    rejected(ledger, signed_audit(auditor, **bad_finding).to_dict(), SchemaViolation)
    other_facility = {
        **follow_up,
        "facility": {"id": "fac-other", "name": "Other", "country": "VN"},
    }
    rejected(ledger, signed_audit(auditor, **other_facility).to_dict(), SchemaViolation)
