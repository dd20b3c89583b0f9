"""Public views of the registry and of supply links (typed objects; routes make JSON)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from ledger.store.db import in_chunks

from .errors import FacilityUnknown, SupplyLinkUnknown
from .models import FacilityRow, FacilitySource, SupplyLinkRow
from .registry import aliases_of, audited_facility, audited_facility_ids, resolve_facility
from .schema import BRAND_SECTORS

__all__ = [
    "BrandView",
    "FacilityView",
    "LinkView",
    "Profile",
    "brands",
    "buyers_of",
    "facilities",
    "facility",
    "profiles_of",
    "suppliers_of",
    "supply_link",
]


@dataclass(frozen=True)
class FacilityView:
    id: str
    osh_id: str | None
    name: str | None
    country: str | None
    address: str | None
    sector: str | None
    product_type: str | None
    processing_type: str | None
    worker_count: int | None
    parent_company: str | None
    aliases: list[str]
    source: str  # facility (its own record), audit, or supply-link (a stub)
    record_id: str


@dataclass(frozen=True)
class LinkView:
    id: str
    buyer: str
    supplier: str
    product: str
    period: dict[str, date]  # {"from", "to"}, as the link's payload
    purchase_order: str | None
    confirmed: bool
    confirmation_id: str | None


@dataclass(frozen=True)
class BrandView:
    id: str
    name: str | None


def facility(session: Session, facility_id: str) -> FacilityView:
    """A facility by its id or by an id merged into it: its own record's fields, else its
    latest audit's, else a stub's.

    Raises:
        FacilityUnknown: none of these.
    """
    found = resolve_facility(session, facility_id)
    view = _view(session, found, session.get(FacilityRow, found))
    if view is None:
        raise FacilityUnknown(f"no facility {facility_id}", what="facility", key=facility_id,
                              facility=facility_id)  # fmt: skip
    return view


def facilities(session: Session, country: str | None = None) -> list[FacilityView]:
    """Every facility: registered ones and those only audits name (merged ids left out)."""
    rows = {row.id: row for row in session.exec(select(FacilityRow)).all()}
    ids = set(rows) | {
        i for i in audited_facility_ids(session) if resolve_facility(session, i) == i
    }
    views = [_view(session, i, rows.get(i)) for i in sorted(ids)]
    return [v for v in views if v is not None and (country is None or v.country == country)]


@dataclass(frozen=True)
class Profile:
    """What a facility is called and where it is, for lists of many facilities."""

    name: str | None
    country: str | None
    sector: str | None  # a self-registered facility's only: audits do not name one


def profiles_of(
    session: Session, ids: Sequence[str], audits: Mapping[str, Sequence[Mapping[str, Any]]]
) -> dict[str, Profile]:
    """Each facility's profile as :func:`facility` chooses its fields (its own record, else
    its latest audit, else a stub's) in one query per chunk of ids; ``audits`` as
    :func:`domain.audits.views.audits_of` gives them (newest first). Unknown ids are left
    out."""
    table = FacilityRow.__table__  # type: ignore[attr-defined]
    columns = (table.c.id, table.c.source, table.c.name, table.c.country, table.c.sector)
    rows: dict[str, tuple[str, Profile]] = {}
    for chunk in in_chunks(list(ids)):
        query = core_select(*columns).where(table.c.id.in_(chunk))
        rows.update((i, (source, Profile(*p))) for i, source, *p in session.execute(query))
    found: dict[str, Profile] = {}
    for facility in ids:
        source, profile = rows.get(facility, (None, None))
        if profile is not None and source == FacilitySource.FACILITY:
            found[facility] = profile
        elif audits.get(facility):
            named = audits[facility][0]["facility"]
            found[facility] = Profile(named.get("name"), named.get("country"), None)
        elif profile is not None:
            found[facility] = profile
    return found


def brands(session: Session) -> list[BrandView]:
    """Brands are facility records whose sector is ``brand`` or ``retail``."""
    rows = session.exec(
        select(FacilityRow)
        .where(col(FacilityRow.sector).in_(sorted(BRAND_SECTORS)))
        .order_by(col(FacilityRow.id))
    ).all()
    return [BrandView(row.id, row.name) for row in rows]


def suppliers_of(session: Session, facility_id: str) -> list[LinkView]:
    """Direct links where the facility buys, confirmed or not."""
    found = facility(session, facility_id).id
    return _links(session, SupplyLinkRow.buyer == found)


def buyers_of(session: Session, facility_id: str) -> list[LinkView]:
    """Direct links where the facility supplies, confirmed or not."""
    found = facility(session, facility_id).id
    return _links(session, SupplyLinkRow.supplier == found)


def supply_link(session: Session, record_id: str) -> LinkView:
    row = session.get(SupplyLinkRow, record_id)
    if row is None:
        raise SupplyLinkUnknown(f"no supply link {record_id}", what="supply link",
                                key=record_id, link=record_id)  # fmt: skip
    return _link(row)


def _links(session: Session, where: object) -> list[LinkView]:
    rows = session.exec(
        select(SupplyLinkRow)
        .where(where)  # type: ignore[arg-type]
        .order_by(col(SupplyLinkRow.period_from), col(SupplyLinkRow.record_id))
    ).all()
    return [_link(row) for row in rows]


def _link(row: SupplyLinkRow) -> LinkView:
    return LinkView(
        id=row.record_id, buyer=row.buyer, supplier=row.supplier, product=row.product,
        period={"from": row.period_from, "to": row.period_to},
        purchase_order=row.purchase_order,
        confirmed=row.confirmation_record_id is not None,
        confirmation_id=row.confirmation_record_id,
    )  # fmt: skip


def _view(session: Session, facility_id: str, row: FacilityRow | None) -> FacilityView | None:
    """The strongest source's fields: the facility's own record, its latest audit, a stub."""
    audited = None if row is not None and row.source == FacilitySource.FACILITY else (
        audited_facility(session, facility_id)
    )  # fmt: skip
    if audited is not None:
        fields, record_id = audited
        return FacilityView(
            id=facility_id, osh_id=fields.get("oshId"), name=fields.get("name"),
            country=fields.get("country"), address=None, sector=None, product_type=None,
            processing_type=None, worker_count=None, parent_company=None,
            aliases=aliases_of(session, facility_id), source=FacilitySource.AUDIT,
            record_id=record_id,
        )  # fmt: skip
    if row is None:
        return None
    osh_id = row.osh_id
    if osh_id is None and row.source == FacilitySource.FACILITY:
        # A self-registered facility without one shows the Open Supply Hub id its audit names.
        found = audited_facility(session, facility_id)
        osh_id = found[0].get("oshId") if found is not None else None
    return FacilityView(
        id=row.id, osh_id=osh_id, name=row.name, country=row.country, address=row.address,
        sector=row.sector, product_type=row.product_type, processing_type=row.processing_type,
        worker_count=row.worker_count, parent_company=row.parent_company,
        aliases=aliases_of(session, row.id), source=row.source, record_id=row.record_id,
    )  # fmt: skip
