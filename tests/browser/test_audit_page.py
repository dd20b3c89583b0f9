"""/audits/new in Chromium: an auditor fills in the form, adds a finding, opens a key file
made in the test with its passphrase, signs in the page and submits; the page follows the
record until it is anchored and shows its receipt, which the ledger's own code verifies. A
wrong passphrase and a refused field are shown beside their inputs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ledger.envelope import Envelope
from ledger.keys import SigningKey
from tests.browser.conftest import assert_accessible, fits_the_screen, shoot
from tests.browser.signers import PASSPHRASE, Admin, key_file

pytestmark = pytest.mark.browser


def fill_audit(page: Page, facility: str = "fac-bd-dhaka-knit-01") -> None:
    page.goto("/audits/new")
    expect(page.locator("#audit-form[data-ready]")).to_be_attached()
    page.get_by_label("Facility id").fill(facility)
    page.get_by_label("Facility name").fill("Dhaka Knitwear Ltd, Unit 1")
    page.get_by_label("Country (ISO code)").fill("BD")
    page.get_by_label("Scheme version").fill("7.0 4-pillar")
    page.get_by_label("First day").fill("2026-09-14")
    page.get_by_label("Last day").fill("2026-09-16")
    page.get_by_label("Valid until").fill("2027-09-16")
    page.get_by_label("Audit firm", exact=True).fill("Veritas Social Audits")
    page.get_by_label("Workers interviewed").fill("46")
    page.get_by_label("Overall rating").fill("non-compliances raised")
    page.get_by_label("Scope").fill("Labour standards and health and safety; 1,240 workers.")


def test_an_auditor_signs_an_audit_in_the_page_and_sees_it_anchored(
    page: Page, admin: Admin, tmp_path: Path
) -> None:
    auditor = SigningKey.generate()
    admin.accredit(auditor, "auditor")
    fill_audit(page)
    page.get_by_role("button", name="Add a finding").click()
    finding = page.locator("fieldset.finding").first
    expect(finding.locator("legend").first).to_have_text("Finding 1")
    finding.get_by_label("Clause").fill("ETI 1.1 Employment is freely chosen")
    finding.get_by_label("Severity").select_option("critical")
    finding.get_by_label("Retention of identity documents").check()
    finding.get_by_label("Restriction of movement").check()
    finding.get_by_label("What was found").fill("Passports of 38 workers held by HR.")
    finding.get_by_label("Corrective action").fill("Return every passport the same day.")
    finding.get_by_label("Action due by").fill("2026-10-16")
    finding.get_by_label("Who verifies the action").fill("Follow-up audit, same firm")
    # Evidence is hashed in the page; only its digest goes into the audit.
    photo = tmp_path / "passports-in-hr-safe.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of the HR safe \xff\xd9")
    finding.get_by_label("Or pick the evidence files to hash them").set_input_files(str(photo))
    digest = "sha256:" + hashlib.sha256(photo.read_bytes()).hexdigest()
    expect(finding.get_by_label("Evidence (SHA-256 of each file, one per line)")).to_have_value(
        digest
    )
    page.get_by_label("Key file").set_input_files(str(key_file(tmp_path, "auditor", auditor)))
    assert_accessible(page)
    shoot(page, "audit-form")

    page.get_by_label("Passphrase").fill(PASSPHRASE + "?")
    page.get_by_role("button", name="Sign and submit").click()
    expect(page.locator("#key-passphrase-error")).to_have_text(
        "wrong passphrase, or the file is damaged"
    )
    assert page.get_by_label("Passphrase").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign and submit").click()
    progress = page.locator("#progress")
    expect(progress).to_be_visible()
    record = page.locator("#record-id").inner_text()
    assert record.startswith("0x")
    assert_accessible(page)
    admin.anchor()
    expect(page.locator("#receipt")).to_be_visible(timeout=30_000)
    expect(page.locator('.states li[data-state="anchored"]')).to_have_attribute(
        "aria-current", "step"
    )
    receipt = json.loads(page.locator("#receipt-json").inner_text())
    envelope = Envelope.from_dict(receipt["envelope"])
    envelope.verify_signature()
    assert envelope.signer == auditor.did and receipt["blockNumber"] > 0
    assert sorted(envelope.payload["findings"][0]["iloIndicators"]) == [
        "restriction-of-movement",
        "retention-of-identity-documents",
    ]
    assert envelope.payload["correctiveActions"] == [
        {"findingId": "F1", "action": "Return every passport the same day.",
         "dueDate": "2026-10-16", "verifier": "Follow-up audit, same firm"}
    ]  # fmt: skip
    assert envelope.payload["findings"][0]["evidence"] == [digest]
    assert page.locator("#receipt-link").get_attribute("href") == f"/v1/records/{record}/receipt"
    assert_accessible(page)
    shoot(page, "audit-anchored")


def test_a_refused_field_is_shown_beside_it_on_a_phone(
    phone: Page, admin: Admin, tmp_path: Path
) -> None:
    auditor = SigningKey.generate()
    admin.accredit(auditor, "auditor")
    fill_audit(phone, facility="not a facility id!")
    phone.get_by_label("Key file").set_input_files(str(key_file(tmp_path, "auditor", auditor)))
    phone.get_by_label("Passphrase").fill(PASSPHRASE)
    phone.get_by_role("button", name="Sign and submit").click()
    error = phone.locator("#facility-id-error")
    expect(error).to_be_visible()
    assert "payload.facility.id" in error.inner_text()
    assert phone.get_by_label("Facility id").get_attribute("aria-invalid") == "true"
    assert fits_the_screen(phone)
    assert_accessible(phone)
    shoot(phone, "audit-refused-phone")


def test_an_unaccredited_key_is_told_so_beside_the_key(page: Page, tmp_path: Path) -> None:
    stranger = SigningKey.generate()
    fill_audit(page)
    page.get_by_label("Key file").set_input_files(str(key_file(tmp_path, "stranger", stranger)))
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign and submit").click()
    expect(page.locator("#key-file-error")).to_be_visible()
    assert stranger.did in page.locator("#key-file-error").inner_text()
    assert_accessible(page)
