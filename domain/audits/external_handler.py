"""The ``external_conformity`` kind (code 13): a Digital Conformity Credential from another
system, handed in as external evidence about one of our facilities.

Who may submit (accredited now, no facility scope needed): an **auditor** (the conformity
body's own auditor, or ours relaying a scheme's certificate), a **brand** (a buyer
collecting its suppliers' certificates) or an **investigator** (an NGO). Not an employer:
the facility vouching for its own certificate adds nothing, and its certifier or buyer can
submit it. Whoever submits, the evidence's weight is the external issuer's proof, which
admission checks (:func:`domain.audits.external.verify_external_conformity`); the submitter
is recorded beside it.

Payload ``external-conformity/v1``: ``{"schema", "facility": our id, "credential": the DCC,
"statusListCredentials": [the status list credentials its credentialStatus names]}``; the
credential and each list at most :data:`MAX_CREDENTIAL_BYTES` as canonical JSON and
:data:`MAX_CREDENTIAL_DEPTH` levels deep.

The same signed credential (by its proof's signed digest) is on file once: a second
submission, from anyone, is refused with ``external_evidence_duplicate`` (409), naming the
record that holds it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar, Final, Literal

from pydantic import Field
from sqlmodel import select

from ledger.canonical import canonicalize
from ledger.envelope import Envelope
from ledger.errors import SchemaViolation
from ledger.kinds import Admission, KindHandler, Parsed
from ledger.roles import Role

from ..schema import FacilityId, StrictModel, parse_model
from ..supply import views as supply
from ..supply.errors import FacilityMerged
from ..supply.registry import resolve_facility
from .external import (
    ExternalEvidenceDuplicate,
    VerifiedConformity,
    verify_external_conformity,
)
from .external_models import ExternalEvidenceRow
from .external_views import summary_of

__all__ = [
    "MAX_CREDENTIAL_BYTES",
    "MAX_CREDENTIAL_DEPTH",
    "ExternalConformityHandler",
    "ExternalConformityPayload",
]

MAX_CREDENTIAL_BYTES: Final = 64 * 1024
MAX_CREDENTIAL_DEPTH: Final = 24
MAX_STATUS_LISTS: Final = 4


class ExternalConformityPayload(StrictModel):
    schema_id: Literal["external-conformity/v1"] = Field(alias="schema")
    facility: FacilityId
    credential: dict[str, Any]
    status_list_credentials: list[dict[str, Any]] = Field(
        default_factory=list, max_length=MAX_STATUS_LISTS
    )


class ExternalConformityHandler(KindHandler):
    """Public; filed under the facility (see the module docstring)."""

    label: ClassVar[str] = "external_conformity"
    code: ClassVar[int] = 13  # 12 is the status list kind's
    roles: ClassVar[frozenset[Role] | None] = frozenset(
        {Role.AUDITOR, Role.BRAND, Role.INVESTIGATOR}
    )

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        value = parse_model(ExternalConformityPayload, payload)
        _check_bounds(value.credential, "payload.credential")
        for index, listed in enumerate(value.status_list_credentials):
            _check_bounds(listed, f"payload.statusListCredentials.{index}")
        return Parsed(value, subject=value.facility)

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> VerifiedConformity:
        value: ExternalConformityPayload = parsed.value
        session = admission.session
        current = resolve_facility(session, value.facility)
        if current != value.facility:
            raise FacilityMerged(
                f"{value.facility} was merged into {current}: submit the evidence for that one",
                facility=value.facility, into=current,
            )  # fmt: skip
        facility = supply.facility(session, value.facility)  # FacilityUnknown
        verified = verify_external_conformity(
            value.credential,
            value.status_list_credentials,
            facility_ids=[facility.id, *facility.aliases],
            osh_id=facility.osh_id,
            now=admission.received_at,
        )
        existing = session.exec(
            select(ExternalEvidenceRow.record_id).where(
                ExternalEvidenceRow.digest == verified.digest
            )
        ).first()
        if existing is not None:
            raise ExternalEvidenceDuplicate(
                f"this credential is on file already, as record {existing}", record_id=existing
            )
        return verified

    def apply(self, admission: Admission, envelope: Envelope, parsed: Parsed, checked: Any) -> None:
        verified: VerifiedConformity = checked
        admission.session.add(
            ExternalEvidenceRow(
                record_id=envelope.record_id,
                facility_id=parsed.value.facility,
                digest=verified.digest,
                issuer=verified.issuer,
                submitted_by=envelope.signer,
                received_at=admission.received_at,
                summary=json.dumps(summary_of(verified), sort_keys=True, ensure_ascii=False),
            )
        )


def _check_bounds(document: Mapping[str, Any], field: str) -> None:
    size = len(canonicalize(dict(document)))
    if size > MAX_CREDENTIAL_BYTES:
        raise SchemaViolation(
            f"{field} is {size} bytes of canonical JSON; at most {MAX_CREDENTIAL_BYTES}",
            field=field,
        )
    if _depth(document) > MAX_CREDENTIAL_DEPTH:
        raise SchemaViolation(
            f"{field} is nested deeper than {MAX_CREDENTIAL_DEPTH} levels", field=field
        )


def _depth(value: Any) -> int:
    if isinstance(value, Mapping):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0
