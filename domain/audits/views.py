"""The facility view of audits: each finding followed through the follow-up and closure
audits that re-examine it, to its current status."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from ledger.store.db import in_chunks
from ledger.store.models import RecordRow

from .schema import AuditPayload

__all__ = [
    "OPEN_STATUSES",
    "audit_views",
    "audits_of",
    "facility_audits",
    "latest_audit",
    "valid_audits",
]


@dataclass
class _Audit:
    record_id: str
    created: str
    payload: AuditPayload
    raw: dict[str, Any]


def facility_audits(session: Session, facility_id: str) -> list[dict[str, Any]]:
    """A facility's audits, newest first, each finding with its current status.

    A finding's current status is the status given by the latest audit that re-examines it
    (through ``follows`` + ``followsFinding``, transitively), with that audit's record id.
    """
    return audits_of(session, [facility_id]).get(facility_id, [])


def audits_of(session: Session, facility_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """:func:`facility_audits` of many facilities in one query (those with audits only).

    Every score and trace read goes through here, so the signed audits are parsed once per
    process (:class:`_ParsedAudits`), only the envelopes not parsed yet are read, and a
    facility's view is rebuilt only when its audits change (:class:`_FacilityViews`). The
    views are shared between reads: callers treat them as read-only.
    """
    grouped: dict[str, list[str]] = defaultdict(list)
    for chunk in in_chunks(facility_ids):
        for record_id, subject in session.execute(
            select(RecordRow.id, RecordRow.subject)
            .where(RecordRow.kind == "audit", col(RecordRow.subject).in_(chunk))
            .order_by(col(RecordRow.created), col(RecordRow.id))
        ):
            grouped[str(subject)].append(record_id)
    views = {facility: _VIEWS.get(facility, tuple(ids)) for facility, ids in grouped.items()}
    wanted = [i for facility, ids in grouped.items() if views[facility] is None for i in ids]
    parsed = _PARSED.get_many(wanted)
    missing = [record_id for record_id in wanted if record_id not in parsed]
    for chunk in in_chunks(missing):
        for record_id, envelope in session.execute(
            select(RecordRow.id, RecordRow.envelope).where(col(RecordRow.id).in_(chunk))
        ):
            parsed[record_id] = _PARSED.put(record_id, json.loads(envelope))
    result = {}
    for facility, ids in grouped.items():
        view = views[facility]
        if view is None:
            view = _VIEWS.put(facility, tuple(ids), _views([parsed[i] for i in ids]))
        result[facility] = view
    return result


class _FacilityViews:
    """The last view built per facility, with the record ids it was built from: a view is a
    pure function of its records, so while a facility gains no audit it is reused."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, tuple[tuple[str, ...], list[dict[str, Any]]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, facility: str, record_ids: tuple[str, ...]) -> list[dict[str, Any]] | None:
        with self._lock:
            entry = self._entries.get(facility)
            if entry is None or entry[0] != record_ids:
                return None
            self._entries.move_to_end(facility)
            return entry[1]

    def put(
        self, facility: str, record_ids: tuple[str, ...], view: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        with self._lock:
            self._entries[facility] = (record_ids, view)
            self._entries.move_to_end(facility)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return view


class _ParsedAudits:
    """Validated audit payloads by record id, bounded, least recently used out first.

    A record id is the hash of its signed envelope, so an entry can never go stale.
    """

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, _Audit] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, record_ids: Sequence[str]) -> dict[str, _Audit]:
        found = {}
        with self._lock:
            for record_id in record_ids:
                audit = self._entries.get(record_id)
                if audit is not None:
                    self._entries.move_to_end(record_id)
                    found[record_id] = audit
        return found

    def put(self, record_id: str, envelope: Mapping[str, Any]) -> _Audit:
        audit = _parse(record_id, envelope)
        with self._lock:
            self._entries[record_id] = audit
            self._entries.move_to_end(record_id)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return audit


_PARSED = _ParsedAudits(capacity=100_000)
_VIEWS = _FacilityViews(capacity=10_000)


OPEN_STATUSES = frozenset({"open", "in-progress", "unverified"})
"""A finding's current statuses that count as open (all but ``closed``)."""


def valid_audits(audits: Sequence[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """The audits (as :func:`audits_of` gives them) still valid on ``today``."""
    return [a for a in audits if date.fromisoformat(a["validUntil"]) >= today]


def latest_audit(audits: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The latest of ``audits`` (non-empty): by end date, then signing time, then id."""
    return max(audits, key=lambda a: (a["endDate"], a["created"], a["id"]))


def audit_views(records: Sequence[tuple[str, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """One facility's audits, from ``(record id, envelope)`` pairs, as :func:`audits_of`
    gives them: a pure function of the signed records, so the same view is rebuilt from
    their receipts alone (:mod:`domain.scores.replay`)."""
    return _views([_parse(record_id, envelope) for record_id, envelope in records])


def _parse(record_id: str, envelope: Mapping[str, Any]) -> _Audit:
    payload = envelope["payload"]
    return _Audit(
        record_id, envelope["created"], AuditPayload.model_validate(payload), dict(payload)
    )


def _views(parsed: Sequence[_Audit]) -> list[dict[str, Any]]:
    audits = {audit.record_id: audit for audit in parsed}
    # (audit id, finding id) -> the (audit id, finding id) that re-examines it next
    successor: dict[tuple[str, str], tuple[str, str]] = {}
    for audit in sorted(audits.values(), key=_chronology):
        if audit.payload.follows is None:
            continue
        for finding in audit.payload.findings:
            if finding.follows_finding is not None:
                successor[(audit.payload.follows, finding.follows_finding)] = (
                    audit.record_id,
                    finding.id,
                )
    result = []
    for audit in sorted(audits.values(), key=_chronology, reverse=True):
        findings = []
        for finding, raw in zip(audit.payload.findings, audit.raw.get("findings", []), strict=True):
            latest = (audit.record_id, finding.id)
            while latest in successor:
                latest = successor[latest]
            latest_audit = audits[latest[0]]
            latest_finding = next(f for f in latest_audit.payload.findings if f.id == latest[1])
            findings.append(
                {
                    **raw,
                    "currentStatus": latest_finding.status.value,
                    "statusFrom": {"recordId": latest[0], "findingId": latest[1]},
                }
            )
        result.append(
            {
                "id": audit.record_id,
                "created": audit.created,
                **{k: v for k, v in audit.raw.items() if k != "findings"},
                "findings": findings,
            }
        )
    return result


def _chronology(audit: _Audit) -> tuple[str, str, str]:
    return (audit.payload.end_date.isoformat(), audit.created, audit.record_id)
