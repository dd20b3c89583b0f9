"""Group commit on real databases: concurrent single submissions share commits, each is
still admitted (or refused) on its own, and a caller is answered only once its record is
durable. Then the committer's own rules: one leader at a time, a failure that is not a
refusal reaches only its own caller."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import func, select

from domain import open_ledger
from ledger.admission import Accepted
from ledger.envelope import sign_envelope
from ledger.errors import LedgerError, NonceReplayed, SignatureError
from ledger.group_commit import GroupCommitter
from ledger.keys import SigningKey
from ledger.preparation import Submission
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import make_engine, session_scope
from ledger.store.models import RecordRow
from tests.ledger.helpers import audit_payload, signed_audit


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    opened = open_ledger(LedgerConfig(database_url=database_url,
                                      group_commit_wait=timedelta(milliseconds=5)))  # fmt: skip
    yield opened
    opened.close()


def stored_ids(url: str) -> set[str]:
    """The records a separate engine (a new connection, another reader) sees committed."""
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return set(session.exec(select(RecordRow.id)).all())
    finally:
        engine.dispose()


def burst(ledger: Ledger, bodies: Sequence[dict[str, Any]]) -> list[Accepted | LedgerError]:
    """Every body submitted at once from its own thread, released together."""
    gate = threading.Barrier(len(bodies))

    def one(body: dict[str, Any]) -> Accepted | LedgerError:
        gate.wait()
        try:
            return ledger.submit(body)
        except LedgerError as exc:
            return exc

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(one, bodies))


def test_concurrent_submissions_share_commits_and_are_durable_when_answered(
    ledger: Ledger, auditor: SigningKey
) -> None:
    commits: list[int] = []
    event.listen(ledger.engine, "commit", lambda _conn: commits.append(1))
    bodies = [signed_audit(auditor).to_dict() for _ in range(48)]
    answers = burst(ledger, bodies)
    assert all(isinstance(a, Accepted) for a in answers), answers
    accepted = {a.record_id for a in answers if isinstance(a, Accepted)}
    assert len(accepted) == 48
    url = ledger.engine.url.render_as_string(hide_password=False)
    assert accepted <= stored_ids(url), "answered before its commit"
    assert len(commits) < 48 / 2, f"{len(commits)} commits for 48 concurrent submissions"


def test_a_refused_envelope_refuses_only_itself(ledger: Ledger, auditor: SigningKey) -> None:
    good = [signed_audit(auditor).to_dict() for _ in range(20)]
    forged = signed_audit(auditor).to_dict()
    forged["payload"]["facility"]["name"] = "Tampered after signing"
    stranger = signed_audit(SigningKey.generate()).to_dict()
    twin = signed_audit(auditor).to_dict()
    replay = sign_envelope("audit", audit_payload(), auditor, nonce=twin["nonce"]).to_dict()
    assert replay != twin
    bodies = [*good, forged, stranger, twin, replay]
    answers = burst(ledger, bodies)
    assert all(isinstance(a, Accepted) for a in answers[:20]), answers[:20]
    assert isinstance(answers[20], SignatureError)
    assert isinstance(answers[21], LedgerError) and answers[21].code == "unknown_signer"
    pair = answers[22:24]  # the twin and its replay share a nonce: exactly one is admitted
    assert sum(isinstance(a, Accepted) for a in pair) == 1
    assert sum(isinstance(a, NonceReplayed) for a in pair) == 1
    admitted = {a.record_id for a in answers if isinstance(a, Accepted)}
    with session_scope(ledger.engine) as session:
        assert set(session.exec(select(RecordRow.id)).all()) == admitted
        assert session.exec(select(func.count()).select_from(RecordRow)).one() == len(admitted)


def accepted_all(items: Sequence[Submission]) -> list[Accepted | LedgerError]:
    """What a fake ``admit_many`` answers: each item accepted under an id made of its ``n``."""
    return [Accepted(record_id=f"0x{item.envelope['n']:064x}", leaf="", status="pending",
                     kind="audit") for item in items]  # fmt: skip


def test_one_leader_at_a_time_and_a_failure_reaches_only_its_caller() -> None:
    calls: list[int] = []
    inside = threading.Lock()

    def admit_many(items: Sequence[Submission]) -> list[Accepted | LedgerError]:
        assert inside.acquire(blocking=False), "two groups admitted at once"
        try:
            calls.append(len(items))
            time.sleep(0.002)  # as a commit waits for the disk
            if any(item.envelope.get("boom") for item in items):
                raise RuntimeError("a kind's rule failed")
            return accepted_all(items)
        finally:
            inside.release()

    committer = GroupCommitter(admit_many, max_wait=0.005)
    gate = threading.Barrier(24)

    def one(n: int) -> str:
        gate.wait()
        try:
            return committer.submit(Submission({"n": n, "boom": n == 7})).record_id
        except RuntimeError:
            return "failed"

    with ThreadPoolExecutor(24) as pool:
        results = list(pool.map(one, range(24)))
    assert results[7] == "failed"
    assert results[:7] + results[8:] == [f"0x{n:064x}" for n in range(24) if n != 7]
    assert max(calls) > 1, "no group formed"


def test_up_to_max_leaders_groups_run_at_once_each_answered_on_its_own() -> None:
    running, most, started = 0, 0, 0
    count = threading.Lock()
    # The first three groups meet here, so all three must be in flight together (one
    # leader at a time would time the barrier out); callers keep waiting meanwhile, so a
    # fourth leader, were one allowed, would start too.
    three = threading.Barrier(3, timeout=10)

    def admit_many(items: Sequence[Submission]) -> list[Accepted | LedgerError]:
        nonlocal running, most, started
        with count:
            running += 1
            most = max(most, running)
            started += 1
            first_three = started <= 3
        try:
            if first_three:
                three.wait()
                time.sleep(0.05)
            if any(item.envelope.get("boom") for item in items):
                raise RuntimeError("a kind's rule failed")
            return accepted_all(items)
        finally:
            with count:
                running -= 1

    committer = GroupCommitter(admit_many, max_wait=0.001, max_group=4, max_leaders=3)
    gate = threading.Barrier(48)

    def one(n: int) -> str:
        gate.wait()
        try:
            return committer.submit(Submission({"n": n, "boom": n == 30})).record_id
        except RuntimeError:
            return "failed"

    with ThreadPoolExecutor(48) as pool:
        results = list(pool.map(one, range(48)))
    assert results[30] == "failed"
    assert [r for n, r in enumerate(results) if n != 30] == [
        f"0x{n:064x}" for n in range(48) if n != 30
    ]
    assert most == 3, f"{most} groups were in flight at once"
    with pytest.raises(ValueError):
        GroupCommitter(admit_many, max_wait=0, max_leaders=0)
