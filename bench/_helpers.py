"""Shared pieces of the benchmarks (not a script): audit envelopes, the raw verify baseline,
timing, and the printed table."""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nacl.signing

from ledger.envelope import Envelope, sign_envelope
from ledger.keys import SigningKey, VerifyKey, multibase_decode

__all__ = [
    "REPO",
    "audit_payload",
    "pinned_to_one_core",
    "print_table",
    "raw_verify_per_s",
    "sign_audits",
    "timed",
]

REPO = Path(__file__).resolve().parents[1]


def audit_payload() -> dict[str, Any]:
    """The realistic audit of ``examples/audit.json`` (as ``tests/ledger/helpers.py`` uses)."""
    payload: dict[str, Any] = json.loads((REPO / "examples/audit.json").read_text("utf-8"))
    return payload


def sign_audits(key: SigningKey, count: int) -> list[Envelope]:
    """``count`` audit envelopes by ``key``, each with its own nonce (so its own record)."""
    payload = audit_payload()
    return [sign_envelope("audit", payload, key) for _ in range(count)]


def timed(action: Callable[[], object]) -> float:
    """Seconds ``action`` took (monotonic, high resolution)."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def raw_verify_per_s(envelopes: Sequence[Envelope], *, repeats: int = 3) -> float:
    """Signatures per second of a bare PyNaCl loop over the envelopes' own signatures.

    The signed bytes and the raw signatures are prepared first, so the loop is only
    ``nacl.signing.VerifyKey.verify``: the ceiling any ingest path could reach on one core.
    The median of ``repeats`` runs.
    """
    pairs = [(e.signing_input(), multibase_decode(e.signature)) for e in envelopes]
    keys = {e.signer: nacl.signing.VerifyKey(VerifyKey.from_did(e.signer).raw) for e in envelopes}
    signers = [keys[e.signer] for e in envelopes]

    def loop() -> None:
        for key, (message, signature) in zip(signers, pairs, strict=True):
            key.verify(message, signature)

    return statistics.median(len(pairs) / timed(loop) for _ in range(repeats))


@contextmanager
def pinned_to_one_core(cpu: int = 0) -> Iterator[None]:
    """Run the block on one CPU (the comparison is per core), then restore the mask."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def print_table(title: str, rows: Sequence[tuple[str, str, str]]) -> None:
    """A three-column table: what, value, note."""
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print(f"\n{title}")
    print("-" * (sum(widths) + 6))
    for what, value, note in rows:
        print(f"{what:<{widths[0]}}  {value:>{widths[1]}}  {note}")
