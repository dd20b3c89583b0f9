"""A small, realistic demo supply chain, seeded into an empty database and anchored.

Five facilities in four countries across three tiers, two audit firms with two auditors
each, audits whose findings span the ILO indicators, and a follow-up audit that closes the
passport-retention finding of the first one. Later features extend this same demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import func, select

from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.store.db import session_scope
from ledger.store.models import RecordRow

from ..organisations import Organisation, publish_organisation
from .keys import scope_demo_keys
from .scores import seed_demo_snapshots
from .supply import seed_demo_supply
from .wages import seed_demo_wages
from .workers import seed_demo_workers

__all__ = ["DEMO_FACILITIES", "seed_demo"]

DEMO_FACILITIES: dict[str, dict[str, Any]] = {
    "fac-bd-dhaka-knit-01": {
        "id": "fac-bd-dhaka-knit-01",
        "oshId": "BD2021048K7Q2MY",
        "name": "Dhaka Knitwear Ltd, Unit 1",
        "country": "BD",
    },
    "fac-vn-binhduong-shoe-02": {
        "id": "fac-vn-binhduong-shoe-02",
        "name": "Binh Duong Footwear Co.",
        "country": "VN",
    },
    "fac-my-penang-pcb-03": {
        "id": "fac-my-penang-pcb-03",
        "name": "Penang Circuit Assembly Sdn Bhd",
        "country": "MY",
    },
    "fac-in-tiruppur-spin-04": {
        "id": "fac-in-tiruppur-spin-04",
        "name": "Tiruppur Cotton Spinning Mills",
        "country": "IN",
    },
    "fac-tr-denizli-dye-05": {
        "id": "fac-tr-denizli-dye-05",
        "name": "Denizli Dye House A.S.",
        "country": "TR",
    },
}


@dataclass(frozen=True)
class _Firm:
    name: str
    id: str
    auditors: tuple[SigningKey, SigningKey]


def _finding(
    fid: str,
    clause: str,
    indicators: list[str],
    severity: str,
    description: str,
    status: str = "open",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": fid,
        "clause": clause,
        "iloIndicators": indicators,
        "severity": severity,
        "description": description,
        "evidence": [],
        "status": status,
        **extra,
    }


def _audit(
    facility: str,
    firm: _Firm,
    *,
    scheme: tuple[str, str],
    audit_type: str,
    notice: str,
    dates: tuple[str, str, str],
    rating: str,
    interviewed: int,
    scope: str,
    findings: list[dict[str, Any]],
    actions: list[dict[str, Any]] | None = None,
    follows: str | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "schema": "audit/v1",
        "facility": DEMO_FACILITIES[facility],
        "scheme": {"name": scheme[0], "version": scheme[1]},
        "auditType": audit_type,
        "notice": notice,
        "startDate": dates[0],
        "endDate": dates[1],
        "validUntil": dates[2],
        "auditFirm": {"name": firm.name, "id": firm.id},
        "auditors": [firm.auditors[1].did],
        "scope": scope,
        "workersInterviewed": interviewed,
        "overallRating": rating,
        "findings": findings,
        "correctiveActions": actions or [],
    }
    if follows:
        payload["follows"] = follows
    return payload


def _is_empty(ledger: Ledger) -> bool:
    with session_scope(ledger.engine) as session:
        return int(session.exec(select(func.count()).select_from(RecordRow)).one()) == 0


def seed_demo(ledger: Ledger) -> str:
    """Seed and anchor the demo into an empty database; returns a one-line summary."""
    if not _is_empty(ledger):
        return "demo: database already has records; nothing seeded"
    keys = scope_demo_keys(ledger)  # first: see domain.demo.keys
    veritas = _Firm(
        "Veritas Social Audits", "sedex-af-1042", (SigningKey.generate(), SigningKey.generate())
    )
    meridian = _Firm(
        "Meridian Compliance Services",
        "amfori-af-0311",
        (SigningKey.generate(), SigningKey.generate()),
    )
    for firm in (veritas, meridian):
        for key in firm.auditors:
            ledger.accredit(key.did, Role.AUDITOR)
    # Each firm, and each brand, gets a did:web (domain.organisations) bound to its keys.
    for slug, firm in (("veritas", veritas), ("meridian", meridian)):
        dids = tuple(key.did for key in firm.auditors)
        publish_organisation(ledger, Organisation(slug, Role.AUDITOR, dids))
    for brand, key in keys.brands.items():
        publish_organisation(
            ledger, Organisation(brand.removeprefix("brand-"), Role.BRAND, (key.did,))
        )

    def submit(firm: _Firm, payload: dict[str, Any]) -> str:
        return ledger.submit(sign_envelope("audit", payload, firm.auditors[0]).to_dict()).record_id

    dhaka = submit(
        veritas,
        _audit(
            "fac-bd-dhaka-knit-01",
            veritas,
            scheme=("SMETA", "7.0 4-pillar"),
            audit_type="full",
            notice="semi-announced",
            dates=("2026-03-10", "2026-03-12", "2027-03-12"),
            rating="non-compliances raised",
            interviewed=46,
            scope="Knitting, dyeing, sewing; 1,240 workers incl. 310 migrants in a dormitory.",
            findings=[
                _finding(
                    "F1",
                    "ETI 1.1 Employment is freely chosen",
                    ["retention-of-identity-documents", "restriction-of-movement"],
                    "critical",
                    "Passports of 38 migrant workers held by HR 'for safekeeping'.",
                ),
                _finding(
                    "F2",
                    "ETI 6 Working hours",
                    ["excessive-overtime"],
                    "major",
                    "72-hour weeks in peak season; overtime presented as mandatory.",
                ),
                _finding(
                    "F3",
                    "ETI 5 Wages",
                    ["withholding-of-wages", "debt-bondage"],
                    "major",
                    "Recruitment fees deducted from wages in monthly instalments.",
                ),
            ],
            actions=[
                {
                    "findingId": "F1",
                    "action": "Return passports; personal lockers in dormitory.",
                    "dueDate": "2026-04-12",
                    "verifier": veritas.name,
                }
            ],
        ),
    )
    submit(
        veritas,
        _audit(
            "fac-bd-dhaka-knit-01",
            veritas,
            scheme=("SMETA", "7.0 4-pillar"),
            audit_type="follow-up",
            notice="unannounced",
            dates=("2026-05-05", "2026-05-05", "2027-03-12"),
            rating="partially remediated",
            interviewed=30,
            scope="Follow-up of the March 2026 full audit.",
            follows=dhaka,
            findings=[
                _finding(
                    "FU1",
                    "ETI 1.1",
                    ["retention-of-identity-documents"],
                    "critical",
                    "All passports returned; 310 lockers installed; workers hold their own keys.",
                    status="closed",
                    followsFinding="F1",
                ),
                _finding(
                    "FU3",
                    "ETI 5",
                    ["debt-bondage"],
                    "major",
                    "Deductions stopped; reimbursement plan agreed, first instalment paid.",
                    status="in-progress",
                    followsFinding="F3",
                ),
            ],
        ),
    )
    submit(
        meridian,
        _audit(
            "fac-vn-binhduong-shoe-02",
            meridian,
            scheme=("amfori BSCI", "2.0"),
            audit_type="full",
            notice="announced",
            dates=("2026-02-16", "2026-02-18", "2027-02-18"),
            rating="C",
            interviewed=38,
            scope="Cutting, stitching and assembly; 2,100 workers.",
            findings=[
                _finding(
                    "B1",
                    "PA 8 Decent working hours",
                    ["excessive-overtime"],
                    "major",
                    "Rest day missed for three consecutive weeks in December.",
                ),
                _finding(
                    "B2",
                    "PA 11 No bonded labour",
                    ["intimidation-and-threats"],
                    "critical",
                    "Supervisors threatened dismissal for refusing overtime.",
                ),
            ],
        ),
    )
    submit(
        meridian,
        _audit(
            "fac-my-penang-pcb-03",
            meridian,
            scheme=("RBA VAP", "8.0"),
            audit_type="initial",
            notice="announced",
            dates=("2026-06-02", "2026-06-05", "2028-06-05"),
            rating="priority findings",
            interviewed=52,
            scope="SMT lines and dormitories; 900 workers, 60% foreign migrant workers.",
            findings=[
                _finding(
                    "R1",
                    "A1 Freely chosen employment",
                    ["deception", "debt-bondage"],
                    "zero-tolerance",
                    "Workers paid recruitment fees of up to MYR 4,000 to agents in Nepal.",
                ),
                _finding(
                    "R2",
                    "A1 Freely chosen employment",
                    ["retention-of-identity-documents"],
                    "critical",
                    "Passports kept in a locked office; 'safekeeping' is illegal in Malaysia.",
                ),
                _finding(
                    "R3",
                    "A7 Humane treatment",
                    ["abusive-working-and-living-conditions", "isolation"],
                    "major",
                    "Dormitory of 16 to a room; curfew enforced by security guards.",
                ),
            ],
        ),
    )
    submit(
        veritas,
        _audit(
            "fac-in-tiruppur-spin-04",
            veritas,
            scheme=("SA8000", "2014"),
            audit_type="surveillance",
            notice="unannounced",
            dates=("2026-07-21", "2026-07-22", "2027-01-22"),
            rating="major non-conformities",
            interviewed=40,
            scope="Spinning mill and hostel; 700 workers, mostly young women from rural districts.",
            findings=[
                _finding(
                    "S1",
                    "SA8000 2 Forced labour",
                    ["abuse-of-vulnerability", "withholding-of-wages", "restriction-of-movement"],
                    "critical",
                    "Sumangali-style scheme: part of wages withheld until a 3-year contract ends.",
                ),
                _finding(
                    "S2",
                    "SA8000 3 Health and safety",
                    ["physical-and-sexual-violence"],
                    "major",
                    "No functioning harassment committee; two complaints not investigated.",
                ),
            ],
        ),
    )
    submit(
        meridian,
        _audit(
            "fac-tr-denizli-dye-05",
            meridian,
            scheme=("other", "Higg FSLM 2025"),
            audit_type="full",
            notice="announced",
            dates=("2026-04-14", "2026-04-15", "2027-04-15"),
            rating="meets expectations",
            interviewed=25,
            scope="Dyeing and finishing; 300 workers, Syrian refugees among them.",
            findings=[
                _finding(
                    "T1",
                    "Wages and benefits",
                    [],
                    "minor",
                    "Payslips not itemised for two refugee workers on temporary protection.",
                ),
            ],
        ),
    )
    snapshots = seed_demo_snapshots(ledger, keys, sorted(DEMO_FACILITIES), wave=0)  # audits
    workers, wallets = seed_demo_workers(ledger)  # credentialed workers, possession check-ins
    wages = seed_demo_wages(ledger, keys, wallets)  # payroll runs and the workers' answers
    supply = seed_demo_supply(ledger, keys)  # brands, a fabric mill, links down four tiers
    everything = [*sorted(DEMO_FACILITIES), "fac-bd-gazipur-fabric-06"]
    snapshots += seed_demo_snapshots(ledger, keys, everything, wave=1)  # and all the rest
    report = ledger.anchorer.drain()
    return (
        f"demo: 5 facilities, 6 audits by 2 firms; {workers}; {wages}; {supply}; "
        f"{snapshots} score snapshots; "
        f"anchored in batches {report.cut or report.anchored}"
        + (f" (anchoring error: {report.error})" if report.error else "")
    )
