"""Wallet files and document commitments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.commitment import DocumentSecret, commit, matches, open_fields, verify_opening
from credentials.errors import WalletError
from credentials.signal import open_signal, signal_binding
from credentials.wallet import Wallet, create_wallet, open_wallet, read_wallet_did, save_wallet
from credentials.worker import StatusLocation, issue_worker_credential
from ledger.errors import SchemaViolation
from ledger.keys import SigningKey
from tests.credentials.worker_support import FAST_KDF

STATUS = StatusLocation(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Path, SigningKey, SigningKey]:
    issuer, investigator = SigningKey.generate(), SigningKey.generate()
    path = tmp_path / "worker.wallet"
    wallet = create_wallet(path, "2468", duress_pin="1357", **FAST_KDF)
    document = DocumentSecret.create("passport", "PA7730419", "NP")
    credential = issue_worker_credential(issuer, wallet.did, document, status=STATUS)
    save_wallet(
        path,
        wallet.with_credential(credential, document, investigator.did),
        "2468",
        duress_pin="1357",
        overwrite=True,
        **FAST_KDF,
    )
    return path, issuer, investigator


def test_both_pins_open_the_same_identity_and_only_investigators_tell_them_apart(
    filled: tuple[Path, SigningKey, SigningKey],
) -> None:
    path, _, investigator = filled
    normal, duress = open_wallet(path, "2468"), open_wallet(path, "1357")
    assert normal.did == duress.did == read_wallet_did(path)
    assert normal.credential == duress.credential and repr(normal) == repr(duress)
    for wallet, expected in ((normal, False), (duress, True)):
        presentation = wallet.present(challenge="c" * 22)
        binding = signal_binding(wallet.did, presentation["proof"]["created"], "c" * 22)
        assert (
            open_signal(investigator, presentation["holderSignal"], binding=binding).duress
            is expected
        )
        assert (
            open_signal(investigator, presentation["holderSignal"], binding=bytes(16)).bound
            is False
        )
    with pytest.raises(WalletError):
        open_wallet(path, "0000")


def test_the_file_does_not_reveal_a_duress_pin(tmp_path: Path) -> None:
    shapes = []
    for duress in ("1357", None):
        path = tmp_path / f"w-{duress}"
        create_wallet(path, "2468", duress_pin=duress, **FAST_KDF)
        document = json.loads(path.read_text())
        assert path.stat().st_mode & 0o777 == 0o600
        shapes.append(sorted(len(c["ciphertext"]) for c in document["compartments"]))
    assert shapes[0] == shapes[1] and len(set(shapes[0])) == 1


def test_pins_and_files_are_checked(tmp_path: Path) -> None:
    with pytest.raises(WalletError):
        create_wallet(tmp_path / "a", "12", **FAST_KDF)
    with pytest.raises(WalletError):
        create_wallet(tmp_path / "b", "2468", duress_pin="2468", **FAST_KDF)
    create_wallet(tmp_path / "c", "2468", **FAST_KDF)
    with pytest.raises(WalletError):
        create_wallet(tmp_path / "c", "2468", **FAST_KDF)  # never overwritten
    (tmp_path / "d").write_text("{}")
    with pytest.raises(WalletError):
        open_wallet(tmp_path / "d", "2468")
    with pytest.raises(WalletError):
        Wallet(SigningKey.generate()).present()  # nothing imported yet


def test_import_refuses_someone_elses_credential_or_a_wrong_secret(
    filled: tuple[Path, SigningKey, SigningKey],
) -> None:
    path, issuer, _ = filled
    wallet = open_wallet(path, "2468")
    document = DocumentSecret.create("passport", "PA7730419", "NP")
    other = issue_worker_credential(issuer, SigningKey.generate().did, document, status=STATUS)
    with pytest.raises(WalletError):
        wallet.with_credential(other, document, None)
    assert wallet.credential is not None
    wrong = DocumentSecret.create(
        "passport", "PA7730418", "NP", salt=wallet.document.salt if wallet.document else None
    )
    with pytest.raises(WalletError):
        wallet.with_credential(wallet.credential, wrong, None)


def test_erasing_the_document_secret_survives_reopening(
    filled: tuple[Path, SigningKey, SigningKey],
) -> None:
    path, _, _ = filled
    save_wallet(
        path,
        open_wallet(path, "2468").without_document(),
        "2468",
        duress_pin="1357",
        overwrite=True,
        **FAST_KDF,
    )
    for pin in ("2468", "1357"):
        reopened = open_wallet(path, pin)
        assert reopened.document is None and reopened.credential is not None
        with pytest.raises(WalletError):
            reopened.reveal_salt()
    assert "PA7730419" not in path.read_text()


# -- commitments -----------------------------------------------------------------------------


def test_normalisation_makes_the_data_page_and_the_mrz_agree() -> None:
    secret = DocumentSecret.create("Passport", "pa 773-0419<<", "np")
    assert (secret.document_type, secret.number, secret.country) == ("passport", "PA7730419", "NPL")
    assert matches(
        commit(secret),
        salt=secret.salt,
        document_type="passport",
        number="PA7730419",
        country="NPL",
    )
    assert not matches(
        commit(secret),
        salt=secret.salt,
        document_type="national-id",
        number="PA7730419",
        country="NPL",
    )
    assert not matches(
        commit(secret),
        salt=secret.salt,
        document_type="passport",
        number="PA7730419",
        country="IND",
    )
    assert "PA7730419" not in repr(secret) and secret.salt.hex() not in repr(secret)
    for bad in (("visa", "1", "NP"), ("passport", "PA 77#30", "NP"), ("passport", "P1", "XX")):
        with pytest.raises(SchemaViolation):
            DocumentSecret.create(*bad)


def test_one_field_can_be_opened_without_the_number() -> None:
    secret = DocumentSecret.create("passport", "PA7730419", "NP")
    opening = open_fields(secret, {"country"})
    assert "PA7730419" not in json.dumps(opening)
    assert verify_opening(commit(secret), opening) == {"country": "NPL"}
    forged = {**opening, "country": {"value": "IND", "key": opening["country"]["key"]}}
    with pytest.raises(SchemaViolation):
        verify_opening(commit(secret), forged)


@given(
    st.from_regex(r"[A-Z0-9]{1,20}", fullmatch=True),
    st.sampled_from(["NP", "IN", "BD", "MM"]),
    st.binary(min_size=32, max_size=32),
)
@settings(max_examples=60, deadline=None)
def test_commitments_bind_every_field_and_the_salt(number: str, country: str, salt: bytes) -> None:
    secret = DocumentSecret.create("passport", number, country, salt=salt)
    value = commit(secret)
    assert matches(value, salt=salt, document_type="passport", number=number, country=country)
    assert not matches(
        value,
        salt=bytes(32) if salt != bytes(32) else b"\x01" * 32,
        document_type="passport",
        number=number,
        country=country,
    )
    assert not matches(
        value, salt=salt, document_type="passport", number=number + "0", country=country
    )
