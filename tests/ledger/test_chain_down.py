"""Chain down: ingestion goes on, anchoring retries with backoff and says so, then recovers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from domain import open_ledger
from ledger.anchoring import AnchoringPolicy
from ledger.chain.anvil import Anvil
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import LedgerConfig
from ledger.store.db import session_scope
from ledger.store.records import backlog
from ledger.timeutil import utcnow
from tests.ledger.helpers import signed_audit
from tests.tools.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.slow, pytest.mark.anvil]


@pytest.fixture
def network() -> Iterator[tuple[Anvil, TcpProxy]]:
    with Anvil() as node:
        proxy = TcpProxy(node.port).start()
        yield node, proxy
        proxy.cut()


def test_outage_then_recovery(network: tuple[Anvil, TcpProxy], database_url: str) -> None:
    _, proxy = network
    policy = AnchoringPolicy(max_batch=100, backoff_base=timedelta(seconds=2))
    ledger = open_ledger(LedgerConfig(database_url=database_url, rpc_url=proxy.url, policy=policy))
    ledger.client.w3.provider.request_kwargs = {"timeout": 2}  # type: ignore[attr-defined]
    auditor = SigningKey.generate()
    ledger.accredit(auditor.did, Role.AUDITOR)

    proxy.cut()
    ids = [
        ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(5)
    ]  # ingestion goes on
    report = ledger.anchorer.run_once(force=True)
    assert report.error is not None and "unreachable" in report.error
    assert {ledger.status(i).state for i in ids} == {"batched"}  # root persisted, nothing sent

    health = ledger.health()
    assert health["status"] == "degraded" and not health["chain"]["ok"]
    with session_scope(ledger.engine) as session:
        queue = backlog(session)
    (error,) = queue["errors"]
    assert error["attempts"] == 1 and "unreachable" in error["error"] and error["nextAttemptAt"]

    # Within the backoff window nothing is attempted, so the attempt count stays.
    ledger.anchorer.run_once()
    with session_scope(ledger.engine) as session:
        assert backlog(session)["errors"][0]["attempts"] == 1
    ledger.anchorer.run_once(now=utcnow() + timedelta(seconds=3))
    with session_scope(ledger.engine) as session:
        assert backlog(session)["errors"][0]["attempts"] == 2  # backed off 2 s, then 4 s

    proxy.restore()
    recovered = ledger.anchorer.run_once(now=utcnow() + timedelta(seconds=10))
    assert recovered.error is None and recovered.anchored
    assert {ledger.status(i).state for i in ids} == {"anchored"}
    assert all(ledger.check_receipt(ledger.receipt(i)).ok for i in ids)
    assert ledger.health()["status"] == "ok"
    ledger.close()
