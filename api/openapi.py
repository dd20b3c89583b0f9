"""Request-body schemas for the OpenAPI document (bodies are parsed strictly by hand)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from domain.audits.schema import AuditPayload

__all__ = ["audit_envelope_schema", "json_request", "model_schema"]


def model_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(by_alias=True, mode="validation")


def audit_envelope_schema() -> dict[str, Any]:
    payload = model_schema(AuditPayload)
    defs = payload.pop("$defs", {})
    return {
        "type": "object",
        "title": "AuditEnvelope",
        "description": "A signed envelope of kind `audit` (see the README: Signed envelopes).",
        "required": ["kind", "payload", "signer", "created", "nonce", "signature"],
        "additionalProperties": False,
        "properties": {
            "kind": {"const": "audit"},
            "payload": payload,
            "signer": {"type": "string", "pattern": "^did:key:z", "examples": ["did:key:z6Mk..."]},
            "created": {"type": "string", "format": "date-time"},
            "nonce": {"type": "string", "pattern": "^[A-Za-z0-9_-]{22,128}$"},
            "signature": {
                "type": "string",
                "pattern": "^(u[A-Za-z0-9_-]{86}|z[1-9A-HJ-NP-Za-km-z]{86,88})$",
                "description": "Ed25519 signature, multibase: base64url (u...) or base58btc (z...)",
            },
        },
        "$defs": defs,
    }


def json_request(schema: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` for an endpoint whose body is ``schema``."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
