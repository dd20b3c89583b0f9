"""The shape of a worker credential (:func:`parse_worker_credential`): what it reads, and for
each way a document is not as this project issues it, the ``field`` and the message of the
:class:`CredentialInvalid` it raises (the first problem, in the order the members are read).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import pytest

from credentials.commitment import COMMITMENT_SCHEME, DocumentSecret, commit
from credentials.errors import CredentialInvalid
from credentials.worker import (
    StatusLocation,
    issue_worker_credential,
    parse_worker_credential,
    status_id_of,
)
from ledger.keys import SigningKey

ISSUER = SigningKey(bytes(range(32)))
WORKER = SigningKey(bytes(range(32, 64)))
STATUS = StatusLocation(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
CREDENTIAL_ID = "urn:uuid:2f6c1a52-8c1e-4d8a-9a57-0c3b0f4f9e11"
DOCUMENT = DocumentSecret.create("passport", "PA7730419", "NP", salt=bytes(range(32)))
DELETE = object()

TYPE = "type must include VerifiableCredential and WorkerIdentityCredential"
CONTEXT = "@context must start with the VC 2.0 and labour v1 contexts"
COMMITMENT = f"documentCommitment must be a {COMMITMENT_SCHEME} commitment (64 hex)"
STATUS_OBJECT = (
    "credentialStatus must be one OnChainCredentialStatus, or a list of it and one "
    "BitstringStatusListEntry"
)
STATUS_ID = "credentialStatus.id must be urn:lpl:credential-status:0x<64 hex>"
CHAIN = "statusChainId must be a positive integer"
CONTRACT = "statusContract must be a 0x address"
OTHER_STATUS = "urn:lpl:credential-status:" + status_id_of(
    "urn:uuid:00000000-0000-4000-8000-000000000000"
)
SUBJECT = "credentialSubject"
COMMIT = (SUBJECT, "documentCommitment")


@pytest.fixture(scope="module")
def credential() -> dict[str, Any]:
    return issue_worker_credential(
        ISSUER,
        WORKER.did,
        DOCUMENT,
        status=STATUS,
        valid_from=datetime(2026, 1, 5, 9, tzinfo=UTC),
        facility="fac-my-penang-pcb-03",
        nationality="NP",
        credential_id=CREDENTIAL_ID,
    )


def changed(document: Mapping[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    result = copy.deepcopy(dict(document))
    target = result
    for step in path[:-1]:
        target = target[step]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return result


def test_what_it_reads(credential: dict[str, Any]) -> None:
    parsed = parse_worker_credential(credential)
    assert parsed.id == CREDENTIAL_ID
    assert parsed.issuer == ISSUER.did and parsed.holder == WORKER.did
    assert parsed.commitment_scheme == COMMITMENT_SCHEME
    assert parsed.commitment == commit(DOCUMENT)
    assert parsed.status_id == status_id_of(CREDENTIAL_ID)
    assert parsed.status_id_bytes == bytes.fromhex(parsed.status_id[2:])
    assert parsed.status == STATUS
    assert parsed.valid_from == datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert parsed.valid_until == datetime(2028, 1, 5, 9, tzinfo=UTC)
    assert parsed.issued_at == parsed.valid_from
    assert (parsed.facility, parsed.nationality) == ("fac-my-penang-pcb-03", "NPL")
    assert parsed.document is credential


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("type",), ["VerifiableCredential", "WorkerIdentityCredential", "ExampleCredential"]),
        (("@context",), [*["https://www.w3.org/ns/credentials/v2"], "placeholder"]),
        ((SUBJECT, "facility"), DELETE),
        ((SUBJECT, "facility"), None),
        ((SUBJECT, "nationality"), DELETE),
        (("name",), "a member the parser does not read"),
        ((SUBJECT, "issuedAfterDocumentCheck"), DELETE),
        (("proof", "proofValue"), DELETE),  # the proof's own check, not the shape's
    ],
)
def test_accepted_variations(credential: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    if path == ("@context",):
        value = [*credential["@context"], {"@vocab": "https://example.org/#"}]
    parse_worker_credential(changed(credential, path, value))


def test_the_issuer_did_is_read_without_its_fragment(credential: dict[str, Any]) -> None:
    with_fragment = changed(credential, ("issuer",), f"{ISSUER.did}#{ISSUER.did[8:]}")
    assert parse_worker_credential(with_fragment).issuer == ISSUER.did


def test_any_mapping_is_read(credential: dict[str, Any]) -> None:
    assert parse_worker_credential(MappingProxyType(credential)).id == CREDENTIAL_ID


@pytest.mark.parametrize("document", [[], "x", None, 5, b"{}"])
def test_not_an_object(document: Any) -> None:
    with pytest.raises(CredentialInvalid) as caught:
        parse_worker_credential(document)
    assert (caught.value.field, caught.value.detail) == (
        "credential",
        "a credential is a JSON object",
    )


CASES: list[tuple[tuple[str, ...], Any, str, str]] = [
    (("type",), DELETE, "type", TYPE),
    (("type",), "VerifiableCredential", "type", TYPE),
    (("type",), ["VerifiableCredential"], "type", TYPE),
    (("type",), ["WorkerIdentityCredential"], "type", TYPE),
    (("@context",), DELETE, "@context", CONTEXT),
    (("@context",), "https://www.w3.org/ns/credentials/v2", "@context", CONTEXT),
    (("@context",), ["https://www.w3.org/ns/credentials/v2"], "@context", CONTEXT),
    (
        ("@context",),
        [
            "https://ledger.labour-provenance.org/contexts/labour/v1.jsonld",
            "https://www.w3.org/ns/credentials/v2",
        ],
        "@context",
        CONTEXT,
    ),
    (("id",), DELETE, "id", "id must be a urn:uuid"),
    (("id",), 7, "id", "id must be a urn:uuid"),
    (("id",), "urn:isbn:1", "id", "id must be a urn:uuid"),
    (("issuer",), DELETE, "issuer", "issuer must be a did:key"),
    (("issuer",), {"id": ISSUER.did}, "issuer", "issuer must be a did:key"),
    (("issuer",), "did:web:example.org", "issuer", "issuer: not a did:key: 'did:web:example.org'"),
    (
        ("issuer",),
        "did:key:z6MkXXXX",
        "issuer",
        "issuer: multikey is not ed25519-pub (multicodec 0xed)",
    ),
    ((SUBJECT,), DELETE, SUBJECT, "credentialSubject must be one object"),
    ((SUBJECT,), [{"id": WORKER.did}], SUBJECT, "credentialSubject must be one object"),
    ((SUBJECT,), "x", SUBJECT, "credentialSubject must be one object"),
    ((SUBJECT, "id"), DELETE, "credentialSubject.id", "credentialSubject.id must be a did:key"),
    ((SUBJECT, "id"), 5, "credentialSubject.id", "credentialSubject.id must be a did:key"),
    (
        (SUBJECT, "id"),
        "did:example:123",
        "credentialSubject.id",
        "credentialSubject.id: not a did:key: 'did:example:123'",
    ),
    (COMMIT, DELETE, "credentialSubject.documentCommitment", COMMITMENT),
    (COMMIT, "abc", "credentialSubject.documentCommitment", COMMITMENT),
    ((*COMMIT, "commitmentScheme"), "sha256-salted-v1", ".".join(COMMIT), COMMITMENT),
    ((*COMMIT, "commitmentScheme"), DELETE, ".".join(COMMIT), COMMITMENT),
    ((*COMMIT, "commitment"), "AB" * 32, ".".join(COMMIT), COMMITMENT),
    ((*COMMIT, "commitment"), "ab" * 31, ".".join(COMMIT), COMMITMENT),
    ((*COMMIT, "commitment"), 5, ".".join(COMMIT), COMMITMENT),
    ((*COMMIT, "commitment"), DELETE, ".".join(COMMIT), COMMITMENT),
    ((SUBJECT, "facility"), 42, "facility", "facility is a string"),
    ((SUBJECT, "nationality"), ["NPL"], "nationality", "nationality is a string"),
    (("credentialStatus",), DELETE, "credentialStatus", STATUS_OBJECT),
    (("credentialStatus",), "urn:x", "credentialStatus", STATUS_OBJECT),
    (("credentialStatus", "type"), "BitstringStatusListEntry", "credentialStatus", STATUS_OBJECT),
    (("credentialStatus", "type"), DELETE, "credentialStatus", STATUS_OBJECT),
    (("credentialStatus", "id"), DELETE, "credentialStatus.id", STATUS_ID),
    (("credentialStatus", "id"), 3, "credentialStatus.id", STATUS_ID),
    (
        ("credentialStatus", "id"),
        "urn:lpl:credential-status:0x1234",
        "credentialStatus.id",
        STATUS_ID,
    ),
    (
        ("credentialStatus", "id"),
        "urn:lpl:credential-status:0x" + "AB" * 32,
        "credentialStatus.id",
        STATUS_ID,
    ),
    (
        ("credentialStatus", "id"),
        OTHER_STATUS,
        "credentialStatus.id",
        "credentialStatus.id is not the keccak256 of the credential id",
    ),
    (("credentialStatus", "statusChainId"), DELETE, "credentialStatus.statusChainId", CHAIN),
    (("credentialStatus", "statusChainId"), "31337", "credentialStatus.statusChainId", CHAIN),
    (("credentialStatus", "statusChainId"), True, "credentialStatus.statusChainId", CHAIN),
    (("credentialStatus", "statusChainId"), 0, "credentialStatus.statusChainId", CHAIN),
    (("credentialStatus", "statusChainId"), -1, "credentialStatus.statusChainId", CHAIN),
    (("credentialStatus", "statusChainId"), 31337.0, "credentialStatus.statusChainId", CHAIN),
    (("credentialStatus", "statusContract"), DELETE, "credentialStatus.statusContract", CONTRACT),
    (("credentialStatus", "statusContract"), "0x1234", "credentialStatus.statusContract", CONTRACT),
    (("credentialStatus", "statusContract"), 5, "credentialStatus.statusContract", CONTRACT),
    (("validFrom",), DELETE, "validFrom", "validFrom: not an XML Schema dateTime: None"),
    (
        ("validFrom",),
        "2026-01-05",
        "validFrom",
        "validFrom: not an XML Schema dateTime: '2026-01-05'",
    ),
    (
        ("validFrom",),
        "2026-01-05T09:00:00",
        "validFrom",
        "validFrom: dateTime needs an offset (Z or +hh:mm): '2026-01-05T09:00:00'",
    ),
    (
        ("validFrom",),
        1767603600,
        "validFrom",
        "validFrom: not an XML Schema dateTime: 1767603600",
    ),
    (("validUntil",), DELETE, "validUntil", "validUntil: not an XML Schema dateTime: None"),
    (("validUntil",), "2026-01-05T09:00:00Z", "validUntil", "validUntil must be after validFrom"),
    (("validUntil",), "2025-01-05T09:00:00Z", "validUntil", "validUntil must be after validFrom"),
    (("validUntil",), "soon", "validUntil", "validUntil: not an XML Schema dateTime: 'soon'"),
    (("proof",), DELETE, "proof", "the credential has no proof"),
    (("proof",), "zsig", "proof", "the credential has no proof"),
    (("proof",), [{}], "proof", "the credential has no proof"),
    (
        ("proof", "created"),
        DELETE,
        "proof.created",
        "proof.created: not an XML Schema dateTime: None",
    ),
    (
        ("proof", "created"),
        "yesterday",
        "proof.created",
        "proof.created: not an XML Schema dateTime: 'yesterday'",
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "field", "detail"),
    CASES,
    ids=[
        f"{'.'.join(path)}={'deleted' if value is DELETE else repr(value)[:24]}"
        for path, value, _, _ in CASES
    ],
)
def test_refused(
    credential: dict[str, Any], path: tuple[str, ...], value: Any, field: str, detail: str
) -> None:
    with pytest.raises(CredentialInvalid) as caught:
        parse_worker_credential(changed(credential, path, value))
    assert (caught.value.field, caught.value.detail) == (field, detail)
    assert caught.value.code == "credential_invalid" and caught.value.data["field"] == field


def test_the_first_problem_is_named(credential: dict[str, Any]) -> None:
    broken = changed(changed(credential, ("id",), 7), ("proof",), DELETE)
    with pytest.raises(CredentialInvalid) as caught:
        parse_worker_credential(changed(broken, ("type",), []))
    assert caught.value.field == "type"
    with pytest.raises(CredentialInvalid) as caught:
        parse_worker_credential(broken)
    assert caught.value.field == "id"


@pytest.mark.parametrize(
    ("path", "suffix", "field"),
    [
        ((*COMMIT, "commitment"), "\n", "credentialSubject.documentCommitment"),
        (("credentialStatus", "statusContract"), "\n", "credentialStatus.statusContract"),
        (("credentialStatus", "id"), "\n", "credentialStatus.id"),
        (("id",), "", "id"),  # control: unchanged, accepted
    ],
)
def test_a_trailing_newline_is_not_hex(
    credential: dict[str, Any], path: tuple[str, ...], suffix: str, field: str
) -> None:
    """Python's ``re`` ``$`` also matches before a final newline; the hand-written parser let
    ``<64 hex>\\n`` through as a commitment and ``0x<40 hex>\\n`` as a contract."""
    target: Any = credential
    for step in path:
        target = target[step]
    document = changed(credential, path, target + suffix)
    if not suffix:
        parse_worker_credential(document)
        return
    with pytest.raises(CredentialInvalid) as caught:
        parse_worker_credential(document)
    assert caught.value.field == field
    assert (
        caught.value.detail
        == {
            "credentialSubject.documentCommitment": COMMITMENT,
            "credentialStatus.statusContract": CONTRACT,
            "credentialStatus.id": STATUS_ID,
        }[field]
    )


@pytest.mark.parametrize(
    "types",
    [
        ["VerifiableCredential", "WorkerIdentityCredential", 5],
        ["VerifiableCredential", "WorkerIdentityCredential", None],
        ("VerifiableCredential", "WorkerIdentityCredential"),
    ],
)
def test_types_are_a_list_of_strings(credential: dict[str, Any], types: Any) -> None:
    with pytest.raises(CredentialInvalid) as caught:
        parse_worker_credential(changed(credential, ("type",), types))
    assert (caught.value.field, caught.value.detail) == ("type", TYPE)
