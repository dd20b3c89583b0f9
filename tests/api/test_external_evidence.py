"""External evidence through the API on a real ledger: a Digital Conformity Credential from
another system (its own did:key issuer, real proofs in both suites, a Bitstring Status List
handed in beside it) accepted about a facility, shown in trace and score marked external and
never as one of our audits; and everything an attacker or a careless client would try,
each refused with a stable code and changing nothing.

    brand ──> FACILITY (registered by its employer, with its Open Supply Hub id)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from credentials.dataintegrity import EDDSA_JCS_2022, EDDSA_RDFC_2022
from ledger.envelope import sign_envelope
from ledger.errors import LedgerError
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from tests.api.state import changed, snapshot
from tests.api.test_fuzz_signed import _send, mutated
from tests.api.test_supply import BRAND_PROFILE, created, refused
from tests.credentials.worker_support import accredited
from tests.domain.audits.dcc_builders import (
    dcc,
    rdfc_context,
    sign,
    status_entry,
    status_list,
)
from tests.domain.supply.builders import (
    BRAND,
    FACILITY,
    brand_of,
    employer_of,
    facility_record,
    profile,
    supply_link,
)

TARGET = f"/v1/facilities/{FACILITY}/external-evidence"


@dataclass
class World:
    brand: SigningKey
    employer: SigningKey
    certifier: SigningKey  # the other system's issuer: a did:key, accredited nowhere here


@pytest.fixture
def world(ledger: Ledger, client: TestClient) -> World:
    brand = brand_of(ledger)
    created(client.post("/v1/facilities", json=facility_record(brand, BRAND_PROFILE)))
    employer = employer_of(ledger, FACILITY)
    created(client.post("/v1/facilities", json=facility_record(employer, profile())))
    created(client.post("/v1/supply-links", json=supply_link(brand, BRAND, FACILITY)))
    return World(brand, employer, SigningKey.generate())


def submission(
    signer: SigningKey,
    credential: dict[str, Any],
    lists: list[dict[str, Any]] | None = None,
    facility: str = FACILITY,
) -> dict[str, Any]:
    payload: dict[str, Any] = {"schema": "external-conformity/v1", "facility": facility,
                               "credential": credential}  # fmt: skip
    if lists:
        payload["statusListCredentials"] = lists
    return sign_envelope("external_conformity", payload, signer).to_dict()


def _revocable(certifier: SigningKey, suite: str, revoked: set[int] = frozenset()) -> Any:  # type: ignore[assignment]
    context = rdfc_context() if suite == EDDSA_RDFC_2022 else None
    credential = sign(dcc(certifier, context=context, status=status_entry(17),
                          number=f"SA8000-{suite}"), certifier, suite)  # fmt: skip
    return credential, [status_list(certifier, revoked, suite=suite)]


def test_accepted_and_shown_as_external_never_as_an_audit(
    client: TestClient, ledger: Ledger, world: World, auditor: SigningKey,
    investigator: SigningKey,
) -> None:  # fmt: skip
    score_before = client.get(f"/v1/facilities/{FACILITY}/score").json()
    assert score_before["externalEvidence"] == []
    ids = {}
    for suite, signer in ((EDDSA_JCS_2022, auditor), (EDDSA_RDFC_2022, world.brand)):
        credential, lists = _revocable(world.certifier, suite)
        accepted = created(client.post(TARGET, json=submission(signer, credential, lists)))
        assert accepted["status"] == "pending"
        ids[suite] = accepted["id"]
    # An NGO hands in one without a credentialStatus (nothing to check, nothing to hand in).
    unsigned = dcc(world.certifier, number="SA8000-plain")
    unsigned["issuer"]["name"] = "<b>Certifier</b>"  # another system's text, shown escaped
    plain = sign(unsigned, world.certifier)
    ids["plain"] = created(client.post(TARGET, json=submission(investigator, plain)))["id"]

    listed = client.get(TARGET).json()
    assert listed["facility"] == FACILITY
    entries = {e["recordId"]: e for e in listed["externalEvidence"]}
    assert set(entries) == set(ids.values())
    jcs = entries[ids[EDDSA_JCS_2022]]
    assert jcs["external"] is True and jcs["expired"] is False
    assert jcs["issuer"] == {"id": world.certifier.did, "name": "Example Social Certification Body"}
    assert (jcs["assessorLevel"], jcs["conformityTopics"], jcs["conformance"]) == (
        "3rdParty", ["social.labour"], True,
    )  # fmt: skip
    assert jcs["credentialId"] == "https://certifier.example/credentials/SA8000-eddsa-jcs-2022"
    assert jcs["digest"].startswith("sha256:") and jcs["submittedBy"] == auditor.did
    assert [(s["purpose"], s["index"], s["status"]) for s in jcs["status"]] == [
        ("revocation", 17, 0)
    ]
    assert entries[ids[EDDSA_RDFC_2022]]["suite"] == EDDSA_RDFC_2022
    assert entries[ids["plain"]]["status"] == []

    # Trace: beside the evidence, not in it; no audit gap filled, no record mixed in.
    trace = client.get(f"/v1/brands/{BRAND}/trace").json()
    (node,) = [n for n in trace["nodes"] if n["facility"] == FACILITY]
    assert {e["recordId"] for e in node["externalEvidence"]} == set(ids.values())
    assert all(e["external"] is True for e in node["externalEvidence"])
    assert node["evidence"]["audit"] is None and "no_audit" in node["missing"]
    assert not set(ids.values()) & set(node["records"])
    assert "externalEvidence" not in node["evidence"]
    page = client.get(f"/brands/{BRAND}")
    assert page.status_code == 200 and "External evidence" in page.text
    assert "Example Social Certification Body (3rdParty): social.labour, conforms" in page.text
    assert "<b>Certifier</b>" not in page.text and "&lt;b&gt;Certifier&lt;/b&gt;" in page.text

    # Score: the same points, the same records; the external ones only beside them.
    score = client.get(f"/v1/facilities/{FACILITY}/score").json()
    assert {k: v for k, v in score.items() if k != "externalEvidence"} == {
        k: v for k, v in score_before.items() if k != "externalEvidence"
    }
    assert {e["recordId"] for e in score["externalEvidence"]} == set(ids.values())
    sources = client.get(f"/v1/facilities/{FACILITY}/score/sources").json()
    assert not set(ids.values()) & set(sources["records"])
    assert "externalEvidence" not in sources["score"]
    # A record like any other: anchored in a batch of kind 13, its receipt checks out.
    assert ledger.anchorer.drain().error is None
    status = client.get(f"/v1/records/{ids['plain']}").json()
    assert (status["kind"], status["status"]) == ("external_conformity", "anchored")
    receipt = client.get(f"/v1/records/{ids['plain']}/receipt").json()
    assert ledger.check_receipt(receipt).ok


def test_a_revoked_or_suspended_credential_is_refused(
    client: TestClient, ledger: Ledger, world: World, auditor: SigningKey
) -> None:
    for suite in (EDDSA_JCS_2022, EDDSA_RDFC_2022):
        credential, lists = _revocable(world.certifier, suite, revoked={17})
        refused(client, ledger, TARGET, submission(auditor, credential, lists),
                "external_credential_revoked")  # fmt: skip
    url = "https://certifier.example/status/suspension"
    credential = sign(dcc(world.certifier, status=status_entry(5, "suspension", url)),
                      world.certifier)  # fmt: skip
    lists = [status_list(world.certifier, {5}, purpose="suspension", url=url)]
    refused(client, ledger, TARGET, submission(auditor, credential, lists),
            "external_credential_suspended")  # fmt: skip
    # Its status cannot be checked: the list was not handed in.
    refused(client, ledger, TARGET, submission(auditor, credential),
            "external_status_unchecked")  # fmt: skip


CASES = ["altered credential", "proof by another key", "about another facility",
         "environment topic", "rdfc over the UNTP context", "did:web issuer", "expired",
         "not a DCC", "unknown facility", "path and payload disagree"]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_credential_that_does_not_hold_is_refused(
    client: TestClient, ledger: Ledger, world: World, auditor: SigningKey, case: str
) -> None:
    certifier = world.certifier
    good = sign(dcc(certifier), certifier)
    target, facility = TARGET, FACILITY
    if case == "altered credential":
        credential, code = copy.deepcopy(good), "external_proof_invalid"
        credential["credentialSubject"]["assessorLevel"] = "GovtApproval"
    elif case == "proof by another key":
        credential, code = sign(dcc(certifier), SigningKey.generate()), "external_proof_invalid"
    elif case == "about another facility":
        other = {"id": "https://opensupplyhub.org/facilities/BD2021048K7Q2MY",
                 "registeredId": "BD2021048K7Q2MY"}  # fmt: skip
        credential = sign(dcc(certifier, facility=other), certifier)
        code = "external_facility_mismatch"
    elif case == "environment topic":
        credential = sign(dcc(certifier, topic="environment.emissions"), certifier)
        code = "external_topic_unsupported"
    elif case == "rdfc over the UNTP context":
        credential, code = copy.deepcopy(good), "context_not_bundled"
        credential["proof"]["cryptosuite"] = EDDSA_RDFC_2022
    elif case == "did:web issuer":
        unsigned = dcc(certifier)
        unsigned["issuer"]["id"] = "did:web:certifier.example"
        credential, code = sign(unsigned, certifier), "external_issuer_unsupported"
    elif case == "expired":
        from datetime import timedelta

        from ledger.timeutil import utcnow

        now = utcnow()
        credential = sign(dcc(certifier, valid_from=now - timedelta(days=500),
                              valid_until=now - timedelta(days=100)), certifier)  # fmt: skip
        code = "credential_not_valid"
    elif case == "not a DCC":
        unsigned = dcc(certifier)
        unsigned["type"] = ["VerifiableCredential", "SomeOtherCredential"]
        credential, code = sign(unsigned, certifier), "external_credential_invalid"
    elif case == "unknown facility":
        facility, target = "fac-xx-nowhere-01", "/v1/facilities/fac-xx-nowhere-01/external-evidence"
        credential, code = good, "facility_unknown"
    else:
        facility, credential, code = "fac-xx-nowhere-01", good, "schema_violation"
    refused(client, ledger, target, submission(auditor, credential, facility=facility), code)
    assert client.get(TARGET).json()["externalEvidence"] == []


def test_only_accredited_auditors_brands_and_investigators_submit(
    client: TestClient, ledger: Ledger, world: World
) -> None:
    good = sign(dcc(world.certifier), world.certifier)
    for role, code in ((Role.EMPLOYER, "not_accredited"), (Role.ISSUER, "not_accredited"),
                       (Role.VERIFIER, "not_accredited")):  # fmt: skip
        refused(client, ledger, TARGET, submission(accredited(ledger, role), good), code)
    refused(client, ledger, TARGET, submission(world.employer, good), "not_accredited")
    refused(client, ledger, TARGET, submission(SigningKey.generate(), good), "unknown_signer")
    # A forged envelope: the payload changed after signing.
    forged = submission(accredited(ledger, Role.AUDITOR), good)
    forged["payload"]["credential"] = sign(dcc(world.certifier, number="other"), world.certifier)
    refused(client, ledger, TARGET, forged, "bad_signature")
    unsigned = {k: v for k, v in forged.items() if k != "signature"}
    before = snapshot(ledger)
    response = client.post(TARGET, json=unsigned)
    assert response.status_code in (400, 401, 422) and response.json()["code"]
    assert changed(before, snapshot(ledger)) == {}
    # Another kind on this endpoint.
    other_kind = sign_envelope("facility", {"schema": "facility/v1", "facility": profile()},
                               world.employer).to_dict()  # fmt: skip
    refused(client, ledger, TARGET, other_kind, "schema_violation")


def test_oversized_deep_or_malformed_payloads_are_refused(
    client: TestClient, ledger: Ledger, world: World, auditor: SigningKey
) -> None:
    big = dcc(world.certifier)
    big["credentialSubject"]["description"] = "x" * (70 * 1024)
    refused(client, ledger, TARGET, submission(auditor, sign(big, world.certifier)),
            "schema_violation")  # fmt: skip
    deep: dict[str, Any] = {"leaf": 1}
    for _ in range(30):
        deep = {"n": deep}
    nested = dcc(world.certifier)
    nested["credentialSubject"]["extra"] = deep
    refused(client, ledger, TARGET, submission(auditor, sign(nested, world.certifier)),
            "schema_violation")  # fmt: skip
    lists = [status_list(world.certifier, url=f"https://certifier.example/s/{i}") for i in range(5)]
    refused(client, ledger, TARGET, submission(auditor, sign(dcc(world.certifier),
            world.certifier), lists), "schema_violation")  # fmt: skip
    for credential in ("a string", [1, 2]):
        payload = {"schema": "external-conformity/v1", "facility": FACILITY,
                   "credential": credential}  # fmt: skip
        envelope = sign_envelope("external_conformity", payload, auditor).to_dict()
        refused(client, ledger, TARGET, envelope, "schema_violation")
    # Past the body limit: refused before it is read.
    before = snapshot(ledger)
    huge = dcc(world.certifier)
    huge["credentialSubject"]["description"] = "x" * 300_000
    response = client.post(TARGET, json=submission(auditor, huge))
    assert (response.status_code, response.json()["code"]) == (413, "body_too_large")
    assert changed(before, snapshot(ledger)) == {}


def test_a_replay_is_refused_and_the_credential_is_on_file_once(
    client: TestClient, ledger: Ledger, world: World, auditor: SigningKey
) -> None:
    credential = sign(dcc(world.certifier), world.certifier)
    envelope = submission(auditor, credential)
    first = created(client.post(TARGET, json=envelope))["id"]
    refused(client, ledger, TARGET, envelope, "duplicate_record")  # the same envelope again
    # The same credential in a new envelope, by the same or another submitter.
    for signer in (auditor, world.brand):
        before = snapshot(ledger)
        response = client.post(TARGET, json=submission(signer, credential))
        assert response.status_code == 409, response.text
        body = response.json()
        assert (body["code"], body["record_id"]) == ("external_evidence_duplicate", first)
        assert changed(before, snapshot(ledger)) == {}
    # Reserialised (key order) it is still the same signed statement.
    shuffled = dict(reversed(list(credential.items())))
    refused(client, ledger, TARGET, submission(auditor, shuffled), "external_evidence_duplicate")
    assert [e["recordId"] for e in client.get(TARGET).json()["externalEvidence"]] == [first]


FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


def test_fuzzed_submissions_never_fail_or_change_anything_when_refused(
    client: TestClient, ledger: Ledger, world: World, auditor: SigningKey
) -> None:
    """Behind a valid envelope signature, and behind a valid credential proof too (the DCC
    is mutated, then signed by its issuer): no 5xx, and a refusal changes nothing."""
    credential, lists = _revocable(world.certifier, EDDSA_JCS_2022)
    template = submission(auditor, credential, lists)["payload"]
    unsigned = dcc(world.certifier, status=status_entry(17))

    @FUZZ
    @given(payload=mutated(template), document=mutated(unsigned))
    def run(payload: dict[str, Any], document: dict[str, Any]) -> None:
        _send(client, ledger, TARGET, sign_envelope("external_conformity", payload,
                                                    auditor).to_dict())  # fmt: skip
        try:
            resigned = sign(document, world.certifier)
        except LedgerError:
            return  # not a document a proof can be made over (e.g. not I-JSON)
        body = submission(auditor, resigned, lists)
        _send(client, ledger, TARGET, body)

    run()
