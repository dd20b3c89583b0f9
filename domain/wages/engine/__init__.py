"""The wage-compliance engine: pure functions from payroll lines and wage rules to findings.

No database, no HTTP, no clock: the same lines and the same rules version give the same
report anywhere. Amounts are Decimal throughout; rounding is ROUND_HALF_UP to the
currency's minor unit, in the places :mod:`.money` lists.

    rules = load_rules()                       # the newest shipped version
    violations = check_line(line, rules)       # list[Violation]
    report = check_run(lines, rules)           # every line, the run's facts, the caveats

Rule ids (``RULE_IDS``) are an interface: ``minimum-wage``, ``overtime-premium``,
``hours-cap``, ``rest-day``, ``late-payment``, ``recruitment-fee``, ``unrecorded-damage``,
``arithmetic``, ``negative-net``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal, localcontext

from ..errors import RulesVersionUnknown, WageRunInvalid
from ..schema import WageLinePayload
from .checks import CHECKS, Findings, facts_of
from .money import CONTEXT, convert, hourly_minimum, round_money
from .report import RULE_IDS, Caveat, LineReport, RuleId, RunReport, RunTotals, Violation
from .rules import RuleSet, load_rules, rules_versions

__all__ = [
    "RULE_IDS",
    "Caveat",
    "LineReport",
    "RuleId",
    "RuleSet",
    "RulesVersionUnknown",
    "RunReport",
    "RunTotals",
    "Violation",
    "assess_line",
    "check_line",
    "check_run",
    "convert",
    "hourly_minimum",
    "load_rules",
    "round_money",
    "rules_versions",
]

_MAX_PROBLEMS = 20  # a malformed run's error names this many problems, then counts the rest


def assess_line(line: WageLinePayload, rules: RuleSet) -> LineReport:
    """Every rule over one line: its violations (in rule order) and caveats."""
    with localcontext(CONTEXT):
        facts = facts_of(line, rules)
        findings = Findings(facts)
        for check in CHECKS:
            check(facts, findings)
    return LineReport(
        line=line.line,
        worker=line.worker.id,
        violations=tuple(findings.violations),
        caveats=tuple(findings.caveats),
    )


def check_line(line: WageLinePayload, rules: RuleSet) -> list[Violation]:
    """The violations of one payroll line under ``rules`` (none: compliant)."""
    return list(assess_line(line, rules).violations)


def check_run(lines: Sequence[WageLinePayload], rules: RuleSet) -> RunReport:
    """Every line of one whole run, the run's totals, and its caveats (each once).

    Raises:
        WageRunInvalid: the lines are not one whole run: empty, from different runs, a line
            number or a worker twice, or not the number of lines the run names.
    """
    _verify_whole_run(lines)
    reports = tuple(assess_line(line, rules) for line in lines)
    caveats: dict[Caveat, None] = {}
    for report in reports:
        caveats.update(dict.fromkeys(report.caveats))
    run = lines[0].run
    return RunReport(
        run=run,
        rules_version=rules.version,
        jurisdiction=run.area or run.country,
        lines=reports,
        totals=_totals(lines),
        caveats=tuple(caveats),
    )


def _verify_whole_run(lines: Sequence[WageLinePayload]) -> None:
    if not lines:
        raise WageRunInvalid(["a run has at least one line"])
    run = lines[0].run
    problems: list[str] = []
    numbers: dict[int, int] = {}
    workers: dict[str, int] = {}
    for index, line in enumerate(lines):
        if line.run != run:
            problems.append(f"line {line.line} belongs to another run than line {lines[0].line}")
        if line.line in numbers:
            problems.append(f"line number {line.line} appears twice")
        numbers[line.line] = index
        worker = line.worker.id
        if worker in workers:
            problems.append(f"worker of line {line.line} is also on line {workers[worker]}")
        workers.setdefault(worker, line.line)
    if len(lines) != run.lines or set(numbers) != set(range(1, run.lines + 1)):
        problems.append(
            f"the run names {run.lines} lines numbered 1 to {run.lines}; {len(lines)} were given"
        )
    if problems:
        shown = problems[:_MAX_PROBLEMS]
        if len(problems) > _MAX_PROBLEMS:
            shown.append(f"and {len(problems) - _MAX_PROBLEMS} more")
        raise WageRunInvalid(shown)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def _totals(lines: Sequence[WageLinePayload]) -> RunTotals:
    with localcontext(CONTEXT):
        return RunTotals(
            workers=len({line.worker.id for line in lines}),
            gross=_sum(line.gross for line in lines),
            deductions=_sum(line.deductions.total() for line in lines),
            net=_sum(line.net for line in lines),
            ordinary_hours=_sum(w.ordinary for line in lines for w in line.weeks),
            overtime_hours=_sum(w.overtime for line in lines for w in line.weeks),
            rest_day_hours=_sum(w.rest_day for line in lines for w in line.weeks),
            first_paid=min(line.paid_on for line in lines),
            last_paid=max(line.paid_on for line in lines),
        )
