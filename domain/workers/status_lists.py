"""The ``status_list`` kind: an issuer's signed W3C Bitstring Status List (revocation).

Decisions (see also :mod:`credentials.status_list`):

- **Who**: only the list's own issuer, accredited as issuer, publishes its list; the list's
  URL names that issuer (``/v1/status-lists/<multibase>/revocation``), its proof is by
  that issuer's key, and the envelope is signed by it. The platform never signs a list:
  the issuer's CLI (or its own ``ledger vc serve``) re-signs it on every change.
- **Monotonic**: a list's ``validFrom`` is after the served list's, and not in the future.
- **Consistent with the ledger**: every credential the ledger holds as revoked has its bit
  set in every new list (revocation is final: ``status_list_clears_revoked``). A bit newly
  set for a credential the ledger holds as active or suspended is a revocation through the
  list: it is recorded exactly as a ``credential_status`` revocation (the row's status,
  and a ``credential-status.revoke`` outbox entry with this record's id, so the contract
  shows the signed record that caused it). Either path therefore shows in both.
- Bits of indexes no credential holds may be set (decoys); registration never hands out a
  set bit (``status_index_taken``).
- The list is the record's payload, so its hash is anchored with the batch like any record.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Final

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from credentials.status_list import (
    LIST_BITS,
    StatusList,
    issuer_of_url,
    list_path,
    parse_status_list,
    verify_status_list,
)
from ledger.envelope import Envelope
from ledger.errors import NotFound, SchemaViolation
from ledger.keys import InvalidKey, VerifyKey
from ledger.kinds import Admission, KindHandler, Parsed
from ledger.roles import Role
from ledger.store.db import as_utc

from ..schema import parse_model
from .errors import IssuerNotAccredited, StatusIndexTaken, StatusListClearsRevoked, StatusListStale
from .models import StatusListEntryRow, StatusListRow, WorkerCredentialRow
from .schema import StatusListPayload

__all__ = [
    "MAX_FUTURE",
    "REVOCATION",
    "StatusListHandler",
    "StatusListState",
    "check_list_entry",
    "free_index",
    "issuer_of_slug",
    "list_state",
]

MAX_FUTURE: Final = timedelta(minutes=5)  # a list's validFrom may run ahead of our clock
REVOCATION: Final = "revocation"


def issuer_of_slug(slug: str) -> str:
    """The issuer did a list URL's ``<multibase>`` names.

    Raises:
        NotFound: not an Ed25519 did:key multibase.
    """
    try:
        key = VerifyKey.from_did("did:key:" + slug) if len(slug) < 64 else None
    except InvalidKey:
        key = None
    if key is None or key.did != "did:key:" + slug:
        raise NotFound(f"no status list {slug!r}", what="status_list", key=slug[:64])
    return key.did


@dataclass(frozen=True)
class _Verdict:
    revokes: tuple[str, ...]  # status ids whose bit this list newly sets


class StatusListHandler(KindHandler):
    label: ClassVar[str] = "status_list"
    code: ClassVar[int] = 12
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ISSUER})

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        published = parse_model(StatusListPayload, payload)
        status_list = parse_status_list(published.credential)
        return Parsed(status_list, subject=list_path(status_list.issuer, status_list.purpose))

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> _Verdict:
        from .handlers import issuer_not_voided

        status_list: StatusList = parsed.value
        if status_list.issuer != envelope.signer:
            raise IssuerNotAccredited(
                "only the list's own issuer may publish it",
                issuer=status_list.issuer,
                signer=envelope.signer,
            )
        verify_status_list(status_list.document, now=admission.received_at)
        issuer_not_voided(admission, envelope)
        if status_list.valid_from > admission.received_at + MAX_FUTURE:
            raise StatusListStale(
                "the list's validFrom is in the future", valid_from=str(status_list.valid_from)
            )
        session = admission.session
        served = session.get(StatusListRow, (status_list.issuer, status_list.purpose))
        if served is not None:
            previous = as_utc(served.valid_from)
            assert previous is not None
            if status_list.valid_from <= previous:
                raise StatusListStale(
                    "the list's validFrom must be after the served list's "
                    f"({previous.isoformat()})",
                    served=served.record_id,
                )
        revokes: list[str] = []
        for entry, credential in _entries(session, status_list.issuer, status_list.purpose):
            bit = status_list.is_set(entry.list_index)
            if credential.status == "revoked" and not bit:
                raise StatusListClearsRevoked(
                    f"credential {credential.status_id} is revoked; its bit "
                    f"{entry.list_index} must stay set",
                    status_id=credential.status_id,
                    index=entry.list_index,
                )
            if bit and credential.status != "revoked":
                revokes.append(credential.status_id)
        return _Verdict(tuple(revokes))

    def apply(
        self, admission: Admission, envelope: Envelope, parsed: Parsed, checked: _Verdict
    ) -> None:
        status_list: StatusList = parsed.value
        session = admission.session
        document = json.dumps(status_list.document, ensure_ascii=False, sort_keys=True)
        key = (status_list.issuer, status_list.purpose)
        values = {
            "record_id": envelope.record_id,
            "valid_from": status_list.valid_from,
            "received_at": admission.received_at,
            "credential": document,
        }
        if session.get(StatusListRow, key) is None:
            session.add(
                StatusListRow.model_validate({"issuer": key[0], "purpose": key[1], **values})
            )
            try:
                session.flush()
            except IntegrityError:  # a first list admitted concurrently
                raise StatusListStale("another list was accepted a moment ago") from None
        else:
            # Conditional, so two lists admitted concurrently cannot go back in time.
            moved = session.exec(
                update(StatusListRow)
                .where(col(StatusListRow.issuer) == key[0], col(StatusListRow.purpose) == key[1])
                .where(col(StatusListRow.valid_from) < status_list.valid_from)
                .values(**values)
            )
            if moved.rowcount != 1:
                raise StatusListStale("a later list was accepted a moment ago")
        from .handlers import change_status

        for status_id in checked.revokes:
            change_status(admission, envelope, status_id, "revoke", reason=0)


def _entries(
    session: Session, issuer: str, purpose: str
) -> list[tuple[StatusListEntryRow, WorkerCredentialRow]]:
    rows = session.exec(
        select(StatusListEntryRow, WorkerCredentialRow)
        .where(StatusListEntryRow.issuer == issuer, StatusListEntryRow.purpose == purpose)
        .where(col(StatusListEntryRow.status_id) == col(WorkerCredentialRow.status_id))
    ).all()
    return [(entry, credential) for entry, credential in rows]


def check_list_entry(session: Session, signer: str, url: str, index: int) -> None:
    """A registration's status list entry: in the signer's own revocation list, at an index
    no other credential of the signer holds and whose bit the served list does not set.

    Raises:
        SchemaViolation, StatusIndexTaken
    """
    if issuer_of_url(url) != (signer, REVOCATION):
        raise SchemaViolation(
            "payload.statusList.url must be the issuer's own revocation list",
            field="payload.statusList.url",
        )
    taken = session.exec(
        select(StatusListEntryRow.status_id).where(
            StatusListEntryRow.issuer == signer,
            StatusListEntryRow.purpose == REVOCATION,
            StatusListEntryRow.list_index == index,
        )
    ).first()
    served = session.get(StatusListRow, (signer, REVOCATION))
    if taken is not None or (served is not None and _served_bit(served, index)):
        raise StatusIndexTaken(
            f"status list index {index} is taken in {signer}'s list; ask for a free one",
            index=index,
        )


def _served_bit(row: StatusListRow, index: int) -> bool:
    return parse_status_list(json.loads(row.credential)).is_set(index)


@dataclass(frozen=True)
class StatusListState:
    """What an issuer's tooling needs to (re-)sign its list: the bits the ledger requires
    set (its revoked credentials' indexes), the served list's record and time, and a free
    index for the next credential."""

    path: str
    size: int
    revoked: list[int]
    record_id: str | None
    valid_from: datetime | None
    free_index: int


def list_state(session: Session, issuer: str, purpose: str = REVOCATION) -> StatusListState:
    served = session.get(StatusListRow, (issuer, purpose))
    entries = _entries(session, issuer, purpose)
    return StatusListState(
        path=list_path(issuer, purpose),
        size=LIST_BITS,
        revoked=sorted(e.list_index for e, c in entries if c.status == "revoked"),
        record_id=served.record_id if served is not None else None,
        valid_from=as_utc(served.valid_from) if served is not None else None,
        free_index=free_index(session, issuer, served, {e.list_index for e, _ in entries}),
    )


def free_index(session: Session, issuer: str, served: StatusListRow | None, used: set[int]) -> int:
    """A random index no credential of ``issuer`` holds and the served list does not set
    (random: the spec's advice, so an index does not tell the order of issuance)."""
    bits = parse_status_list(json.loads(served.credential)).bits if served is not None else None
    for _ in range(LIST_BITS):
        index = secrets.randbelow(LIST_BITS)
        if index not in used and (bits is None or not bits[index // 8] >> (7 - index % 8) & 1):
            return index
    raise StatusIndexTaken(f"{issuer}'s status list is full")
