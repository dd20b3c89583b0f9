"""Payloads of the supply kinds: ``facility/v1``, ``supply-link/v1``, ``supply-confirm/v1``.

Facility ids are ours (``fac-my-penang-pcb-03``); an Open Supply Hub id is optional and
checked for its format (shared/DOMAIN.md, "Facilities": country, year, day of year 001-366,
5 base-32 characters, 1 check character). DOMAIN.md defines no rule for the check
character, so it is not computed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..schema import (
    CountryCode,
    FacilityId,
    IsoDate,
    OshId,
    RecordRef,
    ShortText,
    StrictModel,
    Text,
)

__all__ = ["FacilityPayload", "FacilityProfile", "SupplyConfirmPayload", "SupplyLinkPayload"]

BRAND_SECTORS = frozenset({"brand", "retail"})
"""A facility record whose sector is one of these is a brand (``GET /v1/brands``)."""


class FacilityProfile(StrictModel):
    id: FacilityId
    osh_id: OshId | None = None
    name: ShortText
    country: CountryCode
    address: Text | None = None
    sector: ShortText | None = None
    product_type: ShortText | None = None
    processing_type: ShortText | None = None
    worker_count: int | None = Field(default=None, ge=0, le=1_000_000)
    parent_company: ShortText | None = None
    # Ids merged into this facility: each resolves here from now on.
    aliases: list[FacilityId] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _aliases(self) -> FacilityProfile:
        if self.id in self.aliases:
            raise ValueError("a facility is not an alias of itself")
        if len(set(self.aliases)) != len(self.aliases):
            raise ValueError("each alias once")
        return self


class FacilityPayload(StrictModel):
    """A brand's or employer's own facility, registered or updated (the whole profile:
    the latest record's fields count; aliases only accumulate)."""

    schema_id: Literal["facility/v1"] = Field(alias="schema")
    facility: FacilityProfile


class Period(StrictModel):
    start: IsoDate = Field(alias="from")
    end: IsoDate = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("period.to is before period.from")
        return self


class SupplyLinkPayload(StrictModel):
    """The buyer (who signs) buys ``product`` from the supplier over ``period``."""

    schema_id: Literal["supply-link/v1"] = Field(alias="schema")
    buyer: FacilityId
    supplier: FacilityId
    product: ShortText
    period: Period
    purchase_order: ShortText | None = None


class SupplyConfirmPayload(StrictModel):
    """The supplier countersigns a link; ``supplier`` is where its signer's scope is read."""

    schema_id: Literal["supply-confirm/v1"] = Field(alias="schema")
    link: RecordRef
    supplier: FacilityId
