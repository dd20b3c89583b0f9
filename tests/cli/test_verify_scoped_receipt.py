"""Receipts of a scoped kind: both verifiers (``ledger verify`` and the independent JS one)
check, through the pinned anchor's registry, that the signer held the facility's scope when
the record was created and until it was anchored, and must agree, check by check.

The kind is wage-like (``wage``, number 2, signed by employers scoped to
``payload.run.facility``) and comes in a kind table both verifiers are given
(``--kind-table``), equal to the ledger's own ``wage`` rule that each verifier's built-in
table holds (tests/cli/test_verify_receipt.py keeps those tables equal). The records are
anchored by the anchoring account directly, as in that file; the scopes are granted and
revoked on chain by the ledger as the registry admin. Embedded EVM through the API's /rpc
(SQLite) and anvil (PostgreSQL)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain import open_ledger
from ledger.anchoring import AnchoringPolicy
from ledger.chain.anvil import Anvil
from ledger.chain.contracts import facility_scope
from ledger.envelope import Envelope, sign_envelope
from ledger.keys import SigningKey
from ledger.receipts import KindRule, kind_rules_to_json
from ledger.roles import Role
from ledger.service import LedgerConfig
from ledger.timeutil import utcnow
from tests.cli.test_verify_receipt import (
    World,
    anchor_directly,
    assert_verdict,
    run_cli,
    run_js,
    served_embedded,
)

WAGE = 2
TABLE = {"wage": KindRule(WAGE, frozenset({int(Role.EMPLOYER)}), scope="run.facility")}
S, US = timedelta(seconds=1), timedelta(microseconds=1)


def line(key: SigningKey, created: datetime, facility: Any = "fac-1") -> Envelope:
    run = {"facility": facility} if facility is not None else {}
    return sign_envelope("wage", {"schema": "wage/v1", "run": run, "net": "1500.00"}, key,
                         created=created)  # fmt: skip


def employer(world: World) -> SigningKey:
    key = SigningKey.generate()
    world.ledger.accredit(key.did, Role.EMPLOYER, valid_from=utcnow() - timedelta(days=1))
    return key


def wait_past(world: World, moment: datetime) -> None:
    """Until the chain's next block comes after ``moment`` (anvil stamps the wall clock)."""
    if not world.ledger.client.embedded:
        while utcnow() < moment + 1.05 * S:
            time.sleep(0.05)


def build_cases(world: World) -> None:
    ledger, cases = world.ledger, world.cases
    scoped, unscoped, churned = employer(world), employer(world), employer(world)
    granted = ledger.grant_scope(scoped.did, Role.EMPLOYER, facility_scope("fac-1"))
    # (Chain times: the grant's block time may be ahead of our clock; records are dated by it.)
    direct: list[tuple[str, Envelope, str | None]] = [
        ("scoped employer, its facility", line(scoped, granted + 0.5 * S), None),
        ("created in the second of the grant", line(scoped, granted), None),
        ("created a microsecond before the grant", line(scoped, granted - US), "signer_accredited"),
        ("created an hour before the grant", line(scoped, granted - 3600 * S), "signer_accredited"),
        ("another facility", line(scoped, granted + S, "fac-2"), "signer_accredited"),
        ("accredited employer without the scope", line(unscoped, granted + S), "signer_accredited"),
        ("no facility in the payload", line(scoped, granted + S, None), "signer_accredited"),
        ("a facility that is no string", line(scoped, granted + S, 7), "signer_accredited"),
    ]  # fmt: skip
    for name, envelope, expected in direct:
        (receipt,) = anchor_directly(world, world.anchor, [envelope], WAGE)
        cases[name] = (receipt, expected)

    # Anchored within the scope, then the scope revoked and granted again: still provable
    # (scopeAt finds the window it was signed in). Signed within it but anchored after its
    # revocation: not. Signed in the gap between two windows: not.
    first = ledger.grant_scope(churned.did, Role.EMPLOYER, facility_scope("fac-1"))
    (kept,) = anchor_directly(world, world.anchor, [line(churned, first)], WAGE)
    doomed = line(churned, first + 0.5 * S)
    wait_past(world, max(first, utcnow()))
    ledger.revoke_scope(churned.did, Role.EMPLOYER, facility_scope("fac-1"))
    _, revoked = ledger.registry.scope_of(
        churned.verify_key, Role.EMPLOYER, facility_scope("fac-1")
    )
    assert revoked is not None and revoked > first + 0.5 * S
    (late,) = anchor_directly(world, world.anchor, [doomed], WAGE)
    wait_past(world, max(revoked, utcnow()))
    again = ledger.grant_scope(churned.did, Role.EMPLOYER, facility_scope("fac-1"))
    (gap,) = anchor_directly(world, world.anchor, [line(churned, again - US)], WAGE)
    (renewed,) = anchor_directly(world, world.anchor, [line(churned, again)], WAGE)
    cases.update({
        "anchored, then the scope revoked and granted again": (kept, None),
        "signed in scope, anchored after its revocation": (late, "signer_accredited"),
        "signed between two windows of the scope": (gap, "signer_accredited"),
        "signed in the second window": (renewed, None),
    })  # fmt: skip


CASE_NAMES = [
    "scoped employer, its facility", "created in the second of the grant",
    "created a microsecond before the grant", "created an hour before the grant",
    "another facility", "accredited employer without the scope", "no facility in the payload",
    "a facility that is no string", "anchored, then the scope revoked and granted again",
    "signed in scope, anchored after its revocation", "signed between two windows of the scope",
    "signed in the second window",
]  # fmt: skip


def with_table(world: World) -> str:
    path = world.folder / "kinds.json"
    if not path.exists():
        path.write_text(json.dumps(kind_rules_to_json(TABLE)))
    return str(path)


@pytest.fixture(scope="module")
def embedded_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with served_embedded(tmp_path_factory.mktemp("scoped-embedded")) as world:
        build_cases(world)
        yield world


@pytest.fixture(scope="module")
def anvil_world(
    tmp_path_factory: pytest.TempPathFactory, postgres_admin_url: str
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("scoped-anvil")
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


@pytest.mark.parametrize("case", CASE_NAMES)
def test_both_verifiers_agree_on_scoped_records(world: World, case: str, tmp_path: Path) -> None:
    assert set(CASE_NAMES) == set(world.cases), "every case built is run, and only those"
    receipt, expected = world.cases[case]
    path = str(world.receipt_file(receipt))
    args = ("--rpc", world.rpc, "--contract", world.contract, "--kind-table", with_table(world))
    ours = run_cli(path, *args, config=tmp_path)
    theirs = run_js(path, *args)
    assert_verdict(ours, expected, "ledger verify")
    assert_verdict(theirs, expected, "verify-receipt.mjs")
    if expected is None:
        scope = "0x" + facility_scope("fac-1").hex()
        for verdict in (ours, theirs):
            assert f"holds scope {scope}" in verdict.report["checks"][7]["detail"]


def test_the_built_in_tables_know_the_wage_kind(embedded_world: World, tmp_path: Path) -> None:
    """Without ``--kind-table`` both use their built-in tables, which hold the ledger's own
    ``wage`` rule (employer, scoped to ``run.facility``): same verdicts as with the table."""
    world = embedded_world
    args = ("--rpc", world.rpc, "--contract", world.contract)
    for name in ("scoped employer, its facility", "another facility"):
        receipt, expected = world.cases[name]
        path = str(world.receipt_file(receipt))
        assert_verdict(run_cli(path, *args, config=tmp_path), expected, "ledger verify")
        assert_verdict(run_js(path, *args), expected, "verify-receipt.mjs")


@pytest.mark.parametrize(
    "table",
    [
        "[1, 2",
        "[]",
        '{"wage": {"number": 2, "roles": [3], "scope": "run..facility"}}',
        '{"wage": {"number": 2, "roles": [3], "scope": 5}}',
        '{"wage": {"number": 0, "roles": [3]}}',
        '{"wage": {"number": 2, "roles": [7]}}',
        '{"wage": {"number": 2, "roles": [3], "label": "x"}}',
        '{"Wage!": {"number": 2, "roles": [3]}}',
        '{"wage": {"number": 2, "roles": [3]}, "wage": {"number": 3, "roles": [3]}}',
        '{"wage": {"number": 2, "roles": [3], "pad": "' + "x" * 70_000 + '"}}',
    ],
    ids=lambda t: t[:40],
)
def test_a_bad_kind_table_is_bad_usage_in_both(
    embedded_world: World, table: str, tmp_path: Path
) -> None:
    world = embedded_world
    path = str(world.receipt_file(world.cases["scoped employer, its facility"][0]))
    kinds = tmp_path / "kinds.json"
    kinds.write_text(table)
    args = ("--rpc", world.rpc, "--contract", world.contract, "--kind-table", str(kinds))
    ours, theirs = run_cli(path, *args, config=tmp_path), run_js(path, *args)
    for who, verdict in (("ledger verify", ours), ("verify-receipt.mjs", theirs)):
        assert verdict.code == 2 and not verdict.report, (who, verdict)
        assert "--kind-table" in verdict.stderr, (who, verdict.stderr)
