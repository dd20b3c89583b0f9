"""Memory of the largest accepted batch: how big its body is, and what the API's RSS grows by.

Run from the repository root::

    .venv/bin/python bench/body_memory.py

For each case a fresh API process (``uvicorn api.app:create_app --factory``, the embedded
EVM, a fresh SQLite file, no worker) gets one ``POST /v1/attestations:batch``; the script
reads the process's ``VmRSS`` before and ``VmHWM`` (the peak) after, from ``/proc``. Cases:

* ``real_1000``: 1,000 real audit envelopes (``examples/audit.json``, each its own nonce),
  the largest batch the endpoint accepts;
* ``tiny_objects_at_limit``: a body of the most memory-hungry shape per byte (``{"a":0}``
  over and over) at ``--limit`` bytes, which is parsed in full before it is refused.

The body limit is the setting ``LEDGER_MAX_BATCH_BODY_BYTES``; ``--limit`` starts the
second case's server with it. A table first; the last line is one JSON object.
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


def measure(body: bytes, limit: int, auditor: SigningKey | None) -> dict[str, Any]:
    """One fresh server, one batch; RSS before, peak after (MiB), status and time."""
    port, token = free_port(), secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="ledger-bench-mem-") as tmp:
        env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{Path(tmp) / 'ledger.db'}",
               "LEDGER_ADMIN_TOKEN": token, "LEDGER_WORKER": "false",
               "LEDGER_MAX_BATCH_BODY_BYTES": str(limit), "LEDGER_RATE_WRITES": ""}  # fmt: skip
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
                reply = http.post(
                    "/v1/attestations:batch",
                    content=body,
                    headers={"content-type": "application/json"},
                )
                seconds = time.perf_counter() - start
                peak = _proc_kib(process.pid, "VmHWM")
        finally:
            process.terminate()
            process.wait(timeout=30)
    accepted = reply.json().get("accepted") if reply.status_code == 200 else None
    return {
        "body_bytes": len(body),
        "rss_before_mib": round(before / 1024, 1),
        "peak_mib": round(peak / 1024, 1),
        "growth_mib": round((peak - before) / 1024, 1),
        "growth_per_body_byte": round((peak - before) * 1024 / len(body), 1),
        "status": reply.status_code,
        "accepted": accepted,
        "seconds": round(seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, default=None, help="body limit for both cases")
    args = parser.parse_args(argv)
    auditor = SigningKey.generate()
    envelopes = [e.to_dict() for e in sign_audits(auditor, 1000)]
    real = json.dumps({"envelopes": envelopes}).encode()
    from api.settings import Settings

    limit = args.limit or Settings().max_batch_body_bytes
    filler = b'{"a":0},'
    count = (limit - len(b'{"envelopes":[]}') + 1) // len(filler)
    tiny = b'{"envelopes":[' + filler * (count - 1) + filler[:-1] + b"]}"
    results = {
        "limit_bytes": limit,
        "real_1000": measure(real, max(limit, len(real)), auditor),
        "tiny_objects_at_limit": measure(tiny, limit, None),
    }
    rows = [("body limit", f"{limit:,}", "LEDGER_MAX_BATCH_BODY_BYTES")]
    for name in ("real_1000", "tiny_objects_at_limit"):
        r = results[name]
        rows += [
            (f"{name}: body", f"{r['body_bytes']:,}", f"HTTP {r['status']}, {r['seconds']} s"),
            (f"{name}: RSS growth", f"{r['growth_mib']} MiB",
             f"{r['growth_per_body_byte']}x the body; peak {r['peak_mib']} MiB"),
        ]  # fmt: skip
    print_table("Batch body memory (one request, fresh process)", rows)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
