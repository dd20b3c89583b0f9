"""Run the ``ledger`` command as a user would: a real process, real ports, real files."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ledger.chain.anvil import Anvil, free_port

# -P: the code under test comes from PYTHONPATH (this repository), never from the working
# directory, which may be another checkout of the project.
LEDGER = [sys.executable, "-P", "-m", "api.cli"]


@dataclass
class Cli:
    env: dict[str, str]
    cwd: Path

    def run(
        self, *args: str, check: bool = True, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*LEDGER, *args], env=self.env, cwd=self.cwd, capture_output=True,
                                text=True, input=input, timeout=300)  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(
                f"ledger {' '.join(args)} -> {result.returncode}\n{result.stdout}\n{result.stderr}"
            )
        return result


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    env = {**os.environ, "LEDGER_KEY_PASSPHRASE": "correct horse battery staple",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
           # `ledger verify` pins the deployment on first use; never in the real ~/.config.
           "LEDGER_CONFIG_DIR": str(tmp_path / "config")}  # fmt: skip
    for name in (
        "LEDGER_ADMIN_TOKEN",
        "LEDGER_API_URL",
        "LEDGER_RPC_URL",
        "DATABASE_URL",
        "LEDGER_FAILPOINTS",
    ):
        env.pop(name, None)
    return Cli(env=env, cwd=tmp_path)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def start_server(cli: Cli, *args: str, log_dir: Path | None = None) -> Server:
    """Start ``ledger serve`` and wait until /v1/health answers; LEDGER_API_URL points at it.

    The server's log goes to ``log_dir`` (default: the working directory)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (log_dir or cli.cwd) / f"serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([*LEDGER, "serve", "--port", str(port), *args], env=cli.env,
                                   cwd=cli.cwd, stdout=sink, stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(log.read_text())
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                cli.env["LEDGER_API_URL"] = url
                return Server(process, url, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    process.wait()
    raise AssertionError("ledger serve did not come up:\n" + log.read_text())


@pytest.fixture
def server(cli: Cli) -> Iterator[str]:
    """``ledger serve --demo`` on the embedded defaults, as the README's run command does."""
    running = start_server(cli, "--demo")
    yield running.url
    running.stop()


@pytest.fixture
def anvil() -> Iterator[Anvil]:
    with Anvil() as node:
        yield node
