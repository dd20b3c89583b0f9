"""The read-only chain view in front of a remote node (anvil): the same bounds, the node's
own answers passed through, and a node that hangs costs a caller no more than the timeout."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from eth_account import Account

from ledger.chain.anvil import Anvil
from ledger.chain.client import ChainClient
from ledger.chain.contracts import AnchorContract
from ledger.chain.deployment import deploy_contracts
from ledger.chain.rpc_view import ReadOnlyRpc, RpcLimits
from ledger.merkle import keccak, process_proof

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def node() -> Iterator[Anvil]:
    with Anvil() as anvil:
        yield anvil


@pytest.fixture(scope="module")
def anchor(node: Anvil) -> AnchorContract:
    client = ChainClient.connect(node.url)
    return AnchorContract.of(client, deploy_contracts(client, admin=Account.create().address))


def ask(view: ReadOnlyRpc, method: str, *params: Any) -> dict[str, Any]:
    return view.answer_one({"jsonrpc": "2.0", "id": 7, "method": method, "params": list(params)})


def test_bounded_reads_through_anvil(node: Anvil, anchor: AnchorContract) -> None:
    view = ReadOnlyRpc(ChainClient.reader(node.url), [anchor.address])
    leaf = keccak(os.urandom(32))
    proof = [keccak(os.urandom(32)) for _ in range(20)]
    root = process_proof(leaf, proof)
    anchor.anchor(root, 1, 1, anchor.last_batch_id() + 1)
    data = anchor.contract.encode_abi("verify", args=[leaf, proof, root])
    reply = ask(view, "eth_call", {"to": anchor.address, "data": data, "gas": hex(2**40)})
    assert reply["id"] == 7 and int(reply["result"], 16) == 1

    zero_root = anchor.contract.encode_abi("anchor", args=[b"\0" * 32, 1, 1, 1])
    reverted = ask(view, "eth_call", {"to": anchor.address, "data": zero_root})
    assert reverted["error"]["code"] == 3  # anvil's own revert, passed through with its data
    assert reverted["error"]["data"].startswith(
        "0x" + keccak(b"ProvenanceAnchorNotAnchorer(address)")[:4].hex()
    )

    logs = ask(view, "eth_getLogs", {"address": anchor.address, "fromBlock": "earliest"})
    assert any(log["topics"][1] == "0x" + root.hex() for log in logs["result"])
    assert ask(view, "eth_call", {"data": "0x5b600056"})["error"]["code"] == -32602
    assert ask(view, "eth_feeHistory", "0x401", "latest", [])["error"]["code"] == -32602


@pytest.fixture
def hanging_node() -> Iterator[str]:
    """A TCP server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for connection in held:
        connection.close()


def test_a_hanging_node_costs_the_timeout(hanging_node: str) -> None:
    view = ReadOnlyRpc(ChainClient.reader(hanging_node), [], RpcLimits(call_timeout=0.5))
    start = time.monotonic()
    reply = ask(view, "eth_blockNumber")
    assert time.monotonic() - start < 5
    assert reply["error"]["code"] == -32603 and "unreachable" in reply["error"]["message"]
