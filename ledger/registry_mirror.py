"""Mirror AttesterRegistry into the database, event by event, so accreditation checks on
admission cost a local query instead of an RPC call, and follow it closely: the worker
syncs every pass, and admission syncs first whenever the mirror is older than a few
seconds, so a key suspended or revoked on chain (by a multisig admin, without us) stops
working at once."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from .chain.contracts import RegistryContract, RegistryEvent
from .errors import ChainUnavailable
from .keys import VerifyKey
from .store.db import session_scope
from .store.models import SignerRow, SignerScopeRow, SyncCursorRow

__all__ = ["RegistryMirror"]

log = logging.getLogger(__name__)

_CURSOR = "attester_registry"


class RegistryMirror:
    """The registry's events applied to ``signers`` and ``signer_scopes``, with a cursor in
    ``sync_cursors``."""

    def __init__(self, engine: Engine, registry: RegistryContract, *, from_block: int = 0) -> None:
        self.engine = engine
        self.registry = registry
        self.from_block = from_block
        self.synced_block: int | None = None
        self._synced_at: float | None = None  # monotonic time of the last successful sync
        self._lock = threading.Lock()

    def sync(self) -> int:
        """Apply every registry event since the last sync; returns how many were applied.

        The events and the cursor commit together, so a crash repeats a sync, never skips
        one; applying an event twice changes nothing (another process may sync the same
        range at the same time).
        """
        with self._lock:
            started = time.monotonic()
            head = self.registry.client.block_number()
            for attempt in range(3):
                try:
                    applied = self._apply_up_to(head)
                    break
                except IntegrityError:  # another process created the cursor first
                    if attempt == 2:
                        raise
            self.synced_block = head
            self._synced_at = started
            return applied

    def ensure_fresh(self, max_age: timedelta, *, max_stale: timedelta) -> None:
        """Sync unless the last sync started less than ``max_age`` ago.

        When the chain cannot be reached, a mirror younger than ``max_stale`` is still used
        (admission goes on through a short outage; receipts' verifiers check accreditation
        on chain themselves), an older one is not.

        Raises:
            ChainUnavailable: the chain cannot be read and the mirror is older than
                ``max_stale`` (so accreditation cannot be known).
        """
        synced = self._synced_at
        age = None if synced is None else time.monotonic() - synced
        if age is not None and age <= max_age.total_seconds():
            return
        try:
            self.sync()
        except ChainUnavailable as exc:
            if age is None or age > max_stale.total_seconds():
                raise ChainUnavailable(
                    f"cannot confirm accreditations: the registry mirror is "
                    f"{'empty' if age is None else f'{age:.0f} s old'} and {exc.detail}"
                ) from exc
            log.warning("registry mirror %.0f s old, chain unreachable: %s", age, exc.detail)

    def _apply_up_to(self, head: int) -> int:
        with session_scope(self.engine) as session:
            cursor = session.get(SyncCursorRow, _CURSOR)
            start = self.from_block if cursor is None else cursor.block + 1
            if start > head:
                return 0
            events = self.registry.events(start, head)
            for event in events:
                _apply(session, event)
            if cursor is None:
                cursor = SyncCursorRow(name=_CURSOR, block=head)
            cursor.block = head
            session.add(cursor)
        if events:
            log.info("registry mirror: %d event(s) up to block %d", len(events), head)
        return len(events)


def _apply(session: Session, event: RegistryEvent) -> None:
    if event.scope is not None:
        _apply_scope(session, event)
        return
    key_hex = "0x" + event.key.hex()
    row = session.get(SignerRow, (key_hex, event.role))
    if event.name == "KeyAccredited":
        assert event.valid_from is not None
        if row is None:
            row = SignerRow(
                key=key_hex,
                role=event.role,
                did=VerifyKey(event.key).did,
                valid_from=event.valid_from,
            )
        row.valid_from, row.valid_until = event.valid_from, event.valid_until
    elif row is None:
        return  # an event about a key we never saw accredited cannot change anything
    elif event.name == "KeySuspended":
        row.suspended = True
    elif event.name == "KeyReinstated":
        row.suspended = False
    elif event.name == "KeyRevoked":
        row.revoked_at = event.revoked_at
    row.updated_block = event.block_number
    session.add(row)


def _apply_scope(session: Session, event: RegistryEvent) -> None:
    """A grant opens a new window (the row holds the latest one), a revocation closes it."""
    assert event.scope is not None
    assert event.at is not None
    key_hex, scope_hex = "0x" + event.key.hex(), "0x" + event.scope.hex()
    row = session.get(SignerScopeRow, (key_hex, event.role, scope_hex))
    if event.name == "ScopeGranted":
        if row is None:
            row = SignerScopeRow(key=key_hex, role=event.role, scope=scope_hex, granted_at=event.at)
        row.granted_at, row.revoked_at = event.at, None
    elif row is None:
        return  # a revocation of a grant we never saw cannot change anything
    else:
        row.revoked_at = event.at
    row.updated_block = event.block_number
    session.add(row)
