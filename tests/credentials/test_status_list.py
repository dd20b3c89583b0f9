"""W3C Bitstring Status List (:mod:`credentials.status_list`): the encoding the spec names,
the bounds (size, gzip bombs), the list credential's proof, the worker credential's
entry, and Digital Bazaar's ``@digitalbazaar/vc-bitstring-status-list`` reading our lists
with none of our code (tools/independent-verifier/verify.mjs --status-list)."""

from __future__ import annotations

import base64
import copy
import gzip
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credentials.commitment import DocumentSecret
from credentials.errors import (
    CredentialInvalid,
    ProofError,
    StatusListEncodingInvalid,
    StatusListInvalid,
    StatusListTooLarge,
)
from credentials.status_list import (
    LIST_BITS,
    LIST_BYTES,
    MAX_ENCODED_LIST,
    StatusListEntry,
    bit_is_set,
    decode_list,
    encode_list,
    issue_status_list,
    parse_status_list,
    set_bits,
    status_list_url,
    verify_status_list,
)
from credentials.worker import (
    StatusLocation,
    issue_worker_credential,
    parse_worker_credential,
    registration_payload,
)
from ledger.errors import SchemaViolation
from ledger.keys import SigningKey
from tests.credentials.test_independent_verifier import run_verifier

ISSUER = SigningKey(bytes(range(32)))
OTHER = SigningKey(bytes(range(64, 96)))
WORKER = SigningKey(bytes(range(32, 64)))
BASE = "https://ledger.example.org"
URL = status_list_url(BASE, ISSUER.did)
STATUS = StatusLocation(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
DOCUMENT = DocumentSecret.create("passport", "PA7730419", "NP", salt=bytes(range(32)))
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
EMPTY = bytes(LIST_BYTES)


def _encoded(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_url_names_the_issuer() -> None:
    multibase = ISSUER.did.removeprefix("did:key:")
    assert f"{BASE}/v1/status-lists/{multibase}/revocation" == URL


def test_bit_order_is_the_specs() -> None:
    """Index 0 is the first byte's most significant bit (spec: "left-most bit")."""
    bits = set_bits(EMPTY, [0, 9, LIST_BITS - 1])
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01
    assert [bit_is_set(bits, i) for i in (0, 1, 8, 9, LIST_BITS - 1)] == [
        True, False, False, True, True,
    ]  # fmt: skip
    with pytest.raises(ValueError):
        set_bits(EMPTY, [LIST_BITS])


def test_encoding_is_multibase_base64url_of_gzip() -> None:
    encoded = encode_list(set_bits(EMPTY, [3]))
    assert encoded.startswith("u") and "=" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert gzip.decompress(raw)[0] == 0x10


@given(st.sets(st.integers(0, LIST_BITS - 1), max_size=50))
def test_round_trip(indexes: set[int]) -> None:
    bits = set_bits(EMPTY, indexes)
    assert decode_list(encode_list(bits)) == bits


def test_incompressible_list_fits_the_bound() -> None:
    noise = bytes((i * 2654435761 >> 7) & 0xFF for i in range(LIST_BYTES))
    encoded = encode_list(noise)
    assert len(encoded) <= MAX_ENCODED_LIST
    assert decode_list(encoded) == noise


@pytest.mark.parametrize(
    ("encoded", "error"),
    [
        (42, StatusListEncodingInvalid),
        ("z" + encode_list(EMPTY)[1:], StatusListEncodingInvalid),  # base58btc prefix
        ("u" + "A" * (MAX_ENCODED_LIST), StatusListTooLarge),  # oversized before decoding
        ("uAAA+/", StatusListEncodingInvalid),  # base64 (not url) alphabet
        ("uA", StatusListEncodingInvalid),  # impossible base64 length
        (_encoded(b"not gzip at all"), StatusListEncodingInvalid),
        (_encoded(gzip.compress(EMPTY)[:-9]), StatusListEncodingInvalid),  # truncated
        (_encoded(gzip.compress(EMPTY) + b"trailing"), StatusListEncodingInvalid),
        (_encoded(gzip.compress(EMPTY[:1024])), StatusListInvalid),  # too short a list
        (_encoded(gzip.compress(EMPTY + b"\0")), StatusListTooLarge),  # one byte too long
        (_encoded(gzip.compress(bytes(8 * 1024 * 1024))), StatusListTooLarge),  # gzip bomb
    ],
    ids=[
        "not-a-string", "base58", "oversized", "base64-std", "bad-length", "not-gzip",
        "truncated", "trailing", "short", "long", "bomb",
    ],
)  # fmt: skip
def test_decode_refuses(encoded: Any, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        decode_list(encoded)
    assert type(caught.value) is error


def test_bomb_is_small_on_the_wire_and_never_inflated() -> None:
    bomb = _encoded(gzip.compress(bytes(8 * 1024 * 1024)))
    assert len(bomb) < MAX_ENCODED_LIST  # the length bound alone would not stop it
    with pytest.raises(StatusListTooLarge) as caught:
        decode_list(bomb)
    assert caught.value.code == "status_list_too_large"


def _list(bits: bytes = EMPTY, key: SigningKey = ISSUER, url: str = URL) -> dict[str, Any]:
    return issue_status_list(key, url, bits, valid_from=START)


def test_list_credential_verifies() -> None:
    document = _list(set_bits(EMPTY, [7]))
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["credentialSubject"]["id"] == URL + "#list"
    status_list, proof = verify_status_list(document)
    assert status_list.issuer == ISSUER.did and status_list.is_set(7) and not status_list.is_set(6)
    assert proof.suite == "eddsa-rdfc-2022" and status_list.valid_from == START


def test_list_of_another_issuer_for_this_url_is_refused() -> None:
    with pytest.raises(StatusListInvalid) as caught:
        verify_status_list(_list(key=OTHER))  # OTHER signs, as issuer, ISSUER's URL
    assert caught.value.data["field"] == "id"


def test_changed_bit_breaks_the_proof() -> None:
    document = _list()
    document["credentialSubject"]["encodedList"] = encode_list(set_bits(EMPTY, [1]))
    with pytest.raises(ProofError):
        verify_status_list(document)


def _changed(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(_list())
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("@context",), ["https://www.w3.org/2018/credentials/v1"], "@context"),
        (("type",), ["VerifiableCredential"], "type"),
        (("id",), "https://ledger.example.org/v1/elsewhere", "id"),
        (("id",), "ftp://x" + URL[5:], "id"),
        (("issuer",), "did:web:example.org", "issuer"),
        (("validFrom",), "yesterday", "validFrom"),
        (("credentialSubject", "type"), "StatusList2021", "credentialSubject"),
        (("credentialSubject", "statusPurpose"), "suspension", "credentialSubject.statusPurpose"),
        (("credentialSubject", "extra"), 1, "credentialSubject"),
        (("evidence",), [], "evidence"),
    ],
)
def test_list_shape_refused(path: tuple[str, ...], value: Any, field: str) -> None:
    with pytest.raises(StatusListInvalid) as caught:
        parse_status_list(_changed(path, value))
    assert caught.value.code == "status_list_invalid"
    assert caught.value.data["field"] == field


def _worker(entry: StatusListEntry | None) -> dict[str, Any]:
    return issue_worker_credential(
        ISSUER, WORKER.did, DOCUMENT, status=STATUS, status_list=entry, valid_from=START
    )


def test_worker_credential_carries_both_entries() -> None:
    credential = _worker(StatusListEntry(URL, 4242))
    on_chain, listed = credential["credentialStatus"]
    assert on_chain["type"] == "OnChainCredentialStatus"
    assert listed == {
        "id": f"{URL}#4242",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "4242",
        "statusListCredential": URL,
    }
    parsed = parse_worker_credential(credential)
    assert parsed.status_list == StatusListEntry(URL, 4242)
    assert registration_payload(credential)["statusList"] == {"url": URL, "index": 4242}


def test_old_single_entry_still_reads() -> None:
    parsed = parse_worker_credential(_worker(None))
    assert parsed.status_list is None
    assert "statusList" not in registration_payload(_worker(None))


@pytest.mark.parametrize(
    "entry",
    [
        StatusListEntry(status_list_url(BASE, OTHER.did), 1),  # another issuer's list
        StatusListEntry(URL, LIST_BITS),  # outside the list
        StatusListEntry(BASE + "/somewhere", 1),
    ],
    ids=["other-issuer", "outside", "not-a-list-url"],
)
def test_issue_refuses_a_foreign_entry(entry: StatusListEntry) -> None:
    with pytest.raises(SchemaViolation):
        _worker(entry)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: s.__setitem__(1, {**s[1], "statusListIndex": 7}), "credentialStatus"),
        (lambda s: s.__setitem__(1, {**s[1], "statusListIndex": "007"}), "credentialStatus"),
        (lambda s: s.__setitem__(1, {**s[1], "statusPurpose": "suspension"}), "credentialStatus"),
        (lambda s: s.__setitem__(1, {**s[1], "id": URL + "#1"}), "credentialStatus.id"),
        (lambda s: s.append(s[1]), "credentialStatus"),
        (lambda s: s.reverse(), "credentialStatus"),
        (lambda s: s.pop(), "credentialStatus"),
    ],
    ids=["index-number", "index-zero-padded", "purpose", "id", "three", "order", "one-in-list"],
)
def test_worker_entry_refused(change: Any, field: str) -> None:
    credential = copy.deepcopy(_worker(StatusListEntry(URL, 4242)))
    change(credential["credentialStatus"])
    with pytest.raises(CredentialInvalid) as caught:
        parse_worker_credential(credential)
    assert caught.value.data["field"] == field


# -- Digital Bazaar's status list library ---------------------------------------------------


def _db_verdict(credential: dict[str, Any], *lists: dict[str, Any]) -> tuple[int, Any]:
    with tempfile.TemporaryDirectory() as folder:
        args: list[str] = []
        for n, document in enumerate(lists):
            path = Path(folder) / f"list-{n}.json"
            path.write_text(json.dumps(document), encoding="utf-8")
            args += ["--status-list", str(path)]
        return run_verifier(credential, *args)


def test_digital_bazaar_reads_our_list() -> None:
    credential = _worker(StatusListEntry(URL, 4242))
    code, verdict = _db_verdict(credential, _list(set_bits(EMPTY, [4241, 4243])))
    assert (code, verdict["statusList"], verdict["errors"]) == (0, "active", [])
    code, verdict = _db_verdict(credential, _list(set_bits(EMPTY, [4242])))
    assert (code, verdict["verified"], verdict["statusList"]) == (1, False, "revoked")


def test_digital_bazaar_refuses_another_issuers_list() -> None:
    credential = _worker(StatusListEntry(URL, 4242))
    code, verdict = _db_verdict(credential, _list(key=OTHER))
    assert (code, verdict["statusList"]) == (1, "not verified")
    assert any("Issuers" in e["message"] for e in verdict["errors"])


def test_digital_bazaar_refuses_a_tampered_list() -> None:
    credential = _worker(StatusListEntry(URL, 4242))
    document = _list(set_bits(EMPTY, [4242]))
    document["credentialSubject"]["encodedList"] = encode_list(EMPTY)  # "un-revoke" it
    code, verdict = _db_verdict(credential, document)
    assert (code, verdict["statusList"]) == (1, "not verified")


def test_without_a_list_the_entry_is_reported_unchecked() -> None:
    code, verdict = run_verifier(_worker(StatusListEntry(URL, 1)))
    assert code == 0 and verdict["statusList"].startswith("not checked")


def test_a_list_digital_bazaar_encodes_decodes_here() -> None:
    """The other direction: @digitalbazaar/vc-bitstring-status-list encodes, we decode."""
    import shutil
    import subprocess

    from tests.credentials.vc_support import ROOT

    node = shutil.which("node")
    assert node, "node is required (see tools/setup.sh)"
    script = (
        "import {createList} from '@digitalbazaar/vc-bitstring-status-list';"
        "const list = await createList({length: 131072});"
        "for (const i of [0, 7, 8, 4242, 131071]) list.setStatus(i, true);"
        "process.stdout.write(await list.encode());"
    )
    completed = subprocess.run(
        [node, "--input-type=module", "-e", script],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    bits = decode_list(completed.stdout)
    assert [i for i in range(LIST_BITS) if bit_is_set(bits, i)] == [0, 7, 8, 4242, 131071]
