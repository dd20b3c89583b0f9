"""Verifiable Presentations of a worker credential, signed by the worker's own key.

A presentation proves *now* that whoever shows the credential holds the worker's key::

    {"@context": [credentials/v2, labour/v1], "type": ["VerifiablePresentation"],
     "holder": "<worker did>", "holderSignal": "u...",
     "verifiableCredential": [<the signed worker credential>],
     "proof": {eddsa-rdfc-2022, proofPurpose "authentication", "created", "expires",
               "challenge"?, "domain"?}}

Freshness (our design): every presentation has ``expires`` at most
:data:`MAX_LIFETIME` (5 minutes) after ``created``. Online, it also signs a single-use
challenge the verifier fetched from ``GET /v1/presentations/challenge``; offline (no
network at the gate), the short window alone bounds a replay. ``holderSignal`` is the
sealed duress flag (:mod:`credentials.signal`).

:func:`check_presentation` runs every check and reports each one separately (a
:class:`PresentationReport`), rather than stopping at the first failure, so a verifier can
say exactly what is wrong. The checks here need nothing but the document and a clock; the
ledger adds issuer accreditation at issuance, registration, status on chain and the
single-use challenge store (:mod:`ledger.credentials_service`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from ledger.errors import LedgerError, SchemaViolation
from ledger.keys import SigningKey
from ledger.timeutil import format_time, utcnow

from .dataintegrity import EDDSA_RDFC_2022, add_proof, parse_datetime, verify_proof
from .errors import ChallengeMismatch, HolderMismatch, PresentationExpired, ProofCreatedInvalid
from .loader import CREDENTIALS_CONTEXT_V2, LABOUR_CONTEXT_V1
from .signal import signal_length_ok
from .worker import (
    WorkerCredential,
    check_validity,
    parse_worker_credential,
    verify_credential_proof,
)

__all__ = [
    "CLOCK_SKEW",
    "MAX_LIFETIME",
    "Check",
    "PresentationReport",
    "check_presentation",
    "create_presentation",
]

MAX_LIFETIME: Final = timedelta(minutes=5)
CLOCK_SKEW: Final = timedelta(minutes=2)
"""How far in the future a presentation's ``created`` may lie (device clocks drift)."""


def create_presentation(
    credential: Mapping[str, Any],
    holder: SigningKey,
    *,
    signal: str,
    challenge: str | None = None,
    domain: str | None = None,
    created: datetime | None = None,
    lifetime: timedelta = MAX_LIFETIME,
    suite: str = EDDSA_RDFC_2022,
) -> dict[str, Any]:
    """Sign a presentation of ``credential`` with the holder's key.

    Args:
        signal: the sealed holder signal (:func:`credentials.signal.seal_signal`), made
            for this holder, ``created`` and ``challenge``.
        challenge, domain: the verifier's challenge and domain (online mode).
        created: default now (whole seconds); ``expires`` is ``created + lifetime``.
        lifetime: at most :data:`MAX_LIFETIME`.

    Raises:
        SchemaViolation: lifetime longer than 5 minutes, or not positive.
    """
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise SchemaViolation(
            f"a presentation lives at most {MAX_LIFETIME.total_seconds():.0f} s", field="lifetime"
        )
    start = (created or utcnow()).replace(microsecond=0)
    unsigned = {
        "@context": [CREDENTIALS_CONTEXT_V2, LABOUR_CONTEXT_V1],
        "type": ["VerifiablePresentation"],
        "holder": holder.did,
        "holderSignal": signal,
        "verifiableCredential": [dict(credential)],
    }
    return add_proof(
        unsigned,
        holder,
        suite=suite,
        created=format_time(start),
        proof_purpose="authentication",
        challenge=challenge,
        domain=domain,
        expires=format_time(start + lifetime),
    )


@dataclass(frozen=True)
class Check:
    """One check's outcome: ``ok``, or the failing error's ``code`` and ``detail``."""

    name: str
    ok: bool
    code: str | None = None
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "code": self.code, "detail": self.detail}


@dataclass
class PresentationReport:
    """Every check on one presentation, in order; ``verified`` only if all hold."""

    checks: list[Check] = field(default_factory=list)
    errors: list[LedgerError] = field(default_factory=list)
    credential: WorkerCredential | None = None
    holder: str | None = None
    created: str | None = None
    expires: str | None = None
    challenge: str | None = None
    domain: str | None = None
    signal: str | None = None
    signed_digest: str | None = None  # what the holder's signature covers (replay key)

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def first_error(self) -> LedgerError | None:
        return self.errors[0] if self.errors else None

    def run(self, name: str, check: Callable[[], object]) -> bool:
        """Run one check; record it as passed, or failed with the error it raised."""
        try:
            check()
        except LedgerError as exc:
            self.fail(name, exc)
            return False
        self.checks.append(Check(name, True))
        return True

    def fail(self, name: str, error: LedgerError) -> None:
        self.checks.append(Check(name, False, error.code, error.detail))
        self.errors.append(error)

    def skip(self, name: str, reason: str) -> None:
        """A check that could not run because an earlier one failed (counts as failed)."""
        self.checks.append(Check(name, False, "not_checked", reason))

    def to_dict(self) -> dict[str, Any]:
        credential = self.credential
        return {
            "verified": self.verified,
            "checks": [c.to_dict() for c in self.checks],
            "holder": self.holder,
            "credentialId": credential.id if credential else None,
            "issuer": credential.issuer if credential else None,
            "statusId": credential.status_id if credential else None,
            "created": self.created,
            "expires": self.expires,
            "challenge": self.challenge,
        }


def _shape(document: Any, report: PresentationReport) -> Mapping[str, Any]:
    if not isinstance(document, Mapping):
        raise SchemaViolation("a presentation is a JSON object", field="presentation")
    types = document.get("type")
    if not isinstance(types, list) or "VerifiablePresentation" not in types:
        raise SchemaViolation("type must include VerifiablePresentation", field="presentation.type")
    holder = document.get("holder")
    if not isinstance(holder, str):
        raise SchemaViolation("holder must be the worker's did", field="presentation.holder")
    report.holder = holder
    credentials = document.get("verifiableCredential")
    if not isinstance(credentials, list) or len(credentials) != 1:
        raise SchemaViolation(
            "verifiableCredential must hold exactly one credential",
            field="presentation.verifiableCredential",
        )
    signal = document.get("holderSignal")
    if not isinstance(signal, str) or not signal_length_ok(signal):
        raise SchemaViolation(
            "holderSignal is missing or malformed", field="presentation.holderSignal"
        )
    report.signal = signal
    proof = document.get("proof")
    if not isinstance(proof, Mapping):
        raise SchemaViolation("the presentation has no proof", field="presentation.proof")
    credential = credentials[0]
    if not isinstance(credential, Mapping):
        raise SchemaViolation(
            "the credential is a JSON object", field="presentation.verifiableCredential.0"
        )
    report.credential = parse_worker_credential(credential)
    for name in ("created", "expires", "challenge", "domain"):
        value = proof.get(name)
        setattr(report, name, value if isinstance(value, str) else None)
    return proof


def _freshness(report: PresentationReport, now: datetime, max_lifetime: timedelta) -> None:
    if report.created is None or report.expires is None:
        raise PresentationExpired(
            "a presentation must state created and expires (at most 5 minutes apart)"
        )
    try:
        created = parse_datetime(report.created)
        expires = parse_datetime(report.expires)
    except ValueError as exc:
        raise ProofCreatedInvalid(str(exc)) from exc
    if expires - created > max_lifetime or expires <= created:
        raise PresentationExpired(
            f"the presentation's window {report.created} .. {report.expires} is longer than "
            f"{max_lifetime.total_seconds():.0f} s",
            created=report.created,
            expires=report.expires,
        )
    if created > now + CLOCK_SKEW:
        raise ProofCreatedInvalid(
            f"the presentation was created in the future ({report.created}; "
            f"now {format_time(now)})",
            created=report.created,
        )
    if expires <= now:
        raise PresentationExpired(
            f"the presentation expired at {report.expires} (now {format_time(now)})",
            expires=report.expires,
        )


def check_presentation(
    document: Any,
    *,
    now: datetime | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    max_lifetime: timedelta = MAX_LIFETIME,
) -> PresentationReport:
    """Check a presentation; every check is reported on its own.

    Checks: ``shape``, ``credential_signature`` (the issuer's proof, signed by ``issuer``),
    ``credential_validity`` (validFrom/validUntil), ``presentation_signature`` (the
    holder's authentication proof, and ``domain`` if given), ``holder_binding`` (the
    presentation's signer is its ``holder`` and the credential's subject), ``freshness``
    (``created``/``expires`` window of at most 5 minutes, not expired), and ``challenge``
    (when an expected challenge is given).
    """
    now = now or utcnow()
    report = PresentationReport()
    proof: Mapping[str, Any] = {}

    def shape() -> None:
        nonlocal proof
        proof = _shape(document, report)

    if not report.run("shape", shape):
        for name in (
            "credential_signature",
            "credential_validity",
            "presentation_signature",
            "holder_binding",
            "freshness",
        ):
            report.skip(name, "the presentation could not be read")
        return report
    credential = report.credential
    assert credential is not None
    report.run("credential_signature", lambda: verify_credential_proof(credential))
    report.run("credential_validity", lambda: check_validity(credential, now))

    signer: list[str] = []

    def presentation_signature() -> None:
        try:  # the signature is judged at signing time; freshness is its own check
            created = parse_datetime(str(proof.get("created")))
        except ValueError:
            created = now
        verified = verify_proof(
            document, expected_purpose="authentication", domain=domain, now=created
        )
        signer.append(verified.controller)
        report.signed_digest = verified.signed_digest

    report.run("presentation_signature", presentation_signature)

    def holder_binding() -> None:
        if not signer:
            raise HolderMismatch("the presentation's signature did not verify")
        if signer[0] != report.holder or credential.holder != report.holder:
            raise HolderMismatch(
                f"presentation signed by {signer[0]}, holder {report.holder}, "
                f"credential subject {credential.holder}: all three must be the worker",
                signer=signer[0],
                subject=credential.holder,
            )

    report.run("holder_binding", holder_binding)
    report.run("freshness", lambda: _freshness(report, now, max_lifetime))
    if challenge is not None:

        def challenge_matches() -> None:
            if report.challenge != challenge:
                raise ChallengeMismatch("the presentation does not sign the expected challenge")

        report.run("challenge", challenge_matches)
    return report
