"""Every string the pages show, in one place, per language.

A page asks for a string by key (``t("home.title")``); the language is the ``lang`` query
parameter if it names one we have, else the best of ``Accept-Language``, else English. A key
missing from a language falls back to English, and a key missing from English is an error
that fails the page (``tests/api/test_pages.py`` renders every page). The worker's wallet
will add Nepali (``ne``) and Bahasa Malaysia (``ms``): a new language is one more dict here
and one more entry in ``LANGUAGES``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "STRINGS", "negotiate", "translator"]

DEFAULT_LANGUAGE = "en"
# language tag -> its own name for itself (for a language switcher)
LANGUAGES: dict[str, str] = {"en": "English"}

EN: dict[str, str] = {
    "site.name": "Labour provenance ledger",
    "site.skip": "Skip to content",
    "site.nav": "Main",
    "site.home": "Home",
    "site.api_docs": "API documentation",
    "site.footer": (
        "Every figure here comes from signed records anchored on chain; "
        "each links to the receipt that proves it."
    ),
    # home
    "home.title": "Evidence on labour conditions you can check yourself",
    "home.lead": (
        "Auditors, employers, verifiers and credential issuers sign records about factories "
        "and workers with their own keys. The ledger batches them into Merkle trees and anchors "
        "each root on an EVM chain, so anyone can check who wrote a record, what it says and "
        "when, with nothing but its receipt and a public RPC endpoint."
    ),
    "home.ways_in": "Find your way in",
    "home.worker": "Worker",
    "home.worker.what": "Open your wallet: show a fresh QR that proves you hold your own ID.",
    "home.verifier": "Anyone",
    "home.verifier.what": "Verify a receipt, a credential or a worker's QR, in your browser.",
    "home.auditor": "Auditor",
    "home.auditor.what": "Sign and submit an audit, then follow it until it is anchored.",
    "home.employer": "Employer",
    "home.employer.what": "Upload a payroll file and see every line checked against the law.",
    "home.brand": "Brand",
    "home.brand.what": "Trace your supply chain tier by tier, with the evidence at each node.",
    "home.lender": "Lender",
    "home.lender.what": "Rank suppliers by their signed transparency scores.",
    "home.investigator": "Investigator",
    "home.investigator.what": "Review coercion flags and duress signals (accredited keys only).",
    "home.developer": "Developer",
    "home.developer.what": "The JSON API behind these pages.",
    # lenders
    "lenders.title": "Suppliers ranked by transparency score",
    "lenders.lead": (
        "Each supplier's latest score snapshot: a signed, anchored record a lender can cite. "
        "Facilities never snapshotted are not ranked."
    ),
    "lenders.filter": "Filter",
    "lenders.min_score": "Minimum score (0-100)",
    "lenders.country": "Country",
    "lenders.any_country": "Any country",
    "lenders.apply": "Apply",
    "lenders.reset": "Clear filters",
    "lenders.invalid": "The filter was not applied: {detail}",
    "lenders.count": "{count} suppliers",
    "lenders.none": "No supplier matches these filters.",
    "lenders.rank": "Rank",
    "lenders.facility": "Facility",
    "lenders.score": "Score",
    "lenders.trend": "Trend",
    "lenders.trend_first": "first snapshot",
    "lenders.trend_up": "up {points}",
    "lenders.trend_down": "down {points}",
    "lenders.trend_flat": "unchanged",
    "lenders.as_of": "As of",
    "lenders.age": "Snapshot age (days)",
    "lenders.latest_audit": "Latest audit ended",
    "lenders.record": "Snapshot",
    "lenders.typology": "Due-diligence typology (CSV)",
    # facility
    "facility.title": "{name}: transparency score",
    "facility.score": "Score",
    "facility.out_of": "{score} out of 100",
    "facility.formula": "Formula {version}",
    "facility.formula_col": "Formula",
    "facility.capped": (
        "Capped at {limit} (it would be {uncapped}): an open finding of identity-document "
        "retention or debt bondage holds the score down until a follow-up audit closes it."
    ),
    "facility.components": "How the score is made up",
    "facility.component": "Component",
    "facility.points": "Points",
    "facility.inputs": "What it counted",
    "facility.missing": "Missing evidence",
    "facility.records": "Backing records",
    "facility.none": "none",
    "facility.history": "Score history",
    "facility.history_none": (
        "No snapshot of this score has been kept yet: a brand key signs one "
        "(POST /v1/facilities/ID/score/snapshot)."
    ),
    "facility.chart": "Score snapshots over time, from {first} to {last}",
    "facility.snapshots": "Anchored snapshots",
    "facility.as_of": "As of",
    "facility.receipt": "Receipt",
    "facility.state": "State",
    "facility.json": "This score as JSON",
    "facility.trace": "Its suppliers",
    "facility.country": "Country",
    "facility.sector": "Sector",
    # brands
    "brands.title": "Brands",
    "brands.lead": "Open a brand to trace its supply chain through every tier.",
    "brands.none": "No brand is registered yet.",
    "brand.title": "{name}: supply chain",
    "brand.lead": (
        "Every facility below {name}, once each, at its lowest tier. Risk is a coarse reading "
        "of the evidence: open findings, coercion flags, wage compliance and what is missing."
    ),
    "brand.csv": "Download as CSV",
    "brand.json": "As JSON",
    "brand.tier": "Tier {tier}",
    "brand.tier0": "Tier 0: the brand",
    "brand.legend": "Risk levels",
    "brand.risk.high": "High risk",
    "brand.risk.medium": "Medium risk",
    "brand.risk.low": "Low risk",
    "brand.risk.high.what": (
        "a zero-tolerance or ID-retention/debt-bondage finding open, coercion flags, "
        "under 90 % of wage lines compliant, or no valid audit"
    ),
    "brand.risk.medium.what": (
        "other open findings, other missing evidence, some wage lines not compliant, "
        "or under 80 % of workers with a recent ID check-in"
    ),
    "brand.risk.low.what": "none of these",
    "brand.missing": "Missing evidence",
    "brand.no_missing": "No evidence missing",
    "brand.evidence": "Evidence and receipts",
    "brand.audit": "Latest valid audit",
    "brand.audit.line": "{scheme}, ended {end}, valid until {until}",
    "brand.audit.none": "No valid audit",
    "brand.findings": "Open findings by ILO indicator",
    "brand.findings.none": "No open findings with an ILO indicator",
    "brand.zero_tolerance": "Open zero-tolerance findings: {count}",
    "brand.wages": "Current payroll run",
    "brand.wages.line": (
        "{lines} lines, {compliance} compliant, {ack} acknowledged, {dispute} disputed "
        "({start} to {end})"
    ),
    "brand.wages.none": "No wage records",
    "brand.possession": "Workers holding their own ID",
    "brand.possession.line": (
        "{rate} of {workers} credentialed workers checked in within {days} days"
    ),
    "brand.possession.none": "No credentialed workers",
    "brand.flags": "Coercion flags (90 days): {count}",
    "brand.suppliers": "Buys from",
    "brand.confirmed": "confirmed by the supplier",
    "brand.unconfirmed": "not confirmed by the supplier",
    "brand.records": "Records behind these figures",
    "brand.receipt": "receipt",
    "brand.receipt_parties": "receipt (its parties only)",
    "brand.score": "Transparency score",
    "brand.cycles": "Cycles",
    "brand.cycles.what": "These links loop back on themselves; each is reported, never followed.",
    "brand.nodes": "{count} facilities",
    "reason.open_zero_tolerance": "open zero-tolerance finding",
    "reason.open_capping_finding": "open ID-retention or debt-bondage finding",
    "reason.coercion_flags": "coercion flags in the last 90 days",
    "reason.wage_violations": "wage lines breaking the rules",
    "reason.low_id_possession": "few workers with a recent ID check-in",
    "reason.open_findings": "open forced-labour findings",
    "missing.no_audit": "no audit",
    "missing.audit_expired": "audit expired",
    "missing.no_wage_records": "no wage records",
    "missing.no_credentialed_workers": "no credentialed workers",
    "missing.unconfirmed_link": "a link into it is unconfirmed",
    "missing.no_supplier_links": "no supplier links",
    "missing.no_current_audit": "no current audit",
    # components of the score (domain/scores/formula.py)
    "component.traceability": "Traceability",
    "component.audit": "Audit",
    "component.corrective_actions": "Corrective actions",
    "component.forced_labour_findings": "Forced-labour findings",
    "component.worker_voice": "Worker voice",
    "component.wages": "Wages",
    # forms that sign in the page (audits, payroll, investigations)
    "form.optional": "(optional)",
    "form.required": "Required.",
    "form.invalid": "Some fields need attention.",
    "form.unreachable": "The server could not be reached; nothing was sent. Try again.",
    "key.legend": "Your key",
    "key.hint": (
        "Open the key file that ledger keys new wrote. It is opened here, in this browser, with "
        "your passphrase: neither the key nor the passphrase is ever sent."
    ),
    "key.file": "Key file",
    "key.passphrase": "Passphrase",
    "key.opening": "Opening your key…",
    "key.missing": "Open your key file first.",
    "key.no_file": "Choose your key file.",
    "key.signer": "Signing as {did}",
    # auditor
    "audit.title": "Sign and submit an audit",
    "audit.lead": (
        "Fill in the audit, add each finding with its ILO indicators and severity, then sign it "
        "with your auditor key. It is anchored on chain within seconds to minutes; this page "
        "follows it and then shows its receipt."
    ),
    "audit.facility": "Facility",
    "audit.facility_id": "Facility id",
    "audit.facility_name": "Facility name",
    "audit.country": "Country (ISO code)",
    "audit.osh_id": "Open Supply Hub id",
    "audit.audit": "The audit",
    "audit.scheme": "Scheme",
    "audit.scheme_version": "Scheme version",
    "audit.type": "Audit type",
    "audit.notice": "Notice",
    "audit.follows": "Follows audit (record id, for a follow-up)",
    "audit.start": "First day",
    "audit.end": "Last day",
    "audit.valid_until": "Valid until",
    "audit.firm": "Audit firm",
    "audit.firm_id": "Audit firm id",
    "audit.interviewed": "Workers interviewed",
    "audit.rating": "Overall rating",
    "audit.scope": "Scope",
    "audit.findings": "Findings",
    "audit.findings.hint": (
        "One finding per non-compliance; a corrective action, if you give one, is for that finding."
    ),
    "audit.add_finding": "Add a finding",
    "audit.submit": "Sign and submit",
    "audit.signing": "Signing…",
    "audit.progress": "Submitted: following it until it is anchored",
    "audit.record": "Record",
    "audit.state": "Now {state}.",
    "audit.waiting": "Waiting for the next batch…",
    "audit.anchored": "Anchored in block {block} at {time} (transaction {tx}).",
    "audit.receipt": "Receipt",
    "audit.receipt_download": "Download the receipt (JSON)",
    "audit.verify_it": "Verify it",
    "state.pending": "Pending",
    "state.batched": "In a batch",
    "state.submitted": "Sent to the chain",
    "state.anchored": "Anchored",
    "finding.legend": "Finding {n}",
    "finding.id": "Finding id",
    "finding.clause": "Clause",
    "finding.severity": "Severity",
    "finding.status": "Status",
    "finding.indicators": "ILO forced-labour indicators",
    "finding.description": "What was found",
    "finding.action": "Corrective action",
    "finding.due": "Action due by",
    "finding.remove": "Remove this finding",
    "severity.zero-tolerance": "Zero tolerance",
    "severity.critical": "Critical",
    "severity.major": "Major",
    "severity.minor": "Minor",
    "severity.observation": "Observation",
    "finding_status.open": "Open",
    "finding_status.in-progress": "In progress",
    "finding_status.closed": "Closed",
    "finding_status.unverified": "Could not be verified",
    "ilo.abuse-of-vulnerability": "Abuse of vulnerability",
    "ilo.deception": "Deception",
    "ilo.restriction-of-movement": "Restriction of movement",
    "ilo.isolation": "Isolation",
    "ilo.physical-and-sexual-violence": "Physical and sexual violence",
    "ilo.intimidation-and-threats": "Intimidation and threats",
    "ilo.retention-of-identity-documents": "Retention of identity documents",
    "ilo.withholding-of-wages": "Withholding of wages",
    "ilo.debt-bondage": "Debt bondage",
    "ilo.abusive-working-and-living-conditions": "Abusive working and living conditions",
    "ilo.excessive-overtime": "Excessive overtime",
    # employer: payroll upload
    "wages.title": "Check and submit a payroll run",
    "wages.lead": (
        "Choose a payroll file: every line is checked against the wage rules ({version}) "
        "before anything is signed or stored. Then sign the run with your employer key, "
        "in this browser, and submit it."
    ),
    "wages.file_legend": "The payroll file",
    "wages.format": "One CSV row per worker line of one pay run, with a header naming:",
    "wages.country": "Country or minimum-wage area",
    "wages.country_auto": "From the file's currency",
    "wages.file": "Payroll file (CSV)",
    "wages.check": "Check the file",
    "wages.no_csv": "Choose the payroll file.",
    "wages.problems": "The file cannot be read as one pay run",
    "wages.problems_count": "{count} problems",
    "wages.row": "Row",
    "wages.column": "Column",
    "wages.problem": "Problem",
    "wages.whole_file": "the file",
    "wages.whole_row": "the whole row",
    "wages.fix_and_retry": "Nothing was stored. Correct the file and check it again.",
    "wages.results": "Each line checked against the wage rules",
    "wages.summary": (
        "{compliant} of {lines} lines compliant under the {jurisdiction} rules ({version}), "
        "for {facility}. Nothing is stored until you sign and submit."
    ),
    "wages.line": "Line",
    "wages.worker": "Worker",
    "wages.gross": "Gross",
    "wages.net": "Net",
    "wages.verdict": "Verdict",
    "wages.compliant": "compliant",
    "wages.violations": "breaks the rules",
    "wages.sign_hint": (
        "Lines that break a rule are admitted too: they are evidence. The run is admitted "
        "whole or not at all."
    ),
    "wages.submit": "Sign every line and submit the run",
    "wages.submitted": "Run submitted",
    "wages.admitted": "Run {run}: {lines} lines admitted, {flagged} with violations.",
    "wages.refused_row": "Row {row}: {detail}",
    "wages.run_json": "The facility's wages (aggregates, as JSON)",
    # investigator
    "inv.title": "Coercion flags and duress signals",
    "inv.lead": (
        "For accredited investigators only. Open your investigator key: this page asks for "
        "the flags and check-ins by a request signed with it, and opens each check-in's sealed "
        "duress signal here, in this browser. Nothing is shown without the key."
    ),
    "inv.open": "Open the investigations",
    "inv.found": "What the ledger holds for investigators",
    "inv.summary": (
        "Read as {investigator}: {flags} coercion flags, {checkins} check-ins, {duress} opened "
        "with the duress PIN."
    ),
    "inv.flags": "Coercion flags",
    "inv.flags_none": "No coercion flags.",
    "inv.checkins": "Check-ins and their duress signals",
    "inv.checkins_none": "No check-ins.",
    "inv.raised": "Raised",
    "inv.kind": "Pattern",
    "inv.holder": "Worker",
    "inv.record": "Record",
    "inv.detail": "Detail",
    "inv.received": "Received",
    "inv.signal": "Signal",
    "inv.facility": "Facility",
    "inv.document": "Document matches",
    "inv.on_site": "On site",
    "inv.verifier": "Verifier",
    "inv.duress": "DURESS: opened with the duress PIN",
    "inv.normal": "normal",
    "inv.unbound": "moved from another presentation (tampering)",
    "inv.other_key": "sealed to another investigator's key",
    "inv.yes": "yes",
    "inv.no": "no",
    "inv.refused": "The server refused (HTTP {status}): {detail}",
    # errors
    "error.not_found.title": "Not found",
    "error.not_found.lead": "There is nothing here: {detail}",
    "error.home": "Back to the home page",
}

# A risk's reasons (domain.supply.risk) include the trace's missing-evidence ids.
EN |= {"reason." + k.removeprefix("missing."): v for k, v in EN.items() if k.startswith("missing.")}

STRINGS: dict[str, Mapping[str, str]] = {"en": EN}


def negotiate(query_lang: str | None, accept_language: str | None) -> str:
    """The language to answer in: ``?lang=``, else ``Accept-Language`` (by q), else English."""
    if query_lang is not None and query_lang in STRINGS:
        return query_lang
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        ranked.append((-q, position, tag.strip().lower().split("-")[0]))
    for _, _, tag in sorted(ranked):
        if tag in STRINGS:
            return tag
    return DEFAULT_LANGUAGE


def translator(language: str) -> Callable[..., str]:
    """``t(key, **values)``: the string in ``language`` (English where it has none), filled.

    Raises:
        KeyError: a key English does not have (a typo in a template fails loudly).
    """
    strings = STRINGS.get(language, EN)

    def t(key: str, **values: Any) -> str:
        text = strings.get(key) or EN[key]
        return text.format(**values) if values else text

    return t
