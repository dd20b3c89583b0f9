"""Payload schemas per record kind. A validator checks a payload and returns its subject
(the id records are looked up by, e.g. the facility of an audit)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import SchemaViolation
from ..roles import Kind

__all__ = ["PayloadValidator", "register_validator", "validate_payload"]

PayloadValidator = Callable[[Mapping[str, Any]], str | None]

_VALIDATORS: dict[Kind, PayloadValidator] = {}


def register_validator(kind: Kind, validator: PayloadValidator) -> None:
    _VALIDATORS[kind] = validator


def validate_payload(kind: Kind, payload: Mapping[str, Any]) -> str | None:
    """Validate ``payload`` for ``kind``; return its subject.

    Raises:
        SchemaViolation: naming the offending field (``payload.<path>``).
    """
    _load_builtin()
    validator = _VALIDATORS.get(kind)
    if validator is None:
        raise SchemaViolation(f"records of kind {kind.label!r} are not accepted here", field="kind")
    return validator(payload)


def _load_builtin() -> None:
    # Importing registers each schema module's validator.
    from . import audit, checkin, credential, credential_status  # noqa: F401
