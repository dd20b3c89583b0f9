"""The facility view of audits: each finding followed through the follow-up and closure
audits that re-examine it, to its current status."""

from __future__ import annotations

import json
from collections import defaultdict
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
    """:func:`facility_audits` of many facilities in one query (those with audits only)."""
    grouped: dict[str, list[RecordRow]] = defaultdict(list)
    for chunk in in_chunks(facility_ids):
        for row in session.exec(
            select(RecordRow)
            .where(RecordRow.kind == "audit", col(RecordRow.subject).in_(chunk))
            .order_by(col(RecordRow.created))
        ).all():
            grouped[str(row.subject)].append(row)
    return {
        facility: audit_views([(row.id, json.loads(row.envelope)) for row in rows])
        for facility, rows in grouped.items()
    }


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
    audits = {}
    for record_id, envelope in records:
        audits[record_id] = _Audit(
            record_id, envelope["created"], AuditPayload.model_validate(envelope["payload"]),
            dict(envelope["payload"]),
        )  # fmt: skip
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
