"""The score rebuilt from signed records alone equals the database's, for every facility of
the demo (audits with follow-ups, a supplier graph four tiers deep, payroll runs with
acknowledgements and a dispute, credentials and check-ins), on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from sqlmodel import col, select

from domain import open_ledger
from domain.demo import seed_demo
from domain.scores.formula import score
from domain.scores.loader import evidence_of
from domain.scores.replay import evidence_from_records
from domain.scores.sources import score_sources
from domain.supply import views as supply
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import session_scope
from ledger.store.models import RecordRow
from ledger.timeutil import utcnow


@pytest.fixture
def demo(database_url: str) -> Iterator[Ledger]:
    ledger = open_ledger(LedgerConfig(database_url=database_url))
    seed_demo(ledger)
    yield ledger
    ledger.close()


def _envelopes(ledger: Ledger, ids: list[str]) -> dict[str, dict]:
    with session_scope(ledger.engine) as session:
        rows = session.exec(select(RecordRow).where(col(RecordRow.id).in_(ids))).all()
        return {row.id: json.loads(row.envelope) for row in rows}


def test_every_demo_score_is_rebuilt_from_its_records_alone(demo: Ledger) -> None:
    now = utcnow()
    with session_scope(demo.engine) as session:
        facilities = [f.id for f in supply.facilities(session)]
        stored = {}
        for facility in facilities:
            evidence = evidence_of(session, facility, now)
            stored[facility] = (evidence, score_sources(session, evidence))
    assert len(facilities) >= 8
    kinds_used: set[str] = set()
    for facility, (evidence, sources) in stored.items():
        records = _envelopes(demo, sources.records)
        assert sorted(records) == sources.records, "every source is a stored record"
        kinds_used |= {e["kind"] for e in records.values()}
        rebuilt = evidence_from_records(records, facility, now, wage_rules=sources.wage_rules)
        assert rebuilt == dataclasses.replace(evidence, coercion_flags=0), facility
        assert score(rebuilt).score == score(evidence).score
    # The demo exercises every kind the score reads.
    assert {"audit", "supply-link", "supply-confirm", "wage", "wage-ack", "credential",
            "checkin"} <= kinds_used  # fmt: skip

    # The replay reads what it is given: drop one record of each kind and the evidence
    # differs (``ledger score recompute`` names the missing receipt before it gets here).
    dropped_kinds = set()
    for facility, (_, sources) in stored.items():
        records = _envelopes(demo, sources.records)
        full = evidence_from_records(records, facility, now, wage_rules=sources.wage_rules)
        for record_id, envelope in records.items():
            fewer = {i: e for i, e in records.items() if i != record_id}
            rebuilt = evidence_from_records(fewer, facility, now, wage_rules=sources.wage_rules)
            assert rebuilt != full, (facility, envelope["kind"])
            dropped_kinds.add(envelope["kind"])
    assert {"audit", "supply-link", "wage", "credential"} <= dropped_kinds
