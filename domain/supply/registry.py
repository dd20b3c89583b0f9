"""The facility registry's writes and lookups, shared by the kinds that name facilities.

Who sets a facility's fields, strongest first: its own signed ``facility`` record (a
brand or an employer scoped to it), its latest audit (read from the audit at query time),
a supply link naming it as a supplier (a stub: the id alone). A weaker source never hides
a stronger one; an audit only fills in a missing Open Supply Hub id of a self-registered
facility.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ledger.store.models import RecordRow

from ..audits.handler import AuditHandler
from .models import FacilityAliasRow, FacilityRow, FacilitySource, SupplyLinkRow
from .schema import FacilityProfile

AUDIT_KIND = AuditHandler.label

__all__ = [
    "aliases_of",
    "audited_facility",
    "audited_facility_ids",
    "is_known",
    "merge_into",
    "record_facility",
    "record_stub",
    "resolve_facility",
]


def resolve_facility(session: Session, facility_id: str) -> str:
    """The id ``facility_id`` stands for now: the surviving facility of a merged id, else
    itself (registered or not)."""
    alias = session.get(FacilityAliasRow, facility_id)
    return alias.facility_id if alias is not None else facility_id


def audited_facility(session: Session, facility_id: str) -> tuple[dict[str, Any], str] | None:
    """The ``facility`` object of the latest audit filed under ``facility_id``, and that
    audit's record id; None when no audit names it. Read at query time, not written at
    admission: audits then stay in the bulk insert (a write per audit cost 7x ingest)."""
    row = session.exec(
        select(RecordRow)
        .where(RecordRow.kind == AUDIT_KIND, RecordRow.subject == facility_id)
        .order_by(col(RecordRow.received_at).desc(), col(RecordRow.id).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    facility: dict[str, Any] = json.loads(row.envelope)["payload"]["facility"]
    return facility, row.id


def audited_facility_ids(session: Session) -> list[str]:
    """Every facility id an audit is filed under."""
    query = select(RecordRow.subject).where(RecordRow.kind == AUDIT_KIND).distinct()
    return sorted(s for s in session.exec(query).all() if s is not None)


def is_known(session: Session, facility_id: str) -> bool:
    """Registered (by its own record or as a stub), or named by an audit."""
    if session.get(FacilityRow, facility_id) is not None:
        return True
    query = select(RecordRow.id).where(
        RecordRow.kind == AUDIT_KIND, RecordRow.subject == facility_id
    )
    return session.exec(query.limit(1)).first() is not None


def record_stub(session: Session, facility_id: str, *, record_id: str, at: datetime) -> None:
    """A facility a supply link names that nothing registered yet: the id alone."""
    _insert_if_absent(session, FacilityRow(id=facility_id, source=FacilitySource.SUPPLY_LINK,
                                           record_id=record_id, updated_at=at))  # fmt: skip


def _insert_if_absent(session: Session, row: FacilityRow) -> None:
    """Insert ``row`` unless its facility exists, also when another admission inserts it
    concurrently: an audit or a link is never refused because its facility was registered
    a moment earlier elsewhere (its own savepoint takes the unique violation)."""
    if session.get(FacilityRow, row.id) is not None:
        return
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        pass  # inserted concurrently (the savepoint's rollback dropped our row): it exists


def record_facility(
    session: Session, profile: FacilityProfile, *, signer: str, record_id: str, at: datetime
) -> None:
    """A facility's own signed profile replaces its fields; its aliases are merged in."""
    row = session.get(FacilityRow, profile.id) or FacilityRow(
        id=profile.id, source=FacilitySource.FACILITY, record_id=record_id, updated_at=at
    )
    row.osh_id, row.name, row.country, row.address = (
        profile.osh_id, profile.name, profile.country, profile.address,
    )  # fmt: skip
    row.sector, row.product_type, row.processing_type = (
        profile.sector, profile.product_type, profile.processing_type,
    )  # fmt: skip
    row.worker_count, row.parent_company = profile.worker_count, profile.parent_company
    row.source, row.record_id, row.registered_by, row.updated_at = (
        FacilitySource.FACILITY, record_id, signer, at,
    )  # fmt: skip
    session.add(row)
    for alias in profile.aliases:
        merge_into(session, alias, profile.id, record_id=record_id)


def merge_into(session: Session, alias: str, facility_id: str, *, record_id: str) -> None:
    """``alias`` resolves to ``facility_id`` from now on: its row goes, the ids merged into
    it and the links naming it follow (the rule checked it may be merged)."""
    if session.get(FacilityAliasRow, alias) is not None:
        return  # merged into this facility already
    merged = session.get(FacilityRow, alias)
    if merged is not None:
        session.delete(merged)
    session.exec(
        update(FacilityAliasRow)
        .where(col(FacilityAliasRow.facility_id) == alias)
        .values(facility_id=facility_id)
    )
    for column in (SupplyLinkRow.buyer, SupplyLinkRow.supplier):
        session.exec(
            update(SupplyLinkRow).where(col(column) == alias).values({column: facility_id})
        )
    session.add(FacilityAliasRow(alias=alias, facility_id=facility_id, record_id=record_id))


def aliases_of(session: Session, facility_id: str) -> list[str]:
    return sorted(
        session.exec(
            select(FacilityAliasRow.alias).where(FacilityAliasRow.facility_id == facility_id)
        ).all()
    )
