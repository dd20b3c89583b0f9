"""Pieces every kind's payload schema uses: strict camelCase models, ids, countries, dates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

import pycountry
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
)
from pydantic.alias_generators import to_camel

from ledger.errors import SchemaViolation
from ledger.keys import VerifyKey
from ledger.timeutil import RFC3339

__all__ = [
    "CountryCode",
    "DidKey",
    "FacilityId",
    "IsoDate",
    "OshId",
    "RecordRef",
    "Sha256Hex",
    "StrictModel",
    "Timestamp",
    "parse_model",
]

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """JSON in camelCase, unknown fields refused, values never coerced across types."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        strict=False,
        frozen=True,
        str_strip_whitespace=False,
    )


def parse_model(model: type[M], payload: Mapping[str, Any], *, prefix: str = "payload") -> M:
    """Validate ``payload`` into ``model``.

    Raises:
        SchemaViolation: the first error, with its dotted path (``payload.findings.0.severity``).
    """
    try:
        return model.model_validate(dict(payload))
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join([prefix, *(str(p) for p in first["loc"])])
        message = first["msg"]
        if first["type"] == "is_instance_of" and first.get("ctx", {}).get("class") == "Decimal":
            # An amount not converted from its decimal string (the schema's own pass did
            # that for the well-formed ones): say what the JSON should hold.
            message = (
                'must be a decimal string with at most 4 decimal places, e.g. "1500.00" '
                "(no sign, no exponent, no JSON number)"
            )
        raise SchemaViolation(f"{path}: {message}", field=path) from None


_COUNTRIES = frozenset(country.alpha_2 for country in pycountry.countries)


def _country(value: str) -> str:
    if value not in _COUNTRIES:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return value


_OSH = re.compile(r"^[A-Z]{2}[0-9]{4}[0-9]{3}[0-9A-Z]{6}$")


def _osh_id(value: str) -> str:
    """Open Supply Hub id: country, year, day of year, 5 base-32 characters, 1 check character
    (hyphens allowed between the parts, as OS Hub prints them). The format is checked; the
    check character is not, because published examples do not all satisfy it."""
    compact = value.replace("-", "")
    if not _OSH.match(compact):
        raise ValueError("an Open Supply Hub id is 15 characters, e.g. IN2019067X1K87E")
    _country(compact[:2])
    if not 1 <= int(compact[6:9]) <= 366:
        raise ValueError("day of year in an Open Supply Hub id is 001-366")
    return compact


def _did_key(value: str) -> str:
    VerifyKey.from_did(value)  # raises InvalidKey (a ValueError)
    return value


CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"), AfterValidator(_country)]
OshId = Annotated[str, AfterValidator(_osh_id)]
FacilityId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{1,63}$")]
DidKey = Annotated[
    str, StringConstraints(pattern=r"^did:key:z[1-9A-HJ-NP-Za-km-z]+$"), AfterValidator(_did_key)
]
RecordRef = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-f]{64}$")]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _rfc3339(value: object) -> object:
    # pydantic alone also takes "20261201T200000Z", 9-digit fractions and Unix numbers.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not RFC3339.fullmatch(value):
        raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2026-12-01T20:00:00Z")
    return value


def _iso_date(value: object) -> object:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("must be an ISO 8601 calendar date, e.g. 2026-12-01")
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
