"""`ledger serve --workers N`: several API processes on one PostgreSQL and one chain, each
with its anchoring worker, of which the database lease lets exactly one anchor at a time.
Refused, with the reason, where processes cannot share (SQLite, the embedded EVM)."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest

from domain import open_ledger
from ledger.chain.anvil import Anvil
from ledger.keys import SigningKey
from ledger.service import LedgerConfig
from tests.cli.conftest import Cli, start_server
from tests.ledger.helpers import signed_audit
from tests.ledger.test_kill import assert_all_anchored_once
from tests.ledger.test_lease_takeover import lease

pytestmark = [pytest.mark.postgres]

TOKEN = "workers-test-admin-token"


def tables(url: str) -> list[str]:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection:
        rows = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return [row[0] for row in rows]


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def listeners(port: int) -> dict[int, set[int]]:
    """Process id -> the inodes of the TCP sockets it holds listening on ``port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(int(fields[9]))
    held: dict[int, set[int]] = {}
    for fds in Path("/proc").glob("[0-9]*/fd"):
        try:
            links = [os.readlink(fd) for fd in fds.iterdir()]
        except OSError:
            continue
        mine = {int(link[8:-1]) for link in links if link.startswith("socket:[")} & inodes
        if mine:
            held[int(fds.parent.name)] = mine
    return held


def admitted_by_metrics(url: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    scrape = httpx.get(f"{url}/metrics", timeout=30)
    assert scrape.status_code == 200, scrape.text
    return sum(
        sample.value
        for family in text_string_to_metric_families(scrape.text)
        for sample in family.samples
        if sample.name == "ledger_http_requests_total"
        and sample.labels.get("route") == "/v1/attestations"
        and sample.labels.get("status") == "201"
    )


def test_several_processes_on_sqlite_are_refused_with_the_reason(cli: Cli) -> None:
    result = cli.run("serve", "--workers", "2", "--db", "var/one.db", "--rpc",
                     "http://127.0.0.1:9", check=False)  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "needs PostgreSQL" in result.stderr
    assert not (cli.cwd / "var" / "one.db").exists(), "a refused start wrote a database"


def test_several_processes_on_the_embedded_evm_are_refused(cli: Cli, postgres_url: str) -> None:
    result = cli.run("serve", "--workers", "2", "--db", postgres_url, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "needs --rpc" in result.stderr
    assert tables(postgres_url) == [], "a refused start created tables"


@pytest.mark.slow
@pytest.mark.anvil
def test_two_api_processes_share_the_load_and_anchor_each_record_once(
    cli: Cli, postgres_url: str, anvil: Anvil
) -> None:
    cli.env["LEDGER_ADMIN_TOKEN"] = TOKEN
    cli.env["LEDGER_BATCH_MAX_WAIT_SECONDS"] = "0.5"
    cli.env["LEDGER_BATCH_MAX_RECORDS"] = "8"
    server = start_server(cli, "--workers", "2", "--db", postgres_url, "--rpc", anvil.url)
    try:
        deadline = time.monotonic() + 30
        while len(children(server.process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        api_processes = children(server.process.pid)
        assert len(api_processes) >= 2, "uvicorn did not start two API processes"
        key = SigningKey.generate()
        accredited = httpx.post(f"{server.url}/v1/admin/signers", json={"did": key.did,
                                "role": "auditor"}, headers={"Authorization": f"Bearer {TOKEN}"},
                                timeout=60)  # fmt: skip
        assert accredited.status_code == 201, accredited.text
        time.sleep(1.5)  # past the grant's block time

        def post(_: int) -> str:
            answer = httpx.post(f"{server.url}/v1/attestations",
                                json=signed_audit(key).to_dict(), timeout=60)  # fmt: skip
            assert answer.status_code == 201, answer.text
            return str(answer.json()["id"])

        with ThreadPoolExecutor(8) as pool:
            accepted = set(pool.map(post, range(40)))
        # One scrape counts both processes' requests (multiprocess metrics).
        assert admitted_by_metrics(server.url) == 40
        # Each process listens on a socket of its own (SO_REUSEPORT, api/serving.py), so the
        # kernel spreads connections; one shared socket sent a burst of them to one process.
        held = listeners(int(server.url.rsplit(":", 1)[1]))
        assert len(held) == 2 and set(held) <= api_processes, (held, api_processes)
        first, second = held.values()
        assert not first & second, "the processes share one listening socket"

        ledger = open_ledger(LedgerConfig(database_url=postgres_url, rpc_url=anvil.url))
        try:
            deadline = time.monotonic() + 120
            while ledger.anchorer._has_unanchored() and time.monotonic() < deadline:
                time.sleep(0.3)
            holder, live = lease(ledger)
            assert holder in api_processes and live, "an API process holds the lease"
            server.process.send_signal(signal.SIGTERM)
            assert server.process.wait(timeout=60) == 0, server.log.read_text()
            assert_all_anchored_once(ledger, accepted)
            assert lease(ledger)[1] is False, "a clean shutdown released the lease"
        finally:
            ledger.close()
    finally:
        if server.process.poll() is None:
            server.stop()
