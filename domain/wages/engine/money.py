"""Decimal arithmetic of the engine: one context, explicit rounding, period conversions.

Every amount is a :class:`~decimal.Decimal`. Rounding happens in exactly three places, each
ROUND_HALF_UP to the currency's minor unit (ISO 4217: 2 places for MYR, 0 for VND):

1. each pay component, hours x rate, before the components are summed (``arithmetic``:
   a payslip shows each component as an amount);
2. a minimum wage converted to an hourly figure (Malaysia's order itself rounds
   1,500 x 12 / 52 / 48 = 7.2115 to RM7.21);
3. the minimum pay for the hours worked, an amount, before gross is compared with it.

Everything else is exact: sums, differences, and the overtime and rest-day rates required
(ordinary rate x multiplier: a rate may carry more places than money is paid in).
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)

from .rules import Basis, Per

__all__ = ["CONTEXT", "convert", "fmt", "hourly_minimum", "round_money"]

# Enough digits for 100,000 lines of 12-digit amounts times hours with 4 places; every
# inexact or impossible operation raises rather than passing silently.
CONTEXT = Context(
    prec=40, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow]
)

_WEEKS_PER_MONTH = Decimal(52) / Decimal(12)


def round_money(amount: Decimal, exponent: int) -> Decimal:
    """``amount`` rounded half up to ``exponent`` decimal places (the minor unit)."""
    return amount.quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP, context=CONTEXT)


def _per_hour(per: Per, basis: Basis) -> Decimal:
    """Hours in one ``per`` under ``basis``.

    Raises:
        ValueError: the basis lacks what the conversion needs.
    """
    if per == "hour":
        return Decimal(1)
    if per == "day":
        if basis.hours_per_day is not None:
            return basis.hours_per_day
        if basis.hours_per_week is not None and basis.days_per_week is not None:
            return CONTEXT.divide(basis.hours_per_week, basis.days_per_week)
        if basis.hours_per_month is not None and basis.days_per_month is not None:
            return CONTEXT.divide(basis.hours_per_month, basis.days_per_month)
    if per == "week" and basis.hours_per_week is not None:
        return basis.hours_per_week
    if per == "month":
        if basis.hours_per_month is not None:
            return basis.hours_per_month
        if basis.hours_per_week is not None:
            return CONTEXT.multiply(basis.hours_per_week, _WEEKS_PER_MONTH)
    raise ValueError(f"the basis cannot convert a {per} to hours")


def _per_day(per: Per, basis: Basis) -> Decimal:
    """Days in one ``per`` under ``basis`` (a month of a working week is 52/12 weeks)."""
    if per == "day":
        return Decimal(1)
    if per == "week" and basis.days_per_week is not None:
        return basis.days_per_week
    if per == "month":
        if basis.days_per_month is not None:
            return basis.days_per_month
        if basis.days_per_week is not None:
            return CONTEXT.multiply(basis.days_per_week, _WEEKS_PER_MONTH)
    raise ValueError(f"the basis cannot convert a {per} to days")


def convert(amount: Decimal, per: Per, to: Per, basis: Basis, exponent: int) -> Decimal:
    """A minimum of ``amount`` per ``per`` as a figure per ``to``, rounded to the minor unit.

    Monthly to weekly is x 12 / 52; weekly to hourly / hours per week, to daily / days per
    week (DOMAIN.md: RM1,500 a month = RM7.21 an hour, RM57.69 a day in a 6-day week). Day
    figures go by days, hour figures by hours, so a 45-hour 6-day week gives RM1,700 =
    RM65.38 a day and RM8.72 an hour, as Malaysia's Minimum Wages Order 2024 states them.

    Raises:
        ValueError: the basis lacks what the conversion needs.
    """
    if per == to:
        return round_money(amount, exponent)
    if "hour" in (per, to):
        ratio = CONTEXT.divide(_per_hour(to, basis), _per_hour(per, basis))
    else:
        ratio = CONTEXT.divide(_per_day(to, basis), _per_day(per, basis))
    return round_money(CONTEXT.multiply(amount, ratio), exponent)


def hourly_minimum(
    amount: Decimal, per: Per, stated: Decimal | None, basis: Basis, exponent: int
) -> Decimal:
    """The hourly minimum of an entry: the instrument's own figure where it states one,
    else ``amount`` converted (rounded half up to the minor unit)."""
    if stated is not None:
        return stated
    return convert(amount, per, "hour", basis, exponent)


def fmt(value: Decimal) -> str:
    """A figure as plain decimal text, never in exponent form (``"1E+2"``)."""
    return format(value, "f")
