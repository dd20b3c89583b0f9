"""``ledger verify`` and the independent JavaScript verifier trust nothing a receipt says.

Both verifiers run on the same receipts, over real JSON-RPC: the embedded EVM through the
API's ``/rpc`` (SQLite) and anvil (PostgreSQL). The receipts are genuine ones from the ledger,
every tampering of them, records the anchoring account put on chain itself (an unaccredited
signer, a signer outside its window, suspended, of the wrong role, a batch of the wrong
kind), records anchored before and after their signer's revocation, and a second, foreign
deployment on the same chain whose registry accredits the attacker. For every case both
verifiers must name the same failed check (or pass), with the same checks in the same order.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest
import uvicorn
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as ledger_app
from api.settings import Settings
from credentials.worker import registration_payload
from domain import kind_registry, open_ledger
from domain.wages.service import Wages
from domain.workers import WorkerCredentials
from ledger.anchoring import AnchoringPolicy
from ledger.canonical import canonicalize
from ledger.chain.anvil import Anvil, free_port
from ledger.chain.contracts import AnchorContract, RegistryContract
from ledger.chain.deployment import Deployment, deploy_contracts
from ledger.envelope import Envelope, sign_envelope
from ledger.keys import SigningKey, multibase_encode
from ledger.merkle import MerkleTree
from ledger.receipts import CHECKS, kind_rules_to_json
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from ledger.timeutil import format_time, parse_time, utcnow
from tests.conftest import REPO
from tests.credentials.worker_support import issue
from tests.domain.wages.builders import ack, employer_of, payroll
from tests.ledger.helpers import audit_payload, signed_audit

JS_VERIFIER = REPO / "tools" / "independent-verifier" / "verify-receipt.mjs"
AUDIT, CHECKIN, STATUS, REQUEST = 1, 3, 5, 250  # batch kinds on chain (250: no such kind)
STATUS_PAYLOAD = {"schema": "credential-status/v1", "statusId": "0x" + "11" * 32,
                  "action": "suspend", "reason": 0}  # fmt: skip


# -- running the two verifiers -------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    code: int
    report: dict[str, Any]
    stderr: str

    @property
    def failed(self) -> str | None:
        failed: str | None = self.report["failedCheck"]
        return failed


def run_cli(*args: str, config: Path, api: str | None = None) -> Verdict:
    """``ledger verify ... --json`` in process (real HTTP to the RPC and the API)."""
    env = {"LEDGER_CONFIG_DIR": str(config), "LEDGER_RPC_URL": None}
    env["LEDGER_API_URL"] = api
    runner = CliRunner(env=env)
    result = runner.invoke(ledger_app, ["verify", *args, "--json"], catch_exceptions=False)
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    return Verdict(result.exit_code, report, result.stderr)


def run_js(*args: str) -> Verdict:
    node = shutil.which("node")
    assert node, "node is required for the independent verifier (see tools/setup.sh)"
    done = subprocess.run([node, str(JS_VERIFIER), *args, "--json"], capture_output=True,
                          text=True, timeout=120, check=False, cwd=REPO)  # fmt: skip
    report = json.loads(done.stdout) if done.stdout.strip() else {}
    return Verdict(done.returncode, report, done.stderr)


def assert_verdict(verdict: Verdict, expected: str | None, who: str) -> None:
    assert verdict.report, f"{who} printed no report: {verdict.stderr}"
    names = [c["check"] for c in verdict.report["checks"]]
    assert names == list(CHECKS), (who, names)
    assert verdict.failed == expected, (who, verdict.report)
    assert verdict.report["valid"] is (expected is None), (who, verdict.report)
    assert verdict.code == (0 if expected is None else 1), (who, verdict.code, verdict.stderr)
    oks = [c["ok"] for c in verdict.report["checks"]]
    if expected is None:
        assert oks == [True] * len(CHECKS)
    else:
        # Everything before the failure passed, the failure failed, the rest did not run.
        at = names.index(expected)
        assert oks == [True] * at + [False] + [None] * (len(CHECKS) - at - 1), (who, oks)


# -- a ledger whose chain the verifiers reach over JSON-RPC ---------------------------------


@dataclass
class World:
    """A ledger, the URL of its chain's JSON-RPC, and receipts built on it."""

    ledger: Ledger
    rpc: str
    api: str | None
    folder: Path
    cases: dict[str, tuple[Any, str | None]] = field(default_factory=dict)
    foreign: Deployment | None = None

    @property
    def anchor(self) -> AnchorContract:
        return self.ledger.anchor

    @property
    def contract(self) -> str:
        return self.ledger.deployment.address("ProvenanceAnchor")

    def receipt_file(self, receipt: Any) -> Path:
        path = self.folder / f"receipt-{uuid.uuid4().hex[:8]}.json"
        path.write_text(receipt if isinstance(receipt, str) else json.dumps(receipt, indent=2))
        return path

    def deployment_file(self, **changes: Any) -> Path:
        data = {**self.ledger.deployment.to_dict(), **changes}
        path = self.folder / f"deployment-{uuid.uuid4().hex[:8]}.json"
        path.write_text(json.dumps(data))
        return path


def serve(ledger: Ledger, database_url: str) -> tuple[str, Callable[[], None]]:
    """The API over ``ledger`` in a thread (its /rpc is the embedded EVM's JSON-RPC)."""
    settings = Settings(database_url=database_url, admin_token="t0ken-verify", worker=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, ledger=ledger), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", stop


@contextmanager
def served_embedded(folder: Path) -> Iterator[World]:
    """A ledger on SQLite in ``folder`` with the embedded EVM, served over HTTP (its /rpc),
    as a :class:`World`; stopped and closed on exit."""
    database_url = f"sqlite:///{folder / 'ledger.db'}"
    ledger = open_ledger(LedgerConfig(database_url=database_url,
                                      policy=AnchoringPolicy(max_batch=64)))  # fmt: skip
    api, stop = serve(ledger, database_url)
    try:
        yield World(ledger=ledger, rpc=f"{api}/rpc", api=api, folder=folder)
    finally:
        stop()
        ledger.close()


def anchor_directly(world: World, anchor: AnchorContract, envelopes: list[Envelope],
                    kind: int) -> list[dict[str, Any]]:  # fmt: skip
    """What an operator holding the anchoring key can do without the ledger: put any root
    on chain. Returns a receipt for each envelope, shaped as the ledger's are."""
    tree = MerkleTree.build([e.leaf for e in envelopes])
    batch_id = int(anchor.last_batch_id()) + 1
    outcome = anchor.anchor(tree.root, len(envelopes), kind, batch_id)
    on_chain = anchor.anchor_of(tree.root)
    assert on_chain is not None
    shared = {
        "root": "0x" + tree.root.hex(), "batchId": batch_id,
        "chainId": world.ledger.deployment.chain_id, "contract": anchor.address,
        "txHash": outcome.tx_hash, "blockNumber": outcome.block_number,
        "anchoredAt": format_time(on_chain.anchored_at),
    }  # fmt: skip
    return [
        {
            "envelope": e.to_dict(),
            "leaf": e.record_id,
            "kind": e.kind,
            "proof": ["0x" + p.hex() for p in tree.proof(i)],
            **shared,
        }
        for i, e in enumerate(envelopes)
    ]


def wait_for_a_later_block_time(world: World, moment: datetime) -> None:
    """Anvil stamps blocks with the wall clock (two in one second share a time); the
    embedded EVM adds a second per block. Either way the next block comes after ``moment``."""
    if not world.ledger.client.embedded:
        while utcnow() < moment + timedelta(seconds=1.05):
            time.sleep(0.05)


def accredited(world: World, role: Role, **window: Any) -> SigningKey:
    key = SigningKey.generate()
    world.ledger.accredit(key.did, role, **window)
    return key


def z_signed(kind: str, payload: dict[str, Any], key: SigningKey) -> Envelope:
    """An envelope signed with a base58btc (``z``) signature, as other signers may send."""
    envelope = sign_envelope(kind, payload, key)
    raw = key.sign(envelope.signing_input())
    return Envelope.from_dict({**envelope.to_dict(), "signature": multibase_encode(raw)})


def build_cases(world: World) -> None:
    """Every receipt both verifiers are run on, with the check that must fail (None: valid).
    The ledger anchors first; the anchoring account's own batches come last, since batch ids
    must keep increasing on chain."""
    ledger, cases = world.ledger, world.cases
    auditor = accredited(world, Role.AUDITOR)
    early, late = accredited(world, Role.AUDITOR), accredited(world, Role.AUDITOR)

    ids = [ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(3)]
    kept = ledger.submit(signed_audit(late).to_dict()).record_id
    ngo = accredited(world, Role.ISSUER)
    credential, _ = issue(ledger, ngo, SigningKey.generate(), register=False)
    registration = sign_envelope("credential", registration_payload(credential), ngo)
    registered = WorkerCredentials(ledger).register(registration.to_dict()).record_id
    wages, worker = Wages(ledger), SigningKey.generate()
    employer = employer_of(ledger)  # accredited, and scoped to the payroll's facility
    run = wages.submit_run(payroll(employer, [worker.did, SigningKey.generate().did]))
    line = run.lines[0].id
    disputed = wages.acknowledge(ack(worker, line, "disputed", reasons=["underpaid"]))
    assert ledger.anchorer.drain().error is None
    genuine = ledger.receipt(ids[1])
    assert genuine["proof"], "the batch must need a proof"
    cases["genuine audit"] = (genuine, None)
    cases["genuine credential registration (issuer role)"] = (ledger.receipt(registered), None)
    cases["genuine wage line (employer in its facility's scope)"] = (ledger.receipt(line), None)
    cases["genuine wage dispute (the worker's own key)"] = (
        ledger.receipt(disputed.record_id), None,
    )  # fmt: skip

    # Revoked after anchoring: the record stays provable.
    receipt_kept = ledger.receipt(kept)
    wait_for_a_later_block_time(world, _time(receipt_kept["anchoredAt"]))
    ledger.revoke(late.did)
    cases["signer revoked after anchoring"] = (receipt_kept, None)

    # Revoked before anchoring: accepted while accredited, anchored after the revocation.
    doomed = ledger.submit(signed_audit(early).to_dict()).record_id
    ledger.revoke(early.did)
    wait_for_a_later_block_time(world, utcnow())
    assert ledger.anchorer.drain().error is None
    cases["signer revoked before anchoring"] = (ledger.receipt(doomed), "signer_accredited")

    def tampered(change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
        receipt = copy.deepcopy(genuine)
        change(receipt)
        return receipt

    other_leaf = "0x" + "11" * 32
    cases.update({
        "changed payload byte": (tampered(lambda r: r["envelope"]["payload"].update(
            workersInterviewed=r["envelope"]["payload"]["workersInterviewed"] + 1)), "signature"),
        "changed signature": (tampered(lambda r: r["envelope"].update(
            signature=_flip(r["envelope"]["signature"], 10))), "signature"),
        "changed leaf": (tampered(lambda r: r.update(leaf=other_leaf)), "leaf"),
        "wrong proof step": (tampered(lambda r: r["proof"].__setitem__(0, "0x" + "22" * 32)), "proof"),
        "extra proof step": (tampered(lambda r: r["proof"].append("0x" + "22" * 32)), "proof"),
        "wrong root": (tampered(lambda r: r.update(root="0x" + "33" * 32)), "proof"),
        "receipt chainId changed": (tampered(lambda r: r.update(chainId=r["chainId"] + 1)), "chain"),
        "receipt contract changed": (tampered(lambda r: r.update(contract="0x" + "44" * 20)), "contract"),
        "receipt kind changed": (tampered(lambda r: r.update(kind="wage")), "kind"),
        "receipt kind unknown": (tampered(lambda r: r.update(kind="poem")), "kind"),
        "anchoredAt a second off": (tampered(lambda r: r.update(anchoredAt=format_time(
            _time(r["anchoredAt"]) + timedelta(seconds=1)))), "anchored_at"),
        "anchoredAt with microseconds": (tampered(lambda r: r.update(anchoredAt=format_time(
            _time(r["anchoredAt"]) + timedelta(microseconds=5)))), "anchored_at"),
        "anchoredAt in another offset (same instant)": (tampered(lambda r: r.update(
            anchoredAt=_time(r["anchoredAt"]).astimezone(_plus_two()).isoformat())), None),
        "missing field": (tampered(lambda r: r.pop("txHash")), "format"),
        "unknown envelope field": (tampered(lambda r: r["envelope"].update(extra=1)), "format"),
        "chainId as a string": (tampered(lambda r: r.update(chainId=str(r["chainId"]))), "format"),
        "contract not an address": (tampered(lambda r: r.update(contract="0x1234")), "format"),
        "proof of 65 steps": (tampered(lambda r: r.update(proof=["0x" + "55" * 32] * 65)), "format"),
        "leaf with spaces": (tampered(lambda r: r.update(leaf="0x" + "ab " * 21 + "a")), "format"),
        "not a JSON object": ([genuine], "format"),
        "duplicate key": (json.dumps(genuine)[:-1] + ', "kind": "wage"}', "format"),
        "not JSON": ("{\"envelope\": ", "format"),
        "chainId written 31337.0 (the same JSON number)": (json.dumps(genuine).replace(
            f'"chainId": {genuine["chainId"]}', f'"chainId": {genuine["chainId"]}.0'), None),
        "chainId 1e400": (json.dumps(genuine).replace(
            f'"chainId": {genuine["chainId"]}', '"chainId": 1e400'), "format"),
        "nested 64 levels deep (the limit)": (_nested(genuine, 64), "signature"),
        "nested 65 levels deep": (_nested(genuine, 65), "format"),
    })  # fmt: skip

    # -- the operator's own batches in the genuine contract ----------------------------------
    stranger = SigningKey.generate()  # never accredited anywhere
    employer = accredited(world, Role.EMPLOYER)
    issuer = accredited(world, Role.ISSUER)
    future = accredited(world, Role.AUDITOR, valid_from=utcnow() + timedelta(days=1))
    expired = accredited(world, Role.AUDITOR, valid_from=utcnow() - timedelta(days=2),
                         valid_until=utcnow() - timedelta(days=1))  # fmt: skip
    suspended = accredited(world, Role.AUDITOR)
    # A window of whole seconds [opens, closes); `created` carries microseconds.
    opens = utcnow().replace(microsecond=0) - timedelta(minutes=10)
    closes = opens + timedelta(hours=1)
    windowed = accredited(world, Role.AUDITOR, valid_from=opens, valid_until=closes)
    tick = timedelta(microseconds=1)
    direct = [
        ("unaccredited signer", signed_audit(stranger), AUDIT, "signer_accredited"),
        ("employer signs an audit (wrong role)", signed_audit(employer), AUDIT,
         "signer_accredited"),
        ("created before the window opens", signed_audit(future), AUDIT, "signer_accredited"),
        ("created after the window closed", signed_audit(expired), AUDIT, "signer_accredited"),
        ("suspended signer", signed_audit(suspended), AUDIT, "signer_accredited"),
        ("audit in a batch of check-ins", signed_audit(auditor), CHECKIN, "kind"),
        ("status change by an accredited issuer",
         sign_envelope("credential_status", STATUS_PAYLOAD, issuer), STATUS, None),
        ("base58btc signature", z_signed("audit", audit_payload(), auditor), AUDIT, None),
        ("created as the window opens", signed_audit(windowed, created=opens), AUDIT, None),
        ("created a microsecond before the window", signed_audit(windowed, created=opens - tick),
         AUDIT, "signer_accredited"),
        ("created a microsecond before it closes", signed_audit(windowed, created=closes - tick),
         AUDIT, None),
        ("created as the window closes", signed_audit(windowed, created=closes), AUDIT,
         "signer_accredited"),
        ("created as the window opens, in +05:30", _created_as(windowed, opens, "+05:30"),
         AUDIT, None),
        ("created a microsecond before the window, in -03:00",
         _created_as(windowed, opens - tick, "-03:00"), AUDIT, "signer_accredited"),
        ("a signed request anchored as a record", sign_envelope("request", {"op": "x"}, auditor),
         REQUEST, "format"),
    ]  # fmt: skip
    for name, envelope, kind, expected in direct:
        (receipt,) = anchor_directly(world, world.anchor, [envelope], int(kind))
        cases[name] = (receipt, expected)
    ledger.suspend(suspended.did, [Role.AUDITOR])

    # -- a foreign deployment on the same chain, whose registry accredits the attacker ----------
    assert ledger.admin is not None
    world.foreign = deploy_contracts(ledger.client, admin=ledger.admin.address)
    attacker = SigningKey.generate()
    RegistryContract.of(ledger.admin, world.foreign).accredit(
        attacker.verify_key, Role.AUDITOR, utcnow() - timedelta(minutes=1)
    )
    foreign_anchor = AnchorContract.of(ledger.client, world.foreign)
    (forged,) = anchor_directly(world, foreign_anchor, [signed_audit(attacker)], int(AUDIT))
    cases["receipt of a foreign ProvenanceAnchor"] = (forged, "contract")
    cases["foreign root, receipt names the genuine contract"] = (
        {**forged, "contract": world.contract}, "anchored",
    )  # fmt: skip
    # Pinned on the foreign anchor it verifies: the pin is the root of trust. Through a
    # ledger's /rpc view it cannot even be asked (the view answers for its own contracts only).
    through_view = world.rpc.endswith("/rpc")
    cases["foreign receipt, verified against the foreign pin"] = (
        forged, "anchored" if through_view else None,
    )  # fmt: skip


def _nested(receipt: dict[str, Any], depth: int) -> str:
    """The receipt as JSON text, nested ``depth`` levels deep (receipt 1, envelope 2,
    payload 3, then arrays in a new payload field)."""
    text = json.dumps(receipt)
    deep = "[" * (depth - 3) + "]" * (depth - 3)
    return text.replace('"payload": {', '"payload": {"deep": ' + deep + ", ", 1)


def _created_as(key: SigningKey, moment: datetime, offset: str) -> Envelope:
    """An audit whose ``created`` is written in another UTC offset (the same instant)."""
    hours, minutes = (int(part) for part in offset[1:].split(":"))
    sign = -1 if offset[0] == "-" else 1
    local = moment.astimezone(timezone(sign * timedelta(hours=hours, minutes=minutes)))
    unsigned = {**signed_audit(key).unsigned(), "created": local.isoformat()}
    signature = multibase_encode(key.sign(canonicalize(unsigned)), "base64url")
    envelope = Envelope.from_dict({**unsigned, "signature": signature})
    assert envelope.created.endswith(offset) and envelope.created_at == moment
    return envelope


def _flip(text: str, at: int) -> str:
    """One character changed in the middle of a multibase value (every bit there is data)."""
    return text[:at] + ("C" if text[at] == "B" else "B") + text[at + 1 :]


def _time(text: str) -> datetime:
    return parse_time(text, field="t")


def _plus_two() -> timezone:
    return timezone(timedelta(hours=2))


@pytest.fixture(scope="module")
def embedded_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with served_embedded(tmp_path_factory.mktemp("embedded")) as world:
        build_cases(world)
        yield world


@pytest.fixture(scope="module")
def anvil_world(
    tmp_path_factory: pytest.TempPathFactory, postgres_admin_url: str
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("anvil")
    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = postgres_admin_url.rsplit("/", 1)[0].split("://", 1)[1]
    with Anvil() as node:
        ledger = open_ledger(LedgerConfig(
            database_url=f"postgresql+psycopg://{base}/{name}", rpc_url=node.url,
            policy=AnchoringPolicy(max_batch=64),
        ))  # fmt: skip
        world = World(ledger=ledger, rpc=node.url, api=None, folder=folder)
        try:
            build_cases(world)
            yield world
        finally:
            ledger.close()
    with psycopg.connect(postgres_admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["embedded", pytest.param("anvil", marks=[pytest.mark.anvil,
                                                                  pytest.mark.postgres])])  # fmt: skip
def world(request: pytest.FixtureRequest) -> World:
    found: World = request.getfixturevalue(f"{request.param}_world")
    return found


CASE_NAMES = [
    "genuine audit", "genuine credential registration (issuer role)",
    "genuine wage line (employer in its facility's scope)",
    "genuine wage dispute (the worker's own key)",
    "signer revoked after anchoring", "signer revoked before anchoring",
    "changed payload byte", "changed signature", "changed leaf", "wrong proof step",
    "extra proof step", "wrong root", "receipt chainId changed", "receipt contract changed",
    "receipt kind changed", "receipt kind unknown", "anchoredAt a second off",
    "anchoredAt with microseconds", "anchoredAt in another offset (same instant)",
    "missing field", "unknown envelope field", "chainId as a string", "contract not an address",
    "proof of 65 steps", "leaf with spaces", "not a JSON object", "duplicate key", "not JSON",
    "chainId written 31337.0 (the same JSON number)", "chainId 1e400",
    "nested 64 levels deep (the limit)", "nested 65 levels deep",
    "unaccredited signer", "employer signs an audit (wrong role)",
    "created before the window opens", "created after the window closed", "suspended signer",
    "audit in a batch of check-ins", "status change by an accredited issuer",
    "base58btc signature", "created as the window opens",
    "created a microsecond before the window", "created a microsecond before it closes",
    "created as the window closes", "created as the window opens, in +05:30",
    "created a microsecond before the window, in -03:00", "a signed request anchored as a record",
    "receipt of a foreign ProvenanceAnchor",
    "foreign root, receipt names the genuine contract",
    "foreign receipt, verified against the foreign pin",
]  # fmt: skip


@pytest.mark.parametrize("case", CASE_NAMES)
def test_both_verifiers_agree(world: World, case: str, tmp_path: Path) -> None:
    assert set(CASE_NAMES) == set(world.cases), "every case built is run, and only those"
    receipt, expected = world.cases[case]
    path = str(world.receipt_file(receipt))
    pin = world.contract
    if case.endswith("against the foreign pin"):
        # Pinning is the trust decision: pinned explicitly, the foreign deployment's own
        # receipts are checked against it (and pass, its registry accredits the attacker).
        assert world.foreign is not None
        pin = world.foreign.address("ProvenanceAnchor")
    ours = run_cli(path, "--rpc", world.rpc, "--contract", pin, config=tmp_path)
    theirs = run_js(path, "--rpc", world.rpc, "--contract", pin)
    assert_verdict(ours, expected, "ledger verify")
    assert_verdict(theirs, expected, "verify-receipt.mjs")


@pytest.mark.parametrize("via", ["deployment", "first-use pin"])
def test_a_pinned_deployment_refuses_the_foreign_contract(
    embedded_world: World, via: str, tmp_path: Path
) -> None:
    world = embedded_world
    forged = world.receipt_file(world.cases["receipt of a foreign ProvenanceAnchor"][0])
    genuine = world.receipt_file(world.cases["genuine audit"][0])
    if via == "deployment":
        pin = ("--deployment", str(world.deployment_file()))
        assert_verdict(run_js(str(forged), "--rpc", world.rpc, *pin), "contract", "js")
        assert_verdict(run_js(str(genuine), "--rpc", world.rpc, *pin), None, "js")
    else:
        pin = ()
    assert_verdict(run_cli(str(genuine), "--rpc", world.rpc, *pin, config=tmp_path,
                           api=world.api), None, "ledger verify")  # fmt: skip
    assert_verdict(run_cli(str(forged), "--rpc", world.rpc, *pin, config=tmp_path,
                           api=world.api), "contract", "ledger verify")  # fmt: skip


def test_a_deployment_whose_genesis_differs_fails_the_chain_check(
    embedded_world: World, tmp_path: Path
) -> None:
    # The same chain id and addresses on another chain (a reset devnet, where anyone can
    # redeploy at the same addresses): the genesis block gives it away.
    world = embedded_world
    genuine = str(world.receipt_file(world.cases["genuine audit"][0]))
    elsewhere = str(world.deployment_file(genesisHash="0x" + "66" * 32))
    assert_verdict(run_cli(genuine, "--rpc", world.rpc, "--deployment", elsewhere,
                           config=tmp_path), "chain", "ledger verify")  # fmt: skip
    assert_verdict(run_js(genuine, "--rpc", world.rpc, "--deployment", elsewhere), "chain", "js")
    other_chain = str(world.deployment_file(chainId=world.ledger.deployment.chain_id + 1))
    assert_verdict(run_cli(genuine, "--rpc", world.rpc, "--deployment", other_chain,
                           config=tmp_path), "chain", "ledger verify")  # fmt: skip
    assert_verdict(run_js(genuine, "--rpc", world.rpc, "--deployment", other_chain), "chain", "js")


@pytest.mark.parametrize("pin", ["no code", "the registry"])
def test_a_pin_that_is_no_provenance_anchor_fails_anchored(
    embedded_world: World, pin: str, tmp_path: Path
) -> None:
    # A wrong pin (a typo, or another contract's address) answers nothing sensible: the
    # anchored check fails in both verifiers, nothing crashes.
    world = embedded_world
    address = ("0x" + "44" * 20) if pin == "no code" else (
        world.ledger.deployment.address("AttesterRegistry"))  # fmt: skip
    receipt = {**world.cases["genuine audit"][0], "contract": address}
    path = str(world.receipt_file(receipt))
    assert_verdict(run_cli(path, "--rpc", world.rpc, "--contract", address, config=tmp_path),
                   "anchored", "ledger verify")  # fmt: skip
    assert_verdict(run_js(path, "--rpc", world.rpc, "--contract", address), "anchored", "js")


def test_an_unreachable_rpc_fails_the_chain_check_in_both(
    embedded_world: World, tmp_path: Path
) -> None:
    world = embedded_world
    genuine = str(world.receipt_file(world.cases["genuine audit"][0]))
    dead = f"http://127.0.0.1:{free_port()}"
    assert_verdict(run_cli(genuine, "--rpc", dead, "--contract", world.contract,
                           config=tmp_path), "chain", "ledger verify")  # fmt: skip
    assert_verdict(run_js(genuine, "--rpc", dead, "--contract", world.contract), "chain", "js")


def test_first_use_pins_from_the_api_and_says_so(embedded_world: World, tmp_path: Path) -> None:
    world = embedded_world
    assert world.api is not None
    genuine = str(world.receipt_file(world.cases["genuine audit"][0]))
    first = run_cli(genuine, "--rpc", world.rpc, config=tmp_path, api=world.api)
    assert_verdict(first, None, "ledger verify")
    chain_id = world.ledger.deployment.chain_id
    assert (
        f"pinned ProvenanceAnchor {world.contract} on chain {chain_id} from {world.api} on first "
        "use; later runs check against it; pass --contract to pin explicitly"
    ) in first.stderr
    pin_file = tmp_path / "pinned-deployments.json"
    assert pin_file.stat().st_mode & 0o777 == 0o600
    (entry,) = json.loads(pin_file.read_text()).values()
    assert entry["contract"] == world.contract and entry["chainId"] == chain_id
    assert entry["genesisHash"] == world.ledger.client.genesis_hash
    assert first.report["pinned"]["contract"] == world.contract

    second = run_cli(genuine, "--rpc", world.rpc, config=tmp_path, api=world.api)
    assert_verdict(second, None, "ledger verify")
    assert "pinned ProvenanceAnchor" not in second.stderr

    # A pin made for an API that is gone is still used: later runs never ask the API.
    gone = f"http://127.0.0.1:{free_port()}"
    pins = json.loads(pin_file.read_text())
    pins[f"{gone} {world.rpc}"] = {**entry, "api": gone}
    pin_file.write_text(json.dumps(pins))
    assert_verdict(run_cli(genuine, "--rpc", world.rpc, config=tmp_path, api=gone), None, "cli")
    # The pin, not the API, decides: pinned to another contract, the genuine receipt fails.
    pins[f"{gone} {world.rpc}"]["contract"] = "0x" + "77" * 20
    pin_file.write_text(json.dumps(pins))
    assert_verdict(run_cli(genuine, "--rpc", world.rpc, config=tmp_path, api=gone), "contract",
                   "cli")  # fmt: skip
    # Pinned on a chain since reset (same id and addresses, another genesis): refused, and
    # the text output says how to re-pin.
    pins[f"{gone} {world.rpc}"].update(contract=world.contract, genesisHash="0x" + "88" * 32)
    pin_file.write_text(json.dumps(pins))
    assert_verdict(run_cli(genuine, "--rpc", world.rpc, config=tmp_path, api=gone), "chain",
                   "cli")  # fmt: skip
    text = CliRunner(env={"LEDGER_CONFIG_DIR": str(tmp_path), "LEDGER_API_URL": gone}).invoke(
        ledger_app, ["verify", genuine, "--rpc", world.rpc]
    )
    assert text.exit_code == 1 and "receipt INVALID: chain check failed" in text.stdout
    assert "--repin" in text.stderr
    # --repin asks the API again; it is gone, so nothing is pinned and nothing verified.
    refused = run_cli(genuine, "--rpc", world.rpc, "--repin", config=tmp_path, api=gone)
    assert refused.code == 1 and "/v1/health" in refused.stderr and not refused.report
    assert f"{gone} {world.rpc}" not in json.loads(pin_file.read_text())


@pytest.mark.anvil
@pytest.mark.postgres
def test_no_pin_is_made_when_the_api_names_another_chain(
    embedded_world: World, anvil_world: World, tmp_path: Path
) -> None:
    genuine = str(anvil_world.receipt_file(anvil_world.cases["genuine audit"][0]))
    refused = run_cli(genuine, "--rpc", anvil_world.rpc, config=tmp_path, api=embedded_world.api)
    assert refused.code == 1 and "not pinning" in refused.stderr and not refused.report
    assert not (tmp_path / "pinned-deployments.json").exists()


def test_bad_usage_is_refused(embedded_world: World, tmp_path: Path) -> None:
    world = embedded_world
    genuine = str(world.receipt_file(world.cases["genuine audit"][0]))
    both = ("--contract", world.contract, "--deployment", str(world.deployment_file()))
    for args in (both, ("--contract", "0x1234")):
        ours = run_cli(genuine, "--rpc", world.rpc, *args, config=tmp_path)
        theirs = run_js(genuine, "--rpc", world.rpc, *args)
        assert ours.code == 2 and not ours.report, ours
        assert theirs.code == 2 and not theirs.report, theirs
    # The JS verifier keeps no pin file: it must be told what to trust.
    unpinned = run_js(genuine, "--rpc", world.rpc)
    assert unpinned.code == 2 and "--contract" in unpinned.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pinned-deployments.json").write_text("[1, 2")
    spoiled = run_cli(genuine, "--rpc", world.rpc, config=broken, api=world.api)
    assert spoiled.code == 1 and "pinned-deployments.json" in spoiled.stderr


def test_the_two_kind_tables_agree() -> None:
    """Kinds, numbers, roles and, for scoped kinds, the payload path of the facility."""
    node = shutil.which("node")
    assert node
    printed = subprocess.run([node, str(JS_VERIFIER), "--kinds"], capture_output=True,
                             text=True, timeout=60, check=True)  # fmt: skip
    theirs = {
        k: {**v, "roles": None if v["roles"] is None else sorted(v["roles"])}
        for k, v in json.loads(printed.stdout).items()
    }
    assert theirs == kind_rules_to_json(kind_registry().receipt_rules())


@pytest.mark.slow
def test_the_ledger_command_verifies_as_a_process(embedded_world: World, tmp_path: Path) -> None:
    world = embedded_world
    genuine = str(world.receipt_file(world.cases["genuine audit"][0]))
    env = {**os.environ, "LEDGER_CONFIG_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    env.pop("LEDGER_RPC_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "verify", genuine, "--rpc", world.rpc,
         "--contract", world.contract],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[1] for line in lines[:-1]] == list(CHECKS)
    assert lines[-1] == "receipt valid"
