"""The offline loader and our labour context."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from credentials.errors import ContextNotBundled, JsonLdInvalid
from credentials.loader import (
    CREDENTIALS_CONTEXT_V1,
    CREDENTIALS_CONTEXT_V2,
    DATA_INTEGRITY_CONTEXT_V2,
    EXAMPLES_CONTEXT_V2,
    LABOUR_CONTEXT_V1,
    bundled_contexts,
    context_bytes,
    context_document,
    document_loader,
    served_contexts,
)
from credentials.strict import expand
from ledger.keys import SigningKey
from tests.credentials.vc_support import ROOT, worker_credential

CONTEXTS = ROOT / "credentials" / "contexts"
VOCAB = "https://ledger.labour-provenance.org/vocab#"


def test_manifest_lists_every_file_and_its_sha256() -> None:
    files = {entry.file for entry in bundled_contexts().values()}
    assert files == {p.name for p in CONTEXTS.glob("*.jsonld")}
    for url, entry in bundled_contexts().items():
        data = (CONTEXTS / entry.file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry.sha256, url
        assert context_bytes(url) == data


def test_bundles_exactly_the_contexts_we_need() -> None:
    assert set(bundled_contexts()) == {
        CREDENTIALS_CONTEXT_V1,
        CREDENTIALS_CONTEXT_V2,
        DATA_INTEGRITY_CONTEXT_V2,
        EXAMPLES_CONTEXT_V2,
        LABOUR_CONTEXT_V1,
    }


@pytest.mark.parametrize(
    ("url", "package_file"),
    [
        (CREDENTIALS_CONTEXT_V1, "@digitalbazaar/credentials-context/contexts/v1.jsonld"),
        (CREDENTIALS_CONTEXT_V2, "@digitalbazaar/credentials-context/contexts/v2.jsonld"),
        (
            DATA_INTEGRITY_CONTEXT_V2,
            "@digitalbazaar/data-integrity-context/contexts/data-integrity-v2.jsonld",
        ),
    ],
)
def test_vendored_contexts_match_the_pinned_npm_packages(url: str, package_file: str) -> None:
    # Both packages are exact-pinned devDependencies (package-lock.json), installed by setup.
    entry = bundled_contexts()[url]
    package = entry.source["npm"]
    assert package_file.startswith(package + "/")
    installed = json.loads((ROOT / "node_modules" / package / "package.json").read_text())
    assert installed["version"] == entry.source["version"]
    assert (ROOT / "node_modules" / package_file).read_bytes() == context_bytes(url)


def test_examples_context_is_the_one_the_vectors_record(vectors: dict) -> None:
    assert context_document(EXAMPLES_CONTEXT_V2) == vectors["contexts"][EXAMPLES_CONTEXT_V2]


def test_unbundled_url_is_refused_without_fetching() -> None:
    with pytest.raises(ContextNotBundled) as caught:
        document_loader("https://w3id.org/citizenship/v4rc1", {})
    assert caught.value.url == "https://w3id.org/citizenship/v4rc1"
    assert caught.value.code == "context_not_bundled"


def test_unbundled_context_in_a_document_surfaces_as_itself() -> None:
    document = {"@context": ["https://example.com/ctx.jsonld"], "name": "x"}
    with pytest.raises(ContextNotBundled, match=r"example\.com/ctx\.jsonld"):
        expand(document)


def test_loader_returns_fresh_copies() -> None:
    first = document_loader(LABOUR_CONTEXT_V1, {})["document"]
    first["@context"]["worker"] = "https://evil.example/worker"
    assert document_loader(LABOUR_CONTEXT_V1, {})["document"]["@context"]["worker"] != (
        "https://evil.example/worker"
    )


def test_a_modified_context_file_is_refused(tmp_path: Path, monkeypatch) -> None:
    from credentials import loader

    for name in [*(p.name for p in CONTEXTS.iterdir())]:
        (tmp_path / name).write_bytes((CONTEXTS / name).read_bytes())
    text = (tmp_path / "labour-v1.jsonld").read_text().replace("#worker", "#employer")
    (tmp_path / "labour-v1.jsonld").write_text(text)
    monkeypatch.setattr(loader, "_contexts_dir", lambda: tmp_path)
    loader.bundled_contexts.cache_clear()
    loader.context_bytes.cache_clear()
    loader._parsed.cache_clear()
    try:
        with pytest.raises(JsonLdInvalid, match="sha256"):
            context_bytes(LABOUR_CONTEXT_V1)
    finally:
        monkeypatch.undo()
        loader.bundled_contexts.cache_clear()
        loader.context_bytes.cache_clear()
        loader._parsed.cache_clear()


# -- our context ---------------------------------------------------------------------


def test_our_context_is_served_at_its_path() -> None:
    (ours,) = served_contexts()
    assert ours.url == LABOUR_CONTEXT_V1
    assert ours.served_at == "/contexts/labour/v1.jsonld"
    assert LABOUR_CONTEXT_V1.endswith(ours.served_at)


def test_our_context_is_protected_and_maps_terms_into_our_vocabulary() -> None:
    context = context_document(LABOUR_CONTEXT_V1)["@context"]
    assert context["@protected"] is True
    for term, definition in context.items():
        if term.startswith("@") or term in ("id", "type"):
            continue
        iri = definition if isinstance(definition, str) else definition["@id"]
        assert iri == VOCAB + term, term


def test_our_context_has_no_clear_document_fields_and_no_duress_marker() -> None:
    terms = {t.lower() for t in context_document(LABOUR_CONTEXT_V1)["@context"]}
    for forbidden in ("documenttype", "documentnumber", "documentcountry", "duressflag", "duress"):
        assert forbidden not in terms


def test_worker_credential_expands_every_term(issuer: SigningKey, worker: SigningKey) -> None:
    dropped: list[str | None] = []
    document = worker_credential(issuer, worker)
    (node,) = expand(document, dropped.append)
    assert dropped == []
    assert VOCAB + "WorkerIdentityCredential" in node["@type"]
    (subject,) = node["https://www.w3.org/2018/credentials#credentialSubject"]
    (commitment,) = subject[VOCAB + "documentCommitment"]
    assert commitment[VOCAB + "commitment"] == [
        {
            "@type": "http://www.w3.org/2001/XMLSchema#hexBinary",
            "@value": document["credentialSubject"]["documentCommitment"]["commitment"],
        }
    ]
    assert subject[VOCAB + "issuedAfterDocumentCheck"] == [
        {"@type": "http://www.w3.org/2001/XMLSchema#date", "@value": "2026-01-05"}
    ]


def test_check_in_terms_expand(issuer: SigningKey, worker: SigningKey) -> None:
    document = {
        "@context": [CREDENTIALS_CONTEXT_V2, LABOUR_CONTEXT_V1],
        "type": ["VerifiableCredential", "PossessionCheckIn"],
        "issuer": issuer.did,
        "credentialSubject": {
            "checkInId": "ci-0001",
            "verifier": issuer.did,
            "worker": worker.did,
            "possessionConfirmed": True,
        },
    }
    (node,) = expand(document)
    (subject,) = node["https://www.w3.org/2018/credentials#credentialSubject"]
    assert subject[VOCAB + "worker"] == [{"@id": worker.did}]
    assert subject[VOCAB + "verifier"] == [{"@id": issuer.did}]
    assert subject[VOCAB + "possessionConfirmed"] == [{"@value": True}]
    assert VOCAB + "PossessionCheckIn" in node["@type"]


def test_our_protected_terms_cannot_be_redefined(issuer: SigningKey, worker: SigningKey) -> None:
    document = worker_credential(issuer, worker)
    document["@context"] = [*document["@context"], {"worker": "https://evil.example/worker"}]
    with pytest.raises(JsonLdInvalid) as caught:
        expand(document)
    assert caught.value.data["jsonld_code"] == "protected term redefinition"
