"""A read-only JSON-RPC endpoint onto the ledger's chain.

With the embedded EVM the chain lives inside this process; ``/rpc`` lets anyone verify a
receipt against it (``ledger verify receipt.json --rpc http://127.0.0.1:8000/rpc``) exactly
as they would against a public node. Only reads are forwarded; nothing can be sent.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ..deps import JsonBody, LedgerDep

router = APIRouter(tags=["chain"])


def _error(request_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def _one(ledger: LedgerDep, request: Any) -> dict[str, Any]:
    if not isinstance(request, dict) or not isinstance(request.get("method"), str):
        return _error(None, -32600, "invalid request")
    request_id = request.get("id")
    params = request.get("params", [])
    if not isinstance(params, list):
        return _error(request_id, -32602, "params must be an array")
    try:
        reply = ledger.client.read_rpc(request["method"], params)
    except PermissionError as exc:
        return _error(request_id, -32601, str(exc))
    reply = dict(reply)
    reply["id"] = request_id
    reply.setdefault("jsonrpc", "2.0")
    return reply


@router.post("/rpc", summary="Read-only JSON-RPC onto the anchoring chain")
def rpc(ledger: LedgerDep, body: JsonBody) -> JSONResponse:
    if isinstance(body, list):
        return JSONResponse([_one(ledger, item) for item in body[:100]])
    return JSONResponse(_one(ledger, body))
