"""The block hash an anchor (``batches``) or a relayed chain write (``outbox``) was mined in.

The reorg watch (``ledger.reorgs``) compares it with the chain's block at the same height:
a different hash means the block was replaced and the receipt must be withdrawn. Rows
anchored before this revision have none and are not watched (nullable, no backfill).

Revision ID: 0003_block_hashes
Revises: 0002_keys_not_null
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_block_hashes"
down_revision = "0002_keys_not_null"
branch_labels = None
depends_on = None

_TABLES = ("batches", "outbox")


def upgrade() -> None:
    # SQLite rebuilds the table so the column sits where the model declares it (after
    # block_number) and the schema is the one create_all builds; PostgreSQL just adds it.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in _TABLES:
        column = sa.Column("block_hash", sa.String(length=66), nullable=True)
        if not sqlite:
            op.add_column(table, column)
            continue
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.add_column(column, insert_after="block_number")


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("block_hash")
