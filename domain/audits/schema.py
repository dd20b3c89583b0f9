"""Audit attestation, version ``audit/v1`` (see shared/DOMAIN.md, "Social-compliance audits").

Follow-up and closure audits name the audit they follow (``follows``, a record id) and,
per finding, the finding they re-examine (``followsFinding``), so a finding's life can be
traced across audits.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from ..schema import (
    CountryCode,
    DidKey,
    FacilityId,
    IsoDate,
    OshId,
    RecordRef,
    Sha256Hex,
    ShortText,
    StrictModel,
    Text,
    Timestamp,
)

__all__ = ["AuditPayload", "FindingStatus", "IloIndicator", "Severity"]

SCHEMA_ID = "audit/v1"


class IloIndicator(StrEnum):
    """The 11 ILO indicators of forced labour."""

    ABUSE_OF_VULNERABILITY = "abuse-of-vulnerability"
    DECEPTION = "deception"
    RESTRICTION_OF_MOVEMENT = "restriction-of-movement"
    ISOLATION = "isolation"
    PHYSICAL_AND_SEXUAL_VIOLENCE = "physical-and-sexual-violence"
    INTIMIDATION_AND_THREATS = "intimidation-and-threats"
    RETENTION_OF_IDENTITY_DOCUMENTS = "retention-of-identity-documents"
    WITHHOLDING_OF_WAGES = "withholding-of-wages"
    DEBT_BONDAGE = "debt-bondage"
    ABUSIVE_WORKING_AND_LIVING_CONDITIONS = "abusive-working-and-living-conditions"
    EXCESSIVE_OVERTIME = "excessive-overtime"


class SchemeName(StrEnum):
    SMETA = "SMETA"
    AMFORI_BSCI = "amfori BSCI"
    RBA_VAP = "RBA VAP"
    SA8000 = "SA8000"
    OTHER = "other"


class AuditType(StrEnum):
    INITIAL = "initial"
    FULL = "full"
    FOLLOW_UP = "follow-up"
    CLOSURE = "closure"
    SURVEILLANCE = "surveillance"
    RECERTIFICATION = "recertification"


class Notice(StrEnum):
    ANNOUNCED = "announced"
    SEMI_ANNOUNCED = "semi-announced"
    UNANNOUNCED = "unannounced"


class Severity(StrEnum):
    ZERO_TOLERANCE = "zero-tolerance"
    CRITICAL = "critical"  # RBA "priority"
    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"


class FindingStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in-progress"
    CLOSED = "closed"
    UNVERIFIED = "unverified"  # SMETA "inability to verify": suspected falsification


class Facility(StrictModel):
    id: FacilityId
    osh_id: OshId | None = None
    name: ShortText
    country: CountryCode


class Scheme(StrictModel):
    name: SchemeName
    version: ShortText


class AuditFirm(StrictModel):
    name: ShortText
    id: ShortText | None = None


class Finding(StrictModel):
    id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,32}$")
    clause: ShortText
    ilo_indicators: list[IloIndicator] = Field(default_factory=list, max_length=11)
    severity: Severity
    description: Text
    evidence: list[Sha256Hex] = Field(default_factory=list, max_length=100)
    status: FindingStatus
    follows_finding: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]{1,32}$")


class CorrectiveAction(StrictModel):
    finding_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,32}$")
    action: Text
    due_date: IsoDate
    verifier: ShortText | None = None
    closed_at: Timestamp | None = None


class AuditPayload(StrictModel):
    schema_id: Literal["audit/v1"] = Field(alias="schema")
    facility: Facility
    scheme: Scheme
    audit_type: AuditType
    notice: Notice
    start_date: IsoDate
    end_date: IsoDate
    valid_until: IsoDate
    audit_firm: AuditFirm
    # The envelope's signer is the lead auditor; these are the rest of the audit team.
    auditors: list[DidKey] = Field(default_factory=list, max_length=20)
    scope: Text
    workers_interviewed: int = Field(ge=0, le=100_000)
    overall_rating: ShortText
    findings: list[Finding] = Field(default_factory=list, max_length=500)
    corrective_actions: list[CorrectiveAction] = Field(default_factory=list, max_length=500)
    follows: RecordRef | None = None

    @model_validator(mode="after")
    def _consistent(self) -> AuditPayload:
        if self.end_date < self.start_date:
            raise ValueError("endDate is before startDate")
        if self.valid_until < self.end_date:
            raise ValueError("validUntil is before endDate")
        if self.audit_type in (AuditType.FOLLOW_UP, AuditType.CLOSURE) and self.follows is None:
            raise ValueError(f"a {self.audit_type.value} audit must name the audit it follows")
        ids = [f.id for f in self.findings]
        if len(ids) != len(set(ids)):
            raise ValueError("finding ids must be unique within an audit")
        for action in self.corrective_actions:
            if action.finding_id not in ids:
                raise ValueError(f"corrective action names unknown finding {action.finding_id!r}")
        if self.follows is None and any(f.follows_finding for f in self.findings):
            raise ValueError("followsFinding needs the audit to name the audit it follows")
        return self
