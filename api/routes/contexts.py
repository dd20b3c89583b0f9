"""Our JSON-LD contexts, served at the path their URL names (``/contexts/...``).

A credential names ``https://ledger.labour-provenance.org/contexts/labour/v1.jsonld``; any
``ledger serve`` answers the same path with the exact bundled bytes (sha256-pinned in
``credentials/contexts/manifest.json``), so a verifier can fetch and pin it from any node.
"""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request, Response

from credentials.loader import context_bytes, served_contexts
from ledger.errors import NotFound

from ..models import PROBLEM_RESPONSES

router = APIRouter(tags=["contexts"])


@router.get(
    "/contexts/{path:path}",
    responses={200: {"content": {"application/ld+json": {}}}, **PROBLEM_RESPONSES},
    summary="A JSON-LD context our credentials name, byte for byte",
)
def read_context(path: str, request: Request) -> Response:
    wanted = "/contexts/" + path
    for entry in served_contexts():
        if entry.served_at == wanted:
            data = context_bytes(entry.url)
            etag = '"' + hashlib.sha256(data).hexdigest() + '"'
            headers = {
                "ETag": etag,
                "Cache-Control": "public, max-age=86400",
                "Access-Control-Allow-Origin": "*",
            }
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers=headers)
            return Response(data, media_type="application/ld+json", headers=headers)
    raise NotFound(f"no context at {wanted}", what="context", key=wanted)
