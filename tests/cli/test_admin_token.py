"""The admin token goes to the configured API (LEDGER_API_URL) and nowhere else.

A second local HTTP server records what reaches it: an ``--api`` URL naming it must get no
request at all from an admin command (the refusal comes before any connection), and the
commands that need no token must never send one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from api.cli.common import is_loopback, is_same_api
from ledger.chain.anvil import free_port
from tests.cli.recorder import Answer, Recorder, Request, recording_server

TOKEN = "admin-t0ken-that-must-not-travel"
FILE_TOKEN = "file-t0ken-from-var-admin-token"
DID = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
ADMIN_COMMANDS = [
    ["admin", "signers"],
    ["admin", "accredit", DID, "--role", "auditor"],
    ["admin", "accredit", DID, "--role", "employer", "--facility", "fac-1"],
    ["admin", "scope", DID, "--role", "employer", "--facility", "fac-1"],
    ["admin", "scope", DID, "--role", "employer", "--facility", "fac-1", "--revoke"],
    ["admin", "revoke", DID],
    ["anchor"],
]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with recording_server() as server:
        yield server


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory (no var/admin-token unless a test writes one)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(args: list[str], **env: str | None) -> Result:
    base: dict[str, str | None] = {"LEDGER_ADMIN_TOKEN": None, "LEDGER_API_URL": None}
    return CliRunner(env={**base, **env}).invoke(app, args)


def closed_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.mark.parametrize("command", ADMIN_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_the_token_from_the_environment_never_goes_to_another_api(
    recorder: Recorder, elsewhere: Path, command: list[str]
) -> None:
    result = run(
        [*command, "--api", recorder.url], LEDGER_ADMIN_TOKEN=TOKEN, LEDGER_API_URL=closed_url()
    )
    assert result.exit_code == 2, result.output
    assert "refusing to send the admin token" in result.stderr
    assert "LEDGER_API_URL" in result.stderr
    assert recorder.requests == []  # refused before connecting
    assert TOKEN not in result.output


@pytest.mark.parametrize("command", ADMIN_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_the_token_file_never_goes_to_another_api(
    recorder: Recorder, elsewhere: Path, command: list[str]
) -> None:
    (elsewhere / "var").mkdir()
    (elsewhere / "var/admin-token").write_text(FILE_TOKEN + "\n")
    result = run([*command, "--api", recorder.url])  # configured: the default API
    assert result.exit_code == 2, result.output
    assert recorder.requests == []
    assert FILE_TOKEN not in result.output


@pytest.mark.parametrize(
    "api",
    [
        "http://127.0.0.1:8000@{host}",  # user info that looks like the configured API
        "http://localhost:{port}",  # the same machine by another name is another API
        "https://127.0.0.1:{port}",
        "http://127.0.0.1:{port}/other-prefix",
    ],
)
def test_lookalike_urls_are_other_apis(recorder: Recorder, elsewhere: Path, api: str) -> None:
    host = recorder.url.removeprefix("http://")
    port = host.rsplit(":", 1)[1]
    result = run(
        ["admin", "signers", "--api", api.format(host=host, port=port)],
        LEDGER_ADMIN_TOKEN=TOKEN,
        LEDGER_API_URL=recorder.url if "{port}" in api else None,
    )
    assert result.exit_code == 2, result.output
    assert recorder.requests == [] and not recorder.received(TOKEN)


def test_the_configured_api_gets_the_token(recorder: Recorder, elsewhere: Path) -> None:
    # The control: the recorder does see the token when it is the configured API, given
    # explicitly as --api (trailing slash and all) or by LEDGER_API_URL alone.
    for extra in ([], ["--api", recorder.url + "/"]):
        recorder.requests.clear()
        result = run(
            ["admin", "signers", *extra], LEDGER_ADMIN_TOKEN=TOKEN, LEDGER_API_URL=recorder.url
        )
        assert result.exit_code == 1  # the recorder answers 404
        [request] = recorder.requests
        assert request.path == "/v1/admin/signers"
        assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_the_token_file_goes_to_a_configured_loopback_api_only(
    recorder: Recorder, elsewhere: Path
) -> None:
    (elsewhere / "var").mkdir()
    (elsewhere / "var/admin-token").write_text(FILE_TOKEN + "\n")
    assert run(["anchor"], LEDGER_API_URL=recorder.url).exit_code == 1
    assert [r.headers["authorization"] for r in recorder.requests] == [f"Bearer {FILE_TOKEN}"]
    # A configured API elsewhere (TEST-NET-1, never routed) gets no local token: refused
    # at once, without even trying to connect.
    refused = run(["anchor"], LEDGER_API_URL="http://192.0.2.1:8000")
    assert refused.exit_code == 2 and "var/admin-token" in refused.stderr
    assert FILE_TOKEN not in refused.output


def test_a_redirect_does_not_carry_the_token_elsewhere(recorder: Recorder, elsewhere: Path) -> None:
    with recording_server() as other:

        def redirect(request: Request) -> Answer:
            return 307, {"Location": other.url + request.path}, b""

        recorder.respond = redirect
        result = run(["admin", "signers"], LEDGER_ADMIN_TOKEN=TOKEN, LEDGER_API_URL=recorder.url)
        assert result.exit_code == 1
        assert len(recorder.requests) == 1
        assert other.requests == []


def test_credential_commands_send_no_token(recorder: Recorder, elsewhere: Path) -> None:
    # Envelopes authenticate these endpoints: LEDGER_ADMIN_TOKEN, if set, stays home.
    result = run(
        ["vc", "issue-worker", "--issuer-key", "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
         "--holder", DID, "--document-type", "passport", "--document-number", "PA7730419",
         "--document-country", "NP", "--api", recorder.url],
        LEDGER_ADMIN_TOKEN=TOKEN,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert [r.path for r in recorder.requests] == ["/v1/credentials/issuance"]
    assert "authorization" not in recorder.requests[0].headers
    assert not recorder.received(TOKEN)


def test_the_rule_is_in_the_help() -> None:
    for command in (["admin", "--help"], ["anchor", "--help"], ["admin", "accredit", "--help"],
                    ["admin", "scope", "--help"]):  # fmt: skip
        text = " ".join(run(command).stdout.replace("│", " ").split())
        assert "only sent to LEDGER_API_URL" in text or "sent only to" in text, command


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/", True),
        ("http://API.example:80", "http://api.example", True),
        ("https://api.example/ledger/", "https://api.example:443/ledger", True),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8001", False),
        ("http://127.0.0.1:8000", "https://127.0.0.1:8000", False),
        ("http://127.0.0.1:8000", "http://localhost:8000", False),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000@evil.example", False),
        ("http://127.0.0.1:8000", "http://evil.example#@127.0.0.1:8000", False),
        ("http://127.0.0.1:8000", "http://x@127.0.0.1:8000", False),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/v2", False),
        ("http://127.0.0.1:8000", "ftp://127.0.0.1:8000", False),
        ("http://127.0.0.1:8000", "not a url", False),
    ],
)
def test_same_api(a: str, b: str, same: bool) -> None:
    assert is_same_api(a, b) is same
    assert is_same_api(b, a) is same


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.8.9.10", True),
        ("http://[::1]:8000", True),
        ("http://localhost:8000", True),
        ("http://localhost.evil.example", False),
        ("http://192.0.2.1:8000", False),
        ("http://127.0.0.1.evil.example", False),
        ("https://api.example", False),
    ],
)
def test_loopback(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback
