"""Storing accepted envelopes in bulk: one query for duplicates, one for nonces, one INSERT,
one commit. A race with another writer (a unique constraint firing at insert) falls back to
one savepoint per record so each gets its own answer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..envelope import Accreditation, Envelope
from ..errors import DuplicateRecord, LedgerError, NonceReplayed
from ..keys import VerifyKey
from .models import RecordRow
from .records import accreditations_of

__all__ = ["SessionAccreditations", "existing_ids", "insert_records", "used_nonces"]

_RECORDS = RecordRow.__table__  # type: ignore[attr-defined]


class SessionAccreditations:
    """AccreditationSource reading the registry mirror once per key within one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cache: dict[bytes, list[Accreditation]] = {}

    def accreditations(self, key: VerifyKey) -> Sequence[Accreditation]:
        if key.raw not in self._cache:
            self._cache[key.raw] = accreditations_of(self.session, key)
        return self._cache[key.raw]


def existing_ids(session: Session, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        found.update(session.exec(select(RecordRow.id).where(col(RecordRow.id).in_(chunk))).all())
    return found


def used_nonces(session: Session, pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    wanted = set(pairs)
    found: set[tuple[str, str]] = set()
    nonces = sorted({nonce for _, nonce in wanted})
    for start in range(0, len(nonces), 500):
        chunk = nonces[start : start + 500]
        rows = session.exec(
            select(RecordRow.signer, RecordRow.nonce).where(col(RecordRow.nonce).in_(chunk))
        ).all()
        found.update((signer, nonce) for signer, nonce in rows if (signer, nonce) in wanted)
    return found


def _row(envelope: Envelope, subject: str | None, received_at: datetime) -> dict[str, Any]:
    return {
        "id": envelope.record_id,
        "kind": envelope.kind,
        "signer": envelope.signer,
        "nonce": envelope.nonce,
        "created": envelope.created_at,
        "received_at": received_at,
        "subject": subject,
        "envelope": envelope.canonical().decode("utf-8"),
        "batch_id": None,
    }


def insert_records(
    session: Session, accepted: Sequence[tuple[Envelope, str | None]], received_at: datetime
) -> dict[int, LedgerError]:
    """Insert pending records; returns {position: error} for those a concurrent writer beat.

    The caller commits. Without races this is a single multi-row INSERT.
    """
    if not accepted:
        return {}
    rows = [_row(envelope, subject, received_at) for envelope, subject in accepted]
    try:
        with session.begin_nested():
            # Core, not ORM: the ORM's bulk path costs more per row than the signature check.
            session.connection().execute(insert(_RECORDS), rows)
        return {}
    except IntegrityError:
        pass
    failures: dict[int, LedgerError] = {}
    for position, ((envelope, _), row) in enumerate(zip(accepted, rows, strict=True)):
        try:
            with session.begin_nested():
                session.connection().execute(insert(_RECORDS), [row])
        except IntegrityError:
            if session.get(RecordRow, envelope.record_id) is not None:
                failures[position] = DuplicateRecord(
                    f"record {envelope.record_id} exists", record_id=envelope.record_id
                )
            else:
                failures[position] = NonceReplayed(
                    f"nonce {envelope.nonce} was already used by {envelope.signer}"
                )
    return failures
