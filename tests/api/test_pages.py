"""The pages without a browser (tests/browser drives them in Chromium): each renders the
demo with the same view the JSON route gives, in HTML with a strict CSP; an unknown id is a
404 page for a browser and problem+json for the API; strings come in the asked language."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.pages.chart import history_chart
from api.pages.i18n import EN, negotiate, translator
from domain.demo import seed_demo
from ledger.service import Ledger

HTML = {"Accept": "text/html,application/xhtml+xml"}


def test_the_pages_render_the_demo_as_the_json_routes_see_it(
    client: TestClient, ledger: Ledger
) -> None:
    seed_demo(ledger)
    for path in ("/", "/lenders", "/brands", "/brands/brand-nordwear",
                 "/facilities/fac-my-penang-pcb-03", "/lenders?min_score=40&country=BD"):  # fmt: skip
        response = client.get(path, headers=HTML)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith("text/html")
        assert '<html lang="en">' in response.text
        assert "script-src 'self'" in response.headers["content-security-policy"]
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", response.text)
        assert inline == ['<script type="importmap">'], "no inline script but the import map"
        assert " style=" not in response.text, "no inline style"
    ranked = client.get("/v1/lenders/suppliers").json()["suppliers"]
    page = client.get("/lenders").text
    positions = [page.index(f"<code>{r['facility']}</code>") for r in ranked]
    assert positions == sorted(positions), "ranked in the JSON route's order"
    trace = client.get("/v1/brands/brand-nordwear/trace").json()
    page = client.get("/brands/brand-nordwear").text
    for node in trace["nodes"]:
        assert f'data-facility="{node["facility"]}"' in page
    assert "/v1/brands/brand-nordwear/trace?format=csv" in page
    score = client.get("/v1/facilities/fac-my-penang-pcb-03/score").json()
    page = client.get("/facilities/fac-my-penang-pcb-03").text
    assert f"{score['score']} out of 100" in page
    assert page.count('class="snapshot"') == len(score["history"]) == 2


@pytest.mark.parametrize(
    "path", ["/brands/brand-nobody", "/facilities/fac-nobody", "/facilities/%20", "/nowhere"]
)
def test_a_browser_gets_a_404_page_and_the_api_its_problem(client: TestClient, path: str) -> None:
    page = client.get(path, headers=HTML)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in page.text
    api = client.get("/v1/facilities/fac-nobody", headers=HTML)
    assert api.status_code == 404 and api.json()["code"] == "facility_unknown"
    assert client.get("/nowhere").headers["content-type"] == "application/problem+json"


def test_the_api_docs_stay_where_they_were(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert client.get("/", follow_redirects=False).status_code == 200  # a page, no redirect


def test_strings_come_in_the_language_asked_for() -> None:
    assert negotiate("en", None) == "en"
    assert negotiate(None, "fr-FR, de;q=0.8, en-GB;q=0.5") == "en"
    assert negotiate("xx", "fr-FR,fr;q=0.9") == "en"
    assert negotiate(None, "en;q=bogus") == "en"
    t = translator("en")
    assert t("lenders.count", count=3) == "3 suppliers"
    with pytest.raises(KeyError):
        t("no.such.key")
    assert EN["reason.no_audit"] == EN["missing.no_audit"]


def test_the_history_chart_places_snapshots_in_order_by_score() -> None:
    assert history_chart([]) is None
    chart = history_chart([
        {"record": "0x1", "as_of": "2026-12-01", "score": "25"},
        {"record": "0x2", "as_of": "2026-12-02", "score": "100"},
        {"record": "0x3", "as_of": "2026-12-02", "score": "0"},
    ])  # fmt: skip
    assert chart is not None
    xs = [p.x for p in chart.points]
    ys = [p.y for p in chart.points]
    assert xs == sorted(xs) and xs[0] == chart.left and xs[-1] == chart.right
    assert ys[1] < ys[0] < ys[2] == chart.baseline, "higher scores are drawn higher"
    (single,) = history_chart([{"record": "0x1", "as_of": "2026-12-01", "score": "50"}]).points  # type: ignore[union-attr]
    assert chart.left < single.x < chart.right
