"""Canonical JSON (RFC 8785, JCS): the bytes every signature and hash is computed over."""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from .errors import InvalidRecord, MalformedJSON

__all__ = ["canonicalize", "parse_json"]


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON value.

    Raises:
        InvalidRecord: the value is not representable in I-JSON (e.g. NaN, an
            integer beyond 2**53, a non-string key).
    """
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise InvalidRecord(f"value cannot be canonicalized: {exc}") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


_MAX_SAFE_INTEGER = 2**53 - 1


def _parse_int(text: str) -> int | float:
    # JCS works on IEEE doubles: a canonical "9007199254740992" was a double, read it back as one.
    value = int(text)
    return value if abs(value) <= _MAX_SAFE_INTEGER else float(value)


def parse_json(data: bytes | str) -> Any:
    """Parse strict JSON: no NaN/Infinity, no duplicate keys (I-JSON, RFC 7493).

    Duplicate keys are rejected because two parsers could read different values
    from the same signed bytes. Integers beyond 2**53 are read as doubles, as RFC 8785
    (and every JavaScript verifier) reads them.

    Raises:
        MalformedJSON: the input is not strict JSON.
    """
    try:
        return json.loads(
            data,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_reject_constant,
            parse_int=_parse_int,
        )
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedJSON(f"malformed JSON: {exc}") from exc
