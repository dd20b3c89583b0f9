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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from .admission import Accepted, AdmissionPolicy, Admitter, Submission
from .anchoring import Anchorer, AnchoringPolicy
from .chain.client import ChainClient
from .chain.contracts import AnchorContract, CredentialStatusContract, RegistryContract
from .chain.deployment import ContractDeployment, Deployment, deploy_contracts
from .envelope import DEFAULT_MAX_AGE, DEFAULT_MAX_FUTURE_SKEW, Envelope
from .errors import (
    ChainError,
    DeploymentMissing,
    LedgerError,
    NotAnchored,
    NotAParty,
    NotFound,
    Unauthorized,
)
from .keys import VerifyKey
from .kinds import KindRegistry, Readers
from .outbox import OutboxRelay, RelayPolicy, outbox_backlog
from .receipts import PinnedDeployment, ReceiptReport, RpcReceiptChain, check_receipt
from .registry_mirror import RegistryMirror
from .roles import Role
from .signed_request import audience_of
from .store.db import as_utc, create_schema, make_engine, session_scope
from .store.meta import kept_value
from .store.models import BatchRow, BatchState, DeploymentRow, SignerRow
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
    anchor_key: str | None = None  # hex private key of the anchoring account
    policy: AnchoringPolicy = field(default_factory=AnchoringPolicy)
    max_future_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW
    max_age: timedelta = DEFAULT_MAX_AGE
    # Before admitting a write, the registry mirror is brought up to date when older than
    # this (a key suspended on chain by a multisig admin must stop working at once).
    registry_max_age: timedelta = timedelta(seconds=3)
    # ... but through a chain outage, a mirror up to this old still admits writes.
    registry_max_stale: timedelta = timedelta(minutes=10)


class _ChainReads:
    """What kinds' rules may read from the chain (:class:`ledger.kinds.ChainView`)."""

    def __init__(self, status: CredentialStatusContract) -> None:
        self._status = status

    def credential_status(self, status_id: str) -> int:
        return self._status.status_of(bytes.fromhex(status_id.removeprefix("0x")))[0]


class Ledger:
    """Everything a process needs to accept, anchor and prove records."""

    def __init__(
        self,
        config: LedgerConfig,
        engine: Engine,
        client: ChainClient,
        deployment: Deployment,
        kinds: KindRegistry,
    ) -> None:
        self.config = config
        self.engine = engine
        self.client = client
        self.deployment = deployment
        self.kinds = kinds
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
        relay = OutboxRelay(
            engine, self.credential_status, RelayPolicy(confirmations=config.policy.confirmations)
        )
        self.anchorer = Anchorer(
            engine, self.anchor, config.policy, kind_codes=kinds.code_of, outbox=relay
        )
        self.anchorer.from_block = deployment.first_block
        self.accreditations = StoreAccreditations(engine)
        self.mirror = RegistryMirror(engine, self.registry, from_block=deployment.first_block)
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()

    # -- opening ------------------------------------------------------------------------

    @classmethod
    def open(
        cls, config: LedgerConfig, kinds: KindRegistry, *, client: ChainClient | None = None
    ) -> Ledger:
        """Connect, create the schema, find or make the deployment, mirror the registry."""
        engine = make_engine(config.database_url)
        create_schema(engine)
        if client is None:
            client = (
                ChainClient.connect(config.rpc_url, config.anchor_key)
                if config.rpc_url
                else ChainClient.embedded_evm()
            )
        deployment = ensure_deployment(engine, client)
        ledger = cls(config, engine, client, deployment, kinds)
        ledger.sync_registry()
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
        (result,) = self.submit_many([Submission(data, attachment)], now=now)
        if isinstance(result, LedgerError):
            raise result
        return result

    def submit_many(
        self, items: Sequence[Submission | Any], *, now: datetime | None = None
    ) -> list[Accepted | LedgerError]:
        """Admit every envelope on its own; store the accepted ones with one commit.

        Returns, position by position, the accepted record or the error that refused it.
        """
        submissions = [i if isinstance(i, Submission) else Submission(i) for i in items]
        self.mirror.ensure_fresh(
            self.config.registry_max_age, max_stale=self.config.registry_max_stale
        )
        now = now or utcnow()
        with session_scope(self.engine) as session:
            return self.admitter.admit(session, submissions, now)

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
                raise NotAnchored(
                    f"record {record_id} is {state}; its receipt exists once anchored",
                    record_id=record_id,
                    state=state,
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
        return {
            "status": "ok" if database_ok and chain_ok else "degraded",
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

    # -- registry -----------------------------------------------------------------------

    def sync_registry(self) -> int:
        """Apply every registry event since the last sync; returns how many."""
        return self.mirror.sync()

    def accredit(
        self,
        did: str,
        role: Role,
        *,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
    ) -> None:
        """Accredit a key for a role on chain, then mirror it."""
        key = VerifyKey.from_did(did)
        # The chain's clock may trail ours by a block; start the window a minute back.
        start = valid_from or (utcnow() - timedelta(minutes=1))
        self.registry.accredit(key, role, start, valid_until)
        self.sync_registry()

    def revoke(self, did: str, roles: list[Role] | None = None) -> list[Role]:
        """Revoke a key (all its roles unless given); returns the roles revoked."""
        key = VerifyKey.from_did(did)
        with session_scope(self.engine) as session:
            held = session.exec(
                select(SignerRow).where(SignerRow.key == "0x" + key.raw.hex())
            ).all()
            targets = [
                Role(r.role)
                for r in held
                if r.revoked_at is None and (roles is None or Role(r.role) in roles)
            ]
        if not targets:
            raise NotFound(f"{did} holds no revocable accreditation", what="signer", key=did)
        for role in targets:
            self.registry.revoke(key, role)
        self.sync_registry()
        return targets

    def signers(self) -> list[dict[str, Any]]:
        with session_scope(self.engine) as session:
            rows = session.exec(
                select(SignerRow).order_by(col(SignerRow.did), col(SignerRow.role))
            ).all()
            return [
                {
                    "did": r.did,
                    "role": Role(r.role).name.lower(),
                    "validFrom": format_optional(r.valid_from),
                    "validUntil": format_optional(r.valid_until),
                    "revokedAt": format_optional(r.revoked_at),
                    "suspended": r.suspended,
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
            log.warning("registry mirror not updated: %s", exc.detail)

    def stop_worker(self) -> None:
        if self._worker is None:
            return
        self._stop.set()
        self._worker.join(timeout=30)
        self._worker = None


def ensure_deployment(engine: Engine, client: ChainClient) -> Deployment:
    """The deployment this database is bound to, deploying on first use.

    A database is bound to one chain (id and genesis). If its contracts are gone (a reset
    devnet, or the embedded EVM of an earlier process) the records' proofs point nowhere,
    so this refuses rather than silently starting a second history.
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
        if deployment.is_live_on(client):
            return deployment
        raise DeploymentMissing(
            f"this database belongs to chain {deployment.chain_id} "
            f"(genesis {deployment.genesis_hash[:10]}…), "
            f"whose contracts are not on the connected chain {chain_id}; "
            "use the node it was anchored on, or a fresh database"
        )
    deployment = deploy_contracts(client)
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
        "deployed contracts on chain %d: %s",
        deployment.chain_id,
        {n: c.address for n, c in deployment.contracts.items()},
    )
    return deployment
