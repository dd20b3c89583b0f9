"""ProvenanceAnchor: who may anchor, what is rejected, what is stored, and proofs on chain."""

import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.usefixtures("role_accounts")

ROOT = bytes.fromhex("5e" * 32)
OTHER_ROOT = bytes.fromhex("6f" * 32)
ZERO_ROOT = b"\x00" * 32
AUDIT = 1


def random_leaves(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [rng.randbytes(32) for _ in range(count)]


def flip_byte(value: bytes, index: int) -> bytes:
    changed = bytearray(value)
    changed[index] ^= 0x01
    return bytes(changed)


def test_version_and_registry(anchor, registry):
    assert anchor.version() == "1.0.0"
    assert anchor.registry() == registry.address


# --- who may anchor -------------------------------------------------------------------------


def test_stranger_cannot_anchor(anchor, stranger, owner, reverts):
    # Not even the registry's admin is an anchorer unless listed.
    for caller in (stranger, owner):
        with reverts(anchor.ProvenanceAnchorNotAnchorer, caller=caller.address):
            anchor.anchor(ROOT, 1, AUDIT, 1, sender=caller)


def test_removed_anchorer_cannot_anchor(anchor, registry, owner, anchorer, reverts):
    anchor.anchor(ROOT, 1, AUDIT, 1, sender=anchorer)
    registry.removeAnchorer(anchorer, sender=owner)

    with reverts(anchor.ProvenanceAnchorNotAnchorer, caller=anchorer.address):
        anchor.anchor(OTHER_ROOT, 1, AUDIT, 2, sender=anchorer)


def test_added_anchorer_can_anchor(anchor, registry, owner, stranger):
    registry.addAnchorer(stranger, sender=owner)

    anchor.anchor(ROOT, 1, AUDIT, 1, sender=stranger)

    assert anchor.lastBatchId() == 1


# --- what is rejected -----------------------------------------------------------------------


def test_zero_root_rejected(anchor, anchorer, reverts):
    with reverts(anchor.ProvenanceAnchorZeroRoot):
        anchor.anchor(ZERO_ROOT, 1, AUDIT, 1, sender=anchorer)


def test_empty_batch_rejected(anchor, anchorer, reverts):
    with reverts(anchor.ProvenanceAnchorEmptyBatch):
        anchor.anchor(ROOT, 0, AUDIT, 1, sender=anchorer)


def test_duplicate_root_rejected(anchor, anchorer, reverts):
    first = anchor.anchor(ROOT, 3, AUDIT, 1, sender=anchorer)

    with reverts(anchor.ProvenanceAnchorRootExists, root=ROOT):
        anchor.anchor(ROOT, 3, AUDIT, 2, sender=anchorer)
    # Also under another kind, count or batch id: the root alone decides.
    with reverts(anchor.ProvenanceAnchorRootExists, root=ROOT):
        anchor.anchor(ROOT, 9, AUDIT + 1, 7, sender=anchorer)
    assert anchor.anchorOf(ROOT).anchoredAt == first.timestamp
    assert anchor.lastBatchId() == 1


@pytest.mark.parametrize("batch_id", [5, 4, 0])
def test_batch_id_not_increasing_rejected(anchor, anchorer, reverts, batch_id):
    anchor.anchor(ROOT, 1, AUDIT, 5, sender=anchorer)

    with reverts(anchor.ProvenanceAnchorBatchIdNotIncreasing, batchId=batch_id, lastBatchId=5):
        anchor.anchor(OTHER_ROOT, 1, AUDIT, batch_id, sender=anchorer)


def test_first_batch_id_must_be_positive(anchor, anchorer, reverts):
    with reverts(anchor.ProvenanceAnchorBatchIdNotIncreasing, batchId=0, lastBatchId=0):
        anchor.anchor(ROOT, 1, AUDIT, 0, sender=anchorer)


def test_batch_ids_may_skip(anchor, anchorer):
    anchor.anchor(ROOT, 1, AUDIT, 1, sender=anchorer)

    anchor.anchor(OTHER_ROOT, 1, AUDIT, 2**64 - 1, sender=anchorer)

    assert anchor.lastBatchId() == 2**64 - 1


# --- what is stored and emitted -------------------------------------------------------------


def test_anchor_stores_and_emits(anchor, anchorer):
    tx = anchor.anchor(ROOT, 1_000, AUDIT, 42, sender=anchorer)

    assert tx.events == [anchor.Anchored(root=ROOT, batchId=42, kind=AUDIT, count=1_000)]
    [log] = tx.decode_logs(anchor.Anchored)
    assert (log.root, log.batchId, log.kind, log.count) == (ROOT, 42, AUDIT, 1_000)
    stored = anchor.anchorOf(ROOT)
    assert (stored.anchoredAt, stored.count, stored.kind) == (tx.timestamp, 1_000, AUDIT)
    assert anchor.lastBatchId() == 42


def test_unknown_root_reads_as_zero(anchor):
    stored = anchor.anchorOf(OTHER_ROOT)

    assert (stored.anchoredAt, stored.count, stored.kind) == (0, 0, 0)
    assert anchor.lastBatchId() == 0


def test_extreme_values_round_trip(anchor, anchorer):
    anchor.anchor(ROOT, 2**32 - 1, 255, 2**64 - 1, sender=anchorer)

    stored = anchor.anchorOf(ROOT)
    assert (stored.count, stored.kind) == (2**32 - 1, 255)


# --- proofs on chain ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 16, 33])
def test_every_leaf_verifies_on_chain(anchor, anchorer, merkle_tree, size):
    leaves = random_leaves(size, seed=size)
    tree = merkle_tree.build(leaves)
    anchor.anchor(tree.root, size, AUDIT, 1, sender=anchorer)

    for index, leaf in enumerate(leaves):
        proof = tree.proof(index)
        assert merkle_tree.process_proof(leaf, proof) == tree.root
        assert anchor.verify(leaf, proof, tree.root), f"leaf {index} of {size}"


@pytest.mark.parametrize("size", [2, 5, 16])
def test_changed_leaf_fails(anchor, anchorer, merkle_tree, size):
    leaves = random_leaves(size, seed=100 + size)
    tree = merkle_tree.build(leaves)
    anchor.anchor(tree.root, size, AUDIT, 1, sender=anchorer)

    for index, leaf in enumerate(leaves):
        for byte in (0, 31):
            assert not anchor.verify(flip_byte(leaf, byte), tree.proof(index), tree.root)


@pytest.mark.parametrize("size", [2, 5, 16])
def test_changed_proof_element_fails(anchor, anchorer, merkle_tree, size):
    leaves = random_leaves(size, seed=200 + size)
    tree = merkle_tree.build(leaves)
    anchor.anchor(tree.root, size, AUDIT, 1, sender=anchorer)

    for index, leaf in enumerate(leaves):
        proof = tree.proof(index)
        for position in range(len(proof)):
            changed = list(proof)
            changed[position] = flip_byte(proof[position], position % 32)
            assert not anchor.verify(leaf, changed, tree.root), f"leaf {index}, {position}"


def test_proof_against_unanchored_root_fails(anchor, anchorer, merkle_tree):
    leaves = random_leaves(4, seed=300)
    tree = merkle_tree.build(leaves)

    assert not anchor.verify(leaves[0], tree.proof(0), tree.root)
    anchor.anchor(tree.root, 4, AUDIT, 1, sender=anchorer)
    assert anchor.verify(leaves[0], tree.proof(0), tree.root)


def test_proof_for_another_tree_fails(anchor, anchorer, merkle_tree):
    tree = merkle_tree.build(random_leaves(4, seed=400))
    other = merkle_tree.build(random_leaves(4, seed=401))
    anchor.anchor(tree.root, 4, AUDIT, 1, sender=anchorer)
    anchor.anchor(other.root, 4, AUDIT, 2, sender=anchorer)

    assert not anchor.verify(other.leaves[0], other.proof(0), tree.root)
    assert anchor.verify(other.leaves[0], other.proof(0), other.root)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    leaves=st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=24, unique=True),
    data=st.data(),
)
def test_any_tree_verifies_and_any_changed_byte_fails(anchor, anchorer, merkle_tree, leaves, data):
    tree = merkle_tree.build(leaves)
    assume(tree.root != ZERO_ROOT)  # a one-leaf tree of the zero leaf: rejected, tested above
    # The chain is not reset between examples: anchor each new root once, under a new batch id.
    if anchor.anchorOf(tree.root).anchoredAt == 0:
        anchor.anchor(tree.root, len(leaves), AUDIT, anchor.lastBatchId() + 1, sender=anchorer)
    index = data.draw(st.integers(0, len(leaves) - 1), label="leaf")
    byte = data.draw(st.integers(0, 31), label="byte")
    proof = tree.proof(index)

    assert anchor.verify(leaves[index], proof, tree.root)
    assert not anchor.verify(flip_byte(leaves[index], byte), proof, tree.root)
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1), label="proof element")
        changed = [*proof[:position], flip_byte(proof[position], byte), *proof[position + 1 :]]
        assert not anchor.verify(leaves[index], changed, tree.root)
