"""did:web: identifier to URL (the spec's examples), the document we build, strict reading."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from credentials.dataintegrity import add_proof
from credentials.didweb import (
    MAX_DOCUMENT_BYTES,
    MAX_METHODS,
    build_did_document,
    did_web,
    did_web_url,
    keys_of,
    parse_did_document,
)
from credentials.errors import (
    DidDocumentInvalid,
    DidWebInvalid,
    IssuerProofMissing,
    IssuerUnresolved,
)
from credentials.verifier import verify_credential
from ledger.keys import SigningKey, VerifyKey
from tests.credentials.vc_support import worker_credential

ORG = "did:web:ledger.example.org:orgs:veritas"


@pytest.mark.parametrize(
    ("did", "url"),
    [
        # The did:web spec's examples (section 3.2, "Read (Resolve)").
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        ("did:web:127.0.0.1%3A8000:orgs:veritas", "https://127.0.0.1:8000/orgs/veritas/did.json"),
    ],
)
def test_did_maps_to_url(did: str, url: str) -> None:
    assert did_web_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "did:web:",
        "did:web:Example.com",  # identifiers compare as strings: lower case only
        "did:web:example.com/path",
        "did:web:example.com#key-1",
        "did:web:example.com:user:..",
        "did:web:example.com%3A99999",
        "did:web:exa mple.com",
        "did:web:example.com:a%2Fb",
    ],
)
def test_malformed_did_is_refused(did: str) -> None:
    with pytest.raises(DidWebInvalid):
        did_web_url(did)


def test_did_web_builder_encodes_the_port() -> None:
    assert did_web("127.0.0.1:8000", "orgs", "veritas") == "did:web:127.0.0.1%3A8000:orgs:veritas"
    assert did_web("Ledger.Example.org") == "did:web:ledger.example.org"


@pytest.fixture
def keys() -> list[VerifyKey]:
    return [SigningKey(bytes([n]) * 32).verify_key for n in (1, 2)]


def test_document_shape(keys: list[VerifyKey]) -> None:
    document = build_did_document(ORG, [*keys, keys[0]])
    assert document == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": ORG,
        "alsoKnownAs": [k.did for k in keys],
        "verificationMethod": [
            {
                "id": f"{ORG}#key-{i}",
                "type": "Multikey",
                "controller": ORG,
                "publicKeyMultibase": k.multibase,
            }
            for i, k in enumerate(keys, start=1)
        ],
        "assertionMethod": [f"{ORG}#key-1", f"{ORG}#key-2"],
        "authentication": [f"{ORG}#key-1", f"{ORG}#key-2"],
    }
    assert all(k.multibase.startswith("z6Mk") for k in keys)
    assert keys_of(document, ORG) == tuple(keys)
    assert keys_of(document, ORG, purpose="authentication") == tuple(keys)
    assert keys_of(document, ORG, purpose="capabilityInvocation") == ()


def _bad(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("id",), "did:web:evil.example:orgs:veritas", "id"),
        (("controller",), "did:web:evil.example", "controller"),
        (("service",), [{"id": "#x", "type": "LinkedDomains"}], "service"),
        (("@context",), ["https://www.w3.org/ns/credentials/v2"], "@context"),
        (("alsoKnownAs",), "did:key:z6Mk", "alsoKnownAs"),
        (("verificationMethod",), [], "verificationMethod"),
        (("verificationMethod", 0, "controller"), "did:web:evil.example", "verificationMethod.controller"),
        (("verificationMethod", 0, "type"), "JsonWebKey2020", "verificationMethod.type"),
        (("verificationMethod", 0, "id"), "did:web:evil.example#key-1", "verificationMethod.id"),
        # An X25519 (z6LS...) multikey: not a signing key.
        (("verificationMethod", 0, "publicKeyMultibase"),
         "z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc", "verificationMethod.publicKeyMultibase"),
        (("verificationMethod", 0, "publicKeyMultibase"), "z6Mk", "verificationMethod.publicKeyMultibase"),
        (("verificationMethod", 0, "publicKeyJwk"), {"kty": "OKP"}, "verificationMethod"),
        (("assertionMethod",), [f"{ORG}#key-9"], "assertionMethod"),
        (("assertionMethod",), [{"id": f"{ORG}#key-9"}], "assertionMethod"),
    ],
)  # fmt: skip
def test_malformed_document_is_refused(
    keys: list[VerifyKey], path: tuple[Any, ...], value: Any, field: str
) -> None:
    document = _bad(build_did_document(ORG, keys), path, value)
    with pytest.raises(DidDocumentInvalid) as caught:
        keys_of(document, ORG)
    assert caught.value.data["field"] == field


def test_document_of_another_did_is_refused(keys: list[VerifyKey]) -> None:
    with pytest.raises(DidDocumentInvalid):
        keys_of(build_did_document(ORG, keys), "did:web:ledger.example.org:orgs:meridian")


def test_too_many_methods_and_oversized_text_are_refused() -> None:
    many = [SigningKey.generate().verify_key for _ in range(MAX_METHODS + 1)]
    with pytest.raises(DidDocumentInvalid):
        build_did_document(ORG, many)
    document = build_did_document(ORG, many[:MAX_METHODS])
    document["verificationMethod"].append({**document["verificationMethod"][0], "id": ORG + "#x"})
    with pytest.raises(DidDocumentInvalid):
        keys_of(document, ORG)
    text = json.dumps(build_did_document(ORG, many[:1])).encode()
    assert parse_did_document(text, ORG) == (many[0],)
    with pytest.raises(DidDocumentInvalid):
        parse_did_document(text + b" " * (MAX_DOCUMENT_BYTES - len(text) + 1), ORG)
    with pytest.raises(DidDocumentInvalid):
        parse_did_document(b'{"id": 1, "id": 2}', ORG)


# -- a credential whose issuer is a did:web ----------------------------------------------


@pytest.fixture
def signer() -> SigningKey:
    return SigningKey(bytes([7]) * 32)


def _issued(signer: SigningKey) -> dict[str, Any]:
    credential = worker_credential(signer, SigningKey(bytes([8]) * 32))
    credential["issuer"] = ORG
    return add_proof(credential, signer)


def test_did_web_issuer_verifies_through_a_listed_key(signer: SigningKey) -> None:
    document = build_did_document(ORG, [signer.verify_key])
    credential = _issued(signer)
    verification = verify_credential(
        credential, issuer_keys=lambda did: [k.did for k in keys_of(document, did)]
    )
    assert verification.proofs[0].controller == signer.did


def test_did_web_issuer_fails_without_its_key(signer: SigningKey, keys: list[VerifyKey]) -> None:
    credential = _issued(signer)
    others = build_did_document(ORG, keys)  # the signer's key was removed from the document
    with pytest.raises(IssuerProofMissing):
        verify_credential(credential, issuer_keys=lambda did: [k.did for k in keys_of(others, did)])
    with pytest.raises(IssuerUnresolved):
        verify_credential(credential, issuer_keys=lambda did: [])
    with pytest.raises(IssuerUnresolved):
        verify_credential(credential)  # no resolver: a did:web issuer is never assumed


def test_did_key_issuer_is_unchanged(signer: SigningKey) -> None:
    credential = add_proof(worker_credential(signer, SigningKey(bytes([8]) * 32)), signer)
    verify_credential(credential, issuer_keys=lambda did: pytest.fail("not asked for did:key"))
