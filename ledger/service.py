"""The ledger as one object: database, chain, deployment, admission, anchoring, receipts.

Callers (the API, the CLI, scripts) build a :class:`LedgerConfig`, choose the kinds of
record it accepts (a :class:`~ledger.kinds.KindRegistry`; the application's list lives in
``domain``) and call :meth:`Ledger.open`. Nothing here reads global settings, knows about
HTTP, or knows any kind of record by name.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from .admission import Accepted, AdmissionPolicy, Admitter, Submission
from .anchoring import Anchorer, AnchoringPolicy, default_confirmations
from .chain.client import ChainClient
from .chain.contracts import (
    AnchorContract,
    CredentialStatusContract,
    RegistryContract,
    facility_scope,
)
from .chain.deployment import ContractDeployment, Deployment, deploy_contracts, verify_deployment
from .chain.safe import describe_account
from .envelope import DEFAULT_MAX_AGE, DEFAULT_MAX_FUTURE_SKEW, Envelope
from .errors import (
    AdminKeyMissing,
    ChainError,
    Conflict,
    DeploymentMissing,
    LedgerError,
    NotAnchored,
    NotAParty,
    NotFound,
    SchemaViolation,
    Unauthorized,
)
from .events import LedgerEvents
from .group_commit import GroupCommitter
from .keys import VerifyKey
from .kinds import KindRegistry, Readers
from .outbox import OutboxRelay, RelayPolicy, outbox_backlog
from .receipts import PinnedDeployment, ReceiptReport, RpcReceiptChain, check_receipt
from .registry_mirror import RegistryMirror
from .reorgs import REORG_NOTE
from .roles import Role
from .signed_request import audience_of
from .store.db import as_utc, make_engine, session_scope
from .store.meta import kept_value
from .store.migrations import open_schema
from .store.models import (
    BatchRow,
    BatchState,
    DeploymentRow,
    ScopeLabelRow,
    SignerRow,
    SignerScopeRow,
)
from .store.records import (
    RecordStatus,
    StoreAccreditations,
    backlog,
    envelope_of,
    get_record,
    proof_of,
    record_status,
)
from .timeutil import format_optional, format_time, utcnow

__all__ = ["Accepted", "Ledger", "LedgerConfig", "Submission"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LedgerConfig:
    database_url: str = "sqlite:///var/ledger.db"
    rpc_url: str | None = None  # None: the embedded in-process EVM
    # Hex private key of the anchoring account; keys stay out of repr (and so out of logs).
    anchor_key: str | None = field(default=None, repr=False)
    # The registry admin's key, if this server may make registry changes itself; None: the
    # chain's default (the embedded EVM's second account, anvil's second dev account), else
    # none (a Safe multisig makes the changes; the ledger mirrors them).
    admin_key: str | None = field(default=None, repr=False)
    admin_address: str | None = None  # the admin named when deploying; default: admin_key's
    deployment_file: Path | None = None  # bind a fresh database to this existing deployment
    policy: AnchoringPolicy = field(default_factory=AnchoringPolicy)
    max_future_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW
    max_age: timedelta = DEFAULT_MAX_AGE
    # Before admitting a write, the registry mirror is brought up to date when older than
    # this (a key suspended on chain by a multisig admin must stop working at once).
    registry_max_age: timedelta = timedelta(seconds=3)
    # ... but through a chain outage, a mirror up to this old still admits writes.
    registry_max_stale: timedelta = timedelta(minutes=10)
    # Concurrent single submissions share one commit (ledger.group_commit); a group's first
    # caller waits at most this long for others, and only when the last group had company.
    group_commit_wait: timedelta = timedelta(milliseconds=2)
    # ... and up to this many groups are in flight at once (PostgreSQL; SQLite has one writer).
    group_commit_leaders: int = 1
    # EIP-1559 ceiling on what the anchoring account pays per gas; above it the backlog waits
    # (health says so) instead of overpaying. None: no ceiling.
    max_fee_gwei: float | None = None


class _ChainReads:
    """What kinds' rules may read from the chain (:class:`ledger.kinds.ChainView`)."""

    def __init__(self, status: CredentialStatusContract) -> None:
        self._status = status

    def credential_status(self, status_id: str) -> int:
        return self._status.status_of(bytes.fromhex(status_id.removeprefix("0x")))[0]

    def issuer_revoked(self, issuer_key: bytes) -> bool:
        return self._status.issuer_revoked_at(VerifyKey(issuer_key)) is not None


class Ledger:
    """Everything a process needs to accept, anchor and prove records."""

    def __init__(
        self,
        config: LedgerConfig,
        engine: Engine,
        client: ChainClient,
        deployment: Deployment,
        kinds: KindRegistry,
        *,
        admin: ChainClient | None = None,
    ) -> None:
        self.config = config
        self.engine = engine
        self.client = client  # the anchoring account: anchors and relays, never accredits
        if config.max_fee_gwei is not None:
            client.max_fee_per_gas = round(config.max_fee_gwei * 10**9)
        self.admin = admin  # the registry admin's account, if this server holds its key
        self.deployment = deployment
        self.kinds = kinds
        self.events = LedgerEvents()  # watchers (the API's /metrics) assign its callbacks
        # What signed requests to this ledger name, so they are refused everywhere else.
        self.audience = audience_of(
            deployment.chain_id,
            deployment.address("ProvenanceAnchor"),
            kept_value(engine, "instance_id", lambda: secrets.token_hex(8)),
        )
        self.anchor = AnchorContract.of(client, deployment)
        self.registry = RegistryContract.of(client, deployment)
        self.credential_status = CredentialStatusContract.of(client, deployment)
        self.admitter = Admitter(
            kinds,
            _ChainReads(self.credential_status),
            AdmissionPolicy(config.max_future_skew, config.max_age),
        )
        policy = replace(
            config.policy,
            confirmations=config.policy.confirmations
            or default_confirmations(client, deployment.chain_id),
        )
        relay = OutboxRelay(
            engine,
            self.credential_status,
            RelayPolicy(confirmations=policy.confirmations or 1, reorg_window=policy.reorg_window),
            events=self.events,
        )
        self.anchorer = Anchorer(
            engine,
            self.anchor,
            policy,
            kind_codes=kinds.code_of,
            outbox=relay,
            events=self.events,
        )
        self.anchorer.from_block = deployment.first_block
        self.accreditations = StoreAccreditations(engine)
        self.mirror = RegistryMirror(engine, self.registry, from_block=deployment.first_block)
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()
        self.group_commit = GroupCommitter(
            self.submit_many,
            max_wait=config.group_commit_wait.total_seconds(),
            max_leaders=1 if self.engine.dialect.name == "sqlite" else config.group_commit_leaders,
        )

    # -- opening ------------------------------------------------------------------------

    @classmethod
    def open(
        cls, config: LedgerConfig, kinds: KindRegistry, *, client: ChainClient | None = None
    ) -> Ledger:
        """Connect, check the schema, find or make the deployment, mirror the registry.

        An empty database is built at the current schema revision; one behind it is
        refused (:class:`~ledger.errors.SchemaMismatch`), never migrated on the way: that
        is ``ledger db upgrade``'s job. On failure the engine is disposed: a refused open
        leaves no connection behind.
        """
        engine = make_engine(config.database_url)
        try:
            open_schema(engine)
            if client is None:
                client = (
                    ChainClient.connect(config.rpc_url, config.anchor_key)
                    if config.rpc_url
                    else ChainClient.embedded_evm()
                )
            admin_key = config.admin_key or client.default_admin_key()
            admin = client.with_account(admin_key) if admin_key else None
            existing = Deployment.read(config.deployment_file) if config.deployment_file else None
            deployment = ensure_deployment(
                engine,
                client,
                admin=config.admin_address or (admin.address if admin else None),
                existing=existing,
            )
            ledger = cls(config, engine, client, deployment, kinds, admin=admin)
            ledger.sync_registry()
        except BaseException:
            engine.dispose()
            raise
        return ledger

    def close(self) -> None:
        self.stop_worker()
        self.engine.dispose()

    # -- admission ----------------------------------------------------------------------

    def submit(
        self,
        data: Mapping[str, Any],
        *,
        attachment: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Accepted:
        """Admit one signed envelope as a pending record (see :mod:`ledger.admission` for
        the order of checks). Nothing is written unless every check passes; the record is
        durable when this returns.

        Raises:
            The first failing check's :class:`LedgerError`.
        """
        submission = Submission(data, attachment)
        if now is None:
            result = self.group_commit.submit(submission)
        else:  # a caller's own receive time: admitted alone, at that time
            (result,) = self.submit_many([submission], now=now)
        if isinstance(result, LedgerError):
            raise result
        return result

    def submit_many(
        self,
        items: Sequence[Submission | Any],
        *,
        now: datetime | None = None,
        atomic: bool = False,
    ) -> list[Accepted | LedgerError]:
        """Admit every envelope on its own (or, ``atomic``, all or none, as a payroll run is);
        store the accepted ones with one commit.

        Returns, position by position, the accepted record or the error that refused it.
        """
        submissions = [i if isinstance(i, Submission) else Submission(i) for i in items]
        self.mirror.ensure_fresh(
            self.config.registry_max_age, max_stale=self.config.registry_max_stale
        )
        now = now or utcnow()
        with session_scope(self.engine) as session:
            results = self.admitter.admit(session, submissions, now, atomic=atomic)
        self._report_admissions(submissions, results)  # once committed: decided for good
        return results

    def _report_admissions(
        self, submissions: Sequence[Submission], results: Sequence[Accepted | LedgerError]
    ) -> None:
        for submission, result in zip(submissions, results, strict=True):
            data = submission.envelope
            kind = data.get("kind") if isinstance(data, Mapping) else None
            # Only kinds the ledger accepts become labels, never a sender's made-up one.
            label = kind if isinstance(kind, str) and kind in self.kinds else "unknown"
            self.events.admitted(label, "accepted" if isinstance(result, Accepted) else result.code)

    # -- reading ------------------------------------------------------------------------

    def envelope(self, record_id: str) -> Envelope:
        with session_scope(self.engine) as session:
            return envelope_of(get_record(session, record_id))

    def status(self, record_id: str) -> RecordStatus:
        with session_scope(self.engine) as session:
            return record_status(session, record_id)

    def authorize_read(self, record_id: str, reader: str | None) -> None:
        """Whether ``reader`` (an authenticated did, or None for anyone) may read the record's
        envelope and receipt: anyone for public kinds; for the others, the record's parties
        (as its kind names them) and keys accredited now for the kind's reader roles.

        Raises:
            NotFound, Unauthorized (no reader for a parties-only kind), NotAParty.
        """
        with session_scope(self.engine) as session:
            row = get_record(session, record_id)
            handler = self.kinds.get(row.kind)
            if handler is None or handler.readers == Readers.PUBLIC:
                return
            if reader is None:
                raise Unauthorized(
                    f"{row.kind} records are readable by their parties only: "
                    "send a signed request (Authorization: Envelope ...)"
                )
            if reader in handler.parties(session, envelope_of(row)):
                return
        if handler.reader_roles and self.is_accredited_now(reader, handler.reader_roles):
            return
        raise NotAParty(f"{reader} is not a party to {record_id}", record_id=record_id)

    def is_accredited_now(self, did: str, roles: frozenset[Role]) -> bool:
        """Whether ``did`` holds one of ``roles`` now (the registry mirror)."""
        now = utcnow()
        try:
            key = VerifyKey.from_did(did)
        except LedgerError:
            return False
        return any(
            a.role in roles and a.is_valid_at(now) for a in self.accreditations.accreditations(key)
        )

    def receipt(self, record_id: str) -> dict[str, Any]:
        """The receipt of an anchored record (callers check :meth:`authorize_read` first).

        Raises:
            NotFound: unknown record, or not anchored yet (``what="receipt"``).
        """
        with session_scope(self.engine) as session:
            row = get_record(session, record_id)
            batch = session.get(BatchRow, row.batch_id) if row.batch_id is not None else None
            if batch is None or batch.state != BatchState.ANCHORED:
                state = "pending" if batch is None else batch.state
                # A receipt served before a reorg named a block the chain no longer has: it is
                # withdrawn until the batch is confirmed again, and the problem says so.
                reorged = batch is not None and (batch.last_error or "").startswith(REORG_NOTE)
                why = " (withdrawn: a reorg replaced its block)" if reorged else ""
                raise NotAnchored(
                    f"record {record_id} is {state}{why}; its receipt exists once anchored",
                    record_id=record_id,
                    state=state,
                    **({"withdrawn": True} if reorged else {}),
                )
            anchored_at = as_utc(batch.anchored_at)
            assert anchored_at is not None
            return {
                "envelope": json.loads(row.envelope),
                "leaf": row.id,
                "proof": proof_of(session, row.id),
                "root": batch.root,
                "batchId": batch.id,
                "kind": row.kind,
                "chainId": self.deployment.chain_id,
                "contract": self.deployment.address("ProvenanceAnchor"),
                "txHash": batch.tx_hash,
                "blockNumber": batch.block_number,
                "anchoredAt": format_time(anchored_at),
            }

    def check_receipt(self, receipt: Mapping[str, Any]) -> ReceiptReport:
        """Check a receipt against this ledger's own deployment (never the receipt's)."""
        return check_receipt(
            receipt,
            pinned=PinnedDeployment.of(self.deployment, source="this ledger's deployment"),
            chain=RpcReceiptChain(self.client),
            kinds=self.kinds.receipt_rules(),
        )

    def health(self) -> dict[str, Any]:
        database_ok, chain_ok = True, True
        try:
            with session_scope(self.engine) as session:
                queue = backlog(session)
                relays = outbox_backlog(session)
        except Exception as exc:  # the database itself is what failed
            database_ok, queue, relays = False, {"error": str(exc)}, {}
        head: int | None = None
        try:
            head = self.client.block_number()
        except ChainError:
            chain_ok = False
        fee_wait = self._fee_wait(queue) if database_ok and chain_ok else None
        if fee_wait is not None:
            queue = {**queue, **fee_wait}
        return {
            "status": "ok" if database_ok and chain_ok and fee_wait is None else "degraded",
            "database": {"ok": database_ok, "dialect": self.engine.dialect.name},
            "chain": {
                "ok": chain_ok,
                "chainId": self.deployment.chain_id,
                "head": head,
                "embedded": self.client.embedded,
                "audience": self.audience,
                "contracts": {n: c.address for n, c in self.deployment.contracts.items()},
            },
            "anchoring": queue,
            "outbox": relays,
            "registry": {"syncedBlock": self.mirror.synced_block},
        }

    def _fee_wait(self, queue: Mapping[str, Any]) -> dict[str, Any] | None:
        """Why the backlog waits, when the chain's fee is above the cap and there is one."""
        if self.client.max_fee_per_gas is None:
            return None
        if not queue.get("pendingRecords") and not queue.get("batches"):
            return None
        try:
            quote = self.client.fee_quote()
        except ChainError:
            return None
        if not quote.above_cap:
            return None
        return {
            "waiting": "fee above cap",
            "feeGwei": quote.needed / 10**9,
            "capGwei": self.client.max_fee_per_gas / 10**9,
        }

    # -- registry -----------------------------------------------------------------------

    def sync_registry(self) -> int:
        """Mirror registry events since the last sync (whoever made them: this server or the
        admin's Safe); returns how many were applied."""
        return self.mirror.sync()

    def _admin_registry(self) -> RegistryContract:
        """The registry, sending as its admin.

        Raises:
            AdminKeyMissing: this server does not hold the key of the registry's current
                admin (a Safe multisig in production); nothing was sent.
        """
        owner = self.registry.owner()
        if self.admin is not None and self.admin.address == owner:
            return RegistryContract(self.admin, self.registry.address)
        held = "" if self.admin is None else f" (it holds the key of {self.admin.address})"
        raise AdminKeyMissing(
            f"the registry admin is {describe_account(self.client, owner)}; this server does "
            f"not hold its key{held}. Make the change from that account (e.g. a Safe "
            f"transaction to AttesterRegistry at {self.registry.address}); the ledger mirrors "
            "it from the chain's events",
            admin=owner,
            registry=self.registry.address,
        )

    def accredit(
        self,
        did: str,
        role: Role,
        *,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
    ) -> None:
        """Accredit a key for a role on chain (as the registry admin), then mirror it.

        Raises:
            InvalidKey, AdminKeyMissing, ContractRevert.
        """
        key = VerifyKey.from_did(did)
        registry = self._admin_registry()
        # The chain's clock may trail ours by a block; start the window a minute back.
        start = valid_from or (utcnow() - timedelta(minutes=1))
        registry.accredit(key, role, start, valid_until)
        self.sync_registry()

    def revoke(self, did: str, roles: list[Role] | None = None) -> list[Role]:
        """Revoke a key for good (all its roles unless given); returns the roles revoked.

        Raises:
            InvalidKey, AdminKeyMissing, NotFound (nothing revocable).
        """
        return self._change_roles("revoke", did, roles)

    def suspend(self, did: str, roles: list[Role] | None = None) -> list[Role]:
        """Suspend a key (all its live roles unless given); returns the roles suspended.

        Raises:
            InvalidKey, AdminKeyMissing, NotFound (no live accreditation), Conflict (every
            one of them suspended already).
        """
        return self._change_roles("suspend", did, roles)

    def reinstate(self, did: str, roles: list[Role] | None = None) -> list[Role]:
        """Lift a key's suspension (all its suspended roles unless given); returns them.

        Raises:
            InvalidKey, AdminKeyMissing, NotFound (no live accreditation), Conflict (none of
            them suspended).
        """
        return self._change_roles("reinstate", did, roles)

    def _change_roles(
        self, action: Literal["revoke", "suspend", "reinstate"], did: str, roles: list[Role] | None
    ) -> list[Role]:
        key = VerifyKey.from_did(did)
        registry = self._admin_registry()
        self.sync_registry()  # decide on the chain's state, not a mirror that may lag
        with session_scope(self.engine) as session:
            held = session.exec(
                select(SignerRow).where(SignerRow.key == "0x" + key.raw.hex())
            ).all()
            live = [
                r for r in held if r.revoked_at is None and (roles is None or Role(r.role) in roles)
            ]
            targets = [
                Role(r.role)
                for r in live
                if action == "revoke" or r.suspended == (action == "reinstate")
            ]
        if not live:
            what = "revocable" if action == "revoke" else "live"
            raise NotFound(f"{did} holds no {what} accreditation", what="signer", key=did)
        if not targets:
            state = "suspended already" if action == "suspend" else "not suspended"
            raise Conflict(f"{did} is {state}", key=did, action=action)
        for role in targets:
            getattr(registry, action)(key, role)
        self.sync_registry()
        return targets

    def grant_scope(
        self, did: str, role: Role, scope: bytes, *, facility: str | None = None
    ) -> datetime:
        """Grant a key ``scope`` in ``role`` on chain (as the registry admin), then mirror it;
        returns when the grant holds from: the block time of the grant (or of the earlier one
        still open). Records created before that are outside it, by the chain's clock, which
        may run ahead of ours (the embedded EVM adds a second per block mined in a burst).
        ``facility``, the id ``scope`` is the :func:`facility_scope` of, is kept locally to
        show beside the hash (admission and verifiers never read it).

        Raises:
            InvalidKey; SchemaViolation (``scope`` not 32 nonzero bytes, or ``facility``
            does not hash to it); AdminKeyMissing; NotFound (no accreditation in the role);
            Conflict (the key is revoked in the role); ContractRevert; ChainError. Nothing
            is sent on any of these but the last two.
        """
        key = VerifyKey.from_did(did)
        _check_scope(scope)
        if facility is not None:
            if not isinstance(facility, str) or not 0 < len(facility) <= 256:
                raise SchemaViolation("facility is an id of 1-256 characters", field="facility")
            if facility_scope(facility) != scope:
                raise SchemaViolation(
                    f"scope is not the scope of facility {facility!r}", field="facility"
                )
        registry = self._admin_registry()
        self.sync_registry()  # decide on the chain's state, not a mirror that may lag
        with session_scope(self.engine) as session:
            held = session.get(SignerRow, ("0x" + key.raw.hex(), int(role)))
        if held is None:
            raise NotFound(
                f"{did} is not accredited as {role.name.lower()}", what="signer", key=did
            )
        if held.revoked_at is not None:
            raise Conflict(f"{did} was revoked as {role.name.lower()}", key=did, action="scope")
        registry.grant_scope(key, role, scope)
        self.sync_registry()
        if facility is not None:
            self._label_scope(scope, facility)
        granted_at, _ = registry.scope_of(key, role, scope)
        if granted_at is None:  # a node behind the one that mined the grant
            raise ChainError(f"the chain does not show the grant of scope 0x{scope.hex()} yet")
        return granted_at

    def revoke_scope(self, did: str, role: Role, scope: bytes) -> None:
        """End a key's ``scope`` in ``role`` on chain (as the registry admin), then mirror it.
        Records it signed within the scope and anchored before now stay provable.

        Raises:
            InvalidKey; SchemaViolation (``scope`` not 32 nonzero bytes); AdminKeyMissing;
            NotFound (never granted); Conflict (revoked already); ContractRevert.
        """
        key = VerifyKey.from_did(did)
        _check_scope(scope)
        registry = self._admin_registry()
        self.sync_registry()
        scope_hex = "0x" + scope.hex()
        with session_scope(self.engine) as session:
            held = session.get(SignerScopeRow, ("0x" + key.raw.hex(), int(role), scope_hex))
        name = role.name.lower()
        if held is None:
            raise NotFound(
                f"{did} holds no scope {scope_hex} as {name}", what="scope", key=scope_hex
            )
        if held.revoked_at is not None:
            raise Conflict(
                f"{did}'s scope {scope_hex} as {name} is revoked already",
                key=did,
                action="revoke_scope",
            )
        registry.revoke_scope(key, role, scope)
        self.sync_registry()

    def _label_scope(self, scope: bytes, facility: str) -> None:
        try:
            with session_scope(self.engine) as session:
                if session.get(ScopeLabelRow, "0x" + scope.hex()) is None:
                    session.add(ScopeLabelRow(scope="0x" + scope.hex(), facility=facility))
        except IntegrityError:
            pass  # another process labelled it at the same time (the same id: it hashes to it)

    def signers(self) -> list[dict[str, Any]]:
        """The registry mirror: every (key, role) with its window and its scopes (each with
        the facility id it stands for, when a grant through this ledger named it)."""
        with session_scope(self.engine) as session:
            rows = session.exec(
                select(SignerRow).order_by(col(SignerRow.did), col(SignerRow.role))
            ).all()
            scopes: dict[tuple[str, int], list[dict[str, Any]]] = {}
            found = session.exec(
                select(SignerScopeRow, ScopeLabelRow.facility)
                .join(
                    ScopeLabelRow,
                    col(ScopeLabelRow.scope) == col(SignerScopeRow.scope),
                    isouter=True,
                )
                .order_by(col(SignerScopeRow.granted_at), col(SignerScopeRow.scope))
            ).all()
            for scope, facility in found:
                scopes.setdefault((scope.key, scope.role), []).append(
                    {
                        "scope": scope.scope,
                        "facility": facility,
                        "grantedAt": format_optional(scope.granted_at),
                        "revokedAt": format_optional(scope.revoked_at),
                    }
                )
            return [
                {
                    "did": r.did,
                    "role": Role(r.role).name.lower(),
                    "validFrom": format_optional(r.valid_from),
                    "validUntil": format_optional(r.valid_until),
                    "revokedAt": format_optional(r.revoked_at),
                    "suspended": r.suspended,
                    "scopes": scopes.get((r.key, r.role), []),
                }
                for r in rows
            ]

    # -- anchoring worker ---------------------------------------------------------------

    def start_worker(self, interval: float = 1.0) -> None:
        if self._worker is not None:
            return
        self._stop.clear()
        self._worker = threading.Thread(
            target=self.anchorer.run_forever,
            args=(self._stop,),
            kwargs={"interval": interval, "also": self.follow_registry},
            name="anchoring-worker",
            daemon=True,
        )
        self._worker.start()

    def follow_registry(self) -> None:
        """Sync the registry mirror, logging (not raising) when the chain is unreachable."""
        try:
            self.mirror.sync()
        except ChainError as exc:
            self.events.chain_failed("registry_sync", exc.code)
            log.warning("registry mirror not updated: %s", exc.detail)

    def stop_worker(self) -> None:
        if self._worker is None:
            return
        self._stop.set()
        self._worker.join(timeout=30)
        self._worker = None
        self.anchorer.release()


def ensure_deployment(
    engine: Engine,
    client: ChainClient,
    *,
    admin: str | None = None,
    existing: Deployment | None = None,
) -> Deployment:
    """The deployment this database is bound to; on first use, bind it to ``existing`` (a
    deployment made elsewhere, checked to be live and to list this client as an anchorer), or
    deploy afresh with ``admin`` as the registry's admin.

    A database is bound to one chain (id and genesis). If its contracts are gone (a reset
    devnet, or the embedded EVM of an earlier process) the records' proofs point nowhere,
    so this refuses rather than silently starting a second history.

    Raises:
        DeploymentMissing: the bound deployment is gone, or is not ``existing``; ``existing``
            is not live on this chain or not ours.
        ChainError: no ``admin`` to deploy with, or this client is not an anchorer of
            ``existing``.
    """
    chain_id = client.chain_id
    with session_scope(engine) as session:
        rows = session.exec(select(DeploymentRow)).all()
    if rows:
        deployment = Deployment(
            chain_id=rows[0].chain_id,
            genesis_hash=rows[0].genesis_hash,
            contracts={r.name: ContractDeployment(r.address, r.block_number) for r in rows},  # type: ignore[arg-type]
        )
        if existing is not None and _addresses(existing) != _addresses(deployment):
            raise DeploymentMissing(
                "this database is bound to another deployment "
                f"({deployment.address('AttesterRegistry')} on chain {deployment.chain_id}); "
                "use a fresh database for this one"
            )
        if deployment.is_live_on(client):
            return deployment
        raise DeploymentMissing(
            f"this database belongs to chain {deployment.chain_id} "
            f"(genesis {deployment.genesis_hash[:10]}…), "
            f"whose contracts are not on the connected chain {chain_id}; "
            "use the node it was anchored on, or a fresh database"
        )
    if existing is not None:
        verify_deployment(client, existing)
        deployment = existing
    elif admin is None:
        raise ChainError(
            f"chain {chain_id} has no default registry admin: name one to deploy with "
            "(LEDGER_ADMIN_ADDRESS, e.g. a Safe multisig) or bind to an existing deployment "
            "(LEDGER_DEPLOYMENT_FILE, `ledger serve --deployment FILE`)"
        )
    else:
        deployment = deploy_contracts(client, admin=admin)
    with session_scope(engine) as session:
        for name, contract in deployment.contracts.items():
            session.add(
                DeploymentRow(
                    chain_id=deployment.chain_id,
                    name=name,
                    address=contract.address,
                    block_number=contract.block_number,
                    genesis_hash=deployment.genesis_hash,
                )
            )
    log.info(
        "%s contracts on chain %d: %s",
        "bound to existing" if existing is not None else "deployed",
        deployment.chain_id,
        {n: c.address for n, c in deployment.contracts.items()},
    )
    return deployment


def _check_scope(scope: bytes) -> None:
    if not isinstance(scope, bytes) or len(scope) != 32 or not any(scope):
        raise SchemaViolation("a scope is 32 bytes, not all zero", field="scope")


def _addresses(deployment: Deployment) -> dict[str, str]:
    return {name: c.address.lower() for name, c in deployment.contracts.items()}
