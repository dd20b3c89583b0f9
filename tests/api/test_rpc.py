"""``/rpc``: a bounded, read-only JSON-RPC view of the embedded EVM.

Every malformed call gets a JSON-RPC error with HTTP 200 (never a 500, and the connection
stays usable); eth_call runs only our contracts under a gas cap; heavy calls cannot stall
``/v1/health``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any

import httpx
import pytest
from eth_utils import keccak
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from ledger.chain.rpc_view import ReadOnlyRpc, RpcLimits
from ledger.merkle import process_proof
from ledger.service import Ledger
from tests.api.live import exchange, serving

LOOP = "0x5b600056"  # JUMPDEST PUSH1 0 JUMP: init code that spins until its gas runs out
STRANGER = "0x000000000000000000000000000000000000dEaD"


def call(client: TestClient, method: str, params: Any, request_id: Any = 1) -> dict[str, Any]:
    response = client.post(
        "/rpc", json={"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
    )
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    assert reply["jsonrpc"] == "2.0" and reply["id"] == request_id
    return reply


def error_code(reply: dict[str, Any]) -> int:
    assert "error" in reply, reply
    code: int = reply["error"]["code"]
    return code


def anchored_proof(ledger: Ledger, steps: int) -> tuple[bytes, list[bytes], bytes]:
    """A leaf, a ``steps``-long proof and its root, anchored on the ledger's chain."""
    leaf = keccak(os.urandom(32))
    proof = [keccak(os.urandom(32)) for _ in range(steps)]
    root = process_proof(leaf, proof)
    ledger.anchor.anchor(root, 1, 1, ledger.anchor.last_batch_id() + 1)
    return leaf, proof, root


def verify_call(ledger: Ledger, leaf: bytes, proof: list[bytes], root: bytes) -> dict[str, Any]:
    data = ledger.anchor.contract.encode_abi("verify", args=[leaf, proof, root])
    return {"to": ledger.anchor.address, "data": data}


# -- what a verifier needs still works ----------------------------------------------------


def test_verify_with_a_20_step_proof(client: TestClient, ledger: Ledger) -> None:
    leaf, proof, root = anchored_proof(ledger, 20)
    reply = call(client, "eth_call", [verify_call(ledger, leaf, proof, root), "latest"])
    assert int(reply["result"], 16) == 1
    wrong = verify_call(ledger, keccak(b"another leaf"), proof, root)
    assert int(call(client, "eth_call", [wrong])["result"], 16) == 0  # block defaults to latest
    assert int(call(client, "eth_chainId", [])["result"], 16) == ledger.deployment.chain_id


def test_logs_of_our_contract_within_the_range(client: TestClient, ledger: Ledger) -> None:
    _, _, root = anchored_proof(ledger, 1)
    reply = call(
        client,
        "eth_getLogs",
        [{"address": ledger.anchor.address, "fromBlock": "earliest", "toBlock": "latest"}],
    )
    assert any(log["topics"][1] == "0x" + root.hex() for log in reply["result"])


# -- JSON-RPC errors, HTTP 200 --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (5, -32600),
        ({"jsonrpc": "2.0", "id": 1}, -32600),
        ({"jsonrpc": "1.0", "id": 1, "method": "eth_chainId"}, -32600),
        ({"jsonrpc": "2.0", "id": {"a": 1}, "method": "eth_chainId"}, -32600),
        ([], -32600),
        (
            {"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": ["0x00"]},
            -32601,
        ),
        ({"jsonrpc": "2.0", "id": 1, "method": "eth_estimateGas", "params": [{}]}, -32601),
        ({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": {"a": 1}}, -32602),
        ({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": [1]}, -32602),
    ],
)
def test_malformed_requests(client: TestClient, body: Any, code: int) -> None:
    response = client.post("/rpc", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["error"]["code"] == code


def test_eth_call_without_params(client: TestClient) -> None:
    assert error_code(call(client, "eth_call", [])) == -32602


@pytest.mark.parametrize(
    "params",
    [
        [{"data": LOOP}],  # contract creation
        [{"to": None, "data": LOOP}],
        [{"to": STRANGER, "data": "0x"}],  # not one of ours
        [{"to": "ProvenanceAnchor", "data": "0x54fd4d50"}, "latest", {STRANGER: {"code": LOOP}}],
        [{"to": "ProvenanceAnchor", "data": "0x54fd4d50", "code": LOOP}],
        [{"to": "ProvenanceAnchor", "data": "0x54fd4d50", "input": "0x00"}],
        [{"to": "ProvenanceAnchor", "data": "0x" + "00" * 4097}],
        [{"to": "ProvenanceAnchor", "data": "0x5"}],
        [{"to": "ProvenanceAnchor", "data": "0x54fd4d50", "gas": 100}],
        [{"to": "ProvenanceAnchor", "data": "0x54fd4d50"}, "0xzz"],
        ["ProvenanceAnchor"],
    ],
)
def test_eth_call_refusals(client: TestClient, ledger: Ledger, params: list[Any]) -> None:
    address = ledger.anchor.address

    def ours(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ours(v) for k, v in value.items()}
        return address if value == "ProvenanceAnchor" else value

    assert error_code(call(client, "eth_call", [ours(p) for p in params])) == -32602


def test_reverting_call_is_error_3_with_data(client: TestClient, ledger: Ledger) -> None:
    data = ledger.anchor.contract.encode_abi("anchor", args=[b"\0" * 32, 1, 1, 1])
    reply = call(client, "eth_call", [{"to": ledger.anchor.address, "data": data}, "latest"])
    assert error_code(reply) == 3
    assert reply["error"]["data"] == "0x" + keccak(b"ProvenanceAnchorZeroRoot()")[:4].hex()
    assert "ProvenanceAnchorZeroRoot" in reply["error"]["message"]


@pytest.mark.parametrize(
    "query",
    [
        {"fromBlock": "0x0", "toBlock": "0x1"},  # no address
        {"address": STRANGER, "fromBlock": "0x0", "toBlock": "0x1"},
        {"address": "ProvenanceAnchor", "fromBlock": "0x5", "toBlock": "0x1"},
        {"address": "ProvenanceAnchor", "fromBlock": "abc"},
        {"address": "ProvenanceAnchor", "blockHash": "0x" + "00" * 32, "fromBlock": "0x0"},
        {"address": "ProvenanceAnchor", "topics": [None] * 5},
        {"address": "ProvenanceAnchor", "topics": [["0x" + "11" * 32] * 17]},
        {"address": "ProvenanceAnchor", "fromBlock": "0x0", "limit": 10},
    ],
)
def test_get_logs_refusals(client: TestClient, ledger: Ledger, query: dict[str, Any]) -> None:
    if query.get("address") == "ProvenanceAnchor":
        query = {**query, "address": ledger.anchor.address}
    assert error_code(call(client, "eth_getLogs", [query])) == -32602


def test_get_logs_range_limit(ledger: Ledger) -> None:
    """Tags and numbers past the head resolve to the head before the range is measured."""
    view = ReadOnlyRpc(ledger.client, [ledger.anchor.address], RpcLimits(max_log_blocks=3))
    head = ledger.client.block_number()
    assert head >= 3

    def logs(start: str, end: str) -> dict[str, Any]:
        query = {"address": ledger.anchor.address, "fromBlock": start, "toBlock": end}
        return view.answer_one(
            {"jsonrpc": "2.0", "id": 1, "method": "eth_getLogs", "params": [query]}
        )

    assert logs("earliest", "latest")["error"]["code"] == -32602
    assert "exceeds the limit of 3" in logs("0x0", "latest")["error"]["message"]
    assert "result" in logs(hex(head - 2), "latest")
    assert "result" in logs(hex(head - 2), hex(2**40))  # clamped to the head
    assert logs(hex(head + 1), "latest")["error"]["code"] == -32602


def test_fee_history_bounds(client: TestClient) -> None:
    assert error_code(call(client, "eth_feeHistory", ["0x401", "latest", []])) == -32602
    assert error_code(call(client, "eth_feeHistory", [0, "latest", []])) == -32602
    assert error_code(call(client, "eth_feeHistory", ["0x2", "latest", [50, 10]])) == -32602
    assert "baseFeePerGas" in call(client, "eth_feeHistory", ["0x2", "latest", [10, 50]])["result"]


def test_node_refusal_is_an_rpc_error(client: TestClient) -> None:
    # A block past the head: the embedded EVM raises, the caller gets -32000.
    assert error_code(call(client, "eth_getCode", [STRANGER, "0xffffff"])) == -32000


def test_batches(client: TestClient) -> None:
    one = {"jsonrpc": "2.0", "method": "eth_blockNumber", "params": []}
    replies = client.post("/rpc", json=[{**one, "id": i} for i in range(20)]).json()
    assert [r["id"] for r in replies] == list(range(20))
    assert all("result" in r for r in replies)
    over = client.post("/rpc", json=[{**one, "id": i} for i in range(21)])
    assert over.status_code == 200
    assert over.json() == [
        {
            "jsonrpc": "2.0",
            "id": 0,
            "error": {"code": -32600, "message": "batch of 21 calls exceeds the limit of 20"},
        }
    ]
    mixed = client.post("/rpc", json=[{**one, "id": 1}, 7, {**one, "id": 2, "method": "x"}])
    assert [r.get("error", {}).get("code") for r in mixed.json()] == [None, -32600, -32601]


# -- the gas cap ----------------------------------------------------------------------------


def test_gas_is_clamped_to_the_cap(ledger: Ledger) -> None:
    """A cap below what verify(20 steps) needs (47,192 gas) makes it fail however much gas
    the caller asks for; under the default cap the same call succeeds."""
    leaf, proof, root = anchored_proof(ledger, 20)
    target = verify_call(ledger, leaf, proof, root)
    tight = ReadOnlyRpc(ledger.client, [ledger.anchor.address], RpcLimits(max_gas=40_000))
    for gas in ({}, {"gas": hex(30_000_000)}):
        reply = tight.answer_one(
            {"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [{**target, **gas}]}
        )
        assert "result" not in reply, reply
    default = ReadOnlyRpc(ledger.client, [ledger.anchor.address])
    reply = default.answer_one(
        {"jsonrpc": "2.0", "id": 1, "method": "eth_call",
         "params": [{**target, "gas": hex(30_000_000)}]}
    )  # fmt: skip
    assert int(reply["result"], 16) == 1


# -- over a real connection -----------------------------------------------------------------


def test_refused_calls_keep_the_connection(settings: Settings, ledger: Ledger) -> None:
    """The old 500s reset the kept-alive connection; now each refusal is an ordinary reply
    and the next request on the same socket is served."""
    address = ledger.anchor.address
    reverting = ledger.anchor.contract.encode_abi("anchor", args=[b"\0" * 32, 1, 1, 1])
    bad_calls = [
        ("eth_call", []),
        ("eth_call", [{"to": address, "data": reverting}, "latest"]),
        ("eth_getLogs", [{"address": address, "fromBlock": "0x9", "toBlock": "0x1"}]),
        ("eth_feeHistory", ["0x500", "latest", []]),
    ]
    with serving(create_app(settings, ledger=ledger)) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            for method, params in bad_calls:
                body = httpx.Request(
                    "POST",
                    url,
                    json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
                ).read()
                status, reply = exchange(sock, "POST", "/rpc", body)
                assert status == 200, reply
                assert b'"error"' in reply
                status, health = exchange(sock, "GET", "/v1/health")
                assert status == 200, health


def test_heavy_calls_do_not_stall_health(settings: Settings, ledger: Ledger) -> None:
    """Clients hammer /rpc with the old stall (an unbounded creation loop: ~8 s each, with
    the chain lock held) and with the heaviest calls still allowed (verify at the calldata
    cap, gas asked far above the cap). /v1/health keeps answering meanwhile; before, it
    waited for the loops (39 s for five of them)."""
    leaf, proof, root = anchored_proof(ledger, 20)
    heaviest = verify_call(ledger, leaf, proof + [keccak(b"pad")] * 103, root)
    assert (len(heaviest["data"]) - 2) // 2 <= 4096
    heaviest["gas"] = hex(2**40)
    batch = [
        {"jsonrpc": "2.0", "id": i, "method": "eth_call",
         "params": [{"data": LOOP} if i < 5 else heaviest, "latest"]}
        for i in range(20)
    ]  # fmt: skip
    unlimited = settings.model_copy(update={"rate_rpc": ""})  # the bound is not the limiter's
    verified, stop = [], threading.Event()

    def attack(url: str) -> None:
        with httpx.Client(base_url=url, timeout=120) as http:
            while not stop.is_set():
                replies = http.post("/rpc", json=batch).json()
                verified.extend(r for r in replies if "result" in r)

    with serving(create_app(unlimited, ledger=ledger)) as url:
        attackers = [threading.Thread(target=attack, args=(url,), daemon=True) for _ in range(2)]
        for thread in attackers:
            thread.start()
        latencies = []
        with httpx.Client(base_url=url, timeout=30) as http:
            deadline = time.monotonic() + 4
            while time.monotonic() < deadline:
                start = time.monotonic()
                assert http.get("/v1/health").status_code == 200
                latencies.append(time.monotonic() - start)
                time.sleep(0.05)
        stop.set()
        for thread in attackers:
            thread.join(timeout=60)
    assert verified, "the heavy calls never ran"
    assert len(latencies) >= 10
    assert max(latencies) < 2.0, latencies
