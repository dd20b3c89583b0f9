"""Gas per anchored record against one attestation per transaction; ingest rate; proof size.

Run from the repository root::

    .venv/bin/python bench/anchoring.py            # the full run
    .venv/bin/python bench/anchoring.py --quick    # fewer ingested records, under a minute

Set-up: the Ethereum Attestation Service baseline (SchemaRegistry and EAS, ABI and bytecode)
comes from npm ``@ethereum-attestation-service/eas-contracts``, pinned in bench/package.json
and bench/package-lock.json. If bench/node_modules is missing, this script itself runs
``npm ci --ignore-scripts --prefix bench`` (once; --ignore-scripts because the package depends
on hardhat, whose install scripts we never want to run).

Everything is measured in one run on one anvil started by :class:`ledger.chain.anvil.Anvil`
(always with --prune-history):

* ``anchor()`` gas for a real Merkle root of 1, 64, 1,024 and 16,384 leaves, per record;
* one attestation per transaction: ``PerRecordAttestation.attest`` and EAS ``attest`` for the
  same audit fields (first and second call, so fresh-storage effects show);
* ingest: envelopes verified and stored per second by ``Ledger.submit`` (SQLite, this anvil)
  next to a bare PyNaCl verify loop over the same signatures, both pinned to one core;
* the size of a proof in a batch of 1,024 against 32·⌈log2 n⌉.

A readable table comes first; the last line is one JSON object. ``--profile`` adds a cProfile
of the ingest loop. Targets are reported (met or not), never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import pstats
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _contracts import (
    EAS_SCHEMA,
    AuditFields,
    audit_fields,
    deploy,
    eas_artifacts,
    per_record_artifact,
)
from _helpers import (
    audit_payload,
    pinned_to_one_core,
    print_table,
    raw_verify_per_s,
    sign_audits,
    timed,
)
from eth_abi.packed import encode_packed
from eth_account import Account
from eth_utils.crypto import keccak

from domain import open_ledger
from ledger.canonical import canonicalize
from ledger.chain.anvil import Anvil
from ledger.chain.client import ChainClient
from ledger.chain.contracts import AnchorContract
from ledger.chain.deployment import deploy_contracts
from ledger.keys import SigningKey
from ledger.merkle import MerkleTree, is_valid_proof, leaf_of
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig

AUDIT_KIND = 1  # the on-chain kind number of audit batches (domain.audits.AuditHandler.code)
BATCH_SIZES = (1, 64, 1024, 16_384)
PROOF_BATCH = 1024
ZERO_ADDRESS = "0x" + "00" * 20
ZERO_BYTES32 = b"\x00" * 32

# Targets (reported, not asserted).
ANCHOR_GAS_BUDGET = 60_000
EAS_TO_BATCH_TARGET = 4_000
INGEST_TO_RAW_TARGET = 0.5


@dataclass(frozen=True)
class AnchorGas:
    gas: dict[int, int]  # batch size -> gasUsed of anchor()
    tree_1024: MerkleTree
    anchor: AnchorContract

    def per_record(self, size: int) -> float:
        return self.gas[size] / size


@dataclass(frozen=True)
class SingleGas:
    """One attestation per transaction: gasUsed of the first and the second call."""

    first: int
    second: int
    note: str


@dataclass(frozen=True)
class ProofReport:
    proof_bytes: int
    expected_bytes: int
    every_proof_same_length: bool
    every_proof_valid: bool
    verified_on_chain: bool
    verify_gas: int


@dataclass(frozen=True)
class IngestReport:
    records: int
    ingest_per_s: float  # Ledger.submit_many in chunks of 1,000 (the :batch path)
    single_per_s: float  # Ledger.submit, one durable commit per envelope
    raw_verify_per_s: float
    all_anchored: bool
    drain_s: float
    profile: str | None

    @property
    def ratio(self) -> float:
        return self.ingest_per_s / self.raw_verify_per_s


# -- gas ------------------------------------------------------------------------------------


def synthetic_leaves(size: int) -> list[bytes]:
    """Leaves of ``size`` distinct canonical records (leaf = keccak256(keccak256(JCS)))."""
    return [leaf_of(canonicalize({"batch": size, "record": i})) for i in range(size)]


def measure_anchor_gas(client: ChainClient) -> AnchorGas:
    """Deploy the ledger's contracts and anchor one real root per batch size."""
    anchor = AnchorContract.of(client, deploy_contracts(client, admin=Account.create().address))
    gas: dict[int, int] = {}
    tree_1024: MerkleTree | None = None
    for batch_id, size in enumerate(BATCH_SIZES, start=1):
        tree = MerkleTree.build(synthetic_leaves(size))
        gas[size] = anchor.anchor(tree.root, size, AUDIT_KIND, batch_id).gas_used
        if size == PROOF_BATCH:
            tree_1024 = tree
    assert tree_1024 is not None
    return AnchorGas(gas, tree_1024, anchor)


def measure_per_record(client: ChainClient, audits: tuple[AuditFields, AuditFields]) -> SingleGas:
    artifact = per_record_artifact()
    contract = deploy(client, artifact)
    first, second = (client.transact(contract.functions.attest(*a.as_args())) for a in audits)
    return SingleGas(first.gas_used, second.gas_used, f"fresh contract; {artifact.source}")


def measure_eas(client: ChainClient, audits: tuple[AuditFields, AuditFields]) -> SingleGas:
    """Register the audit schema (revocable, no resolver) and make two revocable attestations:
    no recipient, no refUID, expirationTime = the audit's validUntil, data = the four fields."""
    registry_artifact, eas_artifact = eas_artifacts()
    registry = deploy(client, registry_artifact)
    eas = deploy(client, eas_artifact, registry.address)
    client.transact(registry.functions.register(EAS_SCHEMA, ZERO_ADDRESS, True))
    schema_uid = keccak(
        encode_packed(["string", "address", "bool"], [EAS_SCHEMA, ZERO_ADDRESS, True])
    )
    assert bytes(registry.functions.getSchema(schema_uid).call()[0]) == schema_uid
    outcomes = []
    for audit in audits:
        data = (ZERO_ADDRESS, audit.valid_until, True, ZERO_BYTES32, audit.abi_encoded(), 0)
        outcomes.append(client.transact(eas.functions.attest((schema_uid, data))))
    return SingleGas(
        outcomes[0].gas_used,
        outcomes[1].gas_used,
        f"revocable, fresh schema; {eas_artifact.source}",
    )


def two_audits() -> tuple[AuditFields, AuditFields]:
    """The example audit and a second audit of the same facility (another report hash)."""
    payload = audit_payload()
    second = {**payload, "startDate": "2026-10-01", "endDate": "2026-10-02"}
    return audit_fields(payload), audit_fields(second)


# -- proof ----------------------------------------------------------------------------------


def measure_proof(anchored: AnchorGas) -> ProofReport:
    """Every proof of the 1,024-leaf batch: its length, validity in Python, and on chain."""
    tree, anchor = anchored.tree_1024, anchored.anchor
    proofs = [tree.proof(i) for i in range(len(tree.leaves))]
    pairs = list(zip(tree.leaves, proofs, strict=True))
    first, last = pairs[0], pairs[-1]
    verify = anchor.contract.functions.verify(first[0], first[1], tree.root)
    return ProofReport(
        proof_bytes=32 * len(first[1]),
        expected_bytes=32 * math.ceil(math.log2(len(tree.leaves))),
        every_proof_same_length=len({len(p) for p in proofs}) == 1,
        every_proof_valid=all(is_valid_proof(leaf, p, tree.root) for leaf, p in pairs),
        verified_on_chain=all(anchor.verify(leaf, p, tree.root) for leaf, p in (first, last)),
        verify_gas=int(verify.estimate_gas({"from": anchor.client.address})),
    )


# -- ingest ---------------------------------------------------------------------------------


def measure_ingest(rpc_url: str, records: int, *, profile: bool) -> IngestReport:
    """Ledger.submit_many in chunks of 1,000 (what POST /v1/attestations:batch does) over a
    fresh SQLite file on this anvil, then Ledger.submit one by one (each its own durable
    commit) on a tenth as many, then the raw verify loop over the same signatures; all
    pinned to one core. Then everything is anchored (timed apart)."""
    auditor = SigningKey.generate()
    singles = max(100, records // 10)
    envelopes = sign_audits(auditor, records + singles)
    bodies = [e.to_dict() for e in envelopes]
    bulk, single = bodies[:records], bodies[records:]
    profiler = cProfile.Profile() if profile else None
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'ledger.db'}"
        ledger = open_ledger(LedgerConfig(database_url=database_url, rpc_url=rpc_url))
        try:
            ledger.accredit(auditor.did, Role.AUDITOR)
            with pinned_to_one_core():
                seconds = timed(lambda: _submit_bulk(ledger, bulk, profiler))
                single_seconds = timed(lambda: _submit_one_by_one(ledger, single))
                raw = raw_verify_per_s(envelopes[:records])
            drain_s = timed(ledger.anchorer.drain)
            backlog = ledger.health()["anchoring"]
        finally:
            ledger.close()
    return IngestReport(
        records=records,
        ingest_per_s=records / seconds,
        single_per_s=singles / single_seconds,
        raw_verify_per_s=raw,
        all_anchored=backlog["pendingRecords"] == 0 and not backlog["batches"],
        drain_s=drain_s,
        profile=_render_profile(profiler, records),
    )


CHUNK = 1000  # envelopes per submit_many call, as in one :batch request


def _submit_bulk(
    ledger: Ledger, bodies: list[dict[str, Any]], profiler: cProfile.Profile | None
) -> None:
    if profiler is not None:
        profiler.enable()
    for start in range(0, len(bodies), CHUNK):
        results = ledger.submit_many(bodies[start : start + CHUNK])
        rejected = [r for r in results if isinstance(r, Exception)]
        if rejected:
            raise RuntimeError(f"bench envelopes were rejected: {rejected[0]}")
    if profiler is not None:
        profiler.disable()


def _submit_one_by_one(ledger: Ledger, bodies: list[dict[str, Any]]) -> None:
    for body in bodies:
        ledger.submit(body)


# Where a submit spends its time: (label, file suffix, function). Cumulative, so they overlap
# (e.g. JCS runs inside verify and leaf computation too).
PROFILE_POINTS = (
    ("Ledger.submit_many (total)", "ledger/service.py", "submit_many"),
    ("JCS: canonicalize", "ledger/canonical.py", "canonicalize"),
    ("Envelope.from_dict (shape)", "ledger/envelope.py", "from_dict"),
    ("AuditHandler.parse (pydantic)", "domain/audits/handler.py", "parse"),
    ("Ed25519 verify (PyNaCl)", "ledger/keys.py", "verify"),
    ("leaf (2 x keccak256)", "ledger/merkle.py", "leaf_of"),
    ("verify_envelope (signer, skew)", "ledger/envelope.py", "verify_envelope"),
    ("accreditations (once per signer)", "ledger/store/ingest.py", "accreditations"),
    ("AuditHandler.check (references)", "domain/audits/handler.py", "check"),
    ("insert_records (one INSERT)", "ledger/store/ingest.py", "insert_records"),
    ("SQLAlchemy Session.commit", "sqlalchemy/orm/session.py", "commit"),
)


def _render_profile(profiler: cProfile.Profile | None, records: int) -> str | None:
    """Per-envelope cumulative time at the points above, then the top of the raw profile."""
    if profiler is None:
        return None
    stats = pstats.Stats(profiler)
    found: dict[str, tuple[int, float]] = {}
    for (path, _line, name), (_cc, calls, _tt, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for label, suffix, function in PROFILE_POINTS:
            if name == function and path.endswith(suffix):
                before = found.get(label, (0, 0.0))
                found[label] = (before[0] + calls, before[1] + cumulative)
    total = found.get(PROFILE_POINTS[0][0], (0, 1.0))[1]
    lines = [
        f"{'where (cumulative, overlapping)':36} {'calls/env':>9} {'ms/env':>7} {'% submit':>8}"
    ]
    for label, _suffix, _function in PROFILE_POINTS:
        calls, seconds = found.get(label, (0, 0.0))
        lines.append(
            f"{label:36} {calls / records:9.1f} {1000 * seconds / records:7.3f} "
            f"{100 * seconds / total:7.1f}%"
        )
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
    return "\n".join(lines) + "\n\nTop 20 by own time:\n" + out.getvalue()


# -- report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    anchor: AnchorGas
    per_record: SingleGas
    eas: SingleGas
    proof: ProofReport
    ingest: IngestReport
    quick: bool

    def targets(self) -> dict[str, bool]:
        return {
            "anchor_gas_le_60000": max(self.anchor.gas.values()) <= ANCHOR_GAS_BUDGET,
            "eas_to_batch1024_ge_4000": self.eas_to_batch1024() >= EAS_TO_BATCH_TARGET,
            "ingest_ge_half_raw": self.ingest.ratio >= INGEST_TO_RAW_TARGET,
        }

    def eas_to_batch1024(self) -> float:
        return self.eas.first / self.anchor.per_record(1024)

    def to_json(self) -> dict[str, Any]:
        gas, per_record = self.anchor.gas, self.anchor.per_record
        return {
            "gas_per_record": {str(n): round(per_record(n), 2) for n in BATCH_SIZES},
            "single_attestation_gas": self.per_record.first,
            "eas_attest_gas": self.eas.first,
            "ingest_per_s": round(self.ingest.ingest_per_s, 1),
            "ingest_single_per_s": round(self.ingest.single_per_s, 1),
            "raw_verify_per_s": round(self.ingest.raw_verify_per_s, 1),
            "proof_bytes_1024": self.proof.proof_bytes,
            "anchor_gas": {str(n): gas[n] for n in BATCH_SIZES},
            "single_attestation_gas_second": self.per_record.second,
            "eas_attest_gas_second": self.eas.second,
            "eas_to_batch1024_ratio": round(self.eas_to_batch1024(), 1),
            "single_to_batch1024_ratio": round(self.per_record.first / per_record(1024), 1),
            "ingest_to_raw_ratio": round(self.ingest.ratio, 4),
            "ingest_records": self.ingest.records,
            "ingest_profiled": self.ingest.profile is not None,
            "all_anchored_after_drain": self.ingest.all_anchored,
            "drain_s": round(self.ingest.drain_s, 2),
            "proof_bytes_expected_1024": self.proof.expected_bytes,
            "proof_bytes_match_32_ceil_log2_n": self.proof.proof_bytes == self.proof.expected_bytes,
            "proof_verify_gas": self.proof.verify_gas,
            "targets_met": self.targets(),
            "quick": self.quick,
        }


Row = tuple[str, str, str]


def gas_rows(results: Results) -> list[Row]:
    anchor, single, eas = results.anchor, results.per_record, results.eas
    rows: list[Row] = []
    for n in BATCH_SIZES:
        note = f"{anchor.per_record(n):,.2f} gas/record"
        if results.quick and n == BATCH_SIZES[-1]:
            note += " (built and anchored in --quick too)"
        rows.append((f"anchor() batch {n:,}", f"{anchor.gas[n]:,} gas", note))
    ratio = f"{results.eas_to_batch1024():,.0f}x"
    return [
        *rows,
        ("PerRecordAttestation.attest 1st", f"{single.first:,} gas", single.note),
        ("PerRecordAttestation.attest 2nd", f"{single.second:,} gas", "id counter already set"),
        ("EAS attest 1st (eas_attest_gas)", f"{eas.first:,} gas", eas.note),
        ("EAS attest 2nd", f"{eas.second:,} gas", "same schema, another audit"),
        ("EAS 1st / batch-1,024 per record", ratio, "target >= 4,000x"),
    ]


def proof_rows(proof: ProofReport) -> list[Row]:
    formula = f"32*ceil(log2 1024) = {proof.expected_bytes} B"
    on_chain = f"verify() costs {proof.verify_gas:,} gas as a transaction"
    return [
        ("proof size", f"{proof.proof_bytes} B", formula),
        ("every proof that length", str(proof.every_proof_same_length), ""),
        ("every proof valid (Python)", str(proof.every_proof_valid), "OpenZeppelin sorted pairs"),
        ("verified on chain", str(proof.verified_on_chain), on_chain),
    ]


def ingest_rows(ingest: IngestReport) -> list[Row]:
    return [
        (
            "Ledger.submit_many (SQLite)",
            f"{ingest.ingest_per_s:,.0f}/s",
            "1,000 per commit, as :batch",
        ),
        ("Ledger.submit (SQLite)", f"{ingest.single_per_s:,.0f}/s", "one fsync'd commit each"),
        ("raw PyNaCl verify", f"{ingest.raw_verify_per_s:,.0f}/s", "same signatures"),
        ("ratio", f"{ingest.ratio:.4f}", "target >= 0.5"),
        ("anchoring them all", f"{ingest.drain_s:.2f} s", f"all anchored: {ingest.all_anchored}"),
    ]


def print_report(results: Results) -> None:
    print_table("Gas (anvil, one run)", gas_rows(results))
    print_table("Proof (batch of 1,024)", proof_rows(results.proof))
    title = f"Ingest ({results.ingest.records:,} audit envelopes, one core)"
    print_table(title, ingest_rows(results.ingest))
    targets = [(name, "met" if ok else "NOT met", "") for name, ok in results.targets().items()]
    print_table("Targets", targets)
    if results.ingest.profile:
        print(
            "\ncProfile of the ingest loop (profiled, so slower than above):\n"
            + results.ingest.profile
        )


# -- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer ingested records (< 1 min)")
    parser.add_argument(
        "--records", type=int, help="envelopes to ingest (default 10,000; quick 1,000)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the ingest loop")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> Results:
    records = args.records or (1_000 if args.quick else 10_000)
    eas_artifacts()  # install bench/node_modules first if needed, before anything is timed
    with Anvil() as node:
        client = ChainClient.connect(node.url)
        anchor = measure_anchor_gas(client)
        audits = two_audits()
        per_record = measure_per_record(client, audits)
        eas = measure_eas(client, audits)
        proof = measure_proof(anchor)
        ingest = measure_ingest(node.url, records, profile=args.profile)
    return Results(anchor, per_record, eas, proof, ingest, quick=args.quick)


def main(argv: list[str] | None = None) -> int:
    results = run(parse_args(argv))
    print_report(results)
    print(json.dumps(results.to_json(), sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
