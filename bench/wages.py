"""Payroll ingest: a 10,000-line run through the real API, and through the engine alone,
against the raw single-core signature-verify rate measured in the same run.

    .venv/bin/python bench/wages.py            # one 10,000-line run (~1-2 min)
    .venv/bin/python bench/wages.py --quick    # 2,000 lines

The API runs as a uvicorn subprocess on a fresh SQLite file bound to a fresh anvil, its
anchoring worker off (ingest alone). The run is one request (`POST /v1/wages`): it is
admitted all or none, so the figure covers shape, payload schema, every line's Ed25519
signature, the employer's accreditation and facility scope, the clock and nonces, the run's
rules, the compliance engine on every line, and the inserts with one durable commit. The
engine alone is `check_line` over the parsed lines (no signatures, no database). Target (a
benchmark, not a test): the API at >= 0.5x the raw verify rate. The last line is one JSON
object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from _helpers import pinned_to_one_core, print_table, raw_verify_per_s, timed
from ingest import api_server

from domain import open_ledger
from domain.wages.engine import check_line, load_rules
from domain.wages.schema import WageLinePayload
from ledger.chain.anvil import Anvil
from ledger.chain.contracts import facility_scope
from ledger.envelope import Envelope, sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import LedgerConfig

FACILITY = "fac-my-penang-pcb-03"
TARGET = 0.5


def line_payload(run: dict[str, Any], number: int, worker: str) -> dict[str, Any]:
    """A compliant Malaysian line (as tests/domain/wages/builders.py builds them)."""
    week = {"ordinary": "40", "overtime": "4", "restDay": "0"}
    return {
        "schema": "wage/v1", "run": run, "line": number, "worker": {"did": worker},
        "rates": {"ordinary": "10.00", "overtime": "15.00", "restDay": "20.00"},
        "weeks": [week, week, week, week, {"ordinary": "16", "overtime": "0", "restDay": "0"}],
        "gross": "2000.00",
        "deductions": {"socialSecurity": {"amount": "22.50", "reason": "EPF and SOCSO"}},
        "net": "1977.50", "paidOn": "2026-12-05", "method": "bank",
    }  # fmt: skip


def sign_run(employer: SigningKey, lines: int) -> list[Envelope]:
    run = {
        "id": f"urn:uuid:{uuid.uuid4()}", "facility": FACILITY, "country": "MY",
        "periodStart": "2026-11-01", "periodEnd": "2026-11-30", "currency": "MYR",
        "lines": lines,
    }  # fmt: skip
    workers = [SigningKey.generate().did for _ in range(lines)]
    return [
        sign_envelope("wage", line_payload(run, n, workers[n - 1]), employer)
        for n in range(1, lines + 1)
    ]


def engine_lines_per_s(envelopes: list[Envelope]) -> tuple[float, int]:
    rules = load_rules()
    lines = [WageLinePayload.model_validate(dict(e.payload)) for e in envelopes]
    found = 0

    def run() -> None:
        nonlocal found
        found = sum(len(check_line(line, rules)) for line in lines)

    with pinned_to_one_core():
        seconds = timed(run)
    return len(lines) / seconds, found


def prepare(database_url: str, rpc_url: str, employer: SigningKey) -> None:
    ledger = open_ledger(LedgerConfig(database_url=database_url, rpc_url=rpc_url))
    try:
        ledger.accredit(employer.did, Role.EMPLOYER)
        granted = ledger.grant_scope(
            employer.did, Role.EMPLOYER, facility_scope(FACILITY), facility=FACILITY
        )
        # Lines signed before the grant's block time are outside it (anvil's clock may lead).
        time.sleep(max(0.0, (granted - datetime.now(UTC)).total_seconds() + 0.05))
    finally:
        ledger.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="2,000 lines instead of 10,000")
    parser.add_argument("--lines", type=int, help="lines in the run")
    args = parser.parse_args(argv)
    count = args.lines or (2_000 if args.quick else 10_000)
    employer = SigningKey.generate()
    with Anvil() as node, tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        folder = Path(tmp)
        database_url = f"sqlite:///{folder / 'ledger.db'}"
        prepare(database_url, node.url, employer)  # accredited and scoped before it signs
        started = time.perf_counter()
        envelopes = sign_run(employer, count)
        signing_s = time.perf_counter() - started
        body = json.dumps({"lines": [e.to_dict() for e in envelopes]}).encode()
        with api_server(
            database_url, node.url, folder, worker=False, max_body_bytes=None
        ) as server:
            started = time.perf_counter()
            response = httpx.post(
                f"{server.url}/v1/wages", content=body,
                headers={"Content-Type": "application/json"}, timeout=600,
            )  # fmt: skip
            api_s = time.perf_counter() - started
    accepted = response.status_code == 201
    engine_per_s, violations = engine_lines_per_s(envelopes)
    with pinned_to_one_core():
        raw = raw_verify_per_s(envelopes)
    api_per_s = count / api_s if accepted else None
    ratio = None if api_per_s is None else api_per_s / raw
    rows = [
        (f"API: one run of {count:,} lines", "failed" if api_per_s is None else
         f"{api_per_s:,.0f} lines/s", f"{api_s:.1f} s; body {len(body) / 1e6:.1f} MB"),
        ("engine alone (check_line)", f"{engine_per_s:,.0f} lines/s",
         f"{violations} violations found"),
        ("raw PyNaCl verify (one core)", f"{raw:,.0f}/s", ""),
        ("API / raw verify", "-" if ratio is None else f"{ratio:.3f}",
         f"target >= {TARGET}: {'met' if ratio is not None and ratio >= TARGET else 'NOT met'}"),
        ("employer signing the run", f"{count / signing_s:,.0f} lines/s", "client side"),
    ]  # fmt: skip
    print_table("Payroll ingest", rows)
    if not accepted:
        print(f"API error {response.status_code}: {response.text[:800]}")
    print(json.dumps({
        "lines": count,
        "api_lines_per_s": None if api_per_s is None else round(api_per_s, 1),
        "engine_lines_per_s": round(engine_per_s, 1),
        "raw_verify_per_s": round(raw, 1),
        "api_to_raw_ratio": None if ratio is None else round(ratio, 4),
        "target_ratio": TARGET,
        "target_met": ratio is not None and ratio >= TARGET,
        "body_bytes": len(body),
        "api_status": response.status_code,
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
