"""Typology snapshots: a ``typology`` record (code 11) that fixes the due-diligence typology
a bank cites, signed and anchored like a score snapshot.

As for scores (:mod:`domain.scores.snapshot`): the operator authors nothing, so the party
that wants the export kept signs it, with a brand-role key until the registry has a lender
role; the signer cannot make figures up, because admission recomputes the typology for the
same period bounds as of the server's day and refuses the record (``typology_mismatch``)
unless the payload holds exactly that computation. The payload is the whole export, so its
receipt alone proves what was published: counts of findings and company names, never a
person.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import Field
from sqlmodel import Session, col, select

from ledger.envelope import Envelope
from ledger.errors import InvalidRecord
from ledger.kinds import Admission, KindHandler, Parsed
from ledger.roles import Role
from ledger.store.models import RecordRow

from ..schema import IsoDate, StrictModel, parse_model
from .typology import typology, typology_json

__all__ = ["TypologyHandler", "TypologyMismatch", "typology_history", "typology_payload"]

MAX_ROWS = 5000


class TypologyPayload(StrictModel):
    schema_id: Literal["typology/v1"] = Field(alias="schema")
    as_of: IsoDate
    period_from: IsoDate | None
    period_to: IsoDate | None
    rows: list[dict[str, Any]] = Field(max_length=MAX_ROWS)
    open_zero_tolerance: list[dict[str, Any]] = Field(max_length=MAX_ROWS)


class TypologyMismatch(InvalidRecord):
    code = "typology_mismatch"
    title = "The typology is not the ledger's own computation"


def typology_payload(as_of: str, export: Mapping[str, Any]) -> dict[str, Any]:
    """The payload a client signs for the typology ``export`` it read on ``as_of``."""
    return {"schema": "typology/v1", "asOf": as_of, **export}


class TypologyHandler(KindHandler):
    label: ClassVar[str] = "typology"
    code: ClassVar[int] = 11
    roles: ClassVar[frozenset[Role] | None] = frozenset({Role.BRAND})

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        return Parsed(parse_model(TypologyPayload, payload), subject=None)

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> None:
        snapshot: TypologyPayload = parsed.value
        today = admission.received_at.date()
        if snapshot.as_of != today:
            raise TypologyMismatch(f"typologies are taken as of today, {today}",
                                   field="payload.asOf")  # fmt: skip
        if (snapshot.period_from and snapshot.period_to
                and snapshot.period_to < snapshot.period_from):  # fmt: skip
            raise TypologyMismatch("periodTo is before periodFrom", field="payload.periodTo")
        ours = typology_json(
            typology(admission.session, since=snapshot.period_from, until=snapshot.period_to)
        )
        for member in ("rows", "openZeroTolerance"):
            if envelope.payload.get(member) != ours[member]:
                raise TypologyMismatch(
                    f"the ledger counts other {member}: read GET /v1/due-diligence/typology "
                    "again and sign what it gives", field=f"payload.{member}",
                )  # fmt: skip


def typology_history(session: Session) -> list[dict[str, Any]]:
    """Every typology snapshot, newest first (one query)."""
    rows = session.exec(
        select(RecordRow)
        .where(RecordRow.kind == "typology")
        .order_by(col(RecordRow.created).desc(), col(RecordRow.id))
    ).all()
    found = []
    for row in rows:
        envelope = json.loads(row.envelope)
        payload = envelope["payload"]
        found.append({
            "record": row.id, "asOf": payload["asOf"], "periodFrom": payload["periodFrom"],
            "periodTo": payload["periodTo"], "signer": envelope["signer"],
            "rows": len(payload["rows"]),
        })  # fmt: skip
    return found
