"""Data Integrity proofs: round trips, every failed check by name, and tampering."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials.dataintegrity import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    SUITES,
    VerifiedProof,
    add_proof,
    canonical_document,
    canonical_proof_config,
    hash_data,
    is_valid_proof,
    parse_datetime,
    verify_proof,
)
from credentials.errors import (
    ChallengeMismatch,
    ContextNotBundled,
    DomainMismatch,
    ProofContextInvalid,
    ProofCreatedInvalid,
    ProofError,
    ProofExpired,
    ProofMissing,
    ProofOptionsInvalid,
    ProofPurposeMismatch,
    ProofSignatureInvalid,
    RelativeIri,
    UndefinedTerm,
    UnsupportedCryptosuite,
    VerificationMethodInvalid,
)
from credentials.loader import CREDENTIALS_CONTEXT_V2, DATA_INTEGRITY_CONTEXT_V2
from ledger.errors import SignatureError
from ledger.keys import SigningKey, multibase_encode
from tests.credentials.vc_support import mutated, worker_credential

CREATED = "2026-01-05T09:30:00Z"
NOW = datetime(2026, 1, 6, tzinfo=UTC)
BOTH = pytest.mark.parametrize("suite", SUITES)
OTHER = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
OTHER_METHOD = f"did:key:{OTHER}#{OTHER}"


def sign(document: dict[str, Any], key: SigningKey, suite: str, **options: Any) -> dict[str, Any]:
    return add_proof(document, key, suite=suite, created=CREATED, **options)


def check_of(document: dict[str, Any], **options: Any) -> str:
    with pytest.raises(ProofError) as caught:
        verify_proof(document, now=NOW, **options)
    return caught.value.check


# -- round trips -----------------------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=24)
_subjects = st.fixed_dictionaries(
    {
        "documentCommitment": st.fixed_dictionaries(
            {
                "commitmentScheme": _text,
                "commitment": st.binary(min_size=32, max_size=32).map(bytes.hex),
            }
        ),
        "issuedAfterDocumentCheck": st.dates().map(lambda d: d.isoformat()),
    },
    optional={"nationality": _text, "facility": _text},
)
_keys = st.binary(min_size=32, max_size=32).map(SigningKey)


@BOTH
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issuer=_keys, worker=_keys, subject=_subjects)
def test_round_trip_over_our_context(
    suite: str, issuer: SigningKey, worker: SigningKey, subject: dict[str, Any]
) -> None:
    document = worker_credential(issuer, worker)
    document["credentialSubject"] = {"id": worker.did, **subject}
    signed = sign(document, issuer, suite)
    assert {k: v for k, v in signed.items() if k != "proof"} == document
    # What travels is JSON text: any serialization of the same value verifies, and names the
    # same signed statement (the replay key).
    digests = set()
    for text in (json.dumps(signed), json.dumps(signed, ensure_ascii=False, indent=1)):
        verified = verify_proof(json.loads(text), now=NOW)
        digests.add(verified.signed_digest)
        assert verified == VerifiedProof(
            suite=suite,
            verification_method=issuer.verify_key.verification_method,
            controller=issuer.did,
            created=datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
            purpose="assertionMethod",
            challenge=None,
            domain=None,
            signed_digest=verified.signed_digest,
        )
    assert len(digests) == 1 and next(iter(digests)).startswith("sha256:")


@BOTH
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_changed_subject_value_fails_the_signature(suite: str, data: st.DataObject) -> None:
    issuer, worker = SigningKey(bytes(32)), SigningKey(bytes([1]) * 32)
    signed = sign(worker_credential(issuer, worker), issuer, suite)
    subject = signed["credentialSubject"]
    field = data.draw(st.sampled_from(["nationality", "facility", "issuedAfterDocumentCheck"]))
    new = data.draw(_text.filter(lambda t, old=subject[field]: t != old))
    tampered = mutated(signed, ("credentialSubject", field), new)
    assert check_of(tampered) == "signature"


@BOTH
def test_signed_document_is_a_new_object(
    credential: dict[str, Any], issuer: SigningKey, suite: str
) -> None:
    before = copy.deepcopy(credential)
    signed = sign(credential, issuer, suite)
    assert credential == before
    assert "proof" not in credential
    assert signed["proof"]["verificationMethod"] == f"{issuer.did}#{issuer.verify_key.multibase}"
    assert signed["proof"]["proofValue"].startswith("z")
    # rdfc proofs omit @context; jcs proofs carry the document's (2024-12 revision).
    if suite == "eddsa-rdfc-2022":
        assert "@context" not in signed["proof"]
    else:
        assert signed["proof"]["@context"] == credential["@context"]


def test_created_defaults_to_now(credential: dict[str, Any], issuer: SigningKey) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    signed = add_proof(credential, issuer)
    created = parse_datetime(signed["proof"]["created"])
    assert before <= created <= datetime.now(UTC)
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert verify_proof(signed).created == created


# -- tampering: a changed byte fails with the right check -------------------------------


def _flip(text: str) -> str:
    """Change the last character to another of the same kind (so formats stay valid)."""
    last = text[-1]
    for alphabet in ("0123456789", "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"):
        if last in alphabet:
            return text[:-1] + alphabet[(alphabet.index(last) + 1) % len(alphabet)]
    return text[:-1] + ("a" if last != "a" else "b")


def _flip_digit(text: str) -> str:
    """Change the last digit (a date stays a valid date: the seconds or the day move by one)."""
    index = max(i for i, c in enumerate(text) if c.isdigit())
    return text[:index] + str((int(text[index]) + 1) % 10) + text[index + 1 :]


TAMPER = [
    (("proof", "proofValue"), _flip, "signature"),
    (("proof", "created"), _flip_digit, "signature"),
    (("proof", "created"), lambda _: "2026-01-07T00:00:00Z", "created"),
    (("proof", "created"), lambda _: "yesterday", "created"),
    (("proof", "verificationMethod"), _flip, "verification_method"),
    (("proof", "cryptosuite"), lambda _: "eddsa-2022", "cryptosuite"),
    (("proof", "type"), lambda _: "Ed25519Signature2020", "cryptosuite"),
    (("proof", "proofPurpose"), lambda _: "authentication", "proof_purpose"),
    (("proof", "nonce"), lambda _: "n-1", "signature"),
    (("proof", "challenge"), lambda _: "c-1", "signature"),
    (("proof", "expires"), lambda _: "2027-01-01T00:00:00Z", "signature"),
    (("proof", "expires"), lambda _: "2026-01-05T10:00:00Z", "expires"),
    (("proof", "unsignedNote"), lambda _: "x", "context"),
    (("credentialSubject", "nationality"), _flip, "signature"),
    (("credentialSubject", "facility"), _flip, "signature"),
    (("credentialSubject", "issuedAfterDocumentCheck"), _flip_digit, "signature"),
    (("credentialSubject", "documentCommitment", "commitment"), _flip, "signature"),
    (("credentialSubject", "documentCommitment", "commitmentScheme"), _flip, "signature"),
    (("credentialSubject", "id"), _flip, "signature"),
    (("issuer",), _flip, "signature"),
    (("validFrom",), _flip_digit, "signature"),
    (("id",), _flip, "signature"),
    (("credentialSubject", "passportNumber"), lambda _: "X1234567", "context"),
    (("type",), lambda t: [*t, "PassportCredential"], "context"),
    (("@context",), lambda c: c[:1], "context"),
    (("@context",), lambda c: [*c, "https://example.org/extra/v1"], "context"),
    (("credentialSubject", "nationality"), lambda _: "NPL\u0000", "context"),
]


@BOTH
@pytest.mark.parametrize(
    ("path", "change", "check"), TAMPER, ids=[f"{'.'.join(p)}->{c}" for p, _, c in TAMPER]
)
def test_tampering_fails_the_named_check(
    credential: dict[str, Any],
    issuer: SigningKey,
    suite: str,
    path: tuple[str, ...],
    change: Any,
    check: str,
) -> None:
    signed = sign(credential, issuer, suite)
    assert is_valid_proof(signed, now=NOW)
    target: Any = signed
    for step in path[:-1]:
        target = target[step]
    tampered = mutated(signed, path, change(copy.deepcopy(target.get(path[-1]))))
    assert tampered != signed
    assert check_of(tampered) == check
    assert not is_valid_proof(tampered, now=NOW)


@BOTH
def test_another_keys_signature_fails(
    credential: dict[str, Any], issuer: SigningKey, worker: SigningKey, suite: str
) -> None:
    signed = sign(credential, issuer, suite)
    forged = sign(credential, worker, suite)
    swapped = mutated(signed, ("proof", "proofValue"), forged["proof"]["proofValue"])
    assert check_of(swapped) == "signature"
    relabelled = mutated(
        forged, ("proof", "verificationMethod"), signed["proof"]["verificationMethod"]
    )
    assert check_of(relabelled) == "signature"


def test_signature_error_is_also_a_ledger_signature_error(
    credential: dict[str, Any], issuer: SigningKey
) -> None:
    signed = sign(credential, issuer, "eddsa-rdfc-2022")
    tampered = mutated(signed, ("proof", "proofValue"), _flip(signed["proof"]["proofValue"]))
    with pytest.raises(SignatureError) as caught:
        verify_proof(tampered, now=NOW)
    assert isinstance(caught.value, ProofSignatureInvalid)
    assert caught.value.to_dict()["check"] == "signature"
    assert caught.value.code == "proof_signature_invalid"


@pytest.mark.parametrize(
    ("value", "check"),
    [
        ("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", "signature"),  # not 64 bytes
        ("uAAAA", "signature"),  # base64url multibase: not ours
        ("z0OIl", "signature"),  # not base58
        (None, "signature"),
    ],
)
def test_malformed_proof_value(
    credential: dict[str, Any], issuer: SigningKey, value: Any, check: str
) -> None:
    signed = sign(credential, issuer, "eddsa-rdfc-2022")
    assert check_of(mutated(signed, ("proof", "proofValue"), value)) == check


# -- each check by name --------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("cryptosuite", "ecdsa-rdfc-2019"),
        ("cryptosuite", None),
        ("type", "Ed25519Signature2020"),
        ("type", None),
    ],
)
def test_cryptosuite(
    credential: dict[str, Any], issuer: SigningKey, member: str, value: Any
) -> None:
    signed = sign(credential, issuer, "eddsa-rdfc-2022")
    with pytest.raises(UnsupportedCryptosuite) as caught:
        verify_proof(mutated(signed, ("proof", member), value), now=NOW)
    assert caught.value.check == "cryptosuite"


@pytest.mark.parametrize(
    "document",
    [{"@context": [CREDENTIALS_CONTEXT_V2], "name": "x"}, {"proof": "z123"}, {"proof": []}],
)
def test_proof_present(document: dict[str, Any]) -> None:
    with pytest.raises(ProofMissing) as caught:
        verify_proof(document)
    assert caught.value.check == "proof_present"


def test_proof_sets_are_refused_and_a_single_listed_proof_is_read(
    credential: dict[str, Any], issuer: SigningKey, worker: SigningKey
) -> None:
    signed = sign(credential, issuer, "eddsa-rdfc-2022")
    single = mutated(signed, ("proof",), [signed["proof"]])
    assert verify_proof(single, now=NOW).controller == issuer.did
    other = sign(credential, worker, "eddsa-rdfc-2022")["proof"]
    with pytest.raises(ProofMissing, match="proof sets"):
        verify_proof(mutated(signed, ("proof",), [signed["proof"], other]), now=NOW)


@pytest.mark.parametrize(
    "method",
    [
        "https://issuer.example/keys/1",
        "did:web:issuer.example#key-1",
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#key-1",
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "did:key:zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76#zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76",
        {"id": "did:key:z6Mk"},
    ],
)
def test_verification_method(credential: dict[str, Any], issuer: SigningKey, method: Any) -> None:
    signed = sign(credential, issuer, "eddsa-rdfc-2022")
    with pytest.raises(VerificationMethodInvalid) as caught:
        verify_proof(mutated(signed, ("proof", "verificationMethod"), method), now=NOW)
    assert caught.value.check == "verification_method"


@BOTH
def test_proof_purpose(credential: dict[str, Any], issuer: SigningKey, suite: str) -> None:
    signed = sign(credential, issuer, suite, proof_purpose="authentication")
    assert (
        verify_proof(signed, expected_purpose="authentication", now=NOW).purpose == "authentication"
    )
    with pytest.raises(ProofPurposeMismatch):
        verify_proof(signed, now=NOW)
    keyagreement = mutated(signed, ("proof", "proofPurpose"), "keyAgreement")
    assert check_of(keyagreement, expected_purpose="keyAgreement") == "proof_purpose"


@BOTH
def test_challenge(credential: dict[str, Any], worker: SigningKey, suite: str) -> None:
    signed = sign(credential, worker, suite, proof_purpose="authentication", challenge="c-8f3a")
    assert (
        verify_proof(
            signed, expected_purpose="authentication", challenge="c-8f3a", now=NOW
        ).challenge
        == "c-8f3a"
    )
    with pytest.raises(ChallengeMismatch) as caught:
        verify_proof(signed, expected_purpose="authentication", challenge="c-0000", now=NOW)
    assert caught.value.check == "challenge"
    unchallenged = sign(credential, worker, suite, proof_purpose="authentication")
    with pytest.raises(ChallengeMismatch, match="does not carry"):
        verify_proof(unchallenged, expected_purpose="authentication", challenge="c-8f3a", now=NOW)


@BOTH
def test_domain(credential: dict[str, Any], worker: SigningKey, suite: str) -> None:
    signed = sign(credential, worker, suite, domain="checkin.example.org")
    assert (
        verify_proof(signed, domain="checkin.example.org", now=NOW).domain == "checkin.example.org"
    )
    with pytest.raises(DomainMismatch) as caught:
        verify_proof(signed, domain="evil.example", now=NOW)
    assert caught.value.check == "domain"
    assert check_of(sign(credential, worker, suite), domain="checkin.example.org") == "domain"


def test_domain_list(credential: dict[str, Any], worker: SigningKey) -> None:
    signed = sign(credential, worker, "eddsa-jcs-2022")
    proof = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    proof["domain"] = ["a.example", "b.example"]
    resigned = _sign_raw(credential, proof, worker, "eddsa-jcs-2022")
    assert verify_proof(resigned, domain="b.example", now=NOW).domain == ("a.example", "b.example")
    assert check_of(resigned, domain="c.example") == "domain"


@BOTH
def test_expires(credential: dict[str, Any], worker: SigningKey, suite: str) -> None:
    signed = sign(credential, worker, suite, expires="2026-01-05T10:00:00Z")
    assert is_valid_proof(signed, now=datetime(2026, 1, 5, 9, 59, tzinfo=UTC))
    with pytest.raises(ProofExpired) as caught:
        verify_proof(signed, now=datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    assert caught.value.check == "expires"


@BOTH
def test_created_in_the_future_allows_only_the_clock_skew(
    credential: dict[str, Any], issuer: SigningKey, suite: str
) -> None:
    signed = sign(credential, issuer, suite)
    created = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    assert is_valid_proof(signed, now=created - timedelta(minutes=4))
    with pytest.raises(ProofCreatedInvalid) as caught:
        verify_proof(signed, now=created - timedelta(minutes=6))
    assert caught.value.check == "created"
    assert is_valid_proof(signed, now=created, clock_skew=timedelta(0))
    assert not is_valid_proof(signed, now=created - timedelta(seconds=1), clock_skew=timedelta(0))


def test_created_without_offset_is_read_as_utc(
    credential: dict[str, Any], issuer: SigningKey
) -> None:
    # Data Integrity lets a verifier read a dateTime without offset as UTC; we never sign one.
    with pytest.raises(ProofOptionsInvalid):
        add_proof(credential, issuer, created="2026-01-05T09:30:00")
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-01-05T09:30:00",
        "verificationMethod": issuer.verify_key.verification_method,
        "proofPurpose": "assertionMethod",
    }
    signed = _sign_raw(credential, proof, issuer, "eddsa-rdfc-2022")
    assert verify_proof(signed, now=NOW).created == datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def test_naive_now_is_refused(credential: dict[str, Any], issuer: SigningKey) -> None:
    with pytest.raises(ValueError, match="timezone"):
        verify_proof(sign(credential, issuer, "eddsa-rdfc-2022"), now=datetime(2026, 1, 6))


# -- JSON-LD context handling --------------------------------------------------------------


def test_jcs_document_context_must_start_with_the_proof_context(
    credential: dict[str, Any], issuer: SigningKey
) -> None:
    signed = sign(credential, issuer, "eddsa-jcs-2022")
    reordered = mutated(signed, ("@context",), list(reversed(signed["@context"])))
    assert check_of(reordered) == "context"
    # The spec lets later proofs add contexts: the document may extend the proof's @context.
    extended = mutated(signed, ("@context",), [*signed["@context"], DATA_INTEGRITY_CONTEXT_V2])
    assert is_valid_proof(extended, now=NOW)


def test_jcs_proof_without_its_own_context_verifies(
    credential: dict[str, Any], issuer: SigningKey
) -> None:
    # Before the 2024-12 revision the jcs proof carried no @context; verify step 4 is "if present".
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": CREATED,
        "verificationMethod": issuer.verify_key.verification_method,
        "proofPurpose": "assertionMethod",
    }
    signed = _sign_raw(credential, proof, issuer, "eddsa-jcs-2022")
    assert verify_proof(signed, now=NOW).suite == "eddsa-jcs-2022"
    assert check_of(mutated(signed, ("proof", "extra"), "x")) == "context"


def test_rdfc_ignores_a_proof_context_and_signs_under_the_documents(
    credential: dict[str, Any], issuer: SigningKey
) -> None:
    signed = sign(credential, issuer, "eddsa-rdfc-2022")
    with_context = mutated(signed, ("proof", "@context"), signed["@context"])
    assert is_valid_proof(with_context, now=NOW)


def test_context_error_names_the_strict_failure(
    credential: dict[str, Any], issuer: SigningKey
) -> None:
    signed = sign(credential, issuer, "eddsa-rdfc-2022")
    with pytest.raises(ProofContextInvalid) as caught:
        verify_proof(mutated(signed, ("credentialSubject", "salary"), 900), now=NOW)
    assert caught.value.data["cause"] == "undefined_term"
    assert caught.value.data["paths"] == ["$.credentialSubject.salary"]


def test_a_non_credential_document_signs_with_the_data_integrity_context(
    issuer: SigningKey, worker: SigningKey
) -> None:
    from credentials.loader import LABOUR_CONTEXT_V1

    check_in = {
        "@context": [DATA_INTEGRITY_CONTEXT_V2, LABOUR_CONTEXT_V1],
        "type": "PossessionCheckIn",
        "checkInId": "ci-1",
        "verifier": issuer.did,
        "worker": worker.did,
        "possessionConfirmed": True,
    }
    for suite in SUITES:
        assert verify_proof(sign(check_in, issuer, suite), now=NOW).controller == issuer.did


# -- signing refuses what it cannot sign ------------------------------------------------


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"suite": "eddsa-2022"}, "suite"),
        ({"created": "2026-01-05"}, "created"),
        ({"created": "05/01/2026 09:30"}, "created"),
        ({"expires": "soon"}, "expires"),
        ({"proof_purpose": "keyAgreement"}, "proof_purpose"),
        ({"verification_method": OTHER_METHOD}, "verification_method"),
    ],
)
def test_add_proof_refuses_bad_options(
    credential: dict[str, Any], issuer: SigningKey, options: dict[str, Any], option: str
) -> None:
    with pytest.raises(ProofOptionsInvalid) as caught:
        add_proof(credential, issuer, **options)
    assert caught.value.option == option


def test_add_proof_refuses_a_signed_document(
    credential: dict[str, Any], issuer: SigningKey
) -> None:
    with pytest.raises(ProofOptionsInvalid, match="already has a proof"):
        add_proof(sign(credential, issuer, "eddsa-rdfc-2022"), issuer)


@BOTH
def test_add_proof_runs_the_strict_checks(
    credential: dict[str, Any], issuer: SigningKey, suite: str
) -> None:
    with pytest.raises(UndefinedTerm):
        add_proof(
            mutated(credential, ("credentialSubject", "passportNumber"), "X1"), issuer, suite=suite
        )
    with pytest.raises(RelativeIri):
        add_proof(mutated(credential, ("id",), "42"), issuer, suite=suite)
    with pytest.raises(UndefinedTerm):
        add_proof(worker_credential(issuer, issuer, extra=1), issuer, suite=suite)


def _sign_raw(
    document: dict[str, Any], proof: dict[str, Any], key: SigningKey, suite: str
) -> dict[str, Any]:
    """Sign with a hand-built proof (shapes add_proof never makes), via the public algorithms."""
    config = dict(proof)
    if suite == "eddsa-rdfc-2022":
        config["@context"] = document["@context"]
    to_sign = hash_data(
        canonical_proof_config(config, suite, document_context=document["@context"]),
        canonical_document(document, suite),
    )
    return {**document, "proof": {**proof, "proofValue": multibase_encode(key.sign(to_sign))}}


def test_jcs_without_jsonld_needs_no_bundled_context() -> None:
    """``jsonld=False``: eddsa-jcs-2022 over the JSON text alone (credentials from other
    systems name contexts we do not bundle); rdfc is unaffected, and the default still
    refuses an unbundled context."""
    key = SigningKey.generate()
    elsewhere = "https://contexts.example/other/v1/"
    document = {"@context": [CREDENTIALS_CONTEXT_V2, elsewhere], "type": ["VerifiableCredential"],
                "issuer": key.did, "credentialSubject": {"name": "x"}}  # fmt: skip
    with pytest.raises(ContextNotBundled):
        add_proof(document, key, suite=EDDSA_JCS_2022)
    signed = add_proof(document, key, suite=EDDSA_JCS_2022, jsonld=False)
    assert verify_proof(signed, jsonld=False).suite == EDDSA_JCS_2022
    with pytest.raises(ProofContextInvalid):
        verify_proof(signed)
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["name"] = "y"
    with pytest.raises(ProofSignatureInvalid):
        verify_proof(changed, jsonld=False)
    with pytest.raises(ContextNotBundled):
        add_proof(document, key, suite=EDDSA_RDFC_2022, jsonld=False)
