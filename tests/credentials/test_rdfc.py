"""RDFC-1.0 with a work limit: poison graphs are refused at once, like rdf-canonize does.

Without the limit, pyld spends minutes on a few kilobytes (n! permutations of alike blank
nodes), and every rdfc verifier we run (the VC API, check-in presentations, external
evidence) canonicalizes what strangers send. The verdicts are compared with Digital
Bazaar's rdf-canonize 5 (what their verifiers use) run on the same N-Quads.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from typing import Any

import pytest
from pyld import jsonld

from credentials.dataintegrity import EDDSA_JCS_2022, EDDSA_RDFC_2022, add_proof, verify_proof
from credentials.errors import ProofContextInvalid
from credentials.rdfc import RdfcTooComplex, canonize
from credentials.strict import expand
from ledger.keys import SigningKey
from tests.credentials.vc_support import ROOT, worker_credential

VOCAB = {"@vocab": "https://example.org/v#"}
ISSUER = SigningKey(bytes(range(32)))
WORKER = SigningKey(bytes(range(32, 64)))


def clique(n: int) -> list[dict[str, Any]]:
    """n blank nodes, each naming all the others: every one hashes alike."""
    return [
        {"@id": f"_:b{i}", "knows": [{"@id": f"_:b{j}"} for j in range(n) if j != i]}
        for i in range(n)
    ]


def twins(parents: int, children: int) -> list[dict[str, Any]]:
    """Alike blank parents of alike blank children (the tree shape, no blank node ids)."""
    return [{"kids": [{"v": "x"} for _ in range(children)]}] * parents


SHAPES: dict[str, Any] = {
    "clique of 2": clique(2),
    "clique of 8": clique(8),
    "2 parents of 2 twins": twins(2, 2),
    "2 parents of 8 twins": twins(2, 8),
    "8 alike leaves under a named node": [{"v": "x"} for _ in range(8)],
    "alike parents, distinct children": [{"kids": {"v": str(i)}} for i in range(8)],
    "one blank parent of 8 twins": twins(1, 8),
    "distinct nested nodes": [{"a": {"b": {"c": str(i)}}} for i in range(16)],
}


def document(members: Any) -> dict[str, Any]:
    return {"@context": VOCAB, "@id": "https://example.org/doc", "has": members}


def expanded(members: Any) -> list[Any]:
    return list(jsonld.expand(document(members), {"base": None}))


def verdict(members: Any) -> str:
    try:
        canonize(expanded(members))
    except RdfcTooComplex:
        return "refused"
    return "ok"


def rdf_canonize_verdicts(datasets: dict[str, str]) -> dict[str, str]:
    node = shutil.which("node")
    assert node, "node is required (see tools/setup.sh)"
    script = """
import canonize from 'rdf-canonize';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = {};
for (const [name, nquads] of Object.entries(JSON.parse(input))) {
  try {
    await canonize.canonize(nquads, {algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads'});
    out[name] = 'ok';
  } catch (e) {
    out[name] = /Maximum deep iterations/.test(e.message) ? 'refused' : 'error: ' + e.message;
  }
}
console.log(JSON.stringify(out));
"""
    completed = subprocess.run(
        [node, "--input-type=module", "-e", script],
        input=json.dumps(datasets), cwd=ROOT, capture_output=True, text=True, timeout=120,
        check=True,
    )  # fmt: skip
    return dict(json.loads(completed.stdout))


def test_the_same_verdicts_as_rdf_canonize() -> None:
    datasets = {
        name: jsonld.to_rdf(expanded(members), {"format": "application/n-quads", "base": None})
        for name, members in SHAPES.items()
    }
    ours = {name: verdict(members) for name, members in SHAPES.items()}
    assert ours == rdf_canonize_verdicts(datasets)
    assert ours["clique of 8"] == ours["2 parents of 8 twins"] == "refused"
    assert ours["distinct nested nodes"] == "ok"


@pytest.mark.parametrize("name", [n for n in SHAPES if verdict(SHAPES[n]) == "ok"])
def test_what_is_accepted_canonicalizes_exactly_as_pyld(name: str) -> None:
    unbounded = jsonld.normalize(
        expanded(SHAPES[name]),
        {"algorithm": "URDNA2015", "format": "application/n-quads", "base": None},
    )
    assert canonize(expanded(SHAPES[name])) == unbounded


def test_a_poison_graph_is_refused_at_once() -> None:
    """Unbounded, pyld needs over a minute for the 8-clique; a hang here is the failure."""
    started = time.perf_counter()
    with pytest.raises(RdfcTooComplex) as refused:
        canonize(expanded(clique(8)))
    assert refused.value.code == "rdfc_too_complex"
    assert refused.value.data["limit"] == 8
    assert time.perf_counter() - started < 10


def poisoned_credential(members: Any) -> dict[str, Any]:
    credential = worker_credential(ISSUER, WORKER)
    credential["@context"] = [*credential["@context"], VOCAB]  # an inline context is allowed
    credential["credentialSubject"]["evidenceGraph"] = members
    return credential


def test_verifying_a_poisoned_rdfc_credential_fails_on_the_context_check() -> None:
    """The attacker needs no valid signature: canonicalization comes before the signature
    check. Signed with jcs (cheap), then labelled rdfc, as an attacker would send it."""
    signed = add_proof(poisoned_credential(twins(2, 8)), ISSUER, suite=EDDSA_JCS_2022)
    signed["proof"]["cryptosuite"] = EDDSA_RDFC_2022
    with pytest.raises(ProofContextInvalid) as refused:
        verify_proof(signed)
    assert refused.value.check == "context"
    assert refused.value.data["cause"] == "rdfc_too_complex"


def test_signing_a_poison_graph_is_refused_too() -> None:
    with pytest.raises(RdfcTooComplex):
        add_proof(poisoned_credential(clique(6)), ISSUER, suite=EDDSA_RDFC_2022)


def test_our_own_credentials_are_far_below_the_limit() -> None:
    """A worker credential has no alike blank nodes: it never calls N-degree hashing."""
    assert canonize(expand(worker_credential(ISSUER, WORKER)))
    signed = add_proof(worker_credential(ISSUER, WORKER), ISSUER, suite=EDDSA_RDFC_2022)
    assert verify_proof(signed).suite == EDDSA_RDFC_2022
