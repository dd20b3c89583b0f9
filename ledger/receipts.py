"""Receipts: everything needed to check one record with nothing but an RPC endpoint.

``{envelope, leaf, proof, root, batchId, kind, chainId, contract, txHash, blockNumber,
anchoredAt}``. :func:`check_receipt` recomputes the leaf from the envelope (never trusting
the ``leaf`` field), folds the proof into the root, and asks ProvenanceAnchor, in one
``eth_call``, whether and when that root was anchored.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from .chain.contracts import OnChainAnchor
from .envelope import Envelope
from .errors import LedgerError, ReceiptInvalid
from .merkle import process_proof
from .roles import Kind
from .timeutil import format_time, parse_time

__all__ = ["CHECKS", "Check", "ReceiptReport", "check_receipt", "verify_receipt"]

RECEIPT_FIELDS = (
    "envelope", "leaf", "proof", "root", "batchId", "kind", "chainId",
    "contract", "txHash", "blockNumber", "anchoredAt",
)  # fmt: skip

CHECKS = ("format", "signature", "leaf", "proof", "chain", "anchored", "kind", "anchored_at")
"""Every check, in the order they run; a receipt is valid when all of them pass."""

AnchorLookup = Callable[[bytes], OnChainAnchor | None]
"""Given a root, its on-chain anchor (one eth_call to ``ProvenanceAnchor.anchorOf``)."""


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class ReceiptReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return len(self.checks) == len(CHECKS) and all(c.ok for c in self.checks)

    @property
    def failed(self) -> Check | None:
        return next((c for c in self.checks if not c.ok), None)

    def to_dict(self) -> dict[str, Any]:
        failed = self.failed
        return {
            "valid": self.ok,
            "failedCheck": None if failed is None else failed.name,
            "checks": [{"check": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
        }


class _Failed(Exception):
    """Stops the run at the first failed check (already recorded in the report)."""


class _Run:
    def __init__(self) -> None:
        self.report = ReceiptReport()

    def passed(self, name: str, detail: str) -> None:
        self.report.checks.append(Check(name, True, detail))

    def fail(self, name: str, detail: str) -> NoReturn:
        self.report.checks.append(Check(name, False, detail))
        raise _Failed

    def expect(self, name: str, ok: bool, passed: str, failed: str) -> None:
        if not ok:
            self.fail(name, failed)
        self.passed(name, passed)


def check_receipt(
    receipt: Mapping[str, Any], *, chain_id: int, contract: str, lookup: AnchorLookup
) -> ReceiptReport:
    """Run every check in order, stopping at the first failure; never raises for bad input.

    Args:
        chain_id: the chain the RPC endpoint serves.
        contract: the ProvenanceAnchor address ``lookup`` reads (normally the receipt's own).
        lookup: reads the anchor of a root from that contract.
    """
    run = _Run()
    with contextlib.suppress(_Failed):
        _run_checks(run, receipt, chain_id, contract, lookup)
    return run.report


def verify_receipt(
    receipt: Mapping[str, Any], *, chain_id: int, contract: str, lookup: AnchorLookup
) -> ReceiptReport:
    """Like :func:`check_receipt`, but raises ReceiptInvalid naming the failed check."""
    report = check_receipt(receipt, chain_id=chain_id, contract=contract, lookup=lookup)
    failed = report.failed
    if failed is not None:
        raise ReceiptInvalid(failed.detail, check=failed.name)
    return report


def _run_checks(
    run: _Run, receipt: Mapping[str, Any], chain_id: int, contract: str, lookup: AnchorLookup
) -> None:
    envelope, leaf, proof, root = _parse(run, receipt)
    try:
        envelope.verify_signature()
    except LedgerError as exc:
        run.fail("signature", exc.detail)
    run.passed("signature", f"signed by {envelope.signer}")

    computed = envelope.leaf
    run.expect(
        "leaf", computed == leaf, "leaf recomputed from the envelope",
        f"envelope hashes to 0x{computed.hex()}, receipt says 0x{leaf.hex()}",
    )  # fmt: skip
    folded = process_proof(computed, proof)
    run.expect(
        "proof", folded == root, f"{len(proof)}-step proof leads to the root",
        f"proof leads to 0x{folded.hex()}, not the receipt's root",
    )  # fmt: skip
    claimed_chain = int(receipt["chainId"])
    run.expect(
        "chain", claimed_chain == chain_id, f"chain {chain_id}",
        f"receipt is for chain {claimed_chain}, the RPC serves chain {chain_id}",
    )  # fmt: skip

    try:
        anchor = lookup(root)
    except LedgerError as exc:
        run.fail("anchored", f"could not ask {contract}: {exc.detail}")
    if anchor is None:
        run.fail("anchored", f"root 0x{root.hex()} is not anchored at {contract}")
    run.passed(
        "anchored", f"anchored at {format_time(anchor.anchored_at)} in a batch of {anchor.count}"
    )

    envelope_kind = int(Kind.parse(envelope.kind))
    receipt_kind = _kind_number(receipt["kind"])
    run.expect(
        "kind", anchor.kind == envelope_kind == receipt_kind, f"batch of {envelope.kind} records",
        f"on-chain kind {anchor.kind}, envelope kind {envelope.kind}, "
        f"receipt kind {receipt['kind']}",
    )  # fmt: skip
    claimed_time = parse_time(receipt["anchoredAt"], field="anchoredAt")
    run.expect(
        "anchored_at", claimed_time == anchor.anchored_at, "anchoring time matches the chain",
        f"receipt says {receipt['anchoredAt']}, chain says {format_time(anchor.anchored_at)}",
    )  # fmt: skip


def _kind_number(value: object) -> int:
    if isinstance(value, str):
        try:
            return int(Kind.parse(value))
        except ValueError:
            return -1
    return -1


def _hex32(value: object, name: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 66:
        raise ValueError(f"{name} must be a 0x-prefixed 32-byte hex string")
    return bytes.fromhex(value[2:])


def _parse(run: _Run, receipt: Mapping[str, Any]) -> tuple[Envelope, bytes, list[bytes], bytes]:
    try:
        if not isinstance(receipt, Mapping):
            raise ValueError("a receipt is a JSON object")
        missing = [f for f in RECEIPT_FIELDS if f not in receipt]
        if missing:
            raise ValueError(f"missing field(s): {', '.join(missing)}")
        envelope = Envelope.from_dict(receipt["envelope"])
        leaf = _hex32(receipt["leaf"], "leaf")
        root = _hex32(receipt["root"], "root")
        if not isinstance(receipt["proof"], list):
            raise ValueError("proof must be a list")
        proof = [_hex32(p, "proof element") for p in receipt["proof"]]
        int(receipt["chainId"])
        parse_time(receipt["anchoredAt"], field="anchoredAt")
    except (LedgerError, ValueError, TypeError) as exc:
        run.fail("format", getattr(exc, "detail", str(exc)))
    run.passed("format", "all fields present and well formed")
    return envelope, leaf, proof, root
