"""Score snapshots: a ``score`` record (code 6) that fixes a facility's score as of a day.

Decisions:

- The operator never authors records, so the snapshot is signed by the party that wants it
  kept: a brand key (lenders sign with a brand-role key until the registry has a lender
  role). Any accredited brand may snapshot any facility (scores are public, no scope).
- The signer cannot make up a score: admission recomputes it from the ledger's evidence as
  of the server's day and refuses the record (``score_mismatch``) unless the payload's
  formula version, day, score and every component's points equal that computation. A
  client reads ``GET /v1/facilities/{id}/score``, signs what it read, and retries on a
  mismatch (evidence arrived in between, or the day turned).
- The payload names the facility's current id (not a merged alias), so history is filed
  under one subject.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import Field
from sqlmodel import Session, col, select

from ledger.envelope import Envelope
from ledger.errors import InvalidRecord
from ledger.kinds import Admission, KindHandler, Parsed
from ledger.roles import Role
from ledger.store.models import RecordRow

from ..schema import FacilityId, IsoDate, StrictModel, parse_model
from .formula import FORMULA_VERSION, Score, score
from .loader import evidence_of

__all__ = ["ScoreHandler", "ScoreMismatch", "ScorePayload", "history_of", "snapshot_payload"]

Points = Field(pattern=r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$")  # decimal string, 0-100


class ComponentPoints(StrictModel):
    name: str = Field(pattern=r"^[a-z_]{1,32}$")
    value: str = Points


class ScorePayload(StrictModel):
    schema_id: Literal["score/v1"] = Field(alias="schema")
    facility: FacilityId
    formula_version: str = Field(pattern=r"^[0-9]{4}\.[0-9]{1,3}$")
    as_of: IsoDate
    score: str = Points
    components: list[ComponentPoints] = Field(min_length=1, max_length=20)


class ScoreMismatch(InvalidRecord):
    code = "score_mismatch"
    title = "The score is not the ledger's own computation"


def snapshot_payload(facility: str, as_of: date, computed: Score) -> dict[str, Any]:
    """The payload a client signs for ``computed``."""
    return {
        "schema": "score/v1", "facility": facility, "formulaVersion": computed.formula_version,
        "asOf": as_of.isoformat(), "score": str(computed.score),
        "components": [{"name": c.name, "value": str(c.value)} for c in computed.components],
    }  # fmt: skip


class ScoreHandler(KindHandler):
    label: ClassVar[str] = "score"
    code: ClassVar[int] = 6
    roles: ClassVar[frozenset[Role] | None] = frozenset({Role.BRAND})

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        snapshot = parse_model(ScorePayload, payload)
        return Parsed(snapshot, subject=snapshot.facility)

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> None:
        snapshot: ScorePayload = parsed.value
        evidence = evidence_of(admission.session, snapshot.facility, admission.received_at)
        if evidence.facility != snapshot.facility:
            raise ScoreMismatch(f"{snapshot.facility} was merged: name {evidence.facility}",
                                field="payload.facility")  # fmt: skip
        if snapshot.formula_version != FORMULA_VERSION:
            raise ScoreMismatch(f"the formula is {FORMULA_VERSION}",
                                field="payload.formulaVersion")  # fmt: skip
        if snapshot.as_of != evidence.as_of:
            raise ScoreMismatch(f"scores are taken as of today, {evidence.as_of}",
                                field="payload.asOf")  # fmt: skip
        ours = snapshot_payload(snapshot.facility, evidence.as_of, score(evidence))
        theirs = parsed.value.model_dump(by_alias=True, mode="json")
        for member in ("score", "components"):
            if _exact(theirs[member]) != _exact(ours[member]):
                raise ScoreMismatch(f"the ledger computes {member} {ours[member]}",
                                    field=f"payload.{member}")  # fmt: skip


def _exact(value: Any) -> Any:
    """Points compared as numbers ("12.5" is "12.50"), names as they are."""
    if isinstance(value, str):
        return Decimal(value)
    return [(c["name"], Decimal(c["value"])) for c in value]


def history_of(session: Session, facility: str) -> list[dict[str, Any]]:
    """The facility's score snapshots, oldest first (one query)."""
    rows = session.exec(
        select(RecordRow)
        .where(RecordRow.kind == "score", RecordRow.subject == facility)
        .order_by(col(RecordRow.created), col(RecordRow.id))
    ).all()
    history = []
    for row in rows:
        envelope = json.loads(row.envelope)
        payload = envelope["payload"]
        history.append({
            "record": row.id, "as_of": payload["asOf"], "score": payload["score"],
            "formula_version": payload["formulaVersion"], "signer": envelope["signer"],
        })  # fmt: skip
    return history
