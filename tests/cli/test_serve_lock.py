"""Two ``ledger serve`` processes in one directory: the second refuses to take the first
one's database (and deletes nothing, writes nothing); with a database of its own it runs
beside the first and shares its admin token; a killed server leaves no stale lock."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from ledger.chain.anvil import free_port
from tests.cli.conftest import LEDGER, Cli, start_server

pytestmark = pytest.mark.slow


def signers(url: str, token: str) -> list[str]:
    response = httpx.get(
        f"{url}/v1/admin/signers", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert response.status_code == 200, response.text
    return [s["did"] for s in response.json()]


def test_a_second_server_leaves_the_first_alone(cli: Cli) -> None:
    first = start_server(cli)
    try:
        token_file = cli.cwd / "var/admin-token"
        database = cli.cwd / "var/embedded.db"
        token = token_file.read_text()
        did = cli.run("keys", "new", "--out", "auditor.key").stdout.strip()
        cli.run("admin", "accredit", did, "--role", "auditor")
        inode = database.stat().st_ino

        second = subprocess.run([*LEDGER, "serve", "--port", str(free_port())], env=cli.env,
                                cwd=cli.cwd, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert second.returncode == 1, second.stdout + second.stderr
        assert f"pid {first.process.pid}" in second.stderr
        assert "--port" in second.stderr and "--db" in second.stderr
        assert database.stat().st_ino == inode  # not deleted and recreated
        assert token_file.read_text() == token
        assert did in signers(first.url, token.strip())

        # With a database of its own it runs beside the first, on the same admin token.
        beside = start_server(cli, "--db", "var/second.db")
        try:
            assert token_file.read_text() == token
            assert signers(beside.url, token.strip()) == []
            assert did in signers(first.url, token.strip())
        finally:
            beside.stop()
    finally:
        first.process.kill()  # no clean shutdown: the lock must still go with the process
        first.process.wait(timeout=30)

    again = start_server(cli)
    try:
        fresh = token_file.read_text()
        assert fresh != token  # nobody else used the old token: a new one was written
        assert did not in signers(again.url, fresh.strip())  # a fresh embedded database
    finally:
        again.stop()
