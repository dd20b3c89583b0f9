"""Indexes for queries that read every row of a table growing with the records.

- ``ix_batches_unanchored``: the batches not anchored yet (``state != 'anchored'``), which
  the anchoring worker looks for on every pass and ``/health`` and ``/metrics`` count. A
  B-tree cannot serve ``!=`` and nearly every batch is anchored, so this one is partial:
  it holds the few in flight, not the many done.
- ``ix_batches_block_number``, ``ix_outbox_block_number``: the reorg watch reads the rows
  anchored (or relayed) within the last blocks; ``state`` cannot narrow that, nearly every
  row being anchored (done).
- ``ix_records_kind_subject``: a kind's records about one subject (a facility's audits:
  ``domain.supply.registry.is_known`` and ``audited_facility``, ``facility_auditors``,
  ``audits_of``). Alone, ``kind`` reads every audit and ``subject`` every wage line of
  the facility.
- ``ix_records_nonce`` replaces ``ix_records_signer``: admission looks up nonces alone,
  which the unique (signer, nonce) index cannot serve, while that index already serves
  ``signer`` alone (and PostgreSQL, misled by a fresh table's statistics, walked every record
  of a signer through ``ix_records_signer`` to find a few nonces).

Indexes only: no data changes; ``downgrade`` drops the new ones and restores
``ix_records_signer``.

Revision ID: 0006_query_indexes
Revises: 0005_external_evidence
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_query_indexes"
down_revision = "0005_external_evidence"
branch_labels = None
depends_on = None

_UNANCHORED = "state != 'anchored'"


def upgrade() -> None:
    op.create_index(
        "ix_batches_unanchored", "batches", ["id"], unique=False,
        postgresql_where=sa.text(_UNANCHORED), sqlite_where=sa.text(_UNANCHORED),
    )  # fmt: skip
    op.create_index(op.f("ix_batches_block_number"), "batches", ["block_number"], unique=False)
    op.create_index(op.f("ix_outbox_block_number"), "outbox", ["block_number"], unique=False)
    op.create_index("ix_records_kind_subject", "records", ["kind", "subject"], unique=False)
    op.create_index(op.f("ix_records_nonce"), "records", ["nonce"], unique=False)
    op.drop_index(op.f("ix_records_signer"), table_name="records")


def downgrade() -> None:
    op.create_index(op.f("ix_records_signer"), "records", ["signer"], unique=False)
    op.drop_index(op.f("ix_records_nonce"), table_name="records")
    op.drop_index("ix_records_kind_subject", table_name="records")
    op.drop_index(op.f("ix_outbox_block_number"), table_name="outbox")
    op.drop_index(op.f("ix_batches_block_number"), table_name="batches")
    op.drop_index("ix_batches_unanchored", table_name="batches")
