"""Memory of the largest accepted batch: how big its body is, and what the API's RSS grows by.

Run from the repository root::

    .venv/bin/python bench/body_memory.py

For each case a fresh API process (``uvicorn api.app:create_app --factory``, the embedded
EVM, a fresh SQLite file, no worker) gets ``POST /v1/attestations:batch``; the script
reads the process's ``VmRSS`` before and ``VmHWM`` (the peak) after, from ``/proc``. Cases:

* ``real_1000``: 1,000 real audit envelopes (``examples/audit.json``, each its own nonce),
  the largest batch the endpoint accepts;
* ``tiny_objects_at_limit``: a body of the most memory-hungry shape per byte (``{"a":0}``
  over and over) at ``--limit`` bytes, which is parsed in full before it is refused;
* ``tiny_xN``: ``--concurrent`` such bodies at once, with the default number of bulk slots
  (``LEDGER_MAX_CONCURRENT_BATCHES``), and ``tiny_xN_unbounded`` with a slot for each.

The body limit is the setting ``LEDGER_MAX_BATCH_BODY_BYTES`` (its default unless
``--limit`` is given). A table first; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from _helpers import REPO, print_table, sign_audits

from ledger.chain.anvil import free_port
from ledger.keys import SigningKey


def _proc_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def post(url: str, body: bytes) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=600) as http:
        return http.post(
            "/v1/attestations:batch", content=body, headers={"content-type": "application/json"}
        )


def measure(
    body: bytes,
    limit: int,
    auditor: SigningKey | None,
    *,
    concurrent: int = 1,
    env_extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One fresh server, ``concurrent`` copies of one batch at once; RSS before, peak after
    (MiB), the last status and the time all took."""
    port, token = free_port(), secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="ledger-bench-mem-") as tmp:
        env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{Path(tmp) / 'ledger.db'}",
               "LEDGER_ADMIN_TOKEN": token, "LEDGER_WORKER": "false",
               "LEDGER_MAX_BATCH_BODY_BYTES": str(limit), "LEDGER_RATE_WRITES": "",
               **(env_extra or {})}  # fmt: skip
        env.pop("DATABASE_URL", None)
        env.pop("LEDGER_RPC_URL", None)
        command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
                   "--host", "127.0.0.1", "--port", str(port),
                   "--log-level", "warning"]  # fmt: skip
        process = subprocess.Popen(command, cwd=REPO, env=env)
        try:
            url = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=url, timeout=600) as http:
                deadline = time.monotonic() + 90
                while True:
                    try:
                        if http.get("/v1/health").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError("the API did not come up")
                    time.sleep(0.2)
                if auditor is not None:
                    accredited = http.post(
                        "/v1/admin/signers",
                        json={"did": auditor.did, "role": "auditor"},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    accredited.raise_for_status()
                before = _proc_kib(process.pid, "VmRSS")
                start = time.perf_counter()
                with ThreadPoolExecutor(concurrent) as pool:
                    replies = list(pool.map(lambda _: post(url, body), range(concurrent)))
                reply = replies[-1]
                seconds = time.perf_counter() - start
                peak = _proc_kib(process.pid, "VmHWM")
        finally:
            process.terminate()
            process.wait(timeout=30)
    accepted = reply.json().get("accepted") if reply.status_code == 200 else None
    return {
        "body_bytes": len(body),
        "concurrent": concurrent,
        "rss_before_mib": round(before / 1024, 1),
        "peak_mib": round(peak / 1024, 1),
        "growth_mib": round((peak - before) / 1024, 1),
        "growth_per_body_byte": round((peak - before) * 1024 / len(body) / concurrent, 1),
        "status": reply.status_code,
        "accepted": accepted,
        "seconds": round(seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, default=None, help="body limit for every case")
    parser.add_argument("--concurrent", type=int, default=4, help="bodies sent at once")
    args = parser.parse_args(argv)
    auditor = SigningKey.generate()
    envelopes = [e.to_dict() for e in sign_audits(auditor, 1000)]
    real = json.dumps({"envelopes": envelopes}).encode()
    from api.settings import Settings

    limit = args.limit or Settings().max_batch_body_bytes
    filler = b'{"a":0},'
    count = (limit - len(b'{"envelopes":[]}') + 1) // len(filler)
    tiny = b'{"envelopes":[' + filler * (count - 1) + filler[:-1] + b"]}"
    unbounded = {"LEDGER_MAX_CONCURRENT_BATCHES": str(args.concurrent)}
    results: dict[str, Any] = {
        "limit_bytes": limit,
        "real_1000": measure(real, max(limit, len(real)), auditor),
        "tiny_objects_at_limit": measure(tiny, limit, None),
        f"tiny_x{args.concurrent}": measure(tiny, limit, None, concurrent=args.concurrent),
        f"tiny_x{args.concurrent}_unbounded": measure(
            tiny, limit, None, concurrent=args.concurrent, env_extra=unbounded
        ),
    }
    rows = [("body limit", f"{limit:,}", "LEDGER_MAX_BATCH_BODY_BYTES")]
    for name, r in results.items():
        if not isinstance(r, dict):
            continue
        copies = f"{r['concurrent']} x " if r["concurrent"] > 1 else ""
        rows += [
            (f"{name}: body", f"{copies}{r['body_bytes']:,}",
             f"HTTP {r['status']}, {r['seconds']} s"),
            (f"{name}: RSS growth", f"{r['growth_mib']} MiB",
             f"{r['growth_per_body_byte']}x each body; peak {r['peak_mib']} MiB"),
        ]  # fmt: skip
    print_table("Batch body memory (a fresh API process per case)", rows)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
