"""W3C Bitstring Status Lists: the issuers' signed revocation lists, served at the URL their
worker credentials name (``statusListCredential``), and published by the issuers.

The ledger never signs a list: the issuer's CLI (``ledger vc revoke``, ``ledger vc
status-list publish``) or the issuer's own ``ledger vc serve`` re-signs it and POSTs it as a
record of kind ``status_list``. The list's URL is on ``LEDGER_PUBLIC_HOST`` (``https://``,
or ``http://`` for a loopback host, a development server).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from email.utils import format_datetime
from typing import Any, Final

from fastapi import APIRouter, Request, Response

from credentials.status_list import LIST_BITS
from ledger.timeutil import format_time

from ..deps import JsonBody, SettingsDep, WorkersDep
from ..models import PROBLEM_RESPONSES
from ..settings import Settings

router = APIRouter(prefix="/v1/status-lists", tags=["status lists"])

MEDIA_TYPE: Final = "application/vc"  # VC Data Model 2.0, section 6.3
# Short: a verifier sees a revocation within a minute; ETag makes re-checking cheap.
CACHE_CONTROL: Final = "public, max-age=60, must-revalidate"
_LOOPBACK: Final = ("127.0.0.1", "localhost", "[::1]")


def public_base(settings: Settings) -> str:
    """The absolute base URL of this ledger for the credentials' status list URLs."""
    host = settings.public_host
    loopback = host.split(":")[0] in _LOOPBACK or host.startswith("[::1]")
    return ("http://" if loopback else "https://") + host


@router.post(
    "",
    responses=PROBLEM_RESPONSES,
    summary="Publish an issuer's re-signed status list (an envelope of kind `status_list`)",
)
def publish_status_list(workers: WorkersDep, body: JsonBody) -> dict[str, Any]:
    """Signed by the list's issuer (accredited as issuer). Refused, changing nothing, if the
    list is not its signer's, its proof fails, its ``validFrom`` is not after the served
    list's, or it clears the bit of a credential the ledger holds as revoked. A bit it newly
    sets revokes that credential, on the ledger and (through the outbox) on chain."""
    accepted, revoked = workers.publish_status_list(body)
    return {
        "id": accepted.record_id,
        "leaf": accepted.leaf,
        "status": accepted.status,
        "revoked": revoked,
    }


@router.get(
    "/{issuer}/{purpose}",
    responses={200: {"content": {MEDIA_TYPE: {}}}, 404: PROBLEM_RESPONSES[404]},
    summary="An issuer's latest Bitstring Status List credential (public)",
)
def read_status_list(workers: WorkersDep, issuer: str, purpose: str, request: Request) -> Response:
    """``issuer`` is the multibase of the issuer's did:key; ``purpose`` is ``revocation``.
    The body is the credential as its issuer signed it."""
    document, record_id, valid_from = workers.status_list(issuer, purpose)
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    etag = '"' + hashlib.sha256(data).hexdigest() + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": CACHE_CONTROL,
        "Last-Modified": format_datetime(valid_from.astimezone(UTC), usegmt=True),
        "Access-Control-Allow-Origin": "*",
        "X-Status-List-Record": record_id,
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=MEDIA_TYPE, headers=headers)


@router.get(
    "/{issuer}/{purpose}/state",
    responses={404: PROBLEM_RESPONSES[404]},
    summary="What the issuer signs its next list from: required bits, served list, free index",
)
def read_status_list_state(
    workers: WorkersDep, settings: SettingsDep, issuer: str, purpose: str
) -> dict[str, Any]:
    """``revoked``: the indexes of the credentials the ledger holds as revoked (every new
    list sets them; the served list already shows them, or will). ``freeIndex``: a random
    index for the next credential, held by none and not set."""
    state = workers.status_list_state(issuer, purpose)
    return {
        "url": public_base(settings) + state.path,
        "size": LIST_BITS,
        "revoked": state.revoked,
        "recordId": state.record_id,
        "validFrom": format_time(state.valid_from) if state.valid_from else None,
        "freeIndex": state.free_index,
    }
