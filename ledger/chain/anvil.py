"""Start and stop a local anvil devnet from the npm package ``@foundry-rs/anvil-linux-amd64``.

Always with ``--prune-history``: without it anvil 1.7 writes a state file per block under
``~/.foundry`` and fills the disk. Plain ``--prune-history`` keeps no past states, so
``anvil_reorg`` answers "Required data unavailable"; ``keep_states`` keeps that many in
memory (``--prune-history N``) for reorg drills.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import requests

from ..errors import ChainUnavailable

__all__ = ["Anvil", "find_anvil", "free_port"]

_NPM_BINARY = Path("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")


def find_anvil(start: Path | None = None) -> Path:
    """The anvil binary: ``LEDGER_ANVIL``, else node_modules above ``start`` (or cwd), else PATH."""
    explicit = os.environ.get("LEDGER_ANVIL")
    if explicit:
        return Path(explicit)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / _NPM_BINARY
        if candidate.is_file():
            return candidate
    package_root = Path(__file__).resolve().parents[2]
    if (package_root / _NPM_BINARY).is_file():
        return package_root / _NPM_BINARY
    on_path = shutil.which("anvil")
    if on_path:
        return Path(on_path)
    raise ChainUnavailable("anvil not found: run `make setup` (npm ci) or set LEDGER_ANVIL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Anvil:
    """An anvil process on 127.0.0.1; a context manager that stops it on exit."""

    def __init__(
        self, port: int | None = None, *, block_time: float | None = None,
        chain_id: int | None = None, log_path: Path | None = None,
        keep_states: int | None = None,
    ) -> None:  # fmt: skip
        self.port = port or free_port()
        self.keep_states = keep_states
        self.block_time = block_time
        self.chain_id = chain_id
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [str(find_anvil()), "--host", "127.0.0.1", "--port", str(self.port),
               "--prune-history", "--silent"]  # fmt: skip
        if self.keep_states is not None:
            cmd.insert(cmd.index("--prune-history") + 1, str(self.keep_states))
        if self.block_time is not None:
            cmd += ["--block-time", str(self.block_time)]
        if self.chain_id is not None:
            cmd += ["--chain-id", str(self.chain_id)]
        return cmd

    def start(self, timeout: float = 30.0) -> Anvil:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ChainUnavailable(f"anvil exited with {self.process.returncode}")
            if self.is_up():
                return self
            time.sleep(0.05)
        self.stop()
        raise ChainUnavailable(f"anvil did not answer on {self.url} within {timeout}s")

    def is_up(self) -> bool:
        try:
            reply = requests.post(
                self.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
                timeout=1,
            )  # fmt: skip
        except requests.RequestException:
            return False
        return reply.ok

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def __enter__(self) -> Anvil:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:  # fmt: skip
        self.stop()
