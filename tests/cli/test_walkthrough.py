"""The README's auditor walk-through, command for command: new key → accredit → attest →
anchor → receipt → verify; then the same against anvil with `ledger serve --rpc`."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from ledger.chain.anvil import Anvil
from ledger.chain.client import ChainClient
from ledger.chain.contracts import AnchorContract, RegistryContract
from ledger.errors import ContractRevert
from tests.cli.conftest import Cli, start_server
from tests.conftest import REPO

pytestmark = pytest.mark.slow

EXAMPLE = str(REPO / "examples/audit.json")
STRANGER_KEY = (
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"  # anvil account 2
)


def walk(cli: Cli, *, rpc: str) -> dict[str, object]:
    did = cli.run("keys", "new", "--out", "auditor.key").stdout.strip()
    assert re.fullmatch(r"did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+", did)
    cli.run("admin", "accredit", did, "--role", "auditor")
    attested = cli.run("attest", "audit", EXAMPLE, "--key", "auditor.key").stdout
    record_id = attested.split()[-1]
    assert re.fullmatch(r"0x[0-9a-f]{64}", record_id), attested
    cli.run("anchor")
    receipt_text = cli.run("receipt", record_id).stdout
    (cli.cwd / "receipt.json").write_text(receipt_text)
    verified = cli.run("verify", "receipt.json", "--rpc", rpc)
    assert "receipt valid" in verified.stdout
    # Neither --contract nor --deployment: the API's deployment is pinned on first use.
    assert "pinned ProvenanceAnchor" in verified.stderr and "on first use" in verified.stderr
    receipt: dict[str, object] = json.loads(receipt_text)
    assert receipt["leaf"] == record_id
    return receipt


def test_walkthrough_on_the_embedded_defaults(cli: Cli, server: str) -> None:
    # `ledger serve` wrote its admin token to var/admin-token, where the CLI finds it.
    assert (cli.cwd / "var/admin-token").is_file()
    receipt = walk(cli, rpc=f"{server}/rpc")

    # --json, and a changed byte anywhere fails with the check named.
    report = json.loads(
        cli.run("verify", "receipt.json", "--json", "--rpc", f"{server}/rpc").stdout
    )
    assert report["valid"] is True and report["failedCheck"] is None
    text = (cli.cwd / "receipt.json").read_text()
    wrong_root = json.dumps({**receipt, "root": "0x" + "00" * 32}, indent=2)
    for bad, check in [(text.replace('"workersInterviewed": 46', '"workersInterviewed": 47'), "signature"),
                       (wrong_root, "proof")]:  # fmt: skip
        (cli.cwd / "bad.json").write_text(bad)
        result = cli.run("verify", "bad.json", "--json", "--rpc", f"{server}/rpc", check=False)
        assert result.returncode == 1 and json.loads(result.stdout)["failedCheck"] == check

    # The demo is there: facilities with audits, a finding closed by a follow-up.
    audits = httpx.get(f"{server}/v1/facilities/fac-bd-dhaka-knit-01/audits").json()["audits"]
    assert len(audits) == 3
    statuses = {f["id"]: f["currentStatus"] for a in audits for f in a["findings"]}
    assert statuses["F1"] == "closed"


def test_bad_key_passphrase_and_unaccredited_key_are_refused(cli: Cli, server: str) -> None:
    cli.run("keys", "new", "--out", "stranger.key")
    refused = cli.run("attest", "audit", EXAMPLE, "--key", "stranger.key", check=False)
    assert refused.returncode == 1 and "unknown_signer" in refused.stderr
    cli.env["LEDGER_KEY_PASSPHRASE"] = "wrong"
    wrong = cli.run("attest", "audit", EXAMPLE, "--key", "stranger.key", check=False)
    assert wrong.returncode != 0 and "passphrase" in wrong.stderr
    (cli.cwd / "broken.json").write_text(json.dumps({"schema": "audit/v1"}))
    invalid = cli.run("attest", "audit", "broken.json", "--key", "stranger.key", check=False)
    assert invalid.returncode != 0 and "payload.facility" in invalid.stderr


def test_bulk_directory_with_progress(cli: Cli, server: str) -> None:
    did = cli.run("keys", "new", "--out", "auditor.key").stdout.strip()
    cli.run("admin", "accredit", did, "--role", "auditor")
    folder = cli.cwd / "audits"
    folder.mkdir()
    example = json.loads((REPO / "examples/audit.json").read_text())
    for n in range(12):
        example["facility"]["id"] = f"fac-bulk-{n:02d}"
        (folder / f"audit-{n:02d}.json").write_text(json.dumps(example))
    result = cli.run("attest", "audit", str(folder), "--key", "auditor.key")
    assert "12 accepted, 0 rejected" in result.stdout


def test_walkthrough_against_anvil(cli: Cli, anvil: Anvil) -> None:
    # `ledger chain deploy` leaves code at every address it writes.
    cli.run("chain", "deploy", "--rpc", anvil.url, "--out", "deployment.json")
    deployment = json.loads((cli.cwd / "deployment.json").read_text())
    client = ChainClient.reader(anvil.url)
    assert deployment["chainId"] == 31337
    assert all(client.has_code(c["address"]) for c in deployment["contracts"].values())

    # A wrong caller's write reverts with the named custom error (anvil's third dev account;
    # the second is the registry admin, the first the only anchorer).
    stranger = ChainClient.connect(anvil.url, STRANGER_KEY)
    contracts = deployment["contracts"]
    with pytest.raises(ContractRevert) as caught:
        AnchorContract(stranger, contracts["ProvenanceAnchor"]["address"]).anchor(
            b"\x01" * 32, 1, 1, 1
        )
    assert caught.value.error_name == "ProvenanceAnchorNotAnchorer"
    with pytest.raises(ContractRevert) as caught:
        RegistryContract(stranger, contracts["AttesterRegistry"]["address"]).add_anchorer(
            stranger.address
        )
    assert caught.value.error_name == "OwnableUnauthorizedAccount"

    # `ledger serve --rpc` deploys its own contracts to the node on first use; on anvil it
    # holds the dev admin key (anvil's second account), so `ledger admin` works through it.
    running = start_server(cli, "--rpc", anvil.url, "--db", "ledger.db")
    try:
        receipt = walk(cli, rpc=anvil.url)
        assert receipt["chainId"] == 31337 and client.has_code(str(receipt["contract"]))
        did = str(receipt["envelope"]["signer"])  # type: ignore[index]
        suspended = cli.run("admin", "suspend", did).stdout
        assert f"suspended {did}: auditor" in suspended
        refused = cli.run("attest", "audit", EXAMPLE, "--key", "auditor.key", check=False)
        assert refused.returncode == 1 and "signer_suspended" in refused.stderr
        again = cli.run("admin", "suspend", did, check=False)
        assert again.returncode == 1 and "HTTP 409 conflict" in again.stderr
        reinstated = cli.run("admin", "reinstate", did, "--role", "auditor").stdout
        assert f"reinstated {did}: auditor" in reinstated
        cli.run("attest", "audit", EXAMPLE, "--key", "auditor.key")
        unknown = cli.run("admin", "suspend", did, "--role", "chef", check=False)
        assert unknown.returncode == 2 and "unknown role" in unknown.stderr
    finally:
        running.stop()
    assert "this server holds its key" in running.log.read_text()
