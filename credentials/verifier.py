"""Verify any W3C Verifiable Credential (VC Data Model 1.1 or 2.0) secured with Data Integrity
EdDSA proofs: what a VC API verifier (``POST /credentials/verify``) answers.

Checks, in order:

- ``shape``: a JSON object whose ``@context`` starts with the VC 1.1 or 2.0 context, whose
  ``type`` includes ``VerifiableCredential``, with an ``issuer`` (a URL, or an object with an
  ``id``) and a ``credentialSubject`` (:class:`CredentialInvalid`, ``field`` names what);
- ``proof``: every proof of the set or chain verifies (:mod:`credentials.proofsets`), and for
  ``assertionMethod`` at least one of them was made by a key the issuer controls
  (:class:`IssuerProofMissing`): a did:key issuer controls exactly its own key; a did:web
  issuer the did:keys that the caller's ``issuer_keys`` binds to it (its document, resolved
  by the caller, lists them and the registry accredits them), :class:`IssuerUnresolved`
  without one;
- ``validity``: ``now`` lies in the validity period (2.0 ``validFrom``/``validUntil``, 1.1
  ``issuanceDate``/``expirationDate``), :class:`CredentialNotValid`.

The credential's ``credentialStatus`` is not checked here (it needs the chain): it is named
in a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from ledger.timeutil import format_time, utcnow

from .dataintegrity import DEFAULT_CLOCK_SKEW, VerifiedProof, parse_datetime
from .didweb import is_did_web
from .errors import CredentialInvalid, CredentialNotValid, IssuerProofMissing, IssuerUnresolved
from .loader import CREDENTIALS_CONTEXT_V1, CREDENTIALS_CONTEXT_V2
from .proofsets import verify_proof_set

__all__ = [
    "CHECKS",
    "CredentialVerification",
    "IssuerKeys",
    "VerifyOptions",
    "check_credential_shape",
    "issuer_id",
    "verify_credential",
]

CHECKS: Final = ("proof", "validity")
"""The checks :func:`verify_credential` performs, as the VC API names them in ``checks``."""

_VALIDITY: Final = {
    CREDENTIALS_CONTEXT_V1: ("issuanceDate", "expirationDate"),
    CREDENTIALS_CONTEXT_V2: ("validFrom", "validUntil"),
}


IssuerKeys = Callable[[str], Collection[str]]
"""Given a did:web issuer, the did:keys trusted to sign for it (raises a
:class:`~ledger.errors.LedgerError` when it cannot tell)."""


@dataclass(frozen=True)
class VerifyOptions:
    """What the verifier is asked to hold the credential to.

    Attributes:
        expected_purpose: the proof purpose every proof must have.
        challenge: when given, every proof must carry it.
        domain: when given, every proof's domain must be (or list) it.
        now: the time validity and proof dates are checked against (default: the clock).
    """

    expected_purpose: str = "assertionMethod"
    challenge: str | None = None
    domain: str | None = None
    now: datetime | None = None


@dataclass(frozen=True)
class CredentialVerification:
    """A credential that verified.

    Attributes:
        proofs: the verified proofs, in the credential's order.
        checks: the checks that held (:data:`CHECKS`).
        warnings: what was not checked (e.g. a ``credentialStatus``), as short sentences.
    """

    proofs: tuple[VerifiedProof, ...]
    checks: tuple[str, ...] = CHECKS
    warnings: tuple[str, ...] = field(default=())


def verify_credential(
    credential: Any,
    options: VerifyOptions | None = None,
    *,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    issuer_keys: IssuerKeys | None = None,
) -> CredentialVerification:
    """Verify ``credential``: shape, every proof, the issuer's proof, the validity period.

    Args:
        issuer_keys: for a did:web issuer, the did:keys that may sign for it; without it a
            did:web issuer is refused (:class:`IssuerUnresolved`). A did:key issuer never
            uses it.

    Raises:
        CredentialInvalid: not a VC (``field`` names the member).
        ProofError: a proof check failed (its ``check`` names which).
        CredentialNotValid: ``now`` is outside the validity period.
    """
    options = options or VerifyOptions()
    now = options.now or utcnow()
    version = check_credential_shape(credential)
    proofs = verify_proof_set(
        credential,
        expected_purpose=options.expected_purpose,
        challenge=options.challenge,
        domain=options.domain,
        now=now,
        clock_skew=clock_skew,
    )
    issuer = issuer_id(credential)
    if options.expected_purpose == "assertionMethod":
        _check_issuer_proof(issuer, proofs, issuer_keys)
    _check_validity(credential, version, now, clock_skew)
    warnings: tuple[str, ...] = ()
    if credential.get("credentialStatus") is not None:
        warnings = ("credentialStatus was not checked (it needs the chain)",)
    return CredentialVerification(proofs=proofs, warnings=warnings)


def _check_issuer_proof(
    issuer: str, proofs: tuple[VerifiedProof, ...], issuer_keys: IssuerKeys | None
) -> None:
    controllers: Collection[str] = (issuer,)
    if is_did_web(issuer):
        if issuer_keys is None:
            raise IssuerUnresolved(
                f"the issuer {issuer} is a did:web and no resolver was given", issuer=issuer
            )
        controllers = frozenset(issuer_keys(issuer))
        if not controllers:
            raise IssuerUnresolved(
                f"{issuer}'s document lists no key accredited now", issuer=issuer
            )
    if all(proof.controller not in controllers for proof in proofs):
        raise IssuerProofMissing(
            f"no proof was made by a key of the issuer {issuer}", issuer=issuer
        )


def check_credential_shape(credential: Any) -> str:
    """Check the ``shape`` (see the module docstring); return the credential's VC context URL.

    Raises:
        CredentialInvalid: ``field`` names the member that is missing or wrong.
    """
    if not isinstance(credential, Mapping):
        raise CredentialInvalid("a verifiable credential is a JSON object", field="$")
    context = credential.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first not in _VALIDITY:
        raise CredentialInvalid(
            f"@context must start with {CREDENTIALS_CONTEXT_V2} or {CREDENTIALS_CONTEXT_V1}",
            field="@context",
        )
    types = credential.get("type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        raise CredentialInvalid("type must include VerifiableCredential", field="type")
    issuer_id(credential)
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    if not subjects or not all(isinstance(s, Mapping) and s for s in subjects):
        raise CredentialInvalid(
            "credentialSubject must be an object or a list of objects", field="credentialSubject"
        )
    return str(first)


def issuer_id(credential: Mapping[str, Any]) -> str:
    """The issuer's URL (``issuer`` or ``issuer.id``).

    Raises:
        CredentialInvalid: neither is a URL.
    """
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(value, str) or ":" not in value:
        raise CredentialInvalid("issuer must be a URL or an object with an id URL", field="issuer")
    return value


def _check_validity(
    credential: Mapping[str, Any], version: str, now: datetime, clock_skew: timedelta
) -> None:
    start_name, end_name = _VALIDITY[version]
    start, end = (_date(credential, name) for name in (start_name, end_name))
    if version == CREDENTIALS_CONTEXT_V1 and start is None:
        raise CredentialInvalid("a VC 1.1 credential needs an issuanceDate", field="issuanceDate")
    if start is not None and start > now + clock_skew:
        raise CredentialNotValid(
            f"not valid before {format_time(start)} ({start_name})", field=start_name
        )
    if end is not None and end <= now:
        raise CredentialNotValid(f"not valid after {format_time(end)} ({end_name})", field=end_name)


def _date(credential: Mapping[str, Any], name: str) -> datetime | None:
    value = credential.get(name)
    if value is None:
        return None
    try:
        return parse_datetime(value, require_offset=False)
    except ValueError as exc:
        raise CredentialInvalid(f"{name}: {exc}", field=name) from exc
