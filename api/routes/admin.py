"""Admin: accredit, suspend, reinstate and revoke signers (written to AttesterRegistry as its
admin, when this server holds the admin's key; otherwise 403 ``admin_key_missing`` names the
admin, e.g. a Safe, that must make the change), anchor now."""

from __future__ import annotations

from fastapi import APIRouter, Query

from ledger.errors import SchemaViolation
from ledger.roles import Role

from ..deps import AdminDep, JsonBody, LedgerDep
from ..models import (
    PROBLEM_RESPONSES,
    AnchorReport,
    ReinstateResult,
    RevokeResult,
    SignerIn,
    SignerOut,
    SuspendResult,
)
from ..openapi import json_request, model_schema

router = APIRouter(prefix="/v1/admin", tags=["admin"], responses=PROBLEM_RESPONSES)


@router.get(
    "/signers", response_model=list[SignerOut], summary="Accredited signers (registry mirror)"
)
def list_signers(ledger: LedgerDep, _admin: AdminDep) -> list[SignerOut]:
    return [SignerOut.model_validate(s) for s in ledger.signers()]


@router.post(
    "/signers",
    status_code=201,
    response_model=list[SignerOut],
    openapi_extra=json_request(model_schema(SignerIn)),
    summary="Accredit a key for a role in AttesterRegistry",
)
def accredit_signer(ledger: LedgerDep, _admin: AdminDep, body: JsonBody) -> list[SignerOut]:
    from domain.schema import parse_model

    signer = parse_model(SignerIn, body if isinstance(body, dict) else {"_": body}, prefix="body")
    if (
        signer.valid_until is not None
        and signer.valid_from is not None
        and signer.valid_until <= signer.valid_from
    ):
        raise SchemaViolation("validUntil must be after validFrom", field="body.validUntil")
    ledger.accredit(
        signer.did,
        Role.parse(signer.role),
        valid_from=signer.valid_from,
        valid_until=signer.valid_until,
    )
    return [SignerOut.model_validate(s) for s in ledger.signers() if s["did"] == signer.did]


@router.delete(
    "/signers/{did}",
    response_model=RevokeResult,
    summary="Revoke a key (every role, or one with ?role=)",
)
def revoke_signer(
    ledger: LedgerDep,
    _admin: AdminDep,
    did: str,
    role: Role | None = Query(default=None, description="revoke only this role (1-6)"),
) -> RevokeResult:
    revoked = ledger.revoke(did, None if role is None else [role])
    return RevokeResult(did=did, revoked_roles=[r.name.lower() for r in revoked])


@router.post(
    "/signers/{did}/suspend",
    response_model=SuspendResult,
    summary="Suspend a key (every live role, or one with ?role=) until reinstated",
)
def suspend_signer(
    ledger: LedgerDep,
    _admin: AdminDep,
    did: str,
    role: Role | None = Query(default=None, description="suspend only this role (1-6)"),
) -> SuspendResult:
    suspended = ledger.suspend(did, None if role is None else [role])
    return SuspendResult(did=did, suspended_roles=[r.name.lower() for r in suspended])


@router.post(
    "/signers/{did}/reinstate",
    response_model=ReinstateResult,
    summary="Lift a key's suspension (every suspended role, or one with ?role=)",
)
def reinstate_signer(
    ledger: LedgerDep,
    _admin: AdminDep,
    did: str,
    role: Role | None = Query(default=None, description="reinstate only this role (1-6)"),
) -> ReinstateResult:
    reinstated = ledger.reinstate(did, None if role is None else [role])
    return ReinstateResult(did=did, reinstated_roles=[r.name.lower() for r in reinstated])


@router.post("/anchor", response_model=AnchorReport, summary="Anchor every pending record now")
def anchor_now(ledger: LedgerDep, _admin: AdminDep) -> AnchorReport:
    report = ledger.anchorer.drain()
    return AnchorReport(
        batches_cut=report.cut,
        batches_submitted=report.submitted,
        batches_anchored=report.anchored,
        error=report.error,
    )
