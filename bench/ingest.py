"""Envelopes per second through the HTTP API, against the raw verify rate of the same run.

Run from the repository root::

    .venv/bin/python bench/ingest.py             # the full run
    .venv/bin/python bench/ingest.py --quick     # fewer envelopes, under a minute
    .venv/bin/python bench/ingest.py --worker    # with the anchoring worker running meanwhile
    .venv/bin/python bench/ingest.py --workers 2 --db postgresql://postgres@127.0.0.1/postgres

The real API (``uvicorn api.app:create_app --factory``, ``--workers N`` processes) runs in a
subprocess on 127.0.0.1 on a free port, configured only through its ``LEDGER_*`` settings: a
fresh SQLite file, or with ``--db`` a PostgreSQL server on which a scratch database is made
for the run and dropped after it (several processes need PostgreSQL, as ``ledger serve``
says), the anvil
this script starts (:class:`ledger.chain.anvil.Anvil`, --prune-history), an admin token, and
the anchoring worker **disabled** unless ``--worker`` is given (so the figures are ingest
alone; afterwards everything is anchored through ``POST /v1/admin/anchor``). The auditor is
accredited through the ledger object directly, before the server starts.

Two modes, over audit envelopes signed beforehand:

* single: ``POST /v1/attestations``, one envelope per request, from a few concurrent clients;
* batch: ``POST /v1/attestations:batch`` in chunks of 1,000, from one client per API
  process (one request at a time each), so every process has a batch to work on.

Then a bare PyNaCl verify loop over the same signatures (one core). A table comes first; the
last line is one JSON object. An API failure is reported with endpoint, status and body.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from _helpers import REPO, pinned_to_one_core, print_table, raw_verify_per_s, sign_audits
from _wire import WireClient

from domain import open_ledger
from ledger.chain.anvil import Anvil, free_port
from ledger.envelope import Envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import LedgerConfig

CHUNK = 1000
SERVER_START_TIMEOUT = 90.0


@dataclass(frozen=True)
class Server:
    url: str
    admin_token: str
    log_path: Path


@dataclass
class ModeResult:
    """One mode's throughput; ``errors`` keeps the first few failures verbatim."""

    name: str
    sent: int = 0
    accepted: int = 0
    seconds: float = 0.0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def per_s(self) -> float | None:
        """Accepted envelopes per second; None when nothing was accepted."""
        return self.accepted / self.seconds if self.accepted and self.seconds else None

    def fail(self, endpoint: str, status: int, body: str) -> None:
        if len(self.errors) < 3:
            self.errors.append({"endpoint": endpoint, "status": status, "body": body[:600]})


# -- server ---------------------------------------------------------------------------------


def prepare_database(database_url: str, rpc_url: str, auditor: SigningKey) -> None:
    """Deploy the contracts on anvil, bind the database to them, accredit the auditor."""
    ledger = open_ledger(LedgerConfig(database_url=database_url, rpc_url=rpc_url))
    try:
        ledger.accredit(auditor.did, Role.AUDITOR)
    finally:
        ledger.close()


@contextmanager
def api_server(
    database_url: str,
    rpc_url: str,
    folder: Path,
    *,
    worker: bool,
    max_body_bytes: int | None,
    workers: int = 1,
    settings: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """The real API in a uvicorn subprocess; stopped (by its pid) on exit. ``settings``:
    further ``LEDGER_*`` variables for it (e.g. other benches' rate limits)."""
    port, token = free_port(), secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "LEDGER_DATABASE_URL": database_url,
        "LEDGER_RPC_URL": rpc_url,
        "LEDGER_ADMIN_TOKEN": token,
        "LEDGER_WORKER": "true" if worker else "false",
    }
    if max_body_bytes is not None:
        env["LEDGER_MAX_BODY_BYTES"] = str(max_body_bytes)
    env.update(settings or {})
    env.pop("DATABASE_URL", None)  # it would take precedence over LEDGER_DATABASE_URL
    # What `ledger serve --workers N` runs after its set-up (api/serving.py).
    command = [sys.executable, "-m", "api.serving", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
    log_path = folder / "api.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            server = Server(f"http://127.0.0.1:{port}", token, log_path)
            wait_until_up(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_up(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the API exited with {process.returncode}:\n{server.log_path.read_text()[-3000:]}"
            )
        try:
            if httpx.get(f"{server.url}/v1/health", timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the API did not answer within {SERVER_START_TIMEOUT}s")


# -- load -----------------------------------------------------------------------------------


def encode(envelopes: list[Envelope]) -> list[bytes]:
    return [json.dumps(e.to_dict()).encode("utf-8") for e in envelopes]


async def post_singles(url: str, bodies: list[bytes], clients: int) -> ModeResult:
    """``clients`` concurrent clients, each posting the next envelope as soon as it may."""
    result = ModeResult("single", sent=len(bodies))
    queue = iter(bodies)
    headers = {"content-type": "application/json"}
    endpoint = "POST /v1/attestations"

    async def client(http: WireClient) -> None:
        for body in queue:
            reply = await http.post("/v1/attestations", content=body, headers=headers)
            if reply.status_code == 201:
                result.accepted += 1
            else:
                result.fail(endpoint, reply.status_code, reply.text)

    # A lean client (bench/_wire.py): httpx's async pool cost more CPU than the requests did,
    # on the cores the server needs.
    http = WireClient(url, timeout=120)
    try:
        start = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        result.seconds = time.perf_counter() - start
    finally:
        await http.aclose()
    return result


async def post_batches(url: str, envelopes: list[Envelope], clients: int) -> ModeResult:
    """Chunks of 1,000 envelopes from ``clients`` clients, each one request at a time."""
    result = ModeResult("batch", sent=len(envelopes))
    endpoint = "POST /v1/attestations:batch"
    chunks = iter([
        json.dumps({"envelopes": [e.to_dict() for e in envelopes[i : i + CHUNK]]}).encode()
        for i in range(0, len(envelopes), CHUNK)
    ])  # fmt: skip
    headers = {"content-type": "application/json"}

    async def client(http: WireClient) -> None:
        for body in chunks:
            reply = await http.post("/v1/attestations:batch", content=body, headers=headers)
            if reply.status_code != 200:
                result.fail(endpoint, reply.status_code, reply.text)
                continue
            outcome = reply.json()
            result.accepted += int(outcome["accepted"])
            for item in outcome["results"]:
                if not item["accepted"]:
                    result.fail(f"{endpoint} item {item['index']}", 200, json.dumps(item["error"]))

    http = WireClient(url, timeout=600)
    try:
        start = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        result.seconds = time.perf_counter() - start
    finally:
        await http.aclose()
    return result


def anchor_everything(server: Server) -> dict[str, Any]:
    """``POST /v1/admin/anchor``, then the backlog from ``GET /v1/health``."""
    headers = {"authorization": f"Bearer {server.admin_token}"}
    start = time.perf_counter()
    reply = httpx.post(f"{server.url}/v1/admin/anchor", headers=headers, timeout=600)
    seconds = time.perf_counter() - start
    if reply.status_code != 200:
        return {"ok": False, "endpoint": "POST /v1/admin/anchor", "status": reply.status_code,
                "body": reply.text[:600]}  # fmt: skip
    health = httpx.get(f"{server.url}/v1/health", timeout=30).json()
    backlog = health.get("anchoring", {})
    return {
        "ok": backlog.get("pendingRecords") == 0 and not backlog.get("batches"),
        "seconds": round(seconds, 2),
        "batches_anchored": len(reply.json().get("batchesAnchored", [])),
        "backlog": backlog,
    }


# -- report ---------------------------------------------------------------------------------


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class Results:
    single: ModeResult
    batch: ModeResult
    raw_verify_per_s: float
    anchoring: dict[str, Any]
    options: argparse.Namespace

    def ratio(self, mode: ModeResult) -> float | None:
        return None if mode.per_s is None else mode.per_s / self.raw_verify_per_s

    def to_json(self) -> dict[str, Any]:
        return {
            "http_single_per_s": _rounded(self.single.per_s, 1),
            "http_batch_per_s": _rounded(self.batch.per_s, 1),
            "raw_verify_per_s": round(self.raw_verify_per_s, 1),
            "http_single_to_raw_ratio": _rounded(self.ratio(self.single), 4),
            "http_batch_to_raw_ratio": _rounded(self.ratio(self.batch), 4),
            "single_envelopes": self.single.sent,
            "single_accepted": self.single.accepted,
            "batch_envelopes": self.batch.sent,
            "batch_accepted": self.batch.accepted,
            "batch_chunk": CHUNK,
            "clients": self.options.clients,
            "batch_clients": self.options.batch_clients,
            "workers": self.options.workers,
            "database": self.options.database,
            "worker": self.options.worker,
            "max_body_bytes": self.options.max_body_bytes,  # None: the API's default
            "anchored_after": self.anchoring,
            "errors": self.single.errors + self.batch.errors,
            "quick": self.options.quick,
        }


def print_report(results: Results) -> None:
    rows = []
    for mode in (results.single, results.batch):
        ratio = results.ratio(mode)
        rows.append((
            f"{mode.name}: {mode.accepted:,}/{mode.sent:,} accepted",
            "failed" if mode.per_s is None else f"{mode.per_s:,.0f}/s",
            f"{mode.seconds:.1f} s" + ("" if ratio is None else f"; {ratio:.4f} of raw verify"),
        ))  # fmt: skip
    rows.append(("raw PyNaCl verify (one core)", f"{results.raw_verify_per_s:,.0f}/s", ""))
    options = results.options
    worker = "running" if options.worker else "disabled while measuring"
    limit = options.max_body_bytes or "API default"
    title = (
        f"HTTP ingest ({options.workers} API processes on {options.database}; "
        f"{options.clients} clients for single, {options.batch_clients} for batch; "
        f"worker {worker}; body limit {limit})"
    )
    print_table(title, rows)
    print(f"\nanchoring afterwards: {json.dumps(results.anchoring)}")
    for error in results.single.errors + results.batch.errors:
        print(f"API error: {error['endpoint']} -> {error['status']}: {error['body']}")


# -- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer envelopes (< 1 min)")
    parser.add_argument("--single", type=int, help="envelopes sent one per request")
    parser.add_argument("--batch", type=int, help="envelopes sent in chunks of 1,000")
    parser.add_argument("--clients", type=int, default=4, help="concurrent single clients")
    parser.add_argument(
        "--batch-clients",
        type=int,
        help="concurrent :batch clients (default: 2 per API process; the kernel spreads "
        "connections over the processes by hash, so one each would often share one)",
    )
    parser.add_argument("--worker", action="store_true", help="run the anchoring worker")
    parser.add_argument("--workers", type=int, default=1, help="API processes (uvicorn)")
    parser.add_argument(
        "--db",
        help="a PostgreSQL server URL: the run makes (and drops) a scratch database there "
        "(default: a fresh SQLite file; more than one API process needs PostgreSQL)",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        help="start the API with LEDGER_MAX_BODY_BYTES set to this (default: its own default)",
    )
    args = parser.parse_args(argv)
    if args.db and not args.db.startswith("postgresql"):
        parser.error("--db takes a PostgreSQL URL (postgresql://…); SQLite is the default")
    if args.workers > 1 and not args.db:
        parser.error("--workers above 1 needs --db postgresql://… (SQLite has one writer)")
    args.database = "PostgreSQL" if args.db else "SQLite"
    args.batch_clients = args.batch_clients or 2 * args.workers
    return args


@contextmanager
def scratch_database(server_url: str | None, folder: Path) -> Iterator[str]:
    """A fresh database for one run: a SQLite file, or one made on the PostgreSQL server."""
    if server_url is None:
        yield f"sqlite:///{folder / 'ledger.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    plain = make_url(server_url.replace("postgresql+psycopg://", "postgresql://"))
    name = f"ledger_bench_{secrets.token_hex(4)}"
    admin = plain.render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield plain.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: argparse.Namespace) -> Results:
    single_n = args.single or (600 if args.quick else 3_000)
    batch_n = args.batch or (2_000 if args.quick else 10_000)
    auditor = SigningKey.generate()
    singles, batched = sign_audits(auditor, single_n), sign_audits(auditor, batch_n)
    with Anvil() as node, tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        folder = Path(tmp)
        with scratch_database(args.db, folder) as database_url:
            prepare_database(database_url, node.url, auditor)
            with api_server(database_url, node.url, folder, worker=args.worker,
                            max_body_bytes=args.max_body_bytes,
                            workers=args.workers) as server:  # fmt: skip
                single = asyncio.run(post_singles(server.url, encode(singles), args.clients))
                batch = asyncio.run(post_batches(server.url, batched, args.batch_clients))
                anchoring = anchor_everything(server)
    with pinned_to_one_core():
        raw = raw_verify_per_s(singles + batched)
    return Results(single, batch, raw, anchoring, args)


def main(argv: list[str] | None = None) -> int:
    results = run(parse_args(argv))
    print_report(results)
    print(json.dumps(results.to_json()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
