"""A presentation checked against this ledger: every check of
:func:`credentials.presentation.check_presentation`, plus what only the ledger knows:

- ``registered``: the credential was registered here by its issuer, byte for byte;
- ``issuer_accredited``: the issuer held the issuer role both when it signed the credential
  and when the ledger registered it (a later revocation does not void earlier credentials;
  a stolen key cannot backdate new ones past its revocation);
- ``status``: the issuer's latest admitted status record, and the chain (where the registry
  admin's revocation of a compromised issuer key shows);
- ``challenge``: issued here, unused, and the presentation made within its window;
- ``not_replayed``: no check-in used the same *signed* presentation before (by what the
  holder's signature covers, not by its JSON text).

Reads only: nothing here consumes a challenge or stores anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from credentials.dataintegrity import parse_datetime
from credentials.presentation import CLOCK_SKEW, PresentationReport, check_presentation
from credentials.worker import WorkerCredential
from ledger.envelope import Accreditation, AccreditationSource
from ledger.keys import VerifyKey
from ledger.kinds import ChainView
from ledger.roles import Role
from ledger.store.db import as_utc
from ledger.timeutil import format_time

from .errors import (
    ChallengeExpired,
    ChallengeReplayed,
    ChallengeUnknown,
    CredentialRevoked,
    CredentialSuspended,
    CredentialUnregistered,
    IssuerNotAccredited,
    PresentationReplayed,
)
from .models import CheckinRow, PresentationChallengeRow, WorkerCredentialRow

__all__ = ["LEDGER_CHECKS", "effective_status", "verify_presentation"]

LEDGER_CHECKS = ("registered", "issuer_accredited", "status", "challenge", "not_replayed")
_CHAIN_REVOKED = 2


def verify_presentation(
    session: Session,
    document: Any,
    *,
    accreditations: AccreditationSource,
    chain: ChainView,
    now: datetime,
    domain: str | None = None,
) -> PresentationReport:
    """Every check on a presentation, each reported separately (see the module docstring).

    Args:
        now: the time freshness is judged at.
    """
    report = check_presentation(document, now=now, domain=domain)
    credential = report.credential
    if credential is None:
        for name in ("registered", "issuer_accredited", "status", "not_replayed"):
            report.skip(name, "the presentation could not be read")
        return report
    row = session.get(WorkerCredentialRow, credential.status_id)
    report.run("registered", lambda: _registered(row, credential))
    report.run("issuer_accredited", lambda: _issuer(accreditations, row, credential))
    report.run("status", lambda: _status(row, credential, chain))
    if report.challenge is not None:
        challenge = report.challenge
        report.run("challenge", lambda: check_challenge(session, challenge, report, now))
    if report.signed_digest is None:
        report.skip("not_replayed", "the presentation's signature did not verify")
    else:
        digest = report.signed_digest
        report.run("not_replayed", lambda: _not_replayed(session, digest))
    return report


def _registered(row: WorkerCredentialRow | None, credential: WorkerCredential) -> None:
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


def held_role_at(known: Sequence[Accreditation], role: Role, moments: Sequence[datetime]) -> bool:
    """Held ``role`` at every moment (a later revocation does not reach back)."""
    for accreditation in known:
        if accreditation.role != role:
            continue
        if all(
            accreditation.covers(moment)
            and (accreditation.revoked_at is None or moment < accreditation.revoked_at)
            for moment in moments
        ):
            return True
    return False


def _issuer(
    source: AccreditationSource, row: WorkerCredentialRow | None, credential: WorkerCredential
) -> None:
    moments = [credential.issued_at]
    if row is not None:
        registered = as_utc(row.registered_at)
        assert registered is not None
        moments.append(registered)
    known = source.accreditations(VerifyKey.from_did(credential.issuer))
    if not held_role_at(known, Role.ISSUER, moments):
        raise IssuerNotAccredited(
            f"{credential.issuer} was not accredited as issuer when it issued "
            f"{credential.id} ({format_time(credential.issued_at)})",
            issuer=credential.issuer,
        )


def effective_status(recorded: str, status_id: str, chain: ChainView) -> str:
    """A credential's status: what the issuer's latest admitted record says, unless the chain
    says revoked (the registry admin voided the issuer's key: ``revokeIssuer``)."""
    return "revoked" if chain.credential_status(status_id) == _CHAIN_REVOKED else recorded


def _status(
    row: WorkerCredentialRow | None, credential: WorkerCredential, chain: ChainView
) -> None:
    recorded = row.status if row is not None else "active"
    status = effective_status(recorded, credential.status_id, chain)
    if status == "revoked":
        raise CredentialRevoked(
            f"credential {credential.id} is revoked", status_id=credential.status_id
        )
    if status == "suspended":
        raise CredentialSuspended(
            f"credential {credential.id} is suspended", status_id=credential.status_id
        )


def check_challenge(
    session: Session, challenge: str, report: PresentationReport, now: datetime
) -> PresentationChallengeRow:
    """The challenge was issued here, is unused, and the presentation was made within its
    window (``created`` no earlier than the issue time, less clock skew, and ``now`` not
    past its expiry).

    Raises:
        ChallengeUnknown, ChallengeReplayed, ChallengeExpired
    """
    row = session.get(PresentationChallengeRow, challenge)
    if row is None:
        raise ChallengeUnknown("the presentation's challenge was not issued by this ledger")
    if row.used_at is not None:
        raise ChallengeReplayed("the presentation's challenge was used before", used_by=row.used_by)
    issued, expires = as_utc(row.issued_at), as_utc(row.expires_at)
    assert issued is not None
    assert expires is not None
    if now >= expires:
        raise ChallengeExpired(f"the challenge expired at {format_time(expires)}")
    created = _created(report)
    if created is not None and created < issued - CLOCK_SKEW:
        raise ChallengeExpired(
            f"the presentation says it was made at {report.created}, before its challenge "
            f"was issued ({format_time(issued)})",
            created=report.created,
        )
    return row


def _created(report: PresentationReport) -> datetime | None:
    try:
        return parse_datetime(report.created) if report.created else None
    except ValueError:
        return None


def _not_replayed(session: Session, digest: str) -> None:
    used = session.exec(select(CheckinRow.record_id).where(CheckinRow.replay_key == digest)).first()
    if used is not None:
        raise PresentationReplayed(
            "this presentation was used in a check-in before", record_id=used
        )
