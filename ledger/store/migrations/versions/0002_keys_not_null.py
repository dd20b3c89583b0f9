"""Primary keys ``batches.id`` and ``deployments.chain_id`` NOT NULL on SQLite too.

The models declared them nullable; PostgreSQL ignores that for a primary key, SQLite does
not (only an INTEGER key is its rowid), so a NULL batch id could be stored there. No row
has one: the ledger always writes the on-chain batch id and the chain id. On SQLite the two
tables are rebuilt (batch mode); on PostgreSQL nothing changes.

Revision ID: 0002_keys_not_null
Revises: 0001_baseline
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_keys_not_null"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

_KEYS = (("batches", "id"), ("deployments", "chain_id"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # already NOT NULL: PostgreSQL's primary keys always are
    for table, column in _KEYS:
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.alter_column(column, existing_type=sa.BigInteger(), nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, column in _KEYS:
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.alter_column(column, existing_type=sa.BigInteger(), nullable=True)
