"""Errors of the wage domain: payroll files, runs and the compliance rules.

InvalidRecord                       (ledger.errors)
├── PayrollInvalid       payroll_invalid        (.errors: every problem, by row and column)
└── WageRunInvalid       wage_run_invalid       (.problems) lines that are not one whole run
NotFound                            (ledger.errors)
└── RulesVersionUnknown  rules_version_unknown  (.version, .known)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from ledger.errors import InvalidRecord, NotFound

__all__ = ["PayrollError", "PayrollInvalid", "RulesVersionUnknown", "WageRunInvalid"]


class PayrollError(TypedDict):
    """One problem in a payroll file: the row (the header is row 1; None for the file as a
    whole), the column (None for the row as a whole) and what is wrong."""

    row: int | None
    column: str | None
    detail: str


class PayrollInvalid(InvalidRecord):
    """A payroll file that cannot be read as one pay run; ``errors`` lists every problem
    found (never only the first), in file order."""

    code = "payroll_invalid"
    title = "Payroll file invalid"

    def __init__(self, errors: Sequence[PayrollError], **data: Any) -> None:
        shown = list(errors)
        first = shown[0] if shown else None
        where = "" if first is None else _where(first)
        detail = f"{len(shown)} problem{'s' if len(shown) != 1 else ''} in the payroll file"
        if first is not None:
            detail += f", the first {where}: {first['detail']}"
        super().__init__(detail, errors=shown, **data)
        self.errors = shown


def _where(error: PayrollError) -> str:
    if error["row"] is None:
        return "in the file"
    if error["column"] is None:
        return f"at row {error['row']}"
    return f"at row {error['row']}, column {error['column']}"


class WageRunInvalid(InvalidRecord):
    """Lines handed to the run check that are not one whole run: different runs, a line
    number twice, a worker twice, or not as many lines as the run says."""

    code = "wage_run_invalid"
    title = "Not one whole pay run"

    def __init__(self, problems: Sequence[str]) -> None:
        shown = list(problems)
        super().__init__("; ".join(shown), problems=shown)
        self.problems = shown


class RulesVersionUnknown(NotFound):
    code = "rules_version_unknown"
    title = "Wage rules version unknown"

    def __init__(self, version: str, known: Sequence[str]) -> None:
        super().__init__(
            f"no wage rules version {version!r}; shipped: {', '.join(known)}",
            version=version,
            known=list(known),
        )
        self.version = version
        self.known = list(known)
