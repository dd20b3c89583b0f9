"""What trace and score show of external evidence: each accepted credential marked
``"external": true``, under its own key (``externalEvidence``), never one of our audits and
never an input of the score's formula.

An entry (JSON members as the API shows them):
``{"external": true, "recordId", "receivedAt", "submittedBy", "credentialId", "digest",
"issuer": {"id", "name"}, "suite", "attestation": {"id", "name", "type"}, "assessorLevel",
"assessmentLevel", "scheme", "assessments": [{"id", "name", "topic", "conformance",
"assessmentDate", "referenceStandard"}], "conformityTopics", "conformance", "validFrom",
"validUntil", "expired", "status": [{"purpose", "list", "index", "status", "listIssued"}]}``.

``conformance`` is true when every listed assessment says it conforms, false when one says
it does not, None when some say nothing. ``expired``: ``validUntil`` has passed since (the
status was checked when the record was admitted, at ``receivedAt``; it is not re-checked).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ledger.store.db import as_utc, in_chunks
from ledger.timeutil import format_time, parse_time

from .external import VerifiedConformity
from .external_models import ExternalEvidenceRow

__all__ = ["external_evidence_of", "summary_of"]


def summary_of(verified: VerifiedConformity) -> dict[str, Any]:
    """The stored part of an entry (everything but the record's own members)."""
    conformances = [a.conformance for a in verified.assessments]
    conformance = False if False in conformances else None if None in conformances else True
    return {
        "credentialId": verified.credential_id,
        "digest": verified.digest,
        "issuer": {"id": verified.issuer, "name": verified.issuer_name},
        "suite": verified.suite,
        "attestation": {
            "id": verified.attestation_id,
            "name": verified.attestation_name,
            "type": verified.attestation_type,
        },
        "assessorLevel": verified.assessor_level,
        "assessmentLevel": verified.assessment_level,
        "scheme": verified.scheme,
        "assessments": [
            {
                "id": a.id,
                "name": a.name,
                "topic": a.topic,
                "conformance": a.conformance,
                "assessmentDate": a.assessment_date,
                "referenceStandard": a.reference_standard,
            }
            for a in verified.assessments
        ],
        "conformityTopics": sorted({a.topic for a in verified.assessments}),
        "conformance": conformance,
        "validFrom": _time(verified.valid_from),
        "validUntil": _time(verified.valid_until),
        "status": [
            {
                "purpose": s.purpose,
                "list": s.list_id,
                "index": s.index,
                "status": s.status,
                "listIssued": format_time(s.list_issued),
            }
            for s in verified.status
        ],
    }


def external_evidence_of(
    session: Session, facility_ids: Sequence[str], now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """Each facility's external evidence, newest first, in one query per chunk of ids
    (facilities without any are absent)."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for chunk in in_chunks(facility_ids):
        rows = session.exec(
            select(ExternalEvidenceRow)
            .where(col(ExternalEvidenceRow.facility_id).in_(chunk))
            .order_by(col(ExternalEvidenceRow.received_at).desc(),
                      col(ExternalEvidenceRow.record_id))
        ).all()  # fmt: skip
        for row in rows:
            summary = json.loads(row.summary)
            until = summary.get("validUntil")
            grouped[row.facility_id].append(
                {
                    "external": True,
                    "recordId": row.record_id,
                    "receivedAt": format_time(as_utc(row.received_at) or now),
                    "submittedBy": row.submitted_by,
                    **summary,
                    "expired": until is not None and parse_time(until, field="validUntil") <= now,
                }
            )
    return dict(grouped)


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else format_time(moment)
