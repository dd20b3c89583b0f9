"""Reorg watch: whether blocks the ledger recorded an inclusion in are still on the chain.

``confirmations`` makes a reorg past a confirmed transaction unlikely, not impossible (a
public chain before finality; a devnet's ``anvil_reorg``). So once a batch is anchored (or
an outbox row relayed) its block number *and* hash are kept, and for ``window`` blocks
after it the worker asks the chain for the hash at that number. Another hash means the
block was replaced: the transaction is gone, or mined again elsewhere. The caller then
moves the row back to ``submitted`` (its signed bytes are kept), and the usual
confirmation step finds the transaction again, rebroadcasts the same bytes, or re-prepares
it; the contract refuses a second copy of a root, so it is anchored once.

Between passes only the head is read: every reorg replaces the head block, so an unchanged
head hash means nothing below it moved either.
"""

from __future__ import annotations

from collections.abc import Iterable

from .chain.client import ChainClient

__all__ = ["REORG_NOTE", "HeadWatch", "replaced_blocks"]

REORG_NOTE = "reorg"
"""How ``last_error`` of a row taken back by a reorg begins (the receipt route says so)."""


def replaced_blocks(client: ChainClient, inclusions: Iterable[tuple[int, str]]) -> set[int]:
    """The block numbers among ``(number, hash)`` whose block the chain no longer has: another
    hash at that number, or none (the chain is shorter now). One read per distinct number."""
    wanted = {number: stored.lower() for number, stored in inclusions}
    replaced: set[int] = set()
    for number in sorted(wanted):
        current = client.block_hash(number)
        if current is None or current.lower() != wanted[number]:
            replaced.add(number)
    return replaced


class HeadWatch:
    """Remembers the head last checked, so a pass with the same head skips the check."""

    def __init__(self) -> None:
        self._seen: tuple[int, str] | None = None

    def head_if_changed(self, client: ChainClient) -> tuple[int, str] | None:
        """The head ``(number, hash)`` if it is not the one last :meth:`checked`, else None."""
        number = client.block_number()
        head_hash = client.block_hash(number)
        if head_hash is None:  # a new block raced the read: look again next pass
            return None
        head = (number, head_hash.lower())
        return None if head == self._seen else head

    def checked(self, head: tuple[int, str]) -> None:
        """Everything recorded up to ``head`` was checked (only then: a failed check is
        repeated on the next pass)."""
        self._seen = head
