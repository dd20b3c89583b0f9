"""CredentialStatus as the ledger relays it: a registration binds the credential to its
issuer's key with the registration's record id, each change names its issuer-signed record
(which anyone can fetch and check), the anchoring account cannot act alone, prepared relays are
signed but not sent, and the admin voids a compromised issuer's credentials at once. Real EVM
(eth-tester), real signatures, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from credentials.worker import parse_worker_credential, registration_payload, status_change_payload
from domain import open_ledger
from domain.workers import WorkerCredentials
from domain.workers.errors import CredentialRevoked, IssuerNotAccredited
from domain.workers.models import WorkerCredentialRow
from ledger.chain.contracts import CredentialStatusContract
from ledger.envelope import sign_envelope
from ledger.errors import ContractRevert
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import session_scope
from tests.credentials.worker_support import accredited, chain_status, issue, wallet_for

ZERO = b"\x00" * 32


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    opened = open_ledger(LedgerConfig(database_url=database_url))
    yield opened
    opened.close()


@pytest.fixture
def ngo(ledger: Ledger) -> SigningKey:
    return accredited(ledger, Role.ISSUER)


def status_id_of(credential: dict[str, Any]) -> bytes:
    return bytes.fromhex(parse_worker_credential(credential).status_id[2:])


def change(ledger: Ledger, issuer: SigningKey, credential: dict[str, Any], action: str) -> str:
    envelope = sign_envelope(
        "credential_status",
        status_change_payload(parse_worker_credential(credential).status_id, action, 4),
        issuer,
    )
    accepted, _ = WorkerCredentials(ledger).change_status(envelope.to_dict())
    assert ledger.anchorer.drain().error is None  # the worker relays it within a pass
    return accepted.record_id


def test_registration_binds_the_issuer_key_with_its_record(ledger: Ledger, ngo: SigningKey) -> None:
    credential, _ = issue(ledger, ngo, SigningKey.generate())
    status_id = status_id_of(credential)
    assert not ledger.credential_status.entry_of(status_id).registered  # not before the relay
    assert ledger.anchorer.drain().error is None
    with session_scope(ledger.engine) as session:
        row = session.get(WorkerCredentialRow, "0x" + status_id.hex())
        assert row is not None
        registration_record = row.record_id

    entry = ledger.credential_status.entry_of(status_id)

    assert entry.registered and entry.issuer_key == ngo.verify_key.raw
    assert entry.registration_record == bytes.fromhex(registration_record[2:])
    assert entry.status == CredentialStatusContract.ACTIVE and entry.status_record == ZERO
    # The record named on chain is the issuer's own signed registration.
    registration = ledger.envelope(registration_record)
    assert registration.signer == ngo.did and registration.kind == "credential"


def test_every_change_names_the_issuer_signed_record(ledger: Ledger, ngo: SigningKey) -> None:
    credential, _ = issue(ledger, ngo, SigningKey.generate())
    status_id = status_id_of(credential)
    assert ledger.anchorer.drain().error is None
    record_ids = []

    for action, status in (("suspend", 1), ("reinstate", 0), ("revoke", 2)):
        record_ids.append(change(ledger, ngo, credential, action))
        entry = ledger.credential_status.entry_of(status_id)
        assert (entry.status, entry.status_record) == (status, bytes.fromhex(record_ids[-1][2:]))
        # Anyone holding the record id fetches the record and checks the issuer's consent.
        envelope = ledger.envelope("0x" + entry.status_record.hex())
        assert envelope.signer == ngo.did and envelope.payload["action"] == action
        envelope.verify_signature()

    logs = ledger.credential_status.contract.events.StatusChanged().get_logs(
        from_block=0, argument_filters={"credentialId": status_id}
    )
    assert ["0x" + bytes(log["args"]["recordHash"]).hex() for log in logs] == record_ids
    assert {bytes(log["args"]["issuerKey"]) for log in logs} == {ngo.verify_key.raw}


def test_the_anchoring_account_cannot_act_in_an_issuers_name(
    ledger: Ledger, ngo: SigningKey
) -> None:
    credential, _ = issue(ledger, ngo, SigningKey.generate())
    status_id = status_id_of(credential)
    assert ledger.anchorer.drain().error is None
    other = accredited(ledger, Role.ISSUER)
    record = b"\x42" * 32
    relay = ledger.credential_status  # built over the anchoring account

    with pytest.raises(ContractRevert) as caught:
        relay.change("revoke", status_id, other.verify_key, 0, record)
    assert caught.value.error_name == "CredentialStatusWrongIssuer"
    unregistered = b"\x77" * 32
    with pytest.raises(ContractRevert) as caught:
        relay.change("revoke", unregistered, ngo.verify_key, 0, record)
    assert caught.value.error_name == "CredentialStatusNotRegistered"
    with pytest.raises(ContractRevert) as caught:
        relay.register(unregistered, SigningKey.generate().verify_key, record)
    assert caught.value.error_name == "CredentialStatusIssuerNotAccredited"
    with pytest.raises(ContractRevert) as caught:
        relay.revoke_issuer(ngo.verify_key)
    assert caught.value.error_name == "CredentialStatusNotAdmin"

    assert chain_status(ledger, "0x" + status_id.hex()) == "active"
    assert not ledger.credential_status.entry_of(unregistered).registered


def test_prepared_relays_are_signed_not_sent(ledger: Ledger, ngo: SigningKey) -> None:
    credential, _ = issue(ledger, ngo, SigningKey.generate(), register=False)
    status_id = status_id_of(credential)
    record = sign_envelope("credential", registration_payload(credential), ngo).leaf
    relay = ledger.credential_status
    head = ledger.client.block_number()

    prepared = relay.prepare_register(status_id, ngo.verify_key, record)

    assert ledger.client.block_number() == head and not ledger.client.is_known(prepared.tx_hash)
    assert not relay.entry_of(status_id).registered
    assert ledger.client.broadcast(prepared) == prepared.tx_hash
    outcome = ledger.client.outcome(prepared.tx_hash)
    assert outcome is not None and outcome.status == 1
    assert relay.entry_of(status_id).registration_record == record

    # A change the contract would refuse fails while preparing, and nothing is sent.
    head = ledger.client.block_number()
    with pytest.raises(ContractRevert) as caught:
        relay.prepare_change("reinstate", status_id, ngo.verify_key, 0, b"\x01" * 32)
    assert caught.value.error_name == "CredentialStatusNotSuspended"
    prepared = relay.prepare_change("suspend", status_id, ngo.verify_key, 9, b"\x01" * 32)
    assert ledger.client.block_number() == head
    ledger.client.broadcast(prepared)
    ledger.client.wait(prepared.tx_hash)
    assert relay.status_of(status_id)[0] == CredentialStatusContract.SUSPENDED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("suspend", b"\x01" * 31, 0, b"\x02" * 32), "status_id must be 32 bytes"),
        (("suspend", b"\x01" * 32, 0, "0x" + "02" * 32), "record_hash must be 32 bytes"),
        (("suspend", b"\x01" * 32, 256, b"\x02" * 32), "reason"),
        (("delete", b"\x01" * 32, 0, b"\x02" * 32), "unknown status action"),
    ],
)
def test_prepare_change_checks_its_arguments(
    ledger: Ledger, ngo: SigningKey, args: tuple[Any, ...], message: str
) -> None:
    action, status_id, reason, record = args
    with pytest.raises(ValueError, match=message):
        ledger.credential_status.prepare_change(action, status_id, ngo.verify_key, reason, record)


def test_the_admin_voids_a_compromised_issuer_key(ledger: Ledger, ngo: SigningKey) -> None:
    wallet = wallet_for(ledger, ngo)
    second, _ = issue(ledger, ngo, SigningKey.generate(), number="PB1100223")
    change(ledger, ngo, second, "suspend")
    honest = accredited(ledger, Role.ISSUER)
    untouched, _ = issue(ledger, honest, SigningKey.generate(), number="PC5500667")
    assert ledger.admin is not None
    as_admin = CredentialStatusContract(ledger.admin, ledger.credential_status.address)

    outcome = as_admin.revoke_issuer(ngo.verify_key)

    assert outcome.status == 1
    revoked_at = ledger.credential_status.issuer_revoked_at(ngo.verify_key)
    assert revoked_at is not None
    for credential in (wallet.credential, second):
        assert chain_status(ledger, parse_worker_credential(credential).status_id) == "revoked"
    assert chain_status(ledger, parse_worker_credential(untouched).status_id) == "active"
    report = WorkerCredentials(ledger).verify_presentation(wallet.present())
    assert not report.verified and isinstance(report.first_error, CredentialRevoked)
    status_id = parse_worker_credential(second).status_id
    assert WorkerCredentials(ledger).credential(status_id).status == "revoked"
    # The compromised key can register nothing more: refused at admission, nothing stored.
    with session_scope(ledger.engine) as session:
        before = len(session.exec(select(WorkerCredentialRow)).all())
    with pytest.raises(IssuerNotAccredited, match="voided"):
        issue(ledger, ngo, SigningKey.generate(), number="PD9900881")
    with session_scope(ledger.engine) as session:
        assert len(session.exec(select(WorkerCredentialRow)).all()) == before
    with pytest.raises(ContractRevert) as caught:
        as_admin.revoke_issuer(ngo.verify_key)
    assert caught.value.error_name == "CredentialStatusIssuerRevoked"
