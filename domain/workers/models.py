"""Tables for worker credentials, presentation challenges, check-ins and coercion flags.

Projections of admitted records (the records themselves, and what is anchored, stay in
``records``), written in the same savepoint as the record. Nothing here holds a document
number, a salt or a nationality: dids are pseudonymous keys, places are coarse, devices
are hashes salted with a per-deployment secret. Coercion flags are never anchored and are
read by accredited investigators only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = [
    "CheckinRow",
    "CoercionFlagRow",
    "PresentationChallengeRow",
    "StatusListEntryRow",
    "StatusListRow",
    "WorkerCredentialRow",
]


def _utc(*, nullable: bool = True, index: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class WorkerCredentialRow(SQLModel, table=True):
    """A registered worker credential (from its ``credential`` record)."""

    __tablename__ = "worker_credentials"

    status_id: str = Field(primary_key=True, max_length=66)  # 0x + keccak256(credential id)
    credential_id: str = Field(unique=True, max_length=64)
    credential_hash: str = Field(max_length=71)  # sha256:<hex> of the signed credential
    record_id: str = Field(index=True, max_length=66)
    issuer: str = Field(index=True, max_length=128)
    holder: str = Field(index=True, max_length=128)
    facility: str | None = Field(default=None, index=True, max_length=64)
    commitment: str = Field(max_length=64)
    issued_at: datetime = Field(sa_column=_utc(nullable=False))
    registered_at: datetime = Field(sa_column=_utc(nullable=False))
    valid_from: datetime = Field(sa_column=_utc(nullable=False))
    valid_until: datetime = Field(sa_column=_utc(nullable=False))
    # active|suspended|revoked as the issuer's latest admitted status record says (the chain
    # follows through the outbox; an admin's revocation of the issuer key shows on chain).
    status: str = Field(default="active", max_length=16)
    status_record_id: str | None = Field(default=None, max_length=66)


class PresentationChallengeRow(SQLModel, table=True):
    """A single-use challenge handed to a verifier (``GET /v1/presentations/challenge``)."""

    __tablename__ = "presentation_challenges"

    challenge: str = Field(primary_key=True, max_length=64)
    issued_at: datetime = Field(sa_column=_utc(nullable=False))
    expires_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    used_at: datetime | None = Field(default=None, sa_column=_utc())
    used_by: str | None = Field(default=None, max_length=66)  # the check-in record id


class CheckinRow(SQLModel, table=True):
    """An accepted possession check-in (from its ``checkin`` record)."""

    __tablename__ = "checkins"

    record_id: str = Field(primary_key=True, max_length=66)
    presentation_hash: str = Field(index=True, max_length=71)  # sha256 of its JSON (JCS)
    # sha256 of what the holder's signature covers: the same signed presentation however its
    # JSON is dressed (a no-op @context entry) has the same key, and is used once.
    replay_key: str = Field(unique=True, max_length=71)
    status_id: str = Field(index=True, max_length=66)
    holder: str = Field(index=True, max_length=128)
    verifier: str = Field(index=True, max_length=128)
    facility: str | None = Field(default=None, index=True, max_length=64)
    document_matches: bool
    on_site: bool
    location: str = Field(max_length=64)
    verifier_device: str = Field(index=True, max_length=71)
    presenting_device: str | None = Field(default=None, index=True, max_length=71)
    challenge: str | None = Field(default=None, max_length=64)
    presented_at: str = Field(max_length=40)  # the presentation proof's created (signal binding)
    holder_signal: str = Field(max_length=200)  # sealed to investigators; opaque here
    checked_at: datetime = Field(sa_column=_utc(nullable=False))  # the verifier's `created`
    received_at: datetime = Field(sa_column=_utc(nullable=False, index=True))  # server time


class CoercionFlagRow(SQLModel, table=True):
    """A pattern that may mean coercion, raised on ingestion (never anchored, never public)."""

    __tablename__ = "coercion_flags"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True, max_length=32)
    # The check-in it was raised on; for a refused attempt, the refused envelope's id.
    record_id: str | None = Field(default=None, index=True, max_length=66)
    # One flag per refused attempt however often the same signed envelope is resent.
    dedupe_key: str | None = Field(default=None, unique=True, max_length=100)
    status_id: str | None = Field(default=None, index=True, max_length=66)
    holder: str | None = Field(default=None, max_length=128)
    detail: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    raised_at: datetime = Field(sa_column=_utc(nullable=False, index=True))


class StatusListEntryRow(SQLModel, table=True):
    """A registered credential's place in its issuer's Bitstring Status List (from its
    ``credential`` record): one index per credential, never two credentials on one bit."""

    __tablename__ = "status_list_entries"
    __table_args__ = (
        UniqueConstraint("issuer", "purpose", "list_index", name="uq_status_list_entries_bit"),
    )

    status_id: str = Field(primary_key=True, max_length=66)  # the worker credential's
    issuer: str = Field(index=True, max_length=128)
    purpose: str = Field(max_length=16)  # revocation
    list_index: int


class StatusListRow(SQLModel, table=True):
    """An issuer's latest accepted status list credential (from its ``status_list`` record;
    the earlier ones stay in ``records``), served at its URL."""

    __tablename__ = "status_lists"

    issuer: str = Field(primary_key=True, max_length=128)
    purpose: str = Field(primary_key=True, max_length=16)
    record_id: str = Field(max_length=66)
    valid_from: datetime = Field(sa_column=_utc(nullable=False))
    received_at: datetime = Field(sa_column=_utc(nullable=False))
    credential: str = Field(sa_column=Column(Text, nullable=False))  # the signed list, JSON
