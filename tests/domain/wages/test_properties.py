"""Hypothesis: any consistent line passes ``arithmetic``; any one-unit change of gross or net
fails it. Lines are built with this file's own arithmetic, not the engine's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from domain.wages.engine import check_line, load_rules
from domain.wages.payroll_csv import spread_weeks
from tests.domain.wages.helpers import Spec, build, q, unit

RULES = load_rules("2026.1")


def hours(top: int) -> st.SearchStrategy[str]:
    return st.integers(min_value=0, max_value=top * 100).map(lambda n: str(Decimal(n) / 100))


@st.composite
def consistent(draw: st.DrawFn) -> Spec:
    currency, scale = draw(st.sampled_from([("MYR", 100), ("VND", 1), ("BDT", 100)]))
    country = {"MYR": "MY", "VND": "VN", "BDT": "BD"}[currency]
    days = draw(st.integers(min_value=1, max_value=31))
    start = date(2026, 10, 1)
    end = date.fromordinal(start.toordinal() + days - 1)
    rate = st.integers(min_value=1, max_value=5_000 * scale).map(lambda n: str(Decimal(n) / scale))
    spec = Spec(
        country, currency, start, end,
        (draw(hours(10 * days)), draw(hours(4 * days)), draw(hours(2 * days))),
        (draw(rate), draw(rate), draw(rate)),
        date(2026, 11, 5),
        area="VN-I" if country == "VN" else None,
    )  # fmt: skip
    gross = build(spec).gross
    names = ["tax", "social_security", "accommodation", "food", "loan_repayment", "other"]
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=4))
    left = gross
    deductions = []
    for name in chosen:
        amount = q(left * Decimal(draw(st.integers(min_value=0, max_value=100))) / 100, currency)
        left -= amount
        deductions.append((name, str(amount)))
    return spec.but(deductions=tuple(deductions))


def arithmetic(spec: Spec) -> list[dict[str, str]]:
    return [v.figures for v in check_line(build(spec), RULES) if v.rule == "arithmetic"]


@given(consistent())
def test_any_consistent_line_passes_arithmetic(spec: Spec) -> None:
    assert arithmetic(spec) == []


@given(consistent(), st.sampled_from(["gross", "net"]), st.sampled_from([1, -1]))
def test_any_one_unit_change_of_gross_or_net_fails_arithmetic(
    spec: Spec, which: str, sign: int
) -> None:
    line = build(spec)
    step = unit(spec.currency) * sign
    if which == "gross":
        assume(line.gross + step >= 0)
        changed = spec.but(gross=str(line.gross + step), net=str(line.net))
    else:
        changed = spec.but(net=str(line.net + step))
    found = arithmetic(changed)
    assert found, "a one-unit change went unnoticed"
    key = "gross" if which == "gross" else "net"
    assert found[0][key] == str(line.gross + step if which == "gross" else line.net + step)


@given(st.integers(min_value=1, max_value=32), hours(700), hours(300), hours(100))
def test_spread_weeks_sum_to_the_period_exactly(
    days: int, ordinary: str, overtime: str, rest: str
) -> None:
    start = date(2026, 1, 1)
    end = date.fromordinal(start.toordinal() + days - 1)
    totals = [Decimal(ordinary), Decimal(overtime), Decimal(rest)]
    assume(sum(totals) <= 24 * days)
    weeks = spread_weeks(start, end, *totals)
    assert len(weeks) == max(1, -(-days // 7))
    for i, name in enumerate(("ordinary", "overtime", "rest_day")):
        values = [getattr(w, name) for w in weeks]
        assert sum(values) == totals[i]
        assert all(v >= 0 for v in values)
        if days > 7:  # full weeks are equal; the partial last week holds no more than they do
            assert len(set(values[:-1])) <= 1
            assert values[-1] <= values[0] + Decimal("0.01") * len(weeks)
