"""Health: ``/v1/health`` with substance (database, chain, backlog), and the two probes an
orchestrator asks: live (the process answers) and ready (it can do its work)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from ledger.errors import LedgerError
from ledger.service import Ledger
from ledger.store.migrations import is_current

from ..deps import LedgerDep

router = APIRouter(prefix="/v1", tags=["health"])

# Seconds the chain gets to answer a readiness probe (probes time out in a few seconds).
READY_CHAIN_TIMEOUT = 3.0


class ProbeCheck(BaseModel):
    ok: bool
    error: str | None = None  # the failure's code or exception class, never its detail


class Readiness(BaseModel):
    status: str  # "ready" or "not_ready"
    checks: dict[str, ProbeCheck]


def database_reachable(ledger: Ledger) -> bool:
    with ledger.engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    return True


def chain_reachable(ledger: Ledger) -> bool:
    # A read of its own (no client lock, a short timeout): a probe never waits behind the
    # anchoring worker's calls, nor for the default 30 s of a dead node.
    reply = ledger.client.read_rpc("eth_blockNumber", [], timeout=READY_CHAIN_TIMEOUT)
    return "result" in reply


def migrations_current(ledger: Ledger) -> bool:
    # Behind (another process upgraded nothing yet, or a rollback of the code): not ready.
    return is_current(ledger.engine)


# Each named check returns True when it holds; a False or an exception means not ready.
READINESS_CHECKS: list[tuple[str, Callable[[Ledger], bool]]] = [
    ("database", database_reachable),
    ("chain", chain_reachable),
    ("migrations", migrations_current),
]


def _run(check: Callable[[Ledger], bool], ledger: Ledger) -> ProbeCheck:
    try:
        return ProbeCheck(ok=True) if check(ledger) else ProbeCheck(ok=False, error="check_failed")
    except LedgerError as exc:
        return ProbeCheck(ok=False, error=exc.code)
    except Exception as exc:  # a driver's error text may name hosts or users: class only
        return ProbeCheck(ok=False, error=type(exc).__name__)


@router.get("/health", summary="Database, chain and anchoring backlog")
def health(ledger: LedgerDep, response: Response) -> dict[str, Any]:
    report = ledger.health()
    if report["status"] != "ok":
        response.status_code = 503
    return report


@router.get("/health/live", summary="Liveness: the process answers (touches nothing else)")
def live() -> dict[str, str]:
    return {"status": "live"}


@router.get(
    "/health/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "A check failed (named in checks)"}},
    summary="Readiness: the database and the chain answer, the schema is current",
)
def ready(ledger: LedgerDep, response: Response) -> Readiness:
    checks = {name: _run(check, ledger) for name, check in READINESS_CHECKS}
    if all(c.ok for c in checks.values()):
        return Readiness(status="ready", checks=checks)
    response.status_code = 503
    return Readiness(status="not_ready", checks=checks)
