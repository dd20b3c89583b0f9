"""The anchoring worker: pending records → Merkle batches → ProvenanceAnchor → confirmed.

State machine of a batch, each step committed before the next begins::

    (records pending) ──cut──▶ batched ──sign, persist tx──▶ submitted ──k confirmations──▶ anchored
                                  ▲                              │  ▲                       │
                                  └──── reverted / dropped ──────┘  └──── reorg (new hash) ───┘

* **cut**: one database transaction writes the batch (root, count), points every member
  record at it and stores each record's proof. A crash before the commit leaves the records
  pending; after it, they are batched. Never both.
* **submit**: first ask the chain whether the root is anchored already (a previous life of
  this worker may have sent it); otherwise sign, persist hash and raw bytes, then broadcast.
  A crash after persisting resends the very same bytes, so the root is anchored once.
* **confirm**: once the receipt has ``confirmations`` blocks, mark the batch anchored and
  keep the block's number and hash.
* **watch** (:mod:`ledger.reorgs`): for ``reorg_window`` blocks after that, a batch whose
  block the chain replaced goes back to submitted, its receipt withdrawn; confirming finds
  the same transaction mined elsewhere (then the receipt names the new block) or sends the
  same signed bytes again. The contract refuses a root twice, so it is anchored once.
* Chain down: ingestion is unaffected; the batch keeps its state, records the error and
  retries with exponential backoff. :func:`ledger.store.records.backlog` shows it.

One batch is in flight at a time, in batch-id order, because the contract requires strictly
increasing batch ids. Only the holder of the database lease ``anchoring`` works, so several
API processes can share one database.
"""

from __future__ import annotations

import json
import logging
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from .chain.client import DEV_CHAIN_IDS, ChainClient, PreparedTx
from .chain.contracts import AnchorContract
from .errors import ChainError, ChainUnavailable, ContractRevert, FeeAboveCap
from .events import LedgerEvents
from .failpoints import failpoint
from .merkle import MerkleTree
from .reorgs import REORG_NOTE, replaced_blocks
from .store.db import as_utc, session_scope
from .store.leases import acquire_lease, release_lease
from .store.models import BatchRow, BatchState, OutboxRow, OutboxState, RecordProofRow, RecordRow
from .timeutil import utcnow
from .types import TxHash

if TYPE_CHECKING:
    from .outbox import OutboxRelay

__all__ = ["PUBLIC_CHAIN_CONFIRMATIONS", "Anchorer", "AnchoringPolicy", "PassReport",
           "default_confirmations"]  # fmt: skip

log = logging.getLogger(__name__)


PUBLIC_CHAIN_CONFIRMATIONS = 12
"""Default depth on a chain that is not a devnet: Ethereum reorgs of more than a few blocks
are rare before finality (~64 blocks); 12 blocks is ~2.4 min there, ~24 s on a 2 s L2."""


def default_confirmations(client: ChainClient, chain_id: int) -> int:
    """1 on the embedded EVM and devnets (nobody else mines there), else
    :data:`PUBLIC_CHAIN_CONFIRMATIONS`."""
    return 1 if client.embedded or chain_id in DEV_CHAIN_IDS else PUBLIC_CHAIN_CONFIRMATIONS


@dataclass(frozen=True)
class AnchoringPolicy:
    max_batch: int = 1024  # cut a batch at this many pending records of one kind ...
    max_wait: timedelta = timedelta(seconds=10)  # ... or when the oldest has waited this long
    # Blocks including the one that mined the transaction; None: default_confirmations.
    confirmations: int | None = None
    reorg_window: int = 64  # blocks after anchoring during which a reorg is watched for
    backoff_base: timedelta = timedelta(seconds=1)
    backoff_max: timedelta = timedelta(seconds=60)
    resend_after: timedelta = timedelta(seconds=60)  # re-prepare a tx the node forgot after this
    lease_ttl: timedelta = timedelta(seconds=15)  # a crashed worker's successor waits this long


@dataclass
class PassReport:
    cut: list[int] = field(default_factory=list)
    submitted: list[int] = field(default_factory=list)
    anchored: list[int] = field(default_factory=list)
    error: str | None = None
    lease_held: bool = True
    relayed: list[int] = field(default_factory=list)  # outbox rows that moved
    reorged: list[int] = field(default_factory=list)  # anchored batches a reorg took back

    @property
    def did_work(self) -> bool:
        return bool(self.cut or self.submitted or self.anchored or self.relayed or self.reorged)


class Anchorer:
    """Runs the state machine over one database and one ProvenanceAnchor deployment."""

    def __init__(
        self,
        engine: Engine,
        anchor: AnchorContract,
        policy: AnchoringPolicy | None = None,
        *,
        kind_codes: Callable[[str], int],
        outbox: OutboxRelay | None = None,
        holder: str | None = None,
        events: LedgerEvents | None = None,
    ) -> None:
        self.engine = engine
        self.anchor = anchor
        self.policy = policy or AnchoringPolicy()
        self.confirmations = self.policy.confirmations or default_confirmations(
            anchor.client, anchor.client.chain_id
        )
        self.kind_codes = kind_codes  # a record kind's label -> the number anchored with it
        self.outbox = outbox  # chain writes that follow records; same account, same lease
        # Host and pid say which process anchors (health, metrics, an operator's `kill`).
        host, pid = socket.gethostname(), os.getpid()
        self.holder = holder or f"anchorer-{host}-{pid}-{uuid.uuid4().hex[:8]}"
        self.events = events or LedgerEvents()
        self.from_block = 0  # where to search for Anchored events (the deployment block)
        # One pass at a time in this process (the API's "anchor now" and the worker thread).
        self._pass_lock = threading.Lock()

    # -- one pass -----------------------------------------------------------------------

    def run_once(self, *, force: bool = False, now: datetime | None = None) -> PassReport:
        """Advance every batch as far as it can go now. ``force`` cuts batches of any size."""
        report = PassReport()
        now = now or utcnow()
        with self._pass_lock:
            if not acquire_lease(
                self.engine, "anchoring", self.holder, self.policy.lease_ttl, now=now
            ):
                report.lease_held = False
                return report
            report.cut = self.cut_batches(force=force, now=now)
            try:
                self._advance_in_flight(report, now)  # meets an outage first, on a batch
                report.reorged = self._watch_reorgs_once()
                if report.reorged:
                    self._advance_in_flight(report, now)  # confirm them again at once
                if self.outbox is not None:
                    relayed = self.outbox.run_once(now=now)
                    report.relayed = (
                        relayed.submitted + relayed.done + relayed.failed + relayed.reorged
                    )
            except ChainUnavailable as exc:
                report.error = exc.detail
                log.warning("chain unavailable, anchoring will retry: %s", exc.detail)
        return report

    def release(self) -> None:
        """Give the lease up (clean shutdown): a successor starts now, not a TTL later.

        Taken under the pass lock, so a pass in flight finishes first; the lease is only
        released if this worker still holds it."""
        with self._pass_lock:
            try:
                release_lease(self.engine, "anchoring", self.holder)
            except Exception:  # the database is gone: the lease then lapses at its TTL
                log.warning("anchoring lease not released; it lapses in %s", self.policy.lease_ttl)

    def drain(self, *, timeout: float = 300.0) -> PassReport:
        """Force-anchor everything pending now (``ledger anchor``); returns the merged report.

        Waits up to one lease period for another worker's lease (a crashed worker's lease
        expires; a live one keeps renewing it, and then this reports that it is busy).
        """
        total = PassReport()
        lease_deadline = time.monotonic() + self.policy.lease_ttl.total_seconds() + 1
        deadline = time.monotonic() + timeout
        while True:
            if time.monotonic() > deadline:
                total.error = f"not everything was anchored within {timeout:.0f} s"
                break
            report = self.run_once(force=True)
            if not report.lease_held:
                if time.monotonic() > lease_deadline:
                    total.error = "another worker holds the anchoring lease"
                    break
                time.sleep(0.5)
                continue
            total.cut += report.cut
            total.submitted += report.submitted
            total.anchored += report.anchored
            total.error = report.error
            total.relayed += report.relayed
            total.reorged += report.reorged
            if report.error or not self._has_unanchored():
                break
            if not report.did_work:
                time.sleep(0.2)  # waiting for confirmations
        return total

    def _has_unanchored(self) -> bool:
        """Records not anchored yet, or outbox rows not relayed yet."""
        with session_scope(self.engine) as session:
            pending = session.exec(
                select(RecordRow.id).where(col(RecordRow.batch_id).is_(None)).limit(1)
            ).first()
            open_batch = session.exec(
                select(BatchRow.id).where(BatchRow.state != BatchState.ANCHORED).limit(1)
            ).first()
            unrelayed = session.exec(
                select(OutboxRow.id)
                .where(col(OutboxRow.state).in_([OutboxState.PENDING, OutboxState.SUBMITTED]))
                .limit(1)
            ).first()
            return pending is not None or open_batch is not None or unrelayed is not None

    # -- cut ----------------------------------------------------------------------------

    def cut_batches(self, *, force: bool = False, now: datetime | None = None) -> list[int]:
        """Turn pending records into batches (one kind per batch)."""
        now = now or utcnow()
        cut: list[int] = []
        with session_scope(self.engine) as session:
            kinds = session.exec(
                select(RecordRow.kind, func.count(), func.min(RecordRow.received_at))
                .where(col(RecordRow.batch_id).is_(None))
                .group_by(RecordRow.kind)
            ).all()
        for kind, count, oldest in kinds:
            oldest_utc = as_utc(oldest)
            due = (
                force
                or count >= self.policy.max_batch
                or (oldest_utc is not None and now - oldest_utc >= self.policy.max_wait)
            )
            while due:
                batch_id = self._cut_one(kind, now)
                if batch_id is None:
                    break
                cut.append(batch_id)
                failpoint("after_batch_cut")
                count -= self.policy.max_batch
                due = count > 0 and (force or count >= self.policy.max_batch)
        return cut

    def _cut_one(self, kind: str, now: datetime) -> int | None:
        with session_scope(self.engine) as session:
            query = (
                select(RecordRow.id)
                .where(col(RecordRow.batch_id).is_(None), RecordRow.kind == kind)
                .order_by(col(RecordRow.received_at), col(RecordRow.id))
                .limit(self.policy.max_batch)
            )
            if session.bind is not None and session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = list(session.exec(query).all())
            if not ids:
                return None
            tree = MerkleTree.build([bytes.fromhex(i[2:]) for i in ids])
            batch_id = self._next_batch_id(session)
            session.add(
                BatchRow(
                    id=batch_id,
                    kind=self.kind_codes(kind),
                    root="0x" + tree.root.hex(),
                    count=len(ids),
                    state=BatchState.BATCHED,
                    created_at=now,
                )
            )
            session.flush()
            session.exec(
                update(RecordRow).where(col(RecordRow.id).in_(ids)).values(batch_id=batch_id)
            )
            for index, record_id in enumerate(ids):
                proof = json.dumps(["0x" + p.hex() for p in tree.proof(index)])
                session.add(RecordProofRow(record_id=record_id, batch_id=batch_id, proof=proof))
        log.info("cut batch %d: %d %s records", batch_id, len(ids), kind)
        return batch_id

    def _next_batch_id(self, session: Session) -> int:
        highest = session.exec(select(func.max(BatchRow.id))).one()
        return int(highest or 0) + 1

    # -- submit and confirm -------------------------------------------------------------

    def _advance_in_flight(self, report: PassReport, now: datetime) -> None:
        while True:
            with session_scope(self.engine) as session:
                batch = session.exec(
                    select(BatchRow)
                    .where(BatchRow.state != BatchState.ANCHORED)
                    .order_by(col(BatchRow.id))
                    .limit(1)
                ).first()
            if batch is None:
                return
            next_attempt = as_utc(batch.next_attempt_at)
            if next_attempt is not None and next_attempt > now:
                return
            operation = "anchor" if batch.state == BatchState.BATCHED else "confirm"
            try:
                if batch.state == BatchState.BATCHED:
                    self._submit(batch, report)
                elif not self._confirm(batch, report):
                    return  # waiting for the chain; later batches wait behind this one
            except ChainUnavailable as exc:
                self._record_failure(batch.id, exc.detail, now)
                self.events.chain_failed(operation, exc.code)
                raise
            except FeeAboveCap as exc:
                # Nothing was signed: the batch stays as it was and the next pass asks again
                # (no backoff, so it goes out as soon as fees fall). Health shows the wait.
                report.error = exc.detail
                return
            except ChainError as exc:
                self._record_failure(batch.id, exc.detail, now)
                self.events.chain_failed(operation, exc.code)
                report.error = exc.detail
                return

    def _submit(self, batch: BatchRow, report: PassReport) -> None:
        root = bytes.fromhex(batch.root[2:])
        if self.anchor.anchor_of(root) is not None:
            # A previous life of this worker got it on chain: adopt that transaction.
            self._adopt_existing(batch, root)
            return
        prepared = self.anchor.prepare_anchor(root, batch.count, batch.kind, batch.id)
        with session_scope(self.engine) as session:
            row = session.get(BatchRow, batch.id)
            assert row is not None
            row.state, row.tx_hash, row.raw_tx, row.tx_nonce = (
                BatchState.SUBMITTED,
                prepared.tx_hash,
                prepared.raw,
                prepared.nonce,
            )
            row.submitted_at = utcnow()
            session.add(row)
        failpoint("after_tx_persisted")
        self.anchor.client.broadcast(prepared)
        failpoint("after_broadcast")
        report.submitted.append(batch.id)
        log.info("batch %d submitted in %s", batch.id, prepared.tx_hash)

    def _adopt_existing(self, batch: BatchRow, root: bytes) -> None:
        event = self.anchor.find_anchored(root, self.from_block)
        if event is None:
            raise ChainError(f"root of batch {batch.id} is anchored but its event was not found")
        with session_scope(self.engine) as session:
            row = session.get(BatchRow, batch.id)
            assert row is not None
            row.state, row.tx_hash, row.raw_tx = BatchState.SUBMITTED, event.tx_hash, None
            row.submitted_at = row.submitted_at or utcnow()
            session.add(row)
        log.info("batch %d was already anchored by %s; adopted", batch.id, event.tx_hash)

    def _confirm(self, batch: BatchRow, report: PassReport) -> bool:
        """Returns True when the batch left the submitted state (either way)."""
        assert batch.tx_hash is not None
        root = bytes.fromhex(batch.root[2:])
        outcome = self.anchor.client.outcome(batch.tx_hash)
        if outcome is None:
            if self.anchor.anchor_of(root) is not None:
                self._adopt_existing(batch, root)
                return True
            return self._resend(batch)
        if outcome.status != 1:
            if self.anchor.anchor_of(root) is not None:
                self._adopt_existing(batch, root)
                return True
            self._back_to_batched(batch.id, f"transaction {batch.tx_hash} reverted")
            return True
        head = self.anchor.client.block_number()
        if head - outcome.block_number + 1 < self.confirmations:
            return False
        on_chain = self.anchor.anchor_of(root)
        if on_chain is None:  # mined, yet not stored: a reorg took it away
            self._back_to_batched(batch.id, "anchor vanished after mining (reorg?)")
            return True
        with session_scope(self.engine) as session:
            row = session.get(BatchRow, batch.id)
            assert row is not None
            row.state = BatchState.ANCHORED
            row.block_number, row.block_hash = outcome.block_number, outcome.block_hash
            row.anchored_at = on_chain.anchored_at
            row.confirmed_at = utcnow()
            row.last_error, row.next_attempt_at = None, None
            session.add(row)
        self._report_anchored(batch.id, on_chain.anchored_at)
        failpoint("after_confirm")
        report.anchored.append(batch.id)
        log.info("batch %d anchored in block %d", batch.id, outcome.block_number)
        return True

    def _report_anchored(self, batch_id: int, anchored_at: datetime) -> None:
        """Each member's time to anchor (receipt to block time), as a record's status shows it."""
        with session_scope(self.engine) as session:
            received = session.exec(
                select(RecordRow.received_at).where(RecordRow.batch_id == batch_id)
            ).all()
        # The embedded EVM's block clock may run a little ahead of or behind ours: never < 0.
        moments = [m for m in map(as_utc, received) if m is not None]
        self.events.anchored([max(0.0, (anchored_at - m).total_seconds()) for m in moments])

    # -- reorgs ---------------------------------------------------------------------------

    def watch_reorgs(self) -> list[int]:
        """Take back every anchored batch within ``reorg_window`` blocks of the head whose
        block the chain replaced; returns their ids (confirming them again is the next step)."""
        client = self.anchor.client
        head = client.block_number()
        with session_scope(self.engine) as session:
            watched = session.exec(
                select(BatchRow.id, BatchRow.block_number, BatchRow.block_hash).where(
                    BatchRow.state == BatchState.ANCHORED,
                    col(BatchRow.block_number) > head - self.policy.reorg_window,
                    col(BatchRow.block_hash).is_not(None),
                )
            ).all()
        replaced = replaced_blocks(client, [(n, h) for _, n, h in watched if n and h])
        taken = [batch_id for batch_id, number, _ in watched if number in replaced]
        for batch_id in taken:
            self._withdraw(batch_id)
        if taken:
            client.reset_nonce()  # the chain forgot nonces this account used
        return taken

    def _watch_reorgs_once(self) -> list[int]:
        try:
            return self.watch_reorgs()
        except ChainUnavailable:
            raise
        except ChainError as exc:  # nothing was changed; the next pass looks again
            log.warning("reorg watch skipped this pass: %s", exc.detail)
            return []

    def _withdraw(self, batch_id: int) -> None:
        """Anchored → submitted in one commit: the receipt is withdrawn (no stale block is
        served), and the kept signed bytes are what confirming sends again if need be."""
        with session_scope(self.engine) as session:
            row = session.get(BatchRow, batch_id)
            assert row is not None
            reason = f"{REORG_NOTE}: block {row.block_number} ({row.block_hash}) was replaced"
            row.state, row.block_number, row.block_hash = BatchState.SUBMITTED, None, None
            row.anchored_at, row.confirmed_at = None, None
            row.submitted_at = utcnow()  # rebroadcast the same bytes before re-preparing
            row.last_error = reason
            session.add(row)
        failpoint("after_reorg_withdrawn")
        log.warning("batch %d taken back: %s", batch_id, reason)

    def _resend(self, batch: BatchRow) -> bool:
        """The node does not have the transaction mined: rebroadcast, or re-prepare if lost."""
        assert batch.tx_hash is not None
        if batch.raw_tx and self.anchor.client.is_known(batch.tx_hash):
            return False  # in the pool; wait
        submitted = as_utc(batch.submitted_at)
        if batch.raw_tx and (submitted is None or utcnow() - submitted < self.policy.resend_after):
            resend = PreparedTx(TxHash(batch.tx_hash), batch.raw_tx, batch.tx_nonce or 0)
            self.anchor.client.broadcast(resend)
            return False
        self._back_to_batched(batch.id, f"transaction {batch.tx_hash} was dropped")
        self.anchor.client.reset_nonce()
        return True

    def _back_to_batched(self, batch_id: int, reason: str) -> None:
        with session_scope(self.engine) as session:
            row = session.get(BatchRow, batch_id)
            assert row is not None
            row.state, row.tx_hash, row.raw_tx, row.tx_nonce = BatchState.BATCHED, None, None, None
            row.last_error = reason
            session.add(row)
        log.warning("batch %d back to batched: %s", batch_id, reason)

    def _record_failure(self, batch_id: int, error: str, now: datetime) -> None:
        with session_scope(self.engine) as session:
            row = session.get(BatchRow, batch_id)
            if row is None:
                return
            row.attempts += 1
            delay = min(
                self.policy.backoff_base.total_seconds() * math.pow(2, min(row.attempts - 1, 16)),
                self.policy.backoff_max.total_seconds(),
            )
            row.last_error = error
            row.next_attempt_at = now + timedelta(seconds=delay)
            session.add(row)

    # -- loop ---------------------------------------------------------------------------

    def run_forever(
        self,
        stop: threading.Event,
        *,
        interval: float = 1.0,
        also: Callable[[], None] | None = None,
    ) -> None:
        """Pass after pass until ``stop`` is set (the ``ledger serve`` background thread);
        ``also`` runs before each pass (following the registry)."""
        while not stop.is_set():
            try:
                if also is not None:
                    also()
                report = self.run_once()
            except ContractRevert as exc:
                log.error("anchoring pass failed: %s", exc.detail)
            except Exception:
                log.exception("anchoring pass failed")
            else:
                if report.did_work:
                    continue
            stop.wait(interval)
        self.release()
