"""The ``audit`` kind: an accredited auditor's signed attestation about one facility."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from ledger.envelope import Envelope
from ledger.errors import SchemaViolation
from ledger.kinds import Admission, KindHandler, Parsed
from ledger.roles import Role
from ledger.store.models import RecordRow

from ..schema import parse_model
from .schema import AuditPayload

__all__ = ["AuditHandler"]


class AuditHandler(KindHandler):
    """Public; filed under the facility. Its rule: a follow-up names an audit of the same
    facility, and every ``followsFinding`` exists in that audit. (The signer is the lead
    auditor; admission already established that it is an accredited auditor.) The facility
    it names is read from it by the registry's views (:mod:`domain.supply.views`): audits
    write nothing beyond their record, so they keep the bulk insert."""

    label: ClassVar[str] = "audit"
    code: ClassVar[int] = 1
    roles: ClassVar[frozenset[Role]] = frozenset({Role.AUDITOR})

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        audit = parse_model(AuditPayload, payload)
        return Parsed(audit, subject=audit.facility.id)

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> None:
        audit: AuditPayload = parsed.value
        if audit.follows is None:
            return
        followed = admission.session.get(RecordRow, audit.follows)
        if followed is None or followed.kind != self.label:
            raise SchemaViolation(
                f"follows names no audit record: {audit.follows}", field="payload.follows"
            )
        previous = parse_model(AuditPayload, json.loads(followed.envelope)["payload"])
        if previous.facility.id != audit.facility.id:
            raise SchemaViolation(
                "a follow-up audit must be about the facility it follows", field="payload.follows"
            )
        known = {f.id for f in previous.findings}
        for index, finding in enumerate(audit.findings):
            if finding.follows_finding is not None and finding.follows_finding not in known:
                raise SchemaViolation(
                    f"followsFinding {finding.follows_finding!r} is not in the followed audit",
                    field=f"payload.findings.{index}.followsFinding",
                )
