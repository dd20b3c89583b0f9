"""The worker kinds: ``credential`` (registration), ``credential_status`` and ``checkin``.

Decisions (see also shared/DESIGN.md "Worker credentials"):

- **Registration**: the issuer's signed envelope carries the credential's id, hash, status
  id, holder did, commitment, validity and facility; never the credential (it may name a
  nationality) and never the document. Admitting it binds the credential to its issuer on
  chain too (``CredentialStatus.register``, through the outbox, with the record's id).
- **Status**: only the credential's own issuer may change it; the transition is judged on
  the issuer's latest admitted status record, and relayed through the outbox with the
  record's id, so the chain shows which signed record caused each change.
- **Check-ins** bind a worker's fresh presentation (the attachment) to a verifier's signed
  check-in. Online, the check-in's ``created`` lies within its challenge's window and it
  arrives before the challenge expires; offline (no challenge), the presentation's own
  5-minute window (with clock skew) holds the server's receive time. Replays are found by
  what the holder signed, not by the JSON text. Coercion flags use the server's receive
  time. A replayed presentation or challenge presented by an authenticated verifier is
  refused *and* flagged for investigators (once per refused envelope).
- Who reads what: registrations and check-ins are readable by their parties (issuer,
  worker, verifier) and accredited investigators; status changes carry no personal data
  and are public.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from credentials.dataintegrity import parse_datetime
from credentials.errors import PresentationExpired
from credentials.possession import presentation_hash
from credentials.presentation import CLOCK_SKEW, PresentationReport
from ledger.envelope import Envelope
from ledger.errors import Conflict, LedgerError, NotFound, SchemaViolation
from ledger.keys import VerifyKey
from ledger.kinds import Admission, KindHandler, Parsed, Readers
from ledger.roles import Role
from ledger.store.db import as_utc

from ..schema import parse_model
from .coercion import CoercionPolicy, coercion_flags
from .errors import (
    ChallengeExpired,
    ChallengeReplayed,
    CheckinMismatch,
    IssuerNotAccredited,
    PresentationReplayed,
    StatusIndexTaken,
)
from .models import (
    CheckinRow,
    CoercionFlagRow,
    PresentationChallengeRow,
    StatusListEntryRow,
    WorkerCredentialRow,
)
from .presentations import verify_presentation
from .schema import CheckinPayload, CredentialPayload, CredentialStatusPayload
from .status_lists import REVOCATION, check_list_entry

__all__ = [
    "CheckinHandler",
    "CredentialHandler",
    "CredentialStatusHandler",
    "change_status",
    "issuer_not_voided",
]

_TRANSITIONS = {
    "suspend": ({"active"}, "suspended"),
    "reinstate": ({"suspended"}, "active"),
    "revoke": ({"active", "suspended"}, "revoked"),
}


class CredentialHandler(KindHandler):
    label: ClassVar[str] = "credential"
    code: ClassVar[int] = 7
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ISSUER})
    readers: ClassVar[Readers] = Readers.PARTIES
    reader_roles: ClassVar[frozenset[Role]] = frozenset({Role.INVESTIGATOR})

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        registration = parse_model(CredentialPayload, payload)
        return Parsed(registration, subject=registration.status_id)

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> None:
        payload: CredentialPayload = parsed.value
        issuer_not_voided(admission, envelope)
        if admission.session.get(WorkerCredentialRow, payload.status_id) is not None:
            raise Conflict(
                f"credential {payload.credential_id} is registered already",
                status_id=payload.status_id,
            )
        if payload.status_list is not None:
            check_list_entry(
                admission.session, envelope.signer, payload.status_list.url,
                payload.status_list.index,
            )  # fmt: skip

    def apply(self, admission: Admission, envelope: Envelope, parsed: Parsed, checked: Any) -> None:
        payload: CredentialPayload = parsed.value
        if payload.status_list is not None:
            admission.session.add(
                StatusListEntryRow(
                    status_id=payload.status_id,
                    issuer=envelope.signer,
                    purpose=REVOCATION,
                    list_index=payload.status_list.index,
                )
            )
            try:
                admission.session.flush()
            except IntegrityError:  # a concurrent registration took the index a moment ago
                raise StatusIndexTaken(
                    f"status list index {payload.status_list.index} was taken a moment ago",
                    index=payload.status_list.index,
                ) from None
        admission.session.add(
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
                registered_at=admission.received_at,
                valid_from=payload.valid_from,
                valid_until=payload.valid_until,
            )
        )
        admission.outbox.enqueue(
            envelope.record_id,
            "credential-status.register",
            statusId=payload.status_id,
            issuerKey="0x" + VerifyKey.from_did(envelope.signer).raw.hex(),
        )

    def parties(self, session: Session, envelope: Envelope) -> frozenset[str]:
        return frozenset({envelope.signer, str(envelope.payload.get("holder"))})


class CredentialStatusHandler(KindHandler):
    label: ClassVar[str] = "credential_status"
    code: ClassVar[int] = 5
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ISSUER})

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        change = parse_model(CredentialStatusPayload, payload)
        return Parsed(change, subject=change.status_id)

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> None:
        change: CredentialStatusPayload = parsed.value
        row = admission.session.get(WorkerCredentialRow, change.status_id)
        if row is None:
            raise NotFound(
                f"no credential {change.status_id}", what="credential", key=change.status_id
            )
        if row.issuer != envelope.signer:
            raise IssuerNotAccredited(
                "only the credential's own issuer may change its status",
                issuer=row.issuer,
                signer=envelope.signer,
            )
        issuer_not_voided(admission, envelope)
        allowed, _ = _TRANSITIONS[change.action]
        if row.status not in allowed:
            raise Conflict(
                f"cannot {change.action} a credential that is {row.status}",
                status=row.status,
                action=change.action,
            )

    def apply(self, admission: Admission, envelope: Envelope, parsed: Parsed, checked: Any) -> None:
        change: CredentialStatusPayload = parsed.value
        change_status(admission, envelope, change.status_id, change.action, change.reason)


def change_status(
    admission: Admission, envelope: Envelope, status_id: str, action: str, reason: int
) -> None:
    """Apply a checked status change of a registered credential, by ``envelope``'s signer
    (its issuer): the row now, the CredentialStatus contract through the outbox. The one
    place both revocation paths (a ``credential_status`` record, a status list) write."""
    row = admission.session.get(WorkerCredentialRow, status_id)
    assert row is not None
    row.status = _TRANSITIONS[action][1]
    row.status_record_id = envelope.record_id
    admission.session.add(row)
    admission.outbox.enqueue(
        envelope.record_id,
        f"credential-status.{action}",
        statusId=status_id,
        issuerKey="0x" + VerifyKey.from_did(envelope.signer).raw.hex(),
        reason=reason,
    )


@dataclass(frozen=True)
class _Verdict:
    """What the check-in rule established, for :meth:`CheckinHandler.apply`."""

    report: PresentationReport
    facility: str | None


class CheckinHandler(KindHandler):
    label: ClassVar[str] = "checkin"
    code: ClassVar[int] = 3
    roles: ClassVar[frozenset[Role]] = frozenset({Role.VERIFIER, Role.AUDITOR, Role.INVESTIGATOR})
    readers: ClassVar[Readers] = Readers.PARTIES
    reader_roles: ClassVar[frozenset[Role]] = frozenset({Role.INVESTIGATOR})
    attachment: ClassVar[str | None] = "presentation"

    def __init__(
        self,
        policy: CoercionPolicy | None = None,
        *,
        challenge_grace: timedelta = timedelta(seconds=60),
    ) -> None:
        self.policy = policy or CoercionPolicy()
        self.challenge_grace = challenge_grace  # network delay after a challenge expires

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        checkin = parse_model(CheckinPayload, payload)
        return Parsed(checkin, subject=checkin.status_id)

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> _Verdict:
        payload: CheckinPayload = parsed.value
        assert admission.attachment is not None  # admission requires it for this kind
        document = admission.attachment["presentation"]
        created, received = envelope.created_at, admission.received_at
        report = verify_presentation(
            admission.session,
            document,
            accreditations=admission.accreditations,
            chain=admission.chain,
            now=created,
        )
        if not report.verified:
            _raise_first(report)
        self._check_window(admission, report, created, received)
        if payload.presentation_hash != presentation_hash(document):
            raise CheckinMismatch(
                "the check-in's presentationHash is not this presentation's hash",
                expected=presentation_hash(document),
            )
        credential = report.credential
        assert credential is not None
        if payload.holder != credential.holder or payload.status_id != credential.status_id:
            raise CheckinMismatch("the check-in names another worker or credential")
        row = admission.session.get(WorkerCredentialRow, payload.status_id)
        return _Verdict(report, row.facility if row is not None else None)

    def _check_window(
        self,
        admission: Admission,
        report: PresentationReport,
        created: datetime,
        received: datetime,
    ) -> None:
        """Online: ``created`` within the challenge's window, and received before it expired.
        Offline: the presentation's window (with clock skew) holds both ``created`` and the
        receive time, so a presentation cannot be checked in after it expired."""
        assert report.created is not None
        assert report.expires is not None
        made, expires = parse_datetime(report.created), parse_datetime(report.expires)
        if report.challenge is not None:
            challenge = admission.session.get(PresentationChallengeRow, report.challenge)
            assert challenge is not None  # the report's challenge check found it
            issued, until = as_utc(challenge.issued_at), as_utc(challenge.expires_at)
            assert issued is not None
            assert until is not None
            if not issued - CLOCK_SKEW <= created <= until:
                raise ChallengeExpired(
                    "the check-in's created lies outside its challenge's window "
                    f"({issued.isoformat()} .. {until.isoformat()})"
                )
            if received > until + self.challenge_grace:
                raise ChallengeExpired("the check-in arrived after its challenge expired")
            return
        for name, moment in (("created", created), ("received", received)):
            if not made - CLOCK_SKEW <= moment <= expires + CLOCK_SKEW:
                raise PresentationExpired(
                    f"an offline presentation is checked in within its window "
                    f"({report.created} .. {report.expires}); the check-in was {name} at "
                    f"{moment.isoformat()}"
                )

    def apply(
        self, admission: Admission, envelope: Envelope, parsed: Parsed, checked: _Verdict
    ) -> None:
        payload: CheckinPayload = parsed.value
        session, report = admission.session, checked.report
        if report.challenge is not None:
            used = session.exec(
                update(PresentationChallengeRow)
                .where(col(PresentationChallengeRow.challenge) == report.challenge)
                .where(col(PresentationChallengeRow.used_at).is_(None))
                .values(used_at=admission.received_at, used_by=envelope.record_id)
            )
            if used.rowcount != 1:
                raise ChallengeReplayed("the presentation's challenge was used before")
        assert report.signed_digest is not None
        row = CheckinRow(
            record_id=envelope.record_id,
            presentation_hash=payload.presentation_hash,
            replay_key=report.signed_digest,
            status_id=payload.status_id,
            holder=payload.holder,
            verifier=envelope.signer,
            facility=checked.facility,
            document_matches=payload.document_matches,
            on_site=payload.on_site,
            location=payload.location,
            verifier_device=payload.verifier_device,
            presenting_device=payload.presenting_device,
            challenge=report.challenge,
            presented_at=report.created or "",
            holder_signal=report.signal or "",
            checked_at=envelope.created_at,
            received_at=admission.received_at,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            raise PresentationReplayed(
                "this presentation was used in a check-in a moment ago"
            ) from None
        for kind, detail in coercion_flags(session, row, self.policy).raised:
            session.add(
                CoercionFlagRow(
                    kind=kind,
                    record_id=row.record_id,
                    status_id=row.status_id,
                    holder=row.holder,
                    detail=json.dumps(detail, sort_keys=True),
                    raised_at=admission.received_at,
                )
            )

    def on_refused(
        self, admission: Admission, envelope: Envelope, parsed: Parsed, error: LedgerError
    ) -> None:
        if not isinstance(error, ChallengeReplayed | PresentationReplayed):
            return
        payload: CheckinPayload = parsed.value
        admission.session.add(
            CoercionFlagRow(
                kind="replayed",
                record_id=envelope.record_id,
                dedupe_key=f"replayed:{envelope.record_id}",
                status_id=payload.status_id,
                holder=payload.holder,
                detail=json.dumps(
                    {
                        "code": error.code,
                        "detail": error.detail,
                        "verifier": envelope.signer,
                        "refused": True,
                    },
                    sort_keys=True,
                ),
                raised_at=admission.received_at,
            )
        )

    def parties(self, session: Session, envelope: Envelope) -> frozenset[str]:
        holder = str(envelope.payload.get("holder"))
        row = session.get(WorkerCredentialRow, str(envelope.payload.get("statusId")))
        issuer = {row.issuer} if row is not None else set()
        return frozenset({envelope.signer, holder, *issuer})


def issuer_not_voided(admission: Admission, envelope: Envelope) -> None:
    """The registry admin has not voided the signer's credentials on chain (a compromised
    issuer key: ``CredentialStatus.revokeIssuer``), which the chain would refuse to relay."""
    if admission.chain.issuer_revoked(VerifyKey.from_did(envelope.signer).raw):
        raise IssuerNotAccredited(
            f"the registry admin voided every credential of {envelope.signer}",
            issuer=envelope.signer,
        )


def _raise_first(report: PresentationReport) -> None:
    error = report.first_error
    if error is None:  # only skipped checks: a check could not run
        skipped = next(c for c in report.checks if not c.ok)
        raise SchemaViolation(f"{skipped.name}: {skipped.detail}", field="presentation")
    error.data["checks"] = [c.to_dict() for c in report.checks]
    raise error
