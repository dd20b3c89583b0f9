"""The worker's wallet page (/wallet) in Chromium against ``ledger serve --demo``.

A worker credential is issued and registered on the live demo (an issuer accredited through
the admin API, with the token ``ledger serve`` wrote), and saved in a wallet file with a
PIN and a duress PIN, as ``ledger wallet`` does. The page opens the file with each PIN and
shows the same screen; its QR decodes (zxing, from a screenshot) to the payload the page
made, which the server's presentation verification accepts, and whose sealed holder signal
says "duress" only for the duress PIN, as the CLI's does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from credentials.commitment import DocumentSecret
from credentials.qr import decode_payload, read_qr_image
from credentials.signal import open_signal, signal_binding
from credentials.wallet import Wallet, save_wallet
from credentials.worker import StatusLocation, issue_worker_credential, registration_payload
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.signed_request import request_authorization
from tests.browser.conftest import assert_accessible, fits_the_screen, shoot
from tests.browser.signers import Admin
from tests.credentials.worker_support import FACILITY, FAST_KDF, NUMBER, checkin_envelope
from tests.domain.wages.builders import compliant_line, run_ref

pytestmark = pytest.mark.browser

PIN, DURESS_PIN = "4821", "7777"


@pytest.fixture(scope="module")
def investigator(admin: Admin) -> SigningKey:
    key = SigningKey.generate()
    admin.accredit(key, "investigator")
    return key


@pytest.fixture(scope="module")
def wallet_file(
    server: str, admin: Admin, investigator: SigningKey, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, SigningKey]:
    """A registered worker credential in a wallet file with a PIN and a duress PIN."""
    issuer = SigningKey.generate()
    admin.accredit(issuer, "issuer")
    issuance = httpx.get(f"{server}/v1/credentials/issuance", timeout=30).json()
    worker = SigningKey.generate()
    document = DocumentSecret.create("passport", NUMBER, "NP")
    credential = issue_worker_credential(
        issuer, worker.did, document, facility=FACILITY, nationality="NP",
        status=StatusLocation(issuance["statusChainId"], issuance["statusContract"]),
    )  # fmt: skip
    registration = sign_envelope("credential", registration_payload(credential), issuer)
    response = httpx.post(f"{server}/v1/credentials", json=registration.to_dict(), timeout=60)
    assert response.status_code == 201, response.text
    path = tmp_path_factory.mktemp("wallet") / "worker.wallet"
    wallet = Wallet(worker).with_credential(credential, document, investigator.did)
    save_wallet(path, wallet, PIN, duress_pin=DURESS_PIN, **FAST_KDF)
    return path, worker


def _open(page: Page, path: Path, pin: str) -> str:
    """Open the wallet in the page; the QR payload it shows."""
    page.goto("/wallet")
    page.set_input_files("#wallet-file", str(path))
    page.fill("#pin", pin)
    page.click("#open-button")
    expect(page.locator("#qr-image")).to_be_visible(timeout=30_000)
    # the wage lines and check-ins, read by requests signed in the page, have come in
    expect(page.locator("#opened")).to_have_attribute("data-history", "loaded", timeout=30_000)
    payload = page.locator("#qr").get_attribute("data-payload")
    assert payload is not None and payload.startswith("LPL1:")
    return payload


def _screen(page: Page) -> dict[str, Any]:
    """What the worker (and whoever stands behind them) sees, bar the QR's own pattern."""
    text = page.locator("main").inner_text()
    countdown = page.locator("#countdown").inner_text()
    return {
        "text": text.replace(countdown, "<countdown>"),
        "status": page.locator("#status").inner_text(),
        "qr_size": page.locator("#qr-image").bounding_box(),
    }


def test_the_wallet_page_loads_in_every_language(page: Page) -> None:
    for lang, title in (("en", "My wallet"), ("ne", "मेरो वालेट"), ("ms", "Dompet saya")):
        page.goto(f"/wallet?lang={lang}")
        expect(page.locator("h1")).to_have_text(title)
        assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page)
    shoot(page, "wallet-closed-ms")
    manifest = page.request.get("/wallet.webmanifest").json()
    assert manifest["start_url"] == "/wallet" and manifest["icons"][0]["type"] == "image/svg+xml"


def test_pin_and_duress_pin_open_the_same_screen_and_a_qr_the_server_accepts(
    phone: Page, server: str, wallet_file: tuple[Path, SigningKey], investigator: SigningKey
) -> None:
    path, worker = wallet_file
    seen = {}
    for name, pin in (("pin", PIN), ("duress", DURESS_PIN)):
        payload = _open(phone, path, pin)
        assert fits_the_screen(phone)
        assert_accessible(phone)
        shoot(phone, f"wallet-open-{name}")
        # The QR as a camera would read it decodes to the payload the page made.
        assert read_qr_image(phone.locator("#qr-image").screenshot()) == payload
        presentation = decode_payload(payload)
        assert presentation["holder"] == worker.did
        assert presentation["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        assert NUMBER not in phone.content()  # never the document number
        verified = httpx.post(f"{server}/v1/presentations/verify", json={"qr": payload}, timeout=60)
        assert verified.status_code == 200, verified.text
        assert verified.json()["verified"] is True
        # Only the investigator can tell the two apart, from the sealed signal.
        proof = presentation["proof"]
        binding = signal_binding(worker.did, proof["created"], proof.get("challenge"))
        reading = open_signal(investigator, presentation["holderSignal"], binding=binding)
        assert reading.bound and reading.duress is (name == "duress")
        seen[name] = _screen(phone)
    assert seen["pin"] == seen["duress"]


def test_a_wrong_pin_is_refused_and_the_qr_refreshes(
    page: Page, wallet_file: tuple[Path, SigningKey]
) -> None:
    path, _ = wallet_file
    page.goto("/wallet")
    page.set_input_files("#wallet-file", str(path))
    page.fill("#pin", "0000")
    page.click("#open-button")
    expect(page.locator("#status")).to_have_text("Wrong PIN, or the file is damaged.")
    assert page.locator("#opened").is_hidden()
    first = _open(page, path, PIN)
    expect(page.locator("#countdown")).to_contain_text("Valid for 4:")
    page.click("#refresh")
    expect(page.locator("#qr")).not_to_have_attribute("data-payload", first, timeout=30_000)
    page.click("#close")
    assert page.locator("#opened").is_hidden()
    assert page.locator("#qr").get_attribute("data-payload") is None


@pytest.fixture(scope="module")
def wage_line(server: str, admin: Admin, wallet_file: tuple[Path, SigningKey]) -> str:
    """A payroll line for the wallet's worker, by an employer scoped to the facility."""
    _, worker = wallet_file
    employer = SigningKey.generate()
    admin.accredit(employer, "employer", facility=FACILITY)
    run = run_ref(1, periodStart="2026-10-01", periodEnd="2026-10-31")  # the demo has November
    line = {**compliant_line(worker.did), "paidOn": "2026-11-05"}
    payload = {"schema": "wage/v1", "run": run, "line": 1, **line}
    envelope = sign_envelope("wage", payload, employer).to_dict()
    submitted = httpx.post(f"{server}/v1/wages", json={"lines": [envelope]}, timeout=60)
    assert submitted.status_code == 201, submitted.text
    line_id: str = submitted.json()["lines"][0]["id"]
    return line_id


def test_a_worker_reads_and_disputes_their_wage_line(
    phone: Page, server: str, wallet_file: tuple[Path, SigningKey], wage_line: str
) -> None:
    """The line is listed when the wallet opens (a request signed in the page with the
    worker's key: no line number to type), and answered from the page."""
    path, worker = wallet_file
    _open(phone, path, PIN)
    line = phone.locator(f"#lines [data-line='{wage_line}']")
    expect(line).to_contain_text("1877.50 MYR")
    expect(line.locator("[data-field=ack]")).to_have_text("No answer yet")
    line.locator("[data-action=disputed]").click()
    line.get_by_label("Deduction I did not agree to").check()
    assert_accessible(phone)
    line.locator("[data-action=send-dispute]").click()
    expect(phone.locator("#status")).to_contain_text("Your answer was sent")
    expect(line.locator("[data-field=ack]")).to_have_text("Disputed")
    expect(line.locator(".reasons")).to_be_hidden()
    shoot(phone, "wallet-wage-disputed")
    # The ledger recorded the worker's own signed dispute.
    audience = httpx.get(f"{server}/v1/health", timeout=30).json()["chain"]["audience"]
    target = f"/v1/wages/lines/{wage_line}"
    header = request_authorization(worker, "GET", target, audience=audience)
    read = httpx.get(server + target, headers={"authorization": header}, timeout=30)
    assert read.status_code == 200, read.text
    assert read.json()["acknowledgement"] == "disputed"
    # Opened again, the page reads the answer back from the ledger.
    _open(phone, path, PIN)
    expect(phone.locator(f"#lines [data-line='{wage_line}'] [data-field=ack]")).to_have_text(
        "Disputed"
    )


def test_a_check_in_made_from_the_pages_qr_shows_in_the_history(
    phone: Page, server: str, admin: Admin, wallet_file: tuple[Path, SigningKey]
) -> None:
    """A verifier scans the QR the page shows and checks the worker in; the history lists
    it, the same after the duress PIN, with nothing that says which PIN made which QR."""
    path, _ = wallet_file
    verifier = SigningKey.generate()
    admin.accredit(verifier, "verifier")
    made = []
    for pin in (PIN, DURESS_PIN):
        presentation = decode_payload(_open(phone, path, pin))
        envelope = checkin_envelope(verifier, presentation, location="MY-07")
        response = httpx.post(f"{server}/v1/checkins", timeout=60,
                              json={"presentation": presentation, "envelope": envelope})  # fmt: skip
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
    seen = []
    for pin in (PIN, DURESS_PIN):
        _open(phone, path, pin)
        items = phone.locator("#checkins li")
        expect(items).to_have_count(len(made))
        assert [items.nth(i).get_attribute("data-checkin") for i in range(len(made))] == made[::-1]
        expect(items.first).to_contain_text("In your hands")
        expect(items.first).to_contain_text(FACILITY)
        seen.append(phone.locator("#checkins").inner_text())
    assert seen[0] == seen[1]
    assert "duress" not in phone.content().lower()
    assert_accessible(phone)
    shoot(phone, "wallet-checkins")


def test_the_wallet_opens_and_shows_a_qr_offline(
    page: Page, server: str, wallet_file: tuple[Path, SigningKey]
) -> None:
    """Installed once (the service worker keeps the page and its modules), kept on the
    device still encrypted, the wallet opens with no network and makes an offline
    presentation (no challenge), which the server accepts once back online."""
    path, _ = wallet_file
    page.goto("/wallet")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.set_input_files("#wallet-file", str(path))
    page.fill("#pin", PIN)
    page.check("#keep")
    page.click("#open-button")
    expect(page.locator("#qr-image")).to_be_visible(timeout=30_000)
    expect(page.locator("#opened")).to_have_attribute("data-history", "loaded", timeout=30_000)
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#kept-note")).to_be_visible()
    page.fill("#pin", PIN)
    page.click("#open-button")
    expect(page.locator("#qr-image")).to_be_visible(timeout=30_000)
    expect(page.locator("#status")).to_contain_text("No network")
    payload = page.locator("#qr").get_attribute("data-payload")
    assert payload is not None
    shoot(page, "wallet-offline")
    page.context.set_offline(False)
    assert "challenge" not in decode_payload(payload)["proof"]
    verified = httpx.post(f"{server}/v1/presentations/verify", json={"qr": payload}, timeout=60)
    assert verified.status_code == 200, verified.text
    page.click("#close")
    page.click("#forget")
    expect(page.locator("#kept-note")).to_be_hidden()
