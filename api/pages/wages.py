"""For employers: ``/wages/upload``. The employer picks a payroll CSV (the format of
``domain.wages.payroll_csv``); the page sends it to ``POST /wages/upload/check``, which
parses it and runs the wage engine (``check_run``) without storing anything, and answers
either every problem by row and column, or each line's compliance with the ``wage/v1``
payloads it would make. The employer then opens their key file in the page
(``static/js/payroll-upload.mjs``), which signs each payload and submits the run to
``POST /v1/wages``, all or none.

The check takes ``Content-Type: text/csv`` only, a type no cross-site form can send without
the browser asking first (a CORS preflight this server never grants), and refuses a request
the browser marks as cross-site: it stores nothing, but it is no service for other sites.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from domain.wages.engine import check_run, load_rules
from domain.wages.errors import PayrollInvalid
from domain.wages.payroll_csv import MAX_BYTES, REQUIRED_COLUMNS, read_payroll, to_lines
from ledger.errors import (
    BodyTooLarge,
    Forbidden,
    LedgerError,
    SchemaViolation,
    UnsupportedMediaType,
)

from ..problems import problem_response
from .render import SECURITY_HEADERS, page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/wages/upload", response_class=HTMLResponse)
def upload(request: Request) -> HTMLResponse:
    rules = load_rules()
    return page(request, "wages_upload.html", countries=rules.known(),
                rules_version=rules.version, columns=REQUIRED_COLUMNS)  # fmt: skip


async def _csv_body(request: Request) -> bytes:
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise Forbidden("the payroll check answers this site's own pages only")
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "text/csv":
        raise UnsupportedMediaType(
            "send the payroll file as Content-Type: text/csv", media_type=media_type or None
        )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise BodyTooLarge(f"the file exceeds {MAX_BYTES:,} bytes", limit=MAX_BYTES)
        chunks.append(chunk)
    return b"".join(chunks)


def _check(data: bytes, facility: str, country: str) -> dict[str, Any]:
    """Every line's verdict and payload, as the API would admit them; nothing stored.

    Raises:
        PayrollInvalid: the file is not one run (every problem, by row and column).
        SchemaViolation: the facility or country is malformed or unknown to the rules.
    """
    rules = load_rules()
    rows = read_payroll(data)
    country = country.strip().upper()
    if not country:
        found = rules.country_paying_in(rows[0].currency)
        if found is None:
            raise SchemaViolation(
                f"choose the country: these rules know no single country paying in "
                f"{rows[0].currency}", field="country",
            )  # fmt: skip
        country = found
    if country not in rules.known():
        raise SchemaViolation(
            f"these rules ({rules.version}) know {', '.join(rules.known())}", field="country"
        )
    lines = to_lines(rows, facility=facility.strip(), country=country)
    report = check_run(lines, rules)
    return {
        "facility": facility.strip(),
        "country": country,
        "report": report.to_dict(),
        "lines": [
            {"line": line.line, "row": row.row, "worker": line.worker.id,
             "gross": str(row.gross), "net": str(row.net), "compliant": verdict.compliant,
             "violations": [{"rule": v.rule, "detail": v.detail} for v in verdict.violations]}
            for line, row, verdict in zip(lines, rows, report.lines, strict=True)
        ],
        "payloads": [line.model_dump(mode="json", by_alias=True, exclude_none=True)
                     for line in lines],
    }  # fmt: skip


@router.post("/wages/upload/check")
async def check(request: Request, facility: str = "", country: str = "") -> JSONResponse:
    """Parse and check a payroll file for the upload page: 200 with each line's verdict and
    payload, or problem+json (``payroll_invalid`` with ``errors`` by row and column)."""
    try:
        if not facility.strip():
            raise SchemaViolation("name the facility the run is for", field="facility")
        data = await _csv_body(request)
        checked = _check(data, facility, country)
    except (PayrollInvalid, LedgerError) as exc:
        response = problem_response(exc)
        response.headers.update(SECURITY_HEADERS)
        return response
    return JSONResponse(checked, headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})
