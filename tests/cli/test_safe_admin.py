"""A Safe multisig (1.4.1, 2 of 3 owners) administers the registry, end to end on anvil.

The operator deploys with ``admin = the Safe``; a fresh auditor key is accredited only through a
Safe transaction signed by two owners (one signature, a wrong order, a stranger, a replay are
all refused and change nothing). A ledger holding no key for the Safe binds to that deployment,
mirrors the accreditation from the chain's events, accepts and anchors the auditor's audit, and
its receipt verifies against a public RPC; asked to accredit, the ledger and the server behind
``ledger admin accredit`` answer that the admin is the Safe, and change nothing. The server
also mirrors a second Safe accreditation made while it runs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from eth_account import Account

from domain import kind_registry, open_ledger
from ledger.chain.anvil import Anvil
from ledger.chain.client import ChainClient
from ledger.chain.contracts import RegistryContract
from ledger.chain.deployment import Deployment, deploy_contracts
from ledger.chain.safe import describe_account
from ledger.errors import AdminKeyMissing, ContractRevert
from ledger.keys import SigningKey, VerifyKey
from ledger.receipts import PinnedDeployment, RpcReceiptChain, check_receipt
from ledger.roles import Role
from ledger.service import LedgerConfig
from ledger.timeutil import utcnow
from tests.cli.conftest import Cli, start_server
from tests.conftest import REPO
from tests.ledger.helpers import signed_audit
from tests.tools.safe import Safe, deploy_safe, signature, typed_signature

pytestmark = [pytest.mark.anvil, pytest.mark.slow]

EXAMPLE = str(REPO / "examples/audit.json")


def accredit_call(registry: RegistryContract, key: VerifyKey) -> bytes:
    valid_from = int(utcnow().timestamp()) - 60
    return bytes.fromhex(
        registry.contract.encode_abi("accredit", args=[key.raw, int(Role.AUDITOR), valid_from, 0])[
            2:
        ]
    )


def accredit_through_safe(safe: Safe, registry: RegistryContract, key: VerifyKey) -> None:
    data = accredit_call(registry, key)
    digest = safe.tx_hash(registry.address, data, safe.nonce())
    first, second = safe.owners[:2]
    safe.execute(registry.address, data, signature(first, digest) + signature(second, digest))


def accredited_keys(registry: RegistryContract) -> list[bytes]:
    head = registry.client.block_number()
    return [e.key for e in registry.events(0, head) if e.name == "KeyAccredited"]


def test_a_safe_administers_the_registry(cli: Cli, anvil: Anvil, tmp_path: Path) -> None:
    operator = ChainClient.connect(anvil.url)  # the anchoring account: anvil's first dev key
    safe = deploy_safe(operator, owners=3, threshold=2)
    assert safe.client.call(safe.contract.functions.getThreshold()) == 2
    deployment = deploy_contracts(operator, admin=safe.address)
    deployment_file = tmp_path / "deployment.json"
    deployment.write(deployment_file)
    registry = RegistryContract.of(operator, deployment)
    assert registry.owner() == safe.address != operator.address
    assert describe_account(operator, safe.address) == (
        f"the Safe 1.4.1 at {safe.address} (2 of 3 owners)"
    )

    # -- a Safe transaction accrediting a fresh auditor key -------------------------------
    auditor = SigningKey.generate()
    data = accredit_call(registry, auditor.verify_key)
    nonce = safe.nonce()
    digest = safe.tx_hash(registry.address, data, nonce)
    assert digest == safe.chain_tx_hash(registry.address, data, nonce)  # Safe.sol's own hash
    low, high, third = safe.owners  # sorted by address
    stranger = Account.create()
    refused = {
        "one signature": (signature(low, digest), "GS020"),
        "owners out of order": (signature(high, digest) + signature(low, digest), "GS026"),
        "one owner twice": (signature(low, digest) * 2, "GS026"),
        "a stranger": (
            b"".join(
                signature(k, digest)
                for k in sorted([low, stranger], key=lambda a: int(a.address, 16))
            ),
            "GS026",
        ),
        "another nonce": (
            b"".join(
                signature(k, safe.tx_hash(registry.address, data, nonce + 1)) for k in (low, high)
            ),
            "GS026",
        ),
    }
    head = operator.block_number()
    for case, (signatures, code) in refused.items():
        with pytest.raises(ContractRevert) as caught:
            safe.execute(registry.address, data, signatures)
        assert (caught.value.error_name, caught.value.error_args) == ("Error", (code,)), case
    assert operator.block_number() == head and safe.nonce() == nonce  # nothing was sent
    assert not registry.is_accredited(auditor.verify_key, Role.AUDITOR, utcnow())
    # The operator's own key cannot do it directly either.
    with pytest.raises(ContractRevert) as caught:
        registry.accredit(auditor.verify_key, Role.AUDITOR, utcnow())
    assert caught.value.error_name == "OwnableUnauthorizedAccount"

    # Two owners, sorted by address; one signs the raw hash, one the EIP-712 typed data.
    signatures = signature(low, digest) + typed_signature(
        third, safe.typed_data(registry.address, data, nonce)
    )
    outcome = safe.execute(registry.address, data, signatures)  # carried by the operator
    assert outcome.status == 1 and safe.nonce() == nonce + 1
    assert registry.is_accredited(auditor.verify_key, Role.AUDITOR, utcnow())
    with pytest.raises(ContractRevert) as caught:  # the same signatures again: a replay
        safe.execute(registry.address, data, signatures)
    assert caught.value.error_args == ("GS026",)

    # -- a ledger without the Safe's key, bound to that deployment ------------------------
    ledger = open_ledger(
        LedgerConfig(database_url=f"sqlite:///{tmp_path / 'ledger.db'}", rpc_url=anvil.url,
                     deployment_file=deployment_file)
    )  # fmt: skip
    try:
        assert ledger.deployment.to_dict() == deployment.to_dict()
        assert [s["did"] for s in ledger.signers()] == [auditor.did]  # mirrored from events
        record_id = ledger.submit(signed_audit(auditor).to_dict()).record_id
        assert ledger.anchorer.drain().error is None
        receipt = ledger.receipt(record_id)
        # Verified as anyone would: a public RPC and the pinned deployment, nothing else.
        report = check_receipt(
            receipt,
            pinned=PinnedDeployment.of(deployment, source="test"),
            chain=RpcReceiptChain(ChainClient.reader(anvil.url)),
            kinds=kind_registry().receipt_rules(),
        )
        assert report.ok, report.to_dict()

        before = accredited_keys(registry)
        with pytest.raises(AdminKeyMissing) as missing:
            ledger.accredit(SigningKey.generate().did, Role.AUDITOR)
        assert missing.value.admin == safe.address
        assert f"the registry admin is the Safe 1.4.1 at {safe.address}" in missing.value.detail
        with pytest.raises(AdminKeyMissing):
            ledger.revoke(auditor.did)
        assert accredited_keys(registry) == before
        assert registry.is_accredited(auditor.verify_key, Role.AUDITOR, utcnow())
    finally:
        ledger.close()

    # -- the same through `ledger serve --rpc ... --deployment ...` and the CLI -----------
    # (The ledger's own database: a deployment holds one history of batches.)
    running = start_server(
        cli, "--rpc", anvil.url, "--deployment", str(deployment_file), "--db", "ledger.db"
    )
    try:
        did = cli.run("keys", "new", "--out", "auditor.key").stdout.strip()
        refused_cli = cli.run("admin", "accredit", did, "--role", "auditor", check=False)
        assert refused_cli.returncode == 1
        assert "HTTP 403 admin_key_missing" in refused_cli.stderr
        assert f"the Safe 1.4.1 at {safe.address}" in refused_cli.stderr
        assert accredited_keys(registry) == before

        # The Safe accredits that key while the server runs; the server mirrors it.
        accredit_through_safe(safe, registry, VerifyKey.from_did(did))
        deadline = time.monotonic() + 30
        while did not in cli.run("admin", "signers").stdout and time.monotonic() < deadline:
            time.sleep(0.5)
        signers = json.loads(cli.run("admin", "signers").stdout)
        assert {s["did"] for s in signers} == {auditor.did, did}

        attested = cli.run("attest", "audit", EXAMPLE, "--key", "auditor.key").stdout
        second_id = attested.split()[-1]
        cli.run("anchor")
        (cli.cwd / "receipt.json").write_text(cli.run("receipt", second_id).stdout)
        verified = cli.run("verify", "receipt.json", "--rpc", anvil.url)
        assert "receipt valid" in verified.stdout
    finally:
        running.stop()
    assert "not held here" in running.log.read_text()
    assert Deployment.read(deployment_file).to_dict() == deployment.to_dict()
