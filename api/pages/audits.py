"""For auditors: ``/audits/new``, a form that builds an ``audit/v1`` payload
(``domain.audits.schema.AuditPayload``), signs it in the page with the auditor's own key
file (opened with its passphrase by ``ledger-keys.mjs``; the key never leaves the browser),
submits it to ``POST /v1/attestations`` and follows ``GET /v1/records/{id}`` until it is
anchored, then shows its receipt. The server renders the form; ``static/js/audit-form.mjs``
does the rest."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from domain.audits.schema import (
    AuditType,
    FindingStatus,
    IloIndicator,
    Notice,
    SchemeName,
    Severity,
)

from .render import page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/audits/new", response_class=HTMLResponse)
def new_audit(request: Request) -> HTMLResponse:
    return page(
        request, "audit_new.html", schemes=[s.value for s in SchemeName],
        audit_types=[a.value for a in AuditType], notices=[n.value for n in Notice],
        indicators=[i.value for i in IloIndicator], severities=[s.value for s in Severity],
        statuses=[s.value for s in FindingStatus],
    )  # fmt: skip
