"""Reading a W3C Bitstring Status List (https://www.w3.org/TR/vc-bitstring-status-list/) for
credentials from other systems: the *verifier's* side only (issuing lists is
``credentials/``'s business; this module shares no code with it, on purpose, so either can
change without the other).

- :func:`expand_bitstring`: the Bitstring Expansion Algorithm: multibase-decode
  ``encodedList`` (``u`` + base64url, no padding), then GZIP-decompress, never past
  :data:`MAX_BITSTRING_BYTES` however small the compressed text (a "zip bomb" stops there).
- :func:`status_at`: the value at ``index`` for entries of ``size`` bits. Index 0 is the
  left-most (most significant) bit of the first byte (the spec's "Bitstring Encoding").
- :func:`check_list_length`: a list shorter than 131,072 entries is refused
  (``STATUS_LIST_LENGTH_ERROR``: a short list narrows down who holds which index).

Nothing here fetches: the status list credential comes with the submission
(:mod:`domain.audits.external`), so the server never dereferences a URL a stranger chose.
"""

from __future__ import annotations

import zlib
from typing import Final

from ledger.errors import InvalidKey, InvalidRecord
from ledger.keys import multibase_decode

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

# 16 + window bits: gzip framing only (RFC 1952), as the spec names; zlib or raw is refused.
_GZIP: Final = 16 + zlib.MAX_WBITS


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
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListUnreadable("encodedList must be multibase base64url (u...)")
    if len(encoded) > MAX_ENCODED_CHARS:
        raise StatusListUnreadable(
            f"encodedList is {len(encoded)} characters; at most {MAX_ENCODED_CHARS} are read"
        )
    try:
        compressed = multibase_decode(encoded)
    except InvalidKey as exc:
        raise StatusListUnreadable(f"encodedList: {exc}") from None
    inflater = zlib.decompressobj(_GZIP)
    try:
        bitstring = inflater.decompress(compressed, MAX_BITSTRING_BYTES)
        if inflater.unconsumed_tail:
            raise StatusListUnreadable(
                f"the status list is larger than {MAX_BITSTRING_BYTES} bytes decompressed"
            )
        bitstring += inflater.flush()
    except zlib.error as exc:
        raise StatusListUnreadable(f"encodedList is not GZIP data: {exc}") from None
    if not inflater.eof or inflater.unused_data:
        raise StatusListUnreadable("encodedList is not one complete GZIP member")
    if len(bitstring) > MAX_BITSTRING_BYTES:
        raise StatusListUnreadable(
            f"the status list is larger than {MAX_BITSTRING_BYTES} bytes decompressed"
        )
    return bitstring


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
