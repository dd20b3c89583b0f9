"""eddsa-jcs-2022 without context processing (``jsonld=False`` in credentials/dataintegrity,
for documents whose contexts we do not bundle, such as UNTP's): the same proof the strict
implementation makes where both apply, and every check still refusing."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from credentials.dataintegrity import EDDSA_JCS_2022, EDDSA_RDFC_2022, add_proof, verify_proof
from credentials.errors import (
    ProofContextInvalid,
    ProofCreatedInvalid,
    ProofOptionsInvalid,
    ProofSignatureInvalid,
    VerificationMethodInvalid,
)
from ledger.keys import SigningKey

KEY = SigningKey(bytes(range(32)))
CREATED = "2026-01-05T09:30:00Z"
NOW = datetime(2026, 2, 1, tzinfo=UTC)
FOREIGN = "https://example.org/not-bundled/v1/"


def credential(context: str | None = None) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", *([context] if context else [])],
        "type": ["VerifiableCredential"],
        "issuer": KEY.did,
        "credentialSubject": {"id": "did:example:subject"},
    }


def add_jcs_proof(document: dict[str, Any], key: SigningKey, **options: Any) -> dict[str, Any]:
    return add_proof(document, key, suite=EDDSA_JCS_2022, jsonld=False, **options)


def verify_jcs_proof(document: dict[str, Any], **options: Any) -> Any:
    return verify_proof(document, jsonld=False, **options)


def test_the_same_proof_as_the_strict_suite_on_a_bundled_document() -> None:
    document = credential()
    strict = add_proof(document, KEY, suite=EDDSA_JCS_2022, created=CREATED)
    assert add_jcs_proof(document, KEY, created=CREATED) == strict
    assert verify_jcs_proof(strict, now=NOW) == verify_proof(strict, now=NOW)


def test_a_document_naming_an_unbundled_context_is_signed_and_verified() -> None:
    signed = add_jcs_proof(credential(FOREIGN), KEY, created=CREATED)
    assert signed["proof"]["@context"] == signed["@context"]
    assert verify_jcs_proof(signed, now=NOW).controller == KEY.did
    with pytest.raises(ProofContextInvalid):  # the strict suite cannot even read it
        verify_proof(signed, now=NOW)


def test_bad_signing_input_is_refused() -> None:
    with pytest.raises(ProofOptionsInvalid):
        add_jcs_proof(credential(), KEY, created="5 January 2026")
    with pytest.raises(ProofOptionsInvalid):  # an Ed25519 did:key cannot agree keys
        add_jcs_proof(credential(), KEY, proof_purpose="keyAgreement")


def _changed(where: str) -> dict[str, Any]:
    signed = copy.deepcopy(add_jcs_proof(credential(FOREIGN), KEY, created=CREATED))
    if where == "subject":
        signed["credentialSubject"]["id"] = "did:example:other"
    elif where == "context":
        signed["@context"] = [FOREIGN, "https://www.w3.org/ns/credentials/v2"]
    elif where == "method":
        other = SigningKey(bytes(range(1, 33))).verify_key.verification_method
        signed["proof"]["verificationMethod"] = other
    elif where == "created":
        signed["proof"]["created"] = "2027-01-01T00:00:00Z"
    elif where == "suite":
        signed["proof"]["cryptosuite"] = EDDSA_RDFC_2022
    elif where == "method-not-did-key":
        signed["proof"]["verificationMethod"] = "https://example.org/key#1"
    return signed


@pytest.mark.parametrize(
    ("where", "error"),
    [
        ("subject", ProofSignatureInvalid),
        ("context", ProofContextInvalid),
        ("method", ProofSignatureInvalid),
        ("created", ProofCreatedInvalid),
        ("suite", ProofContextInvalid),  # rdfc always needs the contexts
        ("method-not-did-key", VerificationMethodInvalid),
    ],
)
def test_every_check_still_refuses(where: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        verify_jcs_proof(_changed(where), now=NOW)
