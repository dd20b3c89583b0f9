"""Trace latency over a large supplier graph, on SQLite and on PostgreSQL, against the time
PostgreSQL takes for the bare recursive CTE over the same edges (the floor).

    .venv/bin/python bench/trace.py             # 10,000 facilities, 100,000 records (~3-5 min)
    .venv/bin/python bench/trace.py --quick     # 1,000 facilities, 10,000 records

The graph: one brand and five tiers below it (0.1 %, 1 %, 10 %, 35 % and the rest), each
facility supplied by two to four facilities of the next tier, shared between buyers (a DAG).
Records: every supply link (a `supply-link` record row and its `supply_links` row); a real
signed audit, admitted through the ledger's bulk path, for 40 % of the facilities (a third of
them expired); payroll lines for the rest of the records, written to the wage tables as
admitted runs of 10 lines would be. Links and wage rows are inserted directly (their
admission is measured by bench/ingest.py and bench/wages.py); the trace reads only what is
stored, so the shape is what matters here.

Reported, one run: the full trace's latency (median and p95 of repeated requests through
`domain.supply.trace.brand_trace`), and PostgreSQL's bare CTE (the same `WITH RECURSIVE`, no
evidence). Target (benchmark, not a test): the full trace within 5x the bare CTE. The last
line is one JSON object.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from _helpers import print_table
from sqlalchemy import insert, text

from domain import open_ledger
from domain.scores import evidence_of, score
from domain.supply import trace
from domain.supply.graph import _TIERS
from domain.supply.models import FacilityRow, FacilitySource, SupplyLinkRow
from domain.wages.models import WageLineRow, WageRunRow
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import session_scope
from ledger.store.models import RecordRow

BRAND = "brand-bench"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def tiers_of(facilities: int) -> list[list[str]]:
    """The brand, then five tiers of 0.1 %, 1 %, 10 %, 35 % and the rest of the facilities."""
    below = facilities - 1
    sizes = [max(2, below * share // 1000) for share in (1, 10, 100, 350)]
    sizes.append(below - sum(sizes))
    names, n = [[BRAND]], 0
    for tier, size in enumerate(sizes, start=1):
        names.append([f"fac-t{tier}-{n + i:05d}" for i in range(size)])
        n += size
    return names


def build(ledger: Ledger, facilities: int, records: int, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    tiers = tiers_of(facilities)
    now = datetime.now(UTC)
    links: list[dict[str, Any]] = []
    for upper, lower in itertools.pairwise(tiers):
        for i, supplier in enumerate(lower):
            buyers = {upper[i % len(upper)], *rng.sample(upper, min(len(upper), rng.randint(1, 3)))}
            for buyer in sorted(buyers):
                links.append(
                    {
                        "record_id": "0x" + uuid.uuid4().hex * 2,
                        "buyer": buyer,
                        "supplier": supplier,
                        "product": "yarn",
                        "period_from": date(2026, 1, 1),
                        "period_to": date(2026, 12, 31),
                        "purchase_order": None,
                        "signer": "did:key:bench",
                        "received_at": now,
                        "confirmation_record_id": ("0x" + uuid.uuid4().hex * 2)
                        if rng.random() < 0.9
                        else None,
                    }
                )
    everyone = [f for tier in tiers for f in tier]
    with session_scope(ledger.engine) as session:
        session.execute(
            insert(FacilityRow),
            [
                {
                    "id": f,
                    "name": f,
                    "country": "BD",
                    "sector": "brand" if f == BRAND else "textiles",
                    "source": FacilitySource.FACILITY,
                    "record_id": "0x" + "00" * 32,
                    "updated_at": now,
                }
                for f in everyone
            ],
        )
        session.execute(insert(SupplyLinkRow), links)
        session.execute(
            insert(RecordRow),
            [
                {
                    "id": link["record_id"],
                    "kind": "supply-link",
                    "signer": "did:key:bench",
                    "nonce": uuid.uuid4().hex,
                    "created": now,
                    "received_at": now,
                    "subject": link["buyer"],
                    "envelope": "{}",
                }
                for link in links
            ],
        )

    auditor = SigningKey.generate()
    ledger.accredit(auditor.did, Role.AUDITOR)
    audited = rng.sample(everyone[1:], int(len(everyone) * 0.4))
    envelopes = []
    for index, facility in enumerate(audited):
        expired = index % 3 == 0
        payload = _audit(facility, expired)
        envelopes.append(sign_envelope("audit", payload, auditor).to_dict())
    for start in range(0, len(envelopes), 2_000):
        for result in ledger.submit_many(envelopes[start : start + 2_000]):
            assert not isinstance(result, Exception), result

    wage_lines = max(0, records - len(links) - len(envelopes))
    paid = [f for f in everyone[1:] if f not in set(audited)] or everyone[1:]
    runs, lines = [], []
    for r in range(wage_lines // 10):
        run_id, facility = f"urn:uuid:{uuid.uuid4()}", paid[r % len(paid)]
        runs.append(
            {
                "run_id": run_id,
                "facility": facility,
                "country": "BD",
                "period_start": date(2026, 10, 1) + timedelta(days=31 * (r // len(paid) % 2)),
                "period_end": date(2026, 10, 31) + timedelta(days=30 * (r // len(paid) % 2)),
                "currency": "BDT",
                "lines": 10,
                "employer": "did:key:bench",
                "rules_version": "2026.1",
                "received_at": now,
            }
        )
        for line in range(1, 11):
            lines.append(
                {
                    "record_id": "0x" + uuid.uuid4().hex * 2,
                    "run_id": run_id,
                    "line": line,
                    "facility": facility,
                    "period_start": runs[-1]["period_start"],
                    "worker": f"commitment:{uuid.uuid4().hex * 2}",
                    "employer": "did:key:bench",
                    "gross": "12500.00",
                    "net": "12200.00",
                    "compliant": line != 3,
                    "violations": "[]" if line != 3 else '[{"rule": "hours-cap"}]',
                    "recruitment_fee": "0",
                }
            )
    with session_scope(ledger.engine) as session:
        if runs:
            session.execute(insert(WageRunRow), runs)
            for start in range(0, len(lines), 20_000):
                session.execute(insert(WageLineRow), lines[start : start + 20_000])
    return {
        "facilities": len(everyone),
        "links": len(links),
        "audits": len(envelopes),
        "wage_lines": len(lines),
        "records": len(links) + len(envelopes) + len(lines),
    }


def _audit(facility: str, expired: bool) -> dict[str, Any]:
    year = 2024 if expired else 2026
    return {
        "schema": "audit/v1",
        "facility": {"id": facility, "name": facility, "country": "BD"},
        "scheme": {"name": "SMETA", "version": "7.0"},
        "auditType": "full",
        "notice": "announced",
        "startDate": f"{year}-03-01",
        "endDate": f"{year}-03-02",
        "validUntil": f"{year + 1}-03-02",
        "auditFirm": {"name": "Bench Audits"},
        "scope": "bench",
        "workersInterviewed": 10,
        "overallRating": "C",
        "findings": [
            {
                "id": "F1",
                "clause": "ETI 6",
                "iloIndicators": ["excessive-overtime"],
                "severity": "major",
                "description": "overtime",
                "evidence": [],
                "status": "open",
            }
        ],
    }


def time_trace(ledger: Ledger, repeats: int) -> tuple[list[float], int]:
    samples, nodes = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        with session_scope(ledger.engine) as session:
            found = trace.brand_trace(session, BRAND, 10, datetime.now(UTC))
        samples.append(time.perf_counter() - start)
        nodes = len(found.nodes)
    return samples, nodes


def time_score(ledger: Ledger, facility: str, repeats: int) -> list[float]:
    """One facility's score as ``GET /v1/facilities/{id}/score`` computes it."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        with session_scope(ledger.engine) as session:
            score(evidence_of(session, facility, datetime.now(UTC)))
        samples.append(time.perf_counter() - start)
    return samples


def time_bare_cte(ledger: Ledger, repeats: int) -> list[float]:
    query = text(_TIERS.format(seeds="SELECT CAST(:root AS VARCHAR(64)), 0"))
    samples = []
    for _ in range(repeats):
        with ledger.engine.connect() as connection:
            start = time.perf_counter()
            connection.execute(query, {"root": BRAND, "depth": 10}).all()
            samples.append(time.perf_counter() - start)
    return samples


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    facilities, records = (1_000, 10_000) if args.quick else (10_000, 100_000)
    repeats = args.repeats or (10 if args.quick else 20)
    result: dict[str, Any] = {"facilities": facilities, "records": records}
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        name = f"bench_trace_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            for label, url in (
                ("sqlite", f"sqlite:///{Path(folder) / 'trace.db'}"),
                ("postgres", POSTGRES.format(name=name)),
            ):
                ledger = open_ledger(LedgerConfig(database_url=url))
                try:
                    start = time.perf_counter()
                    built = build(ledger, facilities, records)
                    print(
                        f"{label}: built {built} in {time.perf_counter() - start:.1f} s",
                        file=sys.stderr,
                    )
                    samples, nodes = time_trace(ledger, repeats)
                    result[label] = {
                        "trace_median_s": round(statistics.median(samples), 4),
                        "trace_p95_s": round(p95(samples), 4),
                        "nodes": nodes,
                        **built,
                    }
                    rows.append(
                        (
                            f"{label}: full trace, median",
                            f"{statistics.median(samples):.3f} s",
                            f"{nodes} nodes",
                        )
                    )
                    rows.append((f"{label}: full trace, p95", f"{p95(samples):.3f} s", ""))
                    tiers = tiers_of(facilities)
                    for where, facility in (("tier 4", tiers[4][0]), ("tier 1", tiers[1][0])):
                        spent = time_score(ledger, facility, repeats * 3)
                        result[label][f"score_{where.replace(' ', '')}_median_s"] = round(
                            statistics.median(spent), 4
                        )
                        result[label][f"score_{where.replace(' ', '')}_p95_s"] = round(
                            p95(spent), 4
                        )
                        met = (
                            ""
                            if label == "sqlite"
                            else (
                                "target p95 < 20 ms: " + ("met" if p95(spent) < 0.02 else "NOT met")
                            )
                        )
                        ms = f"{statistics.median(spent) * 1e3:.1f} / {p95(spent) * 1e3:.1f} ms"
                        rows.append((f"{label}: one score ({where}), median / p95", ms, met))
                    if label == "postgres":
                        bare = time_bare_cte(ledger, repeats)
                        floor = statistics.median(bare)
                        result["postgres"]["bare_cte_median_s"] = round(floor, 4)
                        ratio = statistics.median(samples) / floor
                        result["postgres_trace_over_bare_cte"] = round(ratio, 1)
                        result["target_5x_met"] = ratio <= 5
                        rows.append(
                            ("postgres: bare recursive CTE, median", f"{floor:.4f} s", "the floor")
                        )
                        rows.append(
                            (
                                "full trace / bare CTE (PostgreSQL)",
                                f"{ratio:.1f}x",
                                "target <= 5x: " + ("met" if ratio <= 5 else "NOT met"),
                            )
                        )
                finally:
                    ledger.close()
        finally:
            with psycopg.connect(
                "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
            ) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print_table("Trace over a 5-tier supplier graph (one run)", rows)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
