"""Worker credentials on the ledger: registration, status, presentations, check-ins.

:class:`CredentialRegistry` sits on a :class:`~ledger.service.Ledger` (``ledger.credentials``)
and adds the reference checks of the ``credential``, ``credential_status`` and ``checkin``
kinds, so every envelope of those kinds, whoever submits it, goes through them in the same
transaction as the record it becomes.

Decisions (see also shared/DESIGN.md "Worker credentials"):

- **Registration** (``credential``): the issuer's signed envelope carries the credential's
  id, hash, status id, holder did, commitment, validity and facility; never the credential
  (it may name a nationality) and never the document.
- **Status** (``credential_status``): only the credential's own issuer may change it. The
  registration binds the credential to the issuer's key on chain (CredentialStatus.register,
  with the registration's record id) and each change carries its own record id, so anyone
  can check the issuer's consent. Both are relayed *inside* the record's transaction: if the
  chain refuses, nothing is stored; verifiers read status from the chain.
- **Issuer accreditation at issuance**: the issuer must have held the issuer role both at
  the proof's ``created`` and when the ledger registered the credential (server time), so
  a later revocation of the issuer does not void earlier credentials but a stolen key
  cannot backdate new ones past its revocation.
- **Challenges** are single use and expire after 5 minutes. Verifying
  (``POST /v1/presentations/verify``) does not consume one; a check-in does, atomically
  with its record. A presentation (by hash) is accepted in one check-in only.
- **Offline check-ins**: freshness is judged at the verifier's signed check-in time
  (``created``, itself bounded by the ledger's clock-skew window), so a verifier at a gate
  without network can submit later.
- **Coercion flags** are computed on ingestion and stored apart (``coercion_flags``),
  never anchored, visible to investigators only: a device presenting for several workers,
  a burst of check-ins at one facility or by one verifier device, a worker only ever
  checked on site, one credential in two places at once, a replayed challenge or
  presentation. The duress signal is *not* read here: the server cannot read it.
- **ID-possession rate** of a facility: among its credentialed workers (credentials naming
  the facility, active, within validity), the share with a check-in whose document matched
  in the last 90 days. Check-ins made under duress count like any other: excluding them
  would reveal the hidden flag.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import update
from sqlmodel import Session, col, select

from credentials.possession import presentation_hash
from credentials.presentation import PresentationReport, check_presentation
from credentials.worker import StatusLocation, WorkerCredential

from .coercion import CoercionPolicy, coercion_flags
from .envelope import Envelope
from .errors import (
    ChallengeExpired,
    ChallengeReplayed,
    ChallengeUnknown,
    CheckinMismatch,
    Conflict,
    CredentialRevoked,
    CredentialSuspended,
    CredentialUnregistered,
    IssuerNotAccredited,
    LedgerError,
    NotFound,
    PresentationReplayed,
    SchemaViolation,
)
from .keys import VerifyKey
from .roles import Kind, Role
from .schemas import validate_payload
from .schemas.checkin import CheckinPayload
from .schemas.common import parse_model
from .schemas.credential import CredentialPayload
from .schemas.credential_status import CredentialStatusPayload
from .store.credential_models import (
    CheckinRow,
    CoercionFlagRow,
    PresentationChallengeRow,
    WorkerCredentialRow,
)
from .store.db import as_utc, session_scope
from .store.models import SignerRow
from .timeutil import format_time, utcnow

if TYPE_CHECKING:
    from .service import Accepted, Ledger

__all__ = ["CHALLENGE_TTL", "POSSESSION_WINDOW", "CredentialRegistry"]

CHALLENGE_TTL: Final = timedelta(minutes=5)
POSSESSION_WINDOW: Final = timedelta(days=90)
_STATUS_NAMES: Final = {0: "active", 1: "suspended", 2: "revoked"}


@dataclass
class _Pending:
    """What the check-in endpoint verified, handed to the record's reference check."""

    report: PresentationReport
    hash: str


@dataclass(frozen=True)
class CheckinAccepted:
    record_id: str
    leaf: str
    status: str
    document_matches: bool
    facility: str | None


def _accredited_at(source: Any, did: str, moments: list[datetime]) -> bool:
    """Held the issuer role at every moment (a later revocation does not reach back)."""
    for accreditation in source.accreditations(VerifyKey.from_did(did)):
        if accreditation.role != Role.ISSUER:
            continue
        if all(
            accreditation.valid_from <= moment
            and (accreditation.valid_until is None or moment < accreditation.valid_until)
            and (accreditation.revoked_at is None or moment < accreditation.revoked_at)
            for moment in moments
        ):
            return True
    return False


class CredentialRegistry:
    """Worker-credential operations over a :class:`Ledger` (wired as ``ledger.credentials``)."""

    def __init__(
        self,
        ledger: Ledger,
        *,
        policy: CoercionPolicy | None = None,
        challenge_ttl: timedelta = CHALLENGE_TTL,
    ) -> None:
        self.ledger = ledger
        self.policy = policy or CoercionPolicy()
        self.challenge_ttl = challenge_ttl
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()
        ledger.reference_checks.update(
            {
                Kind.CREDENTIAL.label: self._on_credential,
                Kind.CREDENTIAL_STATUS.label: self._on_status,
                Kind.CHECKIN.label: self._on_checkin,
            }
        )

    # -- issuance -----------------------------------------------------------------------

    def status_location(self) -> StatusLocation:
        """Where credentials issued against this ledger keep their status."""
        return StatusLocation(
            self.ledger.deployment.chain_id, self.ledger.deployment.address("CredentialStatus")
        )

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
                and (as_utc(r.valid_from) or now) <= now
                and (r.valid_until is None or now < (as_utc(r.valid_until) or now))
            ]

    def _on_credential(self, session: Session, envelope: Envelope) -> None:
        payload = parse_model(CredentialPayload, envelope.payload)
        if session.get(WorkerCredentialRow, payload.status_id) is not None:
            raise Conflict(
                f"credential {payload.credential_id} is registered already",
                status_id=payload.status_id,
            )
        self._register_on_chain(payload.status_id, envelope)
        session.add(
            WorkerCredentialRow(
                status_id=payload.status_id,
                credential_id=payload.credential_id,
                credential_hash=payload.credential_hash,
                record_id=envelope.record_id,
                issuer=envelope.signer,
                holder=payload.holder,
                facility=payload.facility,
                commitment=payload.commitment.value,
                issued_at=payload.issued_at,
                registered_at=utcnow(),
                valid_from=payload.valid_from,
                valid_until=payload.valid_until,
            )
        )

    def _register_on_chain(self, status_id: str, envelope: Envelope) -> None:
        """Bind the credential to its issuer's key on chain, naming this registration record.

        A registration already on chain with this very record (a retry after a failure past
        this point) is left as it is; any other makes the contract refuse.
        """
        contract = self.ledger.credential_status
        credential = bytes.fromhex(status_id[2:])
        issuer = VerifyKey.from_did(envelope.signer)
        record = bytes.fromhex(envelope.record_id[2:])
        entry = contract.entry_of(credential)
        if entry.registered and (entry.issuer_key, entry.registration_record) == (
            issuer.raw,
            record,
        ):
            return
        contract.register(credential, issuer, record)

    def register(self, envelope: Mapping[str, Any], *, now: datetime | None = None) -> Accepted:
        """Accept a ``credential`` envelope (signed by an accredited issuer).

        Raises:
            SchemaViolation, VerificationError subclasses, Conflict (registered already).
        """
        if not isinstance(envelope, Mapping) or envelope.get("kind") != Kind.CREDENTIAL.label:
            raise SchemaViolation("this takes envelopes of kind 'credential'", field="kind")
        return self.ledger.submit(envelope, now=now)

    def credential(self, status_id: str) -> dict[str, Any]:
        """A registered credential's public view (no holder: it would link check-ins).

        Raises:
            NotFound: not registered.
        """
        with session_scope(self.ledger.engine) as session:
            row = self._row(session, status_id)
            view = {
                "statusId": row.status_id,
                "credentialId": row.credential_id,
                "credentialHash": row.credential_hash,
                "issuer": row.issuer,
                "facility": row.facility,
                "validFrom": format_time(as_utc(row.valid_from) or utcnow()),
                "validUntil": format_time(as_utc(row.valid_until) or utcnow()),
                "recordId": row.record_id,
            }
        view["status"] = self.chain_status(status_id)
        return view

    @staticmethod
    def _row(session: Session, status_id: str) -> WorkerCredentialRow:
        row = session.get(WorkerCredentialRow, status_id.lower())
        if row is None:
            raise NotFound(f"no credential {status_id}", what="credential", key=status_id)
        return row

    # -- status -------------------------------------------------------------------------

    def chain_status(self, status_id: str) -> str:
        """``active``, ``suspended`` or ``revoked``, read from the CredentialStatus contract."""
        status, _, _ = self.ledger.credential_status.status_of(bytes.fromhex(status_id[2:]))
        return _STATUS_NAMES.get(status, "unknown")

    def _on_status(self, session: Session, envelope: Envelope) -> None:
        payload = parse_model(CredentialStatusPayload, envelope.payload)
        row = session.get(WorkerCredentialRow, payload.status_id)
        if row is None:
            raise NotFound(
                f"no credential {payload.status_id}", what="credential", key=payload.status_id
            )
        if row.issuer != envelope.signer:
            raise IssuerNotAccredited(
                "only the credential's own issuer may change its status",
                issuer=row.issuer,
                signer=envelope.signer,
            )
        current = self.chain_status(payload.status_id)
        allowed = {
            "suspend": {"active"},
            "reinstate": {"suspended"},
            "revoke": {"active", "suspended"},
        }
        if current not in allowed[payload.action]:
            raise Conflict(
                f"cannot {payload.action} a credential that is {current}",
                status=current,
                action=payload.action,
            )
        issuer = VerifyKey.from_did(envelope.signer)
        self.ledger.credential_status.change(
            payload.action,
            bytes.fromhex(payload.status_id[2:]),
            issuer,
            payload.reason,
            bytes.fromhex(envelope.record_id[2:]),
        )
        row.status = {"suspend": "suspended", "reinstate": "active", "revoke": "revoked"}[
            payload.action
        ]
        row.status_record_id = envelope.record_id
        session.add(row)

    def change_status(
        self, envelope: Mapping[str, Any], *, now: datetime | None = None
    ) -> tuple[Accepted, str]:
        """Accept a ``credential_status`` envelope and relay it to the chain.

        Returns:
            The accepted record and the status now on chain.

        Raises:
            NotFound, IssuerNotAccredited (not the credential's issuer), Conflict (no such
            transition), ContractRevert, and everything :meth:`Ledger.submit` raises.
        """
        if (
            not isinstance(envelope, Mapping)
            or envelope.get("kind") != Kind.CREDENTIAL_STATUS.label
        ):
            raise SchemaViolation("this takes envelopes of kind 'credential_status'", field="kind")
        accepted = self.ledger.submit(envelope, now=now)
        payload = envelope.get("payload")
        assert isinstance(payload, Mapping)
        return accepted, self.chain_status(str(payload["statusId"]))

    # -- challenges ---------------------------------------------------------------------

    def issue_challenge(self, now: datetime | None = None) -> tuple[str, datetime]:
        """A fresh single-use challenge and when it expires."""
        now = now or utcnow()
        challenge = secrets.token_urlsafe(16)
        expires = now + self.challenge_ttl
        with session_scope(self.ledger.engine) as session:
            session.add(
                PresentationChallengeRow(challenge=challenge, issued_at=now, expires_at=expires)
            )
        return challenge, expires

    # -- presentations ------------------------------------------------------------------

    def verify_presentation(
        self, document: Any, *, now: datetime | None = None, domain: str | None = None
    ) -> PresentationReport:
        """Every check on a presentation, each reported separately (nothing is written).

        Adds to :func:`credentials.presentation.check_presentation`: ``registered``,
        ``issuer_accredited``, ``status`` (from chain), and ``challenge`` / ``not_replayed``
        (issued here, unexpired, unused; presentation not used in a check-in before).
        """
        now = now or utcnow()
        report = check_presentation(document, now=now, domain=domain)
        credential = report.credential
        if credential is None:
            for name in ("registered", "issuer_accredited", "status", "not_replayed"):
                report.skip(name, "the presentation could not be read")
            return report
        with session_scope(self.ledger.engine) as session:
            row = session.get(WorkerCredentialRow, credential.status_id)
            report.run("registered", lambda: self._check_registered(row, credential))
            report.run("issuer_accredited", lambda: self._check_issuer(row, credential))
            report.run("status", lambda: self._check_status(credential))
            if report.challenge is not None:
                challenge = report.challenge
                report.run("challenge", lambda: self._check_challenge(session, challenge, now))
            digest = presentation_hash(document)
            report.run("not_replayed", lambda: self._check_not_replayed(session, digest))
        return report

    @staticmethod
    def _check_registered(row: WorkerCredentialRow | None, credential: WorkerCredential) -> None:
        if row is None:
            raise CredentialUnregistered(
                f"credential {credential.id} is not registered on this ledger",
                status_id=credential.status_id,
            )
        if row.credential_hash != credential.hash or row.issuer != credential.issuer:
            raise CredentialUnregistered(
                "the credential differs from the one its issuer registered",
                status_id=credential.status_id,
            )

    def _check_issuer(self, row: WorkerCredentialRow | None, credential: WorkerCredential) -> None:
        moments = [credential.issued_at]
        if row is not None:
            registered = as_utc(row.registered_at)
            assert registered is not None
            moments.append(registered)
        if not _accredited_at(self.ledger.accreditations, credential.issuer, moments):
            raise IssuerNotAccredited(
                f"{credential.issuer} was not accredited as issuer when it issued "
                f"{credential.id} ({format_time(credential.issued_at)})",
                issuer=credential.issuer,
            )

    def _check_status(self, credential: WorkerCredential) -> None:
        status = self.chain_status(credential.status_id)
        if status == "revoked":
            raise CredentialRevoked(
                f"credential {credential.id} is revoked", status_id=credential.status_id
            )
        if status == "suspended":
            raise CredentialSuspended(
                f"credential {credential.id} is suspended", status_id=credential.status_id
            )

    @staticmethod
    def _check_challenge(session: Session, challenge: str, now: datetime) -> None:
        row = session.get(PresentationChallengeRow, challenge)
        if row is None:
            raise ChallengeUnknown("the presentation's challenge was not issued by this ledger")
        if row.used_at is not None:
            raise ChallengeReplayed(
                "the presentation's challenge was used before", used_by=row.used_by
            )
        expires = as_utc(row.expires_at)
        assert expires is not None
        if now >= expires:
            raise ChallengeExpired(f"the challenge expired at {format_time(expires)}")

    @staticmethod
    def _check_not_replayed(session: Session, digest: str) -> None:
        used = session.exec(
            select(CheckinRow.record_id).where(CheckinRow.presentation_hash == digest)
        ).first()
        if used is not None:
            raise PresentationReplayed(
                "this presentation was used in a check-in before", record_id=used
            )

    # -- check-ins ----------------------------------------------------------------------

    def check_in(
        self, presentation: Any, envelope: Mapping[str, Any], *, now: datetime | None = None
    ) -> CheckinAccepted:
        """Accept a possession check-in: the worker's presentation and the verifier's
        ``checkin`` envelope naming it by hash.

        Freshness and the challenge are judged at the verifier's signed ``created``.
        On a replayed challenge or presentation a ``replayed`` coercion flag is stored
        (never a record) before the error is raised.

        Raises:
            The first failing check's error (its report is on ``error.data["checks"]``),
            CheckinMismatch, and everything :meth:`Ledger.submit` raises.
        """
        parsed = Envelope.from_dict(envelope)
        if parsed.kind != Kind.CHECKIN.label:
            raise SchemaViolation("this takes envelopes of kind 'checkin'", field="kind")
        validate_payload(Kind.CHECKIN, parsed.payload)
        payload = parse_model(CheckinPayload, parsed.payload)
        report = self.verify_presentation(presentation, now=parsed.created_at)
        if not report.verified:
            self._raise_report(report)
        credential = report.credential
        assert credential is not None
        digest = presentation_hash(presentation)
        if payload.presentation_hash != digest:
            raise CheckinMismatch(
                "the check-in's presentationHash is not this presentation's hash",
                expected=digest,
            )
        if payload.holder != credential.holder or payload.status_id != credential.status_id:
            raise CheckinMismatch("the check-in names another worker or credential")
        key = parsed.record_id
        with self._lock:
            self._pending[key] = _Pending(report, digest)
        try:
            accepted = self.ledger.submit(envelope, now=now)
        except (ChallengeReplayed, PresentationReplayed) as exc:
            self._flag_replay(credential, exc)
            raise
        finally:
            with self._lock:
                self._pending.pop(key, None)
        with session_scope(self.ledger.engine) as session:
            row = session.get(CheckinRow, accepted.record_id)
            facility = row.facility if row is not None else None
        return CheckinAccepted(
            accepted.record_id, accepted.leaf, accepted.status, payload.document_matches, facility
        )

    def _raise_report(self, report: PresentationReport) -> None:
        error = report.first_error
        assert error is not None
        credential = report.credential
        if credential is not None and isinstance(error, ChallengeReplayed | PresentationReplayed):
            self._flag_replay(credential, error)
        error.data["checks"] = [c.to_dict() for c in report.checks]
        raise error

    def _flag_replay(self, credential: WorkerCredential, error: LedgerError) -> None:
        with session_scope(self.ledger.engine) as session:
            session.add(
                CoercionFlagRow(
                    kind="replayed",
                    status_id=credential.status_id,
                    holder=credential.holder,
                    detail=json.dumps({"code": error.code, "detail": error.detail}),
                    raised_at=utcnow(),
                )
            )

    def _on_checkin(self, session: Session, envelope: Envelope) -> None:
        with self._lock:
            pending = self._pending.get(envelope.record_id)
        if pending is None:
            raise SchemaViolation(
                "a check-in is submitted with the worker's presentation (POST /v1/checkins)",
                field="presentation",
            )
        payload = parse_model(CheckinPayload, envelope.payload)
        report = pending.report
        if report.challenge is not None:
            used = session.exec(
                update(PresentationChallengeRow)
                .where(col(PresentationChallengeRow.challenge) == report.challenge)
                .where(col(PresentationChallengeRow.used_at).is_(None))
                .values(used_at=utcnow(), used_by=envelope.record_id)
            )
            if used.rowcount != 1:
                raise ChallengeReplayed("the presentation's challenge was used before")
        self._check_not_replayed(session, pending.hash)
        credential_row = session.get(WorkerCredentialRow, payload.status_id)
        checked_at = envelope.created_at
        row = CheckinRow(
            record_id=envelope.record_id,
            presentation_hash=pending.hash,
            status_id=payload.status_id,
            holder=payload.holder,
            verifier=envelope.signer,
            facility=credential_row.facility if credential_row is not None else None,
            document_matches=payload.document_matches,
            on_site=payload.on_site,
            location=payload.location,
            verifier_device=payload.verifier_device,
            presenting_device=payload.presenting_device,
            challenge=report.challenge,
            presented_at=report.created or "",
            holder_signal=report.signal or "",
            checked_at=checked_at,
            received_at=utcnow(),
        )
        session.add(row)
        session.flush()
        flags = coercion_flags(session, row, self.policy)
        for kind, detail in flags.raised:
            session.add(
                CoercionFlagRow(
                    kind=kind,
                    record_id=row.record_id,
                    status_id=row.status_id,
                    holder=row.holder,
                    detail=json.dumps(detail, sort_keys=True),
                    raised_at=utcnow(),
                )
            )

    def checkin(self, record_id: str) -> dict[str, Any]:
        """A check-in's public view: no holder, no devices, no signal, no flags.

        Raises:
            NotFound: no such check-in.
        """
        with session_scope(self.ledger.engine) as session:
            row = session.get(CheckinRow, record_id.lower())
            if row is None:
                raise NotFound(f"no check-in {record_id}", what="checkin", key=record_id)
            view: dict[str, Any] = {
                "id": row.record_id,
                "facility": row.facility,
                "documentMatches": row.document_matches,
                "onSite": row.on_site,
                "checkedAt": format_time(as_utc(row.checked_at) or utcnow()),
                "verifier": row.verifier,
            }
        view["record"] = self.ledger.status(record_id).to_dict()
        return view

    # -- investigators ------------------------------------------------------------------

    def investigation(self, *, since: datetime | None = None, limit: int = 500) -> dict[str, Any]:
        """Everything an investigator needs to read holder signals and flags.

        The signal of each check-in is sealed to the investigators' key; it is opened
        client-side (``ledger checkin investigate``) with the binding recomputed from
        ``holder``, ``presentedAt`` and ``challenge``.
        """
        with session_scope(self.ledger.engine) as session:
            query = select(CheckinRow).order_by(col(CheckinRow.checked_at).desc()).limit(limit)
            if since is not None:
                query = query.where(col(CheckinRow.checked_at) >= since)
            rows = session.exec(query).all()
            flags_query = select(CoercionFlagRow).order_by(col(CoercionFlagRow.raised_at).desc())
            if since is not None:
                flags_query = flags_query.where(col(CoercionFlagRow.raised_at) >= since)
            flags = session.exec(flags_query.limit(limit)).all()
            return {
                "checkins": [
                    {
                        "id": r.record_id,
                        "holder": r.holder,
                        "statusId": r.status_id,
                        "facility": r.facility,
                        "verifier": r.verifier,
                        "documentMatches": r.document_matches,
                        "onSite": r.on_site,
                        "location": r.location,
                        "verifierDevice": r.verifier_device,
                        "presentingDevice": r.presenting_device,
                        "checkedAt": format_time(as_utc(r.checked_at) or utcnow()),
                        "presentedAt": r.presented_at,
                        "challenge": r.challenge,
                        "holderSignal": r.holder_signal,
                    }
                    for r in rows
                ],
                "flags": [
                    {
                        "kind": f.kind,
                        "recordId": f.record_id,
                        "statusId": f.status_id,
                        "holder": f.holder,
                        "detail": json.loads(f.detail),
                        "raisedAt": format_time(as_utc(f.raised_at) or utcnow()),
                    }
                    for f in flags
                ],
            }

    # -- facility view ------------------------------------------------------------------

    def possession_rate(self, facility: str, *, now: datetime | None = None) -> dict[str, Any]:
        """The facility's ID-possession rate (see the module docstring)."""
        now = now or utcnow()
        since = now - POSSESSION_WINDOW
        with session_scope(self.ledger.engine) as session:
            workers = session.exec(
                select(WorkerCredentialRow.status_id).where(
                    WorkerCredentialRow.facility == facility,
                    WorkerCredentialRow.status == "active",
                    col(WorkerCredentialRow.valid_from) <= now,
                    col(WorkerCredentialRow.valid_until) > now,
                )
            ).all()
            credentialed = set(workers)
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
        return {
            "facility": facility,
            "idPossessionRate": round(with_checkin / len(credentialed), 4)
            if credentialed
            else None,
            "credentialedWorkers": len(credentialed),
            "workersWithRecentCheckin": with_checkin,
            "windowDays": POSSESSION_WINDOW.days,
            "asOf": format_time(now.replace(microsecond=0)),
        }
