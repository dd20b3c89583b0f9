"""Pages in a real browser: Debian's Chromium (``/usr/bin/chromium``, headless, no sandbox)
driven by Playwright, against ``ledger serve --demo`` started as a user would.

Each test gets a fresh page that records what a user would not see: console errors
(a Content-Security-Policy violation is one), requests to any other origin, failed
requests. The fixture fails the test on any of them. ``shoot`` saves a screenshot under
``.artifacts/screenshots/`` (git ignores it; CI keeps it as a test artifact), and
``assert_accessible`` runs axe-core (from node_modules) in the page and fails on any
serious or critical violation.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    sync_playwright,
)

from tests.browser.signers import Admin
from tests.cli.conftest import Cli, start_server
from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / ".artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Served:
    """The session's ``ledger serve --demo``: its URL and the directory it runs in."""

    url: str
    home: Path


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One ``ledger serve --demo`` for the session, started as a user would."""
    home = tmp_path_factory.mktemp("serve")
    env = {**os.environ, "PYTHONPATH": str(REPO), "LEDGER_CONFIG_DIR": str(home / "config")}
    for name in ("LEDGER_ADMIN_TOKEN", "LEDGER_API_URL", "LEDGER_RPC_URL", "DATABASE_URL"):
        env.pop(name, None)
    running = start_server(Cli(env=env, cwd=home), "--demo")
    yield Served(running.url, home)
    running.stop()


@pytest.fixture(scope="session")
def server(served: Served) -> str:
    return served.url


@pytest.fixture(scope="session")
def admin_token(served: Served) -> str:
    """The admin token ``ledger serve`` wrote to ``var/admin-token`` in its directory."""
    path = served.home / "var" / "admin-token"
    assert path.is_file(), "ledger serve --demo wrote no var/admin-token"
    return path.read_text().strip()


@pytest.fixture(scope="session")
def admin(server: str, admin_token: str) -> Admin:
    """The admin API of the session's ``ledger serve --demo``."""
    return Admin(server, admin_token)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: tools/setup.sh installs Debian's chromium",
                    pytrace=False)  # fmt: skip
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
    )
    yield launched
    launched.close()


@dataclass
class Watch:
    """What went wrong in the page that a user would not be told."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    broken_assets: list[str] = field(default_factory=list)
    error_documents: set[str] = field(default_factory=set)  # pages asked for with a 4xx

    def on_console(self, message: ConsoleMessage) -> None:
        # The browser logs a document's own 4xx status (a 404 or 422 page a test asks for)
        # as an error: that one is expected; anything else is not.
        load = message.text.startswith("Failed to load resource")
        if message.type == "error" and not (
            load and message.location.get("url") in self.error_documents
        ):
            self.console_errors.append(message.text)

    def on_request(self, request: Request) -> None:
        if not request.url.startswith((self.origin + "/", "data:", "about:")):
            self.foreign_requests.append(request.url)

    def on_failed(self, request: Request) -> None:
        # A load the page itself cancelled by navigating on (the favicon of a page the test
        # left at once) is ERR_ABORTED: no failure a user sees. A blocked or refused load
        # has its own code (ERR_BLOCKED_BY_CSP, ERR_CONNECTION_REFUSED, ...).
        if request.failure == "net::ERR_ABORTED" and request.resource_type != "document":
            return
        self.failed_requests.append(f"{request.url}: {request.failure}")

    def on_response(self, response: Response) -> None:
        if response.status < 400:
            return
        # A document asked for with a 4xx, or the page's own API call that it answers by
        # showing the problem (the signing pages do): the test checks what the page shows.
        if response.request.resource_type in ("document", "fetch", "xhr"):
            self.error_documents.add(response.url)
        else:
            self.broken_assets.append(f"{response.url}: {response.status}")


def _open(browser: Browser, server: str, viewport: dict[str, int]) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, base_url=server)
    page = context.new_page()
    watch = Watch(server)
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.console_errors.append(str(error)))
    page.on("request", watch.on_request)
    page.on("requestfailed", watch.on_failed)
    page.on("response", watch.on_response)
    yield page
    context.close()
    assert watch.foreign_requests == [], "pages load nothing from another origin"
    assert watch.failed_requests == []
    assert watch.broken_assets == [], "every script, style sheet and image loads"
    assert watch.console_errors == [], "console errors (a CSP violation is one)"


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    yield from _open(browser, server, DESKTOP)


@pytest.fixture
def phone(browser: Browser, server: str) -> Iterator[Page]:
    yield from _open(browser, server, PHONE)


def shoot(page: Page, name: str) -> Path:
    """A full-page screenshot under .artifacts/screenshots/ (a test artifact)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    return path


def assert_accessible(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2 A/AA rules and best practices) on the page as it is now; fail on
    any serious or critical violation. Returns every violation, for the record.

    axe is evaluated through the DevTools protocol, which the page's CSP does not govern;
    the page itself still runs no inline script."""
    page.evaluate(AXE.read_text("utf-8"))
    result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    violations: list[dict[str, Any]] = json.loads(result)["violations"]
    serious = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations if v["impact"] in ("serious", "critical")
    ]  # fmt: skip
    assert serious == [], json.dumps(serious, indent=2)
    return violations


def fits_the_screen(page: Page) -> bool:
    """Nothing makes the page scroll sideways (wide tables scroll inside their own box)."""
    return bool(page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
    ))  # fmt: skip
