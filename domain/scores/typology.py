"""The due-diligence typology for banks: substantiated forced-labour findings counted by ILO
indicator, country, sector and period, and the facilities with open zero-tolerance findings.

A finding is substantiated when an accredited auditor recorded it in a signed audit. Each
finding is counted once, in the period (calendar quarter of the audit's end date) of the
audit that first raised it, with its current status as the latest audit re-examining it
says (``open`` counts open, in-progress and unverified). It names companies and counts
findings, never a person: no worker, auditor or document appears in it. Every row carries
the audit record ids whose receipts back it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from ledger.store.models import RecordRow

from ..audits.views import OPEN_STATUSES, audits_of
from ..supply.views import Profile, profiles_of

__all__ = ["Typology", "TypologyRow", "typology", "typology_csv", "typology_json"]


@dataclass(frozen=True)
class TypologyRow:
    indicator: str
    country: str
    sector: str  # "unknown" where the facility never said
    period: str  # 2026-Q3
    findings: int
    open: int
    records: list[str]


@dataclass(frozen=True)
class ZeroToleranceFacility:
    facility: str
    name: str | None
    country: str | None
    open_findings: int
    records: list[str]


@dataclass(frozen=True)
class Typology:
    period_from: date | None
    period_to: date | None
    rows: list[TypologyRow]
    open_zero_tolerance: list[ZeroToleranceFacility]


def typology(session: Session, *, since: date | None = None, until: date | None = None) -> Typology:
    """Counted over every audited facility in three queries (audited ids, their audits,
    their registry rows); ``since``/``until`` bound the originating audit's end date."""
    ids = sorted(
        str(s)
        for s in session.exec(
            select(RecordRow.subject).where(RecordRow.kind == "audit").distinct()
        ).all()
        if s is not None
    )
    audits = audits_of(session, ids)
    profiles = profiles_of(session, ids, audits)
    counts: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    backing: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    zero: dict[str, tuple[int, set[str]]] = {}
    for facility, views in audits.items():
        country, sector, _ = _profile(profiles[facility])
        by_id = {view["id"]: view for view in views}
        for view in views:
            ended = date.fromisoformat(view["endDate"])
            for finding in view["findings"]:
                if finding.get("followsFinding") and view.get("follows") in by_id:
                    continue  # a re-examination: counted with the finding it follows
                head = finding["statusFrom"]
                is_open = finding["currentStatus"] in OPEN_STATUSES
                if is_open and finding["severity"] == "zero-tolerance":
                    n, recs = zero.get(facility, (0, set()))
                    zero[facility] = (n + 1, recs | {view["id"], head["recordId"]})
                if (since and ended < since) or (until and ended > until):
                    continue
                for indicator in finding.get("iloIndicators", []):
                    key = (indicator, country, sector, _quarter(ended))
                    counts[key][0] += 1
                    counts[key][1] += is_open
                    backing[key] |= {view["id"], head["recordId"]}
    return Typology(
        period_from=since,
        period_to=until,
        rows=[
            TypologyRow(*key, findings=n, open=o, records=sorted(backing[key]))
            for key, (n, o) in sorted(counts.items())
        ],
        open_zero_tolerance=[
            ZeroToleranceFacility(
                f,
                profiles[f].name,
                _profile(profiles[f])[0],
                n,
                sorted(recs),
            )
            for f, (n, recs) in sorted(zero.items())
        ],
    )


def _profile(profile: Profile) -> tuple[str, str, str | None]:
    """Country, sector ("unknown" where never said) and name."""
    return profile.country or "unknown", profile.sector or "unknown", profile.name


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


TYPOLOGY_COLUMNS = ("indicator", "country", "sector", "period", "findings", "open", "records")


def typology_csv(found: Typology) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TYPOLOGY_COLUMNS)
    for row in found.rows:
        writer.writerow([row.indicator, row.country, row.sector, row.period, row.findings,
                         row.open, ";".join(row.records)])  # fmt: skip
    return out.getvalue()


def typology_json(found: Typology) -> dict[str, Any]:
    """The typology as the API answers it (and as a ``typology`` record's payload holds it)."""
    return {
        "periodFrom": None if found.period_from is None else found.period_from.isoformat(),
        "periodTo": None if found.period_to is None else found.period_to.isoformat(),
        "rows": [
            {"indicator": r.indicator, "country": r.country, "sector": r.sector,
             "period": r.period, "findings": r.findings, "open": r.open, "records": r.records}
            for r in found.rows
        ],
        "openZeroTolerance": [
            {"facility": z.facility, "name": z.name, "country": z.country,
             "openFindings": z.open_findings, "records": z.records}
            for z in found.open_zero_tolerance
        ],
    }  # fmt: skip
