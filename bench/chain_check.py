"""How long ``ledger chain check`` takes over an anchored ledger on anvil.

Run from the repository root::

    .venv/bin/python bench/chain_check.py                 # 10,000 records, SQLite
    .venv/bin/python bench/chain_check.py --records 2000  # quicker
    .venv/bin/python bench/chain_check.py --db postgresql://postgres@127.0.0.1:5432/DB

Builds the ledger (signed audits in :batch-sized chunks, anchored in batches of 1,024 on an
anvil started with --prune-history), then times :func:`ledger.consistency.check_consistency`
(the command's whole work: chain id, events, every batch and every record). The last line is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from _helpers import sign_audits

from domain import open_ledger
from ledger.anchoring import AnchoringPolicy
from ledger.chain.anvil import Anvil
from ledger.consistency import check_consistency
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import LedgerConfig

CHUNK = 1000  # envelopes per submit_many, as in one :batch request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--db", default=None, help="an empty database (default: SQLite in /tmp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, Anvil() as node:
        url = args.db or f"sqlite:///{Path(folder) / 'ledger.db'}"
        ledger = open_ledger(LedgerConfig(database_url=url, rpc_url=node.url,
                                          policy=AnchoringPolicy(max_batch=1024)))  # fmt: skip
        try:
            auditor = SigningKey.generate()
            ledger.accredit(auditor.did, Role.AUDITOR)
            bodies = [e.to_dict() for e in sign_audits(auditor, args.records)]
            for start in range(0, len(bodies), CHUNK):
                ledger.submit_many(bodies[start : start + CHUNK])
            drained = ledger.anchorer.drain(timeout=600)
            assert drained.error is None, drained.error
            started = time.perf_counter()
            report = check_consistency(ledger.engine, ledger.anchor, ledger.deployment)
            seconds = time.perf_counter() - started
        finally:
            ledger.close()
    assert report.ok, report.differences[:5]
    print(f"chain check: {report.records_checked} records in {report.batches_checked} batches, "
          f"{seconds:.2f} s ({report.records_checked / seconds:,.0f} records/s)")  # fmt: skip
    print(json.dumps({"records": report.records_checked, "batches": report.batches_checked,
                      "seconds": round(seconds, 3), "dialect": url.split(":", 1)[0]}))  # fmt: skip


if __name__ == "__main__":
    main()
