"""Worker credentials over a ledger: what the routes and the CLI call.

Admission goes through :meth:`Ledger.submit` like every record (the kinds' handlers in
:mod:`domain.workers.handlers` hold the rules); this module adds challenges, presentation
verification, the device-label salt and the views:

- **Challenges** are single use and expire after 5 minutes; expired ones are purged.
  Verifying (``POST /v1/presentations/verify``) does not consume one; a check-in does,
  in the check-in's own savepoint.
- **ID-possession rate** of a facility: among its credentialed workers (credentials naming
  the facility, active, within validity), the share with a check-in whose document matched
  in the last 90 days. Check-ins made under duress count like any other: excluding them
  would reveal the hidden flag.
- **Public views** never name a worker, a device or a signal; investigators (accredited,
  by a signed request) read check-ins and flags; a check-in's and a registration's envelope
  and receipt are for their parties only (:meth:`Ledger.authorize_read`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import delete
from sqlmodel import Session, col, select

from credentials.presentation import PresentationReport
from credentials.worker import StatusLocation
from ledger.admission import Accepted
from ledger.errors import NotFound, SchemaViolation
from ledger.roles import Role
from ledger.service import Ledger
from ledger.store.db import as_utc, session_scope
from ledger.store.meta import kept_value
from ledger.store.models import SignerRow
from ledger.timeutil import utcnow

from .handlers import CheckinHandler, CredentialHandler, CredentialStatusHandler
from .models import (
    CheckinRow,
    CoercionFlagRow,
    PresentationChallengeRow,
    StatusListRow,
    WorkerCredentialRow,
)
from .presentations import effective_status, verify_presentation
from .status_lists import (
    REVOCATION,
    StatusListHandler,
    StatusListState,
    issuer_of_slug,
    list_state,
)

__all__ = [
    "CHALLENGE_TTL",
    "POSSESSION_WINDOW",
    "CheckinAccepted",
    "CheckinDetail",
    "CheckinView",
    "CoercionFlag",
    "CredentialView",
    "Investigation",
    "PossessionRate",
    "WorkerCredentials",
]

CHALLENGE_TTL: Final = timedelta(minutes=5)
POSSESSION_WINDOW: Final = timedelta(days=90)
CHALLENGE_RETENTION: Final = timedelta(hours=1)  # kept past expiry, then purged
MAX_OWN_CHECKINS: Final = 500  # a worker's wallet lists at most this many check-ins
_DEVICE_SALT: Final = "device-label-salt"


@dataclass(frozen=True)
class CredentialView:
    """A registered credential's public view (no holder: it would link check-ins)."""

    status_id: str
    credential_id: str
    credential_hash: str
    issuer: str
    facility: str | None
    valid_from: datetime
    valid_until: datetime
    record_id: str
    status: str


@dataclass(frozen=True)
class CheckinAccepted:
    record_id: str
    leaf: str
    status: str
    document_matches: bool
    facility: str | None


@dataclass(frozen=True)
class CheckinView:
    """A check-in's public view: no worker, no devices, no signal, no flags."""

    id: str
    facility: str | None
    document_matches: bool
    on_site: bool
    checked_at: datetime
    verifier: str


@dataclass(frozen=True)
class CheckinDetail:
    """A check-in as investigators read it (the signal is still sealed to their key)."""

    id: str
    holder: str
    status_id: str
    facility: str | None
    verifier: str
    document_matches: bool
    on_site: bool
    location: str
    verifier_device: str
    presenting_device: str | None
    checked_at: datetime
    received_at: datetime
    presented_at: str
    challenge: str | None
    holder_signal: str


@dataclass(frozen=True)
class CoercionFlag:
    kind: str
    record_id: str | None
    status_id: str | None
    holder: str | None
    detail: dict[str, Any]
    raised_at: datetime


@dataclass(frozen=True)
class Investigation:
    checkins: list[CheckinDetail]
    flags: list[CoercionFlag]


@dataclass(frozen=True)
class PossessionRate:
    facility: str
    id_possession_rate: float | None
    credentialed_workers: int
    workers_with_recent_checkin: int
    window_days: int
    as_of: datetime


def _utc(moment: datetime | None) -> datetime:
    value = as_utc(moment)
    assert value is not None
    return value


class WorkerCredentials:
    """Worker-credential operations over a :class:`Ledger`."""

    def __init__(self, ledger: Ledger, *, challenge_ttl: timedelta = CHALLENGE_TTL) -> None:
        self.ledger = ledger
        self.challenge_ttl = challenge_ttl

    # -- issuance -----------------------------------------------------------------------

    def status_location(self) -> StatusLocation:
        """Where credentials issued against this ledger keep their status."""
        deployment = self.ledger.deployment
        return StatusLocation(deployment.chain_id, deployment.address("CredentialStatus"))

    def investigators(self, now: datetime | None = None) -> list[str]:
        """Dids accredited as investigators now (the keys holder signals are sealed to)."""
        now = now or utcnow()
        with session_scope(self.ledger.engine) as session:
            rows = session.exec(
                select(SignerRow)
                .where(SignerRow.role == int(Role.INVESTIGATOR))
                .order_by(col(SignerRow.valid_from), col(SignerRow.did))
            ).all()
            return [
                r.did
                for r in rows
                if r.revoked_at is None
                and not r.suspended
                and _utc(r.valid_from) <= now
                and (r.valid_until is None or now < _utc(r.valid_until))
            ]

    def register(self, envelope: Any, *, now: datetime | None = None) -> Accepted:
        """Admit a ``credential`` envelope (signed by an accredited issuer).

        Raises:
            SchemaViolation, VerificationError subclasses, Conflict (registered already).
        """
        _require_kind(envelope, CredentialHandler.label)
        return self.ledger.submit(envelope, now=now)

    def change_status(self, envelope: Any, *, now: datetime | None = None) -> tuple[Accepted, str]:
        """Admit a ``credential_status`` envelope; the chain follows through the outbox.

        Returns:
            The accepted record and the credential's status now.

        Raises:
            NotFound, IssuerNotAccredited (not the credential's issuer), Conflict (no such
            transition), and everything :meth:`Ledger.submit` raises.
        """
        _require_kind(envelope, CredentialStatusHandler.label)
        accepted = self.ledger.submit(envelope, now=now)
        return accepted, self.credential(str(envelope["payload"]["statusId"])).status

    def credential(self, status_id: str) -> CredentialView:
        """A registered credential's public view.

        Raises:
            NotFound: not registered.
        """
        with session_scope(self.ledger.engine) as session:
            row = session.get(WorkerCredentialRow, status_id.lower())
            if row is None:
                raise NotFound(f"no credential {status_id}", what="credential", key=status_id)
            status = effective_status(row.status, row.status_id, self.ledger.admitter.chain)
            return CredentialView(
                status_id=row.status_id,
                credential_id=row.credential_id,
                credential_hash=row.credential_hash,
                issuer=row.issuer,
                facility=row.facility,
                valid_from=_utc(row.valid_from),
                valid_until=_utc(row.valid_until),
                record_id=row.record_id,
                status=status,
            )

    # -- status lists -------------------------------------------------------------------

    def status_list(self, slug: str, purpose: str) -> tuple[dict[str, Any], str, datetime]:
        """The served status list credential of the issuer ``slug`` names, with its record
        id and validFrom.

        Raises:
            NotFound: no such issuer or purpose, or the issuer has published no list.
        """
        issuer = _list_issuer(slug, purpose)
        with session_scope(self.ledger.engine) as session:
            row = session.get(StatusListRow, (issuer, purpose))
            if row is None:
                raise NotFound(
                    f"{issuer} has published no {purpose} list", what="status_list", key=slug
                )
            document: dict[str, Any] = json.loads(row.credential)
            return document, row.record_id, _utc(row.valid_from)

    def status_list_state(self, slug: str, purpose: str) -> StatusListState:
        """What the issuer's tooling signs its next list from (see :func:`list_state`)."""
        issuer = _list_issuer(slug, purpose)
        with session_scope(self.ledger.engine) as session:
            return list_state(session, issuer, purpose)

    def publish_status_list(
        self, envelope: Any, *, now: datetime | None = None
    ) -> tuple[Accepted, list[str]]:
        """Admit a ``status_list`` envelope.

        Returns:
            The accepted record and the status ids it revoked (bits it newly set).

        Raises:
            StatusListInvalid and its kin, ProofError, IssuerNotAccredited, StatusListStale,
            StatusListClearsRevoked, and everything :meth:`Ledger.submit` raises.
        """
        _require_kind(envelope, StatusListHandler.label)
        accepted = self.ledger.submit(envelope, now=now)
        with session_scope(self.ledger.engine) as session:
            revoked = session.exec(
                select(WorkerCredentialRow.status_id)
                .where(WorkerCredentialRow.status_record_id == accepted.record_id)
                .order_by(col(WorkerCredentialRow.status_id))
            ).all()
        return accepted, list(revoked)

    # -- challenges and presentations ---------------------------------------------------

    def issue_challenge(self, now: datetime | None = None) -> tuple[str, datetime]:
        """A fresh single-use challenge and when it expires (long-expired ones are purged)."""
        now = now or utcnow()
        challenge = secrets.token_urlsafe(16)
        expires = now + self.challenge_ttl
        with session_scope(self.ledger.engine) as session:
            session.exec(
                delete(PresentationChallengeRow).where(
                    col(PresentationChallengeRow.expires_at) < now - CHALLENGE_RETENTION
                )
            )
            session.add(
                PresentationChallengeRow(challenge=challenge, issued_at=now, expires_at=expires)
            )
        return challenge, expires

    def verify_presentation(
        self, document: Any, *, now: datetime | None = None, domain: str | None = None
    ) -> PresentationReport:
        """Every check on a presentation, each reported separately (nothing is written)."""
        with session_scope(self.ledger.engine) as session:
            return verify_presentation(
                session,
                document,
                accreditations=self.ledger.accreditations,
                chain=self.ledger.admitter.chain,
                now=now or utcnow(),
                domain=domain,
            )

    # -- check-ins ----------------------------------------------------------------------

    def check_in(
        self, presentation: Any, envelope: Any, *, now: datetime | None = None
    ) -> CheckinAccepted:
        """Admit a possession check-in: the verifier's ``checkin`` envelope with the worker's
        presentation beside it (see :class:`~domain.workers.handlers.CheckinHandler`).

        Raises:
            The first failing check's error (a presentation's report is on
            ``error.data["checks"]``), and everything :meth:`Ledger.submit` raises.
        """
        _require_kind(envelope, CheckinHandler.label)
        accepted = self.ledger.submit(envelope, attachment={"presentation": presentation}, now=now)
        with session_scope(self.ledger.engine) as session:
            row = session.get(CheckinRow, accepted.record_id)
            assert row is not None
            return CheckinAccepted(
                accepted.record_id, accepted.leaf, accepted.status, row.document_matches,
                row.facility,
            )  # fmt: skip

    def checkin(self, record_id: str) -> CheckinView:
        """A check-in's public view.

        Raises:
            NotFound: no such check-in.
        """
        with session_scope(self.ledger.engine) as session:
            row = session.get(CheckinRow, record_id.lower())
            if row is None:
                raise NotFound(f"no check-in {record_id}", what="checkin", key=record_id)
            return _public(row)

    def checkins_of(self, holder: str, *, limit: int = MAX_OWN_CHECKINS) -> list[CheckinView]:
        """The check-ins of ``holder`` (an authenticated did: a worker reading their own
        history), newest first. The public view only: no devices, and never the sealed
        signal or a flag, so a phone taken from its owner shows nothing a coercer could use
        to tell which check-ins raised the alarm."""
        with session_scope(self.ledger.engine) as session:
            rows = session.exec(
                select(CheckinRow)
                .where(CheckinRow.holder == holder)
                .order_by(col(CheckinRow.checked_at).desc(), col(CheckinRow.record_id))
                .limit(limit)
            ).all()
            return [_public(row) for row in rows]

    def device_salt(self) -> bytes:
        """This deployment's secret salt for device labels (made on first use)."""
        return bytes.fromhex(
            kept_value(self.ledger.engine, _DEVICE_SALT, lambda: secrets.token_hex(32))
        )

    # -- investigators ------------------------------------------------------------------

    def investigation(self, *, since: datetime | None = None, limit: int = 500) -> Investigation:
        """Everything an investigator needs to read holder signals and flags. ``since`` is
        compared in UTC on the server's receive time.

        The signal of each check-in is sealed to the investigators' key; it is opened
        client-side (``ledger checkin investigate``) with the binding recomputed from
        ``holder``, ``presentedAt`` and ``challenge``.
        """
        if since is not None:
            if since.tzinfo is None:
                raise SchemaViolation("since must name its offset (e.g. Z)", field="since")
            since = since.astimezone(UTC)
        with session_scope(self.ledger.engine) as session:
            query = select(CheckinRow).order_by(col(CheckinRow.received_at).desc()).limit(limit)
            flags_query = select(CoercionFlagRow).order_by(col(CoercionFlagRow.raised_at).desc())
            if since is not None:
                query = query.where(col(CheckinRow.received_at) >= since)
                flags_query = flags_query.where(col(CoercionFlagRow.raised_at) >= since)
            return Investigation(
                checkins=[_detail(r) for r in session.exec(query).all()],
                flags=[_flag(f) for f in session.exec(flags_query.limit(limit)).all()],
            )

    # -- facility view ------------------------------------------------------------------

    def possession_rate(self, facility: str, *, now: datetime | None = None) -> PossessionRate:
        """The facility's ID-possession rate (see the module docstring)."""
        now = now or utcnow()
        with session_scope(self.ledger.engine) as session:
            return possession_rate(session, facility, now)


def possession_rate(session: Session, facility: str, now: datetime) -> PossessionRate:
    since = now - POSSESSION_WINDOW
    credentialed = set(
        session.exec(
            select(WorkerCredentialRow.status_id).where(
                WorkerCredentialRow.facility == facility,
                WorkerCredentialRow.status == "active",
                col(WorkerCredentialRow.valid_from) <= now,
                col(WorkerCredentialRow.valid_until) > now,
            )
        ).all()
    )
    checked = set(
        session.exec(
            select(CheckinRow.status_id).where(
                CheckinRow.facility == facility,
                CheckinRow.document_matches == True,  # noqa: E712 (SQL expression)
                col(CheckinRow.checked_at) >= since,
                col(CheckinRow.checked_at) <= now,
            )
        ).all()
    )
    with_checkin = len(credentialed & checked)
    return PossessionRate(
        facility=facility,
        id_possession_rate=round(with_checkin / len(credentialed), 4) if credentialed else None,
        credentialed_workers=len(credentialed),
        workers_with_recent_checkin=with_checkin,
        window_days=POSSESSION_WINDOW.days,
        as_of=now.replace(microsecond=0),
    )


def _public(row: CheckinRow) -> CheckinView:
    return CheckinView(
        id=row.record_id,
        facility=row.facility,
        document_matches=row.document_matches,
        on_site=row.on_site,
        checked_at=_utc(row.checked_at),
        verifier=row.verifier,
    )


def _detail(row: CheckinRow) -> CheckinDetail:
    return CheckinDetail(
        id=row.record_id,
        holder=row.holder,
        status_id=row.status_id,
        facility=row.facility,
        verifier=row.verifier,
        document_matches=row.document_matches,
        on_site=row.on_site,
        location=row.location,
        verifier_device=row.verifier_device,
        presenting_device=row.presenting_device,
        checked_at=_utc(row.checked_at),
        received_at=_utc(row.received_at),
        presented_at=row.presented_at,
        challenge=row.challenge,
        holder_signal=row.holder_signal,
    )


def _flag(row: CoercionFlagRow) -> CoercionFlag:
    return CoercionFlag(
        kind=row.kind,
        record_id=row.record_id,
        status_id=row.status_id,
        holder=row.holder,
        detail=json.loads(row.detail),
        raised_at=_utc(row.raised_at),
    )


def _list_issuer(slug: str, purpose: str) -> str:
    if purpose != REVOCATION:
        raise NotFound(f"no {purpose!r} status lists here", what="status_list", key=purpose[:32])
    return issuer_of_slug(slug)


def _require_kind(envelope: Any, label: str) -> None:
    if not isinstance(envelope, Mapping) or envelope.get("kind") != label:
        raise SchemaViolation(f"this takes envelopes of kind {label!r}", field="kind")
    if not isinstance(envelope.get("payload"), Mapping):
        raise SchemaViolation("payload must be a JSON object", field="payload")
