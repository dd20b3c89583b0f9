"""Tables for payroll runs, wage lines and workers' acknowledgements.

Projections of admitted records (the lines themselves, figures included, stay in the
``records`` envelope): what the views aggregate and the rules look up. No name, no document
number: a worker is their did:key or a salted commitment. A line's figures are read through
its record by its parties only; these rows hold only what aggregates need.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = ["WageAckRow", "WageLineRow", "WageRunRow"]


def _utc(*, nullable: bool = True, index: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class WageRunRow(SQLModel, table=True):
    """A payroll run (all its lines were admitted together)."""

    __tablename__ = "wage_runs"

    run_id: str = Field(primary_key=True, max_length=45)  # urn:uuid:...
    facility: str = Field(index=True, max_length=64)
    country: str = Field(max_length=2)
    period_start: date = Field(sa_column=Column(Date, nullable=False, index=True))
    period_end: date = Field(sa_column=Column(Date, nullable=False))
    currency: str = Field(max_length=3)
    lines: int
    employer: str = Field(index=True, max_length=128)
    corrects: str | None = Field(default=None, index=True, max_length=45)
    corrected_by: str | None = Field(default=None, max_length=45)
    rules_version: str = Field(max_length=32)
    received_at: datetime = Field(sa_column=_utc(nullable=False))


class WageLineRow(SQLModel, table=True):
    """One worker's line of a run; ``violations`` is the engine's verdict (JSON)."""

    __tablename__ = "wage_lines"
    __table_args__ = (
        UniqueConstraint("run_id", "line", name="uq_wage_lines_run_line"),
        UniqueConstraint("run_id", "worker", name="uq_wage_lines_run_worker"),
    )

    record_id: str = Field(primary_key=True, max_length=66)
    run_id: str = Field(index=True, max_length=45)
    line: int
    facility: str = Field(index=True, max_length=64)
    period_start: date = Field(sa_column=Column(Date, nullable=False, index=True))
    worker: str = Field(index=True, max_length=140)  # did:key, or commitment:<hex>
    employer: str = Field(max_length=128)
    # Amounts as decimal strings: exact on every database (SQLite has no decimal type);
    # views add them up as Decimal.
    gross: str = Field(max_length=24)
    net: str = Field(max_length=24)
    recruitment_fee: str = Field(default="0", max_length=24)
    fees_found: str | None = Field(default=None, max_length=24)
    fees_repaid: str | None = Field(default=None, max_length=24)
    compliant: bool
    violations: str = Field(sa_column=Column(Text, nullable=False))  # JSON list


class WageAckRow(SQLModel, table=True):
    """A worker's acknowledgement of their line (the latest one counts)."""

    __tablename__ = "wage_acks"

    record_id: str = Field(primary_key=True, max_length=66)
    line_record_id: str = Field(index=True, max_length=66)
    facility: str = Field(index=True, max_length=64)
    period_start: date = Field(sa_column=Column(Date, nullable=False))
    status: str = Field(max_length=16)  # received | disputed
    reasons: str = Field(sa_column=Column(Text, nullable=False))  # JSON list
    device: str | None = Field(default=None, index=True, max_length=71)
    signed_at: datetime = Field(sa_column=_utc(nullable=False))
    received_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
