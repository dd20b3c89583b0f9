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
    # verify (api/pages/verify.py; verify.js.* and check.* are the page script's)
    "verify.title": "Verify a receipt, a credential or a worker's QR",
    "verify.lead": (
        "A receipt's checks run here, in your browser, with the independent verifier's code, "
        "against the chain endpoint and contract you choose: you need not trust this server. "
        "Its own verdict is shown beside yours, and any disagreement is shown in a warning."
    ),
    "verify.input": "What to verify",
    "verify.paste": "Paste a receipt, a credential, or a worker's QR text (LPL1:...)",
    "verify.file": "Or open a file: a receipt or credential (.json) or a photo of a QR code",
    "verify.camera": "Scan a QR with the camera",
    "verify.camera_stop": "Stop the camera",
    "verify.camera_video": "Camera view",
    "verify.submit": "Verify",
    "verify.trust": "What you trust",
    "verify.trust.what": (
        "The checks ask this chain endpoint whether the receipt's root is anchored in this "
        "contract. Change them to your own node, or the contract address you were given."
    ),
    "verify.rpc": "Chain RPC URL",
    "verify.contract": "ProvenanceAnchor contract address",
    "verify.chain_id": "Chain id",
    "verify.genesis": "Genesis block hash (optional)",
    "verify.results": "Result",
    "verify.noscript": (
        "The checks run in your browser and need JavaScript. Without it, use ledger verify "
        "or POST the receipt to /v1/receipts/verify."
    ),
    "verify.js.browser": "Checked in your browser",
    "verify.js.server": "This server's verdict",
    "verify.js.valid": "Valid: every check holds.",
    "verify.js.invalid": "Not valid: the {check} check failed.",
    "verify.js.pass": "Pass",
    "verify.js.fail": "Fail",
    "verify.js.not_run": "Not run",
    "verify.js.working": "Checking…",
    "verify.js.disagree": (
        "Warning: your browser and this server disagree about this receipt. "
        "Your browser says {browser}; the server says {server}. Trust the check you ran "
        "yourself, against an endpoint you trust."
    ),
    "verify.js.disagree_check": "They disagree on: {checks}.",
    "verify.js.agree": "Your browser and this server agree.",
    "verify.js.word_valid": "valid",
    "verify.js.word_invalid": "not valid",
    "verify.js.server_error": "The server could not check it: {detail}",
    "verify.js.unreadable": "This is neither JSON nor a worker's QR text: {detail}",
    "verify.js.unknown": (
        "This JSON is not a receipt (envelope, leaf, proof...), a presentation or a credential."
    ),
    "verify.js.empty": "Paste something to verify, or open a file.",
    "verify.js.no_qr": "No QR code was found in this picture.",
    "verify.js.qr_read": "QR code read: {size} characters.",
    "verify.js.no_camera": "The camera could not be opened: {detail}",
    "verify.js.presentation": "A worker's presentation, checked by this server",
    "verify.js.presentation_ok": "Accepted: the worker holds this credential; every check holds.",
    "verify.js.presentation_bad": "Refused: the {check} check failed.",
    "verify.js.credential": "A credential, as this server has it registered",
    "verify.js.credential_ok": "Registered, issued by the signer it names, and active.",
    "verify.js.credential_bad": "Not good: the {check} check failed.",
    "verify.js.credential_note": (
        "The credential's own signature is checked when a worker presents it (their QR), "
        "or with ledger vc verify."
    ),
    "verify.js.holder": "Holder",
    "verify.js.issuer": "Issuer",
    "verify.js.expires": "Presentation expires",
    "check.format": "Format",
    "check.signature": "Signature",
    "check.leaf": "Leaf",
    "check.proof": "Merkle proof",
    "check.chain": "Chain",
    "check.contract": "Contract",
    "check.anchored": "Anchored on chain",
    "check.signer_accredited": "Signer accredited on chain",
    "check.kind": "Record kind",
    "check.anchored_at": "Anchoring time",
    "check.shape": "Format",
    "check.credential_signature": "Credential signature",
    "check.credential_validity": "Credential validity period",
    "check.presentation_signature": "Worker's signature",
    "check.holder_binding": "Held by the worker it names",
    "check.freshness": "Freshness",
    "check.challenge": "Challenge",
    "check.registered": "Registered on the ledger",
    "check.issuer_accredited": "Issuer accredited on chain",
    "check.status": "Credential status",
    "check.not_replayed": "Not shown before",
    "check.issuer": "Issuer",
    "check.validity": "Validity period",
    "check.holds": "holds",
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
