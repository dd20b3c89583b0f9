"""The home page: what this is, and a way in for each user."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from .render import page

__all__ = ["WAYS_IN", "router"]

router = APIRouter(include_in_schema=False)

# (who, where) in the order the home page lists them; strings are home.<who>[.what]
WAYS_IN: tuple[tuple[str, str], ...] = (
    ("worker", "/wallet"),
    ("verifier", "/verify"),
    ("auditor", "/audits/new"),
    ("employer", "/wages/upload"),
    ("brand", "/brands"),
    ("lender", "/lenders"),
    ("investigator", "/investigations"),
    ("developer", "/docs"),
)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return page(request, "home.html", ways_in=WAYS_IN)
