"""Fixtures shared by every test package: databases (SQLite and a real PostgreSQL), keys."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

REPO = Path(__file__).resolve().parents[1]
# Test processes build hundreds of apps; a frozen heap would keep each one's cycles for good
# (api/gc_tuning.py). tests/api/test_serving.py checks the tuning in a process of its own.
os.environ.setdefault("LEDGER_GC_TUNING", "false")
POSTGRES_ADMIN_URL = os.environ.get(
    "LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """PostgreSQL must be there: tests that need it fail (never skip) without it."""
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=5) as connection:
            connection.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is required at {POSTGRES_ADMIN_URL} (LEDGER_TEST_POSTGRES_URL): {exc}",
            pytrace=False,
        )
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = postgres_admin_url.rsplit("/", 1)[0]
    yield f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every storage test runs on both databases."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


PREVIOUS_RELEASE = "b587757"  # the last commit whose schema came from create_all


@pytest.fixture(scope="session")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous release's source tree (``git archive``), to run beside this one: put it
    first on PYTHONPATH (with ``python -P``) and its ``ledger``, ``domain`` and ``api`` run."""
    import io
    import subprocess
    import tarfile

    tree = tmp_path_factory.mktemp("previous-release")
    done = subprocess.run(["git", "-C", str(REPO), "archive", f"{PREVIOUS_RELEASE}^{{commit}}"],
                          capture_output=True, check=False, timeout=120)  # fmt: skip
    if done.returncode != 0:
        pytest.fail(f"the previous release {PREVIOUS_RELEASE} must be in the clone's history "
                    f"(git fetch --unshallow): {done.stderr.decode()}", pytrace=False)  # fmt: skip
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def run_previous_release(tree: Path, code: str, *args: str) -> str:
    """``code`` run by the previous release's source (same interpreter and packages)."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(tree)}
    guard = f"import ledger; assert ledger.__file__.startswith({str(tree)!r}), ledger.__file__\n"
    done = subprocess.run([sys.executable, "-P", "-c", guard + code, *args], env=env, cwd=tree,
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
