"""The README's walk-through, run inside a fresh git checkout of the project, leaves nothing
that ``git add .`` would pick up: every file the CLI writes (by default or as the README
names it) is git-ignored, or goes outside the work tree.

The CLI's default output paths: ``var/`` (``ledger serve``: admin token, SQLite databases),
``worker.wallet`` (``ledger wallet --wallet``), ``deployment.json`` (``ledger chain deploy``
and ``up --out``), and the salt bundle of ``ledger vc issue-worker``, now under
``$XDG_DATA_HOME/ledger/wallet-imports`` (it used to be ``wallet-import-<id>.json`` in the
working directory). The README adds key files, ``bundle.json``, ``receipt.json``,
``credential.json``, ``card.pdf`` and, in the command help, ``qr.png`` and
``presentation.json``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ledger.chain.anvil import Anvil
from tests.cli.conftest import Cli, start_server
from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.anvil]

PIN = {"LEDGER_WALLET_PIN": "48214821", "LEDGER_WALLET_DURESS_PIN": "77777777"}


def git(checkout: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-C", str(checkout), "-c", "user.name=test", "-c", "user.email=test@example.org",
         *args],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return completed.stdout


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A clone of this repository at HEAD, with the working tree's .gitignore committed."""
    target = tmp_path / "checkout"
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True, timeout=60).stdout.strip()  # fmt: skip
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", "--no-checkout", str(REPO),
                    str(target)], check=True, timeout=300)  # fmt: skip
    git(target, "checkout", "-q", "--detach", head)
    shutil.copyfile(REPO / ".gitignore", target / ".gitignore")
    git(target, "commit", "-q", "--allow-empty", "-am", "the .gitignore under test")
    assert git(target, "status", "--porcelain", "--untracked-files=all") == ""
    return target


def test_the_walkthrough_leaves_nothing_to_commit(
    cli: Cli, checkout: Path, anvil: Anvil, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    cli.cwd = checkout
    cli.env.update({"HOME": str(home), **PIN})
    cli.env.pop("XDG_DATA_HOME", None)

    def run(*args: str) -> str:
        return cli.run(*args).stdout.strip()

    def into(name: str, *args: str) -> None:  # `ledger ... > name`
        (checkout / name).write_text(cli.run(*args).stdout)

    server = start_server(cli, "--demo", log_dir=tmp_path)
    try:
        # An auditor's walk-through.
        auditor = run("keys", "new", "--out", "auditor.key")
        run("admin", "accredit", auditor, "--role", "auditor")
        record_id = run("attest", "audit", "examples/audit.json", "--key", "auditor.key").split()[
            -1
        ]
        run("anchor")
        into("receipt.json", "receipt", record_id)
        assert "receipt valid" in run("verify", "receipt.json")

        # Workers: credentials and check-ins (the wallet at its default path).
        ngo = run("keys", "new", "--out", "ngo.key")
        run("admin", "accredit", ngo, "--role", "issuer")
        worker = run("wallet", "new", "--insecure-fast-kdf")
        issue = ["vc", "issue-worker", "--issuer-key", "ngo.key", "--holder", worker,
                 "--document-type", "passport", "--document-number", "PA4410771",
                 "--document-country", "NP", "--facility", "fac-my-penang-pcb-03"]  # fmt: skip
        into("credential.json", *issue, "--salt-out", "bundle.json")
        run("wallet", "import", "bundle.json", "--wallet", "worker.wallet", "--insecure-fast-kdf")
        # (the README then says `rm bundle.json`: forgetting to must not risk a commit)
        run("vc", "verify", "credential.json")
        run("wallet", "card", "--wallet", "worker.wallet", "--out", "card.pdf")
        run("wallet", "qr", "--wallet", "worker.wallet", "--out", "qr.png", "--fetch-challenge")
        into("presentation.json", "wallet", "present", "--wallet", "worker.wallet")
        run("vc", "revoke", "credential.json", "--issuer-key", "ngo.key")
        # A second credential, its bundle at the default place.
        other = run("wallet", "new", "--wallet", "second.wallet", "--insecure-fast-kdf")
        cli.run(*issue[:5], other, *issue[6:])

        # A chain that outlives the process: the deployment at its default path.
        run("chain", "deploy", "--rpc", anvil.url)
    finally:
        server.stop()

    written = ["auditor.key", "ngo.key", "receipt.json", "worker.wallet", "second.wallet",
               "credential.json", "bundle.json", "card.pdf", "qr.png", "presentation.json",
               "deployment.json", "var/admin-token"]  # fmt: skip
    assert all((checkout / name).is_file() for name in written)  # the test did write them
    assert git(checkout, "status", "--porcelain", "--untracked-files=all") == ""
    assert not list(checkout.glob("wallet-import-*.json"))
    [default_bundle] = (home / ".local/share/ledger/wallet-imports").glob("wallet-import-*.json")
    assert default_bundle.stat().st_mode & 0o777 == 0o600
