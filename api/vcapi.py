"""W3C VC API request bodies and answers, shared by the verifier route and the issuer service.

The VC API (https://w3c-ccg.github.io/vc-api/) is what the W3C test suites call:

    POST /credentials/issue   {"credential": {...}, "options": {...}}
        -> 201 {"verifiableCredential": {...}}
    POST /credentials/verify  {"verifiableCredential": {...}, "options": {...}}
        -> 200 {"checks": [...], "warnings": [...], "errors": []}
        -> 400 {"checks": [], "warnings": [], "errors": [problem, ...]}

Options are bounded: strings of at most :data:`MAX_OPTION_CHARS`, at most
:data:`MAX_CHECKS` named checks. Unknown options are ignored, as the VC API lets clients
send options an implementation does not use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from fastapi.responses import JSONResponse

from credentials.dataintegrity import SUITES
from credentials.verifier import CHECKS, CredentialVerification, VerifyOptions
from ledger.errors import LedgerError, SchemaViolation

from .problems import PROBLEM_BASE, status_of

__all__ = [
    "IssueOptions",
    "IssueRequest",
    "VerifyRequest",
    "parse_issue_request",
    "parse_verify_request",
    "verification_failed",
    "verification_result",
]

MAX_OPTION_CHARS: Final = 512
MAX_CHECKS: Final = 8
_PURPOSES: Final = ("assertionMethod", "authentication")


@dataclass(frozen=True)
class VerifyRequest:
    credential: Any
    options: VerifyOptions
    requested_checks: tuple[str, ...]


@dataclass(frozen=True)
class IssueOptions:
    """The proof options an issuer request may set (the rest are the service's)."""

    created: str | None = None
    challenge: str | None = None
    domain: str | None = None
    expires: str | None = None
    proof_purpose: str = "assertionMethod"
    cryptosuite: str | None = None


@dataclass(frozen=True)
class IssueRequest:
    credential: dict[str, Any]
    options: IssueOptions


def _options(body: Mapping[str, Any]) -> Mapping[str, Any]:
    options = body.get("options")
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise SchemaViolation("options is a JSON object", field="options")
    return options


def _string(options: Mapping[str, Any], name: str) -> str | None:
    value = options.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_OPTION_CHARS:
        raise SchemaViolation(
            f"options.{name} is a string of 1 to {MAX_OPTION_CHARS} characters",
            field=f"options.{name}",
        )
    return value


def _purpose(options: Mapping[str, Any], name: str) -> str:
    value = _string(options, name) or "assertionMethod"
    if value not in _PURPOSES:
        raise SchemaViolation(
            f"options.{name} is one of {', '.join(_PURPOSES)}", field=f"options.{name}"
        )
    return value


def _body(body: Any, member: str) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise SchemaViolation("the body is a JSON object", field="body")
    if member not in body:
        raise SchemaViolation(f"the body needs {member}", field=member)
    return body


def parse_verify_request(body: Any) -> VerifyRequest:
    """``{"verifiableCredential", "options"?}``; options ``challenge``, ``domain``,
    ``expectedProofPurpose``, ``checks``.

    Raises:
        SchemaViolation: the body or an option is malformed (the credential itself is
            judged by the verifier).
    """
    body = _body(body, "verifiableCredential")
    options = _options(body)
    checks = options.get("checks", [])
    if (
        not isinstance(checks, list)
        or len(checks) > MAX_CHECKS
        or not all(isinstance(c, str) and len(c) <= MAX_OPTION_CHARS for c in checks)
    ):
        raise SchemaViolation(
            f"options.checks is a list of at most {MAX_CHECKS} strings", field="options.checks"
        )
    return VerifyRequest(
        credential=body["verifiableCredential"],
        options=VerifyOptions(
            expected_purpose=_purpose(options, "expectedProofPurpose"),
            challenge=_string(options, "challenge"),
            domain=_string(options, "domain"),
        ),
        requested_checks=tuple(checks),
    )


def parse_issue_request(body: Any) -> IssueRequest:
    """``{"credential", "options"?}``; options ``created``, ``challenge``, ``domain``,
    ``expires``, ``proofPurpose``, ``cryptosuite`` (must be the service's, if given).

    Raises:
        SchemaViolation: the body or an option is malformed.
    """
    body = _body(body, "credential")
    credential = body["credential"]
    if not isinstance(credential, dict):
        raise SchemaViolation("credential is a JSON object", field="credential")
    options = _options(body)
    suite = _string(options, "cryptosuite")
    if suite is not None and suite not in SUITES:
        raise SchemaViolation(
            f"options.cryptosuite is one of {', '.join(SUITES)}", field="options.cryptosuite"
        )
    return IssueRequest(
        credential=credential,
        options=IssueOptions(
            created=_string(options, "created"),
            challenge=_string(options, "challenge"),
            domain=_string(options, "domain"),
            expires=_string(options, "expires"),
            proof_purpose=_purpose(options, "proofPurpose"),
            cryptosuite=suite,
        ),
    )


def verification_result(
    verification: CredentialVerification, requested: tuple[str, ...]
) -> dict[str, Any]:
    """The 200 body: the checks that held; a warning per requested check not performed."""
    skipped = [f"check {name!r} is not performed" for name in requested if name not in CHECKS]
    return {
        "checks": list(verification.checks),
        "warnings": [*verification.warnings, *skipped],
        "errors": [],
    }


def _problem(error: LedgerError) -> dict[str, Any]:
    return {**error.to_dict(), "type": PROBLEM_BASE + error.code, "status": status_of(error)}


def verification_failed(error: LedgerError, warnings: tuple[str, ...] = ()) -> JSONResponse:
    """The 400 body: no checks held, the error as a problem details object in ``errors``."""
    body = {"checks": [], "warnings": list(warnings), "errors": [_problem(error)]}
    return JSONResponse(body, status_code=400)
