"""The facility registry and supply links through the API on a real ledger (embedded EVM;
SQLite and PostgreSQL): facilities registered by their own brand or scoped employer and
named by audits, merged ids resolving to the surviving facility, links signed by the buyer
and confirmed by the supplier, and every refused record leaving the state as it was."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from tests.api.state import changed, snapshot
from tests.credentials.worker_support import accredited
from tests.domain.supply.builders import (
    BRAND,
    FACILITY,
    SUPPLIER,
    brand_of,
    confirmation,
    employer_of,
    facility_record,
    profile,
    supply_link,
)
from tests.ledger.helpers import signed_audit

BRAND_PROFILE = profile(BRAND, oshId=None, name="Nordwear AB", country="SE",
                        address="Sveavägen 1, Stockholm", sector="brand", productType=None,
                        processingType=None, workerCount=None)  # fmt: skip


@pytest.fixture
def brand(ledger: Ledger, client: TestClient) -> SigningKey:
    """A brand key scoped to its own id, the brand registered."""
    key = brand_of(ledger)
    created(client.post("/v1/facilities", json=facility_record(key, BRAND_PROFILE)))
    return key


@pytest.fixture
def employer(ledger: Ledger) -> SigningKey:
    return employer_of(ledger, FACILITY)


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def refused(client: TestClient, ledger: Ledger, target: str, envelope: Any, code: str) -> None:
    """``envelope`` posted to ``target`` is refused with ``code`` and changes nothing."""
    before = snapshot(ledger)
    response = client.post(target, json=envelope)
    assert response.status_code in (401, 403, 404, 409, 422), response.text
    assert response.json()["code"] == code, response.json()
    assert changed(before, snapshot(ledger)) == {}


def test_an_audit_registers_its_facility(
    client: TestClient, auditor: SigningKey, employer: SigningKey
) -> None:
    created(client.post("/v1/attestations", json=signed_audit(auditor).to_dict()))
    facility = client.get("/v1/facilities/fac-bd-dhaka-knit-01").json()
    assert facility["name"] == "Dhaka Knitwear Ltd, Unit 1"
    assert (facility["country"], facility["oshId"], facility["source"]) == (
        "BD", "BD2021048K7Q2MY", "audit",
    )  # fmt: skip
    assert client.get("/v1/facilities", params={"country": "MY"}).json() == {"facilities": []}
    (listed,) = client.get("/v1/facilities", params={"country": "BD"}).json()["facilities"]
    assert listed["id"] == "fac-bd-dhaka-knit-01"

    # A facility that registered itself keeps its own fields when an audit names it.
    created(client.post("/v1/facilities", json=facility_record(employer, profile(oshId=None))))
    audit = signed_audit(auditor, facility={"id": FACILITY, "name": "Old name", "country": "MY",
                                            "oshId": "MY2020123ABCDEF"})  # fmt: skip
    created(client.post("/v1/attestations", json=audit.to_dict()))
    own = client.get(f"/v1/facilities/{FACILITY}").json()
    assert (own["name"], own["source"]) == (profile()["name"], "facility")
    assert own["oshId"] == "MY2020123ABCDEF"  # a missing OSH id is filled in


def test_a_scoped_employer_registers_and_updates_its_facility(
    client: TestClient, employer: SigningKey, brand: SigningKey
) -> None:
    response = client.post("/v1/facilities", json=facility_record(employer, profile()))
    assert created(response)["status"] == "pending"
    assert response.headers["location"] == f"/v1/facilities/{FACILITY}"
    facility = client.get(f"/v1/facilities/{FACILITY}").json()
    assert facility["workerCount"] == 1200 and facility["productType"] == "printed circuit boards"
    created(
        client.post("/v1/facilities", json=facility_record(employer, profile(workerCount=1350)))
    )
    assert client.get(f"/v1/facilities/{FACILITY}").json()["workerCount"] == 1350

    assert client.get("/v1/brands").json() == {"brands": [{"id": BRAND, "name": "Nordwear AB"}]}
    assert client.get(f"/v1/facilities/{BRAND}").json()["country"] == "SE"
    assert client.get("/v1/facilities/fac-nowhere").json()["code"] == "facility_unknown"
    assert client.get("/v1/facilities/fac-nowhere").status_code == 404


@pytest.mark.parametrize(
    ("signer", "changes", "code"),
    [
        ("unscoped employer", {}, "not_in_scope"),
        ("employer of another facility", {}, "not_in_scope"),
        ("brand for another id", {}, "not_in_scope"),
        ("auditor", {}, "not_accredited"),
        ("employer", {"oshId": "MY2020367ABCDEF"}, "schema_violation"),
        ("employer", {"oshId": "MY2020123ABCDE"}, "schema_violation"),
        ("employer", {"country": "XX"}, "schema_violation"),
    ],
)
def test_a_refused_registration_changes_nothing(
    client: TestClient, ledger: Ledger, employer: SigningKey, signer: str,
    changes: dict[str, Any], code: str,
) -> None:  # fmt: skip
    key = {
        "unscoped employer": lambda: accredited(ledger, Role.EMPLOYER),
        "employer of another facility": lambda: employer_of(ledger, SUPPLIER),
        "brand for another id": lambda: brand_of(ledger),
        "auditor": lambda: accredited(ledger, Role.AUDITOR),
        "employer": lambda: employer,
    }[signer]()
    refused(client, ledger, "/v1/facilities", facility_record(key, profile(**changes)), code)


def test_a_merged_id_resolves_to_the_surviving_facility(
    client: TestClient, ledger: Ledger, brand: SigningKey, employer: SigningKey
) -> None:
    old = "fac-my-penang-pcb-3"  # a duplicate: a link named the plant under another id
    link = created(client.post("/v1/supply-links", json=supply_link(brand, BRAND, old)))
    assert client.get(f"/v1/facilities/{old}").json()["source"] == "supply-link"  # a stub

    merged = profile(aliases=[old])
    created(client.post("/v1/facilities", json=facility_record(employer, merged)))
    facility = client.get(f"/v1/facilities/{old}").json()
    assert (facility["id"], facility["aliases"]) == (FACILITY, [old])
    assert [f["id"] for f in client.get("/v1/facilities").json()["facilities"]] == [
        BRAND, FACILITY,
    ]  # fmt: skip
    (buyer,) = client.get(f"/v1/facilities/{old}/buyers").json()["links"]
    assert (buyer["id"], buyer["supplier"], buyer["confirmed"]) == (link["id"], FACILITY, False)

    # The old id is taken now: registering it again, or merging it elsewhere, is refused.
    refused(client, ledger, "/v1/facilities",
            facility_record(employer_of(ledger, old), profile(old)), "facility_merged")  # fmt: skip
    other = employer_of(ledger, SUPPLIER)
    refused(client, ledger, "/v1/facilities",
            facility_record(other, profile(SUPPLIER, aliases=[old])), "merge_refused")  # fmt: skip
    # Nor is another key's own registered facility this key's to merge.
    refused(client, ledger, "/v1/facilities",
            facility_record(other, profile(SUPPLIER, aliases=[BRAND])), "merge_refused")  # fmt: skip


def test_a_link_is_unconfirmed_until_the_supplier_countersigns(
    client: TestClient, brand: SigningKey, employer: SigningKey
) -> None:
    response = client.post("/v1/supply-links", json=supply_link(brand, BRAND))
    link = created(response)
    assert response.headers["location"] == f"/v1/supply-links/{link['id']}"
    # The supplier was not registered: the link registers it as a stub.
    stub = client.get(f"/v1/facilities/{FACILITY}").json()
    assert (stub["source"], stub["name"]) == ("supply-link", None)

    (supplier,) = client.get(f"/v1/facilities/{BRAND}/suppliers").json()["links"]
    assert supplier == {
        "id": link["id"], "buyer": BRAND, "supplier": FACILITY,
        "product": "PCB assemblies, model NW-7",
        "period": {"from": "2026-01-01", "to": "2026-12-31"},
        "purchaseOrder": "PO-2026-0042", "confirmed": False, "confirmationId": None,
    }  # fmt: skip
    assert client.get(f"/v1/facilities/{BRAND}/buyers").json()["links"] == []

    target = f"/v1/supply-links/{link['id']}/confirm"
    confirmed = created(client.post(target, json=confirmation(employer, link["id"])))
    (buyer,) = client.get(f"/v1/facilities/{FACILITY}/buyers").json()["links"]
    assert (buyer["confirmed"], buyer["confirmationId"]) == (True, confirmed["id"])
    assert client.get(f"/v1/supply-links/{link['id']}").json()["confirmed"] is True

    # An employer's facility buys too (a supplier one tier up); unconfirmed is shown so.
    tier2 = created(client.post("/v1/supply-links", json=supply_link(employer, FACILITY, SUPPLIER)))
    (upstream,) = client.get(f"/v1/facilities/{FACILITY}/suppliers").json()["links"]
    assert (upstream["id"], upstream["confirmed"]) == (tier2["id"], False)


NO_LINK = "0x" + "ab" * 32


@pytest.mark.parametrize(
    "case",
    [
        "link to itself",
        "link to itself by an alias",
        "malformed supplier id",
        "unregistered buyer",
        "link by an auditor",
        "link by an employer not scoped to the buyer",
        "confirmation by a key not scoped to the supplier",
        "confirmation naming another supplier",
        "confirmation by a brand",
        "confirming twice",
        "confirming a link that does not exist",
        "confirmation of another link than the path's",
    ],
)
def test_a_refused_link_or_confirmation_changes_nothing(
    client: TestClient, ledger: Ledger, brand: SigningKey, employer: SigningKey, case: str
) -> None:
    link = created(client.post("/v1/supply-links", json=supply_link(brand, BRAND)))["id"]
    confirm = f"/v1/supply-links/{link}/confirm"
    post: tuple[str, dict[str, Any], str]
    if case == "link to itself":
        post = ("/v1/supply-links", supply_link(brand, BRAND, BRAND), "supply_link_to_self")
    elif case == "link to itself by an alias":
        own = profile(FACILITY, aliases=["fac-my-penang-pcb-3"])
        created(client.post("/v1/facilities", json=facility_record(employer, own)))
        post = ("/v1/supply-links", supply_link(employer, FACILITY, "fac-my-penang-pcb-3"),
                "supply_link_to_self")  # fmt: skip
    elif case == "malformed supplier id":
        post = ("/v1/supply-links", supply_link(brand, BRAND, "fac my penang"), "schema_violation")
    elif case == "unregistered buyer":
        post = ("/v1/supply-links", supply_link(brand_of(ledger, "brand-unregistered"),
                                                "brand-unregistered"), "facility_unknown")  # fmt: skip
    elif case == "link by an auditor":
        post = ("/v1/supply-links", supply_link(accredited(ledger, Role.AUDITOR), BRAND),
                "not_accredited")  # fmt: skip
    elif case == "link by an employer not scoped to the buyer":
        post = ("/v1/supply-links", supply_link(employer, BRAND), "not_in_scope")
    elif case == "confirmation by a key not scoped to the supplier":
        post = (confirm, confirmation(employer_of(ledger, SUPPLIER), link), "not_in_scope")
    elif case == "confirmation naming another supplier":
        post = (confirm, confirmation(employer_of(ledger, SUPPLIER), link, SUPPLIER),
                "not_the_supplier")  # fmt: skip
    elif case == "confirmation by a brand":
        post = (confirm, confirmation(brand, link, BRAND), "not_accredited")
    elif case == "confirming twice":
        created(client.post(confirm, json=confirmation(employer, link)))
        post = (confirm, confirmation(employer, link), "already_confirmed")
    elif case == "confirming a link that does not exist":
        post = (f"/v1/supply-links/{NO_LINK}/confirm", confirmation(employer, NO_LINK),
                "supply_link_unknown")  # fmt: skip
    else:
        post = (f"/v1/supply-links/{NO_LINK}/confirm", confirmation(employer, link),
                "schema_violation")  # fmt: skip
    refused(client, ledger, *post)
    if case != "confirming twice":
        (shown,) = client.get(f"/v1/facilities/{BRAND}/suppliers").json()["links"]
        assert shown["confirmed"] is False
