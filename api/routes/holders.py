"""A worker's own records, read from their wallet by a request signed with their own key."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from domain.wages.service import MAX_OWN_LINES
from domain.workers.service import MAX_OWN_CHECKINS
from ledger.errors import Unauthorized

from ..deps import ReaderDep, WagesDep, WorkersDep
from ..models import PROBLEM_RESPONSES
from ..queries import bounded_limit
from ..views import to_json

router = APIRouter(tags=["holders"], responses=PROBLEM_RESPONSES)


def require_signer(reader: ReaderDep) -> str:
    """The did of a signed request's signer (any key: what it reads is its own)."""
    if reader is None:
        raise Unauthorized(
            "this lists the signer's own records: send a request signed with the worker's "
            "key (Authorization: Envelope ...)"
        )
    return reader


SignerDep = Annotated[str, Depends(require_signer)]


@router.get("/v1/me/wage-lines", summary="The signer's own wage lines, newest period first")
def read_own_lines(
    wages: WagesDep,
    limit: Annotated[int, bounded_limit(MAX_OWN_LINES)],
    signer: SignerDep,
) -> dict[str, Any]:
    """Each line as ``GET /v1/wages/lines/{id}`` shows it to its worker: figures, verdict,
    the latest acknowledgement and the signed envelope. Lines named by the worker's did:key
    only (a commitment names no key)."""
    return {
        "worker": signer,
        "lines": [to_json(line) for line in wages.lines_of(signer, limit=limit)],
    }


@router.get("/v1/me/checkins", summary="The signer's own check-ins, newest first")
def read_own_checkins(
    workers: WorkersDep,
    limit: Annotated[int, bounded_limit(MAX_OWN_CHECKINS)],
    signer: SignerDep,
) -> dict[str, Any]:
    """Each as ``GET /v1/checkins/{id}`` shows it: when, where, by which verifier, whether
    the document matched. Never a device, the sealed signal or a flag."""
    found = workers.checkins_of(signer, limit=limit)
    return {"holder": signer, "checkins": [to_json(checkin) for checkin in found]}
