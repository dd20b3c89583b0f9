"""Payload schemas of the worker kinds. Only ids, hashes, booleans and the commitment:
never a document number, a salt or a nationality.

- ``credential/v1``: what the ledger keeps of a worker credential an accredited issuer
  registers; anchored like any record, so the existence and time of issuance can be proved
  without revealing the credential.
- ``credential-status/v1``: the issuer suspends, revokes or reinstates one of its
  credentials; relayed to the CredentialStatus contract (which verifiers read) with the
  record's id, so anyone can check the issuer's signed consent.
- ``status-list/v1``: the issuer's signed Bitstring Status List (revocation); checked
  against the credentials the ledger holds, and a newly set bit revokes its credential
  exactly as a ``credential-status/v1`` revocation would.
- ``checkin/v1``: a verifier (accredited verifier, auditor or investigator) countersigns a
  worker's fresh presentation and states whether the physical document in hand opens the
  credential's commitment: the presentation by its hash, devices by salted hashes, the
  place coarsely (see :mod:`credentials.possession`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StringConstraints, model_validator

from credentials.status_list import LIST_BITS
from credentials.worker import status_id_of

from ..schema import DidKey, FacilityId, Sha256Hex, StrictModel, Timestamp

__all__ = [
    "Bytes32Hex",
    "CheckinPayload",
    "Commitment",
    "CredentialPayload",
    "CredentialStatusPayload",
    "StatusListPayload",
    "StatusListRef",
]

Bytes32Hex = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-f]{64}$")]
Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Commitment(StrictModel):
    scheme: Literal["lpl-hmac-sha256-v1"]  # credentials.commitment.COMMITMENT_SCHEME
    value: Hex64


class StatusListRef(StrictModel):
    """Where the credential's revocation bit is (its ``BitstringStatusListEntry``)."""

    url: str = Field(pattern=r"^https?://[^\s#?]{1,500}$")
    index: int = Field(ge=0, lt=LIST_BITS, strict=True)


class StatusListPayload(StrictModel):
    """``status-list/v1``: the issuer's whole signed list (a ``BitstringStatusListCredential``;
    no personal data: bits at random indexes), anchored like any record."""

    schema_id: Literal["status-list/v1"] = Field(alias="schema")
    credential: dict[str, Any]


class CredentialPayload(StrictModel):
    schema_id: Literal["credential/v1"] = Field(alias="schema")
    credential_id: str = Field(pattern=r"^urn:uuid:[0-9a-fA-F-]{36}$")
    credential_hash: Sha256Hex
    status_id: Bytes32Hex
    holder: DidKey
    commitment: Commitment
    issued_at: Timestamp
    valid_from: Timestamp
    valid_until: Timestamp
    facility: FacilityId | None = None
    status_list: StatusListRef | None = None  # absent: issued before status lists

    @model_validator(mode="after")
    def _consistent(self) -> CredentialPayload:
        if self.status_id != status_id_of(self.credential_id):
            raise ValueError("statusId must be keccak256 of the credential id")
        if self.valid_until <= self.valid_from:
            raise ValueError("validUntil must be after validFrom")
        return self


class CredentialStatusPayload(StrictModel):
    schema_id: Literal["credential-status/v1"] = Field(alias="schema")
    status_id: Bytes32Hex
    action: Literal["suspend", "revoke", "reinstate"]
    reason: int = Field(default=0, ge=0, le=255, strict=True)


class CheckinPayload(StrictModel):
    schema_id: Literal["checkin/v1"] = Field(alias="schema")
    presentation_hash: Sha256Hex
    holder: DidKey
    status_id: Bytes32Hex
    document_matches: StrictBool
    on_site: StrictBool
    location: str = Field(pattern=r"^[A-Za-z0-9 ._:,-]{1,64}$")
    verifier_device: Sha256Hex
    presenting_device: Sha256Hex | None = None
