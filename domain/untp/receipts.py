"""A record as its receipt shows it, checked before anything is built from it.

A credential is built only from a receipt whose envelope is signed by its signer, whose
leaf is that envelope's and whose Merkle proof leads to its root: what the export signs is
then exactly what the anchored leaf commits to. (Whether that root is on chain, from the
pinned deployment, is what ``ledger receipts verify`` checks: it needs an RPC endpoint.)

Evidence links name the receipt's URL and carry ``hashDigest`` = SHA-256 of the envelope's
RFC 8785 bytes, the same bytes the leaf (keccak256, twice) and the record id commit to. A
reader fetches the receipt, canonicalizes ``envelope``, compares the digest, then verifies
the receipt as any other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ledger.envelope import Envelope
from ledger.errors import LedgerError, ReceiptInvalid
from ledger.merkle import is_valid_proof

from .spec import HASH_METHOD, RECEIPT_LINK_TYPE, RECORD_URN

__all__ = ["AnchoredRecord", "anchored_record", "record_digest"]


@dataclass(frozen=True)
class AnchoredRecord:
    """A checked receipt's record.

    Attributes:
        record_id: ``0x`` + the leaf (hex).
        envelope: the signed envelope, signature verified.
        receipt_url: where the ledger serves the receipt.
        anchored_at: the receipt's ``anchoredAt`` (the block time).
    """

    record_id: str
    envelope: Envelope
    receipt_url: str
    anchored_at: str

    @property
    def payload(self) -> Mapping[str, Any]:
        return self.envelope.payload

    @property
    def signer(self) -> str:
        return self.envelope.signer

    @property
    def urn(self) -> str:
        return RECORD_URN + self.record_id

    def evidence(self, name: str) -> dict[str, Any]:
        """A UNTP ``SecureLink`` to the receipt (0.6.1 instances carry no ``type`` on links:
        the contexts define none for them)."""
        return {
            "linkURL": self.receipt_url,
            "linkName": name,
            "linkType": RECEIPT_LINK_TYPE,
            "hashDigest": record_digest(self.envelope),
            "hashMethod": HASH_METHOD,
        }

    def vc_evidence(self) -> dict[str, Any]:
        """The receipt as a VC ``evidence`` object, for the credentials whose UNTP 0.6.1
        vocabulary has no link field (the DFR's own record, the DTE): the VC 2.0 context
        defines ``evidence``; its object's ``type`` is an absolute IRI of ours, as no
        bundled context defines a receipt type. The URL names the record id (the leaf)."""
        return {"id": self.receipt_url, "type": [RECEIPT_LINK_TYPE]}


def record_digest(envelope: Envelope) -> str:
    """Hex SHA-256 of the envelope's canonical (JCS) bytes."""
    return hashlib.sha256(envelope.canonical()).hexdigest()


def anchored_record(receipt: object, *, api: str, kind: str) -> AnchoredRecord:
    """The record ``receipt`` (as ``GET /v1/records/{id}/receipt`` serves it) holds.

    Args:
        receipt: the parsed receipt.
        api: the API's base URL (the receipt's link is built on it).
        kind: the record kind expected (``audit``, ``facility``, ...).

    Raises:
        ReceiptInvalid: (``.check``) ``format``, ``envelope`` (malformed or badly signed),
            ``kind``, ``leaf`` or ``proof``.
    """
    if not isinstance(receipt, Mapping):
        raise ReceiptInvalid("the receipt is not a JSON object", check="format")
    try:
        envelope = Envelope.from_dict(receipt.get("envelope"))
        envelope.verify_signature()
    except LedgerError as exc:
        raise ReceiptInvalid(f"the receipt's envelope: {exc.detail}", check="envelope") from exc
    if envelope.kind != kind or receipt.get("kind") != kind:
        raise ReceiptInvalid(
            f"expected a {kind} record, the receipt holds {envelope.kind!r}", check="kind"
        )
    leaf = envelope.leaf
    if receipt.get("leaf") != "0x" + leaf.hex():
        raise ReceiptInvalid("the receipt's leaf is not its envelope's", check="leaf")
    try:
        proof = [_hex32(node) for node in receipt.get("proof", ())]
        root = _hex32(receipt.get("root"))
    except (TypeError, ValueError) as exc:
        raise ReceiptInvalid(f"malformed Merkle proof: {exc}", check="proof") from exc
    if not is_valid_proof(leaf, proof, root):
        raise ReceiptInvalid("the Merkle proof does not lead to the root", check="proof")
    anchored_at = receipt.get("anchoredAt")
    if not isinstance(anchored_at, str):
        raise ReceiptInvalid("the receipt has no anchoredAt", check="format")
    record_id = envelope.record_id
    url = f"{api.rstrip('/')}/v1/records/{quote(record_id)}/receipt"
    return AnchoredRecord(record_id, envelope, url, anchored_at)


def _hex32(value: object) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 66:
        raise ValueError("a node is 0x + 64 hex digits")
    return bytes.fromhex(value[2:])
