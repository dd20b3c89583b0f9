"""The schema, versioned: Alembic revisions in ``versions/``, run from here (no
``alembic.ini``, nothing read from the working directory).

A database is in one of four states (:func:`state_of`):

* empty: :func:`open_schema` builds it at head (fresh databases, the embedded one);
* current: at :func:`head_revision`;
* behind: at an older revision, or unversioned (made by the release before migrations,
  whose ``create_all`` schema is the baseline) — only :func:`upgrade` moves it, never a
  plain open: a populated database is migrated by an operator, on purpose;
* unknown: at a revision this release has no script for (a later release migrated it).

The scripts are plain DDL; whether they agree with the models is checked where every
table is importable (``ledger db check``), since ``ledger`` cannot import the domains.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection, Engine

from ...errors import SchemaMismatch
from ..db import make_engine

__all__ = [
    "BASELINE",
    "SchemaState",
    "Upgrade",
    "compare_with_models",
    "current_revision",
    "head_revision",
    "is_current",
    "open_schema",
    "state_of",
    "upgrade",
]

SCRIPTS = Path(__file__).resolve().parent
BASELINE = "0001_baseline"
VERSION_TABLE = "alembic_version"
# Any constant will do: every process migrating one PostgreSQL database takes this lock.
_PG_LOCK = 0x6C656467  # "ledg"


class SchemaState(StrEnum):
    EMPTY = "empty"
    CURRENT = "current"
    BEHIND = "behind"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Upgrade:
    """What :func:`upgrade` did: ``before`` is None for an empty or unversioned database."""

    before: str | None
    after: str
    stamped: bool  # an unversioned database was recognised as the baseline


def _config(connection: Connection | None = None, metadata: MetaData | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    config.attributes["target_metadata"] = metadata
    return config


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The revision this release's models are at."""
    head = _scripts().get_current_head()
    assert head is not None, "the migrations have one head"
    return head


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def current_revision(engine: Engine) -> str | None:
    """The database's revision; None when it is empty or was made before migrations."""
    with engine.connect() as connection:
        return _revision(connection)


def _state(connection: Connection) -> SchemaState:
    revision = _revision(connection)
    if revision is None:
        tables = set(inspect(connection).get_table_names()) - {VERSION_TABLE}
        return SchemaState.BEHIND if tables else SchemaState.EMPTY
    if revision == head_revision():
        return SchemaState.CURRENT
    known = {script.revision for script in _scripts().walk_revisions()}
    return SchemaState.BEHIND if revision in known else SchemaState.UNKNOWN


def state_of(engine: Engine) -> SchemaState:
    with engine.connect() as connection:
        return _state(connection)


def is_current(engine: Engine) -> bool:
    """Whether the database is at this release's revision (what readiness reports)."""
    return state_of(engine) is SchemaState.CURRENT


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds the database's write lock, taken before
    anything is looked at: two processes opening one fresh database would otherwise both
    create the tables (the second waits here, then finds them).

    On SQLite the DDL runs in that one transaction too (the driver would run it outside
    any): a crash leaves no half-built schema, and it costs one fsync instead of ~100.
    Batch mode rebuilds tables that others reference, so foreign keys are off meanwhile
    (outside a transaction: SQLite ignores the pragma inside one) and checked before the
    commit, as SQLite's own procedure for altering a table does.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if sqlite:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK}
                    )
                yield connection
                if sqlite and (
                    broken := connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                ):
                    raise RuntimeError(f"a migration broke a foreign key: {tuple(broken)}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _run_upgrade(connection: Connection) -> None:
    command.upgrade(_config(connection), "head")


def open_schema(engine: Engine) -> None:
    """Build an empty database at head; accept a current one; refuse anything else.

    Raises:
        SchemaMismatch: the database is behind (``.behind``) or at an unknown revision.
    """
    with _migrating(engine) as connection:
        state = _state(connection)
        if state is SchemaState.EMPTY:
            _run_upgrade(connection)
            return
    if state is not SchemaState.CURRENT:
        raise _mismatch(engine, state)


def _mismatch(engine: Engine, state: SchemaState) -> SchemaMismatch:
    revision, head = current_revision(engine), head_revision()
    if state is SchemaState.UNKNOWN:
        return SchemaMismatch(
            f"database is at revision {revision}, which this release ({head}) does not know: "
            "a later release migrated it",
            revision=revision, head=head, behind=False,
        )  # fmt: skip
    at = f"revision {revision}" if revision else "no revision (made before migrations)"
    return SchemaMismatch(
        f"database is at {at}, this release needs {head}", revision=revision, head=head,
        behind=True,
    )  # fmt: skip


def upgrade(engine: Engine) -> Upgrade:
    """Migrate the database to head (idempotent). An unversioned database is first checked
    to have the baseline's tables and columns, then stamped at the baseline.

    Raises:
        SchemaMismatch: unversioned but unlike the baseline, or at an unknown revision.
    """
    with _migrating(engine) as connection:
        state, before = _state(connection), _revision(connection)
        if state is SchemaState.UNKNOWN:
            raise _mismatch(engine, state)
        stamped = state is SchemaState.BEHIND and before is None
        if stamped:
            _verify_baseline(connection)
            command.stamp(_config(connection), BASELINE)
        if state is not SchemaState.CURRENT:
            _run_upgrade(connection)
    return Upgrade(before=before, after=head_revision(), stamped=stamped)


def _columns(connection: Connection) -> dict[str, set[str]]:
    found = inspect(connection)
    return {
        table: {column["name"] for column in found.get_columns(table)}
        for table in found.get_table_names()
        if table != VERSION_TABLE
    }


@cache
def _baseline_columns() -> dict[str, set[str]]:
    # Built, not written down twice: the baseline script on a scratch in-memory SQLite.
    scratch = make_engine("sqlite://")
    try:
        with scratch.begin() as connection:
            command.upgrade(_config(connection), BASELINE)
            return _columns(connection)
    finally:
        scratch.dispose()


def _verify_baseline(connection: Connection) -> None:
    # Types are not compared: they differ by dialect, and that release made them from the
    # same models as the baseline (a test holds the two equal on both dialects).
    found, expected = _columns(connection), _baseline_columns()
    problems = [f"table {t} is missing" for t in sorted(expected.keys() - found.keys())]
    problems += [f"table {t} is not the ledger's" for t in sorted(found.keys() - expected.keys())]
    for table in sorted(expected.keys() & found.keys()):
        if missing := sorted(expected[table] - found[table]):
            problems.append(f"{table} lacks {', '.join(missing)}")
        if extra := sorted(found[table] - expected[table]):
            problems.append(f"{table} has unknown columns {', '.join(extra)}")
    if problems:
        head = head_revision()
        raise SchemaMismatch(
            "database has tables but no revision, and they are not the baseline's "
            f"({BASELINE}): " + "; ".join(problems) + ". Not touching it",
            revision=None, head=head, behind=False,
        )  # fmt: skip


def compare_with_models(engine: Engine, metadata: MetaData) -> list[str]:
    """How the database's schema differs from ``metadata`` (empty: they agree), as
    Alembic's autogenerate sees it, types and server defaults included.

    ``metadata`` must hold every table; the caller imports them (``domain.table_metadata``).
    """
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return [_describe(diff) for diff in compare_metadata(context, metadata)]


def _describe(diff: Any) -> str:
    # Autogenerate's diffs are tuples, or lists of tuples for one column's changes.
    if isinstance(diff, list):
        return "; ".join(_describe(part) for part in diff)
    action, *rest = diff
    if action.startswith("modify_"):
        _schema, table, column, _existing, old, new = rest
        return f"{action} {table}.{column}: database {old!r}, models {new!r}"
    if action in ("add_column", "remove_column"):
        _schema, table, column = rest
        return f"{action} {table}.{column.name}"
    (thing,) = rest[:1]
    name = getattr(thing, "name", thing)
    table = getattr(getattr(thing, "table", None), "name", None)
    return f"{action} {table}.{name}" if table else f"{action} {name}"
