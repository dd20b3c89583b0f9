"""Known answers for every rule in every jurisdiction the rules ship, and their boundaries.

A compliant line yields no violation; each broken figure yields exactly that violation with
its figures. Lines are built in helpers.py with independent arithmetic.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.wages.engine import RULE_IDS, assess_line, check_line, load_rules
from domain.wages.engine.report import Violation
from tests.domain.wages.helpers import (
    COMPLIANT,
    DEADLINE,
    MINIMUM,
    ORDINARY_CAP,
    OVERTIME,
    Spec,
    build,
    q,
    unit,
)

RULES = load_rules("2026.1")
PLACES = list(COMPLIANT)


def violations(spec: Spec) -> list[Violation]:
    return check_line(build(spec), RULES)


def only(spec: Spec) -> Violation:
    """The one violation ``spec`` yields."""
    found = violations(spec)
    assert len(found) == 1, [v.to_dict() for v in found]
    return found[0]


def money(value: Decimal, spec: Spec) -> str:
    return str(q(value, spec.currency))


@pytest.mark.parametrize("place", PLACES)
def test_a_compliant_line_yields_no_violation(place: str) -> None:
    assert violations(COMPLIANT[place]) == []


def test_rule_ids_are_the_interface() -> None:
    assert RULE_IDS == (
        "minimum-wage", "overtime-premium", "hours-cap", "rest-day", "late-payment",
        "recruitment-fee", "unrecorded-damage", "arithmetic", "negative-net",
    )  # fmt: skip


# --- minimum-wage ------------------------------------------------------------------------


@pytest.mark.parametrize("place", PLACES)
def test_exactly_the_minimum_passes_and_one_unit_less_fails(place: str) -> None:
    spec = COMPLIANT[place]
    minimum = Decimal(MINIMUM[place])
    at = spec.but(rates=(str(minimum), spec.rates[1], spec.rates[2]))
    assert violations(at) == []
    below = minimum - unit(spec.currency)
    found = only(spec.but(rates=(str(below), spec.rates[1], spec.rates[2])))
    assert found.rule == "minimum-wage"
    assert found.figures == {
        "hourly": str(below),
        "minimum": MINIMUM[place],
        "hours": spec.hours[0],
    }
    assert found.line == 1 and found.worker == "commitment:" + spec.worker


def test_total_pay_below_the_minimum_for_the_hours_worked() -> None:
    # The rates are above the minimum but the line pays less than the hours earn at it
    # (gross understated): both the minimum and the sums break.
    spec = COMPLIANT["MY"].but(gross="1800.00", net="1800.00")
    found = {v.rule: v for v in violations(spec)}
    assert set(found) == {"minimum-wage", "arithmetic"}
    assert found["minimum-wage"].figures == {
        "gross": "1800.00", "minimum_for_hours": "1874.80", "hours": "215", "minimum": "8.72",
    }  # fmt: skip


def test_the_minimum_in_force_on_the_period_start_applies() -> None:
    # Malaysia: RM7.21 until 2025-01-31, RM8.72 from 2025-02-01 (Minimum Wages Order 2024).
    january = Spec("MY", "MYR", date(2025, 1, 1), date(2025, 1, 31), ("195", "0", "0"),
                   ("8.00", "12.00", "16.00"), date(2025, 2, 5))  # fmt: skip
    assert violations(january) == []
    # February 2025 has 24 working days: 180 hours are 45 a week.
    february = january.but(start=date(2025, 2, 1), end=date(2025, 2, 28), paid_on=date(2025, 3, 5),
                           hours=("180", "0", "0"))  # fmt: skip
    assert only(february).figures == {"hourly": "8.00", "minimum": "8.72", "hours": "180"}
    # Viet Nam region I: VND 23,800 in December 2025, 25,500 from 2026-01-01 (Decree 293).
    december = COMPLIANT["VN-I"].but(start=date(2025, 12, 1), end=date(2025, 12, 31),
                                     rates=("24000", "36000", "48000"), paid_on=date(2026, 1, 5))  # fmt: skip
    assert violations(december) == []
    january_vn = december.but(
        start=date(2026, 1, 1), end=date(2026, 1, 31), paid_on=date(2026, 2, 5)
    )
    assert only(january_vn).figures == {"hourly": "24000", "minimum": "25500", "hours": "208"}


def test_malaysia_2022_minimum_is_rm_7_21() -> None:
    spec = Spec("MY", "MYR", date(2022, 6, 1), date(2022, 6, 30), ("208", "0", "0"),
                ("7.20", "10.80", "14.40"), date(2022, 7, 5))  # fmt: skip
    assert only(spec).figures == {"hourly": "7.20", "minimum": "7.21", "hours": "208"}
    assert violations(spec.but(rates=("7.21", "10.82", "14.42"))) == []


def test_minimum_caveats_say_what_was_not_checked() -> None:
    def caveats(spec: Spec) -> list[str]:
        return [
            c.detail for c in assess_line(build(spec), RULES).caveats if c.rule == "minimum-wage"
        ]

    no_area = COMPLIANT["IN-DL"].but(area=None)
    assert caveats(no_area) == [
        "not checked: the minimum wage in IN differs by area: name the run's area (IN-DL)"
    ]
    stale = COMPLIANT["IN-DL"].but(
        start=date(2026, 11, 1), end=date(2026, 11, 30), paid_on=date(2026, 12, 5)
    )
    assert "revisions after 2025-09-30 are not in these rules" in caveats(stale)[0]
    assert violations(stale) == []  # judged against the latest known figure (18,456)
    before = COMPLIANT["MY"].but(
        start=date(2021, 1, 1), end=date(2021, 1, 31), paid_on=date(2021, 2, 5)
    )
    assert caveats(before)[0].startswith("not checked: no MY minimum in force on 2021-01-01")
    dollars = COMPLIANT["MY"].but(currency="USD")
    assert caveats(dollars) == ["not checked: paid in USD, the MY minimum is in MYR"]
    unconfirmed = COMPLIANT["VN-I"].but(start=date(2025, 11, 1), end=date(2025, 11, 30),
                                        rates=("24000", "36000", "48000"), paid_on=date(2025, 12, 5))  # fmt: skip
    assert "unconfirmed VN-I figure" in caveats(unconfirmed)[0]


def test_a_country_without_rules_is_judged_by_eti_and_ilo_only() -> None:
    spec = Spec("FR", "EUR", date(2026, 11, 1), date(2026, 11, 30), ("208", "20", "0"),
                ("12.00", "15.00", "15.00"), date(2026, 12, 30))  # fmt: skip
    report = assess_line(build(spec), RULES)
    assert report.violations == ()
    not_checked = {c.rule for c in report.caveats if not c.checked}
    assert not_checked == {"minimum-wage", "late-payment"}
    # ETI's 125% still holds; EUR is in the table of minor units, an unknown currency is not
    assert not any(c.rule == "arithmetic" for c in report.caveats)
    odd = assess_line(build(spec.but(currency="XAF")), RULES).caveats
    assert [c.detail for c in odd if c.rule == "arithmetic"] == [
        "XAF is not in these rules' table of minor units: amounts are rounded to 2 places"
    ]
    low = only(spec.but(rates=("12.00", "14.99", "15.00")))
    assert low.figures == {"overtime_rate": "14.99", "ordinary_rate": "12.00", "required": "15.00",
                           "multiplier": "1.25"}  # fmt: skip


# --- overtime-premium --------------------------------------------------------------------


@pytest.mark.parametrize("place", PLACES)
def test_overtime_at_the_ordinary_rate(place: str) -> None:
    spec = COMPLIANT[place]
    ordinary = spec.rates[0]
    found = only(spec.but(rates=(ordinary, ordinary, spec.rates[2])))
    required = money(Decimal(ordinary) * Decimal(OVERTIME[place]), spec)
    assert found.rule == "overtime-premium"
    assert found.figures == {"overtime_rate": ordinary, "ordinary_rate": ordinary,
                             "required": required, "multiplier": OVERTIME[place]}  # fmt: skip


@pytest.mark.parametrize("place", PLACES)
def test_overtime_exactly_at_the_required_rate_passes(place: str) -> None:
    spec = COMPLIANT[place]
    required = money(Decimal(spec.rates[0]) * Decimal(OVERTIME[place]), spec)
    assert violations(spec.but(rates=(spec.rates[0], required, spec.rates[2]))) == []
    less = str(Decimal(required) - unit(spec.currency))
    assert only(spec.but(rates=(spec.rates[0], less, spec.rates[2]))).rule == "overtime-premium"


def test_bangladesh_legal_overtime_base_is_not_on_the_line() -> None:
    report = assess_line(build(COMPLIANT["BD"]), RULES)
    details = [c.detail for c in report.caveats if c.rule == "overtime-premium"]
    assert details == ["checked by ETI's 1.25 of the ordinary rate only: BD's legal overtime "
                       "rate is 2.0 times the basic wage, which a payroll line does not carry"]  # fmt: skip


@pytest.mark.parametrize(
    ("place", "basis", "multiplier"),
    [("MY", "daily", "2.0"), ("MY", "monthly", "1.25"), ("VN-I", "monthly", "2.0"),
     ("TH-10", "hourly", "2.0"), ("TH-10", "monthly", "1.25"), ("TR", "monthly", "1.5"),
     ("IN-DL", "monthly", "2.0"), ("BD", "monthly", "1.25")],
)  # fmt: skip
def test_rest_day_hours_at_less_than_the_rest_day_rate(
    place: str, basis: str, multiplier: str
) -> None:
    spec = COMPLIANT[place]
    hours = (spec.hours[0], spec.hours[1], "8")
    ordinary = spec.rates[0]
    # A rest-day rate just below the required one: the premium breaks (and the rest day).
    required = money(Decimal(ordinary) * Decimal(multiplier), spec)
    short = str(Decimal(required) - unit(spec.currency))
    period = spec.but(hours=hours, rates=(ordinary, spec.rates[1], short), pay_basis=basis)
    if basis != "monthly":  # an hourly or daily-paid monthly period also breaks R85 frequency
        period = period.but(start=spec.start, end=spec.start + timedelta(days=13),
                            paid_on=spec.start + timedelta(days=16))  # fmt: skip
        period = period.but(hours=("90", "0", "8"))  # 12 working days of 7.5 hours
    found = violations(period)
    assert [v.rule for v in found] == ["overtime-premium", "rest-day"]
    assert found[0].figures == {"rest_day_rate": short, "ordinary_rate": ordinary,
                                "required": required, "multiplier": multiplier}  # fmt: skip
    paid = period.but(rates=(ordinary, spec.rates[1], required))
    assert [v.rule for v in violations(paid)] == ["rest-day"]


# --- hours-cap -----------------------------------------------------------------------------


def week_of(place: str) -> Spec:
    """A one-week period (Monday to Sunday) of the place's compliant line, weekly-paid."""
    spec = COMPLIANT[place]
    monday = date(spec.start.year, spec.start.month, 2)
    monday -= timedelta(days=monday.weekday())
    return spec.but(start=monday, end=monday + timedelta(days=6), paid_on=monday + timedelta(days=9),
                    pay_basis="weekly", hours=(ORDINARY_CAP[place], "10", "0"))  # fmt: skip


@pytest.mark.parametrize("place", PLACES)
def test_a_70_hour_week(place: str) -> None:
    cap = ORDINARY_CAP[place]
    overtime = str(70 - int(cap))
    spec = week_of(place).but(hours=(cap, overtime, "0"))
    found = only(spec)
    assert found.rule == "hours-cap"
    assert found.figures == {"week": "1", "hours": "70", "cap": "60", "limit": "total"}


@pytest.mark.parametrize("place", PLACES)
def test_ordinary_hours_exactly_at_the_cap_pass_and_over_it_fail(place: str) -> None:
    cap = ORDINARY_CAP[place]
    assert violations(week_of(place)) == []
    over = str(Decimal(cap) + Decimal("0.01"))
    found = only(week_of(place).but(hours=(over, "10", "0")))
    assert found.figures == {"week": "1", "hours": over, "cap": cap, "limit": "ordinary"}


def test_exactly_48_and_60_hours_pass_eti_and_a_hundredth_more_fails() -> None:
    at = week_of("BD").but(hours=("48", "12", "0"))  # Bangladesh's law is ETI's 48/60
    assert violations(at) == []
    over = only(at.but(hours=("48", "12.01", "0")))
    assert over.figures == {"week": "1", "hours": "60.01", "cap": "60", "limit": "total"}


def test_malaysia_cut_ordinary_hours_from_48_to_45_on_1_january_2023() -> None:
    december = Spec("MY", "MYR", date(2022, 12, 5), date(2022, 12, 11), ("48", "0", "0"),
                    ("9.00", "13.50", "18.00"), date(2022, 12, 15), pay_basis="weekly")  # fmt: skip
    assert violations(december) == []
    january = december.but(start=date(2023, 1, 2), end=date(2023, 1, 8), paid_on=date(2023, 1, 12))
    assert only(january).figures == {"week": "1", "hours": "48", "cap": "45", "limit": "ordinary"}


def test_monthly_overtime_caps() -> None:
    # Malaysia: 104 hours a month; Viet Nam: 40 (rest-day hours count there).
    my = COMPLIANT["MY"].but(hours=("91", "104", "0"))  # 21 + 24 hours a week
    assert violations(my) == []
    over = COMPLIANT["MY"].but(hours=("91", "104.5", "0"))
    assert only(over).figures == {"hours": "104.5", "cap": "104", "limit": "overtime-month"}
    vn = COMPLIANT["VN-I"].but(hours=("200", "36", "5"))
    found = {v.rule: v for v in violations(vn)}
    assert set(found) == {"hours-cap", "rest-day"}
    assert found["hours-cap"].figures == {"hours": "41", "cap": "40", "limit": "overtime-month"}
    # A week is too short to judge a monthly cap: the report says so.
    caveats = assess_line(build(week_of("MY")), RULES).caveats
    assert any(c.rule == "hours-cap" and not c.checked for c in caveats)


def test_thailand_caps_overtime_and_holiday_work_at_36_hours_a_week() -> None:
    at = week_of("TH-10").but(hours=("20", "30", "6"))  # 36 hours of overtime and holiday work
    assert [v.rule for v in violations(at)] == ["rest-day"]
    over = week_of("TH-10").but(hours=("20", "30.5", "6"))
    capped = [v.figures for v in violations(over) if v.rule == "hours-cap"]
    assert capped == [{"week": "1", "hours": "36.5", "cap": "36", "limit": "overtime"}]


# --- rest-day ------------------------------------------------------------------------------


@pytest.mark.parametrize("place", PLACES)
def test_hours_on_a_rest_day(place: str) -> None:
    spec = COMPLIANT[place]
    found = only(spec.but(hours=(spec.hours[0], spec.hours[1], "8")))
    assert found.rule == "rest-day"
    assert found.figures == {"rest_day_hours": "8"}


# --- late-payment --------------------------------------------------------------------------


@pytest.mark.parametrize("place", [p for p in PLACES if DEADLINE[p] is not None])
def test_paid_on_the_deadline_passes_and_a_day_later_fails(place: str) -> None:
    spec = COMPLIANT[place]
    deadline = DEADLINE[place]
    assert deadline is not None
    on_time = spec.but(paid_on=spec.end + timedelta(days=deadline))
    assert violations(on_time) == []
    late = spec.end + timedelta(days=deadline + 1)
    found = only(spec.but(paid_on=late))
    assert found.rule == "late-payment"
    assert found.figures == {"paid_on": late.isoformat(), "period_end": spec.end.isoformat(),
                             "days_after": str(deadline + 1), "deadline_days": str(deadline)}  # fmt: skip


@pytest.mark.parametrize("place", [p for p in PLACES if DEADLINE[p] is None])
def test_without_a_legal_deadline_the_report_says_so(place: str) -> None:
    spec = COMPLIANT[place].but(paid_on=COMPLIANT[place].end + timedelta(days=25))
    report = assess_line(build(spec), RULES)
    assert report.violations == ()
    assert any(c.rule == "late-payment" and not c.checked for c in report.caveats)


@pytest.mark.parametrize("place", PLACES)
def test_hourly_paid_periods_of_16_days_pass_and_17_fail(place: str) -> None:
    most = 15 if place == "VN-I" else 16  # Viet Nam's Labour Code: at most 15 days
    spec = COMPLIANT[place]
    short = spec.but(end=spec.start + timedelta(days=most - 1), pay_basis="hourly",
                     hours=("96", "0", "0"), paid_on=spec.start + timedelta(days=most + 2))  # fmt: skip
    assert violations(short) == []
    long = short.but(end=spec.start + timedelta(days=most))
    found = only(long)
    assert found.figures == {"period_days": str(most + 1), "max_days": str(most)}


def test_monthly_paid_once_a_month() -> None:
    spec = COMPLIANT["MY"]
    assert violations(spec.but(pay_basis=None)) == []  # judged as monthly, with a caveat
    caveats = assess_line(build(spec.but(pay_basis=None)), RULES).caveats
    assert any(c.rule == "late-payment" and "pay basis not stated" in c.detail for c in caveats)
    weekly = spec.but(pay_basis="weekly")
    assert only(weekly).figures == {"period_days": "30", "max_days": "16"}
    too_long = spec.but(end=date(2026, 12, 1), paid_on=date(2026, 12, 5), hours=("195", "20", "0"))
    assert only(too_long).figures == {"period_days": "31", "max_days": "30"}


# --- deductions ----------------------------------------------------------------------------


@pytest.mark.parametrize("place", PLACES)
def test_a_recruitment_fee_deduction(place: str) -> None:
    spec = COMPLIANT[place]
    fee = "100000" if spec.currency == "VND" else "100.00"
    found = only(spec.but(deductions=(("recruitment_fee", fee),)))
    assert found.rule == "recruitment-fee"
    assert found.figures == {"recruitment_fee": fee}


@pytest.mark.parametrize("place", PLACES)
def test_a_damage_deduction_needs_a_record(place: str) -> None:
    spec = COMPLIANT[place].but(deductions=(("damage", "30"),))
    found = only(spec)
    assert (found.rule, found.figures) == ("unrecorded-damage", {"damage": "30"})
    assert violations(spec.but(damage_record="0x" + "ee" * 32)) == []


@pytest.mark.parametrize("place", PLACES)
def test_deductions_larger_than_gross(place: str) -> None:
    spec = COMPLIANT[place]
    gross = build(spec).gross
    loan = gross + 50
    found = only(spec.but(deductions=(("loan_repayment", str(loan)),)))
    assert found.rule == "negative-net"
    assert found.figures == {"gross": str(gross), "deductions": str(loan), "net": str(gross - loan)}


def test_a_net_of_zero_hiding_deductions_larger_than_gross() -> None:
    spec = COMPLIANT["MY"].but(deductions=(("loan_repayment", "3000.00"),), net="0")
    found = {v.rule: v.figures for v in violations(spec)}
    assert found == {"negative-net": {"gross": "2025.00", "deductions": "3000.00", "net": "0"},
                     "arithmetic": {"computed_net": "-975.00", "net": "0"}}  # fmt: skip


# --- arithmetic ----------------------------------------------------------------------------


@pytest.mark.parametrize("place", PLACES)
def test_gross_one_minor_unit_off(place: str) -> None:
    spec = COMPLIANT[place]
    right = build(spec).gross
    wrong = right + unit(spec.currency)
    found = only(spec.but(gross=str(wrong)))  # net follows the stated gross
    assert found.rule == "arithmetic"
    assert found.figures == {"computed_gross": str(right), "gross": str(wrong)}


@pytest.mark.parametrize("place", PLACES)
def test_net_one_minor_unit_off(place: str) -> None:
    spec = COMPLIANT[place]
    right = build(spec).net
    wrong = right - unit(spec.currency)
    found = only(spec.but(net=str(wrong)))
    assert found.figures == {"computed_net": str(right), "net": str(wrong)}


def test_each_component_is_rounded_half_up_before_summing() -> None:
    # 7.5 h x 9.05 = 67.875 -> 67.88; 0.5 h x 13.575 = 6.7875 -> 6.79: gross 74.67, where
    # rounding the exact sum (74.6625) once would give 74.66.
    spec = Spec("MY", "MYR", date(2026, 11, 2), date(2026, 11, 8), ("7.5", "0.5", "0"),
                ("9.05", "13.575", "18.10"), date(2026, 11, 10), pay_basis="weekly")  # fmt: skip
    assert violations(spec.but(gross="74.67")) == []
    assert only(spec.but(gross="74.66")).figures == {"computed_gross": "74.67", "gross": "74.66"}


def test_a_line_breaking_everything_lists_each_rule_once_in_order() -> None:
    spec = Spec("MY", "MYR", date(2026, 11, 2), date(2026, 11, 8), ("50", "20", "8"),
                ("8.00", "8.00", "8.00"), date(2026, 11, 30), pay_basis="weekly",
                deductions=(("recruitment_fee", "100.00"), ("damage", "10.00"), ("other", "900.00")),
                gross="600.00")  # fmt: skip
    rules = [v.rule for v in violations(spec)]
    assert rules == ["minimum-wage", "overtime-premium", "overtime-premium", "hours-cap",
                     "hours-cap", "rest-day", "late-payment", "recruitment-fee",
                     "unrecorded-damage", "arithmetic", "negative-net"]  # fmt: skip
