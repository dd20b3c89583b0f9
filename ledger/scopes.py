"""Where a record names the scope its signer must hold.

A kind that is scoped names, as a dotted path into its payload (``run.facility``), the
facility id whose :func:`~ledger.chain.contracts.facility_scope` the signer must hold in
AttesterRegistry for the role it signs under. Admission and the receipt verifiers read the
same path with this one function, so they cannot disagree on what a record names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from .chain.contracts import facility_scope
from .types import Scope

__all__ = ["MAX_SCOPE_ID_BYTES", "SCOPE_PATH", "scope_named"]

SCOPE_PATH: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}(\.[A-Za-z][A-Za-z0-9_]{0,63}){0,7}")
"""What a scope path looks like: up to eight dotted JSON member names."""

MAX_SCOPE_ID_BYTES: Final = 256
"""A facility id longer than this in UTF-8 names no scope (our facility ids are at most 64
characters). Bytes, not characters, so a verifier in any language counts the same."""


def scope_named(payload: Mapping[str, Any], path: str) -> Scope:
    """The facility scope named at ``path`` in ``payload``.

    Raises:
        ValueError: ``path`` is not a scope path, or the payload has there no non-empty,
            well-formed string of at most :data:`MAX_SCOPE_ID_BYTES` bytes in UTF-8 (the
            message names the path).
    """
    if not SCOPE_PATH.fullmatch(path):
        raise ValueError(f"{path!r} is not a dotted payload path")
    value: Any = payload
    for name in path.split("."):
        if not isinstance(value, Mapping) or name not in value:
            raise ValueError(f"the payload names no facility at payload.{path}")
        value = value[name]
    try:
        size = len(value.encode("utf-8")) if isinstance(value, str) else 0
    except UnicodeEncodeError:  # a lone surrogate (JSON's \u escapes can carry one)
        size = 0
    if not 0 < size <= MAX_SCOPE_ID_BYTES:
        raise ValueError(
            f"payload.{path} must be a facility id (a string of 1-{MAX_SCOPE_ID_BYTES} bytes "
            "in UTF-8)"
        )
    return facility_scope(value)
