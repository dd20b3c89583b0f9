"""The wage rules as shipped data: minimum wages and labour-law figures, versioned, sourced.

A rules file (``domain/wages/rules/<version>.json``) holds the ETI Base Code and ILO figures
that apply everywhere, and per jurisdiction (an ISO 3166-1 country) the law's figures in
effective-dated entries and the minimum wages per area (the country itself where one national
minimum applies; ISO 3166-2 codes or the country's own zones where it differs by area). An
entry is in force from its ``from`` date until the next entry's. Figures are decimal strings
in the data; a JSON number is refused, so no binary fraction ever reaches a rule.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from ...schema import IsoDate, StrictModel
from ..errors import RulesVersionUnknown

__all__ = [
    "Area",
    "Basis",
    "Eti",
    "Ilo",
    "Jurisdiction",
    "Law",
    "MinimumWage",
    "Overtime",
    "RestDay",
    "RuleSet",
    "Source",
    "load_rules",
    "rules_versions",
]

_FIGURE = re.compile(r"[0-9]{1,13}(\.[0-9]{1,4})?")
_VERSION = re.compile(r"[0-9]{4}\.[0-9]{1,3}")


def _figure(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str) or not _FIGURE.fullmatch(value):
        raise ValueError('a figure is a decimal string such as "1.5" or "1700.00"')
    return Decimal(value)


Figure = Annotated[Decimal, BeforeValidator(_figure)]
Positive = Annotated[Decimal, BeforeValidator(_figure), Field(gt=0)]


class Source(StrictModel):
    """A legal or standard-setting instrument: its name, the provision, its date, its URL."""

    instrument: str = Field(min_length=1, max_length=300)
    provision: str | None = None
    date: IsoDate | Annotated[str, Field(pattern=r"^[0-9]{4}$")] | None = None
    url: str | None = None


class _Sourced(StrictModel):
    """Every figure names its sources; an unconfirmed one says why."""

    checked: list[str] = Field(default_factory=list)
    confirmed: bool
    why: str | None = None

    @model_validator(mode="after")
    def _why(self) -> _Sourced:
        if not self.confirmed and not self.why:
            raise ValueError("an unconfirmed figure says why (`why`)")
        return self


class Eti(_Sourced):
    ordinary_hours_per_week: Positive
    total_hours_per_week: Positive
    overtime_premium: Positive
    sources: list[Source] = Field(min_length=1)


class Ilo(_Sourced):
    max_period_days_non_monthly: int = Field(ge=1, le=31)
    sources: list[Source] = Field(min_length=1)


class EmployerPays(_Sourced):
    sources: list[Source] = Field(min_length=1)


class Overtime(StrictModel):
    """The legal overtime rate: ``multiplier`` times the ordinary rate, or times the basic
    wage (``base = "basic"``, as in Bangladesh), which a payroll line does not carry."""

    multiplier: Positive
    base: Literal["ordinary", "basic"]


class RestDay(StrictModel):
    """The legal rate for rest-day hours, as the line's rest-day rate must show it relative
    to the ordinary rate; ``monthly_paid`` where a monthly wage already pays the rest day
    and the law adds less on top (Malaysia, Thailand)."""

    multiplier: Positive
    monthly_paid: Positive | None = None


class Law(_Sourced):
    """A jurisdiction's labour-law figures in force from ``effective``."""

    effective: IsoDate = Field(alias="from")
    ordinary_hours_per_week: Positive | None
    total_hours_per_week: Positive | None
    overtime_hours_per_week: Positive | None
    overtime_hours_per_month: Positive | None
    overtime_cap_includes_rest_day: bool
    overtime: Overtime | None
    rest_day: RestDay | None
    max_period_days_non_monthly: int | None = Field(ge=1, le=31)
    pay_deadline_days: int | None = Field(ge=0, le=31)
    sources: list[Source] = Field(min_length=1)
    # The rules whose figures in this entry are the unconfirmed ones (their findings carry a
    # caveat saying so).
    unconfirmed_rules: list[str] = Field(default_factory=list)
    notes: str | None = None

    @model_validator(mode="after")
    def _unconfirmed(self) -> Law:
        if not self.confirmed and not self.unconfirmed_rules:
            raise ValueError("an unconfirmed law entry names the rules it affects")
        return self


class Basis(StrictModel):
    """How a minimum stated per month, week or day converts to an hour.

    Either a working week (``hours_per_week``, ``days_per_week``: a month is 52/12 weeks, as
    DOMAIN.md converts Malaysia's RM1,500 to RM7.21 = 1,500 x 12 / 52 / 48), or a country's
    monthly convention (``hours_per_month``, ``days_per_month``: Türkiye's 225 hours and 30
    days), and for daily minimums ``hours_per_day``.
    """

    hours_per_week: Positive | None = None
    days_per_week: Positive | None = None
    hours_per_month: Positive | None = None
    days_per_month: Positive | None = None
    hours_per_day: Positive | None = None


Per = Literal["hour", "day", "week", "month"]


class MinimumWage(_Sourced):
    effective: IsoDate = Field(alias="from")
    amount: Positive
    per: Per
    # The instrument's own hourly figure where it states one (Malaysia's orders, Vietnam's
    # decrees); otherwise the engine converts ``amount`` by ``basis``.
    hourly: Positive | None = None
    basis: Basis
    scope: str = Field(min_length=1)
    source: Source

    @model_validator(mode="after")
    def _convertible(self) -> MinimumWage:
        b = self.basis
        if self.hourly is None and self.per != "hour":
            needs = {
                "day": b.hours_per_day is not None,
                "week": b.hours_per_week is not None,
                "month": b.hours_per_month is not None or b.hours_per_week is not None,
            }
            if not needs[self.per]:
                raise ValueError(f"a minimum per {self.per} needs a basis to convert to an hour")
        return self


class Area(StrictModel):
    entries: list[MinimumWage] = Field(min_length=1)
    # The last day these rules vouch for: a period starting later may be under a revision
    # we have not shipped (the report says so).
    stale_after: IsoDate | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Area:
        dates = [entry.effective for entry in self.entries]
        if dates != sorted(set(dates)):
            raise ValueError("minimum-wage entries are in date order, one per date")
        return self

    def on(self, day: date) -> MinimumWage | None:
        """The entry in force on ``day`` (None before the first)."""
        found = None
        for entry in self.entries:
            if entry.effective <= day:
                found = entry
        return found


class Jurisdiction(StrictModel):
    name: str
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    law: list[Law] = Field(min_length=1)
    minimum_wages: dict[str, Area] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Jurisdiction:
        dates = [entry.effective for entry in self.law]
        if dates != sorted(set(dates)):
            raise ValueError("law entries are in date order, one per date")
        return self

    def law_on(self, day: date) -> Law | None:
        found = None
        for entry in self.law:
            if entry.effective <= day:
                found = entry
        return found


class RuleSet(StrictModel):
    """One version of the wage rules (see the module docstring)."""

    version: Annotated[str, Field(pattern=_VERSION.pattern)]
    published: IsoDate
    note: str | None = None
    currencies: dict[str, int]
    eti: Eti
    ilo: Ilo
    employer_pays: EmployerPays
    jurisdictions: dict[str, Jurisdiction]

    @model_validator(mode="after")
    def _consistent(self) -> RuleSet:
        for country, jurisdiction in self.jurisdictions.items():
            if not re.fullmatch(r"[A-Z]{2}", country):
                raise ValueError(f"jurisdiction {country!r} is not an ISO 3166-1 alpha-2 code")
            if jurisdiction.currency not in self.currencies:
                raise ValueError(f"{country}: currency {jurisdiction.currency} has no minor unit")
            for area in jurisdiction.minimum_wages:
                if area != country and not area.startswith(country + "-"):
                    raise ValueError(f"{country}: area {area} is not in the country")
        for currency, exponent in self.currencies.items():
            if not re.fullmatch(r"[A-Z]{3}", currency) or not 0 <= exponent <= 4:
                raise ValueError(f"currency {currency}: minor unit 0-4 decimal places")
        return self

    def minor_unit(self, currency: str) -> int | None:
        """Decimal places of ``currency``'s minor unit (ISO 4217), None if not in the table."""
        return self.currencies.get(currency)

    def country_paying_in(self, currency: str) -> str | None:
        """The one country these rules know whose currency is ``currency`` (MYR: MY), or
        None when none or several are (EUR, USD)."""
        found = [c for c, j in self.jurisdictions.items() if j.currency == currency]
        return found[0] if len(found) == 1 else None

    def known(self) -> list[str]:
        """Every jurisdiction and area these rules know (``MY``, ``IN``, ``IN-DL``, ...)."""
        found: list[str] = []
        for country, jurisdiction in self.jurisdictions.items():
            found.append(country)
            found.extend(a for a in jurisdiction.minimum_wages if a != country)
        return found


_PACKAGE = "domain.wages"


def rules_versions() -> list[str]:
    """The versions shipped, oldest first."""
    folder = resources.files(_PACKAGE).joinpath("rules")
    names = [p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json")]
    return sorted((n for n in names if _VERSION.fullmatch(n)), key=_version_key)


def _version_key(version: str) -> tuple[int, int]:
    year, number = version.split(".")
    return int(year), int(number)


@cache
def load_rules(version: str | None = None) -> RuleSet:
    """The shipped rules of ``version`` (default: the newest).

    Raises:
        RulesVersionUnknown: no such version is shipped.
    """
    known = rules_versions()
    chosen = version if version is not None else known[-1]
    if chosen not in known:
        raise RulesVersionUnknown(chosen, known)
    data = resources.files(_PACKAGE).joinpath("rules", chosen + ".json").read_bytes()
    rules = RuleSet.model_validate_json(data)
    if rules.version != chosen:
        raise ValueError(f"rules file {chosen}.json says it is version {rules.version}")
    return rules
