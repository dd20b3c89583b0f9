"""``ledger chain check`` against a real anvil and a real database (SQLite and PostgreSQL).

A genuine ledger is anchored, then either its database is tampered with by hand (as an
intruder or a bad restore would) or the chain is made to forget (``evm_revert``); every
difference must be named and the exit code must be 1. Untouched, the check passes with 0.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
import requests
from typer.testing import CliRunner

from api.cli import app as ledger_app
from domain import open_ledger
from ledger.anchoring import AnchoringPolicy
from ledger.chain.anvil import Anvil, free_port
from ledger.keys import SigningKey
from ledger.merkle import MerkleTree
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from tests.cli.conftest import Cli
from tests.ledger.helpers import signed_audit

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def node() -> Iterator[Anvil]:
    with Anvil() as running:
        yield running


@dataclass
class World:
    ledger: Ledger
    database_url: str
    rpc: str
    records: list[str]

    def check(self, *extra: str, rpc: str | None = None) -> tuple[int, dict[str, Any]]:
        args = ["chain", "check", "--db", self.database_url, "--rpc", rpc or self.rpc, "--json"]
        result = CliRunner().invoke(ledger_app, [*args, *extra])
        report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
        return result.exit_code, report

    def execute(self, sql: str, *params: Any) -> None:
        """Change the database behind the ledger's back, foreign keys off (a hand edit)."""
        if self.database_url.startswith("sqlite"):
            with sqlite3.connect(self.database_url.split("///", 1)[1]) as connection:
                connection.execute(sql.replace("%s", "?"), params)
            return
        url = self.database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("SET session_replication_role = replica")
            connection.execute(sql, params)


def rpc(url: str, method: str, *params: Any) -> Any:
    reply = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method,
                                     "params": list(params)}, timeout=10).json()  # fmt: skip
    assert "error" not in reply, reply
    return reply["result"]


def codes(report: dict[str, Any]) -> set[str]:
    return {d["code"] for d in report["differences"]}


def anchored_world(database_url: str, node: Anvil, count: int = 5) -> World:
    ledger = open_ledger(LedgerConfig(database_url=database_url, rpc_url=node.url,
                                      policy=AnchoringPolicy(max_batch=2)))  # fmt: skip
    auditor = SigningKey.generate()
    ledger.accredit(auditor.did, Role.AUDITOR)
    records = [ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(count)]
    report = ledger.anchorer.drain()
    assert report.error is None and len(report.anchored) == (count + 1) // 2
    return World(ledger, database_url, node.url, records)


@pytest.fixture
def world(database_url: str, node: Anvil) -> Iterator[World]:
    built = anchored_world(database_url, node)
    yield built
    built.ledger.close()


def test_a_database_that_agrees_with_the_chain_passes(world: World) -> None:
    code, report = world.check()
    assert (code, report["differences"]) == (0, [])
    assert (report["batchesChecked"], report["recordsChecked"]) == (3, 5)
    bare = world.database_url.removeprefix("sqlite:///")  # a SQLite path works as well
    human = CliRunner().invoke(ledger_app, ["chain", "check", "--db", bare, "--rpc", world.rpc])
    assert human.exit_code == 0 and "agree" in human.stdout


def test_a_changed_root_is_named(world: World) -> None:
    world.execute("UPDATE batches SET root = %s WHERE id = 2", "0x" + "ab" * 32)
    code, report = world.check()
    assert code == 1
    by_code = {(d["code"], d["batchId"]) for d in report["differences"]}
    # The database's root is not on chain; the chain's root is unknown to the database;
    # both records' proofs lead to the real root, not the stored one.
    assert {("batch_not_on_chain", 2), ("batch_unknown", 2), ("proof_invalid", 2)} == by_code


def test_a_changed_proof_and_a_changed_record_are_named(world: World) -> None:
    first, second = world.records[0], world.records[2]
    world.execute("UPDATE record_proofs SET proof = %s WHERE record_id = %s",
                  json.dumps(["0x" + "00" * 32]), first)  # fmt: skip
    world.execute("UPDATE records SET envelope = replace(envelope, 'audit', 'Audit') "
                  "WHERE id = %s", second)  # fmt: skip
    code, report = world.check()
    assert code == 1
    assert {(d["code"], d["recordId"]) for d in report["differences"]} == {
        ("proof_invalid", first),
        ("record_hash_differs", second),
    }


def test_changed_count_kind_and_time_are_named(world: World) -> None:
    world.execute("UPDATE batches SET count = 3, kind = 9 WHERE id = 1")
    world.execute("UPDATE batches SET anchored_at = created_at WHERE id = 3")
    world.execute("UPDATE batches SET block_number = block_number + 1000 WHERE id = 3")
    code, report = world.check()
    assert code == 1
    assert {(d["code"], d["batchId"]) for d in report["differences"]} == {
        ("count_differs", 1), ("kind_differs", 1), ("records_count_differs", 1),
        ("time_differs", 3), ("block_differs", 3),
    }  # fmt: skip


def test_a_block_hash_the_chain_does_not_have_is_named(world: World) -> None:
    # As after a reorg that re-mined the block at the same height.
    world.execute("UPDATE batches SET block_hash = '0x" + "ab" * 32 + "' WHERE id = 2")
    code, report = world.check()
    assert code == 1
    assert {(d["code"], d["batchId"]) for d in report["differences"]} == {("block_differs", 2)}


def test_a_deleted_batch_row_is_named(world: World) -> None:
    world.execute("DELETE FROM batches WHERE id = 1")
    code, report = world.check()
    assert code == 1
    assert {(d["code"], d["batchId"]) for d in report["differences"]} == {
        ("batch_row_missing", 1),  # its two records point at nothing
        ("batch_unknown", 1),  # and the chain holds a batch the database lost
    }


def test_a_chain_that_forgot_the_batches_is_named(database_url: str) -> None:
    # An anvil of its own: evm_revert races with requests on a shared node (foundry#4843).
    with Anvil() as node:
        _forget_and_check(database_url, node)


def _forget_and_check(database_url: str, node: Anvil) -> None:
    ledger = open_ledger(LedgerConfig(database_url=database_url, rpc_url=node.url,
                                      policy=AnchoringPolicy(max_batch=2)))  # fmt: skip
    try:
        auditor = SigningKey.generate()
        ledger.accredit(auditor.did, Role.AUDITOR)
        snapshot = rpc(node.url, "evm_snapshot")
        for _ in range(3):
            ledger.submit(signed_audit(auditor).to_dict())
        assert ledger.anchorer.drain().error is None
        world = World(ledger, database_url, node.url, [])
        assert world.check()[0] == 0
        assert rpc(node.url, "evm_revert", snapshot) is True
        code, report = world.check()
        assert code == 1
        assert {(d["code"], d["batchId"]) for d in report["differences"]} == {
            ("batch_not_on_chain", 1), ("batch_not_on_chain", 2),
        }  # fmt: skip
    finally:
        ledger.close()


def test_a_root_anchored_behind_the_databases_back_is_unknown(world: World) -> None:
    tree = MerkleTree.build([b"\x01" * 32, b"\x02" * 32])
    world.ledger.anchor.anchor(tree.root, 2, 1, int(world.ledger.anchor.last_batch_id()) + 1)
    code, report = world.check()
    assert code == 1
    assert codes(report) == {"batch_unknown"}
    assert report["differences"][0]["batchId"] == 4


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_another_chain_and_no_node_are_not_agreement(
    world: World, tmp_path: Any, database_url: str
) -> None:
    with Anvil(chain_id=4242) as other:
        code, report = world.check(rpc=other.url)
    assert code == 1 and codes(report) == {"chain_id_differs"}
    dead = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(
        ledger_app, ["chain", "check", "--db", world.database_url, "--rpc", dead]
    )
    assert result.exit_code == 2 and "unreachable" in result.stderr
    missing = CliRunner().invoke(ledger_app, ["chain", "check", "--db",
                                              f"sqlite:///{tmp_path}/nope.db", "--rpc", world.rpc])  # fmt: skip
    assert missing.exit_code == 2 and not (tmp_path / "nope.db").exists()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_command_runs_as_a_process(world: World, cli: Cli, database_url: str) -> None:
    agreed = cli.run("chain", "check", "--db", world.database_url, "--rpc", world.rpc)
    assert "database and chain agree" in agreed.stdout
    world.execute("DELETE FROM record_proofs WHERE record_id = %s", world.records[0])
    differs = cli.run("chain", "check", "--db", world.database_url, "--rpc", world.rpc,
                      check=False)  # fmt: skip
    assert differs.returncode == 1
    assert "proof_missing" in differs.stdout and world.records[0][:16] in differs.stdout
