"""Crash safety of the outbox: a real worker process SIGKILLed at every step of relaying
credential registrations and status changes to CredentialStatus never loses a change and
never applies one twice, on SQLite and PostgreSQL, against anvil."""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlmodel import select

from credentials.worker import parse_worker_credential, registration_payload, status_change_payload
from domain import open_ledger
from domain.workers import WorkerCredentials
from ledger.anchoring import AnchoringPolicy
from ledger.chain.anvil import Anvil
from ledger.envelope import sign_envelope
from ledger.failpoints import OUTBOX_POINTS
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import session_scope
from ledger.store.models import OutboxRow, OutboxState
from tests.credentials.worker_support import accredited, issue
from tests.ledger.test_kill import run, worker

pytestmark = [pytest.mark.slow, pytest.mark.anvil]


@pytest.fixture
def ledger(anvil: Anvil, database_url: str) -> Iterator[Ledger]:
    opened = open_ledger(LedgerConfig(database_url=database_url, rpc_url=anvil.url,
                                      policy=AnchoringPolicy(max_batch=4)))  # fmt: skip
    yield opened
    opened.close()


def _changes(ledger: Ledger, issuer: SigningKey, count: int) -> dict[str, list[str]]:
    """``count`` credentials registered, each then suspended and reinstated: status id ->
    the ids of the records that must reach the chain, in order."""
    workers = WorkerCredentials(ledger)
    expected: dict[str, list[str]] = {}
    for _ in range(count):
        credential, _ = issue(ledger, issuer, SigningKey.generate(), register=False)
        status_id = parse_worker_credential(credential).status_id
        registration = sign_envelope("credential", registration_payload(credential), issuer)
        ids = [workers.register(registration.to_dict()).record_id]
        for action in ("suspend", "reinstate"):
            change = sign_envelope(
                "credential_status", status_change_payload(status_id, action), issuer
            )
            ids.append(workers.change_status(change.to_dict())[0].record_id)
        expected[status_id] = ids
    return expected


def assert_relayed_once(ledger: Ledger, expected: dict[str, list[str]]) -> None:
    with session_scope(ledger.engine) as session:
        rows = session.exec(select(OutboxRow)).all()
    assert rows and {r.state for r in rows} == {OutboxState.DONE}, [
        (r.id, r.state, r.last_error) for r in rows
    ]
    status = ledger.credential_status
    start = ledger.deployment.first_block
    registered = status.contract.events.CredentialRegistered().get_logs(from_block=start)
    changed = status.contract.events.StatusChanged().get_logs(from_block=start)
    seen = Counter("0x" + bytes(e["args"]["recordHash"]).hex() for e in [*registered, *changed])
    want = Counter(record for records in expected.values() for record in records)
    assert seen == want, "a change was relayed twice, or not at all"
    for status_id, records in expected.items():
        entry = status.entry_of(bytes.fromhex(status_id[2:]))
        assert entry.status == 0  # suspended, then reinstated
        assert "0x" + entry.registration_record.hex() == records[0]
        assert "0x" + entry.status_record.hex() == records[-1]


@pytest.mark.parametrize("point", OUTBOX_POINTS)
def test_sigkill_at_each_outbox_step_applies_each_change_once(
    ledger: Ledger, anvil: Anvil, point: str
) -> None:
    issuer = accredited(ledger, Role.ISSUER)
    expected = _changes(ledger, issuer, 2)
    code, output = run(worker(ledger, anvil, failpoint=point))
    assert code == -signal.SIGKILL, output
    expected |= _changes(ledger, issuer, 1)  # changes keep arriving while the worker is down
    code, output = run(worker(ledger, anvil))
    assert code == 0, output
    assert_relayed_once(ledger, expected)
