"""For investigators: ``/investigations``. The page holds no data: the investigator opens
their key file in the page (``static/js/investigations.mjs``), which reads
``GET /v1/investigations/checkins`` by a signed request (``requestAuthorization``; the server
answers accredited investigators only, and its refusal is shown as it is) and shows the
coercion flags and check-ins as tables, each check-in's sealed duress signal opened in the
browser with the same key (``static/js/holder-signal.mjs``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..deps import LedgerDep
from .render import page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/investigations", response_class=HTMLResponse)
def investigations(request: Request, ledger: LedgerDep) -> HTMLResponse:
    return page(request, "investigations.html", audience=ledger.audience)
