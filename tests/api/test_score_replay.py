"""A score recomputed from its receipts alone equals the API's where the database's rules
are subtle: a corrected payroll run (the correction counts), a worker who acknowledged and
then disputed (the latest answer counts), a credential suspended and reinstated and one
revoked, a check-in, and a supply link that names an id merged since into its supplier.
The receipts are the ledger's own, checked against its deployment; SQLite and PostgreSQL.

    G ──> S  (confirmed), G ──> E (a stub), G ──> S' (an id S merged in later)
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

from credentials.possession import document_matches
from credentials.worker import parse_worker_credential, status_change_payload
from domain.scores.loader import evidence_of
from domain.scores.recompute import recompute
from domain.scores.replay import evidence_from_records
from domain.workers import WorkerCredentials
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.store.db import session_scope
from ledger.store.models import RecordRow
from ledger.timeutil import parse_time
from tests.api.test_scores import G, S, Scored, scored  # noqa: F401 (the fixture)
from tests.api.test_supply import created
from tests.credentials.worker_support import NUMBER, accredited, checkin_envelope, wallet_for
from tests.domain.supply.builders import employer_of, facility_record, profile, supply_link
from tests.domain.wages.builders import ack, payroll, run_ref

MERGED = "fac-in-salem-spin-old"


def _status(ledger: Ledger, issuer: SigningKey, credential: dict, action: str) -> None:
    status_id = parse_worker_credential(credential).status_id
    payload = status_change_payload(status_id, action)
    WorkerCredentials(ledger).change_status(
        sign_envelope("credential_status", payload, issuer).to_dict()
    )


def _subtle(ledger: Ledger, client: TestClient, scored: Scored) -> None:  # noqa: F811
    # A link to an id that S then merges in.
    created(client.post("/v1/supply-links", json=supply_link(scored.employer, G, MERGED)))
    merged = facility_record(employer_of(ledger, S), profile(S, aliases=[MERGED]))
    created(client.post("/v1/facilities", json=merged))
    # A correction of G's run, answered twice by one worker.
    with session_scope(ledger.engine) as session:
        first = json.loads(session.get(RecordRow, scored.lines[0]).envelope)["payload"]["run"]["id"]
    workers = [SigningKey.generate() for _ in range(3)]
    fixed = payroll(scored.employer, [w.did for w in workers],
                    run=run_ref(3, facility=G, corrects=first))  # fmt: skip
    lines = [x["id"] for x in created(client.post("/v1/wages", json={"lines": fixed}))["lines"]]
    for answer in (ack(workers[0], lines[0]),
                   ack(workers[0], lines[0], "disputed", reasons=["underpaid"]),
                   ack(workers[1], lines[1])):  # fmt: skip
        assert client.post("/v1/wages/ack", json=answer).status_code == 201
    # Credentials at G: one checked in, suspended and reinstated; one revoked.
    issuer, verifier = accredited(ledger, Role.ISSUER), accredited(ledger, Role.VERIFIER)
    kept, gone = wallet_for(ledger, issuer, facility=G), wallet_for(ledger, issuer, facility=G)
    credentials = WorkerCredentials(ledger)
    challenge, _ = credentials.issue_challenge()
    presentation = kept.present(challenge=challenge)
    matched = document_matches(presentation, salt_hex=kept.reveal_salt(),
                               document_type="passport", number=NUMBER, country="NP")  # fmt: skip
    assert matched
    credentials.check_in(presentation, checkin_envelope(verifier, presentation, matches=True))
    _status(ledger, issuer, kept.credential, "suspend")
    _status(ledger, issuer, kept.credential, "reinstate")
    _status(ledger, issuer, gone.credential, "revoke")


def test_the_subtle_cases_recompute_exactly(
    ledger: Ledger,
    client: TestClient,
    scored: Scored,  # noqa: F811
    tmp_path: Path,
) -> None:
    _subtle(ledger, client, scored)
    report = ledger.anchorer.drain()
    assert report.error is None
    manifest = client.get(f"/v1/facilities/{G}/score/sources").json()
    kinds = set()
    (tmp_path / "receipts").mkdir()
    for record_id in manifest["records"]:
        receipt = ledger.receipt(record_id)
        kinds.add(receipt["kind"])
        (tmp_path / "receipts" / f"{record_id}.json").write_text(json.dumps(receipt))
    assert {"wage", "wage-ack", "credential", "credential_status", "checkin", "audit",
            "supply-link", "supply-confirm", "facility"} <= kinds  # fmt: skip
    links = {c["name"]: c for c in manifest["score"]["components"]}["traceability"]["inputs"]
    assert (links["links"], links["supplierWithValidAudit"]) == (3, 2), "the merged id is S"
    found = recompute(tmp_path, manifest, ledger.check_receipt)
    assert found.bad == [] and found.verified == len(manifest["records"])
    assert found.ok, [c for c in found.components if not c.reproduced]
    assert found.score == Decimal(str(manifest["score"]["score"]))
    api = {c["name"]: c for c in manifest["score"]["components"]}
    assert api["wages"]["inputs"]["lines"] == 3, "the correction counts, not the first run"
    voice = api["worker_voice"]["inputs"]
    assert (voice["acknowledged"], voice["disputed"]) == (1, 1), "the latest answer counts"
    assert voice["credentialedWorkers"] == 2, (
        "the reinstated one and the fixture's; not the revoked"
    )

    # And the evidence itself, field by field.
    at = parse_time(manifest["computedAt"], field="computedAt")
    with session_scope(ledger.engine) as session:
        stored = evidence_of(session, G, at)
    envelopes = {i: json.loads((tmp_path / "receipts" / f"{i}.json").read_text())["envelope"]
                 for i in manifest["records"]}  # fmt: skip
    rebuilt = evidence_from_records(envelopes, G, at, wage_rules=manifest["wageRules"])
    assert rebuilt == dataclasses.replace(stored, coercion_flags=0)
