"""Alembic's entry point, run by :mod:`ledger.store.migrations` (never by the ``alembic``
command, so no ``alembic.ini``): the caller hands over an open connection, in a transaction,
as ``config.attributes["connection"]``, and the migrations run inside that transaction."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

connection: Connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    # None when migrating (the scripts are plain DDL); every table's metadata when comparing
    # or autogenerating, which only a caller that can import the domains has.
    target_metadata=context.config.attributes.get("target_metadata"),
    # SQLite alters a table by copying it: batch mode does that in later revisions.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
