"""Tables of the facility registry and of supply links: projections of admitted records
(``facility``, ``audit``, ``supply-link``, ``supply-confirm``), public by design (companies,
never people). Created with every other table (``SQLModel.metadata``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, DateTime, Text
from sqlmodel import Field, SQLModel

__all__ = ["FacilityAliasRow", "FacilityRow", "FacilitySource", "SupplyLinkRow"]


def _utc(*, nullable: bool = True) -> Column:  # type: ignore[type-arg]
    return Column(DateTime(timezone=True), nullable=nullable)


class FacilitySource:
    """Where a facility's current fields come from (strongest last)."""

    SUPPLY_LINK = "supply-link"  # a stub: a link named it as a supplier, nothing more
    AUDIT = "audit"  # an audit's facility object
    FACILITY = "facility"  # a signed facility record of its own (brand or employer)


class FacilityRow(SQLModel, table=True):
    """One facility under our id (``fac-my-penang-pcb-03``), as last registered."""

    __tablename__ = "facilities"

    id: str = Field(primary_key=True, max_length=64)
    osh_id: str | None = Field(default=None, index=True, max_length=15)
    name: str | None = Field(default=None, max_length=200)  # None for a stub
    country: str | None = Field(default=None, index=True, max_length=2)
    address: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sector: str | None = Field(default=None, index=True, max_length=200)
    product_type: str | None = Field(default=None, max_length=200)
    processing_type: str | None = Field(default=None, max_length=200)
    worker_count: int | None = None
    parent_company: str | None = Field(default=None, max_length=200)
    source: str = Field(max_length=16)
    record_id: str = Field(max_length=66)  # the record that last set these fields
    registered_by: str | None = Field(default=None, max_length=128)  # facility records only
    updated_at: datetime = Field(sa_column=_utc(nullable=False))


class FacilityAliasRow(SQLModel, table=True):
    """An id kept after a merge: it resolves to the surviving facility."""

    __tablename__ = "facility_aliases"

    alias: str = Field(primary_key=True, max_length=64)
    facility_id: str = Field(index=True, max_length=64)
    record_id: str = Field(max_length=66)  # the facility record that merged it


class SupplyLinkRow(SQLModel, table=True):
    """Buyer buys ``product`` from supplier over a period; confirmed once the supplier
    countersigned (``confirmation_record_id``)."""

    __tablename__ = "supply_links"

    record_id: str = Field(primary_key=True, max_length=66)
    buyer: str = Field(index=True, max_length=64)
    supplier: str = Field(index=True, max_length=64)
    product: str = Field(max_length=200)
    period_from: date = Field(sa_column=Column(Date, nullable=False))
    period_to: date = Field(sa_column=Column(Date, nullable=False))
    purchase_order: str | None = Field(default=None, max_length=200)
    signer: str = Field(max_length=128)
    received_at: datetime = Field(sa_column=_utc(nullable=False))
    confirmation_record_id: str | None = Field(default=None, unique=True, max_length=66)
    confirmed_by: str | None = Field(default=None, max_length=128)
    confirmed_at: datetime | None = Field(default=None, sa_column=_utc())
