"""Tables. A record's anchoring state is derived from its batch, never stored twice:
``batch_id IS NULL`` means pending; otherwise the batch's state (batched, submitted,
anchored) is the record's. A record therefore cannot be both pending and anchored."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

__all__ = [
    "BatchRow",
    "BatchState",
    "DeploymentRow",
    "LeaseRow",
    "LedgerMetaRow",
    "OutboxRow",
    "OutboxState",
    "RecordProofRow",
    "RecordRow",
    "ScopeLabelRow",
    "SignerRow",
    "SignerScopeRow",
    "SyncCursorRow",
    "UsedNonceRow",
]


def _big(*, nullable: bool = True, primary_key: bool = False, index: bool = False) -> Column:  # type: ignore[type-arg]
    # Chain ids, block numbers and batch ids (uint64 on chain) outgrow PostgreSQL's integer.
    # A key is never NULL: PostgreSQL makes it NOT NULL anyway, SQLite only when told (a
    # BIGINT key is not its rowid). Revision 0002 told it.
    return Column(
        BigInteger, nullable=nullable and not primary_key, primary_key=primary_key, index=index
    )


def _utc_column(*, nullable: bool = True, index: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class BatchState(StrEnum):
    BATCHED = "batched"  # root and membership persisted, nothing sent
    SUBMITTED = "submitted"  # signed transaction (and its hash) persisted, maybe broadcast
    ANCHORED = "anchored"  # mined with enough confirmations


class RecordRow(SQLModel, table=True):
    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("signer", "nonce", name="uq_records_signer_nonce"),
        # A kind's records about one subject (a facility's audits: is_known, audited_facility,
        # facility_auditors, audits_of). Neither single-column index serves both terms: kind
        # alone reads every audit, subject alone every wage line of the facility.
        Index("ix_records_kind_subject", "kind", "subject"),
    )

    id: str = Field(primary_key=True, max_length=66)  # 0x + hex leaf
    kind: str = Field(index=True, max_length=32)
    # Alone, signer is served by the unique (signer, nonce) index; admission looks nonces up
    # alone (store.ingest.taken), which only an index led by nonce answers.
    signer: str = Field(max_length=128)
    nonce: str = Field(index=True, max_length=128)
    created: datetime = Field(sa_column=_utc_column(nullable=False))
    received_at: datetime = Field(sa_column=_utc_column(nullable=False, index=True))
    subject: str | None = Field(default=None, index=True, max_length=256)
    envelope: str = Field(sa_column=Column(Text, nullable=False))  # canonical JCS text
    batch_id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger, ForeignKey("batches.id"), nullable=True, index=True),
    )


_UNANCHORED = text(f"state != '{BatchState.ANCHORED}'")  # ix_batches_unanchored's rows


class BatchRow(SQLModel, table=True):
    __tablename__ = "batches"
    __table_args__ = (
        # The few batches not anchored yet, which the worker, /health and /metrics look for
        # (``state != 'anchored'``): a B-tree cannot serve ``!=``, and nearly every row is
        # anchored, so without it each pass reads every batch ever cut.
        Index(
            "ix_batches_unanchored",
            "id",
            postgresql_where=_UNANCHORED,
            sqlite_where=_UNANCHORED,
        ),
    )

    id: int = Field(sa_column=_big(primary_key=True))  # the on-chain batchId (strictly increasing)
    kind: int = Field(index=True)
    root: str = Field(unique=True, max_length=66)
    count: int
    state: str = Field(index=True, max_length=16)
    created_at: datetime = Field(sa_column=_utc_column(nullable=False))
    tx_hash: str | None = Field(default=None, index=True, max_length=66)
    raw_tx: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    tx_nonce: int | None = Field(default=None, sa_column=_big())
    submitted_at: datetime | None = Field(default=None, sa_column=_utc_column())
    # Indexed for the reorg watch (anchored within the last blocks): ``state`` cannot narrow it.
    block_number: int | None = Field(default=None, sa_column=_big(index=True))
    # The hash of that block: if the chain later has another block at that number, a reorg
    # took the anchor away (or moved it) and the batch must be confirmed again.
    block_hash: str | None = Field(default=None, max_length=66)
    anchored_at: datetime | None = Field(default=None, sa_column=_utc_column())  # block time
    confirmed_at: datetime | None = Field(default=None, sa_column=_utc_column())
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    next_attempt_at: datetime | None = Field(default=None, sa_column=_utc_column())


class RecordProofRow(SQLModel, table=True):
    __tablename__ = "record_proofs"

    record_id: str = Field(primary_key=True, foreign_key="records.id", max_length=66)
    batch_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("batches.id"), nullable=False, index=True)
    )
    proof: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of 0x hashes


class SignerRow(SQLModel, table=True):
    """Accreditations mirrored from AttesterRegistry events."""

    __tablename__ = "signers"

    key: str = Field(primary_key=True, max_length=66)  # 0x + 32-byte Ed25519 key
    role: int = Field(primary_key=True)
    did: str = Field(index=True, max_length=128)
    valid_from: datetime = Field(sa_column=_utc_column(nullable=False))
    valid_until: datetime | None = Field(default=None, sa_column=_utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=_utc_column())
    suspended: bool = False
    updated_block: int = Field(default=0, sa_column=_big(nullable=False))


class SignerScopeRow(SQLModel, table=True):
    """The latest window of each scope a key holds in a role, mirrored from AttesterRegistry's
    ``ScopeGranted`` / ``ScopeRevoked`` events (earlier windows stay on chain: ``scopeAt``)."""

    __tablename__ = "signer_scopes"

    key: str = Field(primary_key=True, max_length=66)  # 0x + 32-byte Ed25519 key
    role: int = Field(primary_key=True)
    scope: str = Field(primary_key=True, max_length=66)  # 0x + 32-byte scope
    granted_at: datetime = Field(sa_column=_utc_column(nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=_utc_column())
    updated_block: int = Field(default=0, sa_column=_big(nullable=False))


class ScopeLabelRow(SQLModel, table=True):
    """What a scope hash stands for, for display only: the facility id whose
    ``facility_scope`` it is, stored when a grant came through this ledger (checked to hash
    to the scope). Admission and verifiers never read it."""

    __tablename__ = "scope_labels"

    scope: str = Field(primary_key=True, max_length=66)
    facility: str = Field(max_length=256)


class SyncCursorRow(SQLModel, table=True):
    """Last chain block whose events a mirror has applied."""

    __tablename__ = "sync_cursors"

    name: str = Field(primary_key=True, max_length=64)
    block: int = Field(sa_column=_big(nullable=False))


class DeploymentRow(SQLModel, table=True):
    __tablename__ = "deployments"

    chain_id: int = Field(sa_column=_big(primary_key=True))
    name: str = Field(primary_key=True, max_length=64)
    address: str = Field(max_length=42)
    block_number: int = Field(sa_column=_big(nullable=False))
    genesis_hash: str = Field(max_length=66)


class LedgerMetaRow(SQLModel, table=True):
    """Facts about this ledger instance (its instance id), written once."""

    __tablename__ = "ledger_meta"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=256)


class UsedNonceRow(SQLModel, table=True):
    """Nonces of signed requests that are not records (admin envelopes, presentations)."""

    __tablename__ = "used_nonces"

    signer: str = Field(primary_key=True, max_length=128)
    nonce: str = Field(primary_key=True, max_length=128)
    used_at: datetime = Field(sa_column=_utc_column(nullable=False))


class LeaseRow(SQLModel, table=True):
    """Single-writer lease (the anchoring worker) shared by every process on the database."""

    __tablename__ = "leases"

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)
    expires_at: datetime = Field(sa_column=_utc_column(nullable=False))


class OutboxState(StrEnum):
    PENDING = "pending"  # written with its record, nothing sent
    SUBMITTED = "submitted"  # signed transaction (and its hash) persisted, maybe broadcast
    DONE = "done"  # the chain reflects it, with enough confirmations
    FAILED = "failed"  # the chain refused it for good (see last_error)


class OutboxRow(SQLModel, table=True):
    """A chain write that follows an admitted record (a credential's registration or status
    change), written in the record's transaction and relayed by the anchoring worker."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    record_id: str = Field(index=True, max_length=66)  # the record whose admission wrote it
    action: str = Field(max_length=64)
    args: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    state: str = Field(index=True, max_length=16)
    created_at: datetime = Field(sa_column=_utc_column(nullable=False))
    tx_hash: str | None = Field(default=None, max_length=66)
    raw_tx: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    tx_nonce: int | None = Field(default=None, sa_column=_big())
    submitted_at: datetime | None = Field(default=None, sa_column=_utc_column())
    # Indexed as on batches, for the reorg watch (done within the last blocks).
    block_number: int | None = Field(default=None, sa_column=_big(index=True))
    block_hash: str | None = Field(default=None, max_length=66)  # as on batches: reorg check
    done_at: datetime | None = Field(default=None, sa_column=_utc_column())
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    next_attempt_at: datetime | None = Field(default=None, sa_column=_utc_column())
