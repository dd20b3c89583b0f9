"""Several `ledger worker` processes on one database: exactly one anchors at a time (the
database lease), a SIGKILLed holder is replaced within the lease TTL, and a clean shutdown
hands the lease over at once. Real processes, anvil, SQLite and PostgreSQL."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator

import pytest

from domain import open_ledger
from ledger.anchoring import AnchoringPolicy
from ledger.chain.anvil import Anvil
from ledger.keys import SigningKey
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import as_utc, session_scope
from ledger.store.models import LeaseRow
from ledger.timeutil import utcnow
from tests.ledger.helpers import signed_audit
from tests.ledger.test_kill import assert_all_anchored_once, assert_consistent, run, worker

pytestmark = [pytest.mark.slow, pytest.mark.anvil]


@pytest.fixture
def ledger(anvil: Anvil, database_url: str) -> Iterator[Ledger]:
    opened = open_ledger(LedgerConfig(database_url=database_url, rpc_url=anvil.url,
                                      policy=AnchoringPolicy(max_batch=3)))  # fmt: skip
    yield opened
    opened.close()


def lease(ledger: Ledger) -> tuple[int | None, bool]:
    """The pid in the anchoring lease's holder, and whether the lease is still live."""
    with session_scope(ledger.engine) as session:
        row = session.get(LeaseRow, "anchoring")
    if row is None:
        return None, False
    expires = as_utc(row.expires_at)
    return int(row.holder.split("-")[-2]), expires is not None and expires > utcnow()


def wait_for(predicate, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    """Poll until ``predicate()``; the seconds it took."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - start


def submit(ledger: Ledger, auditor: SigningKey, count: int) -> set[str]:
    return {ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(count)}


def started(process: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
    """Wait until the worker says it runs (its ledger is open and it asks for the lease)."""
    assert process.stdout is not None
    for line in process.stdout:
        if b"anchoring worker" in line and b"running" in line:
            return process
    raise AssertionError(f"the worker exited before it ran: {run(process)[1]}")


def stop(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    return run(process, timeout=60)


def test_a_killed_anchoring_worker_is_replaced_within_the_lease_ttl(
    ledger: Ledger, anvil: Anvil, auditor: SigningKey
) -> None:
    ttl = 3.0
    # The first worker will die by SIGKILL right after broadcasting its first batch:
    # mid-batch, holding the lease, its transaction sent and its outcome not recorded.
    doomed = started(worker(ledger, anvil, failpoint="after_broadcast", batch=3, drain=False,
                            lease_ttl=ttl))  # fmt: skip
    wait_for(lambda: lease(ledger)[0] == doomed.pid, 30, "the first worker took the lease")
    successor = started(worker(ledger, anvil, batch=3, drain=False, lease_ttl=ttl))
    try:
        accepted = submit(ledger, auditor, 9)
        code, output = run(doomed, timeout=60)
        died = time.monotonic()
        assert code == -signal.SIGKILL, output
        assert lease(ledger) == (doomed.pid, True), "the dead worker's lease is still held"
        assert_consistent(ledger, accepted)
        accepted |= submit(ledger, auditor, 4)  # records keep arriving meanwhile
        wait_for(lambda: lease(ledger)[0] == successor.pid, ttl + 5, "takeover")
        took_over = time.monotonic() - died
        assert took_over <= ttl + 1.5, f"took {took_over:.1f} s for a {ttl} s lease"
        wait_for(lambda: not ledger.anchorer._has_unanchored(), 90, "everything anchored")
    finally:
        code, output = stop(successor)
    assert code == 0, output
    assert_all_anchored_once(ledger, accepted)
    assert lease(ledger) == (successor.pid, False), "a clean stop released the lease"


def test_a_clean_shutdown_hands_the_lease_over_at_once(
    ledger: Ledger, anvil: Anvil, auditor: SigningKey
) -> None:
    ttl = 60.0  # far longer than the handover may take
    accepted = submit(ledger, auditor, 5)
    first = started(worker(ledger, anvil, batch=3, drain=False, lease_ttl=ttl))
    wait_for(lambda: lease(ledger)[0] == first.pid, 30, "the first worker took the lease")
    second = started(worker(ledger, anvil, batch=3, drain=False, lease_ttl=ttl))
    try:
        wait_for(lambda: not ledger.anchorer._has_unanchored(), 60, "first batches anchored")
        assert lease(ledger) == (first.pid, True)
        code, output = stop(first)
        assert code == 0, output
        handover = wait_for(lambda: lease(ledger)[0] == second.pid, 10, "handover")
        assert handover < 5, f"the handover took {handover:.1f} s"
        accepted |= submit(ledger, auditor, 4)
        wait_for(lambda: not ledger.anchorer._has_unanchored(), 60, "later batches anchored")
    finally:
        code, output = stop(second)
    assert code == 0, output
    assert_all_anchored_once(ledger, accepted)
