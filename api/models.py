"""What the API returns (and the few bodies it parses as models)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from domain.schema import FacilityId
from ledger.store.records import RecordStatus
from ledger.timeutil import format_optional, format_time

UINT64_MAX = 2**64 - 1


def _contract_time(value: datetime) -> datetime:
    """A time AttesterRegistry can hold: whole seconds after 1970 in a ``uint64`` (0 means
    "unset" there, so the first second is refused too)."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range") from None
    if not 1 <= int(utc.timestamp()) <= UINT64_MAX:
        raise ValueError("must be after 1970-01-01T00:00:00Z")
    return utc


ContractTime = Annotated[AwareDatetime, AfterValidator(_contract_time)]


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class SubmitResult(ApiModel):
    id: str = Field(description="Record id: 0x + the record's Merkle leaf")
    leaf: str
    status: Literal["pending", "batched", "submitted", "anchored"]


class BatchItemResult(ApiModel):
    index: int
    accepted: bool
    id: str | None = None
    leaf: str | None = None
    status: str | None = None
    error: dict[str, Any] | None = None


class BatchResult(ApiModel):
    accepted: int
    rejected: int
    results: list[BatchItemResult]


class RecordStatusOut(ApiModel):
    id: str
    kind: str
    status: str
    received_at: str
    batch_id: int | None
    tx_hash: str | None
    block_number: int | None
    anchored_at: str | None
    time_to_anchor_seconds: float | None

    @classmethod
    def of(cls, status: RecordStatus) -> RecordStatusOut:
        tta = status.time_to_anchor
        return cls(
            id=status.record_id,
            kind=status.kind,
            status=status.state,
            received_at=format_time(status.received_at),
            batch_id=status.batch_id,
            tx_hash=status.tx_hash,
            block_number=status.block_number,
            anchored_at=format_optional(status.anchored_at),
            time_to_anchor_seconds=None if tta is None else round(tta.total_seconds(), 3),
        )


class AttestationOut(ApiModel):
    id: str
    envelope: dict[str, Any]
    record: RecordStatusOut


class Receipt(ApiModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    envelope: dict[str, Any]
    leaf: str
    proof: list[str]
    root: str
    batchId: int  # noqa: N815  (the receipt's published field names)
    kind: str
    chainId: int  # noqa: N815
    contract: str
    txHash: str  # noqa: N815
    blockNumber: int  # noqa: N815
    anchoredAt: str  # noqa: N815


class SignerIn(ApiModel):
    did: str = Field(pattern=r"^did:key:z[1-9A-HJ-NP-Za-km-z]+$")
    role: Literal["auditor", "issuer", "employer", "brand", "verifier", "investigator"]
    valid_from: ContractTime | None = Field(
        default=None, description="with a time zone; after 1970 (default: a minute ago)"
    )
    valid_until: ContractTime | None = Field(default=None, description="with a time zone")


RoleName = Literal["auditor", "issuer", "employer", "brand", "verifier", "investigator"]
SCOPE_HEX = r"^0x[0-9a-f]{64}$"


class ScopeIn(ApiModel):
    """A scope to grant a signer in one of its roles: a facility (its scope is
    ``keccak256("facility:" ++ id)``), or a raw bytes32 scope."""

    role: RoleName
    facility: FacilityId | None = Field(default=None, description="a facility id, e.g. fac-1")
    scope: str | None = Field(default=None, pattern=SCOPE_HEX, description="0x + 64 hex")

    @model_validator(mode="after")
    def _one(self) -> ScopeIn:
        if (self.facility is None) == (self.scope is None):
            raise ValueError("give exactly one of facility or scope")
        return self


class ScopeOut(ApiModel):
    scope: str = Field(description="0x + the bytes32 scope, as AttesterRegistry holds it")
    facility: str | None = Field(
        description="the facility id the scope is the hash of, when a grant through this "
        "ledger named it (for display: verifiers use the hash)"
    )
    granted_at: str | None = Field(description="block time the latest grant holds from")
    revoked_at: str | None = Field(description="block time it was revoked; null while held")


class SignerOut(ApiModel):
    did: str
    role: str
    valid_from: str
    valid_until: str | None
    revoked_at: str | None
    suspended: bool
    scopes: list[ScopeOut] = Field(default_factory=list)


class ScopeResult(ApiModel):
    did: str
    role: str
    scope: ScopeOut


class RevokeResult(ApiModel):
    did: str
    revoked_roles: list[str]


class SuspendResult(ApiModel):
    did: str
    suspended_roles: list[str]


class ReinstateResult(ApiModel):
    did: str
    reinstated_roles: list[str]


class AnchorReport(ApiModel):
    batches_cut: list[int]
    batches_submitted: list[int]
    batches_anchored: list[int]
    error: str | None


class Problem(BaseModel):
    """RFC 9457 problem details, with our stable ``code``."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    requestId: str | None = None  # noqa: N815 (the problem's JSON member name)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}}
    for status in (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
}


# For routes that answer JSON, or CSV with ``format=csv`` (documented so clients and fuzzers
# expect both media types).
JSON_OR_CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON, or CSV for spreadsheets with format=csv",
        "content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}},
    }
}
