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
LANGUAGES: dict[str, str] = {"en": "English", "ne": "नेपाली", "ms": "Bahasa Melayu"}

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
    "brand.external": "External evidence (credentials from other systems, not our audits)",
    "brand.external.line": "{issuer} ({level}): {topics}, {outcome}; valid until {until}",
    "brand.external.conforms": "conforms",
    "brand.external.not_conforming": "does not conform",
    "brand.external.unstated": "conformance not stated",
    "brand.external.expired": "expired",
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
    "finding.action_verifier": "Who verifies the action",
    "finding.follows": "Follows up finding (its id in the earlier audit)",
    "finding.evidence": "Evidence (SHA-256 of each file, one per line)",
    "finding.evidence_files": "Or pick the evidence files to hash them",
    "finding.evidence_hint": (
        "Each file is hashed in this browser and only its SHA-256 goes into the audit; "
        "the files themselves are not sent."
    ),
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
        "The credential's own signature is checked in this browser, beside; that the worker "
        "holds it is shown by their presentation (their QR)."
    ),
    "verify.js.credential_browser": "The credential's signature, checked in this browser",
    "verify.js.credential_proof_ok": "The issuer's signature holds.",
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

# The worker's wallet (/wallet), in English, Nepali and Bahasa Malaysia: short strings, as
# a worker reads them on a phone. Other pages fall back to English in ne and ms.
WALLET_EN: dict[str, str] = {
    "wallet.title": "My wallet",
    "wallet.app_name": "Worker wallet · Labour provenance ledger",
    "wallet.app_short_name": "My wallet",
    "wallet.language": "Language",
    "wallet.lead": "Your ID proof, your pay, on your phone. Only you can open it, with your PIN.",
    "wallet.needs_script": "This page needs JavaScript to open your wallet on this phone.",
    "wallet.open": "Open your wallet",
    "wallet.file": "Wallet file",
    "wallet.pin": "PIN",
    "wallet.keep": "Keep the wallet on this phone (locked by the PIN)",
    "wallet.kept_note": "A wallet is kept on this phone. Enter your PIN, or choose another file.",
    "wallet.open_button": "Open",
    "wallet.forget": "Remove from this phone",
    "wallet.private": "Your PIN and your key stay on this phone. Nothing secret is sent.",
    "wallet.opening": "Opening…",
    "wallet.wrong_pin": "Wrong PIN, or the file is damaged.",
    "wallet.not_a_wallet": "This is not a wallet file.",
    "wallet.no_credential": "This wallet has no credential yet.",
    "wallet.qr": "Show this QR code",
    "wallet.qr_alt": "Your QR code: it proves you hold your own ID",
    "wallet.qr_expires": "Valid for {time}",
    "wallet.qr_refresh": "New QR code",
    "wallet.qr_refreshing": "Making a new QR code…",
    "wallet.qr_offline": "No network: this QR code works offline for 5 minutes.",
    "wallet.qr_failed": "The QR code could not be made.",
    "wallet.credential": "My credential",
    "wallet.facility": "Workplace",
    "wallet.nationality": "Nationality",
    "wallet.valid_from": "Valid from",
    "wallet.valid_until": "Valid until",
    "wallet.issuer": "Issued by",
    "wallet.credential_id": "Credential",
    "wallet.no_document": "Your document number is never shown here.",
    "wallet.wages": "My pay",
    "wallet.line.period": "Period",
    "wallet.line.gross": "Gross pay",
    "wallet.line.net": "Net pay",
    "wallet.line.paid_on": "Paid on",
    "wallet.line.status": "My answer",
    "wallet.line.compliant": "Within the law.",
    "wallet.line.not_compliant": "This line breaks a pay rule.",
    "wallet.received": "I received it",
    "wallet.disputed": "It is wrong",
    "wallet.dispute_send": "Send",
    "wallet.reasons": "What is wrong?",
    "wallet.reason.underpaid": "Paid too little",
    "wallet.reason.hours-wrong": "Hours are wrong",
    "wallet.reason.deduction-not-agreed": "Deduction I did not agree to",
    "wallet.reason.not-paid": "Not paid",
    "wallet.reason.paid-late": "Paid late",
    "wallet.reason.other": "Something else",
    "wallet.ack_sent": "Your answer was sent. Your employer does not see who sent it.",
    "wallet.ack_failed": "Your answer could not be sent. Try again later.",
    "wallet.ack_need_reason": "Choose at least one reason.",
    "wallet.ack.received": "Received",
    "wallet.ack.disputed": "Disputed",
    "wallet.ack.none": "No answer yet",
    "wallet.checkins": "My check-ins",
    "wallet.wages_lead": (
        "Your pay lines from your employer's payroll. Say if you received each one."
    ),
    "wallet.wages_none": "No pay lines yet.",
    "wallet.wages_failed": "Your pay could not be read. Try again later.",
    "wallet.reload": "Refresh",
    "wallet.checkins_lead": "Each time a verifier checked your credential.",
    "wallet.checkins_none": "No check-ins yet.",
    "wallet.checkins_failed": "Your check-ins could not be read. Try again later.",
    "wallet.checkin.when": "When",
    "wallet.checkin.where": "Workplace",
    "wallet.checkin.place": "Place",
    "wallet.checkin.on_site": "At the workplace",
    "wallet.checkin.off_site": "Somewhere else",
    "wallet.checkin.document": "Document",
    "wallet.checkin.document_matched": "In your hands",
    "wallet.checkin.document_not_matched": "Not matched",
    "wallet.close": "Close wallet",
    "wallet.kept": "The wallet is kept on this phone, locked.",
    "wallet.forgotten": "The wallet was removed from this phone.",
}

WALLET_NE: dict[str, str] = {
    "wallet.title": "मेरो वालेट",
    "wallet.app_name": "कामदार वालेट",
    "wallet.app_short_name": "मेरो वालेट",
    "wallet.language": "भाषा",
    "wallet.lead": ("तपाईंको परिचयको प्रमाण र तलब, तपाईंको फोनमा। PIN बाट तपाईं मात्र खोल्न सक्नुहुन्छ।"),
    "wallet.needs_script": "यो फोनमा वालेट खोल्न यो पेजलाई JavaScript चाहिन्छ।",
    "wallet.open": "आफ्नो वालेट खोल्नुहोस्",
    "wallet.file": "वालेट फाइल",
    "wallet.pin": "PIN",
    "wallet.keep": "वालेट यही फोनमा राख्नुहोस् (PIN ले बन्द)",
    "wallet.kept_note": "यो फोनमा एउटा वालेट राखिएको छ। PIN हाल्नुहोस्, वा अर्को फाइल छान्नुहोस्।",
    "wallet.open_button": "खोल्नुहोस्",
    "wallet.forget": "यो फोनबाट हटाउनुहोस्",
    "wallet.private": "तपाईंको PIN र साँचो यही फोनमा रहन्छन्। गोप्य कुरा कतै पठाइँदैन।",
    "wallet.opening": "खोल्दै…",
    "wallet.wrong_pin": "PIN गलत छ, वा फाइल बिग्रिएको छ।",
    "wallet.not_a_wallet": "यो वालेट फाइल होइन।",
    "wallet.no_credential": "यो वालेटमा अझै प्रमाणपत्र छैन।",
    "wallet.qr": "यो QR कोड देखाउनुहोस्",
    "wallet.qr_alt": "तपाईंको QR कोड: आफ्नो परिचयपत्र आफैसँग छ भन्ने प्रमाण",
    "wallet.qr_expires": "{time} सम्म मान्य",
    "wallet.qr_refresh": "नयाँ QR कोड",
    "wallet.qr_refreshing": "नयाँ QR कोड बनाउँदै…",
    "wallet.qr_offline": "नेटवर्क छैन: यो QR कोड ५ मिनेट अफलाइन चल्छ।",
    "wallet.qr_failed": "QR कोड बन्न सकेन।",
    "wallet.credential": "मेरो प्रमाणपत्र",
    "wallet.facility": "कार्यस्थल",
    "wallet.nationality": "राष्ट्रियता",
    "wallet.valid_from": "देखि मान्य",
    "wallet.valid_until": "सम्म मान्य",
    "wallet.issuer": "जारी गर्ने",
    "wallet.credential_id": "प्रमाणपत्र",
    "wallet.no_document": "तपाईंको कागजातको नम्बर यहाँ कहिल्यै देखाइँदैन।",
    "wallet.wages": "मेरो तलब",
    "wallet.line.period": "अवधि",
    "wallet.line.gross": "कुल तलब",
    "wallet.line.net": "खुद तलब",
    "wallet.line.paid_on": "भुक्तानी मिति",
    "wallet.line.status": "मेरो जवाफ",
    "wallet.line.compliant": "कानुनअनुसार छ।",
    "wallet.line.not_compliant": "यो लाइनले तलबको नियम तोड्छ।",
    "wallet.received": "मैले पाएँ",
    "wallet.disputed": "यो गलत छ",
    "wallet.dispute_send": "पठाउनुहोस्",
    "wallet.reasons": "के गलत छ?",
    "wallet.reason.underpaid": "कम तलब दिइयो",
    "wallet.reason.hours-wrong": "घण्टा गलत छ",
    "wallet.reason.deduction-not-agreed": "मैले नमानेको कटौती",
    "wallet.reason.not-paid": "तलब दिइएन",
    "wallet.reason.paid-late": "ढिलो दिइयो",
    "wallet.reason.other": "अरू केही",
    "wallet.ack_sent": "तपाईंको जवाफ पठाइयो। कसले पठायो, रोजगारदाताले देख्दैन।",
    "wallet.ack_failed": "जवाफ पठाउन सकिएन। पछि फेरि प्रयास गर्नुहोस्।",
    "wallet.ack_need_reason": "कम्तीमा एउटा कारण छान्नुहोस्।",
    "wallet.ack.received": "पाएँ",
    "wallet.ack.disputed": "विवाद",
    "wallet.ack.none": "अझै जवाफ छैन",
    "wallet.checkins": "मेरा जाँचहरू",
    "wallet.wages_lead": "तपाईंको रोजगारदाताको तलबसूचीबाट आएका तलबका लाइनहरू। हरेक पाउनुभयो कि भन्नुहोस्।",
    "wallet.wages_none": "अहिलेसम्म कुनै तलब लाइन छैन।",
    "wallet.wages_failed": "तपाईंको तलब पढ्न सकिएन। पछि फेरि प्रयास गर्नुहोस्।",
    "wallet.reload": "फेरि लोड गर्नुहोस्",
    "wallet.checkins_lead": "प्रमाणीकरणकर्ताले तपाईंको प्रमाणपत्र जाँचेका पटकहरू।",
    "wallet.checkins_none": "अहिलेसम्म कुनै जाँच छैन।",
    "wallet.checkins_failed": "तपाईंका जाँचहरू पढ्न सकिएन। पछि फेरि प्रयास गर्नुहोस्।",
    "wallet.checkin.when": "कहिले",
    "wallet.checkin.where": "कार्यस्थल",
    "wallet.checkin.place": "ठाउँ",
    "wallet.checkin.on_site": "कार्यस्थलमा",
    "wallet.checkin.off_site": "अन्यत्र",
    "wallet.checkin.document": "कागजात",
    "wallet.checkin.document_matched": "तपाईंकै हातमा",
    "wallet.checkin.document_not_matched": "मिलेन",
    "wallet.close": "वालेट बन्द गर्नुहोस्",
    "wallet.kept": "वालेट यो फोनमा बन्द अवस्थामा राखिएको छ।",
    "wallet.forgotten": "वालेट यो फोनबाट हटाइयो।",
}

WALLET_MS: dict[str, str] = {
    "wallet.title": "Dompet saya",
    "wallet.app_name": "Dompet pekerja",
    "wallet.app_short_name": "Dompet saya",
    "wallet.language": "Bahasa",
    "wallet.lead": (
        "Bukti ID dan gaji anda, dalam telefon anda. Hanya anda boleh membukanya dengan PIN."
    ),
    "wallet.needs_script": "Halaman ini memerlukan JavaScript untuk membuka dompet di telefon ini.",
    "wallet.open": "Buka dompet anda",
    "wallet.file": "Fail dompet",
    "wallet.pin": "PIN",
    "wallet.keep": "Simpan dompet dalam telefon ini (dikunci dengan PIN)",
    "wallet.kept_note": (
        "Ada dompet disimpan dalam telefon ini. Masukkan PIN, atau pilih fail lain."
    ),
    "wallet.open_button": "Buka",
    "wallet.forget": "Buang dari telefon ini",
    "wallet.private": "PIN dan kunci anda kekal dalam telefon ini. Tiada rahsia dihantar.",
    "wallet.opening": "Membuka…",
    "wallet.wrong_pin": "PIN salah, atau fail rosak.",
    "wallet.not_a_wallet": "Ini bukan fail dompet.",
    "wallet.no_credential": "Dompet ini belum ada kelayakan.",
    "wallet.qr": "Tunjukkan kod QR ini",
    "wallet.qr_alt": "Kod QR anda: bukti bahawa ID anda ada pada anda",
    "wallet.qr_expires": "Sah selama {time}",
    "wallet.qr_refresh": "Kod QR baharu",
    "wallet.qr_refreshing": "Membuat kod QR baharu…",
    "wallet.qr_offline": "Tiada rangkaian: kod QR ini sah di luar talian selama 5 minit.",
    "wallet.qr_failed": "Kod QR tidak dapat dibuat.",
    "wallet.credential": "Kelayakan saya",
    "wallet.facility": "Tempat kerja",
    "wallet.nationality": "Warganegara",
    "wallet.valid_from": "Sah dari",
    "wallet.valid_until": "Sah hingga",
    "wallet.issuer": "Dikeluarkan oleh",
    "wallet.credential_id": "Kelayakan",
    "wallet.no_document": "Nombor dokumen anda tidak pernah ditunjukkan di sini.",
    "wallet.wages": "Gaji saya",
    "wallet.line.period": "Tempoh",
    "wallet.line.gross": "Gaji kasar",
    "wallet.line.net": "Gaji bersih",
    "wallet.line.paid_on": "Dibayar pada",
    "wallet.line.status": "Jawapan saya",
    "wallet.line.compliant": "Mengikut undang-undang.",
    "wallet.line.not_compliant": "Baris ini melanggar peraturan gaji.",
    "wallet.received": "Saya terima",
    "wallet.disputed": "Ini salah",
    "wallet.dispute_send": "Hantar",
    "wallet.reasons": "Apa yang salah?",
    "wallet.reason.underpaid": "Dibayar terlalu sedikit",
    "wallet.reason.hours-wrong": "Jam kerja salah",
    "wallet.reason.deduction-not-agreed": "Potongan yang saya tidak setuju",
    "wallet.reason.not-paid": "Tidak dibayar",
    "wallet.reason.paid-late": "Dibayar lewat",
    "wallet.reason.other": "Lain-lain",
    "wallet.ack_sent": "Jawapan anda telah dihantar. Majikan tidak tahu siapa yang menghantarnya.",
    "wallet.ack_failed": "Jawapan anda tidak dapat dihantar. Cuba lagi nanti.",
    "wallet.ack_need_reason": "Pilih sekurang-kurangnya satu sebab.",
    "wallet.ack.received": "Diterima",
    "wallet.ack.disputed": "Dipertikaikan",
    "wallet.ack.none": "Belum dijawab",
    "wallet.checkins": "Semakan saya",
    "wallet.wages_lead": (
        "Baris gaji anda daripada senarai gaji majikan. "
        "Nyatakan sama ada anda menerima setiap satu."
    ),
    "wallet.wages_none": "Belum ada baris gaji.",
    "wallet.wages_failed": "Gaji anda tidak dapat dibaca. Cuba lagi nanti.",
    "wallet.reload": "Muat semula",
    "wallet.checkins_lead": "Setiap kali pengesah menyemak kelayakan anda.",
    "wallet.checkins_none": "Belum ada semakan.",
    "wallet.checkins_failed": "Semakan anda tidak dapat dibaca. Cuba lagi nanti.",
    "wallet.checkin.when": "Bila",
    "wallet.checkin.where": "Tempat kerja",
    "wallet.checkin.place": "Tempat",
    "wallet.checkin.on_site": "Di tempat kerja",
    "wallet.checkin.off_site": "Di tempat lain",
    "wallet.checkin.document": "Dokumen",
    "wallet.checkin.document_matched": "Di tangan anda",
    "wallet.checkin.document_not_matched": "Tidak sepadan",
    "wallet.close": "Tutup dompet",
    "wallet.kept": "Dompet disimpan dalam telefon ini, berkunci.",
    "wallet.forgotten": "Dompet telah dibuang dari telefon ini.",
}
EN |= WALLET_EN

STRINGS: dict[str, Mapping[str, str]] = {"en": EN, "ne": WALLET_NE, "ms": WALLET_MS}


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
