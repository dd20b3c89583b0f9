"""The bulk store under a racing writer, on SQLite and PostgreSQL: rows another writer
committed after admission looked are skipped by the INSERT and answered one by one
(duplicate or nonce), while the rest of the group is stored; and the one lookup that finds
what is taken tells a used nonce from the same nonce under another signer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError
from sqlmodel import select

from domain import open_ledger
from ledger.envelope import sign_envelope
from ledger.errors import DuplicateRecord, NonceReplayed
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import session_scope
from ledger.store.ingest import _PG_TAKEN, _pg_insert, _row, insert_records, taken
from ledger.store.models import RecordRow
from ledger.timeutil import utcnow
from tests.ledger.helpers import audit_payload, signed_audit


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    opened = open_ledger(LedgerConfig(database_url=database_url))
    yield opened
    opened.close()


def stored_ids(ledger: Ledger) -> set[str]:
    with session_scope(ledger.engine) as session:
        return set(session.exec(select(RecordRow.id)).all())


def test_rows_a_racing_writer_stored_are_answered_and_the_rest_is_stored(
    ledger: Ledger, auditor: SigningKey
) -> None:
    first = signed_audit(auditor)
    ledger.submit(first.to_dict())  # what the racing writer committed
    again = first  # the very same envelope: a duplicate
    same_nonce = sign_envelope("audit", audit_payload(), auditor, nonce=first.nonce)
    fresh = signed_audit(auditor)
    with session_scope(ledger.engine) as session:
        failures = insert_records(
            session, [(again, None), (fresh, None), (same_nonce, None)], utcnow()
        )
    assert set(failures) == {0, 2}
    assert isinstance(failures[0], DuplicateRecord)
    assert isinstance(failures[2], NonceReplayed)
    assert stored_ids(ledger) == {first.record_id, fresh.record_id}


def test_a_group_without_conflicts_is_stored_whole(ledger: Ledger, auditor: SigningKey) -> None:
    envelopes = [signed_audit(auditor) for _ in range(5)]
    with session_scope(ledger.engine) as session:
        assert insert_records(session, [(e, None) for e in envelopes], utcnow()) == {}
    assert stored_ids(ledger) == {e.record_id for e in envelopes}


def test_taken_finds_stored_ids_and_used_pairs_only(ledger: Ledger, auditor: SigningKey) -> None:
    other = SigningKey.generate()
    ledger.accredit(other.did, Role.AUDITOR)
    stored = signed_audit(auditor)
    ledger.submit(stored.to_dict())
    reused = sign_envelope("audit", audit_payload(), auditor, nonce=stored.nonce)
    # The same nonce under another signer is that signer's own: not taken.
    elsewhere = sign_envelope("audit", audit_payload(), other, nonce=stored.nonce)
    unseen = signed_audit(auditor)
    with session_scope(ledger.engine) as session:
        ids, pairs = taken(session, [stored, reused, elsewhere, unseen])
    assert ids == {stored.record_id}
    assert pairs == {(auditor.did, stored.nonce)}


def test_taken_looks_past_one_chunk(ledger: Ledger, auditor: SigningKey) -> None:
    envelopes = [signed_audit(auditor) for _ in range(1_100)]  # three lookups
    with session_scope(ledger.engine) as session:
        insert_records(session, [(e, None) for e in envelopes[::2]], utcnow())
    with session_scope(ledger.engine) as session:
        ids, pairs = taken(session, envelopes)
    assert ids == {e.record_id for e in envelopes[::2]}
    assert pairs == {(e.signer, e.nonce) for e in envelopes[::2]}


@pytest.mark.postgres
def test_a_database_error_on_postgresql_surfaces_as_sqlalchemys(postgres_url: str) -> None:
    """The PostgreSQL insert runs on psycopg's cursor; its errors still arrive as
    SQLAlchemy's (callers catch IntegrityError and DBAPIError, not psycopg's)."""
    opened = open_ledger(LedgerConfig(database_url=postgres_url))
    try:
        envelope = signed_audit(SigningKey.generate())
        row = _row(envelope, None, utcnow()) | {"kind": "k" * 40}  # the column holds 32
        with pytest.raises(DataError), session_scope(opened.engine) as session:
            _pg_insert(session.connection(), [row])
        assert stored_ids(opened) == set()
    finally:
        opened.close()


@pytest.mark.postgres
def test_the_postgresql_lookup_probes_indexes_before_any_statistics(
    postgres_url: str,
) -> None:
    """A bulk load outruns autovacuum's statistics: the lookup must not scan the table."""
    opened = open_ledger(LedgerConfig(database_url=postgres_url))
    try:
        key = SigningKey.generate()
        with session_scope(opened.engine) as session:
            insert_records(session, [(signed_audit(key), None) for _ in range(3_000)], utcnow())
        asked = [signed_audit(key) for _ in range(256)]
        params = {"ids": [e.record_id for e in asked], "nonces": [e.nonce for e in asked]}
        with session_scope(opened.engine) as session:
            plan = "\n".join(
                row[0]
                for row in session.connection().execute(text("EXPLAIN " + str(_PG_TAKEN)), params)
            )
            ids, pairs = taken(session, asked)
        assert "Seq Scan on records" not in plan, plan
        assert "records_pkey" in plan and "ix_records_nonce" in plan, plan
        assert (ids, pairs) == (set(), set())
    finally:
        opened.close()
