"""An audit as a UNTP Digital Conformity Credential (UNTP 0.6.1, ``untp-dcc``).

The attestation is the audit (issued to the facility, by the lead auditor who signed it);
its ``assessment`` list holds one ``ConformityAssessment`` per ILO indicator of forced
labour, each with the audit's findings under that indicator, then one for findings under
none. ``auditableEvidence`` links the audit's receipt.

An indicator *conforms* when the audit holds no finding under it that is still unresolved
in this audit: severity above ``observation`` and status other than ``closed``. (Later
audits may close a finding; their own credentials say so.) Every indicator is listed, so
"no finding" is stated rather than left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from domain.audits.schema import AuditPayload, Finding, IloIndicator, SchemeName, Severity

from .parties import facility_party
from .receipts import AnchoredRecord
from .spec import (
    ASSESSMENT_LEVEL,
    ASSESSOR_LEVEL,
    ATTESTATION_TYPE,
    CONFORMITY_TOPIC,
    CREDENTIAL_URN,
    DCC_CONTEXT,
    DCC_TYPE,
    ILO_INDICATOR_IRI,
    VC_CONTEXT,
)

__all__ = ["audit_conforms", "conformity_credential"]

# The scheme owners, as the party that issues each scheme's standard.
_SCHEME_OWNERS: Final[Mapping[SchemeName, tuple[str, str]]] = {
    SchemeName.SMETA: ("https://www.sedex.com", "Sedex"),
    SchemeName.AMFORI_BSCI: ("https://www.amfori.org", "amfori"),
    SchemeName.RBA_VAP: ("https://www.responsiblebusiness.org", "Responsible Business Alliance"),
    SchemeName.SA8000: ("https://sa-intl.org", "Social Accountability International"),
}
_UNRESOLVED_ABOVE: Final = Severity.OBSERVATION


def conformity_credential(audit: AnchoredRecord) -> dict[str, Any]:
    """The unsigned DCC for ``audit`` (an ``audit`` record), issued by its signer."""
    payload = AuditPayload.model_validate(audit.payload)
    raw = audit.payload
    party = facility_party(raw["facility"])
    # The attestation is issued to the facility as a party: 0.6.1's party has no idScheme.
    issued_to = {k: v for k, v in party.items() if k != "idScheme"}
    standard = _standard(payload)
    assessments = [
        _assessment(audit, payload, party, standard, indicator) for indicator in IloIndicator
    ]
    if any(not f.ilo_indicators for f in payload.findings):
        assessments.append(_assessment(audit, payload, party, standard, None))
    scheme = f"{payload.scheme.name.value} {payload.scheme.version}"
    return {
        "@context": [VC_CONTEXT, DCC_CONTEXT],
        "type": list(DCC_TYPE),
        "id": f"{CREDENTIAL_URN}dcc:{audit.record_id}",
        "issuer": {
            "type": ["CredentialIssuer"],
            "id": audit.signer,
            "name": payload.audit_firm.name,
        },
        "validFrom": audit.envelope.created,
        "validUntil": f"{payload.valid_until.isoformat()}T23:59:59Z",
        "credentialSubject": {
            "type": ["ConformityAttestation", "Attestation"],
            "id": audit.urn,
            "name": (
                f"{scheme} {payload.audit_type.value} audit of {payload.facility.name}, "
                f"{payload.start_date.isoformat()} to {payload.end_date.isoformat()}"
            ),
            "assessorLevel": ASSESSOR_LEVEL,
            "assessmentLevel": ASSESSMENT_LEVEL,
            "attestationType": ATTESTATION_TYPE,
            "description": (
                f"{payload.scope} Notice: {payload.notice.value}. Workers interviewed: "
                f"{payload.workers_interviewed}. Overall rating: {payload.overall_rating}."
            ),
            "issuedToParty": issued_to,
            "auditableEvidence": audit.evidence("The audit record's anchored receipt"),
            "assessment": assessments,
        },
    }


def audit_conforms(findings: Sequence[Finding]) -> bool:
    """No finding among ``findings`` is unresolved (see the module docstring)."""
    return not any(_unresolved(f) for f in findings)


def _unresolved(finding: Finding) -> bool:
    return finding.severity != _UNRESOLVED_ABOVE and finding.status.value != "closed"


def _standard(payload: AuditPayload) -> dict[str, Any] | None:
    owner = _SCHEME_OWNERS.get(payload.scheme.name)
    if owner is None:
        return None
    return {
        "type": ["Standard"],
        "name": f"{payload.scheme.name.value} {payload.scheme.version}",
        "issuingParty": {"id": owner[0], "name": owner[1]},
    }


def _assessment(
    audit: AnchoredRecord,
    payload: AuditPayload,
    party: Mapping[str, Any],
    standard: Mapping[str, Any] | None,
    indicator: IloIndicator | None,
) -> dict[str, Any]:
    if indicator is None:
        findings = [f for f in payload.findings if not f.ilo_indicators]
        name, fragment = "Findings under no ILO indicator of forced labour", "other-findings"
    else:
        findings = [f for f in payload.findings if indicator in f.ilo_indicators]
        name = f"ILO indicator of forced labour: {_label(indicator)}"
        fragment = f"ilo-{indicator.value}"
    unresolved = sum(1 for f in findings if _unresolved(f))
    assessment: dict[str, Any] = {
        "type": ["ConformityAssessment", "Declaration"],
        "id": f"{audit.urn}#{fragment}",
        "name": name,
        "description": _describe(findings),
        "assessmentDate": payload.end_date.isoformat(),
    }
    if standard is not None:
        assessment["referenceStandard"] = dict(standard)
    if indicator is not None:
        assessment["assessmentCriteria"] = [
            {
                "type": ["Criterion"],
                "id": ILO_INDICATOR_IRI + indicator.value,
                "name": name,
                "description": f"The ILO indicator of forced labour '{_label(indicator)}'.",
                "conformityTopic": CONFORMITY_TOPIC,
                "status": "active",
            }
        ]
    assessment.update(
        {
            "declaredValue": [
                _count("findings", len(findings)),
                _count("unresolved findings", unresolved),
            ],
            "conformance": unresolved == 0,
            "conformityTopic": CONFORMITY_TOPIC,
            # No type: the 0.6.1 context defines no FacilityVerification (its instances omit it).
            "assessedFacility": [{"facility": dict(party)}],
        }
    )
    return assessment


def _label(indicator: IloIndicator) -> str:
    return indicator.value.replace("-", " ")


def _count(name: str, value: int) -> dict[str, Any]:
    # UN/ECE Recommendation 20 unit code C62: "one" (a count).
    return {"metricName": name, "metricValue": {"value": value, "unit": "C62"}}


def _describe(findings: Sequence[Finding]) -> str:
    if not findings:
        return "No finding."
    return " ".join(
        f"Finding {f.id} ({f.severity.value}, {f.status.value}; {f.clause}): {f.description}"
        + (f" Evidence: {', '.join(f.evidence)}." if f.evidence else "")
        for f in findings
    )
