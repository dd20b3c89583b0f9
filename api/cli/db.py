"""``ledger db``: the schema's revision (``upgrade``) and whether the migrations build what
the models say (``check``).

``ledger serve`` and ``ledger worker`` build an empty database at the current revision,
but refuse one that is behind: migrating a populated database is done here, on purpose.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import typer

from .common import fail

app = typer.Typer(help="The database schema: upgrade it, check it", no_args_is_help=True)

_DB_HELP = "Database URL or SQLite path (default: as `ledger serve`: DATABASE_URL, ...)"


def shown(url: str) -> str:
    """``url`` as it may be printed: the password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def open_refused(error: Exception, url: str) -> str:
    """Why the ledger would not open ``url``, with the command that fixes it if one does."""
    from ledger.errors import LedgerError, SchemaMismatch

    if isinstance(error, SchemaMismatch) and error.behind:
        return f"{error.detail}: run `ledger db upgrade --db {shown(url)}`"
    return error.detail if isinstance(error, LedgerError) else str(error)


def _url(db: str | None) -> str:
    from .serve import _database_url

    url, embedded = _database_url(db, os.environ.get("LEDGER_RPC_URL"))
    if embedded:
        fail(
            "name the database: --db URL, or DATABASE_URL (the embedded chain's database is "
            "made afresh by every `ledger serve`, at the current revision)"
        )
    return url


@app.command("upgrade")
def upgrade(db: str | None = typer.Option(None, "--db", help=_DB_HELP)) -> None:
    """Migrate the database to this release's schema revision (idempotent).

    A database made before migrations is checked to be the baseline, then stamped."""
    from ledger.errors import SchemaMismatch
    from ledger.store import migrations
    from ledger.store.db import make_engine

    from .serve import _lock_database

    url = _url(db)
    lock = _lock_database(url)  # never under a running `ledger serve`
    engine = make_engine(url)
    try:
        done = migrations.upgrade(engine)
    except SchemaMismatch as exc:
        fail(exc.detail, code=1)
    finally:
        engine.dispose()
        if lock is not None:
            lock.release()
    before = done.before or ("none (made before migrations)" if done.stamped else "none (empty)")
    if done.before == done.after:
        typer.echo(f"{shown(url)}: already at {done.after}")
    else:
        typer.echo(f"{shown(url)}: upgraded from {before} to {done.after}")


@app.command("check")
def check(
    db: str | None = typer.Option(
        None, "--db", help="Also check this database: at head, and its schema as the models say"
    ),
) -> None:
    """Exit 1 unless the migrations build exactly the models' schema (and, with --db, the
    database is at this release's revision and agrees with the models)."""
    from domain import table_metadata
    from ledger.store import migrations
    from ledger.store.db import make_engine

    problems: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'scratch.db'}")
        try:
            migrations.open_schema(engine)
            problems += [f"migrations vs models: {d}" for d in
                         migrations.compare_with_models(engine, table_metadata())]  # fmt: skip
        finally:
            engine.dispose()
    head = migrations.head_revision()
    url = None if db is None else db if "://" in db else f"sqlite:///{db}"
    if url is not None:
        engine = make_engine(url)
        try:
            state = migrations.state_of(engine)
            revision = migrations.current_revision(engine)
            if state is migrations.SchemaState.CURRENT:
                problems += [f"{shown(url)} vs models: {d}" for d in
                             migrations.compare_with_models(engine, table_metadata())]  # fmt: skip
            else:
                behind = state is migrations.SchemaState.BEHIND
                fix = f": run `ledger db upgrade --db {shown(url)}`" if behind else ""
                problems.append(f"{shown(url)} is {state} (revision {revision}, head {head}){fix}")
        finally:
            engine.dispose()
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(1)
    also = f"; so does {shown(url)}" if url else ""
    typer.echo(f"migrations agree with the models at {head}{also}")
