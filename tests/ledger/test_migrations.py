"""The migrations own the schema: they build exactly what the models (and the previous
release's ``create_all``) built, on SQLite and PostgreSQL; a database that is not at head is
refused by a plain open and left untouched, and only ``upgrade`` moves it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from domain import table_metadata
from ledger.errors import SchemaMismatch
from ledger.store import migrations
from ledger.store.db import make_engine
from tests.conftest import run_previous_release


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    yield made
    made.dispose()


def catalogue(engine: Engine) -> list[tuple[str | None, ...]]:
    """Everything the database says about its tables, as it would be dumped (DDL text on
    SQLite; columns, defaults, indexes and constraints from PostgreSQL's catalogue)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = ("SELECT type, name, sql FROM sqlite_master "
                     "WHERE tbl_name != 'alembic_version' ORDER BY name")  # fmt: skip
        else:
            query = """
                SELECT 'column', table_name || '.' || column_name, concat_ws(' ', data_type,
                       character_maximum_length, is_nullable, column_default)
                  FROM information_schema.columns WHERE table_schema = 'public'
                UNION ALL SELECT 'index', indexname, indexdef FROM pg_indexes
                 WHERE schemaname = 'public'
                UNION ALL SELECT 'constraint', conrelid::regclass || '.' || conname,
                       pg_get_constraintdef(oid) FROM pg_constraint
                 WHERE connamespace = 'public'::regnamespace
                ORDER BY 1, 2"""
        rows = connection.execute(sa.text(query)).all()
    return [tuple(row) for row in rows if "alembic_version" not in row[1]]


def test_an_empty_database_is_built_at_head(engine: Engine) -> None:
    assert migrations.state_of(engine) is migrations.SchemaState.EMPTY
    assert not migrations.is_current(engine)
    migrations.open_schema(engine)
    assert migrations.current_revision(engine) == migrations.head_revision()
    assert migrations.is_current(engine)
    migrations.open_schema(engine)  # a current one is accepted as it is
    assert migrations.compare_with_models(engine, table_metadata()) == []


def wipe(engine: Engine) -> None:
    tables = sa.MetaData()
    tables.reflect(engine)
    tables.drop_all(engine)


def test_the_baseline_is_what_the_previous_release_created(
    engine: Engine, database_url: str, previous_release: Path
) -> None:
    # Its `create_all` over every model made the databases now stamped at the baseline: the
    # two must be one schema down to names, types, defaults and (SQLite) the DDL text.
    run_previous_release(previous_release, CREATE_ALL, database_url)
    made_by_it = catalogue(engine)
    assert len(made_by_it) > 50
    wipe(engine)
    assert catalogue(engine) == []
    with engine.begin() as connection:
        command.upgrade(migrations._config(connection), migrations.BASELINE)
    assert catalogue(engine) == made_by_it


CREATE_ALL = """
import sys
import domain
from sqlmodel import SQLModel
from ledger.store.db import make_engine
SQLModel.metadata.create_all(make_engine(sys.argv[1]))
"""


def test_head_is_what_create_all_builds_today(engine: Engine) -> None:
    migrations.open_schema(engine)
    built = catalogue(engine)
    wipe(engine)
    SQLModel.metadata.create_all(engine)
    # Batch mode's rebuilt tables were renamed into place: SQLite then quotes their name.
    assert [tuple(str(v).replace('TABLE "', "TABLE ").replace('" (', " (") for v in row)
            for row in built] == [tuple(map(str, row)) for row in catalogue(engine)]  # fmt: skip


def test_the_comparison_sees_a_model_the_migrations_do_not_build(engine: Engine) -> None:
    migrations.open_schema(engine)
    changed = sa.MetaData()
    for table in table_metadata().tables.values():
        table.to_metadata(changed)
    changed.tables["records"].append_column(sa.Column("note", sa.Text, nullable=True))
    changed.tables["batches"].c.root.type = sa.String(80)
    sa.Table("later", changed, sa.Column("id", sa.Integer, primary_key=True))
    found = migrations.compare_with_models(engine, changed)
    assert "add_column records.note" in found
    assert "add_table later" in found
    assert any(d.startswith("modify_type batches.root") for d in found), found


def test_a_database_of_the_previous_release_is_stamped_then_current(
    engine: Engine, database_url: str, previous_release: Path
) -> None:
    run_previous_release(previous_release, CREATE_ALL, database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO ledger_meta VALUES ('instance_id', 'kept')"))
    assert migrations.state_of(engine) is migrations.SchemaState.BEHIND
    with pytest.raises(SchemaMismatch) as refused:
        migrations.open_schema(engine)
    assert refused.value.behind and refused.value.revision is None
    assert "no revision (made before migrations)" in refused.value.detail
    assert migrations.current_revision(engine) is None  # a refused open wrote nothing

    done = migrations.upgrade(engine)
    assert done == migrations.Upgrade(before=None, after=migrations.head_revision(), stamped=True)
    assert migrations.is_current(engine)
    assert migrations.upgrade(engine).before == migrations.head_revision()  # idempotent
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT value FROM ledger_meta")).scalar() == "kept"


def test_tables_unlike_the_baseline_are_refused_and_untouched(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE wage_acks"))
        connection.execute(sa.text("ALTER TABLE leases ADD COLUMN surprise INTEGER"))
    before = catalogue(engine)
    with pytest.raises(SchemaMismatch) as refused:
        migrations.upgrade(engine)
    assert "table wage_acks is missing" in refused.value.detail
    assert "leases has unknown columns surprise" in refused.value.detail
    assert not refused.value.behind
    assert catalogue(engine) == before
    assert migrations.current_revision(engine) is None


def test_a_revision_from_a_later_release_is_refused(engine: Engine) -> None:
    migrations.open_schema(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_later'"))
    assert migrations.state_of(engine) is migrations.SchemaState.UNKNOWN
    for step in (migrations.open_schema, migrations.upgrade):
        with pytest.raises(SchemaMismatch) as refused:
            step(engine)
        assert not refused.value.behind and "a later release" in refused.value.detail
    assert migrations.current_revision(engine) == "9999_later"


def test_the_scripts_ship_with_the_package() -> None:
    # setuptools' package-data must carry what Alembic reads from the package folder.
    import tomllib

    from tests.conftest import REPO

    data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped = data["package-data"]["ledger"]
    folder = Path(migrations.__file__).parent
    for path in [folder / "env.py", folder / "script.py.mako", *folder.glob("versions/*.py")]:
        relative = path.relative_to(folder.parents[1]).as_posix()
        assert any(Path(relative).match(pattern) for pattern in shipped), relative


@pytest.mark.postgres
def test_postgresql_compresses_new_envelopes_with_lz4_and_downgrade_restores_pglz(
    postgres_url: str,
) -> None:
    engine = make_engine(postgres_url)
    try:
        migrations.open_schema(engine)

        def compression() -> str:
            with engine.connect() as connection:
                return str(connection.execute(sa.text(
                    "SELECT attcompression FROM pg_attribute "
                    "WHERE attrelid = 'records'::regclass AND attname = 'envelope'"
                )).scalar())  # fmt: skip

        assert compression() == "l"
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO records (id, kind, signer, nonce, created, received_at, envelope) "
                "VALUES ('r1', 'audit', 'did:key:z', 'n1', now(), now(), repeat('ab', 2000))"
            ))  # fmt: skip
            stored = connection.execute(
                sa.text("SELECT pg_column_compression(envelope) FROM records")
            ).scalar()
        assert stored == "lz4"  # past the 2 kB TOAST threshold, so compressed, with LZ4
        with engine.begin() as connection:
            command.downgrade(migrations._config(connection), "0006_query_indexes")
        assert compression() == "p"
    finally:
        engine.dispose()
