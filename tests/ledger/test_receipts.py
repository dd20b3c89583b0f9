"""check_receipt at the edges a live chain cannot stage on demand: a revocation in the very
second of the anchoring, a registry that cannot be read. The chain is an in-memory twin of
:class:`ledger.receipts.ReceiptChain`; envelopes, signatures and Merkle proofs are real.
(The same checks against real chains, and the JS verifier, are in tests/cli.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain import kind_registry
from ledger.chain.contracts import OnChainAccreditation, OnChainAnchor
from ledger.errors import ChainUnavailable, ReceiptInvalid
from ledger.keys import SigningKey, VerifyKey
from ledger.merkle import MerkleTree
from ledger.receipts import (
    CHECKS,
    KindRule,
    PinnedDeployment,
    check_receipt,
    unreadable_receipt,
    verify_receipt,
)
from ledger.timeutil import format_time
from ledger.types import Address
from tests.ledger.helpers import signed_audit

ANCHOR = Address("0x" + "aa" * 20)
REGISTRY = Address("0x" + "bb" * 20)
CHAIN_ID = 31337
ANCHORED = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
CREATED = ANCHORED - timedelta(hours=1)


@dataclass
class TwinChain:
    """What the pinned anchor and its registry hold; every read is recorded."""

    anchors: dict[bytes, OnChainAnchor] = field(default_factory=dict)
    accreditations: dict[tuple[bytes, int], OnChainAccreditation] = field(default_factory=dict)
    reads: list[tuple[str, Any]] = field(default_factory=list)
    down: bool = False

    def chain_id(self) -> int:
        self.reads.append(("chain_id", None))
        return CHAIN_ID

    def genesis_hash(self) -> str:
        return "0x" + "00" * 32

    def anchor_of(self, anchor: Address, root: bytes) -> OnChainAnchor | None:
        self.reads.append(("anchor_of", anchor))
        return self.anchors.get(root) if anchor == ANCHOR else None

    def registry_of(self, anchor: Address) -> Address:
        self.reads.append(("registry_of", anchor))
        if self.down:
            raise ChainUnavailable("chain unreachable: connection refused")
        return REGISTRY

    def accreditation(self, registry: Address, key: VerifyKey, role: int) -> OnChainAccreditation:
        self.reads.append(("accreditation", registry))
        none = OnChainAccreditation(role, None, None, None, False)
        return self.accreditations.get((key.raw, role), none)


def receipt_for(chain: TwinChain, key: SigningKey, **accreditation: Any) -> dict[str, Any]:
    envelope, other = signed_audit(key, created=CREATED), signed_audit(key, created=CREATED)
    tree = MerkleTree.build([envelope.leaf, other.leaf])
    chain.anchors[tree.root] = OnChainAnchor(tree.root, ANCHORED, 2, 1)
    window = {"valid_from": CREATED - timedelta(days=1), "valid_until": None,
              "revoked_at": None, "suspended": False, **accreditation}  # fmt: skip
    chain.accreditations[(key.verify_key.raw, 1)] = OnChainAccreditation(role=1, **window)
    return {
        "envelope": envelope.to_dict(), "leaf": envelope.record_id,
        "proof": ["0x" + p.hex() for p in tree.proof(0)], "root": "0x" + tree.root.hex(),
        "batchId": 7, "kind": "audit", "chainId": CHAIN_ID, "contract": ANCHOR,
        "txHash": "0x" + "cc" * 32, "blockNumber": 12, "anchoredAt": format_time(ANCHORED),
    }  # fmt: skip


def check(receipt: Any, chain: TwinChain, **kinds: KindRule) -> Any:
    pinned = PinnedDeployment(ANCHOR, CHAIN_ID, source="test")
    return check_receipt(
        receipt, pinned=pinned, chain=chain, kinds=kinds or kind_registry().receipt_rules()
    )


@pytest.mark.parametrize(
    ("revoked_at", "failed"),
    [
        (None, None),
        (ANCHORED + timedelta(seconds=1), None),  # revoked after anchoring: stays provable
        (ANCHORED, "signer_accredited"),  # in the same second: not after it
        (ANCHORED - timedelta(seconds=1), "signer_accredited"),
    ],
)
def test_revocation_against_the_anchoring_time(revoked_at: datetime | None, failed: str) -> None:
    chain = TwinChain()
    report = check(receipt_for(chain, SigningKey.generate(), revoked_at=revoked_at), chain)
    assert (report.failed.name if report.failed else None) == failed, report.to_dict()
    assert report.ok is (failed is None)


def test_reads_go_to_the_pinned_anchor_and_its_registry_only() -> None:
    chain = TwinChain()
    receipt = receipt_for(chain, SigningKey.generate())
    assert check(receipt, chain).ok
    addresses = {address for name, address in chain.reads if name != "chain_id"}
    assert addresses == {ANCHOR, REGISTRY}


def test_a_report_names_every_check_and_marks_those_not_run() -> None:
    chain = TwinChain(down=True)
    report = check(receipt_for(chain, SigningKey.generate()), chain)
    assert [c.name for c in report.checks] == list(CHECKS)
    verdicts = {c.name: c.ok for c in report.checks}
    assert verdicts["anchored"] is True and verdicts["signer_accredited"] is False
    assert verdicts["kind"] is None and verdicts["anchored_at"] is None
    assert "connection refused" in report.failed.detail  # type: ignore[union-attr]
    assert report.to_dict()["failedCheck"] == "signer_accredited"
    with pytest.raises(ReceiptInvalid) as raised:
        verify_receipt(receipt_for(chain, SigningKey.generate()), chain=chain,
                       pinned=PinnedDeployment(ANCHOR, CHAIN_ID), kinds=kind_registry().receipt_rules())  # fmt: skip
    assert raised.value.check == "signer_accredited"


def test_the_kind_table_is_the_callers() -> None:
    chain = TwinChain()
    receipt = receipt_for(chain, SigningKey.generate())
    # A table where audits need an investigator (role 6): the auditor's record fails.
    strict = check(receipt, chain, audit=KindRule(1, frozenset({6})))
    assert strict.failed is not None and strict.failed.name == "signer_accredited"
    # A table without audits at all: the receipt's kind is unknown, as the JS verifier says.
    unknown = check(receipt, chain, wage=KindRule(2, frozenset({3})))
    assert unknown.failed is not None and unknown.failed.name == "format"


def test_an_unreadable_receipt_fails_format_and_lists_the_rest() -> None:
    report = unreadable_receipt("malformed JSON: duplicate key 'kind'")
    assert [c.ok for c in report.checks] == [False] + [None] * (len(CHECKS) - 1)
    assert not report.ok
