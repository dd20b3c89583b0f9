"""Records: insert accepted envelopes, read them back with their anchoring state."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func
from sqlalchemy import select as core_select  # sqlmodel's select takes at most 4 columns
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..envelope import Accreditation, Envelope, ScopeGrant
from ..errors import NonceReplayed, NotFound
from ..keys import VerifyKey
from ..roles import Role
from ..timeutil import format_optional, utcnow
from ..types import Did
from .db import as_utc, session_scope
from .models import (
    BatchRow,
    BatchState,
    RecordProofRow,
    RecordRow,
    SignerRow,
    SignerScopeRow,
    UsedNonceRow,
)

__all__ = [
    "RecordStatus",
    "StoreAccreditations",
    "StoreNonces",
    "backlog",
    "get_record",
    "record_status",
]


_SIGNERS = SignerRow.__table__  # type: ignore[attr-defined]
_SCOPES = SignerScopeRow.__table__  # type: ignore[attr-defined]


def get_record(session: Session, record_id: str) -> RecordRow:
    row = session.get(RecordRow, record_id.lower())
    if row is None:
        raise NotFound(f"no record {record_id}", what="record", key=record_id)
    return row


def envelope_of(row: RecordRow) -> Envelope:
    return Envelope.from_dict(json.loads(row.envelope))


@dataclass(frozen=True)
class RecordStatus:
    """What a user needs to see about one record: its state and how long anchoring took."""

    record_id: str
    kind: str
    state: str  # pending | batched | submitted | anchored
    received_at: datetime
    batch_id: int | None
    tx_hash: str | None
    block_number: int | None
    anchored_at: datetime | None

    @property
    def time_to_anchor(self) -> timedelta | None:
        if self.anchored_at is None:
            return None
        return self.anchored_at - self.received_at


def record_status(session: Session, record_id: str) -> RecordStatus:
    row = get_record(session, record_id)
    batch = session.get(BatchRow, row.batch_id) if row.batch_id is not None else None
    received = as_utc(row.received_at)
    assert received is not None
    return RecordStatus(
        record_id=row.id,
        kind=row.kind,
        state="pending" if batch is None else batch.state,
        received_at=received,
        batch_id=None if batch is None else batch.id,
        tx_hash=None if batch is None else batch.tx_hash,
        block_number=None if batch is None else batch.block_number,
        anchored_at=as_utc(batch.anchored_at)
        if batch is not None and batch.state == BatchState.ANCHORED
        else None,
    )


def proof_of(session: Session, record_id: str) -> list[str]:
    row = session.get(RecordProofRow, record_id)
    if row is None:
        raise NotFound(f"record {record_id} has no proof yet", what="proof", key=record_id)
    proof: list[str] = json.loads(row.proof)
    return proof


def backlog(session: Session) -> dict[str, Any]:
    """Records not yet anchored, by state, and the age of the oldest pending one."""
    pending, oldest = session.exec(
        select(func.count(), func.min(RecordRow.received_at)).where(
            col(RecordRow.batch_id).is_(None)
        )
    ).one()
    in_flight = session.exec(
        select(BatchRow.state, func.count(), func.coalesce(func.sum(BatchRow.count), 0))
        .where(BatchRow.state != "anchored")
        .group_by(BatchRow.state)
    ).all()
    errors = session.exec(
        select(BatchRow.id, BatchRow.last_error, BatchRow.attempts, BatchRow.next_attempt_at)
        .where(BatchRow.state != "anchored", col(BatchRow.last_error).is_not(None))
        .order_by(col(BatchRow.id))
    ).all()
    oldest_utc = as_utc(oldest)
    return {
        "pendingRecords": int(pending),
        "oldestPendingSeconds": None
        if oldest_utc is None
        else round((utcnow() - oldest_utc).total_seconds(), 1),
        "batches": {state: {"batches": int(n), "records": int(r)} for state, n, r in in_flight},
        "errors": [
            {
                "batchId": bid,
                "error": err,
                "attempts": att,
                "nextAttemptAt": format_optional(nxt),
            }
            for bid, err, att, nxt in errors
        ],
    }


class StoreNonces:
    """NonceLedger over the database: record nonces and other signed requests' nonces."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def is_nonce_used(self, signer: Did, nonce: str) -> bool:
        used_by_record = self.session.exec(
            select(RecordRow.id).where(RecordRow.signer == signer, RecordRow.nonce == nonce)
        ).first()
        return (
            used_by_record is not None
            or self.session.get(UsedNonceRow, (signer, nonce)) is not None
        )

    def consume(self, signer: Did, nonce: str, *, keep: timedelta = timedelta(hours=1)) -> None:
        """Remember a non-record nonce (signed requests). Nonces older than ``keep`` are
        forgotten: a request that old is refused by its clock-skew check anyway.

        Raises:
            NonceReplayed: it was used before.
        """
        self.session.exec(delete(UsedNonceRow).where(col(UsedNonceRow.used_at) < utcnow() - keep))
        if self.is_nonce_used(signer, nonce):
            raise NonceReplayed(f"nonce {nonce} was already used by {signer}")
        try:
            with self.session.begin_nested():
                self.session.add(UsedNonceRow(signer=signer, nonce=nonce, used_at=utcnow()))
                self.session.flush()
        except IntegrityError as exc:
            raise NonceReplayed(f"nonce {nonce} was already used by {signer}") from exc


class StoreAccreditations:
    """AccreditationSource over the registry mirror in the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def accreditations(self, key: VerifyKey) -> Sequence[Accreditation]:
        with session_scope(self.engine) as session:
            return accreditations_of(session, key)


def accreditations_of(session: Session, key: VerifyKey) -> list[Accreditation]:
    """The mirrored accreditations of ``key`` (roles this code knows), each with the scopes
    the key holds in its role: one query (admission runs it for every signer it meets)."""
    key_hex = "0x" + key.raw.hex()
    signers, scopes = _SIGNERS.c, _SCOPES.c
    query = (
        core_select(
            signers.role,
            signers.valid_from,
            signers.valid_until,
            signers.revoked_at,
            signers.suspended,
            scopes.scope,
            scopes.granted_at,
            scopes.revoked_at.label("scope_revoked_at"),
        )
        .select_from(
            _SIGNERS.outerjoin(
                _SCOPES, and_(scopes.key == signers.key, scopes.role == signers.role)
            )
        )
        .where(signers.key == key_hex)
    )
    held: dict[int, Any] = {}
    grants: dict[int, dict[bytes, ScopeGrant]] = {}
    for row in session.connection().execute(query):
        held[row.role] = row
        grants.setdefault(row.role, {})
        if row.scope is not None:
            granted_at = as_utc(row.granted_at)
            assert granted_at is not None
            grant = ScopeGrant(granted_at, as_utc(row.scope_revoked_at))
            grants[row.role][bytes.fromhex(row.scope[2:])] = grant
    return [
        _accreditation(row, grants[role])
        for role, row in held.items()
        if role in Role._value2member_map_
    ]


def _accreditation(row: Any, scopes: dict[bytes, ScopeGrant]) -> Accreditation:
    valid_from = as_utc(row.valid_from)
    assert valid_from is not None
    return Accreditation(
        role=Role(row.role),
        valid_from=valid_from,
        valid_until=as_utc(row.valid_until),
        revoked_at=as_utc(row.revoked_at),
        suspended=row.suspended,
        scopes=scopes,
    )
