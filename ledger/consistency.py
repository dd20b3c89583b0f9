"""Does the database agree with the chain? (``ledger chain check``.)

Compares every anchored batch with what ProvenanceAnchor holds for its root (count, kind,
time), with its ``Anchored`` event (batch id, transaction, block) and with its transaction's
receipt; every record of an anchored batch with its batch root (the stored envelope hashes to
the record id, the stored proof leads from it to the root); and every ``Anchored`` event of
this deployment with the database (a root the database does not know). Each disagreement is
one :class:`Difference`; an empty list means they agree.

Nothing is written. Batches go in pages and records stream by batch, so the memory used does
not grow with the ledger (the events are held as one dict per batch).

The database stores no block hash, so "the block is still canonical" is read as: the node
still returns the receipt, in the block the database recorded, and that block's time is the
anchor time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from .chain.contracts import AnchorContract, AnchoredEvent
from .chain.deployment import ContractDeployment, Deployment
from .errors import DeploymentMissing, InvalidRecord
from .merkle import leaf_of, process_proof
from .store.db import as_utc, session_scope
from .store.models import BatchRow, BatchState, DeploymentRow, RecordProofRow, RecordRow

__all__ = ["ConsistencyReport", "Difference", "bound_deployment", "check_consistency"]

BATCH_PAGE = 500  # anchored batches read per query
RECORD_STREAM = 1_000  # records fetched per round trip while streaming one batch
LOG_SPAN = 10_000  # blocks per eth_getLogs (public nodes refuse wider ranges)


@dataclass(frozen=True)
class Difference:
    """One disagreement. ``code`` is stable (machines match on it); ``detail`` is for people."""

    code: str
    detail: str
    batch_id: int | None = None
    record_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "batchId": self.batch_id,
            "recordId": self.record_id,
            "detail": self.detail,
        }


@dataclass
class ConsistencyReport:
    differences: list[Difference] = field(default_factory=list)
    batches_checked: int = 0
    records_checked: int = 0
    events_seen: int = 0

    @property
    def ok(self) -> bool:
        return not self.differences

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "batchesChecked": self.batches_checked,
            "recordsChecked": self.records_checked,
            "eventsSeen": self.events_seen,
            "differences": [d.to_dict() for d in self.differences],
        }


def bound_deployment(engine: Engine) -> Deployment:
    """The deployment the database is bound to (its ``deployments`` rows).

    Raises:
        DeploymentMissing: the database holds none (never opened by a ledger).
    """
    with session_scope(engine) as session:
        rows = session.exec(select(DeploymentRow)).all()
    if not rows:
        raise DeploymentMissing("the database is bound to no deployment (no ledger used it)")
    return Deployment(
        chain_id=rows[0].chain_id,
        genesis_hash=rows[0].genesis_hash,
        contracts={r.name: ContractDeployment(r.address, r.block_number) for r in rows},  # type: ignore[arg-type]
    )


def check_consistency(
    engine: Engine, anchor: AnchorContract, deployment: Deployment
) -> ConsistencyReport:
    """Compare the database behind ``engine`` with ``anchor`` (this deployment's
    ProvenanceAnchor) on the chain its client reads.

    Raises:
        ChainUnavailable: the node stopped answering (an outage is not a difference).
    """
    report = ConsistencyReport()
    client = anchor.client
    chain_id = client.chain_id
    if chain_id != deployment.chain_id:
        report.differences.append(Difference(
            "chain_id_differs",
            f"the database is bound to chain {deployment.chain_id}; the node is chain {chain_id}",
        ))  # fmt: skip
        return report
    genesis = client.genesis_hash
    if deployment.genesis_hash and genesis != deployment.genesis_hash:
        # Same id, another chain (a reset devnet): keep going, the batches will say the rest.
        report.differences.append(Difference(
            "genesis_differs",
            f"the database's chain has genesis {deployment.genesis_hash}; the node's {genesis}",
        ))  # fmt: skip
    if not client.has_code(anchor.address):
        report.differences.append(
            Difference("contract_missing", f"no ProvenanceAnchor code at {anchor.address}")
        )
        return report

    events = _events_by_root(anchor, deployment.contracts["ProvenanceAnchor"].block_number)
    report.events_seen = len(events)
    with Session(engine) as session:
        known_roots: set[bytes] = set()
        for batch in _anchored_batches(session):
            report.batches_checked += 1
            root = _hex_bytes(batch.root)
            known_roots.add(root)
            report.differences += _batch_differences(batch, root, anchor, events.get(root))
            checked, found = _record_differences(session, batch, root)
            report.records_checked += checked
            report.differences += found
        # Roots of batches still in flight are on chain legitimately (submitted, not yet
        # confirmed): only roots the database has never cut are unknown.
        known_roots.update(_hex_bytes(r) for r in _unanchored_roots(session))
        report.differences += _orphan_records(session)
    for root, event in events.items():
        if root not in known_roots:
            report.differences.append(Difference(
                "batch_unknown",
                f"batch {event.batch_id} (root 0x{root.hex()}, {event.count} records) was "
                f"anchored in {event.tx_hash} (block {event.block_number}); the database "
                "has no batch with that root",
                batch_id=event.batch_id,
            ))  # fmt: skip
    return report


# -- chain side ---------------------------------------------------------------------------


def _events_by_root(anchor: AnchorContract, from_block: int) -> dict[bytes, AnchoredEvent]:
    head = anchor.client.block_number()
    found: dict[bytes, AnchoredEvent] = {}
    for start in range(from_block, head + 1, LOG_SPAN):
        for event in anchor.anchored_events(start, min(start + LOG_SPAN - 1, head)):
            found[event.root] = event
    return found


def _batch_differences(
    batch: BatchRow, root: bytes, anchor: AnchorContract, event: AnchoredEvent | None
) -> list[Difference]:
    def diff(code: str, detail: str) -> Difference:
        return Difference(code, detail, batch_id=batch.id)

    stored = anchor.anchor_of(root)
    if stored is None:
        return [diff("batch_not_on_chain", f"root {batch.root} is not anchored on chain")]
    found: list[Difference] = []
    if stored.count != batch.count:
        found.append(diff("count_differs", f"database {batch.count}, chain {stored.count}"))
    if stored.kind != batch.kind:
        found.append(diff("kind_differs", f"database {batch.kind}, chain {stored.kind}"))
    anchored_at = as_utc(batch.anchored_at)
    if anchored_at != stored.anchored_at:
        found.append(diff("time_differs", f"database {_when(anchored_at)}, chain "
                                          f"{_when(stored.anchored_at)}"))  # fmt: skip
    if event is None:
        found.append(diff("event_missing", f"no Anchored event for root {batch.root}"))
    else:
        if event.batch_id != batch.id:
            found.append(diff("batch_id_differs", f"database {batch.id}, chain {event.batch_id}"))
        if batch.tx_hash is not None and event.tx_hash.lower() != batch.tx_hash.lower():
            found.append(diff("tx_differs", f"database {batch.tx_hash}, chain {event.tx_hash}"))
    found += _receipt_differences(batch, anchor, diff)
    return found


def _receipt_differences(batch: BatchRow, anchor: AnchorContract, diff: Any) -> list[Difference]:
    if batch.tx_hash is None or batch.block_number is None:
        return [diff("batch_incomplete", "anchored, yet no transaction or block is recorded")]
    outcome = anchor.client.outcome(batch.tx_hash)
    if outcome is None:
        return [diff("tx_missing", f"the node has no receipt for {batch.tx_hash}")]
    found: list[Difference] = []
    if outcome.status != 1:
        found.append(diff("tx_failed", f"{batch.tx_hash} reverted"))
    if outcome.block_number != batch.block_number:
        found.append(diff("block_differs",
                          f"database block {batch.block_number}, receipt block "
                          f"{outcome.block_number}"))  # fmt: skip
    elif batch.block_hash is not None and outcome.block_hash != batch.block_hash:
        # Same height, another block: a reorg re-mined it (batches anchored before
        # 0003_block_hashes kept no hash and are compared by height only).
        found.append(diff("block_differs",
                          f"database block {batch.block_number} is {batch.block_hash}, the "
                          f"chain's is {outcome.block_hash}"))  # fmt: skip
    return found


# -- database side ------------------------------------------------------------------------


def _anchored_batches(session: Session) -> Iterator[BatchRow]:
    after = -1
    while True:
        page = session.exec(
            select(BatchRow)
            .where(BatchRow.state == BatchState.ANCHORED, col(BatchRow.id) > after)
            .order_by(col(BatchRow.id))
            .limit(BATCH_PAGE)
        ).all()
        if not page:
            return
        yield from page
        after = page[-1].id
        session.expunge_all()  # keep the identity map from growing with the ledger


def _unanchored_roots(session: Session) -> list[str]:
    return list(session.exec(select(BatchRow.root).where(BatchRow.state != BatchState.ANCHORED)))


def _record_differences(
    session: Session, batch: BatchRow, root: bytes
) -> tuple[int, list[Difference]]:
    rows = session.execute(
        select(RecordRow.id, RecordRow.envelope, RecordProofRow.proof, RecordProofRow.batch_id)
        .outerjoin(RecordProofRow, col(RecordProofRow.record_id) == col(RecordRow.id))
        .where(RecordRow.batch_id == batch.id)
        .execution_options(yield_per=RECORD_STREAM)
    )
    found: list[Difference] = []
    checked = 0
    for record_id, envelope, proof, proof_batch in rows:
        checked += 1
        problem = _record_problem(record_id, envelope, proof, proof_batch, batch.id, root)
        if problem is not None:
            code, detail = problem
            found.append(Difference(code, detail, batch_id=batch.id, record_id=record_id))
    if checked != batch.count:
        found.append(Difference(
            "records_count_differs",
            f"the batch says {batch.count} records; {checked} records point at it",
            batch_id=batch.id,
        ))  # fmt: skip
    return checked, found


def _record_problem(
    record_id: str, envelope: str, proof: str | None, proof_batch: int | None,
    batch_id: int, root: bytes,
) -> tuple[str, str] | None:  # fmt: skip
    leaf = _hex_bytes(record_id)
    if leaf_of(envelope.encode("utf-8")) != leaf:
        return "record_hash_differs", "the stored envelope does not hash to the record id"
    if proof is None:
        return "proof_missing", "the record has no stored proof"
    if proof_batch != batch_id:
        return "proof_batch_differs", f"the stored proof is for batch {proof_batch}"
    try:
        siblings = [_hex_bytes(node) for node in json.loads(proof)]
        reached = process_proof(leaf, siblings)
    except (ValueError, TypeError, AttributeError, InvalidRecord) as exc:
        return "proof_invalid", f"the stored proof cannot be read ({type(exc).__name__})"
    if reached != root:
        return "proof_invalid", f"the proof leads to 0x{reached.hex()}, not the batch root"
    return None


def _orphan_records(session: Session) -> list[Difference]:
    """Records pointing at a batch row that is not there (only a broken or hand-edited
    database can hold them: the foreign key forbids it)."""
    rows = session.exec(
        select(RecordRow.batch_id, func.count())
        .outerjoin(BatchRow, col(BatchRow.id) == col(RecordRow.batch_id))
        .where(col(RecordRow.batch_id).is_not(None), col(BatchRow.id).is_(None))
        .group_by(col(RecordRow.batch_id))
        .order_by(col(RecordRow.batch_id))
    ).all()
    return [
        Difference(
            "batch_row_missing",
            f"{count} records point at batch {batch_id}, which the database does not hold",
            batch_id=batch_id,
        )
        for batch_id, count in rows
    ]


def _hex_bytes(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("0x"):
        raise ValueError("not 0x-hex")
    return bytes.fromhex(text[2:])


def _when(moment: datetime | None) -> str:
    return "none" if moment is None else moment.isoformat()
