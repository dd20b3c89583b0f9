"""External evidence: UNTP Digital Conformity Credentials from other systems accepted about
a facility (``external_conformity`` records, kind 13; ``domain.audits.external_models``).

One row per admitted record; ``digest`` (the credential proof's signed digest) is unique,
so one signed credential is on file once.

Revision ID: 0005_external_evidence
Revises: 0004_status_lists
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_external_evidence"
down_revision = "0004_status_lists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_evidence",
        sa.Column("record_id", sa.String(length=66), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=71), nullable=False),
        sa.Column("issuer", sa.String(length=128), nullable=False),
        sa.Column("submitted_by", sa.String(length=128), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("record_id"),
        sa.UniqueConstraint("digest"),
    )
    op.create_index(
        op.f("ix_external_evidence_facility_id"), "external_evidence", ["facility_id"],
        unique=False,
    )  # fmt: skip
    op.create_index(
        op.f("ix_external_evidence_issuer"), "external_evidence", ["issuer"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_external_evidence_issuer"), table_name="external_evidence")
    op.drop_index(op.f("ix_external_evidence_facility_id"), table_name="external_evidence")
    op.drop_table("external_evidence")
