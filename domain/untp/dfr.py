"""A facility's own record as a UNTP Digital Facility Record (UNTP 0.6.1, ``untp-dfr``).

Built from the facility's latest ``facility`` record (its own, signed by the brand or
employer that holds its scope) and the facility's anchored audits: the Open Supply Hub id
is the facility's ``registeredId`` (``idScheme`` Open Supply Hub), our id and the ids merged
into it (``aliases``) also-known-as;
each audit is a ``conformityClaim`` on topic ``social.labour`` whose ``conformityEvidence``
links the audit's receipt (the auditor's own DCC is the attestation; the claim points at
the same anchored record). 0.6.1 gives a facility record no link of its own, so the record's
receipt is the credential's VC ``evidence`` (its URL names the record id, the leaf).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.audits.schema import AuditPayload
from domain.supply.schema import FacilityPayload

from .dcc import audit_conforms
from .parties import facility_iri
from .receipts import AnchoredRecord
from .spec import (
    CONFORMITY_TOPIC,
    CREDENTIAL_URN,
    DFR_CONTEXT,
    DFR_TYPE,
    LEDGER_SCHEME,
    OSH_SCHEME,
    VC_CONTEXT,
)

__all__ = ["facility_record"]


def facility_record(record: AnchoredRecord, audits: Sequence[AnchoredRecord]) -> dict[str, Any]:
    """The unsigned DFR for ``record`` (a ``facility`` record), issued by its signer, with a
    claim for each of ``audits`` about the same facility (others are left out)."""
    profile = FacilityPayload.model_validate(record.payload).facility
    primary = facility_iri(profile.id, profile.osh_id)
    facility: dict[str, Any] = {"type": ["Facility"], "id": primary, "name": profile.name}
    known_as = [
        {"id": facility_iri(i), "name": profile.name, "registeredId": i,
         "idScheme": dict(LEDGER_SCHEME)}
        for i in (profile.id, *profile.aliases)
    ]  # fmt: skip
    if profile.osh_id:
        facility.update(registeredId=profile.osh_id, idScheme=dict(OSH_SCHEME))
    else:
        facility.update(registeredId=profile.id, idScheme=dict(LEDGER_SCHEME))
        known_as = known_as[1:]
    if known_as:
        facility["facilityAlsoKnownAs"] = known_as
    description = ", ".join(
        part for part in (profile.sector, profile.product_type, profile.processing_type) if part
    )
    if description:
        facility["description"] = description
    facility["countryOfOperation"] = profile.country
    # 0.6.1 instances give an address no type (the context defines none).
    address: dict[str, Any] = {"addressCountry": profile.country}
    if profile.address:
        address["streetAddress"] = profile.address
    facility["address"] = address
    claims = [_claim(a) for a in audits if a.payload.get("facility", {}).get("id") == profile.id]
    subject: dict[str, Any] = {"type": ["FacilityRecord"], "id": record.urn, "facility": facility}
    if claims:
        subject["conformityClaim"] = claims
    return {
        "@context": [VC_CONTEXT, DFR_CONTEXT],
        "type": list(DFR_TYPE),
        "id": f"{CREDENTIAL_URN}dfr:{record.record_id}",
        "issuer": {"type": ["CredentialIssuer"], "id": record.signer, "name": profile.name},
        "validFrom": record.envelope.created,
        "credentialSubject": subject,
        "evidence": [record.vc_evidence()],
    }


def _claim(audit: AnchoredRecord) -> dict[str, Any]:
    payload = AuditPayload.model_validate(audit.payload)
    return {
        "type": ["Claim", "Declaration"],
        "id": f"{audit.urn}#claim",
        "description": (
            f"{payload.scheme.name.value} {payload.scheme.version} {payload.audit_type.value} "
            f"audit by {payload.audit_firm.name}, {payload.start_date.isoformat()} to "
            f"{payload.end_date.isoformat()}, valid until {payload.valid_until.isoformat()}; "
            f"{len(payload.findings)} findings."
        ),
        "assessmentDate": payload.end_date.isoformat(),
        "conformance": audit_conforms(payload.findings),
        "conformityTopic": CONFORMITY_TOPIC,
        "conformityEvidence": audit.evidence("The audit record's anchored receipt"),
    }
