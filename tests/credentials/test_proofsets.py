"""Proof sets and proof chains (Data Integrity "Add/Verify Proof Sets and Chains")."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from credentials.dataintegrity import SUITES, add_proof, verify_embedded_proof, verify_proof
from credentials.errors import (
    PreviousProofInvalid,
    ProofError,
    ProofMissing,
    ProofOptionsInvalid,
    ProofSignatureInvalid,
)
from credentials.loader import CREDENTIALS_CONTEXT_V1, DATA_INTEGRITY_CONTEXT_V2
from credentials.proofsets import MAX_PROOFS, add_proof_to_set, proofs_of, verify_proof_set
from ledger.keys import SigningKey

CREATED = "2026-01-05T09:30:00Z"
NOW = datetime(2026, 1, 6, tzinfo=UTC)
BOTH = pytest.mark.parametrize("suite", SUITES)
FIRST = "urn:uuid:2f1a9c62-5d1e-4c55-9a43-0c6b1b4e7d10"


def add(document: dict[str, Any], key: SigningKey, suite: str, **options: Any) -> dict[str, Any]:
    return add_proof_to_set(document, key, suite=suite, created=CREATED, **options)


def chained(
    credential: dict[str, Any], issuer: SigningKey, worker: SigningKey, suite: str
) -> dict[str, Any]:
    first = add(credential, issuer, suite, proof_id=FIRST)
    return add(first, worker, suite, previous_proof=FIRST)


@BOTH
def test_a_proof_set_verifies_every_proof_in_any_order(
    credential: dict[str, Any], issuer: SigningKey, worker: SigningKey, suite: str
) -> None:
    signed = add(add(credential, issuer, suite), worker, suite)
    assert [p.controller for p in verify_proof_set(signed, now=NOW)] == [issuer.did, worker.did]
    swapped = {**signed, "proof": signed["proof"][::-1]}
    assert [p.controller for p in verify_proof_set(swapped, now=NOW)] == [worker.did, issuer.did]
    # Each proof of a set secures the document alone: it verifies on its own.
    for proof in signed["proof"]:
        verify_proof({**credential, "proof": proof}, now=NOW)


@BOTH
@pytest.mark.parametrize("bad", [0, 1])
def test_one_bad_proof_fails_the_set(
    credential: dict[str, Any], issuer: SigningKey, worker: SigningKey, suite: str, bad: int
) -> None:
    signed = add(add(credential, issuer, suite), worker, suite)
    signed["proof"][bad]["proofValue"] = signed["proof"][1 - bad]["proofValue"]
    with pytest.raises(ProofSignatureInvalid):
        verify_proof_set(signed, now=NOW)


@BOTH
def test_a_chained_proof_secures_the_proof_it_follows(
    credential: dict[str, Any], issuer: SigningKey, worker: SigningKey, suite: str
) -> None:
    signed = chained(credential, issuer, worker, suite)
    assert signed["proof"][1]["previousProof"] == FIRST
    assert len(verify_proof_set(signed, now=NOW)) == 2
    # The second proof covers the first: over the bare document it does not verify ...
    with pytest.raises(ProofSignatureInvalid):
        verify_embedded_proof(credential, signed["proof"][1], now=NOW)
    # ... but over the document holding the first proof it does.
    verify_embedded_proof(
        {**credential, "proof": [signed["proof"][0]]}, signed["proof"][1], now=NOW
    )


@BOTH
def test_replacing_the_previous_proof_breaks_the_chain(
    credential: dict[str, Any], issuer: SigningKey, worker: SigningKey, suite: str
) -> None:
    signed = chained(credential, issuer, worker, suite)
    # A fresh, valid proof by the same key with the same id is not the one that was chained.
    redone = add(credential, issuer, suite, proof_id=FIRST, expires="2030-01-01T00:00:00Z")
    forged = {**signed, "proof": [redone["proof"][0], signed["proof"][1]]}
    with pytest.raises(ProofSignatureInvalid):
        verify_proof_set(forged, now=NOW)


@BOTH
def test_a_list_previous_proof(
    credential: dict[str, Any], issuer: SigningKey, worker: SigningKey, suite: str
) -> None:
    first = add(credential, issuer, suite, proof_id=FIRST)
    second = add(first, issuer, suite, proof_id="urn:uuid:second")
    third = add(second, worker, suite, previous_proof=["urn:uuid:second", FIRST])
    assert len(verify_proof_set(third, now=NOW)) == 3


@pytest.mark.parametrize(
    ("previous", "error"),
    [
        ("urn:uuid:missing", "names no proof"),
        (["urn:uuid:missing"], "names no proof"),
        ([FIRST, "urn:uuid:missing"], "names no proof"),
        (456321, "string or a list of strings"),
        ([FIRST, 1], "string or a list of strings"),
        ([], "1 to"),
        ({"id": FIRST}, "string or a list of strings"),
    ],
)
def test_previous_proof_must_name_proofs_of_the_document(
    credential: dict[str, Any], issuer: SigningKey, worker: SigningKey, previous: Any, error: str
) -> None:
    signed = chained(credential, issuer, worker, "eddsa-rdfc-2022")
    signed["proof"][1]["previousProof"] = previous
    with pytest.raises(PreviousProofInvalid, match=error) as caught:
        verify_proof_set(signed, now=NOW)
    assert caught.value.check == "previous_proof"


def test_a_lone_proof_cannot_follow_another(
    credential: dict[str, Any], issuer: SigningKey, worker: SigningKey
) -> None:
    signed = chained(credential, issuer, worker, "eddsa-rdfc-2022")
    with pytest.raises(PreviousProofInvalid):
        verify_proof({**credential, "proof": signed["proof"][1]}, now=NOW)
    with pytest.raises(PreviousProofInvalid):
        verify_proof_set({**credential, "proof": signed["proof"][1]}, now=NOW)


@pytest.mark.parametrize("proof", [None, [], "z123", [{"type": "x"}, "z123"], {}])
def test_proofs_must_be_objects(credential: dict[str, Any], proof: Any) -> None:
    document = {**credential, "proof": proof}
    with pytest.raises(ProofError):
        verify_proof_set(document, now=NOW)


def test_proof_count_is_bounded(credential: dict[str, Any], issuer: SigningKey) -> None:
    signed = add_proof(credential, issuer, created=CREATED)
    many = {**credential, "proof": [signed["proof"]] * (MAX_PROOFS + 1)}
    with pytest.raises(ProofMissing, match="at most"):
        proofs_of(many)
    full = {**credential, "proof": [signed["proof"]] * MAX_PROOFS}
    with pytest.raises(ProofOptionsInvalid, match="at most"):
        add(full, issuer, "eddsa-rdfc-2022")


def test_add_refuses_unknown_previous_and_reused_ids(
    credential: dict[str, Any], issuer: SigningKey
) -> None:
    first = add(credential, issuer, "eddsa-rdfc-2022", proof_id=FIRST)
    with pytest.raises(ProofOptionsInvalid, match="names no proof") as caught:
        add(first, issuer, "eddsa-rdfc-2022", previous_proof="urn:uuid:missing")
    assert caught.value.option == "previous_proof"
    with pytest.raises(ProofOptionsInvalid, match="exists"):
        add(first, issuer, "eddsa-rdfc-2022", proof_id=FIRST)


def test_add_leaves_the_input_alone(credential: dict[str, Any], issuer: SigningKey) -> None:
    first = add(credential, issuer, "eddsa-jcs-2022", proof_id=FIRST)
    before = copy.deepcopy(first)
    add(first, issuer, "eddsa-jcs-2022", previous_proof=FIRST)
    assert first == before


@BOTH
def test_vc_1_1_credentials_verify_with_the_data_integrity_context(
    issuer: SigningKey, suite: str
) -> None:
    credential = {
        "@context": [CREDENTIALS_CONTEXT_V1, DATA_INTEGRITY_CONTEXT_V2],
        "id": "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
        "type": ["VerifiableCredential"],
        "issuer": issuer.did,
        "issuanceDate": "2020-03-16T22:37:26.544Z",
        "credentialSubject": {"id": issuer.did},
    }
    signed = chained(credential, issuer, issuer, suite)
    assert len(verify_proof_set(signed, now=NOW)) == 2
    signed["issuanceDate"] = "2020-03-16T22:37:27.544Z"
    with pytest.raises(ProofSignatureInvalid):
        verify_proof_set(signed, now=NOW)
