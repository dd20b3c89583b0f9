"""keccak256 on the Merkle hot path: which eth-hash backend ``ledger.merkle`` should use.

Times ``hash_pair`` (two 32-byte nodes), ``leaf_of`` (a 600-byte canonical record, hashed
twice) and ``MerkleTree.build`` over 1,024 leaves with each way of calling keccak256: the
pycryptodome backend (what the ledger called directly before), ``eth_hash.auto`` (which
picks pycryptodome whenever it is installed) and the pysha3 backend (what ``ledger.merkle``
uses). Minimum of 15 repeats, in microseconds; the last line is one JSON object.

    .venv/bin/python bench/keccak.py
"""

from __future__ import annotations

import json
import os
import random
import timeit
from collections.abc import Callable

from eth_hash.auto import keccak as auto_keccak
from eth_hash.backends import pycryptodome

from ledger import merkle

Hash = Callable[[bytes], bytes]
BACKENDS: dict[str, Hash] = {
    "pycryptodome": pycryptodome.backend.keccak256,
    "eth_hash.auto": auto_keccak,
    "pysha3 (ledger.merkle)": merkle.keccak,
}
REPEAT = 15


def _microseconds(run: Callable[[], object], number: int) -> float:
    return min(timeit.repeat(run, number=number, repeat=REPEAT)) / number * 1e6


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rng = random.Random(7)
    left, right = rng.randbytes(32), rng.randbytes(32)
    record = rng.randbytes(600)
    leaves = [merkle.keccak(rng.randbytes(32)) for _ in range(1024)]
    results: dict[str, dict[str, float]] = {}
    original = merkle.keccak
    try:
        for name, keccak in BACKENDS.items():
            assert keccak(b"").hex().startswith("c5d24601")
            merkle.keccak = keccak  # hash_pair and leaf_of look it up at call time
            results[name] = {
                "hash_pair_us": _microseconds(lambda: merkle.hash_pair(left, right), 100_000),
                "leaf_of_us": _microseconds(lambda: merkle.leaf_of(record), 50_000),
                "tree_1024_us": _microseconds(lambda: merkle.MerkleTree.build(leaves), 50),
            }
    finally:
        merkle.keccak = original
    print(f"{'backend':24} {'hash_pair':>10} {'leaf_of':>10} {'tree 1024':>11}  (us, min of 15)")
    for name, row in results.items():
        print(
            f"{name:24} {row['hash_pair_us']:10.3f} {row['leaf_of_us']:10.3f}"
            f" {row['tree_1024_us']:11.1f}"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
