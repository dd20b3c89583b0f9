"""The database-free half of admission: shape, the kind's schema, the signature.

(Measured and left out: spreading this over worker processes. Sending a parsed payroll line
back from a worker costs more, in pickling, than parsing it here: 310 us against 290 us a
line, so a pool of processes made a 10,000-line run slower, not faster.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .envelope import Envelope
from .errors import LedgerError, SchemaViolation
from .kinds import KindHandler, KindRegistry, Parsed

__all__ = ["Prepared", "Submission", "prepare_one"]


@dataclass(frozen=True)
class Submission:
    """An envelope as received, and what came beside it (e.g. a check-in's presentation)."""

    envelope: Any
    attachment: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Prepared:
    position: int
    envelope: Envelope
    handler: KindHandler
    parsed: Parsed
    attachment: Mapping[str, Any] | None


def prepare_one(kinds: KindRegistry, position: int, item: Submission) -> Prepared | LedgerError:
    """Shape, schema and signature of one envelope: everything that needs no database."""
    try:
        envelope = Envelope.from_dict(item.envelope)
        handler = kinds.handler(envelope.kind)
        if handler.attachment is not None and item.attachment is None:
            raise SchemaViolation(
                f"a {handler.label} record comes with its {handler.attachment}",
                field=handler.attachment,
            )
        if handler.attachment is None and item.attachment is not None:
            raise SchemaViolation(
                f"a {handler.label} record takes nothing beside its envelope",
                field="attachment",
            )
        parsed = handler.parse(envelope.payload)
        envelope.verify_signature()
    except LedgerError as exc:
        return exc
    return Prepared(position, envelope, handler, parsed, item.attachment)
