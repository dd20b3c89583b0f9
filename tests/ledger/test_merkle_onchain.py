"""Every proof our trees produce verifies with OpenZeppelin's MerkleProof on chain, and a
changed byte fails there too (ProvenanceAnchor.verify on the embedded EVM)."""

from __future__ import annotations

import pytest
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.chain.client import ChainClient
from ledger.chain.contracts import AnchorContract
from ledger.chain.deployment import deploy_contracts
from ledger.merkle import MerkleTree


@pytest.fixture(scope="module")
def anchor() -> AnchorContract:
    client = ChainClient.embedded_evm()
    return AnchorContract.of(client, deploy_contracts(client, admin=Account.create().address))


BATCH = iter(range(1, 10_000))


@settings(max_examples=15, deadline=None)
# Leaves are keccak hashes, never zero (and the contract refuses a zero root).
@given(
    st.lists(st.binary(min_size=32, max_size=32).filter(any), min_size=1, max_size=70, unique=True),
    st.data(),
)
def test_proofs_verify_on_chain(
    anchor: AnchorContract, leaves: list[bytes], data: st.DataObject
) -> None:
    tree = MerkleTree.build(leaves)
    if anchor.anchor_of(tree.root) is None:
        anchor.anchor(tree.root, len(leaves), 1, next(BATCH))
    for index, leaf in enumerate(leaves):
        assert anchor.verify(leaf, tree.proof(index), tree.root)
    index = data.draw(st.integers(0, len(leaves) - 1))
    flipped = bytearray(leaves[index])
    flipped[data.draw(st.integers(0, 31))] ^= 1
    assert not anchor.verify(bytes(flipped), tree.proof(index), tree.root)


def test_reverts_without_arguments_are_named_on_the_embedded_evm(anchor: AnchorContract) -> None:
    from ledger.errors import ContractRevert

    with pytest.raises(ContractRevert) as caught:
        anchor.anchor(bytes(32), 1, 1, 9_999_999)
    assert caught.value.error_name == "ProvenanceAnchorZeroRoot"
