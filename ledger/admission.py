"""Admission: every check an envelope passes before it is stored, in one fixed order.

    shape (envelope fields, a known kind, the kind's payload schema, attachment present)
    → signature
    → signer known, accredited for one of the kind's roles, not revoked or suspended,
      both at ``created`` and at the server's receive time, and holding there the scope
      the record names if its kind names one (:attr:`~ledger.kinds.KindHandler.scope`)
    → clock (``created`` within the skew window)
    → duplicate (the same envelope again) and nonce (another envelope reusing it)
    → the kind's own rule (reads only)
    → store: the record row and what the kind writes with it (views' rows, outbox entries)

Nothing a kind writes can happen before every generic check has passed, and each
envelope is admitted on its own: envelopes whose kind writes beyond the record row get a
savepoint each; the others go into one bulk insert (with a per-row fallback when a
concurrent writer races). A refused envelope changes nothing, with one exception a kind
may opt into: :meth:`~ledger.kinds.KindHandler.on_refused` keeps an audit trail of an
*authenticated* attempt its rule refused (e.g. a replayed presentation flagged for
investigators), never a record.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from .envelope import DEFAULT_MAX_AGE, DEFAULT_MAX_FUTURE_SKEW, Envelope, verify_envelope
from .errors import (
    Conflict,
    DuplicateRecord,
    GroupRefused,
    LedgerError,
    NonceReplayed,
)
from .kinds import Admission, ChainView, KindHandler, KindRegistry
from .outbox import Outbox
from .preparation import Prepared, Submission, prepare_one
from .store.ingest import SessionAccreditations, insert_records, taken
from .types import RecordId

__all__ = ["Accepted", "AdmissionPolicy", "Admitter", "Submission"]

log = logging.getLogger(__name__)

_CHUNK = 256  # envelopes per duplicate / nonce lookup


@dataclass(frozen=True)
class Accepted:
    record_id: RecordId
    leaf: str
    status: str
    kind: str


@dataclass(frozen=True)
class AdmissionPolicy:
    max_future_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW
    max_age: timedelta = DEFAULT_MAX_AGE


class Admitter:
    """Runs the pipeline (module docstring) over one database session."""

    def __init__(self, kinds: KindRegistry, chain: ChainView, policy: AdmissionPolicy) -> None:
        self.kinds = kinds
        self.chain = chain
        self.policy = policy

    def admit(
        self, session: Session, items: Sequence[Submission], now: datetime, *, atomic: bool = False
    ) -> list[Accepted | LedgerError]:
        """Admit each item on its own (or, ``atomic``, all or none); returns, position by
        position, the accepted record or the error that refused it. The caller commits."""
        base = Admission(
            session=session,
            received_at=now,
            attachment=None,
            outbox=Outbox(session, now),
            accreditations=SessionAccreditations(session),
            chain=self.chain,
        )
        if atomic:
            return self._admit_group(replace(base, in_group=True), items, now)
        results: list[Accepted | LedgerError | None] = [None] * len(items)
        stored: set[str] = set()
        used: set[tuple[str, str]] = set()
        bulk: list[Prepared] = []
        outcomes = [prepare_one(self.kinds, i, item) for i, item in enumerate(items)]
        for start in range(0, len(items), _CHUNK):
            chunk: list[Prepared] = []
            for position in range(start, min(start + _CHUNK, len(items))):
                outcome = outcomes[position]
                if isinstance(outcome, LedgerError):
                    results[position] = outcome
                else:
                    chunk.append(outcome)
            chunk_stored, chunk_used = taken(session, [p.envelope for p in chunk])
            stored |= chunk_stored
            used |= chunk_used
            for prepared in chunk:
                admission = replace(base, attachment=prepared.attachment)
                error = self._generic(prepared.envelope, prepared.handler, stored, used, base, now)
                checked: Any = None
                if error is None:
                    error, checked = self._rule(admission, prepared)
                if error is None and prepared.handler.writes:
                    error = self._store_one(admission, prepared, checked)
                    if error is None:
                        results[prepared.position] = _accepted(prepared)
                elif error is None:
                    bulk.append(prepared)
                if error is not None:
                    results[prepared.position] = error
                    continue
                stored.add(prepared.envelope.record_id)
                used.add((prepared.envelope.signer, prepared.envelope.nonce))
        failures = insert_records(
            session, [(p.envelope, p.parsed.subject) for p in bulk], received_at=now
        )
        for index, prepared in enumerate(bulk):
            results[prepared.position] = failures.get(index) or _accepted(prepared)
        assert all(r is not None for r in results)
        return [r for r in results if r is not None]

    def _admit_group(
        self, base: Admission, items: Sequence[Submission], now: datetime
    ) -> list[Accepted | LedgerError]:
        """All or none (a payroll run): every item passes every check, then the kinds' group
        rules pass, then everything is written in one savepoint; otherwise nothing is, and the
        items that passed are refused with :class:`GroupRefused` naming the first refusal."""
        session = base.session
        errors: list[LedgerError | None] = [None] * len(items)
        prepared: list[Prepared] = []
        for position, item in enumerate(items):
            outcome = prepare_one(self.kinds, position, item)
            if isinstance(outcome, LedgerError):
                errors[position] = outcome
            else:
                prepared.append(outcome)
        stored, used = taken(session, [p.envelope for p in prepared])
        passed: list[Prepared] = []
        for candidate in prepared:
            envelope = candidate.envelope
            error = self._generic(envelope, candidate.handler, stored, used, base, now)
            if error is None:
                stored.add(envelope.record_id)
                used.add((envelope.signer, envelope.nonce))
                passed.append(candidate)
            else:
                errors[candidate.position] = error
        checked: dict[int, Any] = {}
        if len(passed) == len(items):
            for handler, members in _by_kind(passed):
                try:
                    handler.check_group(base, [(p.envelope, p.parsed) for p in members])
                except LedgerError as exc:
                    for member in members:
                        errors[member.position] = exc
            for member in passed:
                if errors[member.position] is None:
                    admission = replace(base, attachment=member.attachment)
                    errors[member.position], checked[member.position] = self._rule(
                        admission, member
                    )
        refusal = next((e for e in errors if e is not None), None)
        if refusal is None:
            refusal = self._store_group(base, passed, checked)
            if refusal is None:
                return [_accepted(member) for member in passed]
        first = next((i for i, e in enumerate(errors) if e is not None), None)
        why = "it could not be stored" if first is None else f"item {first} was refused"
        group = GroupRefused(
            f"refused with its group: {why} ({refusal.code}: {refusal.detail})",
            refused_item=first,
            refused_code=refusal.code,
        )
        return [error if error is not None else group for error in errors]

    def _store_group(
        self, base: Admission, items: list[Prepared], checked: dict[int, Any]
    ) -> LedgerError | None:
        """Every record row and every kind's writes, in one savepoint; None when stored."""
        session = base.session
        try:
            with session.begin_nested():
                failures = insert_records(
                    session, [(p.envelope, p.parsed.subject) for p in items], base.received_at
                )
                if failures:
                    raise next(iter(failures.values()))
                for handler, members in _by_kind(items):
                    handler.apply_many(
                        base,
                        [(p.envelope, p.parsed, checked.get(p.position)) for p in members],
                    )
                session.flush()
        except IntegrityError as exc:
            log.info("group admission conflict: %s", _violation(exc))
            return Conflict("the group conflicts with records stored concurrently")
        except LedgerError as exc:
            return exc
        return None

    def _generic(
        self,
        envelope: Envelope,
        handler: KindHandler,
        stored: set[str],
        used: set[tuple[str, str]],
        base: Admission,
        now: datetime,
    ) -> LedgerError | None:
        try:
            verify_envelope(
                envelope,
                roles=handler.roles,
                accreditations=base.accreditations,
                now=now,
                max_future_skew=self.policy.max_future_skew,
                max_age=self.policy.max_age,
                scope=handler.scope_of(envelope),
            )
            if envelope.record_id in stored:
                raise DuplicateRecord(
                    f"record {envelope.record_id} exists", record_id=envelope.record_id
                )
            if (envelope.signer, envelope.nonce) in used:
                raise NonceReplayed(f"nonce {envelope.nonce} was already used by {envelope.signer}")
        except LedgerError as exc:
            return exc
        return None

    def _rule(self, admission: Admission, prepared: Prepared) -> tuple[LedgerError | None, Any]:
        try:
            checked = prepared.handler.check(admission, prepared.envelope, prepared.parsed)
        except LedgerError as exc:
            self._refused(admission, prepared, exc)
            return exc, None
        return None, checked

    def _store_one(
        self, admission: Admission, prepared: Prepared, checked: Any
    ) -> LedgerError | None:
        """The record row and the kind's writes, in one savepoint."""
        session = admission.session
        envelope = prepared.envelope
        try:
            with session.begin_nested():
                failures = insert_records(
                    session, [(envelope, prepared.parsed.subject)], admission.received_at
                )
                if failures:
                    raise failures[0]
                prepared.handler.apply(admission, envelope, prepared.parsed, checked)
                session.flush()
        except IntegrityError as exc:
            error: LedgerError = Conflict(
                f"{prepared.handler.label} record conflicts with one stored concurrently",
                record_id=envelope.record_id,
            )
            log.info("admission conflict for %s: %s", envelope.record_id, _violation(exc))
        except LedgerError as exc:
            error = exc
        else:
            return None
        if not isinstance(error, DuplicateRecord | NonceReplayed):
            self._refused(admission, prepared, error)
        return error

    @staticmethod
    def _refused(admission: Admission, prepared: Prepared, error: LedgerError) -> None:
        """The kind's audit trail of a refused, authenticated attempt (its own savepoint)."""
        session = admission.session
        try:
            with session.begin_nested():
                prepared.handler.on_refused(admission, prepared.envelope, prepared.parsed, error)
                session.flush()
        except (IntegrityError, LedgerError) as exc:
            reason = _violation(exc) if isinstance(exc, IntegrityError) else exc.code
            log.info("no audit trail for refused %s: %s", prepared.envelope.record_id, reason)


def _violation(exc: IntegrityError) -> str:
    """Which constraint failed, without the values: PostgreSQL's DETAIL line quotes the
    conflicting row (a signer's did), and log lines carry no personal data."""
    return str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__


def _by_kind(items: Sequence[Prepared]) -> list[tuple[KindHandler, list[Prepared]]]:
    groups: dict[str, tuple[KindHandler, list[Prepared]]] = {}
    for item in items:
        groups.setdefault(item.handler.label, (item.handler, []))[1].append(item)
    return list(groups.values())


def _accepted(prepared: Prepared) -> Accepted:
    envelope = prepared.envelope
    return Accepted(envelope.record_id, "0x" + envelope.leaf.hex(), "pending", envelope.kind)
