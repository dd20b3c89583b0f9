"""W3C Bitstring Status Lists: each credential's place in its issuer's revocation list, and
each issuer's latest accepted list (the ``status_list`` kind, code 12).

New tables only; credentials registered before this revision have no entry (they carry
the on-chain status alone).

Revision ID: 0004_status_lists
Revises: 0003_block_hashes
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_status_lists"
down_revision = "0003_block_hashes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_list_entries",
        sa.Column("status_id", sa.String(length=66), nullable=False),
        sa.Column("issuer", sa.String(length=128), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("list_index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("status_id"),
        sa.UniqueConstraint("issuer", "purpose", "list_index", name="uq_status_list_entries_bit"),
    )
    op.create_index(
        op.f("ix_status_list_entries_issuer"), "status_list_entries", ["issuer"], unique=False
    )
    op.create_table(
        "status_lists",
        sa.Column("issuer", sa.String(length=128), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=66), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credential", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("issuer", "purpose"),
    )


def downgrade() -> None:
    op.drop_table("status_lists")
    op.drop_index(op.f("ix_status_list_entries_issuer"), table_name="status_list_entries")
    op.drop_table("status_list_entries")
