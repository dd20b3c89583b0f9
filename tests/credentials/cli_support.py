"""A live ``ledger`` API for CLI tests (uvicorn in a thread, SQLite, embedded EVM), role
keys accredited on it, and the CLI run in-process against it."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from api.app import create_app, ledger_config
from api.cli import app as ledger_app
from api.settings import Settings
from domain import open_ledger
from ledger.keyfile import save_key_file
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from tests.credentials.worker_support import FAST_KDF

PASSPHRASE = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Ledger]]:
    folder = tmp_path_factory.mktemp("server")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'ledger.db'}", admin_token="t0ken-xyz", worker=False
    )
    ledger = open_ledger(ledger_config(settings))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, ledger=ledger), host="127.0.0.1", port=port, log_level="warning"
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert instance.started
    yield f"http://127.0.0.1:{port}", ledger
    instance.should_exit = True
    thread.join(timeout=10)
    ledger.close()


@pytest.fixture(scope="module")
def keys(server: tuple[str, Ledger], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    _, ledger = server
    folder = tmp_path_factory.mktemp("keys")
    paths = {}
    for name, role in (
        ("issuer", Role.ISSUER),
        ("verifier", Role.VERIFIER),
        ("investigator", Role.INVESTIGATOR),
    ):
        key = SigningKey.generate()
        ledger.accredit(key.did, role)
        paths[name] = folder / f"{name}.key"
        save_key_file(paths[name], key, PASSPHRASE, **FAST_KDF)
    return paths


def cli(api: str, *args: str, pin: str = "4821", **env: str | None) -> Any:
    runner = CliRunner(
        env={"LEDGER_API_URL": api, "LEDGER_KEY_PASSPHRASE": PASSPHRASE, "LEDGER_WALLET_PIN": pin,
             "LEDGER_WALLET_DURESS_PIN": "7777", **env}
    )  # fmt: skip
    return runner.invoke(ledger_app, list(args), catch_exceptions=False)


def issue_args(
    issuer_key: Path, holder: str, *, facility: str = "fac-my-penang-pcb-03"
) -> list[str]:
    return [
        "vc", "issue-worker", "--issuer-key", str(issuer_key), "--holder", holder,
        "--document-type", "passport", "--document-number", "PA 773 0419", "--document-country", "NP",
        "--facility", facility, "--nationality", "NP",
    ]  # fmt: skip


def issue(api: str, keys: dict[str, Path], holder: str, salt_out: Path) -> dict[str, Any]:
    result = cli(api, *issue_args(keys["issuer"], holder), "--salt-out", str(salt_out))
    assert result.exit_code == 0, result.output
    credential: dict[str, Any] = json.loads(result.stdout)
    return credential
