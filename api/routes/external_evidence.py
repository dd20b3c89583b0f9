"""External evidence about a facility: UNTP Digital Conformity Credentials from other
systems (``external_conformity`` records, :mod:`domain.audits.external_handler`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from domain.audits.external_views import external_evidence_of
from domain.supply import views as supply
from ledger.errors import SchemaViolation
from ledger.store.db import session_scope
from ledger.timeutil import utcnow

from ..deps import JsonBody, LedgerDep
from ..models import PROBLEM_RESPONSES
from .facilities import require_kind

router = APIRouter(prefix="/v1/facilities", tags=["external evidence"])

FacilityPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{1,63}$")]
KIND = "external_conformity"


@router.post(
    "/{facility_id}/external-evidence",
    status_code=201,
    responses=PROBLEM_RESPONSES,
    summary="Hand in a Digital Conformity Credential from another system (signed envelope)",
)
def submit_external_evidence(
    ledger: LedgerDep, facility_id: FacilityPath, body: JsonBody, response: Response
) -> dict[str, Any]:
    """A signed ``external_conformity`` envelope (an accredited auditor, brand or
    investigator) whose ``payload.facility`` is this facility and whose
    ``payload.credential`` is the DCC, with ``payload.statusListCredentials`` the status
    list credentials its ``credentialStatus`` names (this server fetches nothing). Accepted
    once its proof, validity, facility, labour topic and status check out; refused with a
    stable ``code`` otherwise (``external_proof_invalid``, ``context_not_bundled``,
    ``credential_not_valid``, ``external_facility_mismatch``, ``external_topic_unsupported``,
    ``external_status_unchecked``, ``external_credential_revoked``,
    ``external_credential_suspended``, ``external_issuer_unsupported``,
    ``external_evidence_duplicate``...), and nothing is stored."""
    require_kind(body, KIND)
    payload = body.get("payload")
    if not isinstance(payload, dict) or payload.get("facility") != facility_id:
        raise SchemaViolation(f"payload.facility must be {facility_id}", field="payload.facility")
    accepted = ledger.submit(body)
    response.headers["Location"] = f"/v1/facilities/{facility_id}/external-evidence"
    return {"id": accepted.record_id, "leaf": accepted.leaf, "status": accepted.status}


@router.get(
    "/{facility_id}/external-evidence",
    responses=PROBLEM_RESPONSES,
    summary="The facility's external evidence, newest first, each marked external",
)
def read_external_evidence(ledger: LedgerDep, facility_id: FacilityPath) -> dict[str, Any]:
    """``{"facility", "externalEvidence": [...]}`` (entries as
    :mod:`domain.audits.external_views` describes them), with those filed under ids merged
    into it since: never among its audits."""
    with session_scope(ledger.engine) as session:
        found = supply.facility(session, facility_id)
        grouped = external_evidence_of(session, [found.id, *found.aliases], utcnow())
    evidence = sorted(
        (entry for entries in grouped.values() for entry in entries),
        key=lambda entry: (entry["receivedAt"], entry["recordId"]),
        reverse=True,
    )
    return {"facility": found.id, "externalEvidence": evidence}
