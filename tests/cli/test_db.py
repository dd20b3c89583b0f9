"""``ledger db upgrade`` and ``ledger db check`` as an operator runs them, and ``ledger serve``
and ``ledger worker`` refusing a database that is behind: exit 1, the command to run in the
message (never the password), the database left exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url

from ledger.chain.anvil import free_port
from ledger.store import migrations
from ledger.store.db import make_engine
from tests.cli.conftest import Cli
from tests.conftest import run_previous_release
from tests.ledger.test_migrations import CREATE_ALL, catalogue

HEAD = migrations.head_revision()


def snapshot(url: str) -> tuple[object, ...]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT * FROM ledger_meta")).all()
        return catalogue(engine), [tuple(r) for r in rows], migrations.current_revision(engine)
    finally:
        engine.dispose()


@pytest.fixture
def with_password(database_url: str) -> str:
    """The test database's URL with a password in it (trust auth ignores it on PostgreSQL;
    SQLite URLs have none), which no message may show."""
    url = make_url(database_url)
    if url.drivername == "sqlite":
        return database_url
    return url.set(password="s3cret-pw").render_as_string(hide_password=False)


@pytest.mark.slow  # six `ledger` processes
def test_a_database_of_the_previous_release_is_refused_then_upgraded(
    cli: Cli, previous_release: Path, with_password: str
) -> None:
    url = with_password
    run_previous_release(previous_release, CREATE_ALL, url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO ledger_meta VALUES ('instance_id', 'kept')"))
    engine.dispose()
    before = snapshot(url)
    shown = make_url(url).render_as_string(hide_password=True)
    needed = (f"database is at no revision (made before migrations), this release needs "
              f"{HEAD}: run `ledger db upgrade --db {shown}`")  # fmt: skip

    served = cli.run("serve", "--db", url, "--port", str(free_port()), check=False)
    worked = cli.run("worker", "--db", url, "--rpc", f"http://127.0.0.1:{free_port()}",
                     "--drain", check=False)  # fmt: skip
    checked = cli.run("db", "check", "--db", url, check=False)
    for refused in (served, worked, checked):
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "s3cret-pw" not in refused.stdout + refused.stderr
    assert needed in served.stderr and needed in worked.stderr
    assert f"is behind (revision None, head {HEAD}): run `ledger db upgrade --db {shown}`" in (
        checked.stderr
    )
    assert snapshot(url) == before  # nothing created, stamped or deleted

    upgraded = cli.run("db", "upgrade", "--db", url)
    assert f"upgraded from none (made before migrations) to {HEAD}" in upgraded.stdout
    assert "s3cret-pw" not in upgraded.stdout + upgraded.stderr
    assert f"already at {HEAD}" in cli.run("db", "upgrade", "--db", url).stdout
    assert "migrations agree with the models" in cli.run("db", "check", "--db", url).stdout
    _, rows, revision = snapshot(url)
    assert rows == before[1] and revision == HEAD


def test_serve_refuses_a_database_at_an_older_revision(cli: Cli, database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(migrations._config(connection), migrations.BASELINE)
        connection.execute(sa.text("INSERT INTO ledger_meta VALUES ('instance_id', 'kept')"))
    engine.dispose()
    before = snapshot(database_url)
    served = cli.run("serve", "--db", database_url, "--port", str(free_port()), check=False)
    assert served.returncode == 1, served.stdout + served.stderr
    shown = make_url(database_url).render_as_string(hide_password=True)
    assert (f"database is at revision {migrations.BASELINE}, this release needs {HEAD}: "
            f"run `ledger db upgrade --db {shown}`") in served.stderr  # fmt: skip
    assert snapshot(database_url) == before
    upgraded = cli.run("db", "upgrade", "--db", database_url)
    assert f"upgraded from {migrations.BASELINE} to {HEAD}" in upgraded.stdout
    assert snapshot(database_url)[1:] == (before[1], HEAD)


def test_check_fails_when_a_database_drifts_from_the_models(cli: Cli, database_url: str) -> None:
    assert "migrations agree with the models" in cli.run("db", "check").stdout
    engine = make_engine(database_url)
    migrations.open_schema(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE leases ADD COLUMN surprise INTEGER"))
    engine.dispose()
    drifted = cli.run("db", "check", "--db", database_url, check=False)
    assert drifted.returncode == 1
    assert "vs models: remove_column leases.surprise" in drifted.stderr


def test_serve_refuses_a_database_from_a_later_release(cli: Cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'later.db'}"
    engine = make_engine(url)
    migrations.open_schema(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_later'"))
    engine.dispose()
    served = cli.run("serve", "--db", url, "--port", str(free_port()), check=False)
    assert served.returncode == 1
    assert "revision 9999_later, which this release" in served.stderr
    assert "a later release migrated it" in served.stderr
    assert "ledger db upgrade" not in served.stderr  # upgrading cannot help
    refused = cli.run("db", "upgrade", "--db", url, check=False)
    assert refused.returncode == 1 and "a later release" in refused.stderr


def test_upgrade_needs_a_database_named(cli: Cli) -> None:
    refused = cli.run("db", "upgrade", check=False)
    assert refused.returncode == 2 and "--db" in refused.stderr
    assert not (cli.cwd / "var").exists()
