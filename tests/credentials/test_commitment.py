"""A malformed salt or document is an error, never a mismatch.

``False`` from :func:`matches` / :func:`document_matches` is signed and anchored as "this
worker does not hold their document": only a well-formed document that genuinely differs
from the commitment may produce it.
"""

from __future__ import annotations

from typing import Any

import pytest

from credentials.commitment import DocumentSecret, commit, matches, parse_salt
from credentials.possession import document_matches
from credentials.worker import StatusLocation, issue_worker_credential
from ledger.errors import SchemaViolation
from ledger.keys import SigningKey

STATUS = StatusLocation(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
NUMBER = "PA7730419"
SALT = bytes(range(32))
GOOD = {"document_type": "passport", "number": NUMBER, "country": "NP"}

MALFORMED_FIELDS = [
    ("document_type", "", "documentType"),
    ("document_type", "visa", "documentType"),
    ("document_type", "passport" * 100, "documentType"),
    ("number", "", "documentNumber"),
    ("number", "   ", "documentNumber"),
    ("number", "<<<", "documentNumber"),
    ("number", "PA77#0419", "documentNumber"),
    ("number", "PA7730419é", "documentNumber"),
    ("number", "P" * 41, "documentNumber"),
    ("number", "P" * 100_000, "documentNumber"),
    ("country", "", "documentCountry"),
    ("country", "XX", "documentCountry"),
    ("country", "Nepal", "documentCountry"),
    ("country", "N", "documentCountry"),
    ("country", "NP" * 1000, "documentCountry"),
]
MALFORMED_SALTS = [
    "",
    "00" * 31,  # 31 bytes
    "00" * 33,  # 33 bytes
    "0" * 63,
    "zz" * 32,
    "00 " * 32,  # bytes.fromhex accepts inner spaces
    "0x" + "00" * 32,
]


@pytest.fixture
def credential() -> dict[str, Any]:
    document = DocumentSecret.create("passport", NUMBER, "NP", salt=SALT)
    return issue_worker_credential(SigningKey.generate(), SigningKey.generate().did, document,
                                   status=STATUS)  # fmt: skip


def test_a_well_formed_document_matches_or_genuinely_differs(
    credential: dict[str, Any],
) -> None:
    salt = SALT.hex()
    assert document_matches(credential, salt_hex=salt, **GOOD) is True
    assert document_matches(credential, salt_hex=f"  {salt.upper()}\n", **GOOD) is True
    assert document_matches(credential, salt_hex=salt, **{**GOOD, "number": "pa 773-0419"})
    for field, other in (("number", "PA7730418"), ("country", "IND"), ("document_type", "other")):
        assert document_matches(credential, salt_hex=salt, **{**GOOD, field: other}) is False
    assert document_matches(credential, salt_hex="11" * 32, **GOOD) is False


@pytest.mark.parametrize(("name", "value", "field"), MALFORMED_FIELDS)
def test_a_malformed_document_field_is_an_error(
    credential: dict[str, Any], name: str, value: str, field: str
) -> None:
    with pytest.raises(SchemaViolation) as caught:
        document_matches(credential, salt_hex=SALT.hex(), **{**GOOD, name: value})
    assert caught.value.field == field
    with pytest.raises(SchemaViolation):
        matches(
            commit(DocumentSecret.create(salt=SALT, **GOOD)), salt=SALT, **{**GOOD, name: value}
        )
    if name == "number":  # the number is personal data: never in an error message
        assert value.strip() == "" or value not in caught.value.detail


@pytest.mark.parametrize("salt", MALFORMED_SALTS)
def test_a_malformed_salt_is_an_error_and_is_not_echoed(
    credential: dict[str, Any], salt: str
) -> None:
    with pytest.raises(SchemaViolation) as caught:
        document_matches(credential, salt_hex=salt, **GOOD)
    assert caught.value.field == "salt"
    assert salt.strip() == "" or salt.strip() not in caught.value.detail
    with pytest.raises(SchemaViolation):
        parse_salt(salt)


@pytest.mark.parametrize("salt", [b"", bytes(31), bytes(33)])
def test_matches_refuses_a_salt_of_the_wrong_length(salt: bytes) -> None:
    commitment = commit(DocumentSecret.create(salt=SALT, **GOOD))
    with pytest.raises(SchemaViolation) as caught:
        matches(commitment, salt=salt, **GOOD)
    assert caught.value.field == "salt"


@pytest.mark.parametrize("commitment", ["", "ab" * 31, "zz" * 32, "ab" * 33])
def test_matches_refuses_a_malformed_commitment(commitment: str) -> None:
    with pytest.raises(SchemaViolation) as caught:
        matches(commitment, salt=SALT, **GOOD)
    assert caught.value.field == "commitment"


def test_from_dict_takes_the_salt_strictly() -> None:
    secret = DocumentSecret.create(salt=SALT, **GOOD)
    assert DocumentSecret.from_dict(secret.to_dict()) == secret
    with pytest.raises(SchemaViolation):
        DocumentSecret.from_dict({**secret.to_dict(), "salt": " ".join(["00"] * 32)})
