"""verify_external_conformity on real signatures (both cryptosuites), no database: what a
Digital Conformity Credential from another system must be to count as external evidence."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from credentials.dataintegrity import EDDSA_JCS_2022, EDDSA_RDFC_2022
from credentials.errors import ContextNotBundled, CredentialNotValid
from domain.audits.external import (
    ExternalCredentialInvalid,
    ExternalCredentialRevoked,
    ExternalCredentialSuspended,
    ExternalFacilityMismatch,
    ExternalIssuerUnsupported,
    ExternalProofInvalid,
    ExternalRdfcTooComplex,
    ExternalStatusUnchecked,
    ExternalTopicUnsupported,
    verify_external_conformity,
)
from domain.audits.external_status import StatusListUnreadable
from ledger.errors import LedgerError
from ledger.keys import SigningKey
from ledger.timeutil import utcnow
from tests.domain.audits.dcc_builders import (
    OSH,
    dcc,
    encoded_list,
    rdfc_context,
    sign,
    status_entry,
    status_list,
)

FACILITY = "fac-my-penang-pcb-03"
SUITES = (EDDSA_JCS_2022, EDDSA_RDFC_2022)


@pytest.fixture
def certifier() -> SigningKey:
    """The other system's issuer key (a did:key of its own, not accredited here)."""
    return SigningKey.generate()


def _verify(credential: dict[str, Any], lists: list[dict[str, Any]] | None = None) -> Any:
    return verify_external_conformity(
        credential, lists or [], facility_ids=[FACILITY], osh_id=OSH, now=utcnow()
    )


def _context(suite: str) -> list[Any] | None:
    return rdfc_context() if suite == EDDSA_RDFC_2022 else None


def _refused(error: type[LedgerError], credential: Any, lists: Any = None) -> LedgerError:
    with pytest.raises(error) as caught:
        _verify(credential, lists)
    return caught.value


@pytest.mark.parametrize("suite", SUITES)
def test_a_dcc_about_the_facility_verifies(certifier: SigningKey, suite: str) -> None:
    credential = sign(dcc(certifier, context=_context(suite)), certifier, suite)
    verified = _verify(credential)
    assert (verified.issuer, verified.suite) == (certifier.did, suite)
    assert verified.issuer_name == "Example Social Certification Body"
    assert (verified.assessor_level, verified.assessment_level) == ("3rdParty", "Accredited")
    assert verified.scheme == "SA8000:2014" and verified.status == ()
    (assessment,) = verified.assessments
    assert (assessment.topic, assessment.conformance) == ("social.labour", True)
    assert verified.digest.startswith("sha256:") and len(verified.digest) == 71


def test_jcs_verifies_with_untp_context_rdfc_is_refused(certifier: SigningKey) -> None:
    """UNTP's context is not bundled: jcs needs none; rdfc would need it to sign RDF."""
    jcs = sign(dcc(certifier), certifier, EDDSA_JCS_2022)
    assert _verify(jcs).suite == EDDSA_JCS_2022
    # An rdfc proof over the UNTP context cannot even be made here; any proof claiming the
    # suite is refused before the signature is looked at.
    rdfc = copy.deepcopy(jcs)
    rdfc["proof"]["cryptosuite"] = EDDSA_RDFC_2022
    error = _refused(ContextNotBundled, rdfc)
    assert error.code == "context_not_bundled" and "uncefact" in error.data["url"]


@pytest.mark.parametrize("suite", SUITES)
def test_an_altered_credential_is_refused(certifier: SigningKey, suite: str) -> None:
    credential = sign(dcc(certifier, context=_context(suite)), certifier, suite)
    credential["credentialSubject"]["assessment"][0]["conformance"] = False
    error = _refused(ExternalProofInvalid, credential)
    assert error.data["cause"] == "proof_signature_invalid"


@pytest.mark.parametrize("suite", SUITES)
def test_a_proof_by_another_key_is_refused(certifier: SigningKey, suite: str) -> None:
    """Signed by a key that is not the issuer named: a forged credential."""
    forger = SigningKey.generate()
    credential = sign(dcc(certifier, context=_context(suite)), forger, suite)
    error = _refused(ExternalProofInvalid, credential)
    assert error.data["cause"] == "issuer_proof_missing"


def test_a_forged_signature_is_refused(certifier: SigningKey) -> None:
    credential = sign(dcc(certifier), certifier)
    value = credential["proof"]["proofValue"]
    credential["proof"]["proofValue"] = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    assert _refused(ExternalProofInvalid, credential).data["cause"] in (
        "proof_signature_invalid", "proof_invalid",
    )  # fmt: skip
    del credential["proof"]
    assert _refused(ExternalProofInvalid, credential).data["cause"] == "proof_missing"


def test_a_did_web_issuer_is_not_resolved(certifier: SigningKey) -> None:
    credential = dcc(certifier)
    credential["issuer"]["id"] = "did:web:certifier.example"
    assert _refused(ExternalIssuerUnsupported, sign(credential, certifier)).code == (
        "external_issuer_unsupported"
    )


def test_another_facility_or_topic_is_refused(certifier: SigningKey) -> None:
    other = {"id": "https://opensupplyhub.org/facilities/BD2021048K7Q2MY",
             "registeredId": "BD2021048K7Q2MY"}  # fmt: skip
    _refused(ExternalFacilityMismatch, sign(dcc(certifier, facility=other), certifier))
    _refused(ExternalTopicUnsupported, sign(dcc(certifier, topic="environment.emissions"),
                                            certifier))  # fmt: skip
    # Our own id names it too (jcs: ids need not be IRIs).
    ours = sign(dcc(certifier, facility={"id": FACILITY, "name": "Plant 3"}), certifier)
    assert _verify(ours).assessments[0].topic == "social.labour"


def test_outside_its_validity_period_is_refused(certifier: SigningKey) -> None:
    now = utcnow()
    expired = dcc(certifier, valid_from=now - timedelta(days=400),
                  valid_until=now - timedelta(days=1))  # fmt: skip
    assert _refused(CredentialNotValid, sign(expired, certifier)).code == "credential_not_valid"
    early = dcc(certifier, valid_from=now + timedelta(days=2))
    _refused(CredentialNotValid, sign(early, certifier))


def test_not_a_dcc_is_refused(certifier: SigningKey) -> None:
    credential = dcc(certifier)
    credential["type"] = ["VerifiableCredential"]
    assert _refused(ExternalCredentialInvalid, sign(credential, certifier)).data["field"] == (
        "payload.credential.type"
    )
    credential = dcc(certifier)
    credential["@context"] = ["https://www.w3.org/2018/credentials/v1"]
    _refused(ExternalCredentialInvalid, sign(credential, certifier))


@pytest.mark.parametrize("suite", SUITES)
def test_status_checked_against_the_handed_in_list(certifier: SigningKey, suite: str) -> None:
    credential = sign(
        dcc(certifier, context=_context(suite), status=status_entry(41)), certifier, suite
    )
    clear = status_list(certifier, {40, 42}, suite=suite)
    (checked,) = _verify(credential, [clear]).status
    assert (checked.purpose, checked.index, checked.status) == ("revocation", 41, 0)
    error = _refused(ExternalCredentialRevoked, credential, [status_list(certifier, {41})])
    assert error.code == "external_credential_revoked"


def test_suspension_and_several_entries(certifier: SigningKey) -> None:
    suspension = "https://certifier.example/status/suspension"
    entries = [status_entry(7), status_entry(9, "suspension", suspension)]
    credential = sign(dcc(certifier, status=entries), certifier)
    lists = [status_list(certifier), status_list(certifier, {9}, purpose="suspension",
                                                  url=suspension)]  # fmt: skip
    _refused(ExternalCredentialSuspended, credential, lists)
    lists[1] = status_list(certifier, {8}, purpose="suspension", url=suspension)
    assert [s.purpose for s in _verify(credential, lists).status] == ["revocation", "suspension"]


def test_status_that_cannot_be_checked_is_refused(certifier: SigningKey) -> None:
    credential = sign(dcc(certifier, status=status_entry(3)), certifier)
    _refused(ExternalStatusUnchecked, credential)  # the list did not come with it
    old = status_list(certifier, issued=utcnow() - timedelta(days=8))
    assert "issued" in _refused(ExternalStatusUnchecked, credential, [old]).data
    other_issuer = status_list(SigningKey.generate())
    _refused(ExternalStatusUnchecked, credential, [other_issuer])
    wrong_purpose = status_list(certifier, purpose="suspension")
    _refused(ExternalStatusUnchecked, credential, [wrong_purpose])
    forged = status_list(certifier)
    forged["credentialSubject"]["encodedList"] = encoded_list({5})
    assert _refused(ExternalProofInvalid, credential, [forged]).data["of"] == forged["id"]
    short = status_list(certifier, encoded=encoded_list(set(), entries=8 * 1024))
    _refused(StatusListUnreadable, credential, [short])
    unsupported = sign(dcc(certifier, status={"type": "StatusList2021Entry", "id": "x:y"}),
                       certifier)  # fmt: skip
    _refused(ExternalStatusUnchecked, unsupported)
    # A list no entry names is refused too (nothing unexplained rides along).
    _refused(ExternalCredentialInvalid, sign(dcc(certifier), certifier), [status_list(certifier)])


def test_odd_but_signed_shapes_are_read_or_refused_cleanly(certifier: SigningKey) -> None:
    """A proof set of one is that proof; a status entry naming its list by an object is
    refused as uncheckable (not a crash)."""
    credential = sign(dcc(certifier), certifier)
    as_set = {**credential, "proof": [credential["proof"]]}
    assert _verify(as_set).suite == EDDSA_JCS_2022
    entry = {**status_entry(3), "statusListCredential": {"id": "https://x.example/s"}}
    _refused(ExternalStatusUnchecked, sign(dcc(certifier, status=entry), certifier))
    two = sign(dcc(certifier), certifier)
    two["proof"] = [two["proof"], two["proof"]]
    assert _refused(ExternalProofInvalid, two).data["cause"] == "proof_missing"


def _as_rdfc(credential: dict[str, Any], certifier: SigningKey) -> dict[str, Any]:
    """Signed (jcs, fast), then labelled rdfc: the workload check runs before any hashing."""
    signed = sign(credential, certifier)
    signed["proof"]["cryptosuite"] = EDDSA_RDFC_2022
    return signed


def test_rdfc_documents_that_would_canonicalize_for_minutes_are_refused(
    certifier: SigningKey,
) -> None:
    """pyld took ~17 s for two blank parents of 8 identical blank children, and over a
    minute for 8 blank nodes naming each other: refused at once, before canonicalizing."""
    import time

    poisoned = dcc(certifier, context=rdfc_context())
    poisoned["credentialSubject"]["extra"] = [{"kids": [{"v": "x"} for _ in range(8)]}] * 2
    clique = dcc(certifier, context=rdfc_context())
    clique["credentialSubject"]["graph"] = [
        {"id": f"_:b{i}", "knows": [{"id": f"_:b{j}"} for j in range(8) if j != i]}
        for i in range(8)
    ]
    for credential in (poisoned, clique):
        started = time.perf_counter()
        error = _refused(ExternalRdfcTooComplex, _as_rdfc(credential, certifier))
        assert error.code == "external_rdfc_too_complex"
        assert time.perf_counter() - started < 1
    # jcs signs the JSON text: the same shapes cost nothing there.
    assert _verify(sign(poisoned, certifier)).suite == EDDSA_JCS_2022
    # Repeats under a node with an id are no blank neighbours of each other: accepted.
    fine = dcc(certifier, context=rdfc_context())
    fine["credentialSubject"]["extra"] = [{"v": "x"} for _ in range(8)]
    assert _verify(sign(fine, certifier, EDDSA_RDFC_2022)).suite == EDDSA_RDFC_2022
