"""Mirror AttesterRegistry into the database, event by event, so accreditation checks on
ingestion cost a local query instead of an RPC call."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from .chain.contracts import RegistryContract, RegistryEvent
from .keys import VerifyKey
from .store.db import session_scope
from .store.models import SignerRow, SyncCursorRow

__all__ = ["sync_registry"]

_CURSOR = "attester_registry"


def sync_registry(engine: Engine, registry: RegistryContract, *, from_block: int = 0) -> int:
    """Apply every registry event since the last sync; returns how many were applied.

    The events and the cursor commit together, so a crash repeats a sync, never skips one.
    """
    head = registry.client.block_number()
    with session_scope(engine) as session:
        cursor = session.get(SyncCursorRow, _CURSOR)
        start = from_block if cursor is None else cursor.block + 1
        if start > head:
            return 0
        events = registry.events(start, head)
        for event in events:
            _apply(session, event)
        if cursor is None:
            cursor = SyncCursorRow(name=_CURSOR, block=head)
        cursor.block = head
        session.add(cursor)
    return len(events)


def _apply(session: object, event: RegistryEvent) -> None:
    from sqlmodel import Session

    assert isinstance(session, Session)
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
