"""Baseline: the schema as the last release before migrations created it with
``SQLModel.metadata.create_all`` (ledger tables and every domain's), on SQLite and
PostgreSQL alike. Databases of that release are stamped here by ``ledger db upgrade``
once their tables are checked to match.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=66), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("raw_tx", sa.Text(), nullable=True),
        sa.Column("tx_nonce", sa.BigInteger(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("anchored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("root"),
    )
    op.create_index(op.f("ix_batches_kind"), "batches", ["kind"], unique=False)
    op.create_index(op.f("ix_batches_state"), "batches", ["state"], unique=False)
    op.create_index(op.f("ix_batches_tx_hash"), "batches", ["tx_hash"], unique=False)
    op.create_table(
        "checkins",
        sa.Column("record_id", sa.String(length=66), nullable=False),
        sa.Column("presentation_hash", sa.String(length=71), nullable=False),
        sa.Column("replay_key", sa.String(length=71), nullable=False),
        sa.Column("status_id", sa.String(length=66), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("verifier", sa.String(length=128), nullable=False),
        sa.Column("facility", sa.String(length=64), nullable=True),
        sa.Column("document_matches", sa.Boolean(), nullable=False),
        sa.Column("on_site", sa.Boolean(), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("verifier_device", sa.String(length=71), nullable=False),
        sa.Column("presenting_device", sa.String(length=71), nullable=True),
        sa.Column("challenge", sa.String(length=64), nullable=True),
        sa.Column("presented_at", sa.String(length=40), nullable=False),
        sa.Column("holder_signal", sa.String(length=200), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("record_id"),
        sa.UniqueConstraint("replay_key"),
    )
    op.create_index(op.f("ix_checkins_facility"), "checkins", ["facility"], unique=False)
    op.create_index(op.f("ix_checkins_holder"), "checkins", ["holder"], unique=False)
    op.create_index(
        op.f("ix_checkins_presentation_hash"), "checkins", ["presentation_hash"], unique=False
    )
    op.create_index(
        op.f("ix_checkins_presenting_device"), "checkins", ["presenting_device"], unique=False
    )
    op.create_index(op.f("ix_checkins_received_at"), "checkins", ["received_at"], unique=False)
    op.create_index(op.f("ix_checkins_status_id"), "checkins", ["status_id"], unique=False)
    op.create_index(op.f("ix_checkins_verifier"), "checkins", ["verifier"], unique=False)
    op.create_index(
        op.f("ix_checkins_verifier_device"), "checkins", ["verifier_device"], unique=False
    )
    op.create_table(
        "coercion_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=66), nullable=True),
        sa.Column("dedupe_key", sa.String(length=100), nullable=True),
        sa.Column("status_id", sa.String(length=66), nullable=True),
        sa.Column("holder", sa.String(length=128), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index(op.f("ix_coercion_flags_kind"), "coercion_flags", ["kind"], unique=False)
    op.create_index(
        op.f("ix_coercion_flags_raised_at"), "coercion_flags", ["raised_at"], unique=False
    )
    op.create_index(
        op.f("ix_coercion_flags_record_id"), "coercion_flags", ["record_id"], unique=False
    )
    op.create_index(
        op.f("ix_coercion_flags_status_id"), "coercion_flags", ["status_id"], unique=False
    )
    op.create_table(
        "deployments",
        sa.Column("chain_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("genesis_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "name"),
    )
    op.create_table(
        "facilities",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("osh_id", sa.String(length=15), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("sector", sa.String(length=200), nullable=True),
        sa.Column("product_type", sa.String(length=200), nullable=True),
        sa.Column("processing_type", sa.String(length=200), nullable=True),
        sa.Column("worker_count", sa.Integer(), nullable=True),
        sa.Column("parent_company", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=66), nullable=False),
        sa.Column("registered_by", sa.String(length=128), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_facilities_country"), "facilities", ["country"], unique=False)
    op.create_index(op.f("ix_facilities_osh_id"), "facilities", ["osh_id"], unique=False)
    op.create_index(op.f("ix_facilities_sector"), "facilities", ["sector"], unique=False)
    op.create_table(
        "facility_aliases",
        sa.Column("alias", sa.String(length=64), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("alias"),
    )
    op.create_index(
        op.f("ix_facility_aliases_facility_id"), "facility_aliases", ["facility_id"], unique=False
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "ledger_meta",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=66), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("raw_tx", sa.Text(), nullable=True),
        sa.Column("tx_nonce", sa.BigInteger(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_outbox_record_id"), "outbox", ["record_id"], unique=False)
    op.create_index(op.f("ix_outbox_state"), "outbox", ["state"], unique=False)
    op.create_table(
        "presentation_challenges",
        sa.Column("challenge", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.String(length=66), nullable=True),
        sa.PrimaryKeyConstraint("challenge"),
    )
    op.create_index(
        op.f("ix_presentation_challenges_expires_at"),
        "presentation_challenges",
        ["expires_at"],
        unique=False,
    )
    op.create_table(
        "scope_labels",
        sa.Column("scope", sa.String(length=66), nullable=False),
        sa.Column("facility", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("scope"),
    )
    op.create_table(
        "signer_scopes",
        sa.Column("key", sa.String(length=66), nullable=False),
        sa.Column("role", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=66), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", "role", "scope"),
    )
    op.create_table(
        "signers",
        sa.Column("key", sa.String(length=66), nullable=False),
        sa.Column("role", sa.Integer(), nullable=False),
        sa.Column("did", sa.String(length=128), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", "role"),
    )
    op.create_index(op.f("ix_signers_did"), "signers", ["did"], unique=False)
    op.create_table(
        "supply_links",
        sa.Column("record_id", sa.String(length=66), nullable=False),
        sa.Column("buyer", sa.String(length=64), nullable=False),
        sa.Column("supplier", sa.String(length=64), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("purchase_order", sa.String(length=200), nullable=True),
        sa.Column("signer", sa.String(length=128), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmation_record_id", sa.String(length=66), nullable=True),
        sa.Column("confirmed_by", sa.String(length=128), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("record_id"),
        sa.UniqueConstraint("confirmation_record_id"),
    )
    op.create_index(op.f("ix_supply_links_buyer"), "supply_links", ["buyer"], unique=False)
    op.create_index(op.f("ix_supply_links_supplier"), "supply_links", ["supplier"], unique=False)
    op.create_table(
        "sync_cursors",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "used_nonces",
        sa.Column("signer", sa.String(length=128), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("signer", "nonce"),
    )
    op.create_table(
        "wage_acks",
        sa.Column("record_id", sa.String(length=66), nullable=False),
        sa.Column("line_record_id", sa.String(length=66), nullable=False),
        sa.Column("facility", sa.String(length=64), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("device", sa.String(length=71), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("record_id"),
    )
    op.create_index(op.f("ix_wage_acks_device"), "wage_acks", ["device"], unique=False)
    op.create_index(op.f("ix_wage_acks_facility"), "wage_acks", ["facility"], unique=False)
    op.create_index(
        op.f("ix_wage_acks_line_record_id"), "wage_acks", ["line_record_id"], unique=False
    )
    op.create_index(op.f("ix_wage_acks_received_at"), "wage_acks", ["received_at"], unique=False)
    op.create_table(
        "wage_lines",
        sa.Column("record_id", sa.String(length=66), nullable=False),
        sa.Column("run_id", sa.String(length=45), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("facility", sa.String(length=64), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("worker", sa.String(length=140), nullable=False),
        sa.Column("employer", sa.String(length=128), nullable=False),
        sa.Column("gross", sa.String(length=24), nullable=False),
        sa.Column("net", sa.String(length=24), nullable=False),
        sa.Column("recruitment_fee", sa.String(length=24), nullable=False),
        sa.Column("fees_found", sa.String(length=24), nullable=True),
        sa.Column("fees_repaid", sa.String(length=24), nullable=True),
        sa.Column("compliant", sa.Boolean(), nullable=False),
        sa.Column("violations", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("record_id"),
        sa.UniqueConstraint("run_id", "line", name="uq_wage_lines_run_line"),
        sa.UniqueConstraint("run_id", "worker", name="uq_wage_lines_run_worker"),
    )
    op.create_index(op.f("ix_wage_lines_facility"), "wage_lines", ["facility"], unique=False)
    op.create_index(
        op.f("ix_wage_lines_period_start"), "wage_lines", ["period_start"], unique=False
    )
    op.create_index(op.f("ix_wage_lines_run_id"), "wage_lines", ["run_id"], unique=False)
    op.create_index(op.f("ix_wage_lines_worker"), "wage_lines", ["worker"], unique=False)
    op.create_table(
        "wage_runs",
        sa.Column("run_id", sa.String(length=45), nullable=False),
        sa.Column("facility", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("employer", sa.String(length=128), nullable=False),
        sa.Column("corrects", sa.String(length=45), nullable=True),
        sa.Column("corrected_by", sa.String(length=45), nullable=True),
        sa.Column("rules_version", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_index(op.f("ix_wage_runs_corrects"), "wage_runs", ["corrects"], unique=False)
    op.create_index(op.f("ix_wage_runs_employer"), "wage_runs", ["employer"], unique=False)
    op.create_index(op.f("ix_wage_runs_facility"), "wage_runs", ["facility"], unique=False)
    op.create_index(op.f("ix_wage_runs_period_start"), "wage_runs", ["period_start"], unique=False)
    op.create_table(
        "worker_credentials",
        sa.Column("status_id", sa.String(length=66), nullable=False),
        sa.Column("credential_id", sa.String(length=64), nullable=False),
        sa.Column("credential_hash", sa.String(length=71), nullable=False),
        sa.Column("record_id", sa.String(length=66), nullable=False),
        sa.Column("issuer", sa.String(length=128), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("facility", sa.String(length=64), nullable=True),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_record_id", sa.String(length=66), nullable=True),
        sa.PrimaryKeyConstraint("status_id"),
        sa.UniqueConstraint("credential_id"),
    )
    op.create_index(
        op.f("ix_worker_credentials_facility"), "worker_credentials", ["facility"], unique=False
    )
    op.create_index(
        op.f("ix_worker_credentials_holder"), "worker_credentials", ["holder"], unique=False
    )
    op.create_index(
        op.f("ix_worker_credentials_issuer"), "worker_credentials", ["issuer"], unique=False
    )
    op.create_index(
        op.f("ix_worker_credentials_record_id"), "worker_credentials", ["record_id"], unique=False
    )
    op.create_table(
        "records",
        sa.Column("id", sa.String(length=66), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("signer", sa.String(length=128), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.String(length=256), nullable=True),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        # Constraints in create_all's order here and below: the SQLite DDL is then the
        # previous release's, byte for byte (a test compares them).
        sa.UniqueConstraint("signer", "nonce", name="uq_records_signer_nonce"),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"]),
    )
    op.create_index(op.f("ix_records_batch_id"), "records", ["batch_id"], unique=False)
    op.create_index(op.f("ix_records_kind"), "records", ["kind"], unique=False)
    op.create_index(op.f("ix_records_received_at"), "records", ["received_at"], unique=False)
    op.create_index(op.f("ix_records_signer"), "records", ["signer"], unique=False)
    op.create_index(op.f("ix_records_subject"), "records", ["subject"], unique=False)
    op.create_table(
        "record_proofs",
        sa.Column("record_id", sa.String(length=66), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("proof", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"]),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"]),
        sa.PrimaryKeyConstraint("record_id"),
    )
    op.create_index(op.f("ix_record_proofs_batch_id"), "record_proofs", ["batch_id"], unique=False)


def downgrade() -> None:
    # Dropping the indexes with their tables.
    op.drop_table("record_proofs")
    op.drop_table("records")
    op.drop_table("worker_credentials")
    op.drop_table("wage_runs")
    op.drop_table("wage_lines")
    op.drop_table("wage_acks")
    op.drop_table("used_nonces")
    op.drop_table("sync_cursors")
    op.drop_table("supply_links")
    op.drop_table("signers")
    op.drop_table("signer_scopes")
    op.drop_table("scope_labels")
    op.drop_table("presentation_challenges")
    op.drop_table("outbox")
    op.drop_table("ledger_meta")
    op.drop_table("leases")
    op.drop_table("facility_aliases")
    op.drop_table("facilities")
    op.drop_table("deployments")
    op.drop_table("coercion_flags")
    op.drop_table("checkins")
    op.drop_table("batches")
