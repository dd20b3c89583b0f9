"""RFC 8785 (JCS): the published examples, and properties that must hold for any value."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.canonical import MAX_DEPTH, canonicalize, nesting_depth_exceeds, parse_json
from ledger.errors import InvalidRecord, MalformedJSON

# RFC 8785 section 3.2.2 / appendix B examples.
RFC_EXAMPLES = [
    (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}',
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    ),
    # Appendix B number serialisations.
    ("[0]", "[0]"),
    ("[-0]", "[0]"),
    ("[1e21]", "[1e+21]"),
    ("[1e20]", "[100000000000000000000]"),
    ("[9007199254740991]", "[9007199254740991]"),
    ("[0.000001]", "[0.000001]"),
    ("[1e-7]", "[1e-7]"),
    ("[2.9514790517935283e20]", "[295147905179352830000]"),
]


@pytest.mark.parametrize(("source", "expected"), RFC_EXAMPLES)
def test_rfc8785_examples(source: str, expected: str) -> None:
    assert canonicalize(json.loads(source)) == expected.encode("utf-8")


def test_rfc8785_property_sorting_by_utf16_code_units() -> None:
    # RFC 8785 3.2.3: keys sort by UTF-16 code units, not by code points.
    value = {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
             "1": "One", "\U0001f600": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}  # fmt: skip
    keys = list(json.loads(canonicalize(value)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5),
    max_leaves=25,
)  # fmt: skip


@given(json_values)
def test_round_trip_and_idempotence(value: object) -> None:
    once = canonicalize(value)
    assert canonicalize(parse_json(once)) == once


@given(st.dictionaries(st.text(), st.integers(-(2**53) + 1, 2**53 - 1), max_size=8), st.randoms())
def test_key_order_and_whitespace_never_change_the_bytes(value: dict[str, int], rnd) -> None:  # type: ignore[no-untyped-def]
    items = list(value.items())
    rnd.shuffle(items)
    pretty = json.dumps(dict(items), indent=rnd.choice([None, 1, 4]), separators=(", ", " : "))
    assert canonicalize(json.loads(pretty)) == canonicalize(value)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 2**60, {1: "non-string key"}])
def test_values_outside_ijson_are_refused(bad: object) -> None:
    with pytest.raises(InvalidRecord):
        canonicalize([bad])


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1,"a":2}', "[NaN]", "{", '{"a": Infinity}', b"\xff",
        b"\xef\xbb\xbf{}",  # a byte-order mark
        '{"a":1}'.encode("utf-16"), '{"a":1}'.encode("utf-32"),  # json.loads would guess these
    ],
)  # fmt: skip
def test_parse_json_is_strict(text: str | bytes) -> None:
    with pytest.raises(MalformedJSON):
        parse_json(text)


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_nesting_is_limited_before_parsing(opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    assert parse_json(opener * MAX_DEPTH + "1" + closer * MAX_DEPTH) is not None
    for depth in (MAX_DEPTH + 1, 80_000):
        with pytest.raises(MalformedJSON, match="nested deeper"):
            parse_json(opener * depth + "1" + closer * depth)


def test_brackets_inside_strings_do_not_nest() -> None:
    deep_text = '"' + "[" * 1000 + '\\"{' * 500 + '"'
    assert parse_json("[" + deep_text + "]") == [json.loads(deep_text)]
    assert not nesting_depth_exceeds(b'{"a":"[[[[","b":[["]]]]"]]}', limit=3)
    assert nesting_depth_exceeds(b'{"a":"[[[[","b":[["]]]]"]]}', limit=2)
    assert nesting_depth_exceeds(b'{"a":"x","b":[[[1]]]}', limit=3)


def test_deep_json_cannot_crash_the_interpreter() -> None:
    """py_ecc raises the recursion limit to 100,000, so without the depth check json's C
    parser overflows the stack (SIGSEGV) instead of raising: run it where a crash shows."""
    import subprocess
    import sys

    probe = (
        "import sys, py_ecc  # what the embedded EVM imports\n"
        "assert sys.getrecursionlimit() >= 100_000, sys.getrecursionlimit()\n"
        "from ledger.canonical import parse_json\n"
        "from ledger.errors import MalformedJSON\n"
        "try:\n    parse_json(b'[' * 200_000 + b']' * 200_000)\n"
        "except MalformedJSON:\n    print('refused')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "refused"), done.stderr


# The fast path must be byte-identical to the reference implementation on everything it takes.
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)))


def json_values(scalars: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """Lists and objects (any text as keys) nesting ``scalars``."""
    return st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=5) | st.dictionaries(any_text, children, max_size=5),
        max_leaves=30,
    )  # fmt: skip


fast_values = json_values(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | any_text
)


@settings(max_examples=500)
@given(fast_values)
def test_fast_path_matches_rfc8785(value: object) -> None:
    import rfc8785

    assert canonicalize(value) == rfc8785.dumps(value)


def depth_of(value: object) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    return 0


# Strings full of what the depth check must see through: brackets, quotes, backslashes.
tricky_text = st.text(alphabet=st.sampled_from('[]{}"\\/ua\u00e9\n'), max_size=8) | any_text


@settings(max_examples=500)
@given(json_values(st.none() | st.integers() | tricky_text), st.booleans())
def test_nesting_depth_is_the_parsed_depth(value: object, ascii_only: bool) -> None:
    data = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    depth = depth_of(value)
    for limit in {max(depth - 1, 0), depth, depth + 1}:
        assert nesting_depth_exceeds(data, limit) == (depth > limit), (data, limit)


def test_keys_beyond_the_bmp_sort_by_utf16_even_with_control_characters() -> None:
    import rfc8785

    value = {
        "\U0001f600": 1,
        "\ufb33": 2,
        "\x07": "\x1f\x7f\u2028",
        "a": [True, None, -(2**53) + 1],
    }
    assert canonicalize(value) == rfc8785.dumps(value)


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1,"a":1}', '{"a":{"b":1},"a":{"b":1}}', '[{"k":":","k":":"}]',
        '{"a":"x:y","b":{"c":{"d":1,"d":2}}}', '{"":0,"":0}',
    ],
)  # fmt: skip
def test_duplicate_keys_are_found_however_they_hide(text: str) -> None:
    with pytest.raises(MalformedJSON, match="duplicate key"):
        parse_json(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9007199254740993", 9007199254740992.0),  # beyond 2**53: a double, as JCS reads it
        ("-9007199254740993", -9007199254740992.0),
        ("18446744073709551617", 18446744073709551616.0),
        ("[1.5, 1e2, -0]", [1.5, 100.0, 0]),
        ('{"a:b": "c:d"}', {"a:b": "c:d"}),
    ],
)
def test_numbers_are_read_as_jcs_reads_them(text: str, expected: object) -> None:
    got = parse_json(text)
    assert got == expected and repr(got) == repr(expected)


floaty_values = json_values(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | any_text
)


@settings(max_examples=800)
@given(floaty_values)
def test_canonicalize_is_rfc8785_or_refuses_like_it(value: object) -> None:
    """Every float, unsafe integer, NaN (orjson would write null) and UTF-16-ordered key
    must leave the orjson path for rfc8785, which formats or refuses it."""
    import rfc8785

    try:
        expected: object = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError):
        expected = "refused"
    try:
        got: object = canonicalize(value)
    except InvalidRecord:
        got = "refused"
    assert got == expected
