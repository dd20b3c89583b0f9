"""Gas budget of ProvenanceAnchor.anchor: gas is deterministic, so this is an exact bound."""

import pytest

pytestmark = pytest.mark.usefixtures("role_accounts")


ANCHOR_BUDGET = 60_000  # whole transaction, including the 21,000 base


def test_first_anchor_within_budget(anchor, anchorer):
    tx = anchor.anchor(b"\xab" * 32, 1_000, 1, 1, sender=anchorer)

    print(f"anchor() first: {tx.gas_used} gas")
    assert tx.gas_used <= ANCHOR_BUDGET


def test_later_anchor_within_budget(anchor, anchorer):
    anchor.anchor(b"\xab" * 32, 1_000, 1, 1, sender=anchorer)

    tx = anchor.anchor(b"\xcd" * 32, 1_000, 1, 2, sender=anchorer)

    print(f"anchor() later: {tx.gas_used} gas")
    assert tx.gas_used <= ANCHOR_BUDGET
