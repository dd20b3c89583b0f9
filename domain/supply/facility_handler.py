"""The ``facility`` kind (code 9): a brand or an employer registers or updates its own
facility with a signed record, so a registration is anchored evidence like any other.

Scoped at ``facility.id``: the signer holds that facility's scope in the role it signs
under (an employer for its site, a brand for its own id), so no one registers, rewrites or
merges a facility that is not theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sqlmodel import Session

from ledger.envelope import Envelope
from ledger.kinds import Admission, KindHandler, Parsed
from ledger.roles import Role

from ..schema import parse_model
from .errors import FacilityMerged, MergeRefused
from .models import FacilityAliasRow, FacilityRow, FacilitySource
from .registry import record_facility
from .schema import FacilityPayload

__all__ = ["FacilityHandler"]


class FacilityHandler(KindHandler):
    label: ClassVar[str] = "facility"
    code: ClassVar[int] = 9  # 1-8 are taken or reserved (4 supply link, 6 score)
    roles: ClassVar[frozenset[Role] | None] = frozenset({Role.BRAND, Role.EMPLOYER})
    scope: ClassVar[str | None] = "facility.id"

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        record = parse_model(FacilityPayload, payload)
        return Parsed(record, subject=record.facility.id)

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> None:
        profile = parsed.value.facility
        session = admission.session
        merged = session.get(FacilityAliasRow, profile.id)
        if merged is not None:
            raise FacilityMerged(
                f"{profile.id} was merged into {merged.facility_id}: register that one",
                facility=profile.id, into=merged.facility_id,
            )  # fmt: skip
        for alias in profile.aliases:
            _check_mergeable(session, alias, profile.id, envelope.signer)

    def apply(self, admission: Admission, envelope: Envelope, parsed: Parsed, checked: Any) -> None:
        record_facility(
            admission.session, parsed.value.facility, signer=envelope.signer,
            record_id=envelope.record_id, at=admission.received_at,
        )  # fmt: skip


def _check_mergeable(session: Session, alias: str, into: str, signer: str) -> None:
    """An id merges into ``into`` unless it is merged elsewhere already, or another key
    registered it with a record of its own (only the stubs and audit-named facilities, and
    one's own, are one's to merge)."""
    existing = session.get(FacilityAliasRow, alias)
    if existing is not None and existing.facility_id != into:
        raise MergeRefused(f"{alias} was merged into {existing.facility_id} already", alias=alias)
    row = session.get(FacilityRow, alias)
    if row is not None and row.source == FacilitySource.FACILITY and row.registered_by != signer:
        raise MergeRefused(
            f"{alias} was registered by another key; it is not this signer's to merge",
            alias=alias,
        )
