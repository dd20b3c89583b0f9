"""Strict JSON-LD: everything a processor would drop silently is an error naming where it is."""

from __future__ import annotations

from typing import Any

import pytest

from credentials.errors import (
    ContextNotBundled,
    ControlCharacter,
    JsonLdInvalid,
    RelativeIri,
    UndefinedTerm,
)
from credentials.loader import CREDENTIALS_CONTEXT_V2, LABOUR_CONTEXT_V1
from credentials.strict import is_strict, verify_strict
from tests.credentials.vc_support import mutated


def test_a_worker_credential_passes(credential: dict[str, Any]) -> None:
    expanded = verify_strict(credential)
    assert len(expanded) == 1
    assert is_strict(credential)


@pytest.mark.parametrize(
    ("path", "term", "where"),
    [
        (("passportNumber",), "passportNumber", "$.passportNumber"),
        (("credentialSubject", "salary"), "salary", "$.credentialSubject.salary"),
        (
            ("credentialSubject", "documentCommitment", "salt"),
            "salt",
            "$.credentialSubject.documentCommitment.salt",
        ),
        (("credentialSubject", "duressFlag"), "duressFlag", "$.credentialSubject.duressFlag"),
        (("@foo",), "@foo", "$.@foo"),
    ],
)
def test_undefined_terms_are_named_with_their_path(
    credential: dict[str, Any], path: tuple[str, ...], term: str, where: str
) -> None:
    document = mutated(credential, path, "x")
    with pytest.raises(UndefinedTerm) as caught:
        verify_strict(document)
    assert caught.value.term == term
    assert caught.value.paths == [where]
    assert caught.value.code == "undefined_term"
    assert where in str(caught.value)
    assert not is_strict(document)


def test_undefined_term_inside_an_array_item(credential: dict[str, Any]) -> None:
    document = mutated(credential, ("evidence",), [{"id": "urn:uuid:1", "notes": "x"}])
    with pytest.raises(UndefinedTerm) as caught:
        verify_strict(document)
    assert caught.value.paths == ["$.evidence[0].notes"]


def test_a_term_mapped_to_null_is_named(credential: dict[str, Any]) -> None:
    document = mutated(credential, ("@context",), [*credential["@context"], {"internalNote": None}])
    document["credentialSubject"]["internalNote"] = "hidden"
    with pytest.raises(UndefinedTerm) as caught:
        verify_strict(document)
    assert caught.value.term == "internalNote"
    assert caught.value.paths == ["$.credentialSubject.internalNote"]


def test_a_blank_node_predicate_is_refused(credential: dict[str, Any]) -> None:
    document = mutated(credential, ("credentialSubject", "_:secret"), "x")
    with pytest.raises(UndefinedTerm) as caught:
        verify_strict(document)
    assert caught.value.term == "_:secret"
    assert caught.value.paths == ["$.credentialSubject['_:secret']"]


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("id",), "credentials/42", "$.id"),
        (("id",), "", "$.id"),
        (("credentialSubject", "id"), "worker-7", "$.credentialSubject.id"),
        (("type",), ["VerifiableCredential", "PassportCredential"], "$.type[1]"),
        (("issuer",), "ngo", "$.issuer"),
        (("id",), "urn:uuid:with space", "$.id"),
    ],
)
def test_relative_iris_are_named_with_their_path(
    credential: dict[str, Any], path: tuple[str, ...], value: Any, where: str
) -> None:
    document = mutated(credential, path, value)
    with pytest.raises(RelativeIri) as caught:
        verify_strict(document)
    assert caught.value.paths == [where]
    assert caught.value.code == "relative_iri"


def test_relative_node_reference_in_our_terms(credential: dict[str, Any]) -> None:
    document = mutated(credential, ("credentialSubject", "worker"), "me")
    with pytest.raises(RelativeIri) as caught:
        verify_strict(document)
    assert caught.value.value == "me"
    assert caught.value.paths == ["$.credentialSubject.worker"]


def test_compact_iris_with_a_scheme_are_absolute(credential: dict[str, Any]) -> None:
    document = mutated(credential, ("credentialSubject", "worker"), "did:example:123")
    verify_strict(document)


@pytest.mark.parametrize(
    ("path", "value", "where", "codepoint"),
    [
        (
            ("credentialSubject", "nationality"),
            "NP\u0000L",
            "$.credentialSubject.nationality",
            "U+0000",
        ),
        (("name",), "Alumni\nCredential", "$.name", "U+000A"),
        (("description",), "tab\there", "$.description", "U+0009"),
        (("description",), "c1 \u0085 next line", "$.description", "U+0085"),
        (("description",), "del \u007f", "$.description", "U+007F"),
        (("description",), "lone \ud800 surrogate", "$.description", "U+D800"),
        (("type",), ["VerifiableCredential", "Worker\u001bCredential"], "$.type[1]", "U+001B"),
    ],
)
def test_control_characters_are_refused(
    credential: dict[str, Any], path: tuple[str, ...], value: Any, where: str, codepoint: str
) -> None:
    document = mutated(credential, path, value)
    with pytest.raises(ControlCharacter) as caught:
        verify_strict(document)
    assert caught.value.path == where
    assert caught.value.codepoint == codepoint


def test_control_character_in_a_key(credential: dict[str, Any]) -> None:
    document = mutated(credential, ("credentialSubject", "nation\u0007ality"), "NPL")
    with pytest.raises(ControlCharacter) as caught:
        verify_strict(document)
    assert caught.value.path == "$.credentialSubject['nation\\x07ality']"


def test_unicode_text_is_fine(credential: dict[str, Any]) -> None:
    document = mutated(credential, ("name",), "श्रमिक पहचान — ID 🪪, zero\u200bwidth")
    verify_strict(document)


def test_invalid_language_tag(credential: dict[str, Any]) -> None:
    document = mutated(credential, ("name",), {"@value": "Worker ID", "@language": "en_GB!"})
    with pytest.raises(JsonLdInvalid, match="language tag") as caught:
        verify_strict(document)
    assert caught.value.data["paths"] == ["$.name.@value"]


def test_direction_is_refused(credential: dict[str, Any]) -> None:
    document = mutated(credential, ("name",), {"@value": "هوية", "@direction": "rtl"})
    with pytest.raises(JsonLdInvalid, match="@direction"):
        verify_strict(document)


def test_document_that_expands_to_nothing() -> None:
    with pytest.raises(JsonLdInvalid, match="expands to nothing"):
        verify_strict({"@context": [CREDENTIALS_CONTEXT_V2], "id": "urn:uuid:1"})


def test_document_without_context_drops_everything() -> None:
    with pytest.raises(UndefinedTerm):
        verify_strict({"name": "x"})


def test_unbundled_context(credential: dict[str, Any]) -> None:
    document = mutated(
        credential, ("@context",), [CREDENTIALS_CONTEXT_V2, "https://example.org/v1"]
    )
    with pytest.raises(ContextNotBundled) as caught:
        verify_strict(document)
    assert caught.value.url == "https://example.org/v1"


def test_malformed_json_ld_is_a_typed_error(credential: dict[str, Any]) -> None:
    document = mutated(credential, ("name",), {"@value": "x", "@id": "urn:x"})
    with pytest.raises(JsonLdInvalid) as caught:
        verify_strict(document)
    assert caught.value.code == "jsonld_invalid"
    assert caught.value.data["jsonld_code"] == "invalid value object"


def test_protected_vc_term_cannot_be_redefined(credential: dict[str, Any]) -> None:
    document = mutated(
        credential,
        ("@context",),
        [CREDENTIALS_CONTEXT_V2, LABOUR_CONTEXT_V1, {"name": "https://evil.example/name"}],
    )
    with pytest.raises(JsonLdInvalid) as caught:
        verify_strict(document)
    assert caught.value.data["jsonld_code"] == "protected term redefinition"
