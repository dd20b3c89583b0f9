"""The W3C vc-di-eddsa test suite against our own endpoints: ``ledger vc serve`` (one issuer
per cryptosuite) and the API's ``POST /credentials/verify``; 0 failures, nothing skipped.

The suite is not part of this repository. ``W3C_VC_DI_EDDSA_SUITE`` names a directory with
an installed copy of w3c/vc-di-eddsa-test-suite (its ``node_modules`` included); without it
the test is skipped, saying so. The implementation manifest (``localConfig.cjs``) is written
into a temporary directory that ``APP_ROOT_PATH`` points the suite at, so the suite's own
directory is never changed. The suite needs no network: contexts and did:key are local.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app, ledger_config
from credentials.dataintegrity import SUITES
from domain import open_ledger
from ledger.chain.anvil import free_port
from ledger.keyfile import save_key_file
from ledger.keys import SigningKey
from tests.api.live import serving, wait_until_answering
from tests.credentials.worker_support import FAST_KDF

pytestmark = pytest.mark.slow

SUITE_ENV = "W3C_VC_DI_EDDSA_SUITE"
IMPLEMENTATION = "LabourProvenanceLedger"
LEDGER = [sys.executable, "-c", "from api.cli import main; main()"]
PASSPHRASE = "w3c suite passphrase"
# Every describe block the suite runs for an implementation with rdfc and jcs issuers and
# an rdfc + jcs verifier: a block missing from the report would be a silent pass.
EXPECTED_BLOCKS = {
    "Data Integrity (eddsa-rdfc-2022 issuers)",
    "Data Integrity (eddsa-rdfc-2022 verifiers)",
    "eddsa-rdfc-2022 (interop)",
    "eddsa-jcs-2022 (interop)",
    "eddsa-rdfc-2022 - Data Model - Proof Representations",
    "eddsa-rdfc-2022 - Data Model - Verification Methods",
    "eddsa-jcs-2022 - Data Model - Proof Representations",
    "eddsa-jcs-2022 - Data Model - Verification Methods",
    "eddsa-rdfc-2022 - Algorithms - Transformation",
    "eddsa-rdfc-2022 - Algorithms - Proof Configuration",
    "eddsa-rdfc-2022 - Algorithms - Proof Serialization",
    "eddsa-jcs-2022 - Algorithms - Transformation",
    "eddsa-jcs-2022 - Algorithms - Proof Configuration",
    "eddsa-jcs-2022 - Algorithms - Proof Serialization",
}


@pytest.fixture(scope="module")
def suite_dir() -> Path:
    value = os.environ.get(SUITE_ENV)
    if not value:
        pytest.skip(f"{SUITE_ENV} is not set: no installed W3C vc-di-eddsa test suite to run")
    path = Path(value)
    manifest = path / "package.json"
    if not manifest.is_file() or json.loads(manifest.read_text())["name"] != (
        "vc-di-eddsa-test-suite"
    ):
        pytest.fail(f"{SUITE_ENV}={value} is not the vc-di-eddsa-test-suite")
    if not (path / "node_modules" / "mocha").is_dir():
        pytest.fail(f"{SUITE_ENV}={value} has no node_modules: install it first")
    return path


def start_issuer(key_file: Path, suite: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LEDGER_KEY_PASSPHRASE": PASSPHRASE}
    env.pop("LEDGER_VC_SERVE_TOKEN", None)
    command = [*LEDGER, "vc", "serve", "--key", str(key_file), "--suite", suite]
    return subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.fixture(scope="module")
def issuers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """One ``ledger vc serve`` per cryptosuite, same key: (did, suite -> issue endpoint)."""
    key = SigningKey.generate()
    key_file = tmp_path_factory.mktemp("issuer") / "issuer.key"
    save_key_file(key_file, key, PASSPHRASE, **FAST_KDF)
    processes, endpoints = [], {}
    try:
        for suite in SUITES:
            port = free_port()
            process = start_issuer(key_file, suite, port)
            processes.append(process)
            base = f"http://127.0.0.1:{port}"
            wait_until_answering(base + "/openapi.json", process, "ledger vc serve")
            endpoints[suite] = base + "/credentials/issue"
        yield key.did, endpoints
    finally:
        for process in processes:
            process.terminate()
            process.communicate(timeout=30)


@pytest.fixture(scope="module")
def verifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from api.settings import Settings

    folder = tmp_path_factory.mktemp("api")
    settings = Settings(database_url=f"sqlite:///{folder / 'ledger.db'}", worker=False)
    ledger = open_ledger(ledger_config(settings))
    try:
        with serving(create_app(settings, ledger=ledger)) as base:
            yield base + "/credentials/verify"
    finally:
        ledger.close()


def local_config(did: str, issue: dict[str, str], verify: str) -> str:
    manifest = {
        "settings": {"enableInteropTests": False, "testAllImplementations": False},
        "implementations": [
            {
                "name": IMPLEMENTATION,
                "implementation": "labour-provenance-ledger",
                "issuers": [
                    {
                        "id": did,
                        "endpoint": issue[suite],
                        "supports": {"vc": ["1.1", "2.0"]},
                        "tags": [suite],
                    }
                    for suite in SUITES
                ],
                "verifiers": [
                    {
                        "id": "https://ledger.labour-provenance.org/verifier",
                        "endpoint": verify,
                        "supports": {"vc": ["1.1", "2.0"]},
                        "tags": list(SUITES),
                    }
                ],
            }
        ],
    }
    return f"module.exports = {json.dumps(manifest, indent=2)};\n"


def block_of(test: dict[str, Any]) -> str:
    """The describe block a test belongs to: its full title up to the implementation."""
    return str(test["fullTitle"]).split(f" {IMPLEMENTATION} ", 1)[0]


def test_w3c_vc_di_eddsa_suite_passes(
    suite_dir: Path,
    issuers: tuple[str, dict[str, str]],
    verifier: str,
    tmp_path: Path,
) -> None:
    did, issue = issuers
    (tmp_path / "localConfig.cjs").write_text(local_config(did, issue, verifier))
    report = tmp_path / "report.json"
    node = shutil.which("node")
    assert node is not None, "node is not on PATH"
    mocha = suite_dir / "node_modules" / "mocha" / "bin" / "mocha.js"
    command = [node, str(mocha), "tests/", "--reporter", "json"]
    command += ["--reporter-option", f"output={report}", "--timeout", "15000"]
    command += ["--preserve-symlinks"]
    run = subprocess.run(
        command,
        cwd=suite_dir,
        env={**os.environ, "APP_ROOT_PATH": str(tmp_path)},
        capture_output=True,
        timeout=900,
    )
    assert report.is_file(), run.stderr.decode(errors="replace")[-4000:]
    result = json.loads(report.read_text())
    failures = [f"{f['fullTitle']}: {f['err'].get('message')}" for f in result["failures"]]
    assert failures == [], "\n".join(failures)
    assert result["stats"]["pending"] == 0
    assert {block_of(test) for test in result["passes"]} == EXPECTED_BLOCKS
    assert result["stats"]["passes"] == len(result["tests"]) >= 57
