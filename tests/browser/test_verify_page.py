"""The verify page in Chromium, against the demo: a genuine receipt passes every check in the
browser (the independent verifier's code) and on the server; a tampered one fails the same
check in both; an RPC endpoint the browser cannot reach fails its chain check while the
server's passes, and the page says so loudly; a worker's presentation QR, uploaded as a
photo, is read in the page and accepted. axe runs in each state, and on a phone."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from api.pages.verify import VERIFY_CSP
from credentials.commitment import DocumentSecret
from credentials.qr import encode_payload, render_png
from credentials.status_list import StatusListEntry
from credentials.wallet import Wallet
from credentials.worker import StatusLocation, issue_worker_credential, registration_payload
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from tests.cli.conftest import free_port

from .conftest import (
    CHROMIUM,
    DESKTOP,
    PHONE,
    Watch,
    _open,
    assert_accessible,
    fits_the_screen,
    shoot,
)

pytestmark = pytest.mark.browser

CHECKS = ["format", "signature", "leaf", "proof", "chain", "contract", "anchored",
          "signer_accredited", "kind", "anchored_at"]  # fmt: skip
UNREACHABLE = f"http://127.0.0.1:{free_port()}/rpc"  # a port nothing listens on


@pytest.fixture(scope="module")
def receipt(server: str) -> dict[str, Any]:
    """An anchored audit's receipt (audits' receipts are public)."""
    audits = httpx.get(f"{server}/v1/facilities/fac-my-penang-pcb-03/audits").json()["audits"]
    found: dict[str, Any] = httpx.get(f"{server}/v1/records/{audits[0]['id']}/receipt").json()
    assert "envelope" in found, found
    return found


def _verify(page: Page, text: str) -> None:
    page.goto("/verify")
    expect(page.locator("form#verify-form")).to_have_attribute("data-ready", "true")
    page.get_by_label("Paste a receipt").fill(text)
    page.get_by_role("button", name="Verify", exact=True).click()
    _settled(page)


def _settled(page: Page) -> None:
    expect(page.locator("#agreement:visible, #disagreement:visible, "
                        "#server-verdict:visible .summary.valid, "
                        "#server-verdict:visible .summary.invalid").first).to_be_visible(
        timeout=60_000)  # fmt: skip
    expect(page.locator(".summary", has_text="Checking")).to_have_count(0, timeout=60_000)


def _outcomes(page: Page, column: str) -> dict[str, str]:
    items = page.locator(f"#{column} ol.checks li")
    return {
        items.nth(i).get_attribute("data-check") or "": items.nth(i).get_attribute("class") or ""
        for i in range(items.count())
    }


def test_the_page_admits_the_users_rpc_and_nothing_else_more(page: Page) -> None:
    response = page.goto("/verify")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert csp == VERIFY_CSP
    assert "connect-src 'self' https: http://127.0.0.1:* http://localhost:*;" in csp
    assert "script-src 'self' 'sha256-" in csp and "unsafe-inline" not in csp
    assert page.get_by_label("Chain RPC URL").input_value().endswith("/rpc")
    health = httpx.get(page.url.replace("/verify", "/v1/health")).json()["chain"]
    contract = page.get_by_label("ProvenanceAnchor contract address").input_value()
    assert contract == health["contracts"]["ProvenanceAnchor"]
    assert page.get_by_label("Chain id").input_value() == str(health["chainId"])


def test_a_genuine_receipt_passes_in_the_browser_and_on_the_server(
    page: Page, phone: Page, receipt: dict[str, Any]
) -> None:
    _verify(page, json.dumps(receipt, indent=2))
    assert _outcomes(page, "browser-verdict") == dict.fromkeys(CHECKS, "pass")
    assert _outcomes(page, "server-verdict") == dict.fromkeys(CHECKS, "pass")
    expect(page.locator("#browser-verdict .summary")).to_have_text("Valid: every check holds.")
    expect(page.locator("#agreement")).to_have_text("Your browser and this server agree.")
    expect(page.get_by_role("alert")).to_be_hidden()
    assert_accessible(page)
    shoot(page, "verify-genuine-desktop")

    _verify(phone, json.dumps(receipt))
    assert _outcomes(phone, "browser-verdict") == dict.fromkeys(CHECKS, "pass")
    assert fits_the_screen(phone)
    assert_accessible(phone)
    shoot(phone, "verify-genuine-phone")


def test_a_tampered_receipt_fails_its_signature_in_both(
    page: Page, receipt: dict[str, Any]
) -> None:
    tampered = copy.deepcopy(receipt)
    tampered["envelope"]["payload"]["workersInterviewed"] += 1
    _verify(page, json.dumps(tampered))
    for column in ("browser-verdict", "server-verdict"):
        outcomes = _outcomes(page, column)
        assert outcomes["format"] == "pass" and outcomes["signature"] == "fail", outcomes
        assert all(outcomes[c] == "skip" for c in CHECKS[2:])
        failed = page.locator(f"#{column} li[data-check=signature]")
        expect(failed).to_contain_text("Fail")
        expect(failed).to_contain_text("signature does not verify")
        expect(page.locator(f"#{column} .summary")).to_have_text(
            "Not valid: the Signature check failed."
        )
    expect(page.locator("#agreement")).to_be_visible()
    assert_accessible(page)
    shoot(page, "verify-tampered")


@pytest.fixture
def unreachable_page(browser: Browser, server: str) -> Iterator[Page]:
    """A page whose requests to the unreachable RPC fail, as they must; nothing else may."""
    context = browser.new_context(viewport=DESKTOP, base_url=server)
    page = context.new_page()
    watch = Watch(server)
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.console_errors.append(str(error)))
    page.on("request", watch.on_request)
    page.on("requestfailed", watch.on_failed)
    page.on("response", watch.on_response)
    yield page
    context.close()
    assert [r for r in watch.foreign_requests if not r.startswith(UNREACHABLE)] == []
    assert [r for r in watch.failed_requests if not r.startswith(UNREACHABLE)] == []
    assert watch.broken_assets == []
    refused = "Failed to load resource: net::ERR_CONNECTION_REFUSED"
    assert [e for e in watch.console_errors if e != refused] == []


def test_an_unreachable_rpc_fails_in_the_browser_and_the_page_says_they_disagree(
    unreachable_page: Page, receipt: dict[str, Any]
) -> None:
    page = unreachable_page
    page.goto("/verify")
    expect(page.locator("form#verify-form")).to_have_attribute("data-ready", "true")
    page.get_by_label("Chain RPC URL").fill(UNREACHABLE)
    page.get_by_label("Paste a receipt").fill(json.dumps(receipt))
    page.get_by_role("button", name="Verify", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible(timeout=60_000)
    expect(alert).to_contain_text("your browser and this server disagree")
    expect(alert).to_contain_text("They disagree on: Chain.")
    browser = _outcomes(page, "browser-verdict")
    assert [browser[c] for c in CHECKS[:5]] == ["pass"] * 4 + ["fail"]
    expect(page.locator("#browser-verdict li[data-check=chain]")).to_contain_text(
        f"could not read the RPC's chain id: eth_chainId to {UNREACHABLE} failed"
    )
    assert _outcomes(page, "server-verdict") == dict.fromkeys(CHECKS, "pass")
    assert_accessible(page)
    shoot(page, "verify-disagreement")


@pytest.fixture(scope="module")
def presentation_qr(
    server: str, admin_token: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """A worker's presentation QR as a PNG: a credential from a newly accredited issuer
    (with both status entries, as ``ledger vc issue-worker`` issues it), registered on the
    demo, presented from the worker's wallet to a server challenge."""
    issuer, worker = SigningKey.generate(), SigningKey.generate()
    accredited = httpx.post(f"{server}/v1/admin/signers", json={"did": issuer.did, "role": "issuer"},
                            headers={"Authorization": f"Bearer {admin_token}"})  # fmt: skip
    assert accredited.status_code == 201, accredited.text
    issuance = httpx.get(f"{server}/v1/credentials/issuance").json()
    slug = issuer.did.removeprefix("did:key:")
    listing = httpx.get(f"{server}/v1/status-lists/{slug}/revocation/state").json()
    document = DocumentSecret.create("passport", "PA9912345", "NP")
    credential = issue_worker_credential(
        issuer, worker.did, document,
        status=StatusLocation(issuance["statusChainId"], issuance["statusContract"]),
        status_list=StatusListEntry(listing["url"], listing["freeIndex"]),
        facility="fac-my-penang-pcb-03", nationality="NP",
    )  # fmt: skip
    envelope = sign_envelope("credential", registration_payload(credential), issuer).to_dict()
    registered = httpx.post(f"{server}/v1/credentials", json=envelope)
    assert registered.status_code == 201, registered.text
    wallet = Wallet(worker).with_credential(credential, document, None)
    challenge = httpx.get(f"{server}/v1/presentations/challenge").json()["challenge"]
    presentation = wallet.present(challenge=challenge)
    path = tmp_path_factory.mktemp("qr") / "presentation.png"
    path.write_bytes(render_png(encode_payload(presentation)))
    return path, presentation


def test_a_workers_qr_photo_is_read_in_the_page_and_accepted(
    page: Page, phone: Page, presentation_qr: tuple[Path, dict[str, Any]]
) -> None:
    path, presentation = presentation_qr
    for at, name in ((page, "desktop"), (phone, "phone")):
        at.goto("/verify")
        expect(at.locator("form#verify-form")).to_have_attribute("data-ready", "true")
        at.get_by_label("Or open a file").set_input_files(str(path))
        verdict = at.locator("#server-verdict")
        expect(verdict.locator(".summary")).to_have_text(
            "Accepted: the worker holds this credential; every check holds.", timeout=60_000
        )
        assert at.get_by_label("Paste a receipt").input_value().startswith("LPL1:")
        outcomes = _outcomes(at, "server-verdict")
        for check in ("presentation_signature", "credential_signature", "issuer_accredited",
                      "status", "freshness", "challenge"):  # fmt: skip
            assert outcomes[check] == "pass", outcomes
        assert set(outcomes.values()) == {"pass"}
        expect(verdict).to_contain_text(presentation["holder"])
        expect(at.locator("#browser-verdict")).to_be_hidden()
        assert_accessible(at)
        shoot(at, f"verify-qr-{name}")
    assert fits_the_screen(phone)


def write_y4m(png: Path, out: Path, size: tuple[int, int] = (640, 480)) -> None:
    """The QR on a white frame as a one-frame Y4M video, which Chromium's fake camera loops
    (``--use-file-for-fake-video-capture``): 4:2:0, the picture in Y, no colour."""
    from PIL import Image

    qr = Image.open(png).convert("L")
    qr.thumbnail((size[0] - 40, size[1] - 40))
    frame = Image.new("L", size, 255)
    frame.paste(qr, ((size[0] - qr.width) // 2, (size[1] - qr.height) // 2))
    chroma = bytes([128]) * (size[0] // 2 * (size[1] // 2))
    header = f"YUV4MPEG2 W{size[0]} H{size[1]} F10:1 Ip A1:1 C420jpeg\n".encode()
    out.write_bytes(header + b"FRAME\n" + frame.tobytes() + chroma + chroma)


def test_a_workers_qr_held_to_the_camera_is_read_and_accepted(
    playwright: Playwright,
    server: str,
    presentation_qr: tuple[Path, dict[str, Any]],
    tmp_path: Path,
) -> None:
    path, presentation = presentation_qr
    video = tmp_path / "qr.y4m"
    write_y4m(path, video)
    camera = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True,
        args=["--no-sandbox", "--use-fake-ui-for-media-stream",
              "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"],
    )  # fmt: skip
    try:
        opened = _open(camera, server, PHONE)
        at = next(opened)
        at.goto("/verify")
        expect(at.locator("form#verify-form")).to_have_attribute("data-ready", "true")
        at.get_by_role("button", name="Scan a QR with the camera").click()
        verdict = at.locator("#server-verdict")
        expect(verdict.locator(".summary")).to_have_text(
            "Accepted: the worker holds this credential; every check holds.", timeout=60_000
        )
        expect(at.locator("#camera-video")).to_be_hidden()  # the camera stops once read
        assert at.get_by_label("Paste a receipt").input_value().startswith("LPL1:")
        expect(verdict).to_contain_text(presentation["holder"])
        assert set(_outcomes(at, "server-verdict").values()) == {"pass"}
        shoot(at, "verify-qr-camera")
        next(opened, None)  # the page's watch: no console error, nothing from elsewhere
    finally:
        camera.close()


def test_a_credential_is_compared_with_what_the_server_registered(
    page: Page, presentation_qr: tuple[Path, dict[str, Any]]
) -> None:
    _, presentation = presentation_qr
    credential = presentation["verifiableCredential"][0]
    _verify(page, json.dumps(credential))
    outcomes = _outcomes(page, "server-verdict")
    assert outcomes == dict.fromkeys(["registered", "issuer", "validity", "status"], "pass")
    # The issuer's Data Integrity proof, checked in the browser.
    assert _outcomes(page, "browser-verdict") == {"credential_signature": "pass"}
    expect(page.locator("#browser-verdict .summary")).to_have_text("The issuer's signature holds.")
    assert_accessible(page)
    shoot(page, "verify-credential")
    forged = {**credential, "issuer": SigningKey.generate().did}
    _verify(page, json.dumps(forged))
    assert _outcomes(page, "server-verdict")["issuer"] == "fail"
    assert _outcomes(page, "browser-verdict") == {"credential_signature": "fail"}
    # Changed after signing: the registration still matches, the signature does not.
    tampered = copy.deepcopy(credential)
    tampered["validUntil"] = "2099-01-01T00:00:00Z"
    _verify(page, json.dumps(tampered))
    assert _outcomes(page, "browser-verdict") == {"credential_signature": "fail"}
    expect(page.locator("#browser-verdict [data-check=credential_signature]")).to_contain_text(
        "does not verify"
    )
    assert_accessible(page)


def test_what_is_not_a_receipt_is_said_in_words(page: Page) -> None:
    for text, said in (("hello", "neither JSON nor a worker's QR text"),
                       ('{"a": 1}', "not a receipt"), ("", "Paste something")):  # fmt: skip
        page.goto("/verify")
        expect(page.locator("form#verify-form")).to_have_attribute("data-ready", "true")
        page.get_by_label("Paste a receipt").fill(text)
        page.get_by_role("button", name="Verify", exact=True).click()
        expect(page.locator("#verify-note")).to_contain_text(said)
