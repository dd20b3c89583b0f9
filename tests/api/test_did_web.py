"""did:web for organisations on a real ledger (embedded EVM): the binding to accredited
did:keys, the served documents, and credentials naming a did:web issuer."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.settings import Settings
from credentials.dataintegrity import add_proof
from credentials.didweb import build_did_document, did_web_url, keys_of
from credentials.errors import DidDocumentInvalid
from domain.organisations import (
    MAX_KEYS,
    Organisation,
    Organisations,
    accredited_key_of,
    publish_organisation,
)
from ledger.errors import NotAccredited, SchemaViolation
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from tests.credentials.vc_support import worker_credential

HOST = "127.0.0.1:8000"  # Settings' default public host
ORG = "did:web:127.0.0.1%3A8000:orgs:veritas"
AUDITORS = frozenset({Role.AUDITOR})


@pytest.fixture
def accredited(ledger: Ledger) -> SigningKey:
    key = SigningKey.generate()
    ledger.accredit(key.did, Role.AUDITOR)
    return key


@pytest.fixture
def stranger() -> SigningKey:
    return SigningKey.generate()


def test_binding_takes_the_first_listed_accredited_key(
    ledger: Ledger, accredited: SigningKey, stranger: SigningKey
) -> None:
    document = build_did_document(ORG, [stranger.verify_key, accredited.verify_key])
    assert accredited_key_of(ledger, ORG, document, AUDITORS) == accredited.did
    with pytest.raises(NotAccredited):  # accredited, but not for this role
        accredited_key_of(ledger, ORG, document, frozenset({Role.ISSUER}))


def test_binding_refuses_a_listed_key_that_is_not_accredited(
    ledger: Ledger, accredited: SigningKey, stranger: SigningKey
) -> None:
    with pytest.raises(NotAccredited):
        accredited_key_of(ledger, ORG, build_did_document(ORG, [stranger.verify_key]), AUDITORS)
    document = build_did_document(ORG, [accredited.verify_key])
    ledger.suspend(accredited.did)
    with pytest.raises(NotAccredited):
        accredited_key_of(ledger, ORG, document, AUDITORS)
    with pytest.raises(DidDocumentInvalid):  # and a document that is not the did's
        accredited_key_of(ledger, "did:web:evil.example", document, AUDITORS)


def test_served_document_lists_the_accredited_keys(
    client: TestClient, ledger: Ledger, accredited: SigningKey, stranger: SigningKey
) -> None:
    publish_organisation(ledger, Organisation("veritas", Role.AUDITOR,
                                              (stranger.did, accredited.did)))  # fmt: skip
    assert did_web_url(ORG) == "https://127.0.0.1:8000/orgs/veritas/did.json"
    response = client.get("/orgs/veritas/did.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/did+json"
    document = response.json()
    assert keys_of(document, ORG) == (accredited.verify_key,)  # the stranger is not listed
    assert document["alsoKnownAs"] == [accredited.did]
    assert accredited_key_of(ledger, ORG, document, AUDITORS) == accredited.did

    ledger.revoke(accredited.did)
    gone = client.get("/orgs/veritas/did.json")
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"
    assert gone.json()["code"] == "not_found"
    assert client.get("/orgs/nobody/did.json").json()["code"] == "not_found"


def _credential(signer: SigningKey, issuer: str) -> dict[str, Any]:
    credential = worker_credential(signer, SigningKey.generate())
    credential["issuer"] = issuer
    return add_proof(credential, signer)


def _verify(client: TestClient, credential: dict[str, Any]) -> Any:
    return client.post("/credentials/verify", json={"verifiableCredential": credential})


def test_publishing_is_bounded(ledger: Ledger) -> None:
    keys = tuple(SigningKey.generate().did for _ in range(MAX_KEYS + 1))
    for slug, dids in (("Veritas", keys[:1]), ("v" * 49, keys[:1]), ("many", keys), ("none", ())):
        with pytest.raises(SchemaViolation):
            publish_organisation(ledger, Organisation(slug, Role.AUDITOR, dids))
    slug = "a" * 48
    publish_organisation(ledger, Organisation(slug, Role.AUDITOR, keys[:MAX_KEYS]))
    assert Organisations(ledger, HOST).get(slug).dids == keys[:MAX_KEYS]


def test_credential_with_a_did_web_issuer_verifies_through_the_bound_key(
    client: TestClient, ledger: Ledger, accredited: SigningKey, stranger: SigningKey
) -> None:
    publish_organisation(ledger, Organisation("veritas", Role.AUDITOR, (accredited.did,)))
    credential = _credential(accredited, ORG)
    response = _verify(client, credential)
    assert response.status_code == 200, response.text
    assert response.json()["checks"] == ["proof", "validity"]

    # Signed by a key the document does not list: not the issuer's.
    refused = _verify(client, _credential(stranger, ORG))
    assert refused.status_code == 400
    assert [e["code"] for e in refused.json()["errors"]] == ["issuer_proof_missing"]

    # Another host's did:web is never fetched: refused, and the warning says why.
    foreign = _verify(client, _credential(accredited, "did:web:veritas.example"))
    assert foreign.status_code == 400
    body = foreign.json()
    assert [e["code"] for e in body["errors"]] == ["issuer_unresolved"]
    assert body["errors"][0]["check"] == "issuer"
    assert "nothing is fetched" in body["warnings"][0]

    ledger.suspend(accredited.did)  # unaccredited: the document no longer binds it
    suspended = _verify(client, credential)
    assert suspended.status_code == 400
    assert [e["code"] for e in suspended.json()["errors"]] == ["issuer_unresolved"]


def test_public_host_is_validated() -> None:
    assert Settings(public_host="ledger.example.org").public_host == "ledger.example.org"
    with pytest.raises(ValueError, match="LEDGER_PUBLIC_HOST"):
        Settings(public_host="evil.example/orgs")


def test_demo_organisations_are_served_and_verify(client: TestClient, ledger: Ledger) -> None:
    from domain.demo import seed_demo

    seed_demo(ledger)
    organisations = Organisations(ledger, HOST)
    assert organisations.slugs() == ["meridian", "ngo", "nordwear", "veritas", "voltline"]
    for slug in organisations.slugs():
        did = organisations.did_of(slug)
        response = client.get(f"/orgs/{slug}/did.json")
        assert response.status_code == 200, response.text
        document = response.json()
        role = frozenset({organisations.get(slug).role})
        assert accredited_key_of(ledger, did, document, role) in organisations.get(slug).dids
        assert set(document) <= {"@context", "id", "alsoKnownAs", "verificationMethod",
                                  "assertionMethod", "authentication"}  # fmt: skip
    veritas = organisations.did_of("veritas")
    assert len(keys_of(client.get("/orgs/veritas/did.json").json(), veritas)) == 2
