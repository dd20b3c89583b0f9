"""Several RPC URLs (``LEDGER_RPC_URL=URL1,URL2``) on real anvils: a dead first URL or one that
dies mid-way is passed over and the anchors still land; a revert is an answer, not a reason
to fail over; endpoints of different chains are refused."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner
from web3 import Web3

from api.cli import app as ledger_app
from domain import open_ledger
from ledger.anchoring import AnchoringPolicy
from ledger.chain.anvil import Anvil, free_port
from ledger.chain.client import ChainClient
from ledger.chain.contracts import AnchorContract
from ledger.chain.failover import FailoverProvider, split_urls
from ledger.consistency import check_consistency
from ledger.errors import ChainError, ContractRevert
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import LedgerConfig
from tests.ledger.helpers import signed_audit
from tests.tools.tcp_proxy import TcpProxy

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def node() -> Iterator[Anvil]:
    with Anvil() as running:
        yield running


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there


def provider_of(client: ChainClient) -> FailoverProvider:
    provider = client.w3.provider
    assert isinstance(provider, FailoverProvider)
    return provider


def test_a_dead_first_url_is_passed_over_and_anchors_land(node: Anvil, database_url: str) -> None:
    ledger = open_ledger(LedgerConfig(database_url=database_url,
                                      rpc_url=f"{dead_url()}, {node.url}",
                                      policy=AnchoringPolicy(max_batch=2)))  # fmt: skip
    try:
        auditor = SigningKey.generate()
        ledger.accredit(auditor.did, Role.AUDITOR)
        ids = [ledger.submit(signed_audit(auditor).to_dict()).record_id for _ in range(3)]
        report = ledger.anchorer.drain(timeout=60)
        assert report.error is None and report.anchored == [1, 2]
        assert {ledger.status(i).state for i in ids} == {"anchored"}
        assert provider_of(ledger.client).current_url == node.url
        assert check_consistency(ledger.engine, ledger.anchor, ledger.deployment).ok
        assert ledger.health()["chain"]["ok"]
        # The API's /rpc view reads through its own provider: the same endpoints.
        assert ledger.client.read_rpc("eth_chainId", []) == {"result": hex(31337)}
    finally:
        ledger.close()


def test_an_endpoint_that_dies_mid_way_is_passed_over(node: Anvil, database_url: str) -> None:
    proxy = TcpProxy(node.port).start()
    try:
        ledger = open_ledger(LedgerConfig(database_url=database_url,
                                          rpc_url=f"{proxy.url},{node.url}",
                                          policy=AnchoringPolicy(max_batch=10)))  # fmt: skip
        try:
            assert provider_of(ledger.client).current_url == proxy.url  # the first, healthy
            auditor = SigningKey.generate()
            ledger.accredit(auditor.did, Role.AUDITOR)
            ledger.submit(signed_audit(auditor).to_dict())
            proxy.cut()
            report = ledger.anchorer.drain(timeout=60)
            assert report.error is None and report.anchored == [1]
            assert provider_of(ledger.client).current_url == node.url
            # Once the first is back, it is used again after retry_first_after.
            proxy.restore()
            provider_of(ledger.client).retry_first_after = 0.0
            ledger.client.block_number()
            assert provider_of(ledger.client).current_url == proxy.url
        finally:
            ledger.close()
    finally:
        proxy.cut()


def test_a_revert_is_an_answer_not_a_failover(node: Anvil, tmp_path: Path) -> None:
    with Anvil() as empty:  # same chain id, none of our contracts: a failover would show
        ledger = open_ledger(LedgerConfig(database_url=f"sqlite:///{tmp_path}/l.db",
                                          rpc_url=f"{node.url},{empty.url}"))  # fmt: skip
        try:
            anchor = AnchorContract(ledger.client, ledger.anchor.address)
            with pytest.raises(ContractRevert) as raised:
                anchor.prepare_anchor(b"\x00" * 32, 1, 1, 999)
            assert raised.value.error_name == "ProvenanceAnchorZeroRoot"
            assert provider_of(ledger.client).current_url == node.url
        finally:
            ledger.close()


def test_endpoints_of_different_chains_are_refused(node: Anvil, tmp_path: Path) -> None:
    database = tmp_path / "x.db"
    sqlite3.connect(database).close()
    with Anvil(chain_id=4242) as other:
        with pytest.raises(ChainError, match="not one chain") as raised:
            ChainClient.connect(f"{node.url},{dead_url()},{other.url}")
        assert "chain 31337" in raised.value.detail and "chain 4242" in raised.value.detail
        result = CliRunner().invoke(ledger_app, ["chain", "check", "--db",
                                                 f"sqlite:///{database}", "--rpc",
                                                 f"{node.url},{other.url}"])  # fmt: skip
        assert result.exit_code == 2 and "not one chain" in result.stderr


def test_an_endpoint_found_later_to_be_another_chain_is_never_used(node: Anvil) -> None:
    port = free_port()
    provider = FailoverProvider([f"http://127.0.0.1:{port}", node.url], timeout=5)
    assert provider.chain_id == 31337
    with Anvil(port, chain_id=4242):
        client = ChainClient(Web3(provider), ChainClient.reader(node.url).account)
        provider.retry_first_after = 0.0
        assert client.chain_id == 31337  # asked the first, found chain 4242, passed it over
        assert provider.current_url == node.url


def test_the_url_list_is_checked() -> None:
    assert split_urls(" http://a , http://b ") == ["http://a", "http://b"]
    with pytest.raises(ChainError, match="no RPC URL"):
        split_urls(" , ")
    with pytest.raises(ChainError, match="twice"):
        split_urls("http://a,http://a")
