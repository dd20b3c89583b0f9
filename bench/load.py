"""A mixed load at fixed arrival rates (audits, payroll runs, check-ins, trace and score reads)
against the real API, and the same at twice the rates: where it bends.

Run from the repository root::

    .venv/bin/python bench/load.py                      # 10 min at the base mix, then 10 at 2x
    .venv/bin/python bench/load.py --minutes 0.5        # a short smoke run of both
    .venv/bin/python bench/load.py --rate-scale 2 --no-compare   # one run, at 2x only

Each run gets a stack of its own: an anvil (--prune-history), a scratch PostgreSQL database
(``--db``, made and dropped by ``bench/ingest.py``'s helpers), the demo supply chain seeded and
anchored into it, then the real API (``api.serving``, 2 processes) with its anchoring worker **on**,
so the backlog is anchored while the load runs. The rate limits are off for the run
(``LEDGER_RATE_WRITES`` and ``LEDGER_RATE_CHALLENGES`` empty): every request comes from one
loopback address, and the bench measures the API, not the limiter.

Preparation (not measured): an auditor, an employer scoped to one facility, an issuer and a
verifier are accredited through the admin API; workers' credentials are issued and registered;
every audit and payroll run the schedule needs is signed beforehand (one audit in 50 about a
traced facility, the rest spread over facilities beyond the traces). Brands come from
``GET /v1/brands``, facilities from their traces.

The generator is open-loop: each operation fires at its own fixed rate whether or not earlier
requests have answered, and latency runs from the *scheduled* send time to the answer, so a
slow server cannot hide behind a slow client (coordinated omission). At most ``--in-flight``
requests are outstanding; an arrival that finds the bound reached is **shed** (counted, never
sent), so the queue stays bounded. A check-in is one operation of two requests (challenge,
then the check-in); its presentation is built in a helper process so the event loop keeps
time. An error is any non-2xx answer or transport failure (the first few kept verbatim).

Afterwards: the anchoring backlog must drain (``GET /v1/health``: no pending records, no open
batches, no relays outstanding; bounded wait, in seconds), every accepted record must be in an
anchored batch (checked in the scratch database, all of them), and a sample of receipts is
fetched over HTTP (``GET /v1/records/{id}/receipt``: public for audits, by a signed request
of the verifier or employer for check-ins and wage lines, which are for their parties only).

A table comes first, then the two runs side by side; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from _helpers import audit_payload, print_table
from _wire import Reply, WireClient
from ingest import Server, api_server, scratch_database
from sqlalchemy import create_engine, text
from wages import FACILITY as CHECKIN_FACILITY
from wages import line_payload

from credentials.commitment import DocumentSecret
from credentials.possession import checkin_payload
from credentials.wallet import Wallet
from credentials.worker import StatusLocation, issue_worker_credential, registration_payload
from domain import open_ledger
from domain.demo import seed_demo
from ledger.chain.anvil import Anvil
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.service import LedgerConfig
from ledger.signed_request import request_authorization

# Operations per second at --rate-scale 1: meant to fit a quiet 2-core machine with room, so
# that 2x finds the edge (a machine busy with other work is past it already; see the README).
BASE_MIX: dict[str, float] = {
    "audit": 20.0,
    "checkin": 10.0,
    "payroll": 0.5,
    "trace": 5.0,
    "score": 10.0,
}
PAYROLL_LINES = 20
# A facility has one run per pay period (another must correct it), so the runs take turns
# over these months and as many Malaysian facilities as the schedule needs.
PAYROLL_MONTHS = 35  # 2024-01 .. 2026-11
WORKERS = 2  # API processes
WALLETS = 16  # workers holding a registered credential, taking turns to check in
KEPT_ERRORS = 3
# Audits go where an audit network's go: most to facilities beyond the demo's traces, one in
# TRACED_AUDIT_SHARE to a traced one, so the reads see their evidence change. (Every audit at
# a traced facility, as before, left each with ~1,500 valid audits after ten minutes, all cited
# by every trace and score read: responses grew from 6 KiB to over 1 MiB, and the load bent
# with them. A real facility holds a few valid audits at a time.)
TRACED_AUDIT_SHARE = 50
AUDITED_TWICE = 2  # the other facilities: each audited about twice in a run
COUNTRIES = ("BD", "VN", "IN", "TR", "MY", "KH", "PK", "CN")
JSON = {"content-type": "application/json"}


# -- stats ----------------------------------------------------------------------------------


@dataclass
class OpStats:
    """One operation's outcome over a run; latencies of successes, in seconds."""

    name: str
    rate: float
    scheduled: int = 0
    ok: int = 0
    errors: int = 0
    shed: int = 0
    latencies: list[float] = field(default_factory=list)
    first_errors: list[str] = field(default_factory=list)
    records: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        self.errors += 1
        if len(self.first_errors) < KEPT_ERRORS:
            self.first_errors.append(what[:600])

    def summary(self, seconds: float) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        return {
            "rate_per_s": self.rate,
            "scheduled": self.scheduled,
            "ok": self.ok,
            "errors": self.errors,
            "shed": self.shed,
            "throughput_per_s": round(self.ok / seconds, 2) if seconds else None,
            "records": len(self.records),
            **{f"p{q}_ms": _ms(percentile(ordered, q)) for q in (50, 95, 99)},
            "max_ms": _ms(ordered[-1] if ordered else None),
            "first_errors": self.first_errors,
        }


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of sorted values (None when empty)."""
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


class Failed(Exception):
    """A non-2xx answer: the operation's error, with endpoint, status and body."""


R = TypeVar("R", httpx.Response, Reply)


def expect(reply: R, status: int, what: str = "") -> R:
    if reply.status_code != status:
        if isinstance(reply, httpx.Response):
            what = f"{reply.request.method} {reply.request.url.path}"
        raise Failed(f"{what} -> {reply.status_code}: {reply.text[:400]}")
    return reply


# -- actors and targets ---------------------------------------------------------------------


@dataclass(frozen=True)
class Actors:
    auditor: SigningKey
    employer: SigningKey
    issuer: SigningKey
    verifier: SigningKey


@dataclass(frozen=True)
class Targets:
    """What the reads and the audits name: the demo's brands and the facilities in their
    traces (id, name and country, as an audit's payload carries them)."""

    brands: list[str]
    facilities: list[dict[str, str]]


@dataclass(frozen=True)
class Enrolled:
    """What the check-in helper process needs to build check-ins (all picklable)."""

    verifier_seed: bytes
    device_salt: bytes
    wallets: list[tuple[bytes, dict[str, Any], tuple[str, str, str, bytes]]]


class Admin:
    """The admin API, by its bearer token."""

    def __init__(self, server: Server) -> None:
        self.http = httpx.Client(
            base_url=server.url, timeout=60,
            headers={"authorization": f"Bearer {server.admin_token}"},
        )  # fmt: skip

    def accredit(self, did: str, role: str, facilities: Sequence[str] = ()) -> None:
        """As ``ledger admin accredit DID ROLE --facility F ...`` does."""
        expect(self.http.post("/v1/admin/signers", json={"did": did, "role": role}), 201)
        for facility in facilities:
            grant = {"role": role, "facility": facility}
            expect(self.http.post(f"/v1/admin/signers/{did}/scopes", json=grant), 201)

    def close(self) -> None:
        self.http.close()


def accredit_actors(server: Server, payroll_facilities: Sequence[str]) -> Actors:
    """Accredit the four signers; wait until the chain's clock has passed the grants (records
    created before them would be refused)."""
    actors = Actors(*(SigningKey.generate() for _ in range(4)))
    admin = Admin(server)
    try:
        admin.accredit(actors.auditor.did, "auditor")
        admin.accredit(actors.employer.did, "employer", payroll_facilities)
        admin.accredit(actors.issuer.did, "issuer")
        admin.accredit(actors.verifier.did, "verifier")
    finally:
        admin.close()
    time.sleep(1.5)
    return actors


def discover(http: httpx.Client) -> Targets:
    """Brands from ``GET /v1/brands``; facilities from each brand's trace."""
    brands = [b["id"] for b in expect(http.get("/v1/brands"), 200).json()["brands"]]
    facilities: dict[str, dict[str, str]] = {}
    for brand in brands:
        for node in expect(http.get(f"/v1/brands/{brand}/trace"), 200).json()["nodes"]:
            if node.get("country"):
                facilities.setdefault(node["facility"], {
                    "id": node["facility"], "name": node["name"], "country": node["country"],
                })  # fmt: skip
    if not brands or not facilities:
        raise RuntimeError(f"the demo has no brands or traced facilities: {brands}, {facilities}")
    return Targets(brands, list(facilities.values()))


def signed(
    key: SigningKey, method: str, target: str, audience: str, body: bytes = b""
) -> dict[str, str]:
    return {"authorization": request_authorization(key, method, target, body, audience=audience)}


def enroll_workers(http: httpx.Client, actors: Actors, audience: str, count: int) -> Enrolled:
    """Issue ``count`` worker credentials and register them through the API."""
    issuance = expect(http.get("/v1/credentials/issuance"), 200).json()
    status = StatusLocation(issuance["statusChainId"], issuance["statusContract"])
    wallets = []
    for n in range(count):
        worker = SigningKey.generate()
        document = DocumentSecret.create("passport", f"PA{7730000 + n}", "NP")
        credential = issue_worker_credential(
            actors.issuer, worker.did, document, status=status,
            facility=CHECKIN_FACILITY, nationality="NP",
        )  # fmt: skip
        envelope = sign_envelope("credential", registration_payload(credential), actors.issuer)
        expect(http.post("/v1/credentials", json=envelope.to_dict()), 201)
        fields = (document.document_type, document.number, document.country, document.salt)
        wallets.append((worker.seed, credential, fields))
    target = "/v1/checkins/device-salt"
    salt = expect(http.get(target, headers=signed(actors.verifier, "GET", target, audience)), 200)
    return Enrolled(actors.verifier.seed, bytes.fromhex(salt.json()["deviceSalt"]), wallets)


# -- the check-in builder (a helper process, so the event loop keeps its schedule) -----------

_BUILDER: tuple[SigningKey, bytes, list[Wallet]] | None = None


def _start_builder(enrolled: Enrolled) -> None:
    global _BUILDER
    wallets = [
        Wallet(SigningKey(seed)).with_credential(credential, DocumentSecret(*fields), None)
        for seed, credential, fields in enrolled.wallets
    ]
    _BUILDER = (SigningKey(enrolled.verifier_seed), enrolled.device_salt, wallets)


def build_checkin(turn: int, challenge: str) -> bytes:
    """The body of ``POST /v1/checkins``: a wallet's presentation and the verifier's envelope."""
    assert _BUILDER is not None, "the builder process was not started"
    verifier, salt, wallets = _BUILDER
    presentation = wallets[turn % len(wallets)].present(challenge=challenge)
    payload = checkin_payload(
        presentation, document_matches=True, on_site=False, location="MY-07",
        verifier_device="load-bench-tablet", device_salt=salt,
    )  # fmt: skip
    envelope = sign_envelope("checkin", payload, verifier).to_dict()
    return json.dumps({"presentation": presentation, "envelope": envelope}).encode()


# -- the work -------------------------------------------------------------------------------


@dataclass
class Plan:
    """Bodies signed beforehand, consumed in order; the rates of this run."""

    rates: dict[str, float]
    audits: Iterator[bytes]
    payrolls: Iterator[bytes]


def arrivals(rate: float, seconds: float) -> int:
    return math.ceil(rate * seconds) + 1


@dataclass(frozen=True)
class PayPeriod:
    facility: str
    start: date
    end: date


def pay_periods(runs: int) -> list[PayPeriod]:
    """A distinct (facility, month) for each run: month by month, then the next facility."""
    periods = []
    for n in range(runs):
        year, month = divmod(n % PAYROLL_MONTHS, 12)
        start = date(2024 + year, month + 1, 1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        periods.append(PayPeriod(f"fac-my-load-{n // PAYROLL_MONTHS:03d}", start, end))
    return periods


def sign_payroll(employer: SigningKey, period: PayPeriod) -> bytes:
    """A compliant Malaysian run of PAYROLL_LINES lines (bench/wages.py's lines), paid on the
    fifth day after the period."""
    run = {
        "id": f"urn:uuid:{uuid.uuid4()}", "facility": period.facility, "country": "MY",
        "periodStart": period.start.isoformat(), "periodEnd": period.end.isoformat(),
        "currency": "MYR", "lines": PAYROLL_LINES,
    }  # fmt: skip
    paid = (period.end + timedelta(days=5)).isoformat()
    lines = [
        sign_envelope(
            "wage", {**line_payload(run, n, SigningKey.generate().did), "paidOn": paid}, employer
        ).to_dict()
        for n in range(1, PAYROLL_LINES + 1)
    ]
    return json.dumps({"lines": lines}).encode()


def sign_plan(
    actors: Actors,
    targets: Targets,
    rates: dict[str, float],
    periods: Sequence[PayPeriod],
    seconds: float,
) -> Plan:
    """Every audit (facilities from :func:`audited_facility`) and payroll run the schedule
    needs."""
    base = audit_payload()
    count = arrivals(rates["audit"], seconds)
    audits = [
        json.dumps(sign_envelope(
            "audit", {**base, "facility": audited_facility(targets, n, count)}, actors.auditor
        ).to_dict()).encode()
        for n in range(count)
    ]  # fmt: skip
    payrolls = [sign_payroll(actors.employer, period) for period in periods]
    return Plan(rates, iter(audits), iter(payrolls))


def audited_facility(targets: Targets, n: int, count: int) -> dict[str, str]:
    """The facility the ``n``th of ``count`` audits is about (see ``TRACED_AUDIT_SHARE``)."""
    if n % TRACED_AUDIT_SHARE == 0:
        traced = targets.facilities
        return traced[(n // TRACED_AUDIT_SHARE) % len(traced)]
    other = n % max(1, count // AUDITED_TWICE)
    return {
        "id": f"fac-load-{other:06d}",
        "name": f"Load Test Facility {other}",
        "country": COUNTRIES[other % len(COUNTRIES)],
    }


Operation = Callable[[WireClient, int], Awaitable[list[str]]]


def operations(plan: Plan, targets: Targets, pool: ProcessPoolExecutor) -> dict[str, Operation]:
    """Each operation's requests; each returns the record ids it made."""
    loop = asyncio.get_running_loop()

    async def audit(http: WireClient, _: int) -> list[str]:
        reply = await http.post("/v1/attestations", content=next(plan.audits), headers=JSON)
        return [expect(reply, 201, "POST /v1/attestations").json()["id"]]

    async def payroll(http: WireClient, _: int) -> list[str]:
        reply = await http.post("/v1/wages", content=next(plan.payrolls), headers=JSON)
        return [line["id"] for line in expect(reply, 201, "POST /v1/wages").json()["lines"]]

    async def checkin(http: WireClient, turn: int) -> list[str]:
        challenge = expect(await http.get("/v1/presentations/challenge"), 200,
                           "GET /v1/presentations/challenge").json()  # fmt: skip
        body = await loop.run_in_executor(pool, build_checkin, turn, challenge["challenge"])
        reply = await http.post("/v1/checkins", content=body, headers=JSON)
        return [expect(reply, 201, "POST /v1/checkins").json()["id"]]

    async def trace(http: WireClient, turn: int) -> list[str]:
        brand = targets.brands[turn % len(targets.brands)]
        expect(await http.get(f"/v1/brands/{brand}/trace"), 200, "GET /v1/brands/{id}/trace")
        return []

    async def score(http: WireClient, turn: int) -> list[str]:
        facility = targets.facilities[turn % len(targets.facilities)]["id"]
        expect(await http.get(f"/v1/facilities/{facility}/score"), 200,
               "GET /v1/facilities/{id}/score")  # fmt: skip
        return []

    return {"audit": audit, "checkin": checkin, "payroll": payroll, "trace": trace,
            "score": score}  # fmt: skip


async def generate(
    url: str,
    ops: Mapping[str, Operation],
    rates: Mapping[str, float],
    seconds: float,
    in_flight: int,
) -> tuple[dict[str, OpStats], float, list[float]]:
    """Fire every operation at its rate for ``seconds``; returns the stats, the run's length
    (to the last answer) and how late the scheduler woke for each arrival (sorted): a busy
    client, not the server (the latencies include it either way)."""
    stats = {name: OpStats(name, rates[name]) for name in ops}
    gate = asyncio.Semaphore(in_flight)
    loop = asyncio.get_running_loop()
    lags: list[float] = []
    # A lean client (bench/_wire.py): httpx's async pool cost more CPU than the requests.
    # A kept connection uvicorn closed after its 5 s keep-alive is retried once, fresh.
    http = WireClient(url, timeout=120)
    try:

        async def fire(name: str, turn: int, due: float) -> None:
            try:
                stats[name].records += await ops[name](http, turn)
                stats[name].latencies.append(loop.time() - due)  # from the scheduled time
                stats[name].ok += 1
            except Failed as exc:
                stats[name].fail(str(exc))
            except Exception as exc:  # transport, bad JSON, the builder: an error, never lost
                stats[name].fail(f"{type(exc).__name__}: {exc}")
            finally:
                gate.release()

        async def schedule(name: str, start: float) -> None:
            tasks: set[asyncio.Task[None]] = set()
            phase, rate = random.random(), rates[name]  # ops don't all fire on the same tick
            for turn in range(arrivals(rate, seconds)):
                due = start + (turn + phase) / rate
                if due >= start + seconds:
                    break
                await asyncio.sleep(max(0.0, due - loop.time()))
                lags.append(loop.time() - due)
                stats[name].scheduled += 1
                if gate.locked():  # the bound is reached: shed, don't queue
                    stats[name].shed += 1
                    continue
                await gate.acquire()
                task = asyncio.create_task(fire(name, turn, due))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            await asyncio.gather(*tasks)

        start = loop.time()
        await asyncio.gather(*(schedule(name, start) for name in ops if rates[name] > 0))
        length = loop.time() - start
    finally:
        await http.aclose()
    return stats, length, sorted(lags)


# -- afterwards -----------------------------------------------------------------------------


def wait_for_drain(http: httpx.Client, timeout: float) -> dict[str, Any]:
    """Poll ``GET /v1/health`` until nothing is pending, batched unanchored or being relayed."""
    start = time.monotonic()
    while True:
        health = http.get("/v1/health").json()
        anchoring, outbox = health.get("anchoring", {}), health.get("outbox", {})
        drained = (
            anchoring.get("pendingRecords") == 0 and not anchoring.get("batches")
            and not outbox.get("pending") and not outbox.get("submitted")
        )  # fmt: skip
        waited = time.monotonic() - start
        if drained or waited > timeout:
            return {"drained": drained, "seconds": round(waited, 1), "anchoring": anchoring,
                    "outbox": outbox}  # fmt: skip
        time.sleep(0.5)


def anchored_in_database(database_url: str, stats: Mapping[str, OpStats]) -> dict[str, Any]:
    """Every accepted record id is in an anchored batch (all of them, from the scratch DB)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            anchored = set(connection.execute(text(
                "SELECT r.id FROM records r JOIN batches b ON b.id = r.batch_id "
                "WHERE b.state = 'anchored'"
            )).scalars())  # fmt: skip
    finally:
        engine.dispose()
    result: dict[str, Any] = {}
    for name, op in stats.items():
        if op.records:
            missing = [r for r in op.records if r not in anchored]
            result[name] = {"accepted": len(op.records), "anchored": len(op.records) - len(missing),
                            "missing": missing[:3]}  # fmt: skip
    return result


def sample_receipts(
    http: httpx.Client, stats: Mapping[str, OpStats], actors: Actors, audience: str, size: int
) -> dict[str, Any]:
    """Fetch ``size`` receipts per kind; parties-only kinds by a signed request of a party."""
    readers = {"audit": None, "checkin": actors.verifier, "payroll": actors.employer}
    result: dict[str, Any] = {}
    for name, reader in readers.items():
        records = stats[name].records if name in stats else []
        chosen = random.sample(records, min(size, len(records)))
        found = 0
        failures: list[str] = []
        for record in chosen:
            target = f"/v1/records/{record}/receipt"
            headers = {} if reader is None else signed(reader, "GET", target, audience)
            reply = http.get(target, headers=headers)
            if reply.status_code == 200 and reply.json().get("proof") is not None:
                found += 1
            elif len(failures) < KEPT_ERRORS:
                failures.append(f"{target} -> {reply.status_code}: {reply.text[:300]}")
        result[name] = {"fetched": len(chosen), "found": found, "signed": reader is not None,
                        "failures": failures}  # fmt: skip
    return result


# -- one run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    scale: float
    seconds: float
    stats: dict[str, OpStats]
    lags: list[float]
    checkin_build_ms: float | None
    drain: dict[str, Any]
    anchored: dict[str, Any]
    receipts: dict[str, Any]

    @property
    def errors(self) -> int:
        return sum(op.errors for op in self.stats.values())

    @property
    def verified(self) -> bool:
        return (
            self.drain["drained"]
            and all(v["anchored"] == v["accepted"] for v in self.anchored.values())
            and all(v["found"] == v["fetched"] for v in self.receipts.values())
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "rate_scale": self.scale,
            "seconds": round(self.seconds, 1),
            "errors": self.errors,
            "shed": sum(op.shed for op in self.stats.values()),
            "ops": {name: op.summary(self.seconds) for name, op in self.stats.items()},
            "scheduler_lag_p99_ms": _ms(percentile(self.lags, 99)),
            "scheduler_lag_max_ms": _ms(self.lags[-1] if self.lags else None),
            "checkin_build_ms": self.checkin_build_ms,
            "drain": self.drain,
            "anchored_records": self.anchored,
            "receipts_sampled": self.receipts,
            "verified": self.verified,
        }


def build_time_ms(pool: ProcessPoolExecutor, samples: int = 5) -> float:
    """Client-side cost of one check-in body (it is inside the check-in's latency)."""
    pool.submit(build_checkin, 0, "warm-up-challenge").result()  # the process starts
    start = time.perf_counter()
    for n in range(samples):
        pool.submit(build_checkin, n, "warm-up-challenge").result()
    return round((time.perf_counter() - start) / samples * 1000, 1)


@dataclass(frozen=True)
class Prepared:
    actors: Actors
    targets: Targets
    enrolled: Enrolled
    plan: Plan
    audience: str


def seed(database_url: str, rpc_url: str) -> None:
    """Deploy the contracts, seed the demo supply chain and anchor it, before the API starts."""
    ledger = open_ledger(LedgerConfig(database_url=database_url, rpc_url=rpc_url))
    try:
        seed_demo(ledger)
    finally:
        ledger.close()


def prepare(
    server: Server, http: httpx.Client, rates: dict[str, float], seconds: float
) -> Prepared:
    """Signers, targets, enrolled workers and every pre-signed body (not measured)."""
    audience = http.get("/v1/health").json()["chain"]["audience"]
    periods = pay_periods(arrivals(rates["payroll"], seconds))
    actors = accredit_actors(server, sorted({p.facility for p in periods}))
    targets = discover(http)
    enrolled = enroll_workers(http, actors, audience, WALLETS)
    plan = sign_plan(actors, targets, rates, periods, seconds)
    return Prepared(actors, targets, enrolled, plan, audience)


def show_server_log(server: Server, stats: Mapping[str, OpStats], lines: int = 40) -> None:
    """After errors, the end of the API's log on stderr (it goes with the run's folder)."""
    if any(op.errors for op in stats.values()):
        tail = server.log_path.read_text(errors="replace").splitlines()[-lines:]
        print("API log, last lines:", *tail, sep="\n  ", file=sys.stderr)


def run_once(args: argparse.Namespace, scale: float) -> RunResult:
    """One run on a stack of its own: anvil, scratch database, demo, API; load; checks."""
    rates = {name: rate * scale for name, rate in args.mix.items()}
    seconds = args.minutes * 60
    began = time.monotonic()
    # The API's rate limits count per client address, and all of this comes from one.
    unlimited = {"LEDGER_RATE_WRITES": "", "LEDGER_RATE_CHALLENGES": ""}
    with Anvil() as node, tempfile.TemporaryDirectory(prefix="ledger-load-") as tmp:
        folder = Path(tmp)
        with scratch_database(args.db, folder) as database_url:
            seed(database_url, node.url)
            with api_server(database_url, node.url, folder, worker=True, max_body_bytes=None,
                            workers=WORKERS, settings=unlimited) as server, \
                    httpx.Client(base_url=server.url, timeout=120) as http:  # fmt: skip
                ready = prepare(server, http, rates, seconds)
                context = multiprocessing.get_context("spawn")
                with ProcessPoolExecutor(1, context, _start_builder, (ready.enrolled,)) as pool:
                    build_ms = build_time_ms(pool)
                    mix = ", ".join(f"{k} {v:g}/s" for k, v in rates.items())
                    print(f"prepared in {time.monotonic() - began:.0f} s; {scale:g}x for "
                          f"{seconds:g} s: {mix}", file=sys.stderr)  # fmt: skip
                    stats, length, lag = asyncio.run(
                        _generate(server.url, ready, pool, seconds, args.in_flight)
                    )
                show_server_log(server, stats)
                drain = wait_for_drain(http, args.drain_timeout)
                anchored = anchored_in_database(database_url, stats)
                receipts = sample_receipts(http, stats, ready.actors, ready.audience, args.receipts)
    return RunResult(scale, length, stats, lag, build_ms, drain, anchored, receipts)


async def _generate(
    url: str, ready: Prepared, pool: ProcessPoolExecutor, seconds: float, in_flight: int
) -> tuple[dict[str, OpStats], float, list[float]]:
    ops = operations(ready.plan, ready.targets, pool)  # they need the running loop
    return await generate(url, ops, ready.plan.rates, seconds, in_flight)


# -- report ---------------------------------------------------------------------------------


def _cell(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:,.1f}{unit}"


def print_run(result: RunResult) -> None:
    rows = [("operation", "ok/s", "p50 / p95 / p99 ms; ok, errors, shed")]
    for name, op in result.stats.items():
        s = op.summary(result.seconds)
        rows.append((
            f"{name} @ {op.rate:g}/s", _cell(s["throughput_per_s"]),
            f"{_cell(s['p50_ms'])} / {_cell(s['p95_ms'])} / {_cell(s['p99_ms'])}; "
            f"{op.ok} ok, {op.errors} errors, {op.shed} shed",
        ))  # fmt: skip
    drain = result.drain
    rows.append(("backlog drained", "yes" if drain["drained"] else "NO",
                 f"{drain['seconds']} s after the load"))  # fmt: skip
    anchored = ", ".join(f"{k} {v['anchored']}/{v['accepted']}" for k, v in result.anchored.items())
    rows.append(("records anchored (database, all)", "", anchored))
    receipts = ", ".join(f"{k} {v['found']}/{v['fetched']}" for k, v in result.receipts.items())
    rows.append(("receipts fetched (HTTP, sample)", "", receipts))
    rows.append(("scheduler lag p99", _cell(_ms(percentile(result.lags, 99)), " ms"),
                 f"check-in body built in {result.checkin_build_ms} ms (client side)"))  # fmt: skip
    print_table(f"Mixed load at {result.scale:g}x for {result.seconds:.0f} s "
                f"({WORKERS} API processes on PostgreSQL, anchoring worker on)", rows)  # fmt: skip
    for op in result.stats.values():
        for error in op.first_errors:
            print(f"{op.name} error: {error}")


def bends(base: RunResult, double: RunResult) -> list[str]:
    """Where the heavier run stops scaling, per operation: throughput short of 90 % of the
    rates' ratio, p99 more than doubled, errors, arrivals shed; and a drain that took longer."""
    factor = double.scale / base.scale
    found = []
    for name, op in double.stats.items():
        one, two = base.stats[name].summary(base.seconds), op.summary(double.seconds)
        signs = []
        if one["throughput_per_s"] and two["throughput_per_s"] is not None:
            ratio = two["throughput_per_s"] / one["throughput_per_s"]
            if ratio < 0.9 * factor:
                signs.append(f"throughput x{ratio:.2f} (rates x{factor:g})")
        if one["p99_ms"] and two["p99_ms"] and two["p99_ms"] > 2 * one["p99_ms"]:
            signs.append(f"p99 {one['p99_ms']:,.0f} -> {two['p99_ms']:,.0f} ms")
        if op.errors:
            signs.append(f"{op.errors} errors")
        if op.shed:
            signs.append(f"{op.shed}/{op.scheduled} shed")
        if signs:
            found.append(f"{name}: " + ", ".join(signs))
    if double.drain["seconds"] > 2 * base.drain["seconds"] + 5:
        found.append(f"drain {base.drain['seconds']} -> {double.drain['seconds']} s")
    return found


def print_comparison(base: RunResult, double: RunResult) -> None:
    rows = [("operation", f"{base.scale:g}x -> {double.scale:g}x ok/s", "p50 / p99 ms")]
    for name in base.stats:
        one, two = (
            base.stats[name].summary(base.seconds),
            double.stats[name].summary(double.seconds),
        )
        rows.append((
            name, f"{_cell(one['throughput_per_s'])} -> {_cell(two['throughput_per_s'])}",
            f"{_cell(one['p50_ms'])} / {_cell(one['p99_ms'])} -> "
            f"{_cell(two['p50_ms'])} / {_cell(two['p99_ms'])}",
        ))  # fmt: skip
    print_table("Side by side", rows)
    shed = sum(op.shed for op in base.stats.values())
    if shed or base.errors:
        print(f"\nthe {base.scale:g}x run was past capacity already ({shed} shed, {base.errors} "
              "errors): compare at a lower --rate-scale or --mix")  # fmt: skip
    print("\nwhere it bends:" if (found := bends(base, double)) else "\nit does not bend here")
    for line in found:
        print(f"  {line}")


# -- main -----------------------------------------------------------------------------------


def parse_mix(value: str) -> dict[str, float]:
    """``checkin=20,audit=10``: these base rates instead of BASE_MIX's (the others kept)."""
    mix = dict(BASE_MIX)
    for item in filter(None, value.split(",")):
        name, _, rate = item.partition("=")
        if name.strip() not in BASE_MIX:
            raise argparse.ArgumentTypeError(f"{name!r} is not one of {', '.join(BASE_MIX)}")
        mix[name.strip()] = float(rate)
    return mix


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=10.0, help="length of each run")
    parser.add_argument("--rate-scale", "--scale", type=float, default=1.0, dest="scale",
                        help="multiply every base rate by this")  # fmt: skip
    parser.add_argument("--compare", action=argparse.BooleanOptionalAction, default=True,
                        help="then at twice --rate-scale, side by side (default)")  # fmt: skip
    parser.add_argument("--mix", type=parse_mix, default=dict(BASE_MIX),
                        help="base rates per second, e.g. checkin=20,audit=10")  # fmt: skip
    parser.add_argument("--in-flight", type=int, default=64,
                        help="most requests outstanding; arrivals beyond are shed")  # fmt: skip
    parser.add_argument("--drain-timeout", type=float, default=180.0,
                        help="longest wait (s) for the backlog to drain")  # fmt: skip
    parser.add_argument("--receipts", type=int, default=50,
                        help="receipts fetched over HTTP per kind afterwards")  # fmt: skip
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL server URL: each run makes (and drops) a scratch "
                        "database there")  # fmt: skip
    args = parser.parse_args(argv)
    if not args.db.startswith("postgresql"):
        parser.error("--db takes a PostgreSQL URL: two API processes need PostgreSQL")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = [run_once(args, args.scale)]
    print_run(results[0])
    if args.compare:
        results.append(run_once(args, 2 * args.scale))
        print_run(results[1])
        print_comparison(*results)
    print(json.dumps({
        "minutes": args.minutes,
        "workers": WORKERS,
        "in_flight": args.in_flight,
        "base_mix_per_s": args.mix,
        "payroll_lines": PAYROLL_LINES,
        "runs": [r.to_json() for r in results],
        "bends": bends(*results) if len(results) == 2 else None,
        "errors": sum(r.errors for r in results),
        "verified": all(r.verified for r in results),
    }))  # fmt: skip
    return 0 if all(r.errors == 0 and r.verified for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
