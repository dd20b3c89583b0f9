"""Merkle trees: identical to OpenZeppelin's SimpleMerkleTree, every proof verifies."""

from __future__ import annotations

import json
import math
import random
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import InvalidRecord
from ledger.merkle import MerkleTree, hash_pair, is_valid_proof, leaf_of, process_proof

ROOT = Path(__file__).resolve().parents[2]
leaves_st = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40)


def openzeppelin(leaf_sets: list[list[bytes]]) -> list[dict[str, object]]:
    """Roots and proofs from @openzeppelin/merkle-tree, run by Node."""
    payload = json.dumps([["0x" + leaf.hex() for leaf in leaves] for leaves in leaf_sets])
    result = subprocess.run(
        ["node", str(ROOT / "tests/tools/oz_merkle.js")], input=payload, capture_output=True,
        text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    parsed: list[dict[str, object]] = json.loads(result.stdout)
    return parsed


def test_agrees_with_openzeppelin_on_random_leaf_sets() -> None:
    rng = random.Random(20261126)
    sizes = [*range(1, 34), 64, 100, 255, 256, 257, 1000]
    leaf_sets = [[rng.randbytes(32) for _ in range(n)] for n in sizes]
    for leaves, reference in zip(leaf_sets, openzeppelin(leaf_sets), strict=True):
        tree = MerkleTree.build(leaves)
        assert "0x" + tree.root.hex() == reference["root"]
        proofs = reference["proofs"]
        assert isinstance(proofs, list)
        for index in range(len(leaves)):
            assert ["0x" + p.hex() for p in tree.proof(index)] == proofs[index]


@given(leaves_st)
def test_every_proof_verifies_and_is_short(leaves: list[bytes]) -> None:
    tree = MerkleTree.build(leaves)
    bound = math.ceil(math.log2(len(leaves))) if len(leaves) > 1 else 0
    for index, leaf in enumerate(leaves):
        proof = tree.proof(index)
        assert is_valid_proof(leaf, proof, tree.root)
        assert len(proof) <= bound


@given(leaves_st, st.data())
def test_any_changed_byte_fails(leaves: list[bytes], data: st.DataObject) -> None:
    tree = MerkleTree.build(leaves)
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = tree.proof(index)
    position = data.draw(st.integers(0, 31))
    flipped = bytearray(leaves[index])
    flipped[position] ^= 0x01
    assert not is_valid_proof(bytes(flipped), proof, tree.root)
    if proof:
        which = data.draw(st.integers(0, len(proof) - 1))
        bad = bytearray(proof[which])
        bad[position] ^= 0x80
        assert not is_valid_proof(
            leaves[index], [*proof[:which], bytes(bad), *proof[which + 1 :]], tree.root
        )


@given(leaves_st, st.randoms())
def test_leaf_order_does_not_change_the_root(leaves: list[bytes], rnd: random.Random) -> None:
    shuffled = leaves[:]
    rnd.shuffle(shuffled)
    assert MerkleTree.build(shuffled).root == MerkleTree.build(leaves).root


def test_single_leaf_tree_is_its_leaf() -> None:
    leaf = bytes(range(32))
    tree = MerkleTree.build([leaf])
    assert tree.root == leaf and tree.proof(0) == []


def test_record_leaf_is_double_hashed() -> None:
    # keccak256(keccak256(x)): a leaf can never equal an internal node's 64-byte preimage hash.
    a, b = leaf_of(b"a"), leaf_of(b"b")
    assert leaf_of(b"a") == a and a != b and len(a) == 32
    assert process_proof(a, [b]) == hash_pair(b, a)


@pytest.mark.parametrize("bad", [[], [b"short"]])
def test_bad_input_is_refused(bad: list[bytes]) -> None:
    with pytest.raises(InvalidRecord):
        MerkleTree.build(bad)
