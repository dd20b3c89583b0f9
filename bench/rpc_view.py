"""What the caps of the ``/rpc`` chain view allow, in gas and in py-evm time.

Run from the repository root::

    .venv/bin/python bench/rpc_view.py

On a fresh embedded EVM (py-evm, as ``ledger serve`` runs it) with our contracts deployed:

* ``verify_20``: ``ProvenanceAnchor.verify`` with a valid 20-step proof (a tree of ~1M
  records), the call a receipt check makes;
* ``verify_at_data_cap``: ``verify`` with the longest proof the calldata cap lets through,
  the heaviest call the view accepts;
* ``loop_at_gas_cap``: init code that loops until its gas runs out, at the gas cap, run on
  the client directly (the view refuses it: no contract creation). It is the ceiling on
  what any code could cost within the cap.

Gas is ``eth_estimateGas``; time is the best of 3 ``eth_call``s. A table first; the last
line is one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from _helpers import print_table

from ledger.chain.client import ChainClient
from ledger.chain.contracts import AnchorContract
from ledger.chain.deployment import deploy_contracts
from ledger.chain.rpc_view import RpcLimits
from ledger.merkle import keccak, process_proof

LOOP = "0x5b600056"  # JUMPDEST PUSH1 0 JUMP


def best_of(runs: int, action: Any) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    limits = RpcLimits()
    client = ChainClient.embedded_evm()
    anchor = AnchorContract.of(client, deploy_contracts(client))
    leaf = keccak(os.urandom(32))
    proof = [keccak(os.urandom(32)) for _ in range(20)]
    root = process_proof(leaf, proof)
    anchor.anchor(root, 1, 1, 1)
    # 4-byte selector, leaf, root, offset, length, then 32 bytes per proof step.
    longest = (limits.max_call_data_bytes - 4 - 4 * 32) // 32
    results: dict[str, Any] = {"max_gas": limits.max_gas,
                               "max_call_data_bytes": limits.max_call_data_bytes}  # fmt: skip
    padded = proof + [keccak(b"pad")] * (longest - len(proof))
    for name, steps in (("verify_20", proof), ("verify_at_data_cap", padded)):
        data = anchor.contract.encode_abi("verify", args=[leaf, steps, root])
        call = {"to": anchor.address, "data": data, "gas": limits.max_gas}
        gas = int(client.w3.eth.estimate_gas({"to": anchor.address, "data": data}))
        seconds = best_of(3, lambda call=call: client.w3.eth.call(call))
        results[name] = {"proof_steps": len(steps), "calldata_bytes": (len(data) - 2) // 2,
                         "gas": gas, "ms": round(seconds * 1000, 1)}  # fmt: skip

    def loop() -> None:
        reply = client.read_rpc("eth_call", [{"data": LOOP, "gas": hex(limits.max_gas)}, "latest"])
        assert "error" in reply  # it runs out of gas, as intended

    results["loop_at_gas_cap"] = {"gas": limits.max_gas, "ms": round(best_of(3, loop) * 1000, 1)}
    rows = [
        (name, f"{r['ms']} ms", f"{r.get('gas', '-'):,} gas"
         + (f", {r['proof_steps']} steps, {r['calldata_bytes']} B" if "proof_steps" in r else ""))
        for name, r in results.items() if isinstance(r, dict)
    ]  # fmt: skip
    print_table(
        f"/rpc caps: {limits.max_gas:,} gas, {limits.max_call_data_bytes:,} B of calldata", rows
    )
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
