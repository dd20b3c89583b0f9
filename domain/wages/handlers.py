"""The wage kinds: ``wage`` (one worker's line of a payroll run) and ``wage-ack`` (the
worker's own acknowledgement of their line).

Decisions (see ``docs/architecture.md``, "Wages"):

- **One signed envelope per line**, each its own Merkle leaf: a worker's receipt for their
  line is an ordinary receipt (``ledger verify`` and the independent verifier check it as
  they check any record) and reveals nothing of any other line. A run envelope committing
  to salted line hashes would save signatures but need a second proof format for every
  verifier; signing 10,000 lines costs the employer's machine about a second.
- **A run is admitted all or none** (``Ledger.submit_many(..., atomic=True)``): every line
  names the same run (id, facility, country, period, currency, line count), lines 1..N
  each once, each worker once, one employer. A second run for the same facility and an
  overlapping period is refused unless it names the run it corrects; corrections keep
  both, linked, and the views count the latest.
- **Compliance** is the engine's verdict (:mod:`domain.wages.engine`), stored with the line
  and returned to the employer at submission; a non-compliant line is admitted (it is
  evidence), never refused.
- **Who reads a line**: its worker (a signed request from the line's did), its employer,
  and auditors accredited now who have audited the facility; everyone else reads
  aggregates only.
- **Acknowledgements** are signed by the worker's wallet key (workers are not accredited:
  the line names the one key that may acknowledge it). The latest acknowledgement of a line
  counts. Many acknowledgements from one device for different workers within minutes raise
  a coercion flag, as check-in bursts do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from sqlalchemy import insert, update
from sqlmodel import Session, col, func, select

from ledger.envelope import Envelope
from ledger.errors import Conflict, Forbidden, NotFound, SchemaViolation
from ledger.keys import VerifyKey
from ledger.kinds import Admission, KindHandler, Parsed, Readers
from ledger.roles import Role
from ledger.store.models import RecordRow
from ledger.store.records import accreditations_of
from ledger.timeutil import utcnow

from ..schema import parse_model
from ..workers.models import CoercionFlagRow
from .engine import RuleSet, Violation, check_line, load_rules
from .models import WageAckRow, WageLineRow, WageRunRow
from .schema import WageAckPayload, WageLinePayload

__all__ = ["AckBurstPolicy", "WageAckHandler", "WageLineHandler", "facility_auditors"]


def facility_auditors(session: Session, facility: str) -> set[str]:
    """Keys accredited as auditors now that signed an audit of ``facility``."""
    now = utcnow()
    signers = session.exec(
        select(RecordRow.signer)
        .where(RecordRow.kind == "audit", RecordRow.subject == facility)
        .distinct()
    ).all()
    return {
        did
        for did in signers
        if any(
            a.role == Role.AUDITOR and a.is_valid_at(now)
            for a in accreditations_of(session, VerifyKey.from_did(did))
        )
    }


class WageLineHandler(KindHandler):
    label: ClassVar[str] = "wage"
    code: ClassVar[int] = 2
    roles: ClassVar[frozenset[Role] | None] = frozenset({Role.EMPLOYER})
    readers: ClassVar[Readers] = Readers.PARTIES
    # An employer signs only for a facility it is scoped to (AttesterRegistry scopes).
    scope: ClassVar[str | None] = "run.facility"

    def __init__(self, rules: RuleSet | None = None) -> None:
        self.rules = rules or load_rules()  # the newest shipped version

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        line = parse_model(WageLinePayload, payload)
        # The engine's verdict needs nothing but the line: worked out with the schema.
        return Parsed(line, subject=line.run.facility, derived=check_line(line, self.rules))

    def check_group(self, admission: Admission, members: Sequence[tuple[Envelope, Parsed]]) -> None:
        lines: list[WageLinePayload] = [parsed.value for _, parsed in members]
        run = lines[0].run
        if any(line.run != run for line in lines):
            raise SchemaViolation("every line of a run names the same run", field="payload.run")
        if {e.signer for e, _ in members} != {members[0][0].signer}:
            raise SchemaViolation("one employer signs every line of a run", field="signer")
        numbers = sorted(line.line for line in lines)
        if numbers != list(range(1, run.lines + 1)):
            raise SchemaViolation(
                f"a run of {run.lines} lines carries lines 1..{run.lines}, each once "
                f"(got {len(lines)} lines)",
                field="payload.line",
            )
        workers = [line.worker.id for line in lines]
        if len(set(workers)) != len(workers):
            raise SchemaViolation("each worker once in a run", field="payload.worker")
        session = admission.session
        if session.get(WageRunRow, run.id) is not None:
            raise Conflict(f"run {run.id} was submitted already", run=run.id)
        overlapping = session.exec(
            select(WageRunRow.run_id).where(
                WageRunRow.facility == run.facility,
                col(WageRunRow.period_start) <= run.period_end,
                col(WageRunRow.period_end) >= run.period_start,
                col(WageRunRow.corrected_by).is_(None),
            )
        ).all()
        current = set(overlapping)
        if run.corrects is not None:
            corrected = session.get(WageRunRow, run.corrects)
            if corrected is None or corrected.facility != run.facility:
                raise NotFound(
                    f"run {run.corrects} (corrected) is not a run of {run.facility}",
                    what="wage run",
                    key=run.corrects,
                )
            if corrected.corrected_by is not None:
                raise Conflict(
                    f"run {run.corrects} was corrected already by {corrected.corrected_by}",
                    run=run.corrects,
                )
            current.discard(run.corrects)
        if current:
            raise Conflict(
                f"{run.facility} has a run for this period already ({sorted(current)[0]}); "
                "a new run must name the run it corrects (run.corrects)",
                runs=sorted(current),
            )

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> list[Violation]:
        if not admission.in_group:
            raise SchemaViolation(
                "a wage line comes with its run (POST /v1/wages)", field="payload.run"
            )
        verdict: list[Violation] = parsed.derived
        return verdict

    def apply_many(
        self, admission: Admission, members: Sequence[tuple[Envelope, Parsed, Any]]
    ) -> None:
        session = admission.session
        first: WageLinePayload = members[0][1].value
        run = first.run
        employer = members[0][0].signer
        session.add(
            WageRunRow(
                run_id=run.id, facility=run.facility, country=run.country,
                period_start=run.period_start, period_end=run.period_end,
                currency=run.currency, lines=run.lines, employer=employer,
                corrects=run.corrects, rules_version=self.rules.version,
                received_at=admission.received_at,
            )
        )  # fmt: skip
        if run.corrects is not None:
            session.exec(
                update(WageRunRow)
                .where(col(WageRunRow.run_id) == run.corrects)
                .values(corrected_by=run.id)
            )
        rows = [
            _line_row(envelope, parsed.value, violations)
            for envelope, parsed, violations in members
        ]
        # Core, not ORM: a 10,000-line run is one INSERT.
        session.connection().execute(insert(WageLineRow.__table__), rows)  # type: ignore[attr-defined]

    def apply(self, admission: Admission, envelope: Envelope, parsed: Parsed, checked: Any) -> None:
        raise SchemaViolation("a wage line comes with its run (POST /v1/wages)", field="run")

    def parties(self, session: Session, envelope: Envelope) -> frozenset[str]:
        line = parse_model(WageLinePayload, envelope.payload)
        workers = {line.worker.did} if line.worker.did is not None else set()
        return frozenset(
            {envelope.signer, *workers, *facility_auditors(session, line.run.facility)}
        )


def _line_row(
    envelope: Envelope, line: WageLinePayload, violations: list[Violation]
) -> dict[str, Any]:
    fee = line.deductions.recruitment_fee
    return {
        "record_id": envelope.record_id,
        "run_id": line.run.id,
        "line": line.line,
        "facility": line.run.facility,
        "period_start": line.run.period_start,
        "worker": line.worker.id,
        "employer": envelope.signer,
        "gross": str(line.gross),
        "net": str(line.net),
        "recruitment_fee": str(fee.amount if fee is not None else 0),
        "fees_found": None if line.fees_found is None else str(line.fees_found),
        "fees_repaid": None if line.fees_repaid is None else str(line.fees_repaid),
        "compliant": not violations,
        "violations": json.dumps([v.to_dict() for v in violations], sort_keys=True),
    }


@dataclass(frozen=True)
class AckBurstPolicy:
    """Acknowledgements from one device for this many different workers within the window
    raise an ``ack_burst`` flag (our starting values, as for check-in bursts)."""

    workers: int = 5
    window: timedelta = timedelta(minutes=10)


class WageAckHandler(KindHandler):
    label: ClassVar[str] = "wage-ack"
    code: ClassVar[int] = 8
    roles: ClassVar[frozenset[Role] | None] = None  # the worker's own key: the line names it
    readers: ClassVar[Readers] = Readers.PARTIES

    def __init__(self, policy: AckBurstPolicy | None = None) -> None:
        self.policy = policy or AckBurstPolicy()

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        ack = parse_model(WageAckPayload, payload)
        return Parsed(ack, subject=ack.line)

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> WageLineRow:
        ack: WageAckPayload = parsed.value
        line = admission.session.get(WageLineRow, ack.line)
        if line is None:
            raise NotFound(f"no wage line {ack.line}", what="wage line", key=ack.line)
        if line.worker != envelope.signer:
            raise Forbidden("only the line's own worker acknowledges it", line=ack.line)
        return line

    def apply(
        self, admission: Admission, envelope: Envelope, parsed: Parsed, checked: WageLineRow
    ) -> None:
        ack: WageAckPayload = parsed.value
        session = admission.session
        session.add(
            WageAckRow(
                record_id=envelope.record_id, line_record_id=ack.line, facility=checked.facility,
                period_start=checked.period_start, status=ack.status.value,
                reasons=json.dumps([r.value for r in ack.reasons]), device=ack.device,
                signed_at=envelope.created_at, received_at=admission.received_at,
            )
        )  # fmt: skip
        session.flush()
        if ack.device is None:
            return
        since = admission.received_at - self.policy.window
        workers = session.exec(
            select(func.count(func.distinct(WageLineRow.worker)))
            .join(WageAckRow, col(WageAckRow.line_record_id) == col(WageLineRow.record_id))
            .where(WageAckRow.device == ack.device, col(WageAckRow.received_at) > since)
        ).one()
        count = int(workers)
        if count >= self.policy.workers:
            session.add(
                CoercionFlagRow(
                    kind="ack_burst",
                    record_id=envelope.record_id,
                    detail=json.dumps(
                        {"device": ack.device, "workers": count, "facility": checked.facility},
                        sort_keys=True,
                    ),
                    raised_at=admission.received_at,
                )
            )

    def parties(self, session: Session, envelope: Envelope) -> frozenset[str]:
        line = session.get(WageLineRow, str(envelope.payload.get("line")))
        if line is None:
            return frozenset({envelope.signer})
        return frozenset(
            {envelope.signer, line.employer, *facility_auditors(session, line.facility)}
        )
