"""Reorg drills on anvil (``anvil_reorg``): an anchor transaction is dropped, or mined again
in another block, after its receipt was issued. The worker takes the receipt back, anchors
the batch again exactly once, and the receipt it then issues verifies; the old one, checked
against the chain after the reorg, fails."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from credentials.worker import parse_worker_credential
from domain import open_ledger
from ledger.anchoring import (
    PUBLIC_CHAIN_CONFIRMATIONS,
    Anchorer,
    AnchoringPolicy,
    default_confirmations,
)
from ledger.chain.anvil import Anvil
from ledger.chain.client import ChainClient
from ledger.errors import NotAnchored
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import session_scope
from ledger.store.models import BatchRow, BatchState, OutboxRow, OutboxState
from tests.cli.test_verify_receipt import run_js
from tests.credentials.worker_support import accredited, issue
from tests.ledger.helpers import signed_audit
from tests.ledger.test_kill import assert_all_anchored_once, assert_consistent, run, worker

pytestmark = [pytest.mark.slow, pytest.mark.anvil]


@pytest.fixture(scope="module")
def anvil() -> Iterator[Anvil]:
    with Anvil(keep_states=64) as node:  # plain --prune-history keeps no state to reorg to
        yield node


@pytest.fixture
def ledger(anvil: Anvil, database_url: str) -> Iterator[Ledger]:
    opened = open_ledger(LedgerConfig(database_url=database_url, rpc_url=anvil.url,
                                      policy=AnchoringPolicy(max_batch=100)))  # fmt: skip
    yield opened
    opened.close()


def rpc(ledger: Ledger, method: str, params: list[Any]) -> Any:
    reply = ledger.client.w3.provider.make_request(method, params)  # type: ignore[arg-type]
    assert "error" not in reply, reply
    return reply["result"]


def anchored(ledger: Ledger, auditor: SigningKey, n: int = 3) -> tuple[set[str], BatchRow]:
    ids = {ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(n)}
    assert ledger.anchorer.drain(timeout=60).error is None
    with session_scope(ledger.engine) as session:
        batch = session.exec(select(BatchRow).order_by(col(BatchRow.id).desc())).first()
    assert batch is not None and batch.state == BatchState.ANCHORED and batch.block_hash is not None
    return ids, batch


def reorg_from(ledger: Ledger, block: int, replacements: list[list[Any]]) -> None:
    """Replace ``block`` and every block after it (the head stays where it was)."""
    depth = ledger.client.block_number() - block + 1
    rpc(ledger, "anvil_reorg", [depth, replacements])


def events_of(ledger: Ledger, root: str) -> list[Any]:
    return ledger.anchor.contract.events.Anchored().get_logs(
        from_block=ledger.deployment.first_block, argument_filters={"root": bytes.fromhex(root[2:])}
    )


def test_dropped_anchor_is_taken_back_and_anchored_again_once(
    ledger: Ledger, auditor: SigningKey
) -> None:
    ids, batch = anchored(ledger, auditor)
    record = next(iter(ids))
    before = ledger.receipt(record)
    assert before["blockNumber"] == batch.block_number
    assert ledger.check_receipt(before).ok

    reorg_from(ledger, batch.block_number or 0, [])  # no replacement: the anchor is gone
    root = bytes.fromhex(batch.root[2:])
    assert ledger.anchor.anchor_of(root) is None and not events_of(ledger, batch.root)
    stale = ledger.check_receipt(before)
    assert not stale.ok and stale.failed is not None and stale.failed.name == "anchored"

    report = ledger.anchorer.run_once()
    assert report.reorged == [batch.id]
    with pytest.raises(NotAnchored, match="withdrawn: a reorg") as refused:
        ledger.receipt(record)  # the same bytes were sent again; not yet confirmed here
    assert refused.value.data == {"record_id": record, "state": "submitted", "withdrawn": True}
    status = ledger.status(record)
    assert status.state == "submitted" and status.block_number is None

    assert ledger.anchorer.drain(timeout=60).error is None
    after = ledger.receipt(record)
    assert after["txHash"] == before["txHash"]  # the kept signed bytes, not a second tx
    assert after["blockNumber"] > before["blockNumber"]
    assert ledger.check_receipt(after).ok
    stale = ledger.check_receipt(before)  # a holder of the old receipt sees it is stale
    assert stale.failed is not None and stale.failed.name == "anchored"
    assert f"block {before['blockNumber']}" in stale.failed.detail
    assert len(events_of(ledger, batch.root)) == 1
    assert ledger.anchor.last_batch_id() == batch.id
    assert_all_anchored_once(ledger, ids)

    # Nonce bookkeeping survived the chain forgetting a nonce: the next batch anchors.
    more, _ = anchored(ledger, auditor, 2)
    assert_all_anchored_once(ledger, ids | more)
    assert ledger.anchorer.run_once(force=True).did_work is False  # nothing taken back again


def test_anchor_mined_again_in_another_block_is_adopted(
    ledger: Ledger, anvil: Anvil, auditor: SigningKey, tmp_path: Path
) -> None:
    ids, batch = anchored(ledger, auditor)
    record = next(iter(ids))
    before = ledger.receipt(record)
    rpc(ledger, "evm_mine", [])
    assert batch.raw_tx is not None and batch.block_number is not None
    # The same signed transaction, one block later in the new branch.
    reorg_from(ledger, batch.block_number, [[batch.raw_tx, 1]])
    moved = ledger.client.outcome(batch.tx_hash or "")
    assert moved is not None and moved.block_number == batch.block_number + 1

    report = ledger.anchorer.run_once()
    assert report.reorged == [batch.id] and report.anchored == [batch.id]
    assert report.submitted == []  # adopted where it is, nothing sent
    after = ledger.receipt(record)
    assert after["txHash"] == before["txHash"]
    assert after["blockNumber"] == batch.block_number + 1
    assert ledger.check_receipt(after).ok
    stale = ledger.check_receipt(before)  # the root is on chain, but not where it says
    assert stale.failed is not None and stale.failed.name == "anchored"
    # The independent verifier agrees, on both.
    pin = ("--rpc", anvil.url, "--contract", ledger.deployment.address("ProvenanceAnchor"))
    for receipt, failed in ((before, "anchored"), (after, None)):
        path = tmp_path / f"receipt-{receipt['blockNumber']}.json"
        path.write_text(json.dumps(receipt))
        assert run_js(str(path), *pin).failed == failed
    assert len(events_of(ledger, batch.root)) == 1
    assert_all_anchored_once(ledger, ids)


def test_watch_ends_after_the_window(ledger: Ledger, auditor: SigningKey) -> None:
    """Past ``reorg_window`` blocks an anchor is taken as final."""
    ledger.anchorer.policy = AnchoringPolicy(max_batch=100, reorg_window=3)
    ids, batch = anchored(ledger, auditor)
    for _ in range(3):
        rpc(ledger, "evm_mine", [])
    reorg_from(ledger, batch.block_number or 0, [])
    assert ledger.anchorer.watch_reorgs() == []
    assert ledger.status(next(iter(ids))).state == "anchored"
    ledger.anchorer.policy = AnchoringPolicy(max_batch=100, reorg_window=5)
    assert ledger.anchorer.watch_reorgs() == [batch.id]  # the same reorg, inside the window


def test_sigkill_after_taking_back_loses_nothing(
    ledger: Ledger, anvil: Anvil, auditor: SigningKey
) -> None:
    # Worker processes only: the lease of this process's anchorer would keep them out.
    ids = {ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(3)}
    code, output = run(worker(ledger, anvil))
    assert code == 0, output
    anchored_in = ledger.status(next(iter(ids))).block_number
    assert anchored_in is not None
    reorg_from(ledger, anchored_in, [])

    code, output = run(worker(ledger, anvil, failpoint="after_reorg_withdrawn"))
    assert code == -signal.SIGKILL, output
    assert_consistent(ledger, ids)
    assert ledger.status(next(iter(ids))).state == "submitted"

    code, output = run(worker(ledger, anvil))
    assert code == 0, output
    assert_all_anchored_once(ledger, ids)


def test_relayed_status_write_a_reorg_dropped_is_relayed_again(ledger: Ledger) -> None:
    """The outbox (a credential's registration on CredentialStatus) is watched the same way:
    a dropped relay goes back to submitted and takes effect once."""
    credential, _ = issue(ledger, accredited(ledger, Role.ISSUER), SigningKey.generate())
    status_id = bytes.fromhex(parse_worker_credential(credential).status_id[2:])
    assert ledger.anchorer.drain(timeout=60).error is None
    with session_scope(ledger.engine) as session:
        (row,) = session.exec(select(OutboxRow)).all()
        batches = session.exec(select(BatchRow)).all()
    assert row.state == OutboxState.DONE and row.block_number and row.block_hash
    assert ledger.credential_status.entry_of(status_id).registered

    first = min([row.block_number] + [b.block_number or row.block_number for b in batches])
    reorg_from(ledger, first, [])  # the relay and the anchors behind it are gone
    assert not ledger.credential_status.entry_of(status_id).registered

    report = ledger.anchorer.run_once()
    assert row.id in report.relayed and sorted(report.reorged) == sorted(b.id for b in batches)
    assert ledger.anchorer.drain(timeout=60).error is None
    with session_scope(ledger.engine) as session:
        again = session.get(OutboxRow, row.id)
    assert again is not None and again.state == OutboxState.DONE
    assert again.tx_hash == row.tx_hash and again.block_hash != row.block_hash
    assert ledger.credential_status.entry_of(status_id).registered
    registered = ledger.credential_status.contract.events.CredentialRegistered().get_logs(
        from_block=ledger.deployment.first_block
    )
    assert len(registered) == 1


def test_confirmations_default_to_one_only_where_nobody_else_mines(ledger: Ledger) -> None:
    embedded = ChainClient.embedded_evm()
    assert default_confirmations(embedded, embedded.chain_id) == 1
    remote = ChainClient.reader("http://127.0.0.1:9")  # never asked: the chain id is given
    assert default_confirmations(remote, 31337) == 1  # anvil
    assert default_confirmations(remote, 11155111) == PUBLIC_CHAIN_CONFIRMATIONS == 12  # Sepolia
    assert ledger.anchorer.confirmations == 1  # this ledger runs on anvil (chain 31337)
    explicit = replace(ledger.anchorer.policy, confirmations=3)
    assert Anchorer(ledger.engine, ledger.anchor, explicit, kind_codes=len).confirmations == 3
