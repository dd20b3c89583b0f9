"""Canonical JSON (RFC 8785, JCS): the bytes every signature and hash is computed over."""

from __future__ import annotations

import json
from typing import Any

import orjson
import rfc8785

from .errors import InvalidRecord, MalformedJSON

__all__ = ["canonicalize", "parse_json"]

_MAX_SAFE_INTEGER = 2**53 - 1
# Below U+D800, UTF-16 code-unit order (JCS's key order) equals code-point order (Python's).
_KEY_ORDER_SAFE = "\ud7ff"


def _stdlib_equivalent(value: Any) -> bool:
    """True when a plain sorted-key serialiser (orjson) produces exactly the JCS bytes.

    That holds for strings, booleans, null, integers within I-JSON's safe range, lists and
    objects whose keys sort the same in UTF-16 and in code points. Floats need ECMAScript
    number formatting and go through ``rfc8785``; so does anything else unusual.
    """
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not (
                key.isascii() or max(key, default="") <= _KEY_ORDER_SAFE
            ):
                return False
            if type(item) is not str and not _stdlib_equivalent(item):
                return False
        return True
    if kind is list or kind is tuple:
        return all(type(item) is str or _stdlib_equivalent(item) for item in value)
    return False


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON value.

    Raises:
        InvalidRecord: the value is not representable in I-JSON (e.g. NaN, an
            integer beyond 2**53, a non-string key, a lone surrogate).
    """
    if _stdlib_equivalent(value):
        # orjson escapes exactly as JCS does (tested against rfc8785 with hypothesis) and is
        # an order of magnitude faster; rfc8785 handles floats and the unusual cases.
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except TypeError:
            pass  # e.g. a lone surrogate: let rfc8785 refuse it with its own message
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
