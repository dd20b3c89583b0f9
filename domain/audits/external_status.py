"""Reading a W3C Bitstring Status List (https://www.w3.org/TR/vc-bitstring-status-list/) for
credentials from other systems: the *verifier's* side (issuing lists, ours, is
:mod:`credentials.status_list`, whose bounded expansion both use).

- :func:`expand_bitstring`: the Bitstring Expansion Algorithm
  (:func:`credentials.status_list.expand_list`), never past :data:`MAX_BITSTRING_BYTES`
  however small the compressed text (a "zip bomb" stops there); lists of any size.
- :func:`status_at`: the value at ``index`` for entries of ``size`` bits. Index 0 is the
  left-most (most significant) bit of the first byte (the spec's "Bitstring Encoding").
- :func:`check_list_length`: a list shorter than 131,072 entries is refused
  (``STATUS_LIST_LENGTH_ERROR``: a short list narrows down who holds which index).

Nothing here fetches: the status list credential comes with the submission
(:mod:`domain.audits.external`), so the server never dereferences a URL a stranger chose.
"""

from __future__ import annotations

from typing import Final

from credentials.errors import StatusListInvalid
from credentials.status_list import expand_list
from ledger.errors import InvalidRecord

__all__ = [
    "MAX_BITSTRING_BYTES",
    "MAX_ENCODED_CHARS",
    "MIN_ENTRIES",
    "StatusListUnreadable",
    "check_list_length",
    "expand_bitstring",
    "status_at",
]

MIN_ENTRIES: Final = 131_072
"""The spec's minimum number of entries (16 KiB of 1-bit entries)."""
MAX_BITSTRING_BYTES: Final = 2 * 1024 * 1024
"""The most a decompressed list may hold (16,777,216 1-bit entries); more is refused."""
MAX_ENCODED_CHARS: Final = 60_000
"""The longest ``encodedList`` read (an incompressible minimum list is about 22,000)."""


class StatusListUnreadable(InvalidRecord):
    """``encodedList`` is not a multibase base64url GZIP bitstring we can read."""

    code = "status_list_unreadable"
    title = "Status list unreadable"


def expand_bitstring(encoded: object) -> bytes:
    """The Bitstring Expansion Algorithm, bounded.

    Raises:
        StatusListUnreadable: not a string, too long, not ``u`` + base64url, not GZIP, or
            larger than :data:`MAX_BITSTRING_BYTES` once decompressed.
    """
    try:
        return expand_list(encoded, max_chars=MAX_ENCODED_CHARS, max_bytes=MAX_BITSTRING_BYTES)
    except StatusListInvalid as exc:  # our lists' codes; other systems' lists get this one
        raise StatusListUnreadable(exc.detail) from None


def check_list_length(bitstring: bytes, size: int) -> None:
    """Raises StatusListUnreadable: fewer than :data:`MIN_ENTRIES` entries of ``size`` bits."""
    entries = len(bitstring) * 8 // size
    if entries < MIN_ENTRIES:
        raise StatusListUnreadable(
            f"the status list has {entries} entries; the minimum is {MIN_ENTRIES}"
        )


def status_at(bitstring: bytes, index: int, size: int = 1) -> int:
    """The ``size``-bit value of entry ``index`` (index 0 at the left-most bit).

    Raises:
        StatusListUnreadable: the entry lies outside the list (the spec's ``RANGE_ERROR``).
    """
    if not 1 <= size <= 8 or index < 0:
        raise StatusListUnreadable(f"no entry {index} of {size} bits")
    start = index * size
    if start + size > len(bitstring) * 8:
        raise StatusListUnreadable(
            f"entry {index} lies outside the status list ({len(bitstring) * 8 // size} entries)"
        )
    value = 0
    for position in range(start, start + size):
        byte = bitstring[position // 8]
        value = (value << 1) | ((byte >> (7 - position % 8)) & 1)
    return value
