"""What an export of one facility holds, and which of it a given key may sign.

A key signs only credentials about records it authored: an auditor its own audits (DCC),
the brand or employer that signed the facility's own record its DFR, and the buyer that
signed a supply link or the supplier that confirmed it that link's DTE. Everything else is
*skipped*, with the reason, never signed by a key that did not make the statement: the
platform holds no author's key, and a credential in an auditor's name must come from the
auditor. A facility known only from audits or links has no record of its own to export
as a DFR (skipped too); so has a link that is not confirmed yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from credentials.dataintegrity import EDDSA_JCS_2022, add_proof, parse_datetime, verify_proof
from ledger.keys import SigningKey

from .dcc import conformity_credential
from .dfr import facility_record
from .dte import traceability_event
from .errors import NotTheAuthor
from .receipts import AnchoredRecord

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")  # a facility id's ":" is no file-name character

__all__ = [
    "FacilityRecords",
    "Planned",
    "Skipped",
    "dcc_file",
    "dfr_file",
    "dte_file",
    "plan_exports",
    "sign_all",
    "sign_planned",
]


@dataclass(frozen=True)
class FacilityRecords:
    """One facility's anchored records, as the export reads them.

    Attributes:
        facility_id: the facility asked for (resolved: merged ids name the survivor).
        facility: its latest own ``facility`` record, if it has one.
        audits: its ``audit`` records.
        links: its confirmed supply links (as buyer or supplier), each with its confirmation.
    """

    facility_id: str
    facility: AnchoredRecord | None
    audits: tuple[AnchoredRecord, ...]
    links: tuple[tuple[AnchoredRecord, AnchoredRecord], ...]


@dataclass(frozen=True)
class Planned:
    """One credential to export: its file name, the record it is about, who may sign it,
    and how it is built for a given issuer (one of ``authors``)."""

    file: str
    kind: str  # dcc, dfr, dte
    record_id: str
    authors: tuple[str, ...]
    build: Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class Skipped:
    file: str | None
    record_id: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "record": self.record_id, "reason": self.reason}


def dfr_file(facility_id: str) -> str:
    return f"dfr-{_UNSAFE.sub('_', facility_id)}.json"


def dcc_file(audit_id: str) -> str:
    return f"dcc-{audit_id}.json"


def dte_file(link_id: str) -> str:
    return f"dte-{link_id}.json"


def plan_exports(records: FacilityRecords) -> list[Planned]:
    """Every credential ``records`` make, in a stable order: the DFR, the DCCs (audits in
    record id order), the DTEs (links in record id order)."""
    planned: list[Planned] = []
    facility = records.facility
    if facility is not None:
        audits = sorted(records.audits, key=lambda a: a.record_id)
        planned.append(
            Planned(
                file=dfr_file(records.facility_id), kind="dfr",
                record_id=facility.record_id, authors=(facility.signer,),
                build=lambda _issuer: facility_record(facility, audits),
            )
        )  # fmt: skip
    for audit in sorted(records.audits, key=lambda a: a.record_id):
        planned.append(
            Planned(
                file=dcc_file(audit.record_id), kind="dcc", record_id=audit.record_id,
                authors=(audit.signer,), build=_bind(conformity_credential, audit),
            )
        )  # fmt: skip
    for link, confirmation in sorted(records.links, key=lambda pair: pair[0].record_id):
        planned.append(
            Planned(
                file=dte_file(link.record_id), kind="dte", record_id=link.record_id,
                authors=tuple(dict.fromkeys((link.signer, confirmation.signer))),
                build=_event(link, confirmation),
            )
        )  # fmt: skip
    return planned


def sign_planned(
    planned: Planned, key: SigningKey, *, created: str | None = None
) -> dict[str, Any]:
    """``planned`` built for ``key`` as its issuer and signed (``eddsa-jcs-2022``), then
    verified once more.

    Raises:
        NotTheAuthor: ``key`` did not sign the record the credential is about.
    """
    if key.did not in planned.authors:
        raise NotTheAuthor(
            f"{key.did} did not sign {planned.record_id} (signed by "
            f"{', '.join(planned.authors)}): it cannot issue {planned.file}",
            record=planned.record_id, signer=key.did,
        )  # fmt: skip
    # eddsa-jcs-2022 over the JSON alone: UNTP's contexts are not ours to bundle (see the
    # package docstring), and jcs signs the bytes, so any reader with them expands the same.
    signed = add_proof(
        planned.build(key.did), key, suite=EDDSA_JCS_2022, created=created, jsonld=False
    )
    verify_proof(signed, now=_not_before(signed), jsonld=False)
    return signed


def sign_all(
    planned: Sequence[Planned], keys: Sequence[SigningKey], *, created: str | None = None
) -> tuple[list[tuple[Planned, dict[str, Any]]], list[Skipped]]:
    """Each planned credential signed by the first of ``keys`` that authored its record;
    the others skipped, saying who may sign them."""
    signed: list[tuple[Planned, dict[str, Any]]] = []
    skipped: list[Skipped] = []
    for item in planned:
        key = next((k for k in keys if k.did in item.authors), None)
        if key is None:
            authors = " or ".join(item.authors)
            reason = f"not authored by the given key(s); only {authors} may issue it"
            skipped.append(Skipped(item.file, item.record_id, reason))
            continue
        signed.append((item, sign_planned(item, key, created=created)))
    return signed, skipped


def _bind(
    build: Callable[[AnchoredRecord], dict[str, Any]], record: AnchoredRecord
) -> Callable[[str], dict[str, Any]]:
    return lambda _issuer: build(record)


def _event(link: AnchoredRecord, confirmation: AnchoredRecord) -> Callable[[str], dict[str, Any]]:
    return lambda issuer: traceability_event(link, confirmation, issuer=issuer)


def _not_before(signed: dict[str, Any]) -> Any:
    """Verify at the proof's own time: a ``--created`` in the past or future still checks."""
    return parse_datetime(signed["proof"]["created"])
