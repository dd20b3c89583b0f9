"""Each page from a fresh demo, in Chromium: it loads, its main action works, it is
accessible (axe: no serious or critical violation), it fits a phone, and it leaves a
screenshot. What a page shows is compared with the JSON route that serves the same view."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from api.pages.home import WAYS_IN
from api.pages.render import IMPORT_MAP

from .conftest import assert_accessible, fits_the_screen, shoot

pytestmark = pytest.mark.browser


def test_home_is_a_way_in_for_every_user(page: Page, phone: Page) -> None:
    response = page.goto("/")
    assert response is not None and response.status == 200
    assert page.get_attribute("html", "lang") == "en"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    ways = page.locator("ul.ways a")
    assert [ways.nth(i).get_attribute("href") for i in range(ways.count())] == [
        href for _, href in WAYS_IN
    ]
    assert_accessible(page)
    shoot(page, "home-desktop")
    page.locator("main").get_by_role("link", name=re.compile("^Lender")).click()
    expect(page).to_have_url(re.compile(r"/lenders$"))
    page.go_back()
    page.locator("main").get_by_role("link", name=re.compile("^Brand Trace")).click()
    expect(page).to_have_url(re.compile(r"/brands$"))

    phone.goto("/")
    assert fits_the_screen(phone)
    assert_accessible(phone)
    shoot(phone, "home-phone")


def _ranked(page: Page) -> list[tuple[str, float]]:
    rows = page.locator("table.ranking tbody tr")
    found = []
    for i in range(rows.count()):
        facility = rows.nth(i).locator("th code").inner_text()
        found.append((facility, float(rows.nth(i).locator("td.score").inner_text())))
    return found


def test_lenders_rank_suppliers_and_filter_them(page: Page, phone: Page, server: str) -> None:
    page.goto("/lenders")
    api = httpx.get(f"{server}/v1/lenders/suppliers").json()["suppliers"]
    assert len(api) >= 6, "the demo keeps score snapshots of its six facilities"
    assert _ranked(page) == [(s["facility"], float(s["score"])) for s in api]
    assert_accessible(page)
    shoot(page, "lenders-desktop")

    page.get_by_label("Minimum score").fill("45")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"min_score=45"))
    expected = httpx.get(f"{server}/v1/lenders/suppliers", params={"min_score": 45}).json()
    kept = [(s["facility"], float(s["score"])) for s in expected["suppliers"]]
    assert 0 < len(kept) < len(api), "the demo has scores on both sides of 45"
    expect(page.locator("table.ranking tbody tr")).to_have_count(len(kept))
    assert _ranked(page) == kept

    page.get_by_label("Minimum score").fill("")
    page.get_by_label("Country").select_option("BD")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"country=BD"))
    expect(page.locator("table.ranking tbody tr")).to_have_count(2)  # Dhaka and Gazipur
    assert {f for f, _ in _ranked(page)} == {"fac-bd-dhaka-knit-01", "fac-bd-gazipur-fabric-06"}
    assert_accessible(page)
    shoot(page, "lenders-filtered")

    response = page.goto("/lenders?min_score=150")
    assert response is not None and response.status == 422
    expect(page.get_by_role("alert")).to_contain_text("not a number from 0 to 100")
    assert len(_ranked(page)) == len(api), "a wrong filter is not applied"

    phone.goto("/lenders")
    assert fits_the_screen(phone)
    assert_accessible(phone)
    shoot(phone, "lenders-phone")


def test_a_facility_page_breaks_the_score_down(page: Page, phone: Page, server: str) -> None:
    facility = "fac-my-penang-pcb-03"
    page.goto("/lenders")
    page.locator("table.ranking").get_by_role(
        "link", name="Penang Circuit Assembly Sdn Bhd", exact=True
    ).click()
    expect(page).to_have_url(re.compile(f"/facilities/{facility}$"))
    api = httpx.get(f"{server}/v1/facilities/{facility}/score").json()
    expect(page.locator("#score-value")).to_have_text(f"{api['score']} out of 100")
    for component in api["components"]:
        row = page.locator(f"#component-{component['name']}")
        expect(row.locator(".points")).to_have_text(f"{component['value']} / {component['weight']}")
    assert api.get("cap"), "Penang's open passport-retention finding caps its score"
    expect(page.get_by_role("note")).to_contain_text(f"Capped at {api['cap']['limit']}")
    # Missing evidence is named in words in its component's row.
    for component in api["components"]:
        for missing in component["inputs"]["missing"]:
            (
                expect(page.locator(f"#component-{component['name']} td.missing")).not_to_have_text(
                    "none"
                ),
                missing,
            )
    history = api["history"]
    assert len(history) == 2, "the demo snapshots every facility twice"
    chart = page.locator("figure.chart svg")
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("circle.snapshot")).to_have_count(len(history))
    links = page.locator("table.snapshots a", has_text="Receipt")
    expect(links).to_have_count(len(history))
    href = links.first.get_attribute("href")
    assert href == f"/v1/records/{history[0]['record']}/receipt"
    receipt = httpx.get(server + href).json()
    assert receipt["envelope"]["kind"] == "score" and receipt["proof"] is not None
    assert_accessible(page)
    shoot(page, "facility-desktop")

    phone.goto(f"/facilities/{facility}")
    assert fits_the_screen(phone)
    assert_accessible(phone)
    shoot(phone, "facility-phone")


def test_a_brand_trace_opens_a_node_to_its_evidence(page: Page, phone: Page, server: str) -> None:
    page.goto("/brands")
    assert_accessible(page)
    page.get_by_role("link", name="Nordwear AB").click()
    expect(page).to_have_url(re.compile("/brands/brand-nordwear$"))
    trace = httpx.get(f"{server}/v1/brands/brand-nordwear/trace").json()
    tiers = sorted({n["tier"] for n in trace["nodes"]})
    assert tiers == [0, 1, 2, 3]
    for tier in tiers:
        expect(page.locator(f"#tier-{tier}")).to_be_visible()
    for node in trace["nodes"]:
        card = page.locator(f'li.node[data-facility="{node["facility"]}"]')
        expect(card).to_have_count(1)
        expect(card.locator(".risk")).to_have_text(re.compile(r"^(High|Medium|Low) risk$"))

    # The Gazipur mill has no evidence at all: high risk, each gap in words.
    gazipur = page.locator('li.node[data-facility="fac-bd-gazipur-fabric-06"]')
    expect(gazipur.locator(".risk")).to_have_text("High risk")
    for gap in ("no audit", "no wage records", "no credentialed workers"):
        expect(gazipur.locator("p.missing")).to_contain_text(gap)
    # Colour repeats what the words say, never alone: the levels differ in colour too.
    colours = {
        level: page.locator(f".legend .risk-{level}").evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for level in ("high", "medium", "low")
    }
    assert len(set(colours.values())) == 3, colours

    dhaka = page.locator('li.node[data-facility="fac-bd-dhaka-knit-01"]')
    evidence = dhaka.locator("details")
    expect(evidence.locator("h4").first).not_to_be_visible()
    dhaka.get_by_text("Evidence and receipts").click()
    expect(evidence).to_have_attribute("open", "")
    expect(evidence).to_contain_text("SMETA")
    expect(evidence).to_contain_text("Current payroll run")
    node = next(n for n in trace["nodes"] if n["facility"] == "fac-bd-dhaka-knit-01")
    receipts = evidence.locator("ul.records a")
    assert receipts.count() > 0
    href = receipts.first.get_attribute("href")
    assert (
        href is not None
        and href.removeprefix("/v1/records/").removesuffix("/receipt") in (node["records"])
    )
    assert httpx.get(server + href).status_code == 200, "a public record's receipt opens"
    assert_accessible(page)  # with a node open
    shoot(page, "brand-desktop")

    csv_link = page.get_by_role("link", name="Download as CSV")
    csv = httpx.get(server + str(csv_link.get_attribute("href")))
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("facility,tier,name")
    assert len(csv.text.splitlines()) == 1 + len(trace["nodes"])

    phone.goto("/brands/brand-nordwear")
    assert fits_the_screen(phone)
    assert_accessible(phone)
    shoot(phone, "brand-phone")


@pytest.mark.parametrize("path", ["/brands/brand-nobody", "/facilities/fac-nobody-here",
                                  "/facilities/%20bad", "/no-such-page"])  # fmt: skip
def test_unknown_things_get_a_404_page(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_role("link", name="Back to the home page")).to_be_visible()
    assert_accessible(page)


def test_pages_keep_a_strict_content_security_policy(page: Page) -> None:
    for path in ("/", "/lenders", "/brands/brand-nordwear", "/facilities/fac-bd-dhaka-knit-01"):
        response = page.goto(path)
        assert response is not None
        policy = response.headers["content-security-policy"]
        assert "script-src 'self' 'sha256-" in policy and "unsafe-inline" not in policy
        assert "'unsafe-eval'" not in policy.replace("'wasm-unsafe-eval'", "")
        # The one inline script is the import map, admitted by its hash alone.
        inline = page.locator("script:not([src])")
        assert inline.count() == 1 and inline.get_attribute("type") == "importmap"
        assert inline.text_content() == IMPORT_MAP
        assert page.locator("[style]").count() == 0, "no inline style"
        # htmx, vendored from node_modules by tools/setup.sh, loads from us under the policy.
        assert page.evaluate("() => typeof window.htmx") == "object"
