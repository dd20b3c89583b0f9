"""Credential status change, version ``credential-status/v1``: the issuer suspends, revokes
or reinstates one of its credentials. The ledger relays it to the CredentialStatus contract
(which verifiers read) and anchors the signed request as the record of who did it and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from ..roles import Kind
from . import register_validator
from .common import StrictModel, parse_model
from .credential import Bytes32Hex

__all__ = ["CredentialStatusPayload", "validate_credential_status"]


class CredentialStatusPayload(StrictModel):
    schema_id: Literal["credential-status/v1"] = Field(alias="schema")
    status_id: Bytes32Hex
    action: Literal["suspend", "revoke", "reinstate"]
    reason: int = Field(default=0, ge=0, le=255, strict=True)


def validate_credential_status(payload: Mapping[str, Any]) -> str:
    """Validate a status change; its subject is the credential's status id."""
    return parse_model(CredentialStatusPayload, payload).status_id


register_validator(Kind.CREDENTIAL_STATUS, validate_credential_status)
