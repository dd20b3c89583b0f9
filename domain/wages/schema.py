"""Payload schemas of the wage kinds, version ``wage/v1`` and ``wage-ack/v1``.

A payroll run is one signed envelope of kind ``wage`` per worker line, each its own leaf, so
a worker's receipt for their own line reveals nothing about any other line (see
``docs/architecture.md``, "Wages"). Every line names its run (id, facility, pay period,
currency, number of lines), so a run is identified and listed as a whole and admitted all
or nothing. Amounts and hours are decimal strings (never JSON numbers: no float ever
touches a wage); a worker is named by their own did:key or, without a wallet, by a salted
commitment: never by a name or a document number.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, Strict, model_validator

from ..schema import CountryCode, DidKey, FacilityId, IsoDate, RecordRef, ShortText, StrictModel

__all__ = [
    "DEDUCTION_KINDS",
    "AckReason",
    "AckStatus",
    "Deduction",
    "Deductions",
    "Hours",
    "Money",
    "PayBasis",
    "PaymentMethod",
    "Rates",
    "RunRef",
    "WageAckPayload",
    "WageLinePayload",
    "WeekHours",
    "WorkerRef",
]

_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,11})(\.[0-9]{1,4})?")


Money = Annotated[Decimal, Strict()]
"""An amount: a decimal string in JSON (``"1500.00"``), a ``Decimal`` in memory. The strings of
a line are turned into ``Decimal`` in one pass before validation (:func:`_amounts`: a
function call per field would cost more than the line's signature check); anything else
left in an amount's place (a JSON number, a malformed string) fails there, by its path."""
Hours = Annotated[Decimal, Strict(), Field(le=7 * 24)]


def _amount(value: object) -> object:
    """A well-formed decimal string as ``Decimal``; anything else unchanged (so that strict
    validation refuses it at its own path)."""
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return Decimal(value)
    return value


def _map(value: Any, convert: Any) -> Any:
    return convert(value) if isinstance(value, dict) else value


def _amounts_of(members: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: (_amount(v) if k in names else v) for k, v in members.items()}


def line_with_decimals(data: Any) -> Any:
    """A copy of a ``wage/v1`` line (as parsed JSON) with its amounts and hours as
    ``Decimal``; the input, an envelope's signed payload, is never changed."""
    if not isinstance(data, dict):
        return data
    figures = ("ordinary", "overtime", "restDay")
    line = _amounts_of(data, ("gross", "net", "feesRepaid", "feesFound"))
    if "rates" in data:
        line["rates"] = _map(data["rates"], lambda r: _amounts_of(r, figures))
    if isinstance(data.get("weeks"), list):
        line["weeks"] = [_map(w, lambda w: _amounts_of(w, figures)) for w in data["weeks"]]
    if isinstance(data.get("deductions"), dict):
        line["deductions"] = {
            k: _map(d, lambda d: _amounts_of(d, ("amount",))) for k, d in data["deductions"].items()
        }
    return line


Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]  # ISO 4217


class PaymentMethod(StrEnum):
    BANK = "bank"
    CASH = "cash"
    MOBILE = "mobile-money"
    CHEQUE = "cheque"


class PayBasis(StrEnum):
    """How the worker's pay is fixed (ILO R85 sets the pay frequency by it)."""

    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    PIECE = "piece"


class WorkerRef(StrictModel):
    """The worker, pseudonymously: their wallet's did:key, or a salted commitment (64 hex,
    HMAC-SHA256 of an employer-held worker number under a per-worker salt the worker keeps)."""

    did: DidKey | None = None
    commitment: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None

    @model_validator(mode="after")
    def _one(self) -> WorkerRef:
        if (self.did is None) == (self.commitment is None):
            raise ValueError("a worker is named by exactly one of did or commitment")
        return self

    @property
    def id(self) -> str:
        return self.did if self.did is not None else "commitment:" + str(self.commitment)


class RunRef(StrictModel):
    """The payroll run a line belongs to (identical in every line of the run)."""

    id: Annotated[str, Field(pattern=r"^urn:uuid:[0-9a-f-]{36}$")]
    facility: FacilityId
    country: CountryCode
    period_start: IsoDate
    period_end: IsoDate
    currency: Currency
    lines: int = Field(ge=1, le=100_000)
    corrects: Annotated[str, Field(pattern=r"^urn:uuid:[0-9a-f-]{36}$")] | None = None
    # Where the country's minimum wage differs by area: the area the facility is in, as the
    # wage rules key it (an ISO 3166-2 code such as IN-DL or TH-10; VN-I..VN-IV for
    # Vietnam's four regions). None where one national minimum applies.
    area: Annotated[str, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,4}$")] | None = None

    @model_validator(mode="after")
    def _period(self) -> RunRef:
        if self.area is not None and not self.area.startswith(self.country + "-"):
            raise ValueError(f"area {self.area} is not in country {self.country}")
        if self.period_end < self.period_start:
            raise ValueError("periodEnd is before periodStart")
        if (self.period_end - self.period_start).days > 31:
            raise ValueError("a pay period is at most a month")
        return self


class Rates(StrictModel):
    """Hourly rates, in the run's currency."""

    ordinary: Money
    overtime: Money
    rest_day: Money


class WeekHours(StrictModel):
    """Hours worked in one week of the period (the last week may be partial)."""

    ordinary: Hours
    overtime: Hours
    rest_day: Hours


class Deduction(StrictModel):
    amount: Money
    reason: ShortText
    # For damage: the record (an anchored incident or audit finding) showing the worker
    # responsible; ILO R85 allows a deduction for loss or damage only then.
    record: RecordRef | None = None


DEDUCTION_KINDS = (
    "tax", "socialSecurity", "accommodation", "food", "loanRepayment", "recruitmentFee",
    "damage", "other",
)  # fmt: skip


class Deductions(StrictModel):
    tax: Deduction | None = None
    social_security: Deduction | None = None
    accommodation: Deduction | None = None
    food: Deduction | None = None
    loan_repayment: Deduction | None = None
    recruitment_fee: Deduction | None = None
    damage: Deduction | None = None
    other: Deduction | None = None

    def total(self) -> Decimal:
        return sum(
            (d.amount for d in (getattr(self, n) for n in type(self).model_fields) if d),
            Decimal(0),
        )


class WageLinePayload(StrictModel):
    schema_id: Literal["wage/v1"] = Field(alias="schema")
    run: RunRef
    line: int = Field(ge=1, le=100_000)
    worker: WorkerRef
    rates: Rates
    weeks: list[WeekHours] = Field(min_length=1, max_length=5)
    gross: Money
    deductions: Deductions = Field(default_factory=Deductions)
    net: Money
    paid_on: IsoDate
    method: PaymentMethod
    # Monthly-paid workers may be paid once a month; hourly, daily and weekly-paid (and
    # piece-rated) workers at least twice (ILO R85). None: not stated.
    pay_basis: PayBasis | None = None
    # Recruitment fees the worker paid an agent that the employer repays with this line
    # (Employer Pays Principle): repaid now, and what the worker paid in all (as found).
    fees_repaid: Money | None = None
    fees_found: Money | None = None

    @model_validator(mode="before")
    @classmethod
    def _decimals(cls, data: Any) -> Any:
        return line_with_decimals(data)

    @model_validator(mode="after")
    def _consistent(self) -> WageLinePayload:
        if self.line > self.run.lines:
            raise ValueError(f"line {self.line} of a run of {self.run.lines} lines")
        if self.fees_repaid is not None and self.fees_found is None:
            raise ValueError("feesRepaid needs feesFound (what the worker paid the agent)")
        return self


class AckStatus(StrEnum):
    RECEIVED = "received"
    DISPUTED = "disputed"


class AckReason(StrEnum):
    UNDERPAID = "underpaid"
    HOURS_WRONG = "hours-wrong"
    DEDUCTION_NOT_AGREED = "deduction-not-agreed"
    NOT_PAID = "not-paid"
    PAID_LATE = "paid-late"
    OTHER = "other"


class WageAckPayload(StrictModel):
    """The worker's own acknowledgement of their line, signed with their wallet key."""

    schema_id: Literal["wage-ack/v1"] = Field(alias="schema")
    line: RecordRef  # the record id (leaf) of the worker's wage line
    status: AckStatus
    reasons: list[AckReason] = Field(default_factory=list, max_length=6)
    device: Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")] | None = None

    @model_validator(mode="after")
    def _reasons(self) -> WageAckPayload:
        if self.status == AckStatus.DISPUTED and not self.reasons:
            raise ValueError("a dispute names at least one reason")
        if self.status == AckStatus.RECEIVED and self.reasons:
            raise ValueError("a receipt names no dispute reasons")
        if len(set(self.reasons)) != len(self.reasons):
            raise ValueError("each reason once")
        return self
