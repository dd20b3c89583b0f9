"""Merkle trees laid out exactly as OpenZeppelin's ``SimpleMerkleTree`` lays them out.

Compatibility contract (``@openzeppelin/merkle-tree`` 1.x, ``MerkleProof.sol`` 5.x):

* leaves are 32-byte values, sorted ascending before the tree is built (``sortLeaves``);
* the tree is an array ``tree[0..2n-2]``: leaves fill it from the end in sorted order,
  node ``i`` has children ``2i+1`` and ``2i+2`` and ``tree[0]`` is the root;
* a node is ``keccak256(min(a, b) || max(a, b))`` (sorted pair, so proofs carry no
  left/right flags and ``MerkleProof.verify`` accepts them on chain);
* a proof lists sibling hashes from the leaf up; its length is at most ``ceil(log2 n)``.

The leaf of a record is ``keccak256(keccak256(canonical envelope))``: hashing twice keeps
leaves distinct from 64-byte internal-node preimages (OpenZeppelin's warning on
second-preimage attacks with 64-byte leaves).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_hash.backends import pysha3
from eth_hash.main import Keccak256

from .errors import InvalidRecord
from .types import Leaf, Root

__all__ = ["MerkleTree", "hash_pair", "is_valid_proof", "leaf_of", "process_proof"]


# eth-hash's pysha3 backend, named rather than left to eth_hash.auto: auto picks pycryptodome
# whenever it is installed (web3 installs it), which is 3-4x slower on 64-byte node pairs.
_keccak256 = Keccak256(pysha3.backend)


def keccak(data: bytes) -> bytes:
    """keccak256 (eth-hash with its pysha3 backend)."""
    return _keccak256(data)


def leaf_of(canonical_record: bytes) -> Leaf:
    """The leaf of a record from its canonical (JCS) bytes."""
    return Leaf(keccak(keccak(canonical_record)))


def hash_pair(a: bytes, b: bytes) -> bytes:
    """OpenZeppelin ``Hashes.commutativeKeccak256``."""
    return keccak(a + b) if a < b else keccak(b + a)


def process_proof(leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` leads to from ``leaf`` (``MerkleProof.processProof``)."""
    _check_node(leaf)
    node = leaf
    for sibling in proof:
        _check_node(sibling)
        node = hash_pair(node, sibling)
    return node


def is_valid_proof(leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """True when ``proof`` proves ``leaf`` is in the tree with ``root``."""
    return process_proof(leaf, proof) == root


def _check_node(node: bytes) -> None:
    if len(node) != 32:
        raise InvalidRecord(f"Merkle nodes are 32 bytes, got {len(node)}")


@dataclass(frozen=True)
class MerkleTree:
    """An immutable tree over ``leaves`` (kept in the caller's order for :meth:`proof`)."""

    leaves: tuple[bytes, ...]
    nodes: tuple[bytes, ...]
    _tree_index: tuple[int, ...]

    @classmethod
    def build(cls, leaves: Sequence[bytes]) -> MerkleTree:
        """Build the tree; ``leaves`` order does not change the root."""
        if not leaves:
            raise InvalidRecord("a Merkle tree needs at least one leaf")
        for leaf in leaves:
            _check_node(leaf)
        order = sorted(range(len(leaves)), key=lambda i: leaves[i])
        size = 2 * len(leaves) - 1
        nodes: list[bytes] = [b""] * size
        tree_index = [0] * len(leaves)
        for position, value_index in enumerate(order):
            tree_index[value_index] = size - 1 - position
            nodes[size - 1 - position] = bytes(leaves[value_index])
        for i in range(size - 1 - len(leaves), -1, -1):
            nodes[i] = hash_pair(nodes[2 * i + 1], nodes[2 * i + 2])
        return cls(tuple(bytes(x) for x in leaves), tuple(nodes), tuple(tree_index))

    @property
    def root(self) -> Root:
        return Root(self.nodes[0])

    def proof(self, index: int) -> list[bytes]:
        """Sibling hashes proving ``leaves[index]`` (index in the caller's order)."""
        if not 0 <= index < len(self.leaves):
            raise IndexError(f"leaf index {index} out of range for {len(self.leaves)} leaves")
        node = self._tree_index[index]
        proof: list[bytes] = []
        while node > 0:
            sibling = node + 1 if node % 2 == 1 else node - 1
            proof.append(self.nodes[sibling])
            node = (node - 1) // 2
        return proof
