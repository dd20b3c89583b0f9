"""``ledger vc``: sign and verify W3C Data Integrity proofs (eddsa-rdfc-2022, eddsa-jcs-2022).

    ledger vc sign --suite eddsa-rdfc-2022 --key issuer.key --created 2026-01-05T09:30:00Z \\
        < unsigned.json > signed.json
    ledger vc verify signed.json [--json]

``verify`` exits 0 only when every check holds, else 1 and names the check that failed.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from credentials.dataintegrity import VerifiedProof
    from ledger.errors import LedgerError
    from ledger.keys import SigningKey

app = typer.Typer(
    help="W3C Verifiable Credentials: sign and verify Data Integrity proofs.",
    no_args_is_help=True,
)

PASSPHRASE_ENV = "LEDGER_KEY_PASSPHRASE"  # noqa: S105 (the variable's name, not a secret)


class Suite(StrEnum):
    rdfc = "eddsa-rdfc-2022"
    jcs = "eddsa-jcs-2022"


@app.command()
def sign(
    key: str = typer.Option(
        ...,
        "--key",
        help="A key file (passphrase from $LEDGER_KEY_PASSPHRASE or asked on the terminal), "
        "or a secret-key multibase z3u2... (visible to other local users: prefer a file).",
    ),
    created: str = typer.Option(
        ..., "--created", help="Proof creation time, XML Schema dateTime: 2026-01-05T09:30:00Z."
    ),
    suite: Suite = typer.Option(Suite.rdfc, "--suite", help="Cryptosuite."),
    verification_method: str | None = typer.Option(
        None, "--verification-method", help="Default: the key's did:key#multibase."
    ),
    proof_purpose: str = typer.Option("assertionMethod", "--proof-purpose"),
    challenge: str | None = typer.Option(None, "--challenge"),
    domain: str | None = typer.Option(None, "--domain"),
) -> None:
    """Sign the JSON-LD document on stdin; write the signed document to stdout."""
    from credentials.dataintegrity import add_proof
    from ledger.canonical import parse_json
    from ledger.errors import LedgerError

    try:
        document = parse_json(sys.stdin.read())
        if not isinstance(document, dict):
            raise typer.BadParameter("stdin must hold one JSON object")
        signed = add_proof(
            document,
            _signing_key(key),
            suite=suite.value,
            created=created,
            verification_method=verification_method,
            proof_purpose=proof_purpose,
            challenge=challenge,
            domain=domain,
        )
    except LedgerError as exc:
        _fail(exc)
    typer.echo(json.dumps(signed, indent=2, ensure_ascii=False))


@app.command()
def verify(
    file: str = typer.Argument(..., help="The signed document (- for stdin)."),
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
    purpose: str = typer.Option("assertionMethod", "--purpose", help="Expected proof purpose."),
    challenge: str | None = typer.Option(None, "--challenge", help="Required challenge."),
    domain: str | None = typer.Option(None, "--domain", help="Required domain."),
    now: str | None = typer.Option(
        None, "--now", help="Check times against this dateTime instead of the clock."
    ),
) -> None:
    """Verify a document's Data Integrity proof; exit 0 only if every check holds."""
    from credentials.dataintegrity import verify_proof
    from ledger.canonical import parse_json
    from ledger.errors import LedgerError, MalformedJSON

    try:
        at = _parse_now(now)
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise MalformedJSON(f"cannot read {file}: {exc}") from exc
        verified = verify_proof(
            parse_json(text),
            expected_purpose=purpose,
            challenge=challenge,
            domain=domain,
            now=at,
        )
    except LedgerError as exc:
        _report_failure(exc, as_json)
        raise typer.Exit(1) from exc
    _report_success(verified, as_json)


def _signing_key(value: str) -> SigningKey:
    from ledger.errors import KeyFileError
    from ledger.keyfile import load_key_file
    from ledger.keys import SigningKey

    path = Path(value)
    if path.is_file():
        return load_key_file(path, _passphrase())
    if value.startswith("z") and not path.exists():
        return SigningKey.from_multibase(value)
    raise KeyFileError(f"no key file at {value} (and not a z... secret-key multibase)")


def _passphrase() -> str:
    """From the environment, else the terminal: stdin carries the document, never a secret."""
    from ledger.errors import KeyFileError

    passphrase = os.environ.get(PASSPHRASE_ENV)
    if passphrase is not None:
        return passphrase
    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
    except OSError as exc:
        raise KeyFileError(
            f"no terminal to ask for the key passphrase: set {PASSPHRASE_ENV}"
        ) from exc
    return getpass.getpass("Key passphrase: ")


def _parse_now(value: str | None) -> datetime | None:
    from credentials.dataintegrity import parse_datetime
    from ledger.errors import SchemaViolation

    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise SchemaViolation(str(exc), field="now") from exc


def _fail(error: LedgerError) -> NoReturn:
    typer.echo(f"error: {error.code}: {error.detail}", err=True)
    raise typer.Exit(1)


def _report_failure(error: LedgerError, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"verified": False, **error.to_dict()}, indent=2, default=str))
        return
    check = getattr(error, "check", None)
    where = f"check {check} failed" if check else error.code
    typer.echo(f"NOT verified: {where}: {error.detail}")


def _report_success(verified: VerifiedProof, as_json: bool) -> None:
    from ledger.timeutil import format_time

    created = format_time(verified.created) if verified.created else None
    if as_json:
        verdict = {
            "verified": True,
            "suite": verified.suite,
            "verificationMethod": verified.verification_method,
            "controller": verified.controller,
            "created": created,
            "proofPurpose": verified.purpose,
            "challenge": verified.challenge,
            "domain": list(verified.domain)
            if isinstance(verified.domain, tuple)
            else verified.domain,
        }
        typer.echo(json.dumps(verdict, indent=2))
        return
    typer.echo(f"verified: {verified.suite} proof by {verified.controller}")
    typer.echo(f"  purpose: {verified.purpose}")
    typer.echo(f"  created: {created or '(not stated)'}")
    if verified.challenge is not None:
        typer.echo(f"  challenge: {verified.challenge}")
    if verified.domain is not None:
        typer.echo(f"  domain: {verified.domain}")
