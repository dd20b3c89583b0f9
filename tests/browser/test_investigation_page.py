"""/investigations in Chromium: an investigator key made in the test and accredited through
the admin API opens the coercion flags and check-ins (a signed GET from the page); a key
that is not an investigator's gets the server's refusal, shown as it is; a duress signal
sealed to the investigator's key opens in the browser as the CLI opens it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from credentials.signal import investigator_sealing_key, seal_signal, signal_binding
from ledger.keys import SigningKey
from tests.browser.conftest import assert_accessible, fits_the_screen, shoot
from tests.browser.signers import PASSPHRASE, Admin, key_file

pytestmark = pytest.mark.browser


def open_with(page: Page, path: Path) -> None:
    page.goto("/investigations")
    expect(page.locator("#investigations-form[data-ready]")).to_be_attached()
    page.get_by_label("Key file").set_input_files(str(path))
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Open the investigations").click()


def test_an_investigator_reads_flags_and_checkins(page: Page, admin: Admin, tmp_path: Path) -> None:
    investigator = SigningKey.generate()
    admin.accredit(investigator, "investigator")
    page.goto("/investigations")
    assert_accessible(page)
    shoot(page, "investigations-closed")
    open_with(page, key_file(tmp_path, "investigator", investigator))
    expect(page.locator("#found")).to_be_visible(timeout=15_000)
    expect(page.locator("#found-summary")).to_contain_text(investigator.did)
    checkins = page.locator("#checkins-table tbody tr")
    assert checkins.count() > 0, "the demo has check-ins"
    # The demo's signals are sealed to the demo's investigator, not to this new key.
    assert "sealed to another investigator's key" in checkins.first.inner_text()
    assert_accessible(page)
    shoot(page, "investigations-open")


def test_a_key_that_is_not_an_investigator_is_refused_plainly(
    phone: Page, admin: Admin, tmp_path: Path
) -> None:
    auditor = SigningKey.generate()
    admin.accredit(auditor, "auditor")
    open_with(phone, key_file(tmp_path, "auditor", auditor))
    refusal = phone.locator("#form-errors")
    expect(refusal).to_contain_text("The server refused (HTTP 401)")
    expect(refusal).to_contain_text(f"{auditor.did} is not an accredited investigator")
    expect(phone.locator("#found")).to_be_hidden()
    assert fits_the_screen(phone)
    assert_accessible(phone)
    shoot(phone, "investigations-refused-phone")


READ_SIGNAL = """async ([file, passphrase, signal, where]) => {
  const {openKeyFile} = await import('ledger-keys');
  const {openSignal} = await import('/static/js/holder-signal.mjs');
  const key = await openKeyFile(file, passphrase);
  const moved = {...where, created: '2020-01-01T00:00:00Z'};
  return [await openSignal(key, signal, where), await openSignal(key, signal, moved)];
}"""


def test_a_duress_signal_opens_in_the_browser(page: Page, tmp_path: Path) -> None:
    investigator = SigningKey.generate()
    where = {"holder": SigningKey.generate().did, "created": "2026-12-02T10:00:00Z",
             "challenge": "c-123"}  # fmt: skip
    binding = signal_binding(where["holder"], where["created"], where["challenge"])
    signal = seal_signal(investigator_sealing_key(investigator.did), duress=True, binding=binding)
    path = key_file(tmp_path, "investigator", investigator)
    page.goto("/investigations")
    read, moved = page.evaluate(READ_SIGNAL, [json.loads(path.read_text()), PASSPHRASE,
                                              signal, where])  # fmt: skip
    assert read == {"duress": True, "bound": True}
    assert moved == {"duress": True, "bound": False}
