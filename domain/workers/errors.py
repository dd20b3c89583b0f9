"""Errors of the worker-credential domain: registration, status, challenges, check-ins.

VerificationError                          (ledger.errors)
├── PresentationReplayed     presentation_replayed    check: freshness (used before)
├── ChallengeUnknown         challenge_unknown        check: challenge (not issued here)
├── ChallengeExpired         challenge_expired        check: challenge (outside its window)
├── ChallengeReplayed        challenge_replayed       check: challenge (already used)
├── CredentialUnregistered   credential_unregistered  check: registered
├── IssuerNotAccredited      issuer_not_accredited    check: issuer_accredited
├── CredentialSuspended      credential_suspended     check: status
├── CredentialRevoked        credential_revoked       check: status
└── CheckinMismatch          checkin_mismatch         check: checkin_binding

Conflict                                   (ledger.errors)
├── StatusIndexTaken         status_index_taken       another credential's bit, or set
├── StatusListStale          status_list_stale        validFrom not after the served list's
└── StatusListClearsRevoked  status_list_clears_revoked  revocation is final
"""

from __future__ import annotations

from ledger.errors import Conflict, VerificationError

__all__ = [
    "ChallengeExpired",
    "ChallengeReplayed",
    "ChallengeUnknown",
    "CheckinMismatch",
    "CredentialRevoked",
    "CredentialSuspended",
    "CredentialUnregistered",
    "IssuerNotAccredited",
    "PresentationReplayed",
    "StatusIndexTaken",
    "StatusListClearsRevoked",
    "StatusListStale",
]


class PresentationReplayed(VerificationError):
    code = "presentation_replayed"
    title = "Presentation used before"
    check = "freshness"


class ChallengeUnknown(VerificationError):
    code = "challenge_unknown"
    title = "Challenge not issued by this ledger"
    check = "challenge"


class ChallengeExpired(VerificationError):
    code = "challenge_expired"
    title = "Challenge expired"
    check = "challenge"


class ChallengeReplayed(VerificationError):
    code = "challenge_replayed"
    title = "Challenge already used"
    check = "challenge"


class CredentialUnregistered(VerificationError):
    code = "credential_unregistered"
    title = "Credential not registered on this ledger"
    check = "registered"


class IssuerNotAccredited(VerificationError):
    code = "issuer_not_accredited"
    title = "Issuer not accredited at issuance"
    check = "issuer_accredited"


class CredentialSuspended(VerificationError):
    code = "credential_suspended"
    title = "Credential suspended"
    check = "status"


class CredentialRevoked(VerificationError):
    code = "credential_revoked"
    title = "Credential revoked"
    check = "status"


class CheckinMismatch(VerificationError):
    """The verifier's check-in envelope does not bind the presentation it came with."""

    code = "checkin_mismatch"
    title = "Check-in does not match the presentation"
    check = "checkin_binding"


class StatusIndexTaken(Conflict):
    """A registration names a status list index another credential of the issuer holds, or
    whose bit the issuer's list already sets (the credential would be born revoked)."""

    code = "status_index_taken"
    title = "Status list index taken"


class StatusListStale(Conflict):
    """A status list whose ``validFrom`` is not after the one the ledger serves."""

    code = "status_list_stale"
    title = "Status list older than the one served"


class StatusListClearsRevoked(Conflict):
    """A status list that clears the bit of a credential the ledger holds as revoked."""

    code = "status_list_clears_revoked"
    title = "Status list clears a revoked credential"
