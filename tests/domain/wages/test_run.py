"""``check_run``: one whole run only; per-line results, the run's totals, caveats once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from api.problems import problem_body, status_of
from domain.wages.engine import check_run, load_rules
from domain.wages.errors import PayrollInvalid, WageRunInvalid
from domain.wages.payroll_csv import parse_payroll
from tests.domain.wages.helpers import COMPLIANT, build

RULES = load_rules("2026.1")
REPO = Path(__file__).resolve().parents[3]


def run_of(count: int, **changes: object) -> list:  # type: ignore[type-arg]
    base = COMPLIANT["MY"].but(lines=count)
    return [build(base.but(line=n, worker=f"{n:064x}", **changes)) for n in range(1, count + 1)]


def test_the_example_payroll_is_a_compliant_run() -> None:
    lines = parse_payroll((REPO / "examples" / "payroll.csv").read_bytes(),
                          facility="fac-my-penang-pcb-03", country="MY")  # fmt: skip
    report = check_run(lines, RULES)
    assert report.violations == ()
    assert report.compliant_lines == len(report.lines) == 10
    assert report.caveats == ()
    assert report.rules_version == "2026.1" and report.jurisdiction == "MY"
    totals = report.totals
    assert totals.workers == 10
    assert totals.gross == sum((line.gross for line in lines), Decimal(0))
    assert totals.gross - totals.deductions == totals.net
    assert report.to_dict()["run"]["facility"] == "fac-my-penang-pcb-03"


def test_per_line_results_and_counts_by_rule() -> None:
    lines = run_of(3)
    lines[1] = build(COMPLIANT["MY"].but(lines=3, line=2, worker=f"{2:064x}",
                                         rates=("8.00", "12.00", "16.00")))  # fmt: skip
    report = check_run(lines, RULES)
    assert [r.compliant for r in report.lines] == [True, False, True]
    assert report.by_rule["minimum-wage"] == 1
    assert sum(report.by_rule.values()) == 1
    assert [v.line for v in report.violations] == [2]


def test_caveats_are_listed_once_for_the_run() -> None:
    report = check_run(run_of(4, pay_basis=None), RULES)
    assert [c.rule for c in report.caveats] == ["late-payment"]
    assert all(len(r.caveats) == 1 for r in report.lines)


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (lambda: [], "at least one line"),
        (lambda: run_of(3)[:2], "the run names 3 lines"),
        (lambda: [*run_of(2)[:1], build(COMPLIANT["MY"].but(lines=2, line=1, worker="ff" * 32))],
         "line number 1 appears twice"),
        (lambda: [*run_of(2)[:1], build(COMPLIANT["MY"].but(lines=2, line=2, worker=f"{1:064x}"))],
         "worker of line 2 is also on line 1"),
        (lambda: [*run_of(2)[:1], build(COMPLIANT["MY"].but(
            lines=2, line=2, worker="ee" * 32, run_id="urn:uuid:00000000-0000-4000-8000-000000000002"))],
         "belongs to another run"),
    ],
)  # fmt: skip
def test_lines_that_are_not_one_whole_run_are_refused(lines, problem: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WageRunInvalid) as caught:
        check_run(lines(), RULES)
    assert caught.value.code == "wage_run_invalid"
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_payroll_errors_become_problem_details_with_every_error() -> None:
    error = PayrollInvalid([{"row": 3, "column": "gross", "detail": "required"},
                            {"row": 5, "column": None, "detail": "has 2 cells"}])  # fmt: skip
    assert status_of(error) == 422
    body = problem_body(error, "/v1/wages")
    assert body["code"] == "payroll_invalid"
    assert body["errors"] == error.errors
    assert (
        body["detail"]
        == "2 problems in the payroll file, the first at row 3, column gross: required"
    )
