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
from ledger.chain.contracts import OnChainAccreditation, OnChainAnchor, ScopeWindow, facility_scope
from ledger.envelope import sign_envelope
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
    # (key, role, scope) -> every window, in grant order, as AttesterRegistry keeps them
    scopes: dict[tuple[bytes, int, bytes], list[ScopeWindow]] = field(default_factory=dict)
    # (tx hash, root) -> the block holding the transaction that anchored the root
    mined: dict[tuple[str, bytes], int] = field(default_factory=dict)
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

    def anchored_in(self, anchor: Address, tx_hash: str, root: bytes) -> int | None:
        self.reads.append(("anchored_in", anchor))
        return self.mined.get((tx_hash, root)) if anchor == ANCHOR else None

    def registry_of(self, anchor: Address) -> Address:
        self.reads.append(("registry_of", anchor))
        if self.down:
            raise ChainUnavailable("chain unreachable: connection refused")
        return REGISTRY

    def accreditation(self, registry: Address, key: VerifyKey, role: int) -> OnChainAccreditation:
        self.reads.append(("accreditation", registry))
        none = OnChainAccreditation(role, None, None, None, False)
        return self.accreditations.get((key.raw, role), none)

    def scope_at(
        self, registry: Address, key: VerifyKey, role: int, scope: bytes, at: datetime
    ) -> ScopeWindow:
        """``scopeAt``: the window opened last at or before ``at`` (whole seconds)."""
        self.reads.append(("scope_at", registry))
        second = at.replace(microsecond=0)
        opened = [w for w in self.scopes.get((key.raw, role, scope), []) if w[0] and w[0] <= second]
        return opened[-1] if opened else (None, None)


def receipt_for(chain: TwinChain, key: SigningKey, **accreditation: Any) -> dict[str, Any]:
    envelope, other = signed_audit(key, created=CREATED), signed_audit(key, created=CREATED)
    tree = MerkleTree.build([envelope.leaf, other.leaf])
    chain.anchors[tree.root] = OnChainAnchor(tree.root, ANCHORED, 2, 1)
    chain.mined[("0x" + "cc" * 32, tree.root)] = 12
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


# -- scoped kinds: the signer must hold the facility's scope, on chain ------------------------

WAGE_LIKE = {"payslip": KindRule(2, frozenset({3}), scope="run.facility")}
EMPLOYER = 3
FAC_1 = facility_scope("fac-1")


def scoped_receipt(
    chain: TwinChain, key: SigningKey, payload: Any = None, created: datetime = CREATED
) -> dict[str, Any]:
    """An anchored payslip of ``key`` (accredited as employer since a day before ``created``)."""
    payload = {"run": {"facility": "fac-1"}} if payload is None else payload
    envelope = sign_envelope("payslip", payload, key, created=created)
    tree = MerkleTree.build([envelope.leaf])
    chain.anchors[tree.root] = OnChainAnchor(tree.root, ANCHORED, 1, 2)
    chain.mined[("0x" + "cc" * 32, tree.root)] = 12
    chain.accreditations[(key.verify_key.raw, EMPLOYER)] = OnChainAccreditation(
        EMPLOYER, CREATED - timedelta(days=1), None, None, False
    )
    return {
        "envelope": envelope.to_dict(), "leaf": envelope.record_id, "proof": [],
        "root": "0x" + tree.root.hex(), "batchId": 3, "kind": "payslip", "chainId": CHAIN_ID,
        "contract": ANCHOR, "txHash": "0x" + "cc" * 32, "blockNumber": 12,
        "anchoredAt": format_time(ANCHORED),
    }  # fmt: skip


S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("windows", "failed", "reason"),
    [
        ([(CREATED - S, None)], None, None),
        ([(CREATED, None)], None, None),  # granted in the second it was signed
        ([], "signer_accredited", "not granted"),
        ([(CREATED + S, None)], "signer_accredited", "not granted"),  # granted after signing
        ([(CREATED - S, CREATED)], "signer_accredited", "not after created"),
        ([(CREATED - S, ANCHORED)], "signer_accredited", "not after the anchoring"),
        ([(CREATED - S, ANCHORED + S)], None, None),  # revoked after anchoring: provable
        # Revoked after anchoring and granted again: the window it was signed in still holds.
        ([(CREATED - S, ANCHORED + S), (ANCHORED + 2 * S, None)], None, None),
        # Signed in the gap between two windows: the first had ended.
        ([(CREATED - 9 * S, CREATED - 5 * S), (CREATED + S, None)], "signer_accredited",
         "not after created"),
    ],
)  # fmt: skip
def test_a_scoped_kind_needs_the_scope_when_signed_and_until_anchored(
    windows: list[ScopeWindow], failed: str | None, reason: str | None
) -> None:
    chain, key = TwinChain(), SigningKey.generate()
    receipt = scoped_receipt(chain, key)
    chain.scopes[(key.verify_key.raw, EMPLOYER, FAC_1)] = windows
    report = check(receipt, chain, **WAGE_LIKE)
    assert (report.failed.name if report.failed else None) == failed, report.to_dict()
    if reason is not None:
        assert report.failed is not None and reason in report.failed.detail
    else:
        assert "holds scope 0x" + FAC_1.hex() in report.checks[7].detail


def test_created_with_microseconds_is_compared_exactly() -> None:
    """scopeAt is asked for whole seconds; the window's ends are compared to the exact time."""
    chain, key = TwinChain(), SigningKey.generate()
    created = CREATED.replace(microsecond=500_000)
    receipt = scoped_receipt(chain, key, created=created)
    windows = chain.scopes[(key.verify_key.raw, EMPLOYER, FAC_1)] = [(CREATED, None)]
    assert check(receipt, chain, **WAGE_LIKE).ok  # granted half a second before signing
    windows[:] = [(CREATED + S, None)]
    assert not check(receipt, chain, **WAGE_LIKE).ok  # half a second after
    windows[:] = [(CREATED - S, CREATED)]
    assert not check(receipt, chain, **WAGE_LIKE).ok  # revoked half a second before
    windows[:] = [(CREATED - S, CREATED + S), (CREATED + S, None)]
    assert not check(receipt, chain, **WAGE_LIKE).ok  # its window ended before anchoring


def test_another_facilitys_scope_does_not_count() -> None:
    chain, key = TwinChain(), SigningKey.generate()
    receipt = scoped_receipt(chain, key, payload={"run": {"facility": "fac-2"}})
    chain.scopes[(key.verify_key.raw, EMPLOYER, FAC_1)] = [(CREATED - S, None)]
    report = check(receipt, chain, **WAGE_LIKE)
    assert report.failed is not None and report.failed.name == "signer_accredited"
    assert "0x" + facility_scope("fac-2").hex() in report.failed.detail


@pytest.mark.parametrize(
    "payload", [{}, {"run": {}}, {"run": "fac-1"}, {"run": {"facility": 1}},
                {"run": {"facility": ""}}, {"run": {"facility": "x" * 257}}],
)  # fmt: skip
def test_a_scoped_record_that_names_no_facility_fails(payload: dict[str, Any]) -> None:
    chain, key = TwinChain(), SigningKey.generate()
    report = check(scoped_receipt(chain, key, payload=payload), chain, **WAGE_LIKE)
    assert report.failed is not None and report.failed.name == "signer_accredited"
    assert "payload.run.facility" in report.failed.detail
    assert not any(name == "scope_at" for name, _ in chain.reads)


def test_the_scope_is_asked_of_the_pinned_registry_only_for_scoped_kinds() -> None:
    chain, key = TwinChain(), SigningKey.generate()
    receipt = scoped_receipt(chain, key)
    chain.scopes[(key.verify_key.raw, EMPLOYER, FAC_1)] = [(CREATED - S, None)]
    assert check(receipt, chain, **WAGE_LIKE).ok
    assert ("scope_at", REGISTRY) in chain.reads
    # The same record under a table without a scope for the kind: no scope is asked for.
    chain.reads.clear()
    assert check(receipt, chain, payslip=KindRule(2, frozenset({3}))).ok
    assert not any(name == "scope_at" for name, _ in chain.reads)


@pytest.mark.parametrize(("mined_in", "says"), [(None, "is not mined"), (13, "is in block 13")])
def test_a_transaction_a_reorg_dropped_or_moved_fails_anchored(
    mined_in: int | None, says: str
) -> None:
    """The root is on chain (re-anchored after a reorg), but not by the receipt's transaction
    in the receipt's block: the receipt is stale, however well its proof folds."""
    chain = TwinChain()
    receipt = receipt_for(chain, SigningKey.generate())
    key = (receipt["txHash"], bytes.fromhex(receipt["root"][2:]))
    if mined_in is None:
        del chain.mined[key]
    else:
        chain.mined[key] = mined_in
    report = check(receipt, chain)
    assert report.failed is not None and report.failed.name == "anchored", report.to_dict()
    assert says in report.failed.detail and "block 12" in report.failed.detail
