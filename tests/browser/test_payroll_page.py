"""/wages/upload in Chromium: a payroll file with errors is shown by row and column before
anything is signed; a readable one is shown line by line with its compliance verdicts; the
employer opens a key file made in the test (accredited and scoped to the facility through
the admin API), the page signs every line and the run is admitted."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from ledger.keys import SigningKey
from tests.browser.conftest import assert_accessible, fits_the_screen, shoot
from tests.browser.signers import PASSPHRASE, Admin, key_file
from tests.conftest import REPO

pytestmark = pytest.mark.browser

FACILITY = "fac-my-browser-payroll-01"


def payroll(**changes: dict[str, str]) -> str:
    """The example Penang run with fresh workers; ``changes`` maps a row number ("2" is the
    first line) to the cells to change."""
    rows = list(csv.DictReader(io.StringIO((REPO / "examples/payroll.csv").read_text())))
    for number, row in enumerate(rows, start=2):
        row["worker"] = SigningKey.generate().did
        row.update(changes.get(str(number), {}))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def choose(page: Page, tmp_path: Path, text: str) -> None:
    path = tmp_path / "payroll.csv"
    path.write_text(text)
    page.goto("/wages/upload")
    expect(page.locator("#payroll-form[data-ready]")).to_be_attached()
    page.get_by_label("Facility id").fill(FACILITY)
    page.get_by_label("Payroll file (CSV)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()


def test_a_payroll_with_errors_is_shown_by_row_and_column(phone: Page, tmp_path: Path) -> None:
    bad = payroll(**{"2": {"ordinary_rate": "9,50"}, "4": {"paid_on": "05/12/2026"}})
    choose(phone, tmp_path, bad)
    problems = phone.locator("#problems-table tbody tr")
    expect(problems).to_have_count(2)
    first, second = problems.nth(0), problems.nth(1)
    assert (first.get_attribute("data-row"), first.get_attribute("data-column")) == (
        "2",
        "ordinary_rate",
    )
    assert "'9,50' is not a decimal" in first.inner_text()
    assert (second.get_attribute("data-row"), second.get_attribute("data-column")) == (
        "4",
        "paid_on",
    )
    expect(phone.locator("#results")).to_be_hidden()
    assert fits_the_screen(phone)
    assert_accessible(phone)
    shoot(phone, "payroll-errors-phone")


def test_a_refused_facility_is_shown_beside_it(page: Page, tmp_path: Path) -> None:
    path = tmp_path / "payroll.csv"
    path.write_text(payroll())
    page.goto("/wages/upload")
    expect(page.locator("#payroll-form[data-ready]")).to_be_attached()
    page.get_by_label("Facility id").fill("no such id!")
    page.get_by_label("Payroll file (CSV)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#facility-error")).to_be_visible()
    assert page.get_by_label("Facility id").get_attribute("aria-invalid") == "true"
    assert_accessible(page)


def test_an_employer_checks_signs_and_submits_a_run(
    page: Page, admin: Admin, tmp_path: Path
) -> None:
    employer = SigningKey.generate()
    admin.accredit(employer, "employer", facility=FACILITY)
    choose(page, tmp_path, payroll(**{"3": {"ordinary_rate": "5.00", "gross": "1245.00",
                                            "net": "1096.99"}}))  # fmt: skip
    lines = page.locator("#lines-table tbody tr")
    expect(lines).to_have_count(10)
    assert "compliant" in lines.nth(0).inner_text()
    expect(lines.nth(1).locator('li[data-rule="minimum-wage"]')).to_have_count(1)
    expect(page.locator("#results-summary")).to_contain_text("9 of 10 lines compliant")
    assert_accessible(page)
    shoot(page, "payroll-checked")

    page.get_by_label("Key file").set_input_files(str(key_file(tmp_path, "employer", employer)))
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign every line and submit the run").click()
    expect(page.locator("#submitted")).to_be_visible(timeout=30_000)
    summary = page.locator("#submitted-summary").inner_text()
    assert "10 lines admitted, 1 with violations" in summary
    assert_accessible(page)
    shoot(page, "payroll-submitted")
    wages = httpx.get(f"{admin.url}/v1/facilities/{FACILITY}/wages", timeout=30).json()
    assert wages, "the run is stored"


def test_the_check_is_for_this_site_only(server: str) -> None:
    csv_text = payroll()
    refused = httpx.post(f"{server}/wages/upload/check?facility={FACILITY}", content=csv_text,
                         headers={"Content-Type": "text/plain"})  # fmt: skip
    assert refused.status_code == 415
    cross = httpx.post(f"{server}/wages/upload/check?facility={FACILITY}", content=csv_text,
                       headers={"Content-Type": "text/csv", "Sec-Fetch-Site": "cross-site"})  # fmt: skip
    assert cross.status_code == 403
    ok = httpx.post(f"{server}/wages/upload/check?facility={FACILITY}", content=csv_text,
                    headers={"Content-Type": "text/csv"})  # fmt: skip
    assert ok.status_code == 200 and len(ok.json()["payloads"]) == 10
