"""``ledger vc issue-worker`` never leaves a registered credential whose salt is lost.

The salt bundle is written first (mode 0600, never over an existing file, outside any git
work tree unless git ignores the path) and only then is the credential registered; a
refused registration removes the bundle again. "Registered" is read from the live ledger
itself: the facility's ID-possession view counts its credentialed workers.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest

from domain.workers import WorkerCredentials
from ledger.keyfile import save_key_file
from ledger.keys import SigningKey
from ledger.service import Ledger
from tests.cli.recorder import Answer, Request, recording_server
from tests.credentials.cli_support import PASSPHRASE, cli, issue_args, keys, server
from tests.credentials.worker_support import FAST_KDF

__all__ = ["keys", "server"]  # fixtures, imported for pytest to find


def fresh_facility() -> str:
    return f"fac-test-{uuid.uuid4().hex[:10]}"


def registered(ledger: Ledger, facility: str) -> int:
    count: int = WorkerCredentials(ledger).possession_rate(facility).credentialed_workers
    return count


def git_init(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True, timeout=60)
    return folder


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's working directory, and a per-user data directory beside it (not inside)."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return folder


def test_an_existing_salt_out_registers_nothing(
    server: tuple[str, Ledger], keys: dict[str, Path], workdir: Path
) -> None:
    api, ledger = server
    facility = fresh_facility()
    existing = workdir / "bundle.json"
    existing.write_text("someone else's file\n")
    result = cli(api, *issue_args(keys["issuer"], SigningKey.generate().did, facility=facility),
                 "--salt-out", str(existing))  # fmt: skip
    assert result.exit_code == 2
    assert registered(ledger, facility) == 0  # no orphan credential counts for the facility
    assert "exists" in result.stderr and "nothing was registered" in result.stderr
    assert existing.read_text() == "someone else's file\n"
    assert result.stdout == ""

    # A symlink planted at the path is not followed (its target stays absent).
    link = workdir / "link.json"
    link.symlink_to(workdir / "target.json")
    result = cli(api, *issue_args(keys["issuer"], SigningKey.generate().did, facility=facility),
                 "--salt-out", str(link))  # fmt: skip
    assert result.exit_code == 2
    assert not (workdir / "target.json").exists()
    assert registered(ledger, facility) == 0


def test_a_refused_registration_removes_the_bundle(
    server: tuple[str, Ledger], workdir: Path
) -> None:
    api, ledger = server
    facility = fresh_facility()
    stranger = workdir.parent / "stranger.key"  # a well-formed key nobody accredited
    save_key_file(stranger, SigningKey.generate(), PASSPHRASE, **FAST_KDF)
    bundle = workdir / "bundle.json"
    result = cli(api, *issue_args(stranger, SigningKey.generate().did, facility=facility),
                 "--salt-out", str(bundle))  # fmt: skip
    assert result.exit_code == 1
    assert "unknown_signer" in result.stderr or "not_accredited" in result.stderr
    assert "nothing was registered" in result.stderr
    assert not bundle.exists()
    assert registered(ledger, facility) == 0


def test_an_unknown_outcome_keeps_the_bundle(
    server: tuple[str, Ledger], keys: dict[str, Path], workdir: Path
) -> None:
    api, ledger = server
    with recording_server() as broken:
        issuance = json.dumps(
            {"statusType": "CredentialStatusEntry", "statusChainId": 31337,
             "statusContract": ledger.deployment.address("CredentialStatus"), "investigators": []}
        ).encode()  # fmt: skip

        def respond(request: Request) -> Answer:
            if request.method == "GET" and request.path.endswith("/revocation/state"):
                # The issuer's status list: the URL its key names, a free index.
                listing = {"url": "https://ledger.example.org" + request.path[: -len("/state")],
                           "freeIndex": 5, "recordId": None, "revoked": []}  # fmt: skip
                return 200, {"Content-Type": "application/json"}, json.dumps(listing).encode()
            if request.method == "GET":
                return 200, {"Content-Type": "application/json"}, issuance
            return 502, {"Content-Type": "text/plain"}, b"bad gateway"

        broken.respond = respond
        bundle = workdir / "bundle.json"
        result = cli(api, *issue_args(keys["issuer"], SigningKey.generate().did),
                     "--salt-out", str(bundle), "--api", broken.url)  # fmt: skip
        assert [r.method for r in broken.requests] == ["GET", "GET", "POST"]
    # The ledger behind a 502 may hold the credential: the salt is kept, and the operator
    # is told how to find out.
    assert result.exit_code == 1
    assert "KEPT" in result.stderr and "/v1/credentials/0x" in result.stderr
    assert bundle.stat().st_mode & 0o777 == 0o600
    assert json.loads(bundle.read_text())["document"]["salt"]


def test_the_default_bundle_goes_to_a_per_user_directory(
    server: tuple[str, Ledger], keys: dict[str, Path], workdir: Path, tmp_path: Path
) -> None:
    api, ledger = server
    facility = fresh_facility()
    result = cli(api, *issue_args(keys["issuer"], SigningKey.generate().did, facility=facility))
    assert result.exit_code == 0, result.output
    assert list(workdir.iterdir()) == []  # nothing in the working directory
    folder = tmp_path / "data/ledger/wallet-imports"
    [bundle] = folder.glob("wallet-import-*.json")
    assert bundle.stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    assert str(bundle) in result.stderr
    credential = json.loads(result.stdout)
    assert json.loads(bundle.read_text())["credential"] == credential
    assert registered(ledger, facility) == 1


def test_a_bundle_inside_a_git_work_tree_must_be_ignored(
    server: tuple[str, Ledger], keys: dict[str, Path], workdir: Path, tmp_path: Path
) -> None:
    api, ledger = server
    repo = git_init(workdir / "project")
    facility = fresh_facility()
    bundle = repo / "sub" / "bundle.json"
    result = cli(api, *issue_args(keys["issuer"], SigningKey.generate().did, facility=facility),
                 "--salt-out", str(bundle))  # fmt: skip
    assert result.exit_code == 2
    assert "git work tree" in result.stderr and "nothing was registered" in result.stderr
    assert not bundle.exists() and registered(ledger, facility) == 0

    # A per-user directory that is itself inside a work tree (a dotfiles home) is no better.
    result = cli(api, *issue_args(keys["issuer"], SigningKey.generate().did, facility=facility),
                 XDG_DATA_HOME=str(repo / "data"))  # fmt: skip
    assert result.exit_code == 2 and registered(ledger, facility) == 0
    assert not (repo / "data").exists() or not list((repo / "data").rglob("*.json"))

    # Ignored by git: written, with a loud warning.
    (repo / ".gitignore").write_text("bundle.json\n")
    result = cli(api, *issue_args(keys["issuer"], SigningKey.generate().did, facility=facility),
                 "--salt-out", str(bundle))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.stderr and bundle.stat().st_mode & 0o777 == 0o600
    assert registered(ledger, facility) == 1
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], check=True,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert status.stdout.split() == ["??", ".gitignore"]
