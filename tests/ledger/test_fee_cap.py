"""The fee cap (``LEDGER_MAX_FEE_GWEI``) on anvil: above it nothing is signed or sent and health
says why; when the base fee falls the backlog is anchored, exactly once, within the cap."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlmodel import select

from domain import open_ledger
from ledger.anchoring import AnchoringPolicy
from ledger.chain.anvil import Anvil
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import session_scope
from ledger.store.models import BatchRow
from tests.ledger.helpers import signed_audit

pytestmark = pytest.mark.anvil

GWEI = 10**9
CAP_GWEI = 5.0


def rpc(url: str, method: str, *params: Any) -> Any:
    reply = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method,
                                     "params": list(params)}, timeout=10).json()  # fmt: skip
    assert "error" not in reply, reply
    return reply["result"]


def set_base_fee(node: Anvil, wei: int) -> None:
    """The next block gets this base fee; mine it so it is the latest block's."""
    rpc(node.url, "anvil_setNextBlockBaseFeePerGas", hex(wei))
    rpc(node.url, "evm_mine")


@pytest.fixture
def node() -> Iterator[Anvil]:
    with Anvil() as running:
        yield running


@pytest.fixture
def ledger(node: Anvil, database_url: str) -> Iterator[Ledger]:
    opened = open_ledger(LedgerConfig(database_url=database_url, rpc_url=node.url,
                                      policy=AnchoringPolicy(max_batch=10),
                                      max_fee_gwei=CAP_GWEI))  # fmt: skip
    yield opened
    opened.close()


def test_above_the_cap_the_backlog_waits_then_anchors_once(node: Anvil, ledger: Ledger) -> None:
    auditor = SigningKey.generate()
    ledger.accredit(auditor.did, Role.AUDITOR)
    ids = [ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(3)]
    nonce_before = ledger.client.w3.eth.get_transaction_count(ledger.client.address, "pending")

    set_base_fee(node, 50 * GWEI)
    for _ in range(2):  # a second pass waits the same way: no backoff, no attempt counted
        report = ledger.anchorer.run_once(force=True)
        assert report.submitted == [] and report.anchored == []
        assert report.error is not None and "above the cap of 5 gwei" in report.error
    assert {ledger.status(i).state for i in ids} == {"batched"}
    with session_scope(ledger.engine) as session:
        (batch,) = session.exec(select(BatchRow)).all()
        assert (batch.tx_hash, batch.raw_tx, batch.attempts, batch.last_error) == (
            None, None, 0, None,
        )  # fmt: skip
    assert ledger.client.w3.eth.get_transaction_count(ledger.client.address, "pending") == (
        nonce_before
    )  # nothing signed and sent, no nonce taken
    health = ledger.health()
    assert health["status"] == "degraded" and health["chain"]["ok"]
    waiting = health["anchoring"]
    assert waiting["waiting"] == "fee above cap" and waiting["capGwei"] == CAP_GWEI
    assert waiting["feeGwei"] > 50

    set_base_fee(node, 1 * GWEI)
    drained = ledger.anchorer.drain(timeout=60)
    assert drained.error is None and drained.anchored == [1]
    assert {ledger.status(i).state for i in ids} == {"anchored"}
    events = ledger.anchor.anchored_events(0, ledger.client.block_number())
    assert [e.batch_id for e in events] == [1]
    sent = ledger.client.w3.eth.get_transaction(events[0].tx_hash)  # type: ignore[arg-type]
    assert sent["maxFeePerGas"] <= CAP_GWEI * GWEI
    health = ledger.health()
    assert health["status"] == "ok" and "waiting" not in health["anchoring"]


def test_no_backlog_is_no_wait(node: Anvil, ledger: Ledger) -> None:
    set_base_fee(node, 50 * GWEI)
    health = ledger.health()
    assert health["status"] == "ok" and "waiting" not in health["anchoring"]
    assert ledger.client.fee_quote().above_cap


def test_the_setting_reaches_the_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    from api.app import ledger_config
    from api.settings import Settings

    monkeypatch.setenv("LEDGER_MAX_FEE_GWEI", "2.5")
    assert ledger_config(Settings()).max_fee_gwei == 2.5
    monkeypatch.setenv("LEDGER_MAX_FEE_GWEI", "0")
    with pytest.raises(ValueError, match="greater than 0"):
        Settings()
