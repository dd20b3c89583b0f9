"""No error message, and no traceback, repeats a secret given on the command line.

Whatever is given to ``--key``, ``--issuer-key``, ``--verifier-key`` or ``keys show`` may
be a secret key pasted by mistake (or a "path" that is key material); passphrases and PINs
come from the environment. Every command that takes one is run with a spread of bad
values, and its whole output is searched for the value and for pieces of it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from credentials.commitment import DocumentSecret
from credentials.worker import StatusLocation, issue_worker_credential
from ledger.chain.anvil import free_port
from ledger.keyfile import save_key_file
from ledger.keys import SigningKey
from tests.conftest import REPO
from tests.credentials.worker_support import FAST_KDF

SECRET_MULTIBASE = SigningKey(bytes(range(100, 132))).multibase
SEED_HEX = bytes(range(100, 132)).hex()
BAD_KEYS = {
    "one character too many": SECRET_MULTIBASE + "x",
    "truncated": SECRET_MULTIBASE[:30],
    "base58 with invalid characters": "z3u2" + "0OIl" + SECRET_MULTIBASE[8:],
    "raw seed hex": SEED_HEX,
    "ethereum-style hex": "0x" + SEED_HEX,
    "base64url multibase": "u" + "SECRETbase64urlPayload" * 3,
    "pasted key file": json.dumps({"version": 1, "ciphertext": "SECRETciphertextSECRET" * 4}),
    "too long for a file name": "z3u2" + "K" * 5000,
    "too long path": "/" + "secretpath" * 600,
    "nul byte": "secret\x00material-after-nul",
}
PASSPHRASE = "Zk4-right-Hm8sWq1-4711"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("secrets")
    document = DocumentSecret.create("passport", "PA7730419", "NP", salt=bytes(32))
    credential = issue_worker_credential(
        SigningKey.generate(),
        SigningKey.generate().did,
        document,
        status=StatusLocation(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3"),
    )
    presentation = folder / "presentation.json"
    presentation.write_text(json.dumps({"verifiableCredential": [credential]}))
    key = folder / "real.key"
    save_key_file(key, SigningKey.generate(), PASSPHRASE, **FAST_KDF)
    return {"presentation": presentation, "key": key}


def commands(files: dict[str, Path], secret: str) -> dict[str, list[str]]:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens: nothing may be sent
    return {
        "vc sign": ["vc", "sign", "--key", secret, "--created", "2026-01-05T09:30:00Z"],
        "attest audit": ["attest", "audit", str(REPO / "examples/audit.json"), "--key", secret,
                         "--api", closed],
        "checkin investigate": ["checkin", "investigate", "--key", secret, "--api", closed],
        "checkin submit": ["checkin", "submit", "--verifier-key", secret,
                           "--presentation", str(files["presentation"]), "--salt", "00" * 32,
                           "--document-type", "passport", "--document-number", "PA7730419",
                           "--document-country", "NP", "--location", "MY-07",
                           "--device-id", "tablet-1", "--api", closed],
        "vc issue-worker": ["vc", "issue-worker", "--issuer-key", secret, "--holder",
                            "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
                            "--document-type", "passport", "--document-number", "PA7730419",
                            "--document-country", "NP", "--api", closed],
        "vc revoke": ["vc", "revoke", "0x" + "ab" * 32, "--issuer-key", secret, "--api", closed],
        "keys show": ["keys", "show", secret],
        "untp export": ["untp", "export", "--facility", "fac-my-penang-pcb-03", "--out",
                        str(files["key"].parent / "untp"), "--key", secret, "--api", closed],
    }  # fmt: skip


def invoke(args: list[str], **env: str | None) -> Result:
    runner = CliRunner(env={"LEDGER_KEY_PASSPHRASE": PASSPHRASE, **env})
    return runner.invoke(app, args, input="{}")


def pieces(secret: str) -> list[str]:
    """The value, and every 12-character window of its first and last 48 characters."""
    text = secret.replace("\x00", "")
    windows = {text[i : i + 12] for i in range(0, min(len(text), 48) - 11)}
    windows |= {text[-i - 12 : len(text) - i] for i in range(0, min(len(text), 48) - 11)}
    return [secret, *sorted(w for w in windows if len(w) == 12)]


def assert_not_echoed(result: Result, *secrets: str) -> None:
    everything = result.stdout + result.stderr
    for secret in secrets:
        for piece in pieces(secret):
            assert piece not in everything, (piece, everything)
    # No traceback: an unexpected exception would print its message and frames.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


OPTION = {
    "vc sign": "--key",
    "attest audit": "--key",
    "checkin investigate": "--key",
    "checkin submit": "--verifier-key",
    "vc issue-worker": "--issuer-key",
    "vc revoke": "--issuer-key",
    "keys show": "KEY_FILE",
    "untp export": "--key",
}


@pytest.mark.parametrize("command", sorted(OPTION))
@pytest.mark.parametrize("name", sorted(BAD_KEYS))
def test_a_bad_key_value_is_never_echoed(files: dict[str, Path], command: str, name: str) -> None:
    secret = BAD_KEYS[name]
    result = invoke(commands(files, secret)[command])
    assert result.exit_code in (1, 2), (result.exit_code, result.output)
    assert result.stderr.startswith("error:") and OPTION[command] in result.stderr, result.stderr
    assert_not_echoed(result, secret)


@pytest.mark.parametrize(
    "command", ["vc sign", "attest audit", "keys show", "vc revoke", "untp export"]
)
def test_a_wrong_passphrase_is_named_not_echoed(files: dict[str, Path], command: str) -> None:
    wrong = "Xq7-wrong-Vt9rKp2-0815"
    result = invoke(commands(files, str(files["key"]))[command], LEDGER_KEY_PASSPHRASE=wrong)
    assert result.exit_code in (1, 2)
    assert "wrong passphrase" in result.stderr
    assert_not_echoed(result, wrong, PASSPHRASE)


def test_a_valid_secret_multibase_is_not_echoed_when_a_later_step_fails(
    files: dict[str, Path],
) -> None:
    # The key is good; the API is unreachable. The failure is reported without the key.
    result = invoke(commands(files, SECRET_MULTIBASE)["vc revoke"])
    assert result.exit_code != 0
    assert_not_echoed(result, SECRET_MULTIBASE)


def test_wallet_pins_are_never_echoed(tmp_path: Path) -> None:
    wallet = tmp_path / "worker.wallet"
    short = invoke(["wallet", "new", "--wallet", str(wallet), "--insecure-fast-kdf"],
                   LEDGER_WALLET_PIN="123", LEDGER_WALLET_DURESS_PIN="98765")  # fmt: skip
    assert short.exit_code == 2 and "PIN" in short.stderr
    assert_not_echoed(short, "98765")
    made = invoke(["wallet", "new", "--wallet", str(wallet), "--insecure-fast-kdf"],
                  LEDGER_WALLET_PIN="24682468", LEDGER_WALLET_DURESS_PIN="13571357")  # fmt: skip
    assert made.exit_code == 0, made.output
    wrong = invoke(["wallet", "show", "--wallet", str(wallet)], LEDGER_WALLET_PIN="11112222")
    assert wrong.exit_code == 2
    assert_not_echoed(wrong, "11112222", "24682468", "13571357")


@pytest.mark.parametrize("args", [["vc", "sign", "--created", "2026-01-05T09:30:00Z"],
                                  ["keys", "show"]])  # fmt: skip
def test_no_traceback_in_a_real_process(args: list[str]) -> None:
    # A name too long for the file system made pathlib raise OSError, whose message (and
    # traceback) carried the whole value.
    secret = "z3u2" + "Q" * 5000
    argv = [*args[:2], secret, *args[2:]] if args[0] == "keys" else [*args, "--key", secret]
    completed = subprocess.run(
        [sys.executable, "-m", "api.cli", *argv],
        input="{}",
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "LEDGER_KEY_PASSPHRASE": PASSPHRASE, "PYTHONPATH": str(REPO)},
        timeout=120,
        check=False,
    )
    assert completed.returncode in (1, 2), completed.stderr
    assert "Traceback" not in completed.stderr
    for piece in pieces(secret):
        assert piece not in completed.stdout + completed.stderr


@pytest.mark.parametrize(
    "anchor_key", ["0x" + SEED_HEX[:-2] + "zz", SEED_HEX[:40], "0x" + SEED_HEX + "00", "SECRETkey"]
)
def test_a_bad_anchoring_key_is_named_not_echoed(anchor_key: str) -> None:
    # eth_account's ValueError used to end the command with a traceback.
    result = invoke(
        ["chain", "deploy", "--rpc", f"http://127.0.0.1:{free_port()}", "--out", "/dev/null"],
        LEDGER_ANCHOR_KEY=anchor_key,
    )
    assert result.exit_code == 2
    assert "LEDGER_ANCHOR_KEY" in result.stderr
    assert_not_echoed(result, anchor_key)
