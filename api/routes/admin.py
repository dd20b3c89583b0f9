"""Admin: accredit, suspend, reinstate and revoke signers, grant and revoke their scopes
(written to AttesterRegistry as its admin, when this server holds the admin's key; otherwise
403 ``admin_key_missing`` names the admin, e.g. a Safe, that must make the change), anchor
now."""

from __future__ import annotations

import re

from fastapi import APIRouter, Path, Query
from pydantic import TypeAdapter, ValidationError

from domain.schema import FacilityId
from ledger.chain.contracts import facility_scope
from ledger.errors import NotFound, SchemaViolation
from ledger.roles import Role

from ..deps import AdminDep, JsonBody, LedgerDep
from ..models import (
    PROBLEM_RESPONSES,
    SCOPE_HEX,
    AnchorReport,
    ReinstateResult,
    RevokeResult,
    ScopeIn,
    ScopeOut,
    ScopeResult,
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


@router.post(
    "/signers/{did}/scopes",
    status_code=201,
    response_model=ScopeResult,
    openapi_extra=json_request(model_schema(ScopeIn)),
    summary="Scope a signer's role to a facility (or a raw bytes32 scope) in AttesterRegistry",
)
def grant_scope(ledger: LedgerDep, _admin: AdminDep, did: str, body: JsonBody) -> ScopeResult:
    """The key must be accredited in the role. The scope holds from the grant's block time:
    records (e.g. wage lines) created before it are refused, and fail their receipt check."""
    from domain.schema import parse_model

    if not isinstance(body, dict):
        raise SchemaViolation("body must be a JSON object", field="body")
    grant = parse_model(ScopeIn, body, prefix="body")
    role = Role.parse(grant.role)
    scope = (
        facility_scope(grant.facility)
        if grant.facility is not None
        else bytes.fromhex(str(grant.scope)[2:])
    )
    ledger.grant_scope(did, role, scope, facility=grant.facility)
    return _scope_result(ledger, did, role, scope)


_SCOPE_HEX = re.compile(SCOPE_HEX)
_FACILITY: TypeAdapter[str] = TypeAdapter(FacilityId)


def _role_of(value: str) -> Role:
    """A role by name (``employer``) or number (``3``)."""
    try:
        return Role(int(value)) if value.isdigit() and len(value) < 4 else Role.parse(value)
    except ValueError as exc:
        raise SchemaViolation(f"query.role: {exc}", field="query.role") from None


@router.delete(
    "/signers/{did}/scopes/{scope}",
    response_model=ScopeResult,
    summary="Revoke a signer's scope in one role (a facility id or 0x + 64 hex)",
)
def revoke_scope(
    ledger: LedgerDep,
    _admin: AdminDep,
    did: str,
    scope: str = Path(description="0x + the bytes32 scope, or a facility id", max_length=66),
    role: str = Query(description="the role: a name (employer) or its number (3)", max_length=16),
) -> ScopeResult:
    """Records signed within the scope and anchored before now stay provable."""
    if _SCOPE_HEX.fullmatch(scope):
        raw = bytes.fromhex(scope[2:])
    else:
        try:
            raw = facility_scope(_FACILITY.validate_python(scope))
        except ValidationError:
            raise SchemaViolation(
                "path.scope: a facility id or 0x + 64 lowercase hex digits", field="path.scope"
            ) from None
    which = _role_of(role)
    ledger.revoke_scope(did, which, raw)
    return _scope_result(ledger, did, which, raw)


def _scope_result(ledger: LedgerDep, did: str, role: Role, scope: bytes) -> ScopeResult:
    wanted = "0x" + scope.hex()
    for signer in ledger.signers():
        if signer["did"] == did and signer["role"] == role.name.lower():
            for held in signer["scopes"]:
                if held["scope"] == wanted:
                    return ScopeResult(did=did, role=signer["role"], scope=ScopeOut(**held))
    raise NotFound(f"{did} holds no scope {wanted}", what="scope", key=wanted)  # a lagging mirror


@router.post("/anchor", response_model=AnchorReport, summary="Anchor every pending record now")
def anchor_now(ledger: LedgerDep, _admin: AdminDep) -> AnchorReport:
    report = ledger.anchorer.drain()
    return AnchorReport(
        batches_cut=report.cut,
        batches_submitted=report.submitted,
        batches_anchored=report.anchored,
        error=report.error,
    )
