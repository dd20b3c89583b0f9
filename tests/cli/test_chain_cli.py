"""`ledger chain deploy` names the registry admin: anvil's second dev account by default on a
dev chain, an explicit --admin anywhere, and never the anchoring account; on a chain that is not
a dev chain there is no default, for the CLI or for `ledger serve`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account

from ledger.chain.anvil import Anvil, free_port
from ledger.chain.client import ANVIL_DEV_ADMIN_KEY, ANVIL_DEV_KEY, ChainClient
from ledger.chain.contracts import RegistryContract
from ledger.chain.deployment import Deployment
from tests.cli.conftest import Cli

pytestmark = pytest.mark.anvil

ANCHORER = Account.from_key(ANVIL_DEV_KEY).address
DEV_ADMIN = Account.from_key(ANVIL_DEV_ADMIN_KEY).address


def owner_of(url: str, path: Path) -> str:
    return RegistryContract.of(ChainClient.reader(url), Deployment.read(path)).owner()


def test_deploy_names_the_admin(cli: Cli, anvil: Anvil) -> None:
    default = cli.run("chain", "deploy", "--rpc", anvil.url, "--out", "default.json").stdout
    assert f"registry admin {DEV_ADMIN}; anchorer {ANCHORER}" in default
    assert owner_of(anvil.url, cli.cwd / "default.json") == DEV_ADMIN

    safe = Account.create().address  # stands for a Safe's address
    cli.run("chain", "deploy", "--rpc", anvil.url, "--admin", safe, "--out", "safe.json")
    assert owner_of(anvil.url, cli.cwd / "safe.json") == safe

    head = ChainClient.reader(anvil.url).block_number()
    for admin, message in (
        (ANCHORER, "must not be the anchoring account"),
        ("0x12", "not an address"),
    ):
        refused = cli.run("chain", "deploy", "--rpc", anvil.url, "--admin", admin,
                          "--out", "refused.json", check=False)  # fmt: skip
        assert refused.returncode == 1 and message in refused.stderr
    assert not (cli.cwd / "refused.json").exists()
    assert ChainClient.reader(anvil.url).block_number() == head


def test_a_chain_that_is_not_a_dev_chain_has_no_default_admin(cli: Cli) -> None:
    with Anvil(chain_id=4242) as node:
        cli.env["LEDGER_ANCHOR_KEY"] = ANVIL_DEV_KEY  # funded there, but not a dev chain id
        refused = cli.run("chain", "deploy", "--rpc", node.url, check=False)
        assert refused.returncode == 1 and "--admin ADDRESS" in refused.stderr
        assert not (cli.cwd / "deployment.json").exists()

        served = cli.run("serve", "--rpc", node.url, "--db", "public.db",
                         "--port", str(free_port()), check=False)  # fmt: skip
        assert served.returncode == 1 and "LEDGER_ADMIN_ADDRESS" in served.stderr
        assert ChainClient.reader(node.url).block_number() == 0  # nothing deployed
        assert ANVIL_DEV_KEY[2:] not in served.stdout + served.stderr  # the key is never echoed

        safe = Account.create().address
        cli.run("chain", "deploy", "--rpc", node.url, "--admin", safe)
        deployment = json.loads((cli.cwd / "deployment.json").read_text())
        assert deployment["chainId"] == 4242
        assert owner_of(node.url, cli.cwd / "deployment.json") == safe
