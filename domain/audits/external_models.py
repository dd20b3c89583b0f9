"""The table of external evidence: one row per admitted ``external_conformity`` record, a
projection of it (the record itself holds the credential). Public by design: a conformity
credential about a facility names a company, never a person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Text
from sqlmodel import Field, SQLModel

__all__ = ["ExternalEvidenceRow"]


class ExternalEvidenceRow(SQLModel, table=True):
    """An external credential accepted as evidence about a facility.

    ``digest`` is the credential proof's signed digest (``sha256:`` + hex of the bytes its
    signature covers): the same signed statement is on file once, however it is serialised.
    ``summary`` is what the views show, worked out at admission
    (:func:`domain.audits.external_views.summary_of`): JSON text.
    """

    __tablename__ = "external_evidence"

    record_id: str = Field(primary_key=True, max_length=66)
    facility_id: str = Field(index=True, max_length=64)
    digest: str = Field(unique=True, max_length=71)
    issuer: str = Field(index=True, max_length=128)
    submitted_by: str = Field(max_length=128)
    received_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    summary: str = Field(sa_column=Column(Text, nullable=False))
