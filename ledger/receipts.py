"""Receipts: everything needed to check one record with nothing but an RPC endpoint and a
pinned deployment.

``{envelope, leaf, proof, root, batchId, kind, chainId, contract, txHash, blockNumber,
anchoredAt}``. :func:`check_receipt` trusts nothing the receipt says about itself: it
recomputes the leaf from the envelope, folds the proof into the root, and asks the
*pinned* ProvenanceAnchor (never the receipt's ``contract``) whether and when that root was
anchored, and the registry behind that anchor whether the signer was accredited.

The checks, in order (a receipt is valid only when every one holds):

``format``
    every field present and well formed (bounded: at most 64 proof steps).
``signature``
    the signer's Ed25519 signature over the RFC 8785 bytes of the envelope.
``leaf``
    ``keccak256(keccak256(JCS(envelope)))`` equals the receipt's leaf.
``proof``
    the proof leads from that leaf to the receipt's root (sorted-pair keccak256).
``chain``
    the RPC serves the pinned chain (and its genesis block, when the pin names one), and
    the receipt is for that chain.
``contract``
    the receipt names the pinned ProvenanceAnchor.
``anchored``
    the pinned anchor holds the root (``anchorOf``), and the receipt's ``txHash`` is mined
    in its ``blockNumber`` on the chain as it is now, with the pinned anchor's ``Anchored``
    event for the root: a receipt issued before a reorg that dropped or moved its
    transaction fails here (fetch it again; the ledger re-issues it once re-anchored).
``signer_accredited``
    through ``ProvenanceAnchor.registry()`` of the pinned anchor,
    ``AttesterRegistry.accreditation(key, role)`` holds, for at least one role allowed to
    sign the envelope's kind, an accreditation whose window covers the envelope's
    ``created`` (``validFrom <= created < validUntil``, or no end), that is not suspended
    now, and that was not revoked before the record was anchored (``revokedAt == 0`` or
    the anchor's block time ``< revokedAt``): a record anchored before a revocation stays
    provable, one anchored at or after it does not. For a kind whose rule names a
    ``scope`` (the payload path of a facility id), that role must moreover hold the
    facility's scope (:func:`~ledger.chain.contracts.facility_scope`) then:
    ``AttesterRegistry.scopeAt(key, role, scope, created)`` returns a window granted at or
    before ``created`` and, if revoked, revoked after both ``created`` and the anchoring.
``kind``
    the on-chain batch kind, the envelope's kind and the receipt's kind agree.
``anchored_at``
    the receipt's ``anchoredAt`` is the anchor's block time.

Which roles may sign which kind (and where a scoped kind names its facility) comes in as a
table (:class:`KindRule` by kind label): the
core knows no kind by name; :meth:`ledger.kinds.KindRegistry.receipt_rules` builds the table
from the application's kinds (``domain.kind_registry()``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, NoReturn, Protocol

from .chain.client import ChainClient
from .chain.contracts import (
    AnchorContract,
    OnChainAccreditation,
    OnChainAnchor,
    RegistryContract,
    ScopeWindow,
)
from .chain.deployment import Deployment
from .envelope import Envelope
from .errors import LedgerError, ReceiptInvalid
from .keys import VerifyKey
from .kinds import KIND_LABEL
from .merkle import process_proof
from .scopes import SCOPE_PATH, scope_named
from .timeutil import format_time, parse_time
from .types import Address

__all__ = [
    "CHECKS",
    "MAX_PROOF_STEPS",
    "Check",
    "KindRule",
    "PinnedDeployment",
    "ReceiptChain",
    "ReceiptReport",
    "RpcReceiptChain",
    "check_receipt",
    "kind_rules_from_json",
    "kind_rules_to_json",
    "unreadable_receipt",
    "verify_receipt",
]

RECEIPT_FIELDS = (
    "envelope", "leaf", "proof", "root", "batchId", "kind", "chainId",
    "contract", "txHash", "blockNumber", "anchoredAt",
)  # fmt: skip

CHECKS: Final = (
    "format", "signature", "leaf", "proof", "chain", "contract", "anchored",
    "signer_accredited", "kind", "anchored_at",
)  # fmt: skip
"""Every check, in the order they run; a receipt is valid when all of them pass."""

MAX_PROOF_STEPS: Final = 64
"""A proof longer than this is refused unread (a tree of 2**64 leaves needs no more)."""

_HEX32 = re.compile(r"^0x[0-9a-fA-F]{64}$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_MAX_SAFE_INTEGER = 2**53 - 1  # chain ids past this cannot be read exactly by JSON verifiers


@dataclass(frozen=True)
class KindRule:
    """What the chain calls a kind (``number``, the batch's ``kind``), which
    AttesterRegistry roles may sign it, and, for a scoped kind, the dotted payload path of
    the facility id whose scope the signer must hold (``"run.facility"``)."""

    number: int
    # None: no registry role signs it, the key the record itself answers to does (a worker
    # acknowledging their own wage line); the ledger checked that key against the record
    # it acknowledges, and there is no accreditation on chain to check.
    roles: frozenset[int] | None
    scope: str | None = None


def kind_rules_to_json(rules: Mapping[str, KindRule]) -> dict[str, Any]:
    """A kind table as JSON: ``{label: {"number", "roles", "scope"?}}`` (what the JS
    verifier's ``--kinds`` prints and ``--kind-table`` reads)."""
    return {
        label: {"number": r.number, "roles": None if r.roles is None else sorted(r.roles)}
        | ({} if r.scope is None else {"scope": r.scope})
        for label, r in rules.items()
    }


def kind_rules_from_json(data: object) -> dict[str, KindRule]:
    """Read a kind table written as :func:`kind_rules_to_json` writes it.

    Raises:
        ValueError: naming the first kind or field that is malformed.
    """
    if not isinstance(data, Mapping):
        raise ValueError("a kind table is a JSON object")
    if len(data) > 255:
        raise ValueError("a kind table has at most 255 kinds")
    rules: dict[str, KindRule] = {}
    for label, entry in data.items():
        if not isinstance(label, str) or not KIND_LABEL.fullmatch(label):
            raise ValueError(f"kind {label!r} is not a kind label")
        if not isinstance(entry, Mapping):
            raise ValueError(f"kind {label}: an entry is a JSON object")
        extra = sorted(set(entry) - {"number", "roles", "scope"})
        if extra:
            raise ValueError(f"kind {label}: unknown field {extra[0]!r}")
        number, roles, scope = entry.get("number"), entry.get("roles"), entry.get("scope")
        if type(number) is not int or not 1 <= number <= 255:
            raise ValueError(f"kind {label}: number must be an integer 1-255")
        if roles is not None and (
            not isinstance(roles, list) or not all(type(r) is int and 1 <= r <= 6 for r in roles)
        ):
            raise ValueError(f"kind {label}: roles must be a list of roles 1-6, or null")
        if scope is not None and (not isinstance(scope, str) or not SCOPE_PATH.fullmatch(scope)):
            raise ValueError(f"kind {label}: scope must be a dotted payload path")
        rules[label] = KindRule(number, None if roles is None else frozenset(roles), scope)
    return rules


@dataclass(frozen=True)
class PinnedDeployment:
    """The deployment a verifier trusts, chosen by the verifier, never read from a receipt.

    ``chain_id`` None means the chain the RPC serves (an explicitly pinned address on an
    explicitly chosen RPC); ``genesis_hash`` None skips the genesis comparison.
    """

    contract: Address
    chain_id: int | None = None
    genesis_hash: str | None = None
    source: str = "pinned"

    @classmethod
    def of(cls, deployment: Deployment, *, source: str) -> PinnedDeployment:
        """Pin a deployment JSON's ProvenanceAnchor, chain and genesis.

        Raises:
            DeploymentMissing: the deployment has no ProvenanceAnchor.
        """
        return cls(
            contract=deployment.address("ProvenanceAnchor"),
            chain_id=deployment.chain_id,
            genesis_hash=deployment.genesis_hash or None,
            source=source,
        )


class ReceiptChain(Protocol):
    """The chain reads the checks make. Every contract address passed in comes from the pin
    or from the pinned anchor itself, never from the receipt."""

    def chain_id(self) -> int: ...

    def genesis_hash(self) -> str: ...

    def anchor_of(self, anchor: Address, root: bytes) -> OnChainAnchor | None: ...

    def anchored_in(self, anchor: Address, tx_hash: str, root: bytes) -> int | None: ...

    def registry_of(self, anchor: Address) -> Address: ...

    def accreditation(
        self, registry: Address, key: VerifyKey, role: int
    ) -> OnChainAccreditation: ...

    def scope_at(
        self, registry: Address, key: VerifyKey, role: int, scope: bytes, at: datetime
    ) -> ScopeWindow: ...


class RpcReceiptChain:
    """:class:`ReceiptChain` over a :class:`ChainClient` (``eth_call`` through the wrappers
    of ``ledger/chain/contracts.py``). Every method raises ChainError when the node fails."""

    def __init__(self, client: ChainClient) -> None:
        self.client = client

    def chain_id(self) -> int:
        return self.client.chain_id

    def genesis_hash(self) -> str:
        return self.client.genesis_hash

    def anchor_of(self, anchor: Address, root: bytes) -> OnChainAnchor | None:
        return AnchorContract(self.client, anchor).anchor_of(root)

    def anchored_in(self, anchor: Address, tx_hash: str, root: bytes) -> int | None:
        return AnchorContract(self.client, anchor).anchored_in(tx_hash, root)

    def registry_of(self, anchor: Address) -> Address:
        return AnchorContract(self.client, anchor).registry_address()

    def accreditation(self, registry: Address, key: VerifyKey, role: int) -> OnChainAccreditation:
        return RegistryContract(self.client, registry).accreditation(key, role)

    def scope_at(
        self, registry: Address, key: VerifyKey, role: int, scope: bytes, at: datetime
    ) -> ScopeWindow:
        return RegistryContract(self.client, registry).scope_at(key, role, scope, at)


@dataclass(frozen=True)
class Check:
    """One check's verdict: ``ok`` is None for a check that did not run (an earlier one
    failed), never True."""

    name: str
    ok: bool | None
    detail: str


@dataclass
class ReceiptReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        names = tuple(c.name for c in self.checks)
        return names == CHECKS and all(c.ok is True for c in self.checks)

    @property
    def failed(self) -> Check | None:
        return next((c for c in self.checks if c.ok is False), None)

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

    def finish(self) -> ReceiptReport:
        """List the checks that did not run, so a report always names all of them."""
        failed = self.report.failed
        done = {c.name for c in self.report.checks}
        for name in CHECKS:
            if name not in done:
                reason = f"the {failed.name} check failed" if failed else "not reached"
                self.report.checks.append(Check(name, None, f"not run: {reason}"))
        return self.report


def check_receipt(
    receipt: Any,
    *,
    pinned: PinnedDeployment,
    chain: ReceiptChain,
    kinds: Mapping[str, KindRule],
) -> ReceiptReport:
    """Run every check in order, stopping at the first failure; never raises for bad input
    or an unreachable chain (the check that needed the chain fails, naming the cause).

    Args:
        receipt: the parsed receipt (anything: its shape is the first check).
        pinned: the deployment to trust; the receipt's ``contract`` must be its anchor.
        chain: reads from the RPC endpoint.
        kinds: kind label → on-chain kind number and the roles allowed to sign it.
    """
    run = _Run()
    with contextlib.suppress(_Failed):
        _run_checks(run, receipt, pinned, chain, kinds)
    return run.finish()


def verify_receipt(
    receipt: Any,
    *,
    pinned: PinnedDeployment,
    chain: ReceiptChain,
    kinds: Mapping[str, KindRule],
) -> ReceiptReport:
    """Like :func:`check_receipt`, but raises for an invalid receipt.

    Raises:
        ReceiptInvalid: naming the failed check (``check``).
    """
    report = check_receipt(receipt, pinned=pinned, chain=chain, kinds=kinds)
    failed = report.failed
    if failed is not None:
        raise ReceiptInvalid(failed.detail, check=failed.name)
    return report


def unreadable_receipt(detail: str) -> ReceiptReport:
    """The report for a receipt that is not even JSON: the format check failed."""
    run = _Run()
    with contextlib.suppress(_Failed):
        run.fail("format", detail)
    return run.finish()


def _rule(kinds: Mapping[str, KindRule], label: object) -> KindRule | None:
    return kinds.get(label) if isinstance(label, str) else None


def _run_checks(
    run: _Run,
    receipt: Any,
    pinned: PinnedDeployment,
    chain: ReceiptChain,
    kinds: Mapping[str, KindRule],
) -> None:
    envelope, leaf, proof, root, claimed_chain = _parse(run, receipt, kinds)
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
    _check_chain(run, pinned, chain, claimed_chain)

    contract = pinned.contract
    run.expect(
        "contract", str(receipt["contract"]).lower() == contract.lower(),
        f"the pinned ProvenanceAnchor {contract} ({pinned.source})",
        f"receipt names ProvenanceAnchor {receipt['contract']}, "
        f"the pinned one is {contract} ({pinned.source})",
    )  # fmt: skip

    try:
        anchor = chain.anchor_of(contract, root)
    except LedgerError as exc:
        run.fail("anchored", f"could not ask {contract}: {exc.detail}")
    if anchor is None:
        run.fail("anchored", f"root 0x{root.hex()} is not anchored at {contract}")
    tx_hash, block = receipt["txHash"], receipt["blockNumber"]
    try:
        mined_in = chain.anchored_in(contract, tx_hash, root)
    except LedgerError as exc:
        run.fail("anchored", f"could not read transaction {tx_hash}: {exc.detail}")
    if mined_in != block:
        where = "is not mined on this chain" if mined_in is None else f"is in block {mined_in}"
        run.fail(
            "anchored",
            f"transaction {tx_hash} {where} with the root's Anchored event, the receipt says "
            f"block {block}: a reorg moved the anchor (or the receipt names another "
            "transaction); fetch the receipt again",
        )
    run.passed(
        "anchored",
        f"anchored at {format_time(anchor.anchored_at)} in a batch of {anchor.count}, "
        f"by {tx_hash} in block {block}",
    )

    rule = _rule(kinds, envelope.kind)
    _check_signer(run, chain, contract, envelope, rule, anchor)

    receipt_rule = _rule(kinds, receipt["kind"])
    envelope_kind = -1 if rule is None else rule.number
    receipt_kind = -1 if receipt_rule is None else receipt_rule.number
    run.expect(
        "kind", anchor.kind == envelope_kind == receipt_kind, f"batch of {envelope.kind} records",
        f"on-chain kind {anchor.kind}, envelope kind {envelope.kind} ({envelope_kind}), "
        f"receipt kind {receipt['kind']} ({receipt_kind})",
    )  # fmt: skip
    claimed_time = parse_time(receipt["anchoredAt"], field="anchoredAt")
    run.expect(
        "anchored_at", claimed_time == anchor.anchored_at, "anchoring time matches the chain",
        f"receipt says {receipt['anchoredAt']}, chain says {format_time(anchor.anchored_at)}",
    )  # fmt: skip


def _check_chain(
    run: _Run, pinned: PinnedDeployment, chain: ReceiptChain, claimed_chain: int
) -> None:
    try:
        served = chain.chain_id()
    except LedgerError as exc:
        run.fail("chain", f"could not read the RPC's chain id: {exc.detail}")
    expected = served if pinned.chain_id is None else pinned.chain_id
    if served != expected:
        run.fail("chain", f"the RPC serves chain {served}, the pinned deployment is on {expected}")
    if claimed_chain != expected:
        run.fail("chain", f"receipt is for chain {claimed_chain}, the pinned chain is {expected}")
    if pinned.genesis_hash is None:
        run.passed("chain", f"chain {served}")
        return
    try:
        genesis = chain.genesis_hash()
    except LedgerError as exc:
        run.fail("chain", f"could not read the RPC's genesis block: {exc.detail}")
    run.expect(
        "chain", genesis.lower() == pinned.genesis_hash.lower(),
        f"chain {served}, genesis {genesis[:10]}…",
        f"the RPC's genesis block is {genesis}, the pinned deployment's is "
        f"{pinned.genesis_hash}: a reset or another chain with the same id",
    )  # fmt: skip


def _check_signer(
    run: _Run,
    chain: ReceiptChain,
    anchor_address: Address,
    envelope: Envelope,
    rule: KindRule | None,
    anchor: OnChainAnchor,
) -> None:
    if rule is not None and rule.roles is None:
        run.passed(
            "signer_accredited",
            f"{envelope.kind} records are signed by the key they answer to (no registry role): "
            "nothing to check on chain; that the signer is the key the record it answers names "
            "(a wage line's worker) is checked against that record",
        )
        return
    if rule is None or not rule.roles:
        run.fail("signer_accredited", f"no registry role may sign {envelope.kind!r} records")
    scope: bytes | None = None
    if rule.scope is not None:
        try:
            scope = scope_named(envelope.payload, rule.scope)
        except ValueError as exc:
            run.fail("signer_accredited", f"{envelope.kind} records are scoped: {exc}")
    try:
        registry = chain.registry_of(anchor_address)
    except LedgerError as exc:
        run.fail("signer_accredited", f"could not read the registry of {anchor_address}: "
                 f"{exc.detail}")  # fmt: skip
    problems: list[str] = []
    for role in sorted(rule.roles):
        try:
            held = chain.accreditation(registry, envelope.key, role)
            problem = _accreditation_problem(held, envelope.created_at, anchor.anchored_at)
            if problem is None and scope is not None:
                window = chain.scope_at(registry, envelope.key, role, scope, envelope.created_at)
                problem = _scope_problem(window, scope, envelope.created_at, anchor.anchored_at)
        except LedgerError as exc:
            run.fail("signer_accredited", f"could not ask registry {registry}: {exc.detail}")
        if problem is None:
            until = "open-ended" if held.valid_until is None else format_time(held.valid_until)
            assert held.valid_from is not None
            scoped = "" if scope is None else f"; holds scope 0x{scope.hex()}"
            run.passed(
                "signer_accredited",
                f"role {role} in registry {registry}, from {format_time(held.valid_from)} "
                f"until {until}; not suspended, not revoked before anchoring{scoped}",
            )
            return
        problems.append(f"role {role}: {problem}")
    run.fail("signer_accredited", f"{envelope.signer} in registry {registry}: "
             + "; ".join(problems))  # fmt: skip


def _scope_problem(
    window: ScopeWindow, scope: bytes, created: datetime, anchored_at: datetime
) -> str | None:
    """Why the scope window ``scopeAt(created)`` found does not cover a record created at
    ``created`` and anchored at ``anchored_at``; None when it does."""
    granted_at, revoked_at = window
    name = f"scope 0x{scope.hex()}"
    if granted_at is None:
        return f"{name} not granted at or before created {format_time(created)}"
    if revoked_at is not None and created >= revoked_at:
        return (
            f"{name} revoked at {format_time(revoked_at)}, not after created {format_time(created)}"
        )
    if revoked_at is not None and anchored_at >= revoked_at:
        return (
            f"{name} revoked at {format_time(revoked_at)}, "
            f"not after the anchoring at {format_time(anchored_at)}"
        )
    return None


def _accreditation_problem(
    held: OnChainAccreditation, created: datetime, anchored_at: datetime
) -> str | None:
    """Why ``held`` does not cover a record created at ``created`` and anchored at
    ``anchored_at``; None when it does."""
    if held.valid_from is None:
        return "never accredited"
    if created < held.valid_from:
        return f"created {format_time(created)}, before the window opens at " + format_time(
            held.valid_from
        )
    if held.valid_until is not None and created >= held.valid_until:
        return f"created {format_time(created)}, after the window closed at " + format_time(
            held.valid_until
        )
    if held.suspended:
        return "suspended"
    if held.revoked_at is not None and anchored_at >= held.revoked_at:
        return (
            f"revoked at {format_time(held.revoked_at)}, "
            f"not after the anchoring at {format_time(anchored_at)}"
        )
    return None


def _hex32(value: object, name: str) -> bytes:
    if not isinstance(value, str) or not _HEX32.match(value):
        raise ValueError(f"{name} must be a 0x-prefixed 32-byte hex string")
    return bytes.fromhex(value[2:])


def _chain_id(value: object) -> int:
    # A JSON number: 31337 and 31337.0 are the same number (and a JavaScript verifier cannot
    # tell them apart), so an integral float is an integer here.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if type(value) is not int or not 0 < value <= _MAX_SAFE_INTEGER:
        raise ValueError("chainId must be a positive integer below 2**53")
    return value


def _parse(
    run: _Run, receipt: Any, kinds: Mapping[str, KindRule]
) -> tuple[Envelope, bytes, list[bytes], bytes, int]:
    try:
        if not isinstance(receipt, Mapping):
            raise ValueError("a receipt is a JSON object")
        missing = [f for f in RECEIPT_FIELDS if f not in receipt]
        if missing:
            raise ValueError(f"missing field(s): {', '.join(missing)}")
        envelope = Envelope.from_dict(receipt["envelope"])
        if envelope.kind not in kinds:
            raise ValueError(f"unknown record kind {envelope.kind!r}")
        leaf = _hex32(receipt["leaf"], "leaf")
        root = _hex32(receipt["root"], "root")
        steps = receipt["proof"]
        if not isinstance(steps, list):
            raise ValueError("proof must be a list")
        if len(steps) > MAX_PROOF_STEPS:
            raise ValueError(f"proof has {len(steps)} steps, at most {MAX_PROOF_STEPS} allowed")
        proof = [_hex32(p, "proof element") for p in steps]
        chain_id = _chain_id(receipt["chainId"])
        contract = receipt["contract"]
        if not isinstance(contract, str) or not _ADDRESS.match(contract):
            raise ValueError("contract must be a 0x-prefixed 20-byte hex address")
        _hex32(receipt["txHash"], "txHash")
        block = receipt["blockNumber"]
        if type(block) is not int or not 0 <= block <= _MAX_SAFE_INTEGER:
            raise ValueError("blockNumber must be a non-negative integer below 2**53")
        parse_time(receipt["anchoredAt"], field="anchoredAt")
    except (LedgerError, ValueError, TypeError) as exc:
        run.fail("format", getattr(exc, "detail", str(exc)))
    run.passed("format", "all fields present and well formed")
    return envelope, leaf, proof, root, chain_id
