"""Typed wrappers over the three deployed contracts.

A wrapper sends with the account of the client it is built over: the anchoring client anchors
and relays issuer-signed credential statuses; registry changes and ``revoke_issuer`` need a
wrapper over the registry admin's client (:meth:`ChainClient.with_account`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, Self, get_args

from web3 import Web3
from web3.contract import Contract
from web3.exceptions import MismatchedABI

from ..keys import VerifyKey
from ..merkle import keccak
from ..roles import Role
from ..types import Address, BatchId, Scope, TxHash
from .client import ChainClient, PreparedTx, TxOutcome
from .deployment import Deployment

__all__ = [
    "AnchorContract",
    "AnchoredEvent",
    "CredentialStatusContract",
    "OnChainAccreditation",
    "OnChainAnchor",
    "RegistryContract",
    "RegistryEvent",
    "StatusAction",
    "StatusEntry",
    "facility_scope",
]

StatusAction = Literal["suspend", "revoke", "reinstate"]


FACILITY_SCOPE_PREFIX = b"facility:"


def facility_scope(facility_id: str) -> Scope:
    """The AttesterRegistry scope of a facility: ``keccak256("facility:" ++ facility_id)``
    over the id's UTF-8 bytes (``abi.encodePacked("facility:", facilityId)`` in Solidity).
    The chain only ever sees this hash; the id itself is public, so nothing is hidden by it.

    Raises:
        ValueError: the id is not a non-empty string.
    """
    if not isinstance(facility_id, str) or not facility_id:
        raise ValueError("a facility id is a non-empty string")
    return Scope(keccak(FACILITY_SCOPE_PREFIX + facility_id.encode("utf-8")))


def _ts(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _unix(moment: datetime | None) -> int:
    return 0 if moment is None else int(moment.timestamp())


class _Deployed:
    """A typed wrapper over one deployed contract; subclasses name its artifact."""

    NAME: ClassVar[str]

    def __init__(self, client: ChainClient, address: str) -> None:
        self.client = client
        self.address = Address(address)
        self.contract: Contract = client.contract(self.NAME, address)

    @classmethod
    def of(cls, client: ChainClient, deployment: Deployment) -> Self:
        return cls(client, deployment.address(cls.NAME))


@dataclass(frozen=True)
class OnChainAnchor:
    root: bytes
    anchored_at: datetime
    count: int
    kind: int


@dataclass(frozen=True)
class AnchoredEvent:
    root: bytes
    batch_id: int
    kind: int
    count: int
    tx_hash: TxHash
    block_number: int


class AnchorContract(_Deployed):
    """ProvenanceAnchor."""

    NAME = "ProvenanceAnchor"

    def prepare_anchor(self, root: bytes, count: int, kind: int, batch_id: int) -> PreparedTx:
        fn = self.contract.functions.anchor(root, count, int(kind), batch_id)
        return self.client.prepare(fn)

    def anchor(self, root: bytes, count: int, kind: int, batch_id: int) -> TxOutcome:
        prepared = self.prepare_anchor(root, count, kind, batch_id)
        self.client.broadcast(prepared)
        return self.client.wait(prepared.tx_hash)

    def anchor_of(self, root: bytes) -> OnChainAnchor | None:
        """The stored anchor of ``root``, or None (one ``eth_call``)."""
        anchored_at, count, kind = self.client.call(self.contract.functions.anchorOf(root))
        if anchored_at == 0:
            return None
        return OnChainAnchor(root, _ts(anchored_at), int(count), int(kind))

    def registry_address(self) -> Address:
        """The AttesterRegistry this anchor takes its anchorers from (fixed at deployment)."""
        return Address(str(self.client.call(self.contract.functions.registry())))

    def last_batch_id(self) -> BatchId | int:
        return int(self.client.call(self.contract.functions.lastBatchId()))

    def verify(self, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
        return bool(self.client.call(self.contract.functions.verify(leaf, list(proof), root)))

    def find_anchored(self, root: bytes, from_block: int = 0) -> AnchoredEvent | None:
        """The ``Anchored`` event for ``root`` (where a crashed worker's transaction landed)."""

        def lookup() -> AnchoredEvent | None:
            logs = self.contract.events.Anchored().get_logs(
                from_block=from_block, argument_filters={"root": root}
            )
            for log in logs:
                return _anchored_event(log)
            return None

        return self.client._guard(lookup)

    def anchored_in(self, tx_hash: str, root: bytes) -> int | None:
        """The block that holds transaction ``tx_hash`` if, there and now, it succeeded and
        this anchor emitted ``Anchored`` for ``root`` in it; else None (not mined on this
        chain, e.g. a reorg dropped it, or another transaction)."""
        outcome = self.client.outcome(tx_hash)
        if outcome is None or outcome.status != 1:
            return None
        event = self.contract.events.Anchored()
        for log in outcome.logs:
            if str(log["address"]).lower() != self.address.lower():
                continue
            try:
                args = event.process_log(log)["args"]
            except MismatchedABI:
                continue
            if bytes(args["root"]) == root:
                return outcome.block_number
        return None

    def anchored_events(self, from_block: int, to_block: int) -> list[AnchoredEvent]:
        """Every ``Anchored`` event in [from_block, to_block], in chain order (the caller
        pages the range: nodes cap how many blocks one ``eth_getLogs`` may span)."""

        def fetch() -> list[AnchoredEvent]:
            logs = self.contract.events.Anchored().get_logs(
                from_block=from_block, to_block=to_block
            )
            return [_anchored_event(log) for log in logs]

        return self.client._guard(fetch)


def _anchored_event(log: Any) -> AnchoredEvent:
    args = log["args"]
    return AnchoredEvent(
        root=bytes(args["root"]),
        batch_id=int(args["batchId"]),
        kind=int(args["kind"]),
        count=int(args["count"]),
        tx_hash=TxHash("0x" + bytes(log["transactionHash"]).hex()),
        block_number=int(log["blockNumber"]),
    )


@dataclass(frozen=True)
class OnChainAccreditation:
    """``AttesterRegistry.accreditation(key, role)`` as stored; ``valid_from`` is None for a
    key never accredited in the role (the contract returns all zeros)."""

    role: int
    valid_from: datetime | None
    valid_until: datetime | None
    revoked_at: datetime | None
    suspended: bool


@dataclass(frozen=True)
class RegistryEvent:
    """One AttesterRegistry change, in chain order."""

    # KeyAccredited | KeySuspended | KeyReinstated | KeyRevoked | ScopeGranted | ScopeRevoked
    name: str
    key: bytes
    role: int
    block_number: int
    log_index: int
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    revoked_at: datetime | None = None
    scope: Scope | None = None  # ScopeGranted and ScopeRevoked
    at: datetime | None = None  # ScopeGranted and ScopeRevoked: the block time


ScopeWindow = tuple[datetime | None, datetime | None]
"""``(granted_at, revoked_at)`` of a scope: ``(None, None)`` if never granted; ``revoked_at``
None while it holds."""


class RegistryContract(_Deployed):
    """AttesterRegistry."""

    EVENTS = (
        "KeyAccredited", "KeySuspended", "KeyReinstated", "KeyRevoked",
        "ScopeGranted", "ScopeRevoked",
    )  # fmt: skip

    NAME = "AttesterRegistry"

    def accredit(
        self, key: VerifyKey, role: Role, valid_from: datetime, valid_until: datetime | None = None
    ) -> TxOutcome:
        fn = self.contract.functions.accredit(
            key.raw, int(role), _unix(valid_from), _unix(valid_until)
        )
        return self.client.transact(fn)

    def suspend(self, key: VerifyKey, role: Role) -> TxOutcome:
        return self.client.transact(self.contract.functions.suspend(key.raw, int(role)))

    def reinstate(self, key: VerifyKey, role: Role) -> TxOutcome:
        return self.client.transact(self.contract.functions.reinstate(key.raw, int(role)))

    def revoke(self, key: VerifyKey, role: Role) -> TxOutcome:
        return self.client.transact(self.contract.functions.revoke(key.raw, int(role)))

    def grant_scope(self, key: VerifyKey, role: Role, scope: bytes) -> TxOutcome:
        """Grant ``key`` the ``scope`` in ``role`` from the block time on (admin only).

        Raises:
            ValueError: ``scope`` is not 32 bytes.
            ContractRevert: ``AttesterRegistryNotAccredited`` (never accredited in the role),
                ``AttesterRegistryKeyRevoked``, ``AttesterRegistryZeroScope``, or
                ``OwnableUnauthorizedAccount`` (this client is not the admin).
        """
        fn = self.contract.functions.grantScope(key.raw, int(role), _bytes32("scope", scope))
        return self.client.transact(fn)

    def revoke_scope(self, key: VerifyKey, role: Role, scope: bytes) -> TxOutcome:
        """Close ``key``'s open window of ``scope`` in ``role`` at the block time (admin only).

        Raises:
            ValueError: ``scope`` is not 32 bytes.
            ContractRevert: ``AttesterRegistryScopeNotGranted``, or
                ``OwnableUnauthorizedAccount``.
        """
        fn = self.contract.functions.revokeScope(key.raw, int(role), _bytes32("scope", scope))
        return self.client.transact(fn)

    def scope_of(self, key: VerifyKey, role: Role | int, scope: bytes) -> ScopeWindow:
        """The latest window of ``scope`` for ``key`` in ``role`` (one ``eth_call``).

        Raises:
            ValueError: ``scope`` is not 32 bytes.
            ContractRevert: ``AttesterRegistryInvalidRole``.
        """
        fn = self.contract.functions.scopeOf(key.raw, int(role), _bytes32("scope", scope))
        return _window(self.client.call(fn))

    def scope_at(self, key: VerifyKey, role: Role | int, scope: bytes, at: datetime) -> ScopeWindow:
        """The window of ``scope`` for ``key`` in ``role`` opened last at or before ``at``
        (whole seconds; one ``eth_call``): the scope held at ``at`` when it was granted and
        not revoked at or before ``at``.

        Raises:
            ValueError: ``scope`` is not 32 bytes.
            ContractRevert: ``AttesterRegistryInvalidRole``.
        """
        # Whole seconds, clamped to uint64: before 1970 no scope was ever granted.
        seconds = min(max(math.floor(at.timestamp()), 0), 2**64 - 1)
        fn = self.contract.functions.scopeAt(key.raw, int(role), _bytes32("scope", scope), seconds)
        return _window(self.client.call(fn))

    def add_anchorer(self, account: str) -> TxOutcome:
        return self.client.transact(self.contract.functions.addAnchorer(account))

    def owner(self) -> Address:
        """The registry's admin: the only account that may change accreditations."""
        return Address(Web3.to_checksum_address(self.client.call(self.contract.functions.owner())))

    def is_accredited(self, key: VerifyKey, role: Role, at: datetime) -> bool:
        return bool(
            self.client.call(self.contract.functions.isAccredited(key.raw, int(role), _unix(at)))
        )

    def accreditation(self, key: VerifyKey, role: Role | int) -> OnChainAccreditation:
        """The stored accreditation of ``key`` for ``role`` (one ``eth_call``).

        Raises:
            ContractRevert: ``AttesterRegistryInvalidRole`` for a role outside 1..6.
        """
        valid_from, valid_until, revoked_at, suspended = self.client.call(
            self.contract.functions.accreditation(key.raw, int(role))
        )
        return OnChainAccreditation(
            role=int(role),
            valid_from=_ts(int(valid_from)) if valid_from else None,
            valid_until=_ts(int(valid_until)) if valid_until else None,
            revoked_at=_ts(int(revoked_at)) if revoked_at else None,
            suspended=bool(suspended),
        )

    def is_anchorer(self, account: str) -> bool:
        return bool(self.client.call(self.contract.functions.isAnchorer(account)))

    def events(self, from_block: int, to_block: int) -> list[RegistryEvent]:
        """Accreditation events in [from_block, to_block], in chain order."""

        def fetch() -> list[RegistryEvent]:
            found: list[RegistryEvent] = []
            for name in self.EVENTS:
                event = getattr(self.contract.events, name)()
                for log in event.get_logs(from_block=from_block, to_block=to_block):
                    found.append(_registry_event(name, log))
            found.sort(key=lambda e: (e.block_number, e.log_index))
            return found

        return self.client._guard(fetch)


def _window(found: Any) -> ScopeWindow:
    granted_at, revoked_at = (int(v) for v in found)
    return (_ts(granted_at) if granted_at else None, _ts(revoked_at) if revoked_at else None)


def _registry_event(name: str, log: Any) -> RegistryEvent:
    args = log["args"]
    extra: dict[str, Any] = {}
    if name in ("ScopeGranted", "ScopeRevoked"):
        extra["scope"] = Scope(bytes(args["scope"]))
        extra["at"] = _ts(int(args["at"]))
    if name == "KeyAccredited":
        extra["valid_from"] = _ts(int(args["validFrom"]))
        extra["valid_until"] = _ts(int(args["validUntil"])) if int(args["validUntil"]) else None
    if name == "KeyRevoked":
        extra["revoked_at"] = _ts(int(args["revokedAt"]))
    return RegistryEvent(
        name=name,
        key=bytes(args["key"]),
        role=int(args["role"]),
        block_number=int(log["blockNumber"]),
        log_index=int(log["logIndex"]),
        **extra,
    )


@dataclass(frozen=True)
class StatusEntry:
    """A credential's entry in CredentialStatus, as ``entryOf`` reports it (a credential of an
    issuer key the admin revoked reads as revoked)."""

    issuer_key: bytes  # 32 zero bytes if never registered
    registration_record: bytes  # record id of the issuer-signed ``credential`` envelope
    status_record: bytes  # record id of the last ``credential_status`` envelope; zeros if none
    updated_at: datetime | None
    status: int  # CredentialStatusContract.ACTIVE, SUSPENDED or REVOKED
    registered: bool


def _bytes32(name: str, value: bytes) -> bytes:
    if not isinstance(value, bytes) or len(value) != 32:
        raise ValueError(f"{name} must be 32 bytes")
    return value


class CredentialStatusContract(_Deployed):
    """CredentialStatus.

    ``prepare_*`` sign a relay transaction without sending it (gas is estimated first, so a
    write the contract would refuse raises :class:`~ledger.errors.ContractRevert` there); send
    it with ``client.broadcast`` and read it back with ``client.outcome``.
    """

    ACTIVE, SUSPENDED, REVOKED = 0, 1, 2

    NAME = "CredentialStatus"

    def prepare_register(
        self, status_id: bytes, issuer: VerifyKey, record_hash: bytes
    ) -> PreparedTx:
        """Sign ``register``: bind ``status_id`` to ``issuer``, as the issuer-signed
        ``credential`` envelope whose record id is ``record_hash`` asks.

        Raises:
            ValueError: an id is not 32 bytes.
            ContractRevert: the contract would refuse it (already registered, issuer not
                accredited or revoked, this client not an anchorer).
        """
        fn = self.contract.functions.register(
            _bytes32("status_id", status_id), issuer.raw, _bytes32("record_hash", record_hash)
        )
        return self.client.prepare(fn)

    def prepare_change(
        self,
        action: StatusAction,
        status_id: bytes,
        issuer: VerifyKey,
        reason: int,
        record_hash: bytes,
    ) -> PreparedTx:
        """Sign ``suspend``, ``revoke`` or ``reinstate`` of ``status_id`` on behalf of
        ``issuer``, as the issuer-signed ``credential_status`` envelope ``record_hash`` asks.

        Raises:
            ValueError: an unknown action, an id not 32 bytes, or a reason outside 0-255.
            ContractRevert: the contract would refuse it (not registered, another issuer's
                credential, no such transition, issuer not accredited or revoked, ...).
        """
        if action not in get_args(StatusAction):
            raise ValueError(f"unknown status action {action!r}")
        if not 0 <= reason <= 255:
            raise ValueError("reason must fit in a uint8 (0-255)")
        fn = getattr(self.contract.functions, action)(
            _bytes32("status_id", status_id),
            issuer.raw,
            reason,
            _bytes32("record_hash", record_hash),
        )
        return self.client.prepare(fn)

    def register(self, status_id: bytes, issuer: VerifyKey, record_hash: bytes) -> TxOutcome:
        """:meth:`prepare_register`, sent and mined."""
        return self._send(self.prepare_register(status_id, issuer, record_hash))

    def change(
        self,
        action: StatusAction,
        status_id: bytes,
        issuer: VerifyKey,
        reason: int,
        record_hash: bytes,
    ) -> TxOutcome:
        """:meth:`prepare_change`, sent and mined."""
        return self._send(self.prepare_change(action, status_id, issuer, reason, record_hash))

    def revoke_issuer(self, issuer: VerifyKey) -> TxOutcome:
        """Void every credential bound to ``issuer`` (a compromised key). Only the registry's
        admin may: build this wrapper over the admin's client.

        Raises:
            ContractRevert: ``CredentialStatusNotAdmin`` for any other account, or
                ``CredentialStatusIssuerRevoked`` if revoked already.
        """
        return self.client.transact(self.contract.functions.revokeIssuer(issuer.raw))

    def _send(self, prepared: PreparedTx) -> TxOutcome:
        self.client.broadcast(prepared)
        return self.client.wait(prepared.tx_hash)

    def status_of(self, credential_id: bytes) -> tuple[int, datetime | None, bytes]:
        status, updated_at, issuer_key = self.client.call(
            self.contract.functions.statusOf(credential_id)
        )
        return int(status), (_ts(int(updated_at)) if updated_at else None), bytes(issuer_key)

    def entry_of(self, status_id: bytes) -> StatusEntry:
        """The whole entry of ``status_id`` (one ``eth_call``)."""
        found = self.client.call(self.contract.functions.entryOf(status_id))
        issuer_key, registration, status_record, updated_at, status, registered = found
        return StatusEntry(
            issuer_key=bytes(issuer_key),
            registration_record=bytes(registration),
            status_record=bytes(status_record),
            updated_at=_ts(int(updated_at)) if updated_at else None,
            status=int(status),
            registered=bool(registered),
        )

    def issuer_revoked_at(self, issuer: VerifyKey) -> datetime | None:
        """When the admin revoked ``issuer`` here, or None."""
        revoked_at = int(self.client.call(self.contract.functions.issuerRevokedAt(issuer.raw)))
        return _ts(revoked_at) if revoked_at else None
