"""Credentials we issue verify in an independent W3C verifier (Digital Bazaar's libraries).

tools/independent-verifier/verify.mjs runs @digitalbazaar/vc + data-integrity + the
eddsa-rdfc-2022 / eddsa-jcs-2022 cryptosuites from node_modules (exact-pinned in
package.json). Node and node_modules are part of the set-up: their absence fails here.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from credentials.dataintegrity import SUITES, add_proof, verify_proof
from credentials.loader import DATA_INTEGRITY_CONTEXT_V2, LABOUR_CONTEXT_V1
from ledger.keys import SigningKey
from tests.credentials.vc_support import ROOT, load_vectors, mutated, worker_credential

VERIFIER = ROOT / "tools" / "independent-verifier" / "verify.mjs"
NOW = "2026-02-01T00:00:00Z"
CREATED = "2026-01-05T09:30:00Z"
ISSUER = SigningKey(bytes(range(32)))
WORKER = SigningKey(bytes(range(32, 64)))


def run_verifier(documents: Any, *args: str, stdin: bool = False) -> tuple[int, Any]:
    node = shutil.which("node")
    assert node, "node is required for independent verification (see tools/setup.sh)"
    assert (ROOT / "node_modules" / "@digitalbazaar" / "vc").is_dir(), "run tools/setup.sh"
    text = json.dumps(documents)
    with tempfile.TemporaryDirectory() as folder:
        command = [node, str(VERIFIER), "--now", NOW, *args]
        if stdin:
            completed = subprocess.run(
                command, input=text, capture_output=True, text=True, timeout=120, check=False
            )
        else:
            path = Path(folder) / "input.json"
            path.write_text(text, encoding="utf-8")
            completed = subprocess.run(
                [*command, str(path)], capture_output=True, text=True, timeout=120, check=False
            )
    assert completed.stderr == "", completed.stderr
    return completed.returncode, json.loads(completed.stdout)


def sign(
    document: dict[str, Any], suite: str, key: SigningKey = ISSUER, **options: Any
) -> dict[str, Any]:
    return add_proof(document, key, suite=suite, created=CREATED, **options)


def one_byte_changed(signed: dict[str, Any], where: str) -> dict[str, Any]:
    if where == "value":
        return mutated(signed, ("credentialSubject", "nationality"), "NPM")  # NPL -> NPM
    if where == "created":
        return mutated(signed, ("proof", "created"), CREATED.replace(":00Z", ":01Z"))
    value = signed["proof"]["proofValue"]
    return mutated(signed, ("proof", "proofValue"), value[:-1] + ("2" if value[-1] != "2" else "3"))


# -- our credentials, both suites, in the full VC verification of @digitalbazaar/vc ---------


@pytest.fixture(scope="module")
def credential_verdicts() -> dict[str, Any]:
    cases: dict[str, dict[str, Any]] = {}
    for suite in SUITES:
        signed = sign(worker_credential(ISSUER, WORKER), suite)
        cases[f"{suite} signed"] = signed
        for where in ("value", "created", "proofValue"):
            cases[f"{suite} {where} changed"] = one_byte_changed(signed, where)
    code, verdicts = run_verifier(list(cases.values()))
    assert code == 1  # some are tampered
    return dict(zip(cases, verdicts, strict=True))


@pytest.mark.parametrize("suite", SUITES)
def test_our_signed_credential_verifies(credential_verdicts: dict[str, Any], suite: str) -> None:
    verdict = credential_verdicts[f"{suite} signed"]
    assert verdict["verified"] is True, verdict["errors"]
    assert verdict["mode"] == "credential"
    assert verdict["cryptosuite"] == suite
    assert verdict["verificationMethod"] == ISSUER.verify_key.verification_method


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("where", ["value", "created", "proofValue"])
def test_one_byte_changed_fails(
    credential_verdicts: dict[str, Any], suite: str, where: str
) -> None:
    verdict = credential_verdicts[f"{suite} {where} changed"]
    assert verdict["verified"] is False
    assert "Invalid signature." in [e["message"] for e in verdict["errors"]]


@pytest.mark.parametrize("suite", SUITES)
def test_single_credential_on_stdin_and_exit_codes(suite: str) -> None:
    signed = sign(worker_credential(ISSUER, WORKER), suite)
    code, verdict = run_verifier(signed, stdin=True)
    assert (code, verdict["verified"]) == (0, True)
    code, verdict = run_verifier(one_byte_changed(signed, "value"), stdin=True)
    assert (code, verdict["verified"]) == (1, False)


def test_issuer_must_control_the_signing_key() -> None:
    # @digitalbazaar/vc binds the issuer to the verification method's controller.
    signed = sign(worker_credential(ISSUER, WORKER), "eddsa-rdfc-2022", key=WORKER)
    code, verdict = run_verifier(signed)
    assert code == 1
    assert any("issuer" in e["message"].lower() for e in verdict["errors"]), verdict


# -- varied subject values: both implementations agree ----------------------------------


def _random_text(rng: random.Random, length: int) -> str:
    ranges = [
        (0x20, 0x7E),
        (0xA0, 0x24F),
        (0x300, 0x36F),
        (0x900, 0x97F),
        (0x4E00, 0x4FFF),
        (0x1F300, 0x1F5FF),
        (0x2028, 0x2029),
        (0xFFF0, 0xFFFD),
    ]
    chars: list[str] = []
    while len(chars) < length:
        low, high = rng.choice(ranges)
        char = chr(rng.randint(low, high))
        if unicodedata.category(char) not in ("Cc", "Cs"):
            chars.append(char)
    return "".join(chars)


def test_varied_unicode_subjects_verify_in_both_implementations() -> None:
    rng = random.Random(20260105)
    signed_documents = []
    for index in range(24):
        suite = SUITES[index % 2]
        subject = {
            "nationality": _random_text(rng, rng.randint(0, 12)),
            "facility": _random_text(rng, rng.randint(1, 30)) + '"\\',
            "documentCommitment": {
                "commitmentScheme": _random_text(rng, 8),
                "commitment": rng.randbytes(32).hex(),
            },
        }
        worker = SigningKey(rng.randbytes(32))
        document = worker_credential(ISSUER, worker, **subject)
        signed = sign(document, suite)
        verify_proof(signed)
        signed_documents.append(signed)
    code, verdicts = run_verifier(signed_documents)
    failures = [
        (d["credentialSubject"], v["errors"])
        for d, v in zip(signed_documents, verdicts, strict=True)
        if not v["verified"]
    ]
    assert failures == []
    assert code == 0


# -- proofs on documents that are not VCs, and presentation-style proofs -----------------


def check_in(suite: str) -> dict[str, Any]:
    document = {
        "@context": [DATA_INTEGRITY_CONTEXT_V2, LABOUR_CONTEXT_V1],
        "type": "PossessionCheckIn",
        "checkInId": "ci-0001",
        "verifier": ISSUER.did,
        "worker": WORKER.did,
        "possessionConfirmed": True,
    }
    return sign(document, suite)


@pytest.mark.parametrize("suite", SUITES)
def test_check_in_document_verifies_as_a_proof(suite: str) -> None:
    signed = check_in(suite)
    code, verdicts = run_verifier(
        [signed, mutated(signed, ("checkInId",), "ci-0002")], "--mode", "proof"
    )
    assert [v["verified"] for v in verdicts] == [True, False]
    assert code == 1


@pytest.mark.parametrize("suite", SUITES)
def test_challenge_and_domain_bind_in_the_independent_verifier(suite: str) -> None:
    signed = sign(
        worker_credential(ISSUER, WORKER),
        suite,
        key=WORKER,
        proof_purpose="authentication",
        challenge="c-8f3a",
        domain="checkin.example.org",
    )
    args = ("--mode", "proof", "--purpose", "authentication", "--domain", "checkin.example.org")
    code, verdict = run_verifier(signed, *args, "--challenge", "c-8f3a")
    assert (code, verdict["verified"]) == (0, True), verdict
    code, verdict = run_verifier(signed, *args, "--challenge", "c-0000")
    assert (code, verdict["verified"]) == (1, False)


# -- the W3C vectors' signed documents ----------------------------------------------------


VECTORS = load_vectors()["vectors"]


@pytest.fixture(scope="module")
def vector_verdicts() -> list[dict[str, Any]]:
    code, verdicts = run_verifier([v["signed"] for v in VECTORS], "--mode", "proof")
    assert code == 1  # the employment vector cannot be processed here (see below)
    return verdicts


@pytest.mark.parametrize("index", range(len(VECTORS)), ids=[v["name"] for v in VECTORS])
def test_w3c_vector_signed_documents(vector_verdicts: list[dict[str, Any]], index: int) -> None:
    vector, verdict = VECTORS[index], vector_verdicts[index]
    if "requires_context" in vector:
        # Not skipped: the independent verifier, like ours, refuses the unbundled context.
        assert verdict["verified"] is False
        assert any("https://w3id.org/citizenship/v4rc1" in e["message"] for e in verdict["errors"])
    else:
        assert verdict["verified"] is True, verdict["errors"]
        assert verdict["cryptosuite"] == vector["cryptosuite"]


def test_w3c_vectors_fail_full_vc_checks_only_on_the_issuer_binding() -> None:
    # The vectors' issuer (https://vc.example/issuers/5678) is not the did:key that signs.
    bundled = [v["signed"] for v in VECTORS if "requires_context" not in v]
    code, verdicts = run_verifier(bundled)
    assert code == 1
    for verdict in verdicts:
        messages = " ".join(e["message"] for e in verdict["errors"])
        assert "issuer" in messages.lower(), verdict
        assert "Invalid signature." not in messages


def test_status_selector_in_the_independent_verifier_matches_the_contract() -> None:
    from eth_utils.crypto import keccak

    from ledger.chain.abi import load_artifact

    (entry,) = [i for i in load_artifact("CredentialStatus").abi if i.get("name") == "statusOf"]
    assert [p["type"] for p in entry["inputs"]] == ["bytes32"]
    selector = "0x" + keccak(text="statusOf(bytes32)")[:4].hex()
    assert f"const STATUS_OF_SELECTOR = '{selector}';" in VERIFIER.read_text()
