"""Presentations: single-use challenges, and verification with every check reported."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from credentials.qr import decode_payload
from ledger.errors import SchemaViolation
from ledger.timeutil import format_time

from ..deps import JsonBody, WorkersDep
from ..models import PROBLEM_RESPONSES

router = APIRouter(prefix="/v1/presentations", tags=["presentations"])


def presentation_of(body: Any) -> Any:
    """``{"presentation": {...}}`` or ``{"qr": "LPL1:..."}`` (what a scanner read)."""
    if not isinstance(body, dict):
        raise SchemaViolation("the body is a JSON object", field="body")
    if ("presentation" in body) == ("qr" in body):
        raise SchemaViolation("send exactly one of presentation or qr", field="presentation")
    if "qr" in body:
        if not isinstance(body["qr"], str):
            raise SchemaViolation("qr is the scanned text (LPL1:...)", field="qr")
        return decode_payload(body["qr"])
    return body["presentation"]


@router.get("/challenge", summary="A single-use challenge for a worker's presentation")
def read_challenge(workers: WorkersDep) -> dict[str, Any]:
    """Valid for 5 minutes, usable in one check-in."""
    challenge, expires = workers.issue_challenge()
    return {"challenge": challenge, "expires": format_time(expires.replace(microsecond=0))}


@router.post(
    "/verify",
    responses=PROBLEM_RESPONSES,
    summary="Verify a presentation (JSON or QR text); every check is reported separately",
)
def verify_presentation(workers: WorkersDep, body: JsonBody) -> dict[str, Any]:
    """200 with ``verified: true`` and the checks when all hold; otherwise problem+json with
    the first failing check's ``code`` (e.g. ``presentation_expired``,
    ``challenge_replayed``, ``credential_revoked``) and every check under ``checks``.
    Verifying does not consume the challenge; a check-in does."""
    presentation = presentation_of(body)
    domain = body.get("domain")
    if domain is not None and not isinstance(domain, str):
        raise SchemaViolation("domain is a string", field="domain")
    report = workers.verify_presentation(presentation, domain=domain)
    if not report.verified:
        error = report.first_error
        assert error is not None
        error.data["checks"] = [c.to_dict() for c in report.checks]
        raise error
    return report.to_dict()
