"""The probes: live answers whatever is down; ready answers 200 only when the database and
the chain both answer, and otherwise 503 naming the check that failed. Outages are real: a
chain cut off behind a TCP proxy, a PostgreSQL database dropped under the server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app, ledger_config
from api.settings import Settings
from domain import open_ledger
from ledger.chain.anvil import Anvil
from tests.tools.tcp_proxy import TcpProxy


def test_live_and_ready_when_all_is_up(client: TestClient) -> None:
    live = client.get("/v1/health/live")
    assert live.status_code == 200 and live.json() == {"status": "live"}
    ready = client.get("/v1/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": {"ok": True, "error": None}, "chain": {"ok": True, "error": None},
                   "migrations": {"ok": True, "error": None}},
    }  # fmt: skip


def test_not_ready_while_the_schema_is_behind(tmp_path: Path) -> None:
    from sqlalchemy import text

    from ledger.store import migrations

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ledger.db'}", worker=False)
    ledger = open_ledger(ledger_config(settings))
    try:
        with TestClient(create_app(settings, ledger=ledger)) as client:
            assert client.get("/v1/health/ready").status_code == 200
            with ledger.engine.begin() as connection:  # as if this release met an older schema
                connection.execute(text("UPDATE alembic_version SET version_num = :v"),
                                   {"v": migrations.BASELINE})  # fmt: skip
            ready = client.get("/v1/health/ready")
            assert ready.status_code == 503, ready.text
            assert ready.json()["checks"]["migrations"] == {"ok": False, "error": "check_failed"}
            assert ready.json()["checks"]["database"]["ok"] is True
            assert client.get("/v1/health/live").status_code == 200
    finally:
        ledger.close()


@pytest.fixture
def chain_behind_proxy() -> Iterator[TcpProxy]:
    with Anvil() as node:
        proxy = TcpProxy(node.port).start()
        yield proxy
        proxy.cut()


@pytest.mark.anvil
def test_not_ready_while_the_chain_is_down(chain_behind_proxy: TcpProxy, tmp_path: Path) -> None:
    proxy = chain_behind_proxy
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ledger.db'}", rpc_url=proxy.url,
                        worker=False)  # fmt: skip
    ledger = open_ledger(ledger_config(settings))
    try:
        with TestClient(create_app(settings, ledger=ledger)) as client:
            assert client.get("/v1/health/ready").status_code == 200
            proxy.cut()
            ready = client.get("/v1/health/ready")
            assert ready.status_code == 503, ready.text
            body = ready.json()
            assert body["status"] == "not_ready"
            assert body["checks"]["database"] == {"ok": True, "error": None}
            assert body["checks"]["chain"] == {"ok": False, "error": "chain_unavailable"}
            assert client.get("/v1/health/live").status_code == 200
            proxy.restore()
            assert client.get("/v1/health/ready").status_code == 200
    finally:
        ledger.close()


@pytest.mark.postgres
def test_not_ready_once_the_database_is_gone(postgres_url: str, postgres_admin_url: str) -> None:
    settings = Settings(database_url=postgres_url, worker=False)
    ledger = open_ledger(ledger_config(settings))
    try:
        with TestClient(create_app(settings, ledger=ledger)) as client:
            assert client.get("/v1/health/ready").status_code == 200
            name = postgres_url.rsplit("/", 1)[1]
            with psycopg.connect(postgres_admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            ready = client.get("/v1/health/ready")
            assert ready.status_code == 503, ready.text
            body = ready.json()
            assert body["status"] == "not_ready"
            assert body["checks"]["database"]["ok"] is False
            assert body["checks"]["database"]["error"] == "OperationalError"
            assert body["checks"]["chain"] == {"ok": True, "error": None}
            assert name not in ready.text  # the driver's message stays out of the answer
            assert client.get("/v1/health/live").status_code == 200
    finally:
        ledger.close()
