"""Garbage-collector settings for a serving process.

Each ``:batch`` request builds tens of thousands of container objects (1,000 envelopes,
their payloads and models), so CPython's default thresholds (700, 10, 10) run a young
collection every few hundred of them and regularly a full one, which walks every object
the process holds: the app, pydantic's and SQLAlchemy's caches, web3. Measured on
``:batch`` on PostgreSQL, that was close to half of a request's time.

After start-up the process freezes what it has (``gc.freeze``: moved to a permanent
generation no collection walks; reference counting still frees it) and collects the young
generation less often. Cyclic garbage still goes, just in larger, rarer batches.
"""

from __future__ import annotations

import gc
from typing import Final

__all__ = ["YOUNG_THRESHOLD", "tune_for_serving"]

YOUNG_THRESHOLD: Final = 50_000
"""Allocations (minus deallocations) between young collections; CPython's default is 700."""


def tune_for_serving() -> None:
    """Freeze the start-up heap and raise the young-generation threshold (per process)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
