"""Domain value types (hashes, ids) as ``NewType`` so they do not mix by accident."""

from __future__ import annotations

from typing import NewType

Leaf = NewType("Leaf", bytes)
"""32-byte Merkle leaf of a record (keccak256 of keccak256 of its canonical envelope)."""

Root = NewType("Root", bytes)
"""32-byte Merkle root of a batch."""

Did = NewType("Did", str)
"""A ``did:key`` identifier."""

RecordId = NewType("RecordId", str)
"""Stable id of an accepted record: ``0x`` + hex of its leaf."""

BatchId = NewType("BatchId", bytes)
"""32-byte id of an anchoring batch."""

TxHash = NewType("TxHash", str)
"""``0x``-prefixed transaction hash."""

Address = NewType("Address", str)
"""Checksummed EVM address."""

Scope = NewType("Scope", bytes)
"""32-byte AttesterRegistry scope (a facility's: :func:`ledger.chain.contracts.facility_scope`)."""
