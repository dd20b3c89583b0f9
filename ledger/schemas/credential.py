"""Credential registration, version ``credential/v1``: what the ledger keeps of a worker
credential. Only ids, hashes and the commitment: never the document, never the nationality.

The issuer signs it (KIND_ROLES: issuer); the ledger anchors it like any record, so the
existence and time of issuance can be proved without revealing the credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from credentials.worker import status_id_of

from ..roles import Kind
from . import register_validator
from .common import DidKey, FacilityId, Sha256Hex, StrictModel, parse_model

__all__ = ["Bytes32Hex", "CredentialPayload", "validate_credential"]

Bytes32Hex = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-f]{64}$")]
Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Commitment(StrictModel):
    scheme: Literal["lpl-hmac-sha256-v1"]  # credentials.commitment.COMMITMENT_SCHEME
    value: Hex64


class CredentialPayload(StrictModel):
    schema_id: Literal["credential/v1"] = Field(alias="schema")
    credential_id: str = Field(pattern=r"^urn:uuid:[0-9a-fA-F-]{36}$")
    credential_hash: Sha256Hex
    status_id: Bytes32Hex
    holder: DidKey
    commitment: Commitment
    issued_at: AwareDatetime
    valid_from: AwareDatetime
    valid_until: AwareDatetime
    facility: FacilityId | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CredentialPayload:
        if self.status_id != status_id_of(self.credential_id):
            raise ValueError("statusId must be keccak256 of the credential id")
        if self.valid_until <= self.valid_from:
            raise ValueError("validUntil must be after validFrom")
        return self


def validate_credential(payload: Mapping[str, Any]) -> str:
    """Validate a credential registration; its subject is the status id."""
    return parse_model(CredentialPayload, payload).status_id


register_validator(Kind.CREDENTIAL, validate_credential)
