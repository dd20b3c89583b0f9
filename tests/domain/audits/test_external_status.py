"""Bitstring Status List reading: bit order (index 0 is the left-most bit), bounds, and
what is refused (not GZIP, a zip bomb, a short list, an index outside)."""

from __future__ import annotations

import base64
import gzip
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.audits.external_status import (
    MAX_BITSTRING_BYTES,
    MIN_ENTRIES,
    StatusListUnreadable,
    check_list_length,
    expand_bitstring,
    status_at,
)
from tests.domain.audits.dcc_builders import encoded_list


def _u(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_index_zero_is_the_left_most_bit() -> None:
    bits = expand_bitstring(_u(gzip.compress(bytes([0b1000_0001, 0b0100_0000]))))
    assert [status_at(bits, i) for i in range(10)] == [1, 0, 0, 0, 0, 0, 0, 1, 0, 1]
    assert status_at(bits, 0, size=2) == 0b10 and status_at(bits, 3, size=2) == 0b01


@given(st.sets(st.integers(0, MIN_ENTRIES - 1), max_size=20))
def test_round_trip(set_bits: set[int]) -> None:
    bits = expand_bitstring(encoded_list(set_bits))
    check_list_length(bits, 1)
    for index in set_bits | {0, MIN_ENTRIES - 1}:
        assert status_at(bits, index) == (index in set_bits)


def test_refused() -> None:
    for bad in (None, 5, "z123", "u!!", _u(b"not gzip"), _u(zlib.compress(b"\0" * 10))):
        with pytest.raises(StatusListUnreadable):
            expand_bitstring(bad)
    bomb = _u(gzip.compress(b"\0" * (MAX_BITSTRING_BYTES + 1)))
    with pytest.raises(StatusListUnreadable, match="larger"):
        expand_bitstring(bomb)
    with pytest.raises(StatusListUnreadable, match="minimum"):
        check_list_length(bytes(MIN_ENTRIES // 8 - 1), 1)
    with pytest.raises(StatusListUnreadable, match="outside"):
        status_at(bytes(2), 16)
    with pytest.raises(StatusListUnreadable):
        expand_bitstring("u" + "A" * 70_000)
