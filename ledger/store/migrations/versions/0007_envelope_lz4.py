"""PostgreSQL compresses new envelopes with LZ4 instead of pglz.

An audit envelope is ~2.8 kB, past PostgreSQL's 2 kB TOAST threshold, so every insert
compresses it. With pglz that was the largest part of a record's insert in the server: 42 us
of backend CPU per row, 30 us with LZ4 and the same size on disk (2,756 bytes a row with the
indexes, either way; uncompressed, 4,516). LZ4 also reads back faster (7.0 -> 5.7 us a row
for every envelope). Rows stored before keep their pglz values; both read the same.

A server built without LZ4 (``default_toast_compression`` does not offer it) keeps pglz;
SQLite has no such setting. ``downgrade`` restores pglz for new values.

Revision ID: 0007_envelope_lz4
Revises: 0006_query_indexes
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_envelope_lz4"
down_revision = "0006_query_indexes"
branch_labels = None
depends_on = None


def _offers_lz4() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    offered = bind.execute(
        sa.text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    ).scalar()
    return "lz4" in (offered or ())


def upgrade() -> None:
    if _offers_lz4():
        op.execute("ALTER TABLE records ALTER COLUMN envelope SET COMPRESSION lz4")


def downgrade() -> None:
    if _offers_lz4():
        op.execute("ALTER TABLE records ALTER COLUMN envelope SET COMPRESSION pglz")
