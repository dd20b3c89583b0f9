"""What anchoring costs per batch and per 1,000 records on Sepolia, Base Sepolia and OP Sepolia.

Run from the repository root::

    .venv/bin/python bench/l2_costs.py
    .venv/bin/python bench/l2_costs.py --l2-gwei 0.002 --l1-base-gwei 8 --blob-base-gwei 0.5

Measured on anvil (started with --prune-history) in this run: ``anchor()``'s gasUsed for a real
Merkle root of 1, 1,024 and 16,384 records, and the size of its signed transaction. A batch is
one 32-byte root whatever its size, so its gas barely moves with the record count; what a
record costs is the batch's cost over its records.

Priced at fees stated on the command line (never fetched: chains' fees move by the hour, and
the figures must be reproducible):

* Sepolia (L1): gasUsed * (base fee + priority fee);
* Base Sepolia and OP Sepolia (OP Stack, Fjord): gasUsed * L2 gas price + the L1 data fee,
  ``estimatedSize * (baseFeeScalar * l1BaseFee * 16 + blobFeeScalar * blobBaseFee) / 1e12``
  with ``estimatedSize = max(100e6, -42,585,600 + 836,500 * fastlzSize)``. The FastLZ size is
  taken as the GasPriceOracle's ``getL1FeeUpperBound`` takes it (size + size/255 + 16), so the
  L1 fee is an upper bound; the scalars default to the values Base and OP mainnet published
  (read the chain's GasPriceOracle for today's).

A table comes first; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from typing import Any

from _helpers import print_table
from anchoring import AUDIT_KIND, synthetic_leaves
from eth_account import Account

from ledger.chain.anvil import Anvil
from ledger.chain.client import ChainClient
from ledger.chain.contracts import AnchorContract
from ledger.chain.deployment import deploy_contracts
from ledger.merkle import MerkleTree

BATCH_SIZES = (1, 1_024, 16_384)
GWEI = 10**9
ETH = 10**18


@dataclass(frozen=True)
class Anchored:
    records: int
    gas: int
    tx_bytes: int  # the signed transaction, as an OP Stack batcher posts it to L1


@dataclass(frozen=True)
class OpStackChain:
    name: str
    base_fee_scalar: int  # scaled by 1e6, as the GasPriceOracle stores it
    blob_fee_scalar: int


def measure(client: ChainClient) -> list[Anchored]:
    anchor = AnchorContract.of(client, deploy_contracts(client, admin=Account.create().address))
    measured = []
    for batch_id, size in enumerate(BATCH_SIZES, start=1):
        tree = MerkleTree.build(synthetic_leaves(size))
        prepared = anchor.prepare_anchor(tree.root, size, AUDIT_KIND, batch_id)
        client.broadcast(prepared)
        outcome = client.wait(prepared.tx_hash)
        raw = bytes.fromhex(prepared.raw.removeprefix("0x"))
        measured.append(Anchored(size, outcome.gas_used, len(raw)))
    return measured


def l1_data_fee_wei(tx_bytes: int, chain: OpStackChain, l1_base_wei: int, blob_wei: int) -> int:
    """Fjord's L1 data fee with the FastLZ size bounded as getL1FeeUpperBound bounds it."""
    fastlz_upper = tx_bytes + tx_bytes // 255 + 16
    estimated_size = max(100 * 10**6, -42_585_600 + 836_500 * fastlz_upper)
    fee_scaled = chain.base_fee_scalar * l1_base_wei * 16 + chain.blob_fee_scalar * blob_wei
    return estimated_size * fee_scaled // 10**12


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sepolia-gwei", type=float, default=5.0, help="Sepolia base + tip")
    parser.add_argument("--l2-gwei", type=float, default=0.001, help="L2 gas price (base + tip)")
    parser.add_argument("--l1-base-gwei", type=float, default=5.0, help="L1 base fee the L2 sees")
    parser.add_argument("--blob-base-gwei", type=float, default=1.0, help="L1 blob base fee")
    parser.add_argument("--base-scalars", default="2269,1055762", help="base,blob (Base)")
    parser.add_argument("--op-scalars", default="5227,1014213", help="base,blob (OP)")
    return parser.parse_args(argv)


def price(args: argparse.Namespace, measured: list[Anchored]) -> list[dict[str, Any]]:
    def scalars(text: str) -> tuple[int, int]:
        base, blob = (int(part) for part in text.split(","))
        return base, blob

    chains = [
        OpStackChain("Base Sepolia", *scalars(args.base_scalars)),
        OpStackChain("OP Sepolia", *scalars(args.op_scalars)),
    ]
    l1_base, blob = int(args.l1_base_gwei * GWEI), int(args.blob_base_gwei * GWEI)
    rows: list[dict[str, Any]] = []
    for batch in measured:
        costs = {"Sepolia": batch.gas * int(args.sepolia_gwei * GWEI)}
        for chain in chains:
            execution = batch.gas * int(args.l2_gwei * GWEI)
            costs[chain.name] = execution + l1_data_fee_wei(batch.tx_bytes, chain, l1_base, blob)
        rows.append({
            "records": batch.records,
            "gas_per_batch": batch.gas,
            "gas_per_record": round(batch.gas / batch.records, 2),
            "tx_bytes": batch.tx_bytes,
            "eth_per_batch": {name: wei / ETH for name, wei in costs.items()},
            "eth_per_1000_records": {
                name: wei * 1000 / batch.records / ETH for name, wei in costs.items()
            },
        })  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with Anvil() as node:
        measured = measure(ChainClient.connect(node.url))
    rows = price(args, measured)
    table = []
    for row in rows:
        per_1000 = row["eth_per_1000_records"]
        table.append((
            f"{row['records']:,} records/batch: {row['gas_per_batch']:,} gas "
            f"({row['gas_per_record']:,} per record), {row['tx_bytes']} B tx",
            "ETH per 1,000 records",
            "; ".join(f"{name} {value:.3g}" for name, value in per_1000.items()),
        ))  # fmt: skip
    fees = (
        f"Sepolia {args.sepolia_gwei} gwei; L2 {args.l2_gwei} gwei, L1 base {args.l1_base_gwei}"
        f" gwei, blob {args.blob_base_gwei} gwei"
    )
    print_table(f"Anchoring cost at stated fees ({fees})", table)
    fee_keys = ("sepolia_gwei", "l2_gwei", "l1_base_gwei", "blob_base_gwei")
    stated = {key: getattr(args, key) for key in fee_keys}
    stated |= {"base_scalars": args.base_scalars, "op_scalars": args.op_scalars}
    print(json.dumps({"fees": stated, "batches": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
