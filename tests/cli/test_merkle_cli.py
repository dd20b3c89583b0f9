"""`ledger merkle root/proof` agree with OpenZeppelin's library, and the proofs verify on chain."""

from __future__ import annotations

import json
import random

from eth_account import Account

from ledger.chain.client import ChainClient
from ledger.chain.contracts import AnchorContract
from ledger.chain.deployment import deploy_contracts
from tests.cli.conftest import Cli
from tests.ledger.test_merkle import openzeppelin


def test_cli_agrees_with_openzeppelin_and_the_chain(cli: Cli) -> None:
    rng = random.Random(11)
    client = ChainClient.embedded_evm()
    anchor = AnchorContract.of(client, deploy_contracts(client, admin=Account.create().address))
    leaf_sets = [[rng.randbytes(32) for _ in range(n)] for n in (1, 2, 3, 7, 16, 33)]
    references = openzeppelin(leaf_sets)
    for batch_id, (leaves, reference) in enumerate(
        zip(leaf_sets, references, strict=True), start=1
    ):
        hexes = ["0x" + leaf.hex() for leaf in leaves]
        root = cli.run("merkle", "root", *hexes).stdout.strip()
        assert root == reference["root"]
        anchor.anchor(bytes.fromhex(root[2:]), len(leaves), 1, batch_id)
        for index in sorted({0, len(leaves) // 2, len(leaves) - 1}):
            out = json.loads(cli.run("merkle", "proof", str(index), *hexes).stdout)
            assert out == {"leaf": hexes[index], "proof": reference["proofs"][index], "root": root}  # type: ignore[index]
            proof = [bytes.fromhex(p[2:]) for p in out["proof"]]
            assert anchor.verify(leaves[index], proof, bytes.fromhex(root[2:]))
            assert not anchor.verify(bytes(32), proof, bytes.fromhex(root[2:]))


def test_cli_rejects_bad_input(cli: Cli) -> None:
    assert cli.run("merkle", "root", "0x1234", check=False).returncode == 2
    assert cli.run("merkle", "proof", "3", "0x" + "11" * 32, check=False).returncode == 2
    assert cli.run("merkle", "root", "zz" * 32, check=False).returncode == 2
