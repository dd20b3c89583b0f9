"""The payroll CSV: what it reads, and every way a file is refused (every problem at once,
by row and column, changing nothing)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.wages.engine import check_run, load_rules
from domain.wages.errors import PayrollInvalid
from domain.wages.payroll_csv import (
    MAX_BYTES,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    parse_payroll,
    read_payroll,
    spread_weeks,
    to_lines,
)
from ledger.errors import InvalidRecord, SchemaViolation

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = (REPO / "examples" / "payroll.csv").read_bytes()
FACILITY = "fac-my-penang-pcb-03"
HEADER = ",".join(REQUIRED_COLUMNS)
GOOD = {
    "worker": "ab" * 32, "period_start": "2026-11-02", "period_end": "2026-11-08",
    "currency": "MYR", "ordinary_hours": "45", "overtime_hours": "5", "rest_day_hours": "0",
    "ordinary_rate": "9.00", "overtime_rate": "13.50", "gross": "472.50",
    "deduction_tax": "0", "deduction_social": "9.45", "deduction_accommodation": "",
    "deduction_food": "", "deduction_loan": "", "deduction_recruitment_fee": "",
    "deduction_damage": "", "deduction_other": "", "net": "463.05", "paid_on": "2026-11-12",
    "method": "bank",
}  # fmt: skip


def payroll(*rows: dict[str, str], extra: tuple[str, ...] = ()) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, [*REQUIRED_COLUMNS, *extra], lineterminator="\n")
    writer.writeheader()
    for number, row in enumerate(rows):
        writer.writerow(
            {
                "worker": f"{number + 1:064x}",
                **{k: v for k, v in GOOD.items() if k != "worker"},
                **row,
            }
        )
    return out.getvalue()


def errors_of(data: str | bytes, **kwargs: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(PayrollInvalid) as caught:
        parse_payroll(data, facility=FACILITY, country=kwargs.get("country", "MY"))
    assert caught.value.code == "payroll_invalid"
    assert isinstance(caught.value, InvalidRecord)
    assert caught.value.to_dict()["errors"] == caught.value.errors
    return [(e["row"], e["column"], e["detail"]) for e in caught.value.errors]


def test_the_example_reads_as_one_run_of_ten_lines() -> None:
    lines = parse_payroll(EXAMPLE, facility=FACILITY, country="MY")
    assert len(lines) == 10
    run = lines[0].run
    assert {line.run for line in lines} == {run}
    assert (run.facility, run.country, run.area, run.currency, run.lines) == (
        FACILITY,
        "MY",
        None,
        "MYR",
        10,
    )
    assert (run.period_start, run.period_end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert [line.line for line in lines] == list(range(1, 11))
    assert lines[0].worker.did is not None and lines[4].worker.commitment is not None
    first = lines[0]
    assert (first.gross, first.net, first.pay_basis) == (
        Decimal("2422.50"),
        Decimal("2274.05"),
        "monthly",
    )
    assert (
        first.rates.rest_day == first.rates.overtime
    )  # no rest_day_rate column: the overtime rate
    assert first.deductions.social_security is not None and first.deductions.tax is None
    # The lines round-trip as wage/v1 JSON (what the lead's record kind signs).
    for line in lines:
        assert type(line).model_validate_json(line.model_dump_json(by_alias=True)) == line


def test_the_run_id_is_derived_from_the_file_unless_given() -> None:
    one = parse_payroll(EXAMPLE, facility=FACILITY, country="MY")[0].run.id
    assert one == parse_payroll(EXAMPLE, facility=FACILITY, country="MY")[0].run.id
    other = EXAMPLE.replace(b"2274.05", b"2274.06")
    assert parse_payroll(other, facility=FACILITY, country="MY")[0].run.id != one
    given = "urn:uuid:12345678-1234-4234-8234-123456789abc"
    assert parse_payroll(EXAMPLE, facility=FACILITY, country="MY", run_id=given)[0].run.id == given


def test_an_area_becomes_the_runs_area() -> None:
    data = payroll({"currency": "INR"})
    line = parse_payroll(data, facility=FACILITY, country="IN-DL")[0]
    assert (line.run.country, line.run.area) == ("IN", "IN-DL")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"country": "XX"}, "country"), ({"country": "IN-D L"}, "country"),
     ({"country": "MY", "facility": "no spaces allowed"}, "facility"),
     ({"country": "MY", "run_id": "run-1"}, "run_id")],
)  # fmt: skip
def test_bad_arguments_are_refused(kwargs: dict[str, str], field: str) -> None:
    arguments = {"facility": FACILITY, **kwargs}
    with pytest.raises(SchemaViolation) as caught:
        parse_payroll(payroll({}), **arguments)
    assert caught.value.field == field


def test_every_error_is_reported_by_row_and_column() -> None:
    data = payroll(
        {},
        {"gross": "1,500.00", "paid_on": "12/11/2026"},
        {"ordinary_hours": "", "method": "card"},
        {"net": "abc", "currency": "myr"},
        {"overtime_rate": "", "overtime_hours": "3"},
    )
    assert errors_of(data) == [
        (3, "gross", "'1,500.00' is not a decimal like 1500.00 (a dot, no sign, no thousands "
                     "separator, at most 4 places)"),
        (3, "paid_on", "'12/11/2026' is not an ISO 8601 date like 2026-11-30"),
        (4, "ordinary_hours", "required"),
        (4, "method", "'card' is not one of bank, cash, mobile-money, cheque"),
        (5, "currency", "'myr' is not an ISO 4217 code like MYR"),
        (5, "net", "'abc' is not a decimal like 1500.00 (a dot, no thousands separator, at most 4 places)"),
        (6, "overtime_rate", "required with overtime hours"),
    ]  # fmt: skip


def test_missing_columns_are_all_named() -> None:
    header = [c for c in REQUIRED_COLUMNS if c not in ("gross", "net", "paid_on")]
    data = ",".join(header) + "\n" + ",".join("1" for _ in header) + "\n"
    assert errors_of(data) == [(1, "gross", "missing column"), (1, "net", "missing column"),
                               (1, "paid_on", "missing column")]  # fmt: skip


def test_a_column_twice_is_refused_unless_it_is_an_extra_one() -> None:
    data = HEADER + ",gross\n"
    assert errors_of(data) == [(1, "gross", "this column appears twice in the header")]
    extra = payroll({}, extra=("note",)).replace(",note\n", ",note,NOTE\n", 1)
    lines = extra.splitlines()
    lines[1] += ",x"
    assert len(parse_payroll("\n".join(lines), facility=FACILITY, country="MY")) == 1


def test_header_names_and_choices_are_matched_without_case() -> None:
    data = payroll({"method": "Mobile-Money"}).replace(
        "worker,period_start", " Worker ,PERIOD_START", 1
    )
    line = parse_payroll(data, facility=FACILITY, country="MY")[0]
    assert line.method == "mobile-money"


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "26-11-01", "2026-11-1", "tomorrow"])
def test_bad_dates(value: str) -> None:
    found = errors_of(payroll({"period_start": value}))
    assert found[0][:2] == (2, "period_start")


def test_periods_that_cannot_be_a_pay_period() -> None:
    assert errors_of(payroll({"period_end": "2026-11-01"})) == [
        (2, "period_end", "before period_start")
    ]
    assert errors_of(payroll({"period_end": "2026-12-05"})) == [
        (2, "period_end", "a pay period is at most a month")
    ]
    assert errors_of(payroll({"ordinary_hours": "170"})) == [
        (2, "ordinary_hours", "more hours than 7 days have")
    ]


def test_one_file_is_one_run() -> None:
    data = payroll({}, {"period_start": "2026-11-01"}, {"currency": "SGD"}, {"worker": f"{1:064x}"})
    found = errors_of(data)
    assert [(row, column) for row, column, _ in found] == [
        (3, "period_start"),
        (4, "currency"),
        (5, "worker"),
    ]
    assert "differs from row 2's 2026-11-02 to 2026-11-08: one file is one pay run" in found[0][2]
    assert found[2][2] == "the same worker as row 2"


def test_workers_are_did_keys_or_commitments_unless_taken_as_given() -> None:
    data = payroll({"worker": "Siti Aminah"}, {"worker": "did:key:z6Mkbad"})
    found = errors_of(data)
    assert [(row, column) for row, column, _ in found] == [(2, "worker"), (3, "worker")]
    assert "never a name or a document number" in found[0][2]
    rows = read_payroll(
        payroll({"worker": "EMP-0042"}, {"worker": "did:key:z6Mkbad"}), any_worker=True
    )
    line = to_lines(rows, facility=FACILITY, country="MY", any_worker=True)[0]
    assert line.worker.commitment is not None and "EMP" not in line.model_dump_json()
    with pytest.raises(PayrollInvalid) as caught:  # rows read loosely are still refused strictly
        to_lines(rows, facility=FACILITY, country="MY")
    assert [(e["row"], e["column"]) for e in caught.value.errors] == [(2, "worker"), (3, "worker")]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", [(None, None, "the file is empty: it needs a header row (" + ", ".join(REQUIRED_COLUMNS) + ")")]),
        (b"\n\n  \n", [(None, None, "the file is empty: it needs a header row (" + ", ".join(REQUIRED_COLUMNS) + ")")]),
        ((HEADER + "\n").encode(), [(None, None, "the file has a header and no rows")]),
        ("worker,gross\né".encode("latin-1"), [(None, None, "the file is not UTF-8 (byte 13 cannot be decoded)")]),
    ],
)  # fmt: skip
def test_empty_and_undecodable_files(data: bytes, expected: list[tuple[None, None, str]]) -> None:
    assert errors_of(data) == expected


def test_a_byte_order_mark_is_accepted_and_dropped() -> None:
    with_bom = parse_payroll(b"\xef\xbb\xbf" + EXAMPLE, facility=FACILITY, country="MY")
    assert with_bom == parse_payroll(EXAMPLE, facility=FACILITY, country="MY")
    assert parse_payroll("\ufeff" + EXAMPLE.decode(), facility=FACILITY, country="MY") == with_bom


def test_text_that_is_not_utf8_is_refused() -> None:
    at = len(HEADER) + 1
    assert errors_of(HEADER + "\n\udcff") == [
        (None, None, f"the text is not UTF-8 (character {at} cannot be encoded)")
    ]


def test_a_file_over_20_mb_is_refused_before_it_is_read() -> None:
    data = EXAMPLE + b" " * (MAX_BYTES - len(EXAMPLE) + 1)
    assert errors_of(data) == [(None, None, f"the file is larger than {MAX_BYTES:,} bytes")]


def test_more_than_100000_rows_are_refused() -> None:
    row = ",".join(GOOD[c] for c in REQUIRED_COLUMNS)
    data = HEADER + "\n" + (row + "\n") * (MAX_ROWS + 1)
    assert len(data) < MAX_BYTES
    assert errors_of(data) == [(MAX_ROWS + 2, None, "more than 100,000 rows: split the run")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEADER + '\n"unclosed,' + "1," * 20 + "\n", "not readable as CSV: unexpected end of data"),
    ],
)
def test_csv_that_cannot_be_tokenized(text: str, expected: str) -> None:
    assert errors_of(text) == [(2, None, expected)]


def test_nul_characters_are_refused() -> None:
    # A UTF-16 export of ASCII text decodes as UTF-8, with a NUL after every character.
    utf16 = (HEADER + "\n").encode("utf-16-le")
    expected = [(None, None, "the file holds NUL characters: save it as UTF-8 text (not UTF-16)")]
    assert errors_of(utf16) == expected
    assert errors_of(HEADER + "\nab\x00cd\n") == expected


def test_rows_with_the_wrong_number_of_cells() -> None:
    row = ",".join(GOOD[c] for c in REQUIRED_COLUMNS)
    found = errors_of(HEADER + "\n" + row + ",extra\n" + row.rsplit(",", 1)[0] + "\n")
    assert found == [
        (2, None, "has 22 cells, the header has 21"),
        (3, None, "has 20 cells, the header has 21"),
    ]


def test_cells_are_bounded() -> None:
    assert errors_of(payroll({"worker": "a" * 257})) == [
        (2, "worker", "longer than 256 characters")
    ]


def test_amounts_have_no_sign_except_net() -> None:
    assert errors_of(payroll({"gross": "-472.50"}))[0][:2] == (2, "gross")
    assert errors_of(payroll({"ordinary_hours": "45.12345"}))[0][:2] == (2, "ordinary_hours")
    line = parse_payroll(payroll({"net": "-10.00"}), facility=FACILITY, country="MY")[0]
    assert line.net == Decimal(
        "-10.00"
    )  # deductions above gross: a finding, not an unreadable file


def test_the_error_list_is_bounded_and_says_how_many_were_left_out() -> None:
    data = payroll(*({"gross": "x", "net": "y"} for _ in range(600)))
    with pytest.raises(PayrollInvalid) as caught:
        parse_payroll(data, facility=FACILITY, country="MY")
    errors = caught.value.errors
    assert len(errors) == 1001
    assert errors[-1] == {"row": None, "column": None, "detail": "and 200 more problems not listed"}


def test_optional_columns() -> None:
    extra = ("rest_day_rate", "pay_basis", "damage_record", "fees_repaid", "fees_found", "notes")
    data = payroll({"rest_day_hours": "8", "rest_day_rate": "18.00", "pay_basis": "Weekly",
                    "deduction_damage": "5.00", "damage_record": "0x" + "ab" * 32,
                    "fees_repaid": "100.00", "fees_found": "1200.00", "notes": "anything"},
                   extra=extra)  # fmt: skip
    line = parse_payroll(data, facility=FACILITY, country="MY")[0]
    assert (line.rates.rest_day, line.pay_basis) == (Decimal("18.00"), "weekly")
    assert line.deductions.damage is not None and line.deductions.damage.record == "0x" + "ab" * 32
    assert (line.fees_repaid, line.fees_found) == (Decimal("100.00"), Decimal("1200.00"))
    bad = payroll({"damage_record": "0x12", "pay_basis": "yearly", "fees_repaid": "5"}, extra=extra)
    assert [(r, c) for r, c, _ in errors_of(bad)] == [
        (2, "pay_basis"),
        (2, "damage_record"),
        (2, "fees_repaid"),
    ]
    assert errors_of(bad)[2][2] == "needs fees_found (what the worker paid the agent in all)"


def test_rest_day_hours_need_a_rate() -> None:
    data = payroll({"rest_day_hours": "8", "overtime_rate": "", "overtime_hours": "0"})
    assert errors_of(data) == [
        (2, "rest_day_rate", "rest-day hours need a rate: overtime_rate or rest_day_rate")
    ]


@pytest.mark.parametrize(
    ("start", "end", "hours", "weeks"),
    [
        (date(2026, 11, 2), date(2026, 11, 8), "50", ["50"]),
        (date(2026, 11, 1), date(2026, 11, 3), "20", ["20"]),
        # 30 days: 26 working days; 208 hours are 48 a week, the last 2 days hold 16.
        (date(2026, 11, 1), date(2026, 11, 30), "208", ["48.00", "48.00", "48.00", "48.00", "16.00"]),
        (date(2026, 12, 1), date(2026, 12, 31), "216", ["48.00", "48.00", "48.00", "48.00", "24.00"]),
        (date(2026, 2, 1), date(2026, 2, 28), "192", ["48.00", "48.00", "48.00", "48.00"]),
        (date(2026, 11, 1), date(2026, 11, 14), "90", ["45.00", "45.00"]),
        # rounded down to 0.01 h; the last week takes the rest
        (date(2026, 11, 1), date(2026, 11, 30), "209", ["48.23", "48.23", "48.23", "48.23", "16.08"]),
    ],
)  # fmt: skip
def test_spreading_a_period_over_weeks(
    start: date, end: date, hours: str, weeks: list[str]
) -> None:
    spread = spread_weeks(start, end, Decimal(hours), Decimal(0), Decimal(0))
    assert [str(w.ordinary) for w in spread] == weeks


# --- fuzz: bad input gets PayrollInvalid, never another exception ------------------------

EXAMPLE_ROWS = EXAMPLE.decode().splitlines()
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "-1", "0", "1e3", "9.99999", "2026-02-29", "2026-11-31", "did:key:z",
                     "NaN", "Infinity", "1_000", " 12 ", "\ufeff", '"', "0x" + "0" * 64]),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 10), st.integers(0, 21), CELL), min_size=1, max_size=6))
def test_any_mutated_example_is_read_or_refused_cleanly(
    changes: list[tuple[int, int, str]],
) -> None:
    rows = [line.split(",") for line in EXAMPLE_ROWS]
    for row, column, value in changes:
        rows[row][column] = value.replace(",", ";").replace("\n", " ").replace("\r", " ")
    text = "\n".join(",".join(cells) for cells in rows) + "\n"
    lines = _read_or_refuse(text)
    if lines is not None:
        check_run(lines, load_rules())  # a file that reads is always checkable


def _read_or_refuse(data: str | bytes) -> list | None:  # type: ignore[type-arg]
    """The lines, or None when refused with well-formed errors; anything else raises."""
    try:
        return parse_payroll(data, facility=FACILITY, country="MY")
    except PayrollInvalid as exc:
        errors = exc.errors
    assert errors and all(set(e) == {"row", "column", "detail"} for e in errors)
    return None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_cleanly(data: bytes) -> None:
    _read_or_refuse((HEADER + "\n").encode() + data)
