"""Receipts of ``external_conformity`` records (kind 13) in both verifiers: ``ledger verify``
and the independent JS verifier, each with its own built-in kind table, accept one signed by
an accredited auditor, brand or investigator and refuse one an employer signed (anchored by
an operator directly, bypassing admission: the verifiers trust nothing the ledger decided).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ledger.envelope import sign_envelope
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
from tests.domain.audits.dcc_builders import dcc, sign

CASES = {"auditor": (Role.AUDITOR, None), "brand": (Role.BRAND, None),
         "investigator": (Role.INVESTIGATOR, None),
         "employer": (Role.EMPLOYER, "signer_accredited")}  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    certifier = SigningKey.generate()
    credential = sign(dcc(certifier), certifier)
    payload = {"schema": "external-conformity/v1", "facility": "fac-my-penang-pcb-03",
               "credential": credential}  # fmt: skip
    with served_embedded(tmp_path_factory.mktemp("external-embedded")) as built:
        for name, (role, expected) in CASES.items():
            key = SigningKey.generate()
            built.ledger.accredit(key.did, role, valid_from=utcnow() - timedelta(days=1))
            envelope = sign_envelope("external_conformity", payload, key)
            (receipt,) = anchor_directly(built, built.anchor, [envelope], 13)
            built.cases[name] = (receipt, expected)
        yield built


@pytest.mark.parametrize("case", sorted(CASES))
def test_both_verifiers_agree_on_external_evidence(world: World, case: str, tmp_path: Path) -> None:
    receipt, expected = world.cases[case]
    path = str(world.receipt_file(receipt))
    args = ("--rpc", world.rpc, "--contract", world.contract)
    assert_verdict(run_cli(path, *args, config=tmp_path), expected, "ledger verify")
    assert_verdict(run_js(path, *args), expected, "verify-receipt.mjs")
