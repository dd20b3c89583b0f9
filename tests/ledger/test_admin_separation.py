"""The anchoring account cannot forge: the registry admin is another account, named at
deployment; registry changes go through the admin's client or are refused naming the admin and
change nothing; changes the admin makes elsewhere are mirrored from the chain's events; a fresh
database binds to an existing deployment after checking it. Real EVM (eth-tester), real
signatures, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from eth_account import Account
from sqlmodel import func, select

from domain import open_ledger
from ledger.chain.client import ChainClient
from ledger.chain.contracts import RegistryContract
from ledger.chain.deployment import Deployment, deploy_contracts
from ledger.errors import (
    AdminKeyMissing,
    ChainError,
    Conflict,
    ContractRevert,
    DeploymentMissing,
    InvalidKey,
    NotFound,
    SignerRevoked,
    SignerSuspended,
)
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from ledger.store.db import make_engine, session_scope
from ledger.store.models import DeploymentRow, RecordRow
from ledger.timeutil import utcnow
from tests.ledger.helpers import signed_audit


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    """The embedded defaults: the EVM's second funded account is the registry admin."""
    opened = open_ledger(LedgerConfig(database_url=database_url))
    yield opened
    opened.close()


def funded_account(client: ChainClient) -> ChainClient:
    """A client for a fresh account holding 1 ETH (eth-tester signs for its own accounts)."""
    fresh = Account.create()
    client.w3.eth.send_transaction({"from": client.address, "to": fresh.address, "value": 10**18})
    return client.with_account("0x" + bytes(fresh.key).hex())


def records(ledger: Ledger) -> int:
    with session_scope(ledger.engine) as session:
        return int(session.exec(select(func.count()).select_from(RecordRow)).one())


def registry_events(ledger: Ledger) -> list[str]:
    return [e.name for e in ledger.registry.events(0, ledger.client.block_number())]


# --- the deployment ------------------------------------------------------------------------


def test_the_anchoring_account_never_administers_the_registry(ledger: Ledger) -> None:
    assert ledger.admin is not None
    owner = ledger.registry.owner()
    assert owner == ledger.admin.address != ledger.client.address
    assert ledger.registry.is_anchorer(ledger.client.address)
    assert not ledger.registry.is_anchorer(owner)

    # The operator's hot key tries to accredit a key of its own: the chain refuses.
    own_key = SigningKey.generate()
    as_anchorer = RegistryContract(ledger.client, ledger.registry.address)
    with pytest.raises(ContractRevert) as caught:
        as_anchorer.accredit(own_key.verify_key, Role.AUDITOR, utcnow())
    assert caught.value.error_name == "OwnableUnauthorizedAccount"
    ledger.sync_registry()
    assert ledger.signers() == []
    with pytest.raises(ContractRevert):
        as_anchorer.add_anchorer(Account.create().address)


def test_deploy_refuses_the_anchoring_account_or_a_non_address_as_admin() -> None:
    client = ChainClient.embedded_evm()
    head = client.block_number()

    with pytest.raises(ChainError, match="must not be the anchoring account"):
        deploy_contracts(client, admin=client.address)
    with pytest.raises(ChainError, match="not an address"):
        deploy_contracts(client, admin="0x1234")

    assert client.block_number() == head  # nothing was sent


def test_a_second_client_shares_the_connection_and_lock() -> None:
    client = ChainClient.embedded_evm()
    admin_key = client.default_admin_key()
    assert admin_key is not None

    admin = client.with_account(admin_key)

    assert admin.w3 is client.w3 and admin._lock is client._lock
    assert admin.address == Account.from_key(admin_key).address != client.address
    assert admin.embedded and admin.w3.eth.get_balance(admin.address) > 0
    # Each account keeps its own nonces: interleaved sends from both are all mined.
    deployment = deploy_contracts(client, admin=admin.address)
    registry = RegistryContract.of(admin, deployment)
    key = SigningKey.generate().verify_key
    registry.accredit(key, Role.AUDITOR, utcnow())
    registry.add_anchorer(Account.create().address)
    assert registry.is_accredited(key, Role.AUDITOR, utcnow())


# --- registry changes through the admin ----------------------------------------------------


def test_accredit_suspend_reinstate_revoke_as_admin(ledger: Ledger) -> None:
    auditor = SigningKey.generate()
    ledger.accredit(auditor.did, Role.AUDITOR)
    ledger.submit(signed_audit(auditor).to_dict())

    assert ledger.suspend(auditor.did) == [Role.AUDITOR]
    assert [s["suspended"] for s in ledger.signers()] == [True]
    before = records(ledger)
    with pytest.raises(SignerSuspended):
        ledger.submit(signed_audit(auditor).to_dict())
    assert records(ledger) == before
    with pytest.raises(Conflict, match="suspended already"):
        ledger.suspend(auditor.did)

    assert ledger.reinstate(auditor.did, [Role.AUDITOR]) == [Role.AUDITOR]
    ledger.submit(signed_audit(auditor).to_dict())
    with pytest.raises(Conflict, match="not suspended"):
        ledger.reinstate(auditor.did)

    assert ledger.revoke(auditor.did) == [Role.AUDITOR]
    with pytest.raises(SignerRevoked):
        ledger.submit(signed_audit(auditor).to_dict())
    for change in (ledger.suspend, ledger.reinstate, ledger.revoke):
        with pytest.raises(NotFound):
            change(auditor.did)
    assert registry_events(ledger) == [
        "KeyAccredited", "KeySuspended", "KeyReinstated", "KeyRevoked"
    ]  # fmt: skip


def test_changes_of_one_role_leave_the_others(ledger: Ledger) -> None:
    key = SigningKey.generate()
    ledger.accredit(key.did, Role.AUDITOR)
    ledger.accredit(key.did, Role.VERIFIER)

    assert ledger.suspend(key.did, [Role.VERIFIER]) == [Role.VERIFIER]

    held = {s["role"]: s["suspended"] for s in ledger.signers()}
    assert held == {"auditor": False, "verifier": True}
    with pytest.raises(NotFound):
        ledger.suspend(key.did, [Role.ISSUER])
    assert ledger.suspend(key.did) == [Role.AUDITOR]  # only what was not suspended yet


def test_unknown_or_malformed_did_is_refused(ledger: Ledger) -> None:
    for change in (ledger.suspend, ledger.reinstate, ledger.revoke):
        with pytest.raises(NotFound):
            change(SigningKey.generate().did)
        with pytest.raises(InvalidKey):
            change("did:key:zNotAKey")
    with pytest.raises(InvalidKey):
        ledger.accredit("did:key:zNotAKey", Role.AUDITOR)
    assert registry_events(ledger) == []


# --- a server without the admin's key -------------------------------------------------------


@pytest.fixture
def admin_elsewhere(database_url: str) -> Iterator[tuple[Ledger, ChainClient]]:
    """A ledger whose registry admin is an account it holds no key for (as with a Safe), and
    that account's own client."""
    client = ChainClient.embedded_evm()
    elsewhere = funded_account(client)
    opened = open_ledger(
        LedgerConfig(database_url=database_url, admin_address=elsewhere.address,
                     registry_max_age=timedelta(seconds=0.1)),
        client=client,
    )  # fmt: skip
    yield opened, elsewhere
    opened.close()


def test_without_the_admin_key_changes_are_refused_naming_the_admin(
    admin_elsewhere: tuple[Ledger, ChainClient],
) -> None:
    ledger, elsewhere = admin_elsewhere
    key = SigningKey.generate()
    # The embedded EVM's default admin key is held, but it is not the registry's admin.
    assert ledger.admin is not None and ledger.admin.address != elsewhere.address
    head = ledger.client.block_number()

    for attempt in (
        lambda: ledger.accredit(key.did, Role.AUDITOR),
        lambda: ledger.suspend(key.did),
        lambda: ledger.reinstate(key.did),
        lambda: ledger.revoke(key.did),
    ):
        with pytest.raises(AdminKeyMissing) as caught:
            attempt()
        assert caught.value.admin == elsewhere.address
        assert f"the registry admin is the account {elsewhere.address}" in caught.value.detail
        assert ledger.registry.address in caught.value.detail

    assert ledger.client.block_number() == head  # nothing was sent
    assert ledger.signers() == [] and registry_events(ledger) == []


def test_changes_the_admin_makes_elsewhere_are_mirrored(
    admin_elsewhere: tuple[Ledger, ChainClient],
) -> None:
    ledger, elsewhere = admin_elsewhere
    auditor = SigningKey.generate()
    registry = RegistryContract(elsewhere, ledger.registry.address)
    ledger.start_worker(interval=0.1)
    try:
        registry.accredit(auditor.verify_key, Role.AUDITOR, utcnow().replace(microsecond=0))
        deadline = time.monotonic() + 20
        while not ledger.signers() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        ledger.stop_worker()

    assert [s["did"] for s in ledger.signers()] == [auditor.did]  # the follower mirrored it
    ledger.submit(signed_audit(auditor).to_dict())
    # Suspended on chain by the admin, without telling this server: the next write is refused
    # (the mirror is synced before admitting when older than registry_max_age).
    registry.suspend(auditor.verify_key, Role.AUDITOR)
    time.sleep(0.2)
    with pytest.raises(SignerSuspended):
        ledger.submit(signed_audit(auditor).to_dict())


# --- binding to an existing deployment ------------------------------------------------------


def test_a_fresh_database_binds_to_an_existing_deployment(
    database_url: str, tmp_path: Path
) -> None:
    client = ChainClient.embedded_evm()
    first = open_ledger(
        LedgerConfig(database_url=f"sqlite:///{tmp_path / 'first.db'}"), client=client
    )
    auditor = SigningKey.generate()
    first.accredit(auditor.did, Role.AUDITOR)
    deployment_file = tmp_path / "deployment.json"
    first.deployment.write(deployment_file)
    first.close()
    head = client.block_number()

    second = open_ledger(
        LedgerConfig(database_url=database_url, deployment_file=deployment_file), client=client
    )
    try:
        assert client.block_number() == head  # bound, not deployed
        assert second.deployment.to_dict() == Deployment.read(deployment_file).to_dict()
        assert [s["did"] for s in second.signers()] == [auditor.did]  # mirrored from events
        record_id = second.submit(signed_audit(auditor).to_dict()).record_id
        assert second.anchorer.drain().error is None
        assert second.check_receipt(second.receipt(record_id)).ok
    finally:
        second.close()

    # Bound now: the same deployment opens again, another one is refused.
    again = open_ledger(LedgerConfig(database_url=database_url, deployment_file=deployment_file),
                        client=client)  # fmt: skip
    again.close()
    other = open_ledger(
        LedgerConfig(database_url=f"sqlite:///{tmp_path / 'other.db'}"), client=client
    )
    other.deployment.write(tmp_path / "other.json")
    other.close()
    with pytest.raises(DeploymentMissing, match="bound to another deployment"):
        open_ledger(LedgerConfig(database_url=database_url, deployment_file=tmp_path / "other.json"),
                    client=client)  # fmt: skip


def deployment_rows(url: str) -> int:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return int(session.exec(select(func.count()).select_from(DeploymentRow)).one())
    finally:
        engine.dispose()


def test_bad_existing_deployments_are_refused_and_bind_nothing(
    database_url: str, tmp_path: Path
) -> None:
    client = ChainClient.embedded_evm()
    admin = client.default_admin_key()
    assert admin is not None
    good = deploy_contracts(client, admin=Account.from_key(admin).address)
    data = good.to_dict()
    anchor = data["contracts"]["ProvenanceAnchor"]
    cases: list[tuple[object, type[Exception], str]] = [
        ("{not json", DeploymentMissing, "cannot read"),
        ({"chainId": 1}, DeploymentMissing, "cannot read"),
        ({**data, "chainId": 1}, DeploymentMissing, "not live"),
        ({**data, "contracts": {**data["contracts"], "CredentialStatus": anchor}},
         DeploymentMissing, "is version 1.0.0"),
        ({**data, "contracts": {**data["contracts"], "AttesterRegistry": anchor}},
         DeploymentMissing, "AttesterRegistry .* is version 1.0.0"),
        # The registry has a version() like CredentialStatus, but no registry() to answer.
        ({**data, "contracts": {**data["contracts"],
                                "CredentialStatus": data["contracts"]["AttesterRegistry"]}},
         DeploymentMissing, "does not answer as ours"),
    ]  # fmt: skip
    for n, (content, error, message) in enumerate(cases):
        path = tmp_path / f"bad-{n}.json"
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        with pytest.raises(error, match=message):
            open_ledger(
                LedgerConfig(database_url=database_url, deployment_file=path), client=client
            )
    with pytest.raises(DeploymentMissing, match="cannot read"):
        open_ledger(
            LedgerConfig(database_url=database_url, deployment_file=tmp_path / "missing.json"),
            client=client,
        )

    # A deployment another database has anchored to: a second history would collide.
    used = open_ledger(
        LedgerConfig(database_url=f"sqlite:///{tmp_path / 'used.db'}"), client=client
    )
    auditor = SigningKey.generate()
    used.accredit(auditor.did, Role.AUDITOR)
    used.submit(signed_audit(auditor).to_dict())
    assert used.anchorer.drain().error is None
    used.deployment.write(tmp_path / "used.json")
    used.close()
    with pytest.raises(DeploymentMissing, match="already holds batches"):
        open_ledger(LedgerConfig(database_url=database_url, deployment_file=tmp_path / "used.json"),
                    client=client)  # fmt: skip

    # A deployment whose registry does not list this anchoring account.
    good.write(tmp_path / "good.json")
    stranger = funded_account(client)
    with pytest.raises(ChainError, match="is not an anchorer"):
        open_ledger(LedgerConfig(database_url=database_url, deployment_file=tmp_path / "good.json"),
                    client=stranger)  # fmt: skip
    assert deployment_rows(database_url) == 0


def test_a_public_chain_without_an_admin_is_not_deployed_to(database_url: str) -> None:
    client = ChainClient.embedded_evm()
    client._embedded_admin_key = None  # as on a public chain: no default admin
    head = client.block_number()

    with pytest.raises(ChainError, match="LEDGER_ADMIN_ADDRESS"):
        open_ledger(LedgerConfig(database_url=database_url), client=client)

    assert client.block_number() == head and deployment_rows(database_url) == 0


def test_contract_versions_match_the_artifacts() -> None:
    from ledger.chain.deployment import CONTRACT_VERSIONS

    client = ChainClient.embedded_evm()
    deployment = deploy_contracts(client, admin=Account.create().address)
    for name, version in CONTRACT_VERSIONS.items():
        contract = client.contract(name, deployment.address(name))
        assert client.call(contract.functions.version()) == version


def test_keys_stay_out_of_the_config_repr() -> None:
    anchor, admin = Account.create(), Account.create()
    config = LedgerConfig(
        anchor_key="0x" + bytes(anchor.key).hex(), admin_key="0x" + bytes(admin.key).hex()
    )

    text = repr(config)

    assert bytes(anchor.key).hex() not in text and bytes(admin.key).hex() not in text
    assert "database_url" in text


def test_a_key_revoked_elsewhere_stops_within_the_default_bound(database_url: str) -> None:
    """With the defaults (the mirror synced before a write when older than 3 s) and no worker
    running: a key the admin revoked on chain, without telling this server, used to be
    accepted until a restart (13 s later in the report)."""
    client = ChainClient.embedded_evm()
    elsewhere = funded_account(client)
    ledger = open_ledger(
        LedgerConfig(database_url=database_url, admin_address=elsewhere.address), client=client
    )
    try:
        auditor = SigningKey.generate()
        registry = RegistryContract(elsewhere, ledger.registry.address)
        registry.accredit(auditor.verify_key, Role.AUDITOR, utcnow().replace(microsecond=0))
        wait = ledger.config.registry_max_age.total_seconds() + 0.2
        assert wait < 4
        time.sleep(wait)
        ledger.submit(signed_audit(auditor).to_dict())  # mirrored without being told
        registry.revoke(auditor.verify_key, Role.AUDITOR)
        time.sleep(wait)
        with pytest.raises(SignerRevoked):
            ledger.submit(signed_audit(auditor).to_dict())
    finally:
        ledger.close()
