"""The outbox: chain writes that follow an admitted record, relayed by the anchoring worker.

A kind whose records must change contract state (a credential's registration binds its
issuer on chain; a status change suspends, revokes or reinstates it) never writes to the
chain during admission: :meth:`Outbox.enqueue` adds a row in the record's own transaction,
so a refused record leaves no row and an admitted one always has its row. The worker
relays rows in id order, one at a time, with the same crash safety as anchoring::

    pending ──already on chain?──▶ done
       │ sign, persist tx (hash + raw bytes), broadcast
       ▼
    submitted ──mined, k confirmations, effect visible──▶ done
       │ dropped: resend the same bytes; lost for good: back to pending
       └─ reverted and the effect is not there ─▶ failed (kept, shown in health)

    done ──its block replaced within reorg_window (ledger.reorgs)──▶ submitted

A crash between persisting and broadcasting resends the very same bytes; before sending
anything the relay asks the chain whether the effect is already there (a previous life may
have sent it), so each row takes effect once. Every action carries the id of the record
that authorised it, so anyone can check on chain which signed record caused a change.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from .chain.client import ChainClient, PreparedTx
from .chain.contracts import CredentialStatusContract, StatusAction
from .errors import ChainError, ChainUnavailable, ContractRevert
from .events import LedgerEvents
from .failpoints import failpoint
from .keys import VerifyKey
from .reorgs import REORG_NOTE, replaced_blocks
from .store.db import as_utc, session_scope
from .store.models import OutboxRow, OutboxState
from .timeutil import utcnow
from .types import TxHash

__all__ = ["ACTIONS", "Outbox", "OutboxAction", "OutboxRelay", "RelayReport", "outbox_backlog"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxAction:
    """How to send one kind of chain write, and how to see that it took effect."""

    prepare: Callable[[CredentialStatusContract, Mapping[str, Any]], PreparedTx]
    is_applied: Callable[[CredentialStatusContract, Mapping[str, Any]], bool]


def _b32(value: Any) -> bytes:
    text = str(value)
    if not (text.startswith("0x") and len(text) == 66):
        raise ValueError(f"not a 0x-prefixed bytes32: {text!r}")
    return bytes.fromhex(text[2:])


def _register(status: CredentialStatusContract, args: Mapping[str, Any]) -> PreparedTx:
    return status.prepare_register(
        _b32(args["statusId"]), VerifyKey(_b32(args["issuerKey"])), _b32(args["recordHash"])
    )


def _registered(status: CredentialStatusContract, args: Mapping[str, Any]) -> bool:
    entry = status.entry_of(_b32(args["statusId"]))
    return entry.registration_record == _b32(args["recordHash"])


def _change(action: StatusAction) -> OutboxAction:
    def prepare(status: CredentialStatusContract, args: Mapping[str, Any]) -> PreparedTx:
        return status.prepare_change(
            action,
            _b32(args["statusId"]),
            VerifyKey(_b32(args["issuerKey"])),
            int(args.get("reason", 0)),
            _b32(args["recordHash"]),
        )

    def applied(status: CredentialStatusContract, args: Mapping[str, Any]) -> bool:
        entry = status.entry_of(_b32(args["statusId"]))
        return entry.status_record == _b32(args["recordHash"])

    return OutboxAction(prepare, applied)


ACTIONS: Final[Mapping[str, OutboxAction]] = {
    "credential-status.register": OutboxAction(_register, _registered),
    "credential-status.suspend": _change("suspend"),
    "credential-status.revoke": _change("revoke"),
    "credential-status.reinstate": _change("reinstate"),
}
"""Every chain write a record may ask for (all on the CredentialStatus contract)."""


class Outbox:
    """The enqueue side, bound to an admission's transaction."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now

    def enqueue(self, record_id: str, action: str, **args: Any) -> None:
        """Queue ``action`` (one of :data:`ACTIONS`) on behalf of ``record_id``."""
        if action not in ACTIONS:
            raise ValueError(f"unknown outbox action {action!r}")
        self.session.add(
            OutboxRow(
                record_id=record_id,
                action=action,
                args=json.dumps({**args, "recordHash": record_id}, sort_keys=True),
                state=OutboxState.PENDING,
                created_at=self.now,
            )
        )


@dataclass
class RelayReport:
    submitted: list[int] = field(default_factory=list)
    done: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    reorged: list[int] = field(default_factory=list)  # done rows a reorg took back

    @property
    def did_work(self) -> bool:
        return bool(self.submitted or self.done or self.failed or self.reorged)


@dataclass(frozen=True)
class RelayPolicy:
    confirmations: int = 1
    reorg_window: int = 64  # blocks after relaying during which a reorg is watched for
    resend_after: timedelta = timedelta(seconds=60)
    backoff_base: timedelta = timedelta(seconds=1)
    backoff_max: timedelta = timedelta(seconds=60)


class OutboxRelay:
    """Relays outbox rows to the chain; run only by the holder of the anchoring lease (it
    signs with the anchoring account, whose nonces anchoring uses too)."""

    def __init__(
        self,
        engine: Engine,
        status: CredentialStatusContract,
        policy: RelayPolicy | None = None,
        *,
        events: LedgerEvents | None = None,
    ) -> None:
        self.engine = engine
        self.status = status
        self.policy = policy or RelayPolicy()
        self.events = events or LedgerEvents()

    @property
    def client(self) -> ChainClient:
        return self.status.client

    def run_once(self, *, now: datetime | None = None) -> RelayReport:
        """Advance rows in id order until one must wait for the chain."""
        now = now or utcnow()
        report = RelayReport()
        self._advance_rows(report, now)  # meets an outage first, on a row
        try:
            report.reorged = self.watch_reorgs()
        except ChainUnavailable:
            raise
        except ChainError as exc:  # nothing was changed; the next pass looks again
            log.warning("reorg watch of the outbox skipped this pass: %s", exc.detail)
        if report.reorged:
            self._advance_rows(report, now)
        return report

    def _advance_rows(self, report: RelayReport, now: datetime) -> None:
        while True:
            with session_scope(self.engine) as session:
                row = session.exec(
                    select(OutboxRow)
                    .where(col(OutboxRow.state).in_([OutboxState.PENDING, OutboxState.SUBMITTED]))
                    .order_by(col(OutboxRow.id))
                    .limit(1)
                ).first()
            if row is None:
                return
            retry_at = as_utc(row.next_attempt_at)
            if retry_at is not None and retry_at > now:
                return
            try:
                if not self._advance(row, report):
                    return
            except ChainUnavailable as exc:
                self._backoff(row, exc.detail, now)
                self.events.chain_failed("relay", exc.code)
                raise
            except ChainError as exc:
                self._backoff(row, exc.detail, now)
                self.events.chain_failed("relay", exc.code)
                return

    def _advance(self, row: OutboxRow, report: RelayReport) -> bool:
        """One step for one row; True when the row left its state (so go on)."""
        assert row.id is not None
        action = ACTIONS[row.action]
        args = json.loads(row.args)
        if row.state == OutboxState.PENDING:
            if action.is_applied(self.status, args):
                self._finish(row.id, None, report)  # a previous life sent it
                return True
            try:
                prepared = action.prepare(self.status, args)
            except ContractRevert as exc:
                self._fail(row.id, exc.detail, report)
                return True
            with session_scope(self.engine) as session:
                stored = session.get(OutboxRow, row.id)
                assert stored is not None
                stored.state, stored.tx_hash = OutboxState.SUBMITTED, prepared.tx_hash
                stored.raw_tx, stored.tx_nonce = prepared.raw, prepared.nonce
                stored.submitted_at = utcnow()
                session.add(stored)
            failpoint("after_outbox_persisted")
            self.client.broadcast(prepared)
            failpoint("after_outbox_broadcast")
            report.submitted.append(row.id)
            log.info("outbox %d (%s) submitted in %s", row.id, row.action, prepared.tx_hash)
            return True
        assert row.tx_hash is not None
        outcome = self.client.outcome(row.tx_hash)
        if outcome is None:
            if action.is_applied(self.status, args):
                if self.client.outcome(row.tx_hash) is not None:
                    return True  # mined between the two reads: confirm it as mined (its block)
                self._finish(row.id, None, report)
                return True
            return self._resend(row)
        if self.client.block_number() - outcome.block_number + 1 < self.policy.confirmations:
            return False
        if action.is_applied(self.status, args):
            self._finish(row.id, outcome.block_number, report, outcome.block_hash)
            return True
        if outcome.status != 1:
            self._fail(row.id, f"transaction {row.tx_hash} reverted", report)
            return True
        self._back_to_pending(row.id, "mined, yet not visible on chain (reorg?)")
        return True

    def _resend(self, row: OutboxRow) -> bool:
        assert row.id is not None
        assert row.tx_hash is not None
        if row.raw_tx and self.client.is_known(row.tx_hash):
            return False  # in the pool: wait
        submitted = as_utc(row.submitted_at)
        if row.raw_tx and (submitted is None or utcnow() - submitted < self.policy.resend_after):
            self.client.broadcast(PreparedTx(TxHash(row.tx_hash), row.raw_tx, row.tx_nonce or 0))
            return False
        self._back_to_pending(row.id, f"transaction {row.tx_hash} was dropped")
        self.client.reset_nonce()
        return True

    def watch_reorgs(self) -> list[int]:
        """Take back every done row within ``reorg_window`` blocks of the head whose block the
        chain replaced (its effect may be gone); returns their ids."""
        head = self.client.block_number()
        with session_scope(self.engine) as session:
            watched = session.exec(
                select(OutboxRow.id, OutboxRow.block_number, OutboxRow.block_hash).where(
                    OutboxRow.state == OutboxState.DONE,
                    col(OutboxRow.block_number) > head - self.policy.reorg_window,
                    col(OutboxRow.block_hash).is_not(None),
                )
            ).all()
        replaced = replaced_blocks(self.client, [(n, h) for _, n, h in watched if n and h])
        taken = [row_id for row_id, number, _ in watched if row_id and number in replaced]
        for row_id in taken:
            with session_scope(self.engine) as session:
                stored = session.get(OutboxRow, row_id)
                assert stored is not None
                reason = f"{REORG_NOTE}: block {stored.block_number} was replaced"
                stored.state, stored.block_number, stored.block_hash = (
                    OutboxState.SUBMITTED, None, None,
                )  # fmt: skip
                stored.done_at, stored.submitted_at, stored.last_error = None, utcnow(), reason
                session.add(stored)
            log.warning("outbox %d taken back: %s", row_id, reason)
        if taken:
            self.client.reset_nonce()
        return taken

    def _finish(
        self, row_id: int, block: int | None, report: RelayReport, block_hash: str | None = None
    ) -> None:
        with session_scope(self.engine) as session:
            stored = session.get(OutboxRow, row_id)
            assert stored is not None
            stored.state, stored.done_at, stored.block_number = OutboxState.DONE, utcnow(), block
            stored.block_hash = block_hash
            stored.last_error, stored.next_attempt_at = None, None
            session.add(stored)
        failpoint("after_outbox_done")
        report.done.append(row_id)

    def _fail(self, row_id: int, error: str, report: RelayReport) -> None:
        with session_scope(self.engine) as session:
            stored = session.get(OutboxRow, row_id)
            assert stored is not None
            stored.state, stored.last_error = OutboxState.FAILED, error
            stored.raw_tx = None
            session.add(stored)
        report.failed.append(row_id)
        log.error("outbox %d refused by the chain: %s", row_id, error)

    def _back_to_pending(self, row_id: int, reason: str) -> None:
        with session_scope(self.engine) as session:
            stored = session.get(OutboxRow, row_id)
            assert stored is not None
            stored.state, stored.tx_hash, stored.raw_tx = OutboxState.PENDING, None, None
            stored.tx_nonce, stored.last_error = None, reason
            session.add(stored)
        log.warning("outbox %d back to pending: %s", row_id, reason)

    def _backoff(self, row: OutboxRow, error: str, now: datetime) -> None:
        with session_scope(self.engine) as session:
            stored = session.get(OutboxRow, row.id)
            if stored is None:
                return
            stored.attempts += 1
            delay = min(
                self.policy.backoff_base.total_seconds() * 2 ** min(stored.attempts - 1, 16),
                self.policy.backoff_max.total_seconds(),
            )
            stored.last_error = error
            stored.next_attempt_at = now + timedelta(seconds=delay)
            session.add(stored)


def outbox_backlog(session: Session) -> dict[str, Any]:
    """Rows by state, and the failed ones with their errors (for health)."""
    counts = dict(
        session.exec(select(OutboxRow.state, func.count()).group_by(OutboxRow.state)).all()
    )
    failed = session.exec(
        select(OutboxRow.id, OutboxRow.record_id, OutboxRow.action, OutboxRow.last_error)
        .where(OutboxRow.state == OutboxState.FAILED)
        .order_by(col(OutboxRow.id))
        .limit(50)
    ).all()
    return {
        "pending": int(counts.get(OutboxState.PENDING, 0)),
        "submitted": int(counts.get(OutboxState.SUBMITTED, 0)),
        "done": int(counts.get(OutboxState.DONE, 0)),
        "failed": [{"id": i, "recordId": r, "action": a, "error": e} for i, r, a, e in failed],
    }
