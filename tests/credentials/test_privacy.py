"""Privacy: no document number or salt in any table, log line or transaction; erasing the
salt (crypto-shredding) leaves every proof valid and the commitment unopenable.

Runs a whole worker flow on a real ledger (SQLite and PostgreSQL, embedded EVM)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel

from credentials.commitment import matches
from credentials.errors import WalletError
from credentials.possession import document_matches
from credentials.presentation import check_presentation
from credentials.wallet import open_wallet, save_wallet
from credentials.worker import (
    parse_worker_credential,
    status_change_payload,
    verify_worker_credential,
)
from domain import open_ledger
from domain.workers import WorkerCredentials
from ledger.envelope import sign_envelope
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import session_scope
from ledger.timeutil import utcnow
from tests.credentials.worker_support import (
    FAST_KDF,
    NUMBER,
    accredited,
    checkin_envelope,
    wallet_for,
)


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    opened = open_ledger(LedgerConfig(database_url=database_url))
    yield opened
    opened.close()


def test_no_document_data_in_tables_logs_or_chain(
    ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    issuer, verifier = accredited(ledger, Role.ISSUER), accredited(ledger, Role.VERIFIER)
    investigator = accredited(ledger, Role.INVESTIGATOR)
    wallet = wallet_for(ledger, issuer, investigator)
    assert wallet.document is not None and wallet.credential is not None
    secrets_ = {
        "number": NUMBER.encode(),
        "number (hex)": NUMBER.encode().hex().encode(),
        "salt (hex)": wallet.document.salt.hex().encode(),
        "salt (bytes)": wallet.document.salt,
    }
    challenge, _ = WorkerCredentials(ledger).issue_challenge()
    presentation = wallet.present(challenge=challenge)
    matched = document_matches(
        presentation,
        salt_hex=wallet.reveal_salt(),
        document_type="passport",
        number=NUMBER,
        country="NP",
    )
    WorkerCredentials(ledger).check_in(
        presentation, checkin_envelope(verifier, presentation, matches=matched)
    )
    status_id = parse_worker_credential(wallet.credential).status_id
    WorkerCredentials(ledger).change_status(
        sign_envelope(
            "credential_status", status_change_payload(status_id, "suspend"), issuer
        ).to_dict()
    )
    report = ledger.anchorer.drain()
    assert report.error is None and report.anchored

    # every row of every table
    with session_scope(ledger.engine) as session:
        dump = b""
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(sa_select(table)).all():
                dump += repr(tuple(row)).encode()
    assert dump and b"did:key" in dump
    # every transaction's calldata, and every log's topics and data, on the chain
    w3 = ledger.client.w3
    chain = b""
    for number in range(w3.eth.block_number + 1):
        for tx in w3.eth.get_block(number, full_transactions=True)["transactions"]:
            chain += bytes(tx.get("input", tx.get("data", b"")))
            for log in w3.eth.get_transaction_receipt(tx["hash"])["logs"]:
                chain += bytes(log["data"]) + b"".join(bytes(t) for t in log["topics"])
    assert len(chain) > 1000
    for name, value in secrets_.items():
        assert value not in dump, f"{name} in the database"
        assert value not in caplog.text.encode(), f"{name} in the logs"
        assert value not in chain, f"{name} on chain"


def test_crypto_shredding_keeps_every_proof_valid(ledger: Ledger, tmp_path: Path) -> None:
    issuer, verifier = accredited(ledger, Role.ISSUER), accredited(ledger, Role.VERIFIER)
    wallet = wallet_for(ledger, issuer)
    assert wallet.document is not None and wallet.credential is not None
    salt = wallet.document.salt
    presentation = wallet.present()
    accepted = WorkerCredentials(ledger).check_in(
        presentation, checkin_envelope(verifier, presentation)
    )
    ledger.anchorer.drain()
    commitment = parse_worker_credential(wallet.credential).commitment

    erased = wallet.without_document()  # the only copy of the salt is gone
    with pytest.raises(WalletError):
        erased.reveal_salt()
    # every proof still holds
    verify_worker_credential(erased.credential or {})
    assert check_presentation(presentation, now=utcnow() + timedelta(seconds=1)).verified
    assert ledger.check_receipt(ledger.receipt(accepted.record_id)).ok
    assert WorkerCredentials(ledger).verify_presentation(erased.present()).verified
    # and the commitment can no longer be opened: the number is useless without the salt,
    # and no salt an attacker could derive from what is public opens it.
    assert matches(commitment, salt=salt, document_type="passport", number=NUMBER, country="NP")
    credential = parse_worker_credential(erased.credential or {})
    public = [NUMBER, credential.id, credential.holder, credential.status_id, credential.issuer]
    guessable = [bytes(32), bytes.fromhex(credential.status_id[2:])] + [
        hashlib.sha256(value.encode()).digest() for value in public
    ]
    for guess in guessable:
        assert not matches(
            commitment, salt=guess, document_type="passport", number=NUMBER, country="NP"
        ), guess
    # and the erased wallet, saved on the phone and opened again, has no salt to give.
    path = tmp_path / "erased.wallet"
    save_wallet(path, erased, "2468", opslimit=FAST_KDF["opslimit"], memlimit=FAST_KDF["memlimit"])
    reopened = open_wallet(path, "2468")
    assert reopened.document is None and reopened.credential == wallet.credential
    with pytest.raises(WalletError):
        reopened.reveal_salt()
