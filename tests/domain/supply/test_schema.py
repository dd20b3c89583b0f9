"""The supply kinds' payloads without a database: Open Supply Hub ids (shared/DOMAIN.md,
"Facilities"), profiles, links and their periods."""

from __future__ import annotations

from typing import Any

import pytest

from domain.supply import FacilityHandler, SupplyConfirmHandler, SupplyLinkHandler
from domain.supply.errors import SelfLink
from ledger.errors import SchemaViolation
from tests.domain.supply.builders import FACILITY, profile


def parse_facility(**changes: Any) -> Any:
    payload = {"schema": "facility/v1", "facility": profile(**changes)}
    return FacilityHandler().parse(payload).value.facility


@pytest.mark.parametrize(
    ("osh_id", "kept"),
    [
        ("IN2019067X1K87E", "IN2019067X1K87E"),  # DOMAIN.md's example
        ("MY2020366ABCDEF", "MY2020366ABCDEF"),  # a leap year's last day
        ("IN-2019-067-X1K87E", "IN2019067X1K87E"),  # hyphens, as OS Hub prints them
    ],
)
def test_a_well_formed_open_supply_hub_id_is_kept(osh_id: str, kept: str) -> None:
    assert parse_facility(oshId=osh_id).osh_id == kept


@pytest.mark.parametrize(
    "osh_id",
    [
        "IN2019067X1K87",  # 14 characters
        "IN2019067X1K87EE",  # 16
        "XX2019067X1K87E",  # no such country
        "in2019067X1K87E",  # lower case country
        "IN2019367X1K87E",  # day 367
        "IN2019000X1K87E",  # day 000
        "IN20190A7X1K87E",  # a letter in the day
        "IN2019067X1K87!",  # not base 32 (nor a check character)
    ],
)
def test_a_malformed_open_supply_hub_id_is_a_schema_violation(osh_id: str) -> None:
    with pytest.raises(SchemaViolation) as caught:
        parse_facility(oshId=osh_id)
    assert caught.value.field == "payload.facility.oshId"
    assert caught.value.code == "schema_violation"


def test_a_profile_names_a_country_and_no_alias_of_itself() -> None:
    with pytest.raises(SchemaViolation, match="ISO 3166"):
        parse_facility(country="ZZ")
    with pytest.raises(SchemaViolation, match="alias of itself"):
        parse_facility(aliases=[FACILITY])
    with pytest.raises(SchemaViolation, match="workerCount"):
        parse_facility(workerCount=-1)


def link(**changes: Any) -> dict[str, Any]:
    return {
        "schema": "supply-link/v1", "buyer": "brand-nordwear", "supplier": FACILITY,
        "product": "PCB assemblies", "period": {"from": "2026-01-01", "to": "2026-06-30"},
        **changes,
    }  # fmt: skip


def test_a_link_is_filed_under_its_buyer_and_refuses_itself_and_bad_ids() -> None:
    handler = SupplyLinkHandler()
    assert handler.parse(link()).subject == "brand-nordwear"
    with pytest.raises(SelfLink) as caught:
        handler.parse(link(supplier="brand-nordwear"))
    assert caught.value.code == "supply_link_to_self"
    with pytest.raises(SchemaViolation, match=r"payload\.supplier"):
        handler.parse(link(supplier="fac with spaces"))
    with pytest.raises(SchemaViolation, match=r"before period\.from"):
        handler.parse(link(period={"from": "2026-06-30", "to": "2026-01-01"}))
    with pytest.raises(SchemaViolation, match=r"payload\.period\.from"):
        handler.parse(link(period={"from": "2026/01/01", "to": "2026-06-30"}))


def test_the_kinds_are_scoped_where_their_signer_stands() -> None:
    assert (FacilityHandler.code, FacilityHandler.scope) == (9, "facility.id")
    assert (SupplyLinkHandler.code, SupplyLinkHandler.scope) == (4, "buyer")
    assert (SupplyConfirmHandler.code, SupplyConfirmHandler.scope) == (10, "supplier")
    with pytest.raises(SchemaViolation, match=r"payload\.link"):
        SupplyConfirmHandler().parse({"schema": "supply-confirm/v1", "link": "x", "supplier": "a1"})
