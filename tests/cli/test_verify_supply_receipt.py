"""Receipts of the supply kinds (``facility`` 9, ``supply-link`` 4, ``supply-confirm`` 10):
both verifiers, with their built-in kind tables, check that the signer held the scope the
record names (the facility, the buyer, the supplier) and agree, check by check. Records
are anchored by the anchoring account directly, as in tests/cli/test_verify_receipt.py;
embedded EVM through the API's /rpc (SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ledger.chain.contracts import facility_scope
from ledger.envelope import Envelope, sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.timeutil import utcnow
from tests.cli.test_verify_receipt import (
    World,
    anchor_directly,
    assert_verdict,
    run_cli,
    run_js,
    served_embedded,
)

S = timedelta(seconds=1)
BRAND, PLANT, OTHER = "brand-nordwear", "fac-my-penang-pcb-03", "fac-my-johor-resin-02"
LINK = "0x" + "cd" * 32


def scoped(world: World, role: Role, facility: str) -> tuple[SigningKey, datetime]:
    key = SigningKey.generate()
    world.ledger.accredit(key.did, role, valid_from=utcnow() - timedelta(days=1))
    return key, world.ledger.grant_scope(key.did, role, facility_scope(facility))


def signed(kind: str, payload: dict[str, Any], key: SigningKey, at: datetime) -> Envelope:
    return sign_envelope(kind, payload, key, created=at + 0.5 * S)


def build_cases(world: World) -> None:
    brand, brand_at = scoped(world, Role.BRAND, BRAND)
    plant, plant_at = scoped(world, Role.EMPLOYER, PLANT)
    elsewhere, elsewhere_at = scoped(world, Role.EMPLOYER, OTHER)

    def link(buyer: str) -> dict[str, Any]:
        return {"schema": "supply-link/v1", "buyer": buyer, "supplier": PLANT, "product": "PCBs",
                "period": {"from": "2026-01-01", "to": "2026-12-31"}}  # fmt: skip

    facility = {"schema": "facility/v1", "facility": {"id": PLANT, "name": "Plant 3",
                                                      "country": "MY"}}  # fmt: skip
    confirm = {"schema": "supply-confirm/v1", "link": LINK, "supplier": PLANT}
    direct = [
        ("facility by its scoped employer", signed("facility", facility, plant, plant_at), 9, None),
        ("facility by an employer of another", signed("facility", facility, elsewhere,
                                                      elsewhere_at), 9, "signer_accredited"),
        ("link by the buyer's brand", signed("supply-link", link(BRAND), brand, brand_at), 4,
         None),
        ("link naming another buyer", signed("supply-link", link("brand-other"), brand,
                                             brand_at), 4, "signer_accredited"),
        ("confirmation by the supplier", signed("supply-confirm", confirm, plant, plant_at), 10,
         None),
        ("confirmation by another facility's employer", signed("supply-confirm", confirm,
                                                               elsewhere, elsewhere_at), 10,
         "signer_accredited"),
    ]  # fmt: skip
    for name, envelope, code, expected in direct:
        (receipt,) = anchor_directly(world, world.anchor, [envelope], code)
        world.cases[name] = (receipt, expected)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with served_embedded(tmp_path_factory.mktemp("supply-embedded")) as built:
        build_cases(built)
        yield built


CASES = [
    "facility by its scoped employer", "facility by an employer of another",
    "link by the buyer's brand", "link naming another buyer", "confirmation by the supplier",
    "confirmation by another facility's employer",
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_both_verifiers_agree_on_supply_records(world: World, case: str, tmp_path: Path) -> None:
    assert set(CASES) == set(world.cases)
    receipt, expected = world.cases[case]
    path = str(world.receipt_file(receipt))
    args = ("--rpc", world.rpc, "--contract", world.contract)
    assert_verdict(run_cli(path, *args, config=tmp_path), expected, "ledger verify")
    assert_verdict(run_js(path, *args), expected, "verify-receipt.mjs")
