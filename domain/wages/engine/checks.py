"""The rules, one function each, over one payroll line.

Each function reads the line's :class:`Facts` and adds what it finds to :class:`Findings`:
violations (one per broken figure) and caveats (what it could not check, or checked with a
reservation). Law figures come from the jurisdiction's entry in force on the period's
start; ETI Base Code and ILO figures apply everywhere, and where a law is stricter the law
wins (ETI 6.1: "whichever affords the greater protection").
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..schema import PayBasis, WageLinePayload
from .money import CONTEXT, fmt, hourly_minimum, round_money
from .report import Caveat, RuleId, Violation
from .rules import Jurisdiction, Law, RuleSet

__all__ = ["CHECKS", "Facts", "Findings", "facts_of"]

_DEFAULT_EXPONENT = 2
_MONTH_DAYS = 28  # a monthly cap is judged on a period of at least this many days


@dataclass(frozen=True)
class Facts:
    """What every rule needs to know about one line, computed once."""

    line: WageLinePayload
    rules: RuleSet
    exponent: int
    exponent_known: bool  # the currency is in the rules' table of minor units
    jurisdiction: Jurisdiction | None
    area: str  # the run's area, else its country: the key of the minimum wage
    law: Law | None
    period_days: int
    ordinary: Decimal
    overtime: Decimal
    rest_day: Decimal
    deductions: Decimal

    @property
    def country(self) -> str:
        return self.line.run.country

    @property
    def start(self) -> date:
        return self.line.run.period_start

    @property
    def total_hours(self) -> Decimal:
        return self.ordinary + self.overtime + self.rest_day

    @property
    def monthly_paid(self) -> bool:
        return self.line.pay_basis == PayBasis.MONTHLY

    def money(self, amount: Decimal) -> Decimal:
        return round_money(amount, self.exponent)

    def rate(self, exact: Decimal) -> Decimal:
        """A required rate, exact (a rate may carry more places than money can be paid in),
        shown with at least the minor unit's places: 13.50, 13.575."""
        places = -int(exact.normalize(CONTEXT).as_tuple().exponent)
        return exact if places > self.exponent else round_money(exact, self.exponent)


def facts_of(line: WageLinePayload, rules: RuleSet) -> Facts:
    run = line.run
    jurisdiction = rules.jurisdictions.get(run.country)
    exponent = rules.minor_unit(run.currency)
    return Facts(
        line=line,
        rules=rules,
        exponent=_DEFAULT_EXPONENT if exponent is None else exponent,
        exponent_known=exponent is not None,
        jurisdiction=jurisdiction,
        area=run.area or run.country,
        law=None if jurisdiction is None else jurisdiction.law_on(run.period_start),
        period_days=(run.period_end - run.period_start).days + 1,
        ordinary=_hours(w.ordinary for w in line.weeks),
        overtime=_hours(w.overtime for w in line.weeks),
        rest_day=_hours(w.rest_day for w in line.weeks),
        deductions=line.deductions.total(),
    )


def _hours(values: Iterable[Decimal]) -> Decimal:
    """Hours summed, without trailing zeros (``195``, not ``195.00``: hours are shown as
    counted, money in minor units)."""
    return sum(values, Decimal(0)).normalize(CONTEXT)


@dataclass
class Findings:
    facts: Facts
    violations: list[Violation] = field(default_factory=list)
    caveats: list[Caveat] = field(default_factory=list)

    def violation(self, rule: RuleId, detail: str, **figures: Decimal | int | str | date) -> None:
        self.violations.append(
            Violation(
                rule=rule.value,
                line=self.facts.line.line,
                worker=self.facts.line.worker.id,
                detail=detail,
                figures={name: _text(value) for name, value in figures.items()},
            )
        )

    def caveat(self, rule: RuleId, detail: str, *, checked: bool) -> None:
        self.caveats.append(Caveat(rule=rule.value, checked=checked, detail=detail))


def _text(value: Decimal | int | str | date) -> str:
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _law_caveat(f: Facts, out: Findings, rule: RuleId) -> None:
    law = f.law
    if law is not None and not law.confirmed and rule.value in law.unconfirmed_rules:
        out.caveat(
            rule, f"checked against an unconfirmed {f.country} law figure: {law.why}", checked=True
        )


def _no_law(f: Facts) -> str:
    if f.jurisdiction is None:
        return f"these rules ({f.rules.version}) hold no law for {f.country}"
    first = f.jurisdiction.law[0].effective.isoformat()
    return f"these rules hold no {f.country} law in force on {f.start} (they start {first})"


# --- minimum-wage ------------------------------------------------------------------------


def minimum_wage(f: Facts, out: Findings) -> None:
    """The ordinary rate against the hourly minimum in force on the period's start; else
    total pay against the minimum for every hour worked (overtime adds on top)."""
    rule = RuleId.MINIMUM_WAGE
    j = f.jurisdiction
    if j is None:
        out.caveat(rule, f"not checked: {_no_law(f)}", checked=False)
        return
    if f.line.run.currency != j.currency:
        out.caveat(
            rule,
            f"not checked: paid in {f.line.run.currency}, the {f.country} "
            f"minimum is in {j.currency}",
            checked=False,
        )
        return
    area = j.minimum_wages.get(f.area)
    if area is None:
        named = ", ".join(a for a in j.minimum_wages if a != f.country)
        if f.area == f.country:
            detail = (
                f"not checked: the minimum wage in {f.country} differs by area: "
                f"name the run's area ({named})"
            )
        else:
            detail = f"not checked: these rules hold no minimum for {f.area} (they know {named})"
        out.caveat(rule, detail, checked=False)
        return
    entry = area.on(f.start)
    if entry is None:
        out.caveat(
            rule,
            f"not checked: no {f.area} minimum in force on {f.start} in these rules "
            f"(the first is from {area.entries[0].effective})",
            checked=False,
        )
        return
    if area.stale_after is not None and f.start > area.stale_after:
        out.caveat(
            rule,
            f"checked against the {f.area} minimum from {entry.effective}; "
            f"revisions after {area.stale_after} are not in these rules, and the law's "
            "minimum may be higher",
            checked=True,
        )
    if not entry.confirmed:
        out.caveat(
            rule, f"checked against an unconfirmed {f.area} figure: {entry.why}", checked=True
        )
    minimum = hourly_minimum(entry.amount, entry.per, entry.hourly, entry.basis, f.exponent)
    rates = f.line.rates
    source = entry.source.instrument
    if f.ordinary > 0 and rates.ordinary < minimum:
        out.violation(
            rule,
            f"the ordinary rate {fmt(rates.ordinary)} an hour is below the "
            f"{f.area} minimum of {fmt(minimum)} ({source})",
            hourly=rates.ordinary,
            minimum=minimum,
            hours=f.ordinary,
        )
        return
    required = f.money(CONTEXT.multiply(minimum, f.total_hours))
    if f.total_hours > 0 and f.line.gross < required:
        out.violation(
            rule,
            f"gross pay {fmt(f.line.gross)} is below the minimum for "
            f"{fmt(f.total_hours)} hours at {fmt(minimum)} an hour ({source})",
            gross=f.line.gross,
            minimum_for_hours=required,
            hours=f.total_hours,
            minimum=minimum,
        )


# --- overtime-premium --------------------------------------------------------------------


def _overtime_multiplier(f: Facts, out: Findings) -> Decimal:
    eti = f.rules.eti.overtime_premium
    law = f.law
    if law is None or law.overtime is None:
        out.caveat(
            RuleId.OVERTIME_PREMIUM, f"checked by ETI's {fmt(eti)} only: {_no_law(f)}", checked=True
        )
        return eti
    if law.overtime.base == "basic":
        out.caveat(
            RuleId.OVERTIME_PREMIUM,
            f"checked by ETI's {fmt(eti)} of the ordinary rate "
            f"only: {f.country}'s legal overtime rate is {fmt(law.overtime.multiplier)} "
            "times the basic wage, which a payroll line does not carry",
            checked=True,
        )
        return eti
    return max(eti, law.overtime.multiplier)


def _rest_day_multiplier(f: Facts, overtime: Decimal) -> Decimal:
    """The rest-day rate required: the law's (for a monthly-paid worker whose wage already
    pays the rest day, what the law adds on top), never below ETI's premium; where the law
    has no rest-day rate, rest-day hours are overtime and take the overtime rate."""
    eti = f.rules.eti.overtime_premium
    law = f.law
    if law is None or law.rest_day is None:
        return overtime
    legal = law.rest_day.multiplier
    if f.monthly_paid and law.rest_day.monthly_paid is not None:
        legal = law.rest_day.monthly_paid
    return max(eti, legal)


def overtime_premium(f: Facts, out: Findings) -> None:
    rule = RuleId.OVERTIME_PREMIUM
    rates = f.line.rates
    if f.overtime == 0 and f.rest_day == 0:
        return
    multiplier = _overtime_multiplier(f, out)
    if f.overtime > 0:
        required = f.rate(CONTEXT.multiply(rates.ordinary, multiplier))
        if rates.overtime < required:
            out.violation(
                rule,
                f"the overtime rate {fmt(rates.overtime)} is below "
                f"{fmt(multiplier)} times the ordinary rate {fmt(rates.ordinary)}",
                overtime_rate=rates.overtime,
                ordinary_rate=rates.ordinary,
                required=required,
                multiplier=multiplier,
            )
    if f.rest_day > 0:
        rest = _rest_day_multiplier(f, multiplier)
        required = f.rate(CONTEXT.multiply(rates.ordinary, rest))
        if rates.rest_day < required:
            out.violation(
                rule,
                f"the rest-day rate {fmt(rates.rest_day)} is below "
                f"{fmt(rest)} times the ordinary rate {fmt(rates.ordinary)}",
                rest_day_rate=rates.rest_day,
                ordinary_rate=rates.ordinary,
                required=required,
                multiplier=rest,
            )


# --- hours-cap -----------------------------------------------------------------------------


def _stricter(eti: Decimal, law: Decimal | None) -> tuple[Decimal, str]:
    if law is not None and law < eti:
        return law, "law"
    return eti, "ETI"


def hours_cap(f: Facts, out: Findings) -> None:
    """Each week against the stricter of the law's and ETI's caps (48 ordinary, 60 in all);
    the law's weekly and monthly overtime caps where it has them."""
    rule = RuleId.HOURS_CAP
    law = f.law
    eti = f.rules.eti
    if law is None:
        out.caveat(rule, f"checked by ETI's caps only: {_no_law(f)}", checked=True)
    ordinary_cap, ordinary_by = _stricter(
        eti.ordinary_hours_per_week, law.ordinary_hours_per_week if law else None
    )
    total_cap, total_by = _stricter(
        eti.total_hours_per_week, law.total_hours_per_week if law else None
    )
    overtime_cap = law.overtime_hours_per_week if law else None
    with_rest = law.overtime_cap_includes_rest_day if law else False
    by = {"law": f"{f.country} law", "ETI": "the ETI Base Code"}
    for number, week in enumerate(f.line.weeks, start=1):
        ordinary = _hours([week.ordinary])
        total = _hours([week.ordinary, week.overtime, week.rest_day])
        if ordinary > ordinary_cap:
            out.violation(
                rule,
                f"week {number}: {fmt(ordinary)} ordinary hours, over the "
                f"{fmt(ordinary_cap)} {by[ordinary_by]} allows",
                week=number,
                hours=ordinary,
                cap=ordinary_cap,
                limit="ordinary",
            )
        if total > total_cap:
            out.violation(
                rule,
                f"week {number}: {fmt(total)} hours in all, over the "
                f"{fmt(total_cap)} {by[total_by]} allows",
                week=number,
                hours=total,
                cap=total_cap,
                limit="total",
            )
        extra = _hours([week.overtime, week.rest_day if with_rest else Decimal(0)])
        if overtime_cap is not None and extra > overtime_cap:
            out.violation(
                rule,
                f"week {number}: {fmt(extra)} overtime hours, over the "
                f"{fmt(overtime_cap)} {f.country} law allows in a week",
                week=number,
                hours=extra,
                cap=overtime_cap,
                limit="overtime",
            )
    _law_caveat(f, out, rule)
    month_cap = law.overtime_hours_per_month if law else None
    if month_cap is None:
        return
    if f.period_days < _MONTH_DAYS:
        out.caveat(
            rule,
            f"{f.country}'s monthly overtime cap ({fmt(month_cap)} hours) is not "
            f"checked on a period of {f.period_days} days",
            checked=False,
        )
        return
    extra = _hours([f.overtime, f.rest_day if with_rest else Decimal(0)])
    if extra > month_cap:
        out.violation(
            rule,
            f"{fmt(extra)} overtime hours in the period, over the "
            f"{fmt(month_cap)} {f.country} law allows in a month",
            hours=extra,
            cap=month_cap,
            limit="overtime-month",
        )


# --- rest-day ------------------------------------------------------------------------------


def rest_day(f: Facts, out: Findings) -> None:
    """Hours worked on rest days mean a 7-day period without a day off (ETI 6.6)."""
    if f.rest_day > 0:
        out.violation(
            RuleId.REST_DAY,
            f"{fmt(f.rest_day)} hours worked on rest days: at least "
            "one 7-day period without a day off (one day off in 7)",
            rest_day_hours=f.rest_day,
        )


# --- late-payment --------------------------------------------------------------------------


def late_payment(f: Facts, out: Findings) -> None:
    """ILO R85 frequency (paid at least twice a month, periods of at most 16 days, unless
    monthly-paid: once a month) and the law's deadline after the period end."""
    rule = RuleId.LATE_PAYMENT
    run = f.line.run
    basis = f.line.pay_basis
    if basis is None:
        out.caveat(
            rule,
            "pay basis not stated: the pay frequency is judged as for a "
            "monthly-paid worker (hourly, daily and weekly-paid workers are owed pay at "
            "least twice a month)",
            checked=True,
        )
    if basis is None or basis == PayBasis.MONTHLY:
        most = calendar.monthrange(run.period_start.year, run.period_start.month)[1]
        why = "a monthly-paid worker is paid at least once a month"
    else:
        most = f.rules.ilo.max_period_days_non_monthly
        if f.law is not None and f.law.max_period_days_non_monthly is not None:
            most = min(most, f.law.max_period_days_non_monthly)
        why = f"a {basis.value}-paid worker is paid at intervals of at most {most} days"
    if f.period_days > most:
        out.violation(
            rule,
            f"a pay period of {f.period_days} days: {why}",
            period_days=f.period_days,
            max_days=most,
        )
    deadline = f.law.pay_deadline_days if f.law is not None else None
    if deadline is None:
        reason = _no_law(f) if f.law is None else f"{f.country} law sets none in these rules"
        out.caveat(
            rule, f"the deadline after the period end is not checked: {reason}", checked=False
        )
        return
    _law_caveat(f, out, rule)
    after = (f.line.paid_on - run.period_end).days
    if after > deadline:
        out.violation(
            rule,
            f"paid {after} days after the period ended; {f.country} law allows {deadline}",
            paid_on=f.line.paid_on,
            period_end=run.period_end,
            days_after=after,
            deadline_days=deadline,
        )


# --- deductions ----------------------------------------------------------------------------


def recruitment_fee(f: Facts, out: Findings) -> None:
    """Employer Pays Principle: no recruitment fee is ever charged to the worker."""
    fee = f.line.deductions.recruitment_fee
    if fee is not None and fee.amount > 0:
        out.violation(
            RuleId.RECRUITMENT_FEE,
            f"a recruitment fee of {fmt(fee.amount)} deducted "
            "from wages (the employer pays recruitment costs)",
            recruitment_fee=fee.amount,
        )


def unrecorded_damage(f: Facts, out: Findings) -> None:
    """ILO R85 2(1): a deduction for damage only where a record shows the worker responsible."""
    damage = f.line.deductions.damage
    if damage is not None and damage.amount > 0 and damage.record is None:
        out.violation(
            RuleId.UNRECORDED_DAMAGE,
            f"a damage deduction of {fmt(damage.amount)} "
            "with no record showing the worker responsible",
            damage=damage.amount,
        )


def negative_net(f: Facts, out: Findings) -> None:
    computed = f.line.gross - f.deductions
    if f.line.net < 0 or computed < 0:
        out.violation(
            RuleId.NEGATIVE_NET,
            f"deductions of {fmt(f.deductions)} exceed gross pay of {fmt(f.line.gross)}",
            gross=f.line.gross,
            deductions=f.deductions,
            net=f.line.net,
        )


# --- arithmetic ----------------------------------------------------------------------------


def computed_gross(f: Facts) -> Decimal:
    """Ordinary, overtime and rest-day hours times their rates, each rounded half up to the
    minor unit, summed."""
    rates = f.line.rates
    parts = (
        (f.ordinary, rates.ordinary),
        (f.overtime, rates.overtime),
        (f.rest_day, rates.rest_day),
    )
    return sum((f.money(CONTEXT.multiply(hours, rate)) for hours, rate in parts), Decimal(0))


def arithmetic(f: Facts, out: Findings) -> None:
    rule = RuleId.ARITHMETIC
    if not f.exponent_known:
        out.caveat(
            rule,
            f"{f.line.run.currency} is not in these rules' table of minor units: "
            f"amounts are rounded to {_DEFAULT_EXPONENT} places",
            checked=True,
        )
    gross = computed_gross(f)
    if gross != f.line.gross:
        out.violation(
            rule,
            f"hours times rates make {fmt(gross)}, the line says gross {fmt(f.line.gross)}",
            computed_gross=gross,
            gross=f.line.gross,
        )
    net = f.line.gross - f.deductions
    if net != f.line.net:
        out.violation(
            rule,
            f"gross less deductions makes {fmt(net)}, the line says net {fmt(f.line.net)}",
            computed_net=net,
            net=f.line.net,
        )


CHECKS: tuple[Callable[[Facts, Findings], None], ...] = (
    minimum_wage,
    overtime_premium,
    hours_cap,
    rest_day,
    late_payment,
    recruitment_fee,
    unrecorded_damage,
    arithmetic,
    negative_net,
)
