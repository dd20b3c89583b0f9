"""A database the previous release made and filled, on a real chain, upgraded by this one:
every row is still there, every record's receipt is the one that release issued, and
``ledger verify`` still passes each against the chain; the ledger then goes on anchoring."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app as ledger_app
from domain import open_ledger, table_metadata
from ledger.chain.anvil import Anvil
from ledger.errors import SchemaMismatch
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import LedgerConfig
from ledger.store import migrations
from ledger.store.db import make_engine
from tests.conftest import run_previous_release
from tests.ledger.helpers import signed_audit

pytestmark = [pytest.mark.slow, pytest.mark.anvil]

# Run by the previous release's code: audits and a wage run (ledger and domain tables),
# anchored on the chain, and the receipts it issued.
FILL = """
import json, sys
from domain import open_ledger
from domain.wages.service import Wages
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import LedgerConfig
from tests.domain.wages.builders import employer_of, payroll
from tests.ledger.helpers import signed_audit

database_url, rpc, out = sys.argv[1:]
ledger = open_ledger(LedgerConfig(database_url=database_url, rpc_url=rpc))
auditor = SigningKey.generate()
ledger.accredit(auditor.did, Role.AUDITOR)
ids = [ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(4)]
run = Wages(ledger).submit_run(payroll(employer_of(ledger), [SigningKey.generate().did,
                                                             SigningKey.generate().did]))
ids += [line.id for line in run.lines]
report = ledger.anchorer.drain()
assert report.error is None, report.error
with open(out, "w") as sink:
    json.dump({"contract": ledger.deployment.address("ProvenanceAnchor"),
               "receipts": {i: ledger.receipt(i) for i in ids}}, sink)
ledger.close()
"""


@pytest.fixture
def anvil() -> Iterator[Anvil]:
    with Anvil() as node:
        yield node


def row_counts(url: str) -> dict[str, int]:
    """Rows per table, of the tables holding any (a table this release adds is empty)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            present = set(sa.inspect(connection).get_table_names())
            counts = {
                name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for name, table in table_metadata().tables.items()
                if name in present
            }
            return {name: n for name, n in counts.items() if n}
    finally:
        engine.dispose()


def verify(receipt: dict[str, Any], rpc: str, contract: str, folder: Path) -> dict[str, Any]:
    """``ledger verify <receipt> --rpc --contract --json``, as a holder of the receipt runs it."""
    path = folder / f"receipt-{receipt['leaf'][2:10]}.json"
    path.write_text(json.dumps(receipt))
    runner = CliRunner(env={"LEDGER_CONFIG_DIR": str(folder), "LEDGER_API_URL": None,
                            "LEDGER_RPC_URL": None})  # fmt: skip
    done = runner.invoke(ledger_app, ["verify", str(path), "--rpc", rpc, "--contract", contract,
                                      "--json"], catch_exceptions=False)  # fmt: skip
    assert done.exit_code == 0, done.stdout + done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_the_previous_release_s_records_still_verify_after_the_upgrade(
    previous_release: Path, database_url: str, anvil: Anvil, tmp_path: Path
) -> None:
    filled = tmp_path / "filled.json"
    run_previous_release(previous_release, FILL, database_url, anvil.url, str(filled))
    made = json.loads(filled.read_text())
    receipts: dict[str, dict[str, Any]] = made["receipts"]
    assert len(receipts) == 6 and all(r["proof"] is not None for r in receipts.values())
    counts = row_counts(database_url)
    assert counts["records"] == 6 and counts["wage_lines"] == 2 and counts["batches"] >= 2

    config = LedgerConfig(database_url=database_url, rpc_url=anvil.url)
    with pytest.raises(SchemaMismatch, match="this release needs"):
        open_ledger(config)  # behind: refused until upgraded
    runner = CliRunner(env={"DATABASE_URL": None, "LEDGER_DATABASE_URL": None})
    upgraded = runner.invoke(ledger_app, ["db", "upgrade", "--db", database_url])
    assert upgraded.exit_code == 0, upgraded.stdout + upgraded.stderr
    assert f"to {migrations.head_revision()}" in upgraded.stdout
    assert row_counts(database_url) == counts

    ledger = open_ledger(config)
    try:
        assert migrations.compare_with_models(ledger.engine, table_metadata()) == []
        contract = ledger.deployment.address("ProvenanceAnchor")
        assert contract == made["contract"]  # the same deployment, found in the database
        for record_id, issued in receipts.items():
            assert ledger.receipt(record_id) == issued
            report = verify(issued, anvil.url, contract, tmp_path)
            assert report["valid"] is True and report["failedCheck"] is None, report
        assert row_counts(database_url) == counts
        # And it goes on: the next batch (into the rebuilt batches table on SQLite) follows
        # the previous release's on chain, and its receipt verifies too.
        auditor = SigningKey.generate()
        ledger.accredit(auditor.did, Role.AUDITOR)
        fresh = ledger.submit(signed_audit(auditor).to_dict()).record_id
        assert ledger.anchorer.drain().error is None
        receipt = ledger.receipt(fresh)
        assert receipt["batchId"] > max(r["batchId"] for r in receipts.values())
        assert verify(receipt, anvil.url, contract, tmp_path)["valid"] is True
    finally:
        ledger.close()
