"""Reorg watch: whether blocks the ledger recorded an inclusion in are still on the chain.

``confirmations`` makes a reorg past a confirmed transaction unlikely, not impossible (a
public chain before finality; a devnet's ``anvil_reorg``). So once a batch is anchored (or
an outbox row relayed) its block number *and* hash are kept, and for ``window`` blocks
after it the worker asks the chain for the hash at that number. Another hash means the
block was replaced: the transaction is gone, or mined again elsewhere. The caller then
moves the row back to ``submitted`` (its signed bytes are kept), and the usual
confirmation step finds the transaction again, rebroadcasts the same bytes, or re-prepares
it; the contract refuses a second copy of a root, so it is anchored once.
"""

from __future__ import annotations

from collections.abc import Iterable

from .chain.client import ChainClient

__all__ = ["REORG_NOTE", "replaced_blocks"]

REORG_NOTE = "reorg"
"""How ``last_error`` of a row taken back by a reorg begins (the receipt route says so)."""


def replaced_blocks(client: ChainClient, inclusions: Iterable[tuple[int, str]]) -> set[int]:
    """The block numbers among ``(number, hash)`` whose block the chain no longer has: another
    hash at that number, or none (the chain is shorter now).

    Reads from the highest number down and stops at the first block still there: a block's
    hash commits to its parent's, so a reorg replaces a suffix of the chain and everything
    below a block that is still there is still there too. One read when nothing moved.
    """
    wanted = {number: stored.lower() for number, stored in inclusions}
    replaced: set[int] = set()
    for number in sorted(wanted, reverse=True):
        current = client.block_hash(number)
        if current is not None and current.lower() == wanted[number]:
            break
        replaced.add(number)
    return replaced
