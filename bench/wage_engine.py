"""The wage engine at its bounds: a 100,000-row payroll read, turned into lines and checked.

Times ``read_payroll`` (CSV to typed rows), ``to_lines`` (rows to ``wage/v1`` lines, the
pydantic models the record kind signs) and ``check_run`` (every rule over every line) on a
generated monthly Malaysian run of ``--rows`` rows (default 100,000, the file bound), and the
peak Python memory (tracemalloc) of each stage and of a pathological 20 MB file of empty
columns (refused). One core; the last line is one JSON object. Targets: the whole 100,000-row check
within 60 s; nothing asserts it.

    .venv/bin/python bench/wage_engine.py            # ~90 s (each stage runs twice)
    .venv/bin/python bench/wage_engine.py --rows 10000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
import tracemalloc
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from domain.wages.engine import check_run, load_rules
from domain.wages.errors import PayrollInvalid
from domain.wages.payroll_csv import MAX_BYTES, REQUIRED_COLUMNS, read_payroll, to_lines

T = TypeVar("T")
TARGET_S = 60.0


def _payroll(rows: int) -> bytes:
    lines = [",".join([*REQUIRED_COLUMNS, "pay_basis"])]
    for n in range(rows):
        rate = Decimal(900 + n % 400) / 100
        overtime = Decimal(n % 50)
        ot_rate = (rate * Decimal(3) / 2).quantize(Decimal("0.01"), ROUND_HALF_UP)
        gross = rate * 195 + (overtime * ot_rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
        social = (gross / 50).quantize(Decimal("0.01"), ROUND_HALF_UP)
        worker = hashlib.sha256(n.to_bytes(8, "big")).hexdigest()
        cells = [worker, "2026-11-01", "2026-11-30", "MYR", "195", str(overtime), "0", str(rate),
                 str(ot_rate), str(gross), "0", str(social), "0", "0", "0", "0", "0", "0",
                 str(gross - social), "2026-12-05", "bank", "monthly"]  # fmt: skip
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()


def _measure(stage: Callable[[], T]) -> tuple[T, float, int]:
    """The stage's result and time (untraced), then its peak memory (a second, traced run:
    tracemalloc slows Python down several times)."""
    started = time.perf_counter()
    result = stage()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    stage()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    data = _payroll(rows)
    rules = load_rules()
    parsed, read_s, read_peak = _measure(lambda: read_payroll(data))
    lines, lines_s, lines_peak = _measure(
        lambda: to_lines(parsed, facility="fac-my-penang-pcb-03", country="MY")
    )
    report, check_s, check_peak = _measure(lambda: check_run(lines, rules))
    wide = b"," * (MAX_BYTES - 1) + b"\n"

    def refuse_wide() -> str:
        try:
            read_payroll(wide)
        except PayrollInvalid as exc:
            return exc.errors[0]["detail"]
        return "accepted"

    wide_detail, wide_s, wide_peak = _measure(refuse_wide)
    total = read_s + lines_s + check_s
    result = {
        "rows": rows,
        "bytes": len(data),
        "read_s": round(read_s, 2),
        "to_lines_s": round(lines_s, 2),
        "check_s": round(check_s, 2),
        "total_s": round(total, 2),
        "rows_per_s": round(rows / total),
        "peak_mib": {
            "read": round(read_peak / 2**20, 1),
            "to_lines": round(lines_peak / 2**20, 1),
            "check": round(check_peak / 2**20, 1),
        },
        "violations": len(report.violations),
        "wide_file": {
            "detail": wide_detail,
            "s": round(wide_s, 2),
            "peak_mib": round(wide_peak / 2**20, 1),
        },
        "target_total_s": TARGET_S,
        "target_met": total <= TARGET_S if rows >= 100_000 else None,
    }
    print(f"{rows:,} rows ({len(data) / 1e6:.1f} MB): read {read_s:.1f} s, lines {lines_s:.1f} s, "
          f"check {check_s:.1f} s; {result['rows_per_s']:,} rows/s")  # fmt: skip
    print(f"peak memory MiB: {result['peak_mib']}; 20 MB of commas: {wide_detail!r} in "
          f"{wide_s:.1f} s, peak {result['wide_file']['peak_mib']} MiB")  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
