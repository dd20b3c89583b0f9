"""Payroll through the real command line against a live `ledger serve`: the employer signs
and submits a CSV run, a worker acknowledges and disputes a line from their wallet."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import Cli, start_server

REPO = Path(__file__).resolve().parents[2]
FACILITY = "fac-my-penang-pcb-03"

pytestmark = pytest.mark.slow


def _payroll_for(worker: str, folder: Path) -> Path:
    """examples/payroll.csv with its first worker replaced by a wallet we hold."""
    rows = (REPO / "examples/payroll.csv").read_text().splitlines()
    first = rows[1].split(",", 1)
    rows[1] = worker + "," + first[1]
    path = folder / "payroll.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_submit_a_payroll_and_dispute_a_line(cli: Cli, tmp_path: Path) -> None:
    running = start_server(cli)
    try:
        employer = cli.run("keys", "new", "--out", "employer.key").stdout.strip()
        # Returns once the scope holds by this machine's clock (the embedded EVM's runs ahead):
        # the lines signed right after it are in scope.
        cli.run("admin", "accredit", employer, "--role", "employer", "--facility", FACILITY)
        cli.env["LEDGER_WALLET_PIN"] = "2468"
        worker = cli.run(
            "wallet", "new", "--wallet", "worker.wallet", "--insecure-fast-kdf", "--no-duress"
        ).stdout
        payroll = _payroll_for(worker.strip(), tmp_path)

        # The interface's form: no --country, the rules' one country paying in MYR.
        submitted = cli.run("wages", "submit", str(payroll), "--facility", FACILITY,
                            "--key", "employer.key")  # fmt: skip
        body = json.loads(submitted.stdout)
        assert len(body["lines"]) == 10 and all(line["compliant"] for line in body["lines"])
        assert "10 lines admitted, 0 with violations" in submitted.stderr
        mine = body["lines"][0]["id"]

        disputed = cli.run("wallet", "ack", mine, "--wallet", "worker.wallet", "--disputed",
                           "--reason", "hours-wrong")  # fmt: skip
        assert json.loads(disputed.stdout)["status"] == "pending"
        period = httpx.get(f"{running.url}/v1/facilities/{FACILITY}/wages").json()["periods"][0]
        assert (period["lines"], period["disputed"]) == (10, 1)
        assert worker.strip() not in json.dumps(period)

        again = cli.run("wages", "submit", str(payroll), "--facility", FACILITY,
                        "--key", "employer.key", "--country", "MY", check=False)  # fmt: skip
        assert again.returncode == 1 and "conflict" in again.stderr
        broken = tmp_path / "broken.csv"
        broken.write_text(payroll.read_text().replace("2026-12-05", "5 Dec 2026", 1))
        refused = cli.run("wages", "submit", str(broken), "--facility", FACILITY,
                          "--key", "employer.key", "--country", "MY", check=False)  # fmt: skip
        assert refused.returncode == 1 and "row 2, column paid_on" in refused.stderr
        euros = tmp_path / "euros.csv"
        euros.write_text(payroll.read_text().replace(",MYR,", ",EUR,"))
        unnamed = cli.run("wages", "submit", str(euros), "--facility", FACILITY,
                          "--key", "employer.key", check=False)  # fmt: skip
        assert unnamed.returncode == 2 and "name --country" in unnamed.stderr
    finally:
        running.stop()
