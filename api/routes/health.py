"""Liveness with substance: database, chain, and the anchoring backlog."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from ..deps import LedgerDep

router = APIRouter(prefix="/v1", tags=["health"])


@router.get("/health", summary="Database, chain and anchoring backlog")
def health(ledger: LedgerDep, response: Response) -> dict[str, Any]:
    report = ledger.health()
    if report["status"] != "ok":
        response.status_code = 503
    return report
