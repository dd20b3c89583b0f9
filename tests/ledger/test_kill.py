"""Crash safety: a real worker process SIGKILLed at every step of the anchoring state
machine (and at random moments) never loses or double-anchors a record, on SQLite and on
PostgreSQL, against anvil.

After each crash the database must hold every accepted record either pending or in exactly
one batch; after a clean restart every record is anchored and every batch root appears on
chain exactly once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlmodel import select

from domain import open_ledger
from ledger.anchoring import AnchoringPolicy
from ledger.chain.anvil import Anvil
from ledger.failpoints import ANCHORING_POINTS
from ledger.keys import SigningKey
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import session_scope
from ledger.store.models import BatchRow, BatchState, RecordProofRow, RecordRow
from tests.ledger.helpers import signed_audit

pytestmark = [pytest.mark.slow, pytest.mark.anvil]


@pytest.fixture
def ledger(anvil: Anvil, database_url: str) -> Iterator[Ledger]:
    # A fresh database binds to the (shared) anvil and deploys its own contracts.
    opened = open_ledger(LedgerConfig(database_url=database_url, rpc_url=anvil.url,
                                      policy=AnchoringPolicy(max_batch=4)))  # fmt: skip
    yield opened
    opened.close()


def worker(
    ledger: Ledger,
    anvil: Anvil,
    *,
    failpoint: str | None = None,
    batch: int = 4,
    drain: bool = True,
    lease_ttl: float = 2,
) -> subprocess.Popen[bytes]:
    """``ledger worker`` as its own process: --drain anchors everything and exits; without it
    the worker runs until killed, cutting a batch as soon as records wait 0.2 s."""
    env = {**os.environ, "LEDGER_BATCH_MAX_RECORDS": str(batch), "LEDGER_LEASE_TTL_SECONDS": str(lease_ttl),
           "LEDGER_BATCH_MAX_WAIT_SECONDS": "0.2"}  # fmt: skip
    env.pop("LEDGER_FAILPOINTS", None)
    if failpoint:
        env["LEDGER_FAILPOINTS"] = failpoint
    url = ledger.engine.url.render_as_string(hide_password=False)
    mode = ["--drain"] if drain else ["--interval", "0.05"]
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker", "--db", url, "--rpc", anvil.url, *mode],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def assert_consistent(ledger: Ledger, accepted: set[str]) -> None:
    """Every accepted record is stored once, pending or in exactly one batch with a proof."""
    with session_scope(ledger.engine) as session:
        records = session.exec(select(RecordRow)).all()
        batches = {b.id: b for b in session.exec(select(BatchRow)).all()}
        proofs = {p.record_id: p.batch_id for p in session.exec(select(RecordProofRow)).all()}
    assert {r.id for r in records} == accepted
    members = Counter(r.batch_id for r in records if r.batch_id is not None)
    for batch_id, batch in batches.items():
        assert members[batch_id] == batch.count, f"batch {batch_id} lost or gained members"
    for record in records:
        if record.batch_id is None:
            assert record.id not in proofs
        else:
            assert proofs[record.id] == record.batch_id


def assert_all_anchored_once(ledger: Ledger, accepted: set[str]) -> None:
    assert_consistent(ledger, accepted)
    with session_scope(ledger.engine) as session:
        batches = session.exec(select(BatchRow)).all()
    assert batches and all(b.state == BatchState.ANCHORED for b in batches)
    assert sum(b.count for b in batches) == len(accepted)
    events = ledger.anchor.contract.events.Anchored().get_logs(
        from_block=ledger.deployment.first_block
    )
    per_root = Counter("0x" + bytes(e["args"]["root"]).hex() for e in events)
    assert per_root == Counter({b.root: 1 for b in batches}), (
        "a root was anchored twice, or not at all"
    )
    for record_id in accepted:
        assert ledger.check_receipt(ledger.receipt(record_id)).ok


def run(process: subprocess.Popen[bytes], timeout: float = 120) -> tuple[int, str]:
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output.decode(errors="replace")


@pytest.mark.parametrize("point", ANCHORING_POINTS)
def test_sigkill_at_each_step_loses_nothing(
    ledger: Ledger, anvil: Anvil, auditor: SigningKey, point: str
) -> None:
    accepted = {ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(10)}

    code, output = run(worker(ledger, anvil, failpoint=point))
    assert code == -signal.SIGKILL, output
    assert_consistent(ledger, accepted)

    # Records keep arriving while the worker is down.
    accepted |= {ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(3)}

    code, output = run(worker(ledger, anvil))
    assert code == 0, output
    assert_all_anchored_once(ledger, accepted)


def test_root_already_on_chain_is_adopted_not_resent(
    ledger: Ledger, anvil: Anvil, auditor: SigningKey
) -> None:
    accepted = {ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(4)}
    code, output = run(worker(ledger, anvil, failpoint="after_broadcast"))
    assert code == -signal.SIGKILL, output
    # Forget the transaction, as if the crash had come before its hash was stored.
    with session_scope(ledger.engine) as session:
        for batch in session.exec(select(BatchRow)).all():
            batch.state, batch.tx_hash, batch.raw_tx = BatchState.BATCHED, None, None
            session.add(batch)
    code, output = run(worker(ledger, anvil))
    assert code == 0, output
    assert "already anchored" in output
    assert_all_anchored_once(ledger, accepted)


def test_sigkill_at_random_moments_under_load(
    ledger: Ledger, anvil: Anvil, auditor: SigningKey
) -> None:
    """A running worker (never idle: records keep arriving) is killed at a random moment, six
    times; between lives the database must be consistent, and nothing may be lost."""
    rng = random.Random(7)
    accepted: set[str] = set()
    for _ in range(6):
        process = worker(ledger, anvil, batch=3, drain=False)
        deadline = time.monotonic() + rng.uniform(2.0, 5.0)
        while time.monotonic() < deadline:
            accepted.add(ledger.submit(signed_audit(auditor).to_dict()).record_id)
            time.sleep(rng.uniform(0.0, 0.1))
        assert process.poll() is None, run(process)[1]  # alive: the kill lands mid-work
        process.send_signal(signal.SIGKILL)
        code, _ = run(process)
        assert code == -signal.SIGKILL
        assert_consistent(ledger, accepted)
    with session_scope(ledger.engine) as session:
        anchored = session.exec(select(BatchRow).where(BatchRow.state == BatchState.ANCHORED)).all()
    assert anchored, "the killed workers never anchored anything: nothing was tested"
    code, output = run(worker(ledger, anvil, batch=3))
    assert code == 0, output
    assert_all_anchored_once(ledger, accepted)
