"""``ledger vc sign`` / ``ledger vc verify``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nacl.pwhash
import pytest
from typer.testing import CliRunner

from api.cli import app as ledger_app
from api.cli.vc import app
from ledger.keyfile import save_key_file
from ledger.keys import SigningKey
from tests.credentials.vc_support import ROOT, load_vectors, mutated

VECTORS = [v for v in load_vectors()["vectors"] if "requires_context" not in v]
CREATED = "2023-02-24T23:36:38Z"
LEDGER = [sys.executable, "-c", "from api.cli import main; main()"]
FAST_KDF = {
    "opslimit": nacl.pwhash.argon2id.OPSLIMIT_MIN,
    "memlimit": nacl.pwhash.argon2id.MEMLIMIT_MIN,
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"LEDGER_KEY_PASSPHRASE": None})


@pytest.fixture
def key_file(tmp_path: Path, vector_key: SigningKey) -> Path:
    path = tmp_path / "issuer.key"
    save_key_file(path, vector_key, "correct horse", **FAST_KDF)
    return path


def write(tmp_path: Path, document: Any, name: str = "signed.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


# -- sign ----------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_sign_with_a_multibase_key_reproduces_the_vector(
    runner: CliRunner, vectors: dict[str, Any], vector: dict[str, Any]
) -> None:
    args = ["sign", "--suite", vector["cryptosuite"], "--created", CREATED]
    args += ["--key", vectors["key_pair"]["privateKeyMultibase"]]
    result = runner.invoke(app, args, input=json.dumps(vector["unsigned"]))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == vector["signed"]


def test_sign_with_a_key_file_and_the_passphrase_from_the_environment(
    runner: CliRunner, key_file: Path
) -> None:
    vector = VECTORS[0]
    args = ["sign", "--key", str(key_file), "--created", CREATED]
    args += ["--verification-method", vector["proof_options"]["verificationMethod"]]
    result = runner.invoke(
        app,
        args,
        input=json.dumps(vector["unsigned"]),
        env={"LEDGER_KEY_PASSPHRASE": "correct horse"},
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == vector["signed"]  # default suite: eddsa-rdfc-2022


def test_sign_with_a_wrong_passphrase(runner: CliRunner, key_file: Path) -> None:
    result = runner.invoke(
        app,
        ["sign", "--key", str(key_file), "--created", CREATED],
        input=json.dumps(VECTORS[0]["unsigned"]),
        env={"LEDGER_KEY_PASSPHRASE": "wrong"},
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: key_file:")
    assert result.stdout == ""


def test_sign_never_reads_the_passphrase_from_stdin(key_file: Path) -> None:
    # No terminal (a new session has no controlling tty) and no variable: refuse, rather
    # than take the passphrase from stdin, which holds the document.
    completed = subprocess.run(
        [*LEDGER, "vc", "sign", "--key", str(key_file), "--created", CREATED],
        input=json.dumps(VECTORS[0]["unsigned"]),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        start_new_session=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1
    assert "set LEDGER_KEY_PASSPHRASE" in completed.stderr
    assert completed.stdout == ""


@pytest.mark.parametrize(
    ("stdin", "key", "exit_code", "message"),
    [
        ("{not json", "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", 1, "malformed_json"),
        (
            '{"a": 1, "a": 2}',
            "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
            1,
            "malformed_json",
        ),
        ('{"name": "x"}', "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", 1, "undefined_term"),
        ("[]", "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", 2, "one JSON object"),
        ("{}", "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", 1, "invalid_key"),
        ("{}", "/no/such/issuer.key", 1, "key_file"),
    ],
)
def test_sign_failures(
    runner: CliRunner, stdin: str, key: str, exit_code: int, message: str
) -> None:
    result = runner.invoke(app, ["sign", "--key", key, "--created", CREATED], input=stdin)
    assert result.exit_code == exit_code
    assert message in result.stderr
    assert result.stdout == ""


def test_sign_refuses_a_bad_created(runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        [
            "sign",
            "--key",
            "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
            "--created",
            "2023-02-24",
        ],
        input=json.dumps(VECTORS[0]["unsigned"]),
    )
    assert result.exit_code == 1
    assert "proof_options_invalid" in result.stderr


# -- verify --------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_verify_plain_and_json(runner: CliRunner, tmp_path: Path, vector: dict[str, Any]) -> None:
    path = write(tmp_path, vector["signed"])
    result = runner.invoke(app, ["verify", str(path)])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"verified: {vector['cryptosuite']} proof by did:key:z6Mkr")
    assert "created: 2023-02-24T23:36:38Z" in result.stdout
    result = runner.invoke(app, ["verify", str(path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "verified": True,
        "suite": vector["cryptosuite"],
        "verificationMethod": vector["proof_options"]["verificationMethod"],
        "controller": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "created": CREATED,
        "proofPurpose": "assertionMethod",
        "challenge": None,
        "domain": None,
    }


@pytest.mark.parametrize(
    ("change", "options", "check"),
    [
        ((("credentialSubject", "alumniOf"), "The School of Examplez"), [], "signature"),
        ((("proof", "created"), "2023-02-24T23:36:39Z"), [], "signature"),
        ((("proof", "cryptosuite"), "eddsa-2022"), [], "cryptosuite"),
        ((("id",), "credentials/42"), [], "context"),  # relative IRI
        (None, ["--purpose", "authentication"], "proof_purpose"),
        (None, ["--challenge", "c-1"], "challenge"),
        (None, ["--domain", "example.org"], "domain"),
        (None, ["--now", "2023-02-24T00:00:00Z"], "created"),
    ],
)
def test_verify_names_the_failed_check(
    runner: CliRunner, tmp_path: Path, change: Any, options: list[str], check: str
) -> None:
    document = VECTORS[0]["signed"]
    if change is not None:
        document = mutated(document, *change)
    path = write(tmp_path, document)
    plain = runner.invoke(app, ["verify", str(path), *options])
    assert plain.exit_code == 1
    assert plain.stdout.startswith(f"NOT verified: check {check} failed:")
    as_json = runner.invoke(app, ["verify", str(path), "--json", *options])
    assert as_json.exit_code == 1
    verdict = json.loads(as_json.stdout)
    assert verdict["verified"] is False
    assert verdict["check"] == check


def test_verify_from_stdin(runner: CliRunner) -> None:
    result = runner.invoke(app, ["verify", "-"], input=json.dumps(VECTORS[1]["signed"]))
    assert result.exit_code == 0
    assert "eddsa-jcs-2022" in result.stdout


@pytest.mark.parametrize(
    ("content", "options", "code"),
    [
        (None, [], "malformed_json"),
        ("{oops", [], "malformed_json"),
        ("{}", [], "proof_missing"),
        ('{"proof": {}}', ["--now", "yesterday"], "schema_violation"),
    ],
)
def test_verify_unreadable_input(
    runner: CliRunner, tmp_path: Path, content: str | None, options: list[str], code: str
) -> None:
    path = tmp_path / "input.json"
    if content is not None:
        path.write_text(content)
    result = runner.invoke(app, ["verify", str(path), "--json", *options])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["code"] == code


def test_vc_group_is_registered_on_the_ledger_command(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, VECTORS[0]["signed"])
    result = runner.invoke(ledger_app, ["vc", "verify", str(path)])
    assert result.exit_code == 0
    assert result.stdout.startswith("verified:")
