"""Payroll files: one CSV row per worker line of one pay run, read into ``wage/v1`` lines.

The header is required; its columns may come in any order (names matched without regard to
case or surrounding spaces), extra columns are ignored.
Required columns (an interface others rely on)::

    worker, period_start, period_end, currency, ordinary_hours, overtime_hours,
    rest_day_hours, ordinary_rate, overtime_rate, gross, deduction_tax, deduction_social,
    deduction_accommodation, deduction_food, deduction_loan, deduction_recruitment_fee,
    deduction_damage, deduction_other, net, paid_on, method

Optional columns this reader understands: ``rest_day_rate`` (without it the rest-day rate
is the overtime rate), ``pay_basis`` (hourly, daily, weekly, monthly, piece),
``damage_record`` (the record id, 0x + 64 hex, of the incident or finding showing the worker
responsible for a damage deduction), ``fees_repaid`` and ``fees_found`` (recruitment fees the
employer repays with this line, and what the worker paid in all).

Values: ``method`` and ``pay_basis`` in any case; dates ISO 8601 (2026-11-30); amounts and
hours decimal strings with a dot, no sign, no thousands separator, at most 4 places (``net``
alone may be negative: deductions larger than gross are a finding, not an unreadable file).
An empty deduction, ``overtime_hours`` or ``rest_day_hours`` cell is 0; an empty
``overtime_rate`` is allowed only with no overtime.

Hours are for the period. A period of 7 days or less is one week. A longer period is spread
over working days, one rest day in each full week: its weeks hold (period hours / working
days) x 6 each, rounded down to 0.01 hour, and the last, partial week the rest, so the weeks
sum to the period exactly. A weekly cap is then judged on that average week, which is the
same as judging the period's hours against the cap / 6 x working days (a 30-day month of 26
working days holds 208 hours under a 48-hour cap). A row cannot show one long week beside a
short one: give weekly rows to judge each week.

Bounds: at most 20,000,000 bytes, 100,000 rows, 200 columns and 10,000 commas in a line of
the file; a cell of at most 256 characters (extra columns are not read, but the CSV
tokenizer's own limit of 131,072 characters applies).
UTF-8 only; a leading byte-order mark is accepted and dropped (spreadsheets write one).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from pydantic import ValidationError

from ledger.errors import InvalidKey, SchemaViolation
from ledger.keys import VerifyKey

from .errors import PayrollError, PayrollInvalid
from .schema import PayBasis, PaymentMethod, RunRef, WageLinePayload, WeekHours

__all__ = [
    "DEDUCTION_COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "PayrollRow",
    "parse_payroll",
    "read_payroll",
    "spread_weeks",
    "to_lines",
]

MAX_BYTES = 20_000_000
MAX_ROWS = 100_000
MAX_CELL = 256
MAX_COLUMNS = 200
MAX_SEPARATORS = 10_000  # commas in one line of the file, checked before the CSV is split
MAX_ERRORS = 1_000  # listed one by one; past this, one more entry counts the rest

# CSV column -> the Deductions field it fills.
DEDUCTION_COLUMNS: dict[str, str] = {
    "deduction_tax": "tax",
    "deduction_social": "social_security",
    "deduction_accommodation": "accommodation",
    "deduction_food": "food",
    "deduction_loan": "loan_repayment",
    "deduction_recruitment_fee": "recruitment_fee",
    "deduction_damage": "damage",
    "deduction_other": "other",
}
REQUIRED_COLUMNS: tuple[str, ...] = (
    "worker", "period_start", "period_end", "currency", "ordinary_hours", "overtime_hours",
    "rest_day_hours", "ordinary_rate", "overtime_rate", "gross", *DEDUCTION_COLUMNS, "net",
    "paid_on", "method",
)  # fmt: skip
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "rest_day_rate", "pay_basis", "damage_record", "fees_repaid", "fees_found",
)  # fmt: skip

_KNOWN = frozenset((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS))
_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,11})(\.[0-9]{1,4})?")
_SIGNED = re.compile(r"-?(0|[1-9][0-9]{0,11})(\.[0-9]{1,4})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_RECORD = re.compile(r"0x[0-9a-f]{64}")
_COMMITMENT = re.compile(r"[0-9a-f]{64}")
_DID_KEY = re.compile(r"did:key:z[1-9A-HJ-NP-Za-km-z]+")
_HOUR = Decimal("0.01")
_RUN_NAMESPACE = uuid.UUID("0b6f3c2e-5d0a-4e7b-9f61-3a1d8c2b7e40")  # this module's, fixed


@dataclass(frozen=True, slots=True)
class PayrollRow:
    """One row of a payroll file, typed (the worker as written)."""

    row: int  # the header is row 1
    worker: str
    period_start: date
    period_end: date
    currency: str
    ordinary_hours: Decimal
    overtime_hours: Decimal
    rest_day_hours: Decimal
    ordinary_rate: Decimal
    overtime_rate: Decimal
    rest_day_rate: Decimal
    gross: Decimal
    deductions: dict[str, Decimal]  # Deductions field -> amount, zero amounts left out
    net: Decimal
    paid_on: date
    method: PaymentMethod
    pay_basis: PayBasis | None = None
    damage_record: str | None = None
    fees_repaid: Decimal | None = None
    fees_found: Decimal | None = None


@dataclass
class _Errors:
    found: list[PayrollError] = field(default_factory=list)
    more: int = 0

    def add(self, row: int | None, column: str | None, detail: str) -> None:
        if len(self.found) < MAX_ERRORS:
            self.found.append({"row": row, "column": column, "detail": detail})
        else:
            self.more += 1

    def raise_any(self) -> None:
        if self.found:
            errors = list(self.found)
            if self.more:
                errors.append(
                    {
                        "row": None,
                        "column": None,
                        "detail": f"and {self.more} more problems not listed",
                    }
                )
            raise PayrollInvalid(errors)


def _fatal(detail: str, row: int | None = None, column: str | None = None) -> PayrollInvalid:
    return PayrollInvalid([{"row": row, "column": column, "detail": detail}])


def _text_of(data: str | bytes) -> str:
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise _fatal(f"the file is larger than {MAX_BYTES:,} bytes")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fatal(f"the file is not UTF-8 (byte {exc.start} cannot be decoded)") from None
    else:
        text = data
        if len(text) > MAX_BYTES:
            raise _fatal(f"the file is larger than {MAX_BYTES:,} characters")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _fatal(
                f"the text is not UTF-8 (character {exc.start} cannot be encoded)"
            ) from None
    if "\x00" in text:
        raise _fatal("the file holds NUL characters: save it as UTF-8 text (not UTF-16)")
    return text.removeprefix("\ufeff")


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """The CSV's records with their row numbers, one at a time (the header is row 1; a blank
    line is a row, as in a spreadsheet, but holds nothing and is skipped).

    Raises:
        PayrollInvalid: the CSV cannot be tokenized (an unclosed quote, a huge cell), or a
            line or record is wider than the bounds.
    """
    # A line of 20 MB of commas would become a list of 20 million cells before the column
    # bound could see it: count separators first (commas in quoted cells count too).
    for number, physical in enumerate(io.StringIO(text, newline=""), start=1):
        if physical.count(",") > MAX_SEPARATORS:
            raise _fatal(f"a line with more than {MAX_SEPARATORS:,} commas", row=number)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if len(cells) > MAX_COLUMNS:
                raise _fatal(f"more than {MAX_COLUMNS} columns", row=number)
            if any(cell.strip() for cell in cells):
                yield number, cells
    except csv.Error as exc:
        raise _fatal(f"not readable as CSV: {exc}", row=number + 1) from None


def _header(number: int, cells: Sequence[str], errors: _Errors) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, raw in enumerate(cells):
        name = raw.strip().lower()
        if name in columns and name in _KNOWN:  # an extra column twice is nobody's business
            errors.add(number, name, "this column appears twice in the header")
        elif name and name not in columns:
            columns[name] = index
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            errors.add(number, name, "missing column")
    return columns


class _Row:
    """Reads the cells of one row, adding every problem to ``errors``."""

    def __init__(
        self, number: int, cells: Sequence[str], columns: dict[str, int], errors: _Errors
    ) -> None:
        self.number = number
        self.cells = cells
        self.columns = columns
        self.errors = errors
        self.bad = False
        self.failed: set[str | None] = set()

    def fail(self, column: str | None, detail: str) -> None:
        """Record a problem; one per cell (a cell too long is not also reported missing)."""
        self.bad = True
        if column not in self.failed:
            self.failed.add(column)
            self.errors.add(self.number, column, detail)

    def cell(self, column: str) -> str:
        index = self.columns.get(column)
        if index is None:
            return ""
        value = self.cells[index].strip()
        if len(value) > MAX_CELL:
            self.fail(column, f"longer than {MAX_CELL} characters")
            return ""
        return value

    def amount(self, column: str, *, blank: Decimal | None = None, signed: bool = False) -> Decimal:
        value = self.cell(column)
        if not value:
            if blank is None:
                self.fail(column, "required")
                return Decimal(0)
            return blank
        if not (_SIGNED if signed else _DECIMAL).fullmatch(value):
            self.fail(
                column,
                f"{value!r} is not a decimal like 1500.00 (a dot, "
                f"{'' if signed else 'no sign, '}no thousands separator, at most 4 places)",
            )
            return Decimal(0)
        return Decimal(value)

    def optional_amount(self, column: str) -> Decimal | None:
        return self.amount(column, blank=Decimal(0)) if self.cell(column) else None

    def day(self, column: str) -> date:
        value = self.cell(column)
        if not value:
            self.fail(column, "required")
            return date.min
        try:
            if not _DATE.fullmatch(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.fail(column, f"{value!r} is not an ISO 8601 date like 2026-11-30")
            return date.min

    def choice(
        self, column: str, kind: type[PaymentMethod] | type[PayBasis], *, required: bool
    ) -> Any:
        value = self.cell(column).lower()
        if not value:
            if required:
                self.fail(column, "required")
            return None
        try:
            return kind(value)
        except ValueError:
            self.fail(column, f"{value!r} is not one of {', '.join(m.value for m in kind)}")
            return None


def _read_row(
    number: int,
    cells: Sequence[str],
    width: int,
    columns: dict[str, int],
    errors: _Errors,
    any_worker: bool,
) -> PayrollRow | None:
    r = _Row(number, cells, columns, errors)
    if len(cells) != width:
        r.fail(None, f"has {len(cells)} cells, the header has {width}")
        return None
    worker = r.cell("worker")
    if not worker:
        r.fail("worker", "required")
    elif not any_worker and _worker(worker, any_worker=False) is None:
        r.fail(
            "worker",
            "a did:key or a 64-hex commitment (lowercase), never a name or a document number",
        )
    start, end = r.day("period_start"), r.day("period_end")
    currency = r.cell("currency")
    if not _CURRENCY.fullmatch(currency):
        r.fail("currency", f"{currency!r} is not an ISO 4217 code like MYR")
    ordinary = r.amount("ordinary_hours")
    overtime = r.amount("overtime_hours", blank=Decimal(0))
    rest_day = r.amount("rest_day_hours", blank=Decimal(0))
    ordinary_rate = r.amount("ordinary_rate")
    overtime_rate = r.amount("overtime_rate", blank=Decimal(-1))
    rest_day_rate = r.amount("rest_day_rate", blank=Decimal(-1))
    if overtime_rate < 0 and overtime > 0:
        r.fail("overtime_rate", "required with overtime hours")
    if rest_day_rate < 0:
        rest_day_rate = overtime_rate
    if rest_day_rate < 0 and rest_day > 0:
        r.fail("rest_day_rate", "rest-day hours need a rate: overtime_rate or rest_day_rate")
    deductions = {
        name: amount
        for column, name in DEDUCTION_COLUMNS.items()
        if (amount := r.amount(column, blank=Decimal(0))) > 0
    }
    gross = r.amount("gross")
    net = r.amount("net", signed=True)
    paid_on = r.day("paid_on")
    method = r.choice("method", PaymentMethod, required=True)
    pay_basis = r.choice("pay_basis", PayBasis, required=False)
    record = r.cell("damage_record") or None
    if record is not None and not _RECORD.fullmatch(record):
        r.fail("damage_record", "a record id is 0x and 64 lowercase hex digits")
    fees_repaid, fees_found = r.optional_amount("fees_repaid"), r.optional_amount("fees_found")
    if fees_repaid is not None and fees_found is None:
        r.fail("fees_repaid", "needs fees_found (what the worker paid the agent in all)")
    if start != date.min and end != date.min:
        days = (end - start).days + 1
        if days < 1:
            r.fail("period_end", "before period_start")
        elif days > 32:
            r.fail("period_end", "a pay period is at most a month")
        elif ordinary + overtime + rest_day > 24 * days:
            r.fail("ordinary_hours", f"more hours than {days} days have")
    if r.bad:
        return None
    return PayrollRow(
        row=number, worker=worker, period_start=start, period_end=end, currency=currency,
        ordinary_hours=ordinary, overtime_hours=overtime, rest_day_hours=rest_day,
        ordinary_rate=ordinary_rate, overtime_rate=max(overtime_rate, Decimal(0)),
        rest_day_rate=max(rest_day_rate, Decimal(0)), gross=gross, deductions=deductions,
        net=net, paid_on=paid_on, method=method, pay_basis=pay_basis, damage_record=record,
        fees_repaid=fees_repaid, fees_found=fees_found,
    )  # fmt: skip


def _one_run(rows: Sequence[PayrollRow], errors: _Errors) -> None:
    """One file is one run: one period, one currency, each worker once."""
    first = rows[0]
    seen: dict[str, int] = {}
    for row in rows:
        if (row.period_start, row.period_end) != (first.period_start, first.period_end):
            errors.add(
                row.row,
                "period_start",
                f"period {row.period_start} to {row.period_end} "
                f"differs from row {first.row}'s {first.period_start} to "
                f"{first.period_end}: one file is one pay run",
            )
        if row.currency != first.currency:
            errors.add(
                row.row,
                "currency",
                f"{row.currency} differs from row {first.row}'s "
                f"{first.currency}: one file is one pay run",
            )
        if row.worker in seen:
            errors.add(row.row, "worker", f"the same worker as row {seen[row.worker]}")
        else:
            seen[row.worker] = row.row


def read_payroll(data: str | bytes, *, any_worker: bool = False) -> list[PayrollRow]:
    """The rows of a payroll file, typed and checked as one run (see the module docstring).

    A worker must be a did:key or a 64-hex commitment; ``any_worker`` takes any text as
    given (for ``ledger wages check``, which signs nothing; see :func:`to_lines`).

    Raises:
        PayrollInvalid: with every problem found, by row and column.
    """
    records = _records(_text_of(data))
    first = next(records, None)
    if first is None:
        raise _fatal(
            "the file is empty: it needs a header row (" + ", ".join(REQUIRED_COLUMNS) + ")"
        )
    errors = _Errors()
    header_row, header = first
    columns = _header(header_row, header, errors)
    errors.raise_any()
    rows: list[PayrollRow] = []
    count = 0
    for number, cells in records:  # read as they come: the cells are not all kept
        count += 1
        if count > MAX_ROWS:
            raise _fatal(f"more than {MAX_ROWS:,} rows: split the run", row=number)
        row = _read_row(number, cells, len(header), columns, errors, any_worker)
        if row is not None:
            rows.append(row)
    if count == 0:
        errors.add(None, None, "the file has a header and no rows")
    elif rows:
        _one_run(rows, errors)
    errors.raise_any()
    return rows


def spread_weeks(
    start: date, end: date, ordinary: Decimal, overtime: Decimal, rest_day: Decimal
) -> list[WeekHours]:
    """A period's hours as weeks (see the module docstring): one week for a period of 7 days
    or less; else each full week (hours / working days) x 6, rounded down to 0.01 hour, and
    the last week the rest, where working days are the period's days less one per full week."""
    days = (end - start).days + 1
    if days <= 7:
        return [WeekHours(ordinary=ordinary, overtime=overtime, rest_day=rest_day)]
    full, remainder = divmod(days, 7)
    count = full + (1 if remainder else 0)
    working = days - full

    def week(total: Decimal) -> Decimal:
        return (total * 6 / working).quantize(_HOUR, rounding=ROUND_DOWN)

    each = [week(ordinary), week(overtime), week(rest_day)]
    weeks = [
        WeekHours(ordinary=each[0], overtime=each[1], rest_day=each[2]) for _ in range(count - 1)
    ]
    last = [total - each[i] * (count - 1) for i, total in enumerate((ordinary, overtime, rest_day))]
    weeks.append(WeekHours(ordinary=last[0], overtime=last[1], rest_day=last[2]))
    return weeks


def _is_did_key(raw: str) -> bool:
    if not _DID_KEY.fullmatch(raw):
        return False
    try:
        VerifyKey.from_did(raw)
    except InvalidKey:
        return False
    return True


def _worker(raw: str, any_worker: bool) -> dict[str, str] | None:
    if _is_did_key(raw):
        return {"did": raw}
    if _COMMITMENT.fullmatch(raw):
        return {"commitment": raw}
    if any_worker:
        # Taken as given for an offline check: the line names a digest of it, never the text.
        return {"commitment": hashlib.sha256(b"payroll-worker:" + raw.encode()).hexdigest()}
    return None


_COLUMN_OF = {
    "worker": "worker",
    "gross": "gross",
    "net": "net",
    "paid_on": "paid_on",
    "method": "method",
    "pay_basis": "pay_basis",
    "fees_repaid": "fees_repaid",
    "fees_found": "fees_found",
    "rates": "ordinary_rate",
    "weeks": "ordinary_hours",
    "deductions": "damage_record",
}


def _run_id(rows: Sequence[PayrollRow], facility: str, jurisdiction: str) -> str:
    """A run id derived from the rows: the same file names the same run."""
    digest = hashlib.sha256(repr((facility, jurisdiction)).encode())
    for row in rows:
        digest.update(repr(row).encode())
    return "urn:uuid:" + str(uuid.uuid5(_RUN_NAMESPACE, digest.hexdigest()))


def to_lines(
    rows: Sequence[PayrollRow],
    *,
    facility: str,
    country: str,
    run_id: str | None = None,
    any_worker: bool = False,
) -> list[WageLinePayload]:
    """``wage/v1`` lines of one run from ``rows``, numbered in file order.

    ``country`` is an ISO 3166-1 code, or a minimum-wage area within one (``IN-DL``,
    ``VN-I``), which becomes the run's ``area``. A worker must be a did:key or a 64-hex
    commitment; with ``any_worker`` any other text is taken as given and named by its
    SHA-256 (for ``ledger wages check``, which signs nothing).

    Raises:
        SchemaViolation: ``facility``, ``country`` or ``run_id`` is malformed.
        PayrollInvalid: a worker is neither a did:key nor a commitment, or a row makes no
            valid line; every such problem, by row and column.
    """
    code, _, rest = country.partition("-")
    area = country if rest else None
    run = {
        "id": run_id or _run_id(rows, facility, country),
        "facility": facility,
        "country": code,
        "period_start": rows[0].period_start if rows else date.min,
        "period_end": rows[0].period_end if rows else date.min,
        "currency": rows[0].currency if rows else "XXX",
        "lines": max(len(rows), 1),
        "area": area,
    }
    _check_run_arguments(run)
    shared = RunRef.model_validate(run)  # one instance for every line: validated once
    errors = _Errors()
    lines: list[WageLinePayload] = []
    for number, row in enumerate(rows, start=1):
        worker = _worker(row.worker, any_worker)
        if worker is None:
            errors.add(
                row.row,
                "worker",
                "a did:key or a 64-hex commitment (lowercase), never a name or a document number",
            )
            continue
        try:
            lines.append(WageLinePayload.model_validate(_payload(row, number, shared, worker)))
        except ValidationError as exc:
            for problem in exc.errors():
                loc = [str(part) for part in problem["loc"]]
                column = _COLUMN_OF.get(loc[0]) if loc else None
                errors.add(row.row, column, f"{'.'.join(loc)}: {problem['msg']}")
    errors.raise_any()
    return lines


def _check_run_arguments(run: dict[str, Any]) -> None:
    probe = {
        **run,
        "period_start": date(2000, 1, 1),
        "period_end": date(2000, 1, 1),
        "currency": "XXX",
    }
    try:
        RunRef.model_validate(probe)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "country"
        shown = {"id": "run_id", "area": "country"}.get(name, name)
        raise SchemaViolation(f"{shown}: {first['msg']}", field=shown) from None


def _payload(row: PayrollRow, number: int, run: RunRef, worker: dict[str, str]) -> dict[str, Any]:
    deductions: dict[str, Any] = {}
    for name, amount in row.deductions.items():
        deduction: dict[str, Any] = {
            "amount": amount,
            "reason": name.replace("_", " ") + " (payroll file)",
        }
        if name == "damage" and row.damage_record is not None:
            deduction["record"] = row.damage_record
        deductions[name] = deduction
    return {
        "schema": "wage/v1",
        "run": run,
        "line": number,
        "worker": worker,
        "rates": {
            "ordinary": row.ordinary_rate,
            "overtime": row.overtime_rate,
            "rest_day": row.rest_day_rate,
        },
        "weeks": spread_weeks(
            row.period_start,
            row.period_end,
            row.ordinary_hours,
            row.overtime_hours,
            row.rest_day_hours,
        ),
        "gross": row.gross,
        "deductions": deductions,
        "net": row.net,
        "paid_on": row.paid_on,
        "method": row.method,
        "pay_basis": row.pay_basis,
        "fees_repaid": row.fees_repaid,
        "fees_found": row.fees_found,
    }


def parse_payroll(
    data: str | bytes, *, facility: str, country: str, run_id: str | None = None
) -> list[WageLinePayload]:
    """A payroll file as the ``wage/v1`` lines of one run (see the module docstring).

    Raises:
        PayrollInvalid: (code ``payroll_invalid``) with every problem, by row and column.
        SchemaViolation: ``facility``, ``country`` or ``run_id`` is malformed.
    """
    return to_lines(read_payroll(data), facility=facility, country=country, run_id=run_id)
