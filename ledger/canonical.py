"""Canonical JSON (RFC 8785, JCS): the bytes every signature and hash is computed over."""

from __future__ import annotations

import json
import re
from typing import Any, Final

import orjson
import rfc8785

from .errors import InvalidRecord, MalformedJSON

__all__ = ["canonicalize", "parse_json"]

_MAX_SAFE_INTEGER = 2**53 - 1
# Below U+D800, UTF-16 code-unit order (JCS's key order) equals code-point order (Python's).
_KEY_ORDER_SAFE = "\ud7ff"

MAX_DEPTH: Final = 64
"""Deepest nesting of arrays and objects any input may have. py-evm's py_ecc raises the
interpreter's recursion limit to 100,000, so a deeply nested document would overflow the C
stack (SIGSEGV) inside a recursive parser long before RecursionError could fire: depth is
measured without recursion before anything parses."""

_ESCAPE: Final = re.compile(rb"\\.", re.DOTALL)  # a backslash and what it escapes
_QUOTED: Final = re.compile(rb'"[^"]*"')  # a string once its escapes are gone
_NOT_QUOTE_OR_BRACKET: Final = bytes(b for b in range(256) if b not in b'"[]{}')
_EMPTY_PAIR: Final = re.compile(rb"\[\]|\{\}")
_NOT_BRACKET: Final = bytes(b for b in range(256) if b not in b"[]{}")


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
    result = dict(pairs)  # in C; a key seen twice leaves the dict shorter than the pairs
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return result


def _parse_int(text: str) -> int | float:
    # JCS works on IEEE doubles: a canonical "9007199254740992" was a double, read it back as one.
    value = int(text)
    return value if abs(value) <= _MAX_SAFE_INTEGER else float(value)


def nesting_depth_exceeds(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether ``data`` nests arrays/objects deeper than ``limit``, found iteratively.

    Escapes are cut out first (left to right, as JSON pairs them), so every quote left
    delimits a string; then all but quotes and brackets; then the strings (brackets inside
    them do not nest). Innermost empty pairs are removed once per level: more than
    ``limit`` rounds means deeper than ``limit``. Each step is one C-speed pass, and only
    the first two over all of ``data``.
    """
    unescaped = _ESCAPE.sub(b"", data) if b"\\" in data else data
    # Two quotes side by side are consecutive delimiters with no bracket between them: an
    # empty string, or two strings with nothing that nests between them. Dropping them
    # keeps the quotes alternating and leaves few strings for the regex.
    skeleton = unescaped.translate(None, _NOT_QUOTE_OR_BRACKET).replace(b'""', b"")
    brackets = _QUOTED.sub(b"", skeleton).translate(None, _NOT_BRACKET)
    for _ in range(limit):
        if not brackets:
            return False
        reduced = _EMPTY_PAIR.sub(b"", brackets)
        if reduced == brackets:
            return False  # unbalanced: not ours to judge, the parser refuses it
        brackets = reduced
    return bool(_EMPTY_PAIR.search(brackets))


def parse_json(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse strict JSON: UTF-8 without a byte-order mark, no NaN/Infinity, no duplicate
    keys (I-JSON, RFC 7493), nested at most ``max_depth`` levels.

    Duplicate keys are rejected because two parsers could read different values
    from the same signed bytes. Integers beyond 2**53 are read as doubles, as RFC 8785
    (and every JavaScript verifier) reads them.

    Raises:
        MalformedJSON: the input is not strict JSON, or is nested too deeply.
    """
    if isinstance(data, str):
        raw = data.encode("utf-8", "surrogatepass")
    else:
        raw = bytes(data)
        if raw.startswith(b"\xef\xbb\xbf"):
            raise MalformedJSON("malformed JSON: a byte-order mark is not allowed (RFC 8259)")
        try:
            data = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedJSON(f"malformed JSON: not UTF-8 ({exc.reason})") from None
    if nesting_depth_exceeds(raw, max_depth):
        raise MalformedJSON(f"malformed JSON: nested deeper than {max_depth} levels")
    try:
        return json.loads(
            data,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_reject_constant,
            parse_int=_parse_int,
        )
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedJSON(f"malformed JSON: {exc}") from exc
