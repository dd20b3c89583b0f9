"""Wages over a ledger: what the routes and the CLI call (the rules are the kinds' handlers
in :mod:`domain.wages.handlers`; the verdicts the engine's, :mod:`domain.wages.engine`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ledger.admission import Accepted
from ledger.errors import GroupRefused, LedgerError, NotFound, SchemaViolation
from ledger.service import Ledger
from ledger.store.db import session_scope

from .handlers import WageAckHandler, WageLineHandler, facility_auditors
from .models import WageLineRow, WageRunRow
from .views import FacilityWages, RunView, facility_wages, latest_acks, run_view

__all__ = ["LineAccepted", "LineView", "RunAccepted", "Wages"]

MAX_RUN_LINES = 100_000
MAX_OWN_LINES = 500  # a worker's wallet lists at most this many of their lines


@dataclass(frozen=True)
class LineAccepted:
    line: int
    id: str
    leaf: str
    compliant: bool
    violations: list[dict[str, Any]]


@dataclass(frozen=True)
class RunAccepted:
    run: str
    facility: str
    status: str
    lines: list[LineAccepted]


@dataclass(frozen=True)
class LineView:
    id: str
    run: str
    line: int
    compliant: bool
    violations: list[dict[str, Any]]
    acknowledgement: str | None
    envelope: dict[str, Any]


class Wages:
    """Payroll runs, acknowledgements and the views of them, over a :class:`Ledger`."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def submit_run(self, envelopes: Sequence[Any]) -> RunAccepted:
        """Admit a payroll run, all its lines or none.

        Raises:
            The first refusal's error, with every line's own refusal under ``errors``
            (``[{"index", "code", "detail", "field"?}]``, in submission order).
        """
        if not isinstance(envelopes, Sequence) or not envelopes:
            raise SchemaViolation("a run is a non-empty list of line envelopes", field="lines")
        if len(envelopes) > MAX_RUN_LINES:
            raise SchemaViolation(f"at most {MAX_RUN_LINES} lines per run", field="lines")
        for index, envelope in enumerate(envelopes):
            if not isinstance(envelope, Mapping) or envelope.get("kind") != WageLineHandler.label:
                raise SchemaViolation(
                    f"lines.{index}: a run carries envelopes of kind 'wage'",
                    field=f"lines.{index}.kind",
                )
        results = self.ledger.submit_many(list(envelopes), atomic=True)
        refused = [(i, r) for i, r in enumerate(results) if isinstance(r, LedgerError)]
        if refused:
            raise _run_refusal(refused)
        accepted: list[Accepted] = [r for r in results if isinstance(r, Accepted)]
        with session_scope(self.ledger.engine) as session:
            rows = {row.record_id: row for row in _rows(session, [a.record_id for a in accepted])}
            run_id = rows[accepted[0].record_id].run_id
            facility = rows[accepted[0].record_id].facility
        return RunAccepted(
            run=run_id,
            facility=facility,
            status="pending",
            lines=[
                LineAccepted(
                    line=rows[a.record_id].line,
                    id=a.record_id,
                    leaf=a.leaf,
                    compliant=rows[a.record_id].compliant,
                    violations=json.loads(rows[a.record_id].violations),
                )
                for a in accepted
            ],
        )

    def acknowledge(self, envelope: Any) -> Accepted:
        """Admit a worker's ``wage-ack`` (signed by the line's own worker key)."""
        if not isinstance(envelope, Mapping) or envelope.get("kind") != WageAckHandler.label:
            raise SchemaViolation("this takes envelopes of kind 'wage-ack'", field="kind")
        return self.ledger.submit(envelope)

    def facility(self, facility: str) -> FacilityWages:
        with session_scope(self.ledger.engine) as session:
            return facility_wages(session, facility)

    def run(self, run_id: str, reader: str | None) -> RunView:
        """A run; its lines' verdicts for its employer and the facility's auditors only."""
        with session_scope(self.ledger.engine) as session:
            run = session.get(WageRunRow, run_id)
            if run is None:
                raise NotFound(f"no wage run {run_id}", what="wage run", key=run_id)
            insider = reader is not None and (
                reader == run.employer or reader in facility_auditors(session, run.facility)
            )
            return run_view(session, run_id, with_lines=insider)

    def line(self, record_id: str, reader: str | None) -> LineView:
        """A line with its figures, for its parties only.

        Raises:
            NotFound, Unauthorized, NotAParty.
        """
        with session_scope(self.ledger.engine) as session:
            row = session.get(WageLineRow, record_id.lower())
            if row is None:
                raise NotFound(f"no wage line {record_id}", what="wage line", key=record_id)
        self.ledger.authorize_read(record_id, reader)
        with session_scope(self.ledger.engine) as session:
            ack = latest_acks(session, [row.record_id]).get(row.record_id)
        return self._view(row, None if ack is None else ack.status)

    def lines_of(self, worker: str, *, limit: int = MAX_OWN_LINES) -> list[LineView]:
        """The lines naming ``worker`` (an authenticated did: a worker reading their own,
        for the wallet), newest pay period first. A line named by a commitment names no key,
        so it is read by its id (``line``) through the employer, never listed here."""
        with session_scope(self.ledger.engine) as session:
            rows = session.exec(
                select(WageLineRow)
                .where(WageLineRow.worker == worker)
                .order_by(col(WageLineRow.period_start).desc(), col(WageLineRow.record_id))
                .limit(limit)
            ).all()
            acks = latest_acks(session, [row.record_id for row in rows])
        return [
            self._view(row, None if row.record_id not in acks else acks[row.record_id].status)
            for row in rows
        ]

    def _view(self, row: WageLineRow, acknowledgement: str | None) -> LineView:
        return LineView(
            id=row.record_id,
            run=row.run_id,
            line=row.line,
            compliant=row.compliant,
            violations=json.loads(row.violations),
            acknowledgement=acknowledgement,
            envelope=self.ledger.envelope(row.record_id).to_dict(),
        )


def _rows(session: Session, ids: list[str]) -> list[WageLineRow]:
    found: list[WageLineRow] = []
    for start in range(0, len(ids), 500):
        found += session.exec(
            select(WageLineRow).where(col(WageLineRow.record_id).in_(ids[start : start + 500]))
        ).all()
    return found


def _run_refusal(refused: list[tuple[int, LedgerError]]) -> LedgerError:
    own = [(i, e) for i, e in refused if not isinstance(e, GroupRefused)]
    first = (own or refused)[0][1]
    first.data["errors"] = [
        {
            "line": i + 1,
            "code": e.code,
            "detail": e.detail,
            **({"field": e.field} if hasattr(e, "field") else {}),
        }
        for i, e in own
    ]
    return first
