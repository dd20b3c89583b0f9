"""``ledger wallet``: the worker's key, credential and document secret, sealed under a PIN.

    ledger wallet new --wallet me.wallet                  # PIN, and optionally a duress PIN
    ledger wallet import wallet-import-....json --wallet me.wallet
    ledger wallet show --wallet me.wallet
    ledger wallet present --wallet me.wallet --challenge C > presentation.json
    ledger wallet qr --wallet me.wallet --out qr.png      # a fresh presentation as a QR code
    ledger wallet card --wallet me.wallet --out card.pdf  # printable card (png, pdf, svg)
    ledger wallet reveal-salt --wallet me.wallet          # for the verifier's device only
    ledger wallet erase-document --wallet me.wallet       # crypto-shredding

PINs come from $LEDGER_WALLET_PIN and $LEDGER_WALLET_DURESS_PIN, else a hidden prompt.
Opening with the duress PIN works like the PIN; only investigators can tell.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import typer

from .common import api_url, fail, http_error

app = typer.Typer(
    help="The worker's wallet: key, credential, presentations, QR.", no_args_is_help=True
)

PIN_ENV = "LEDGER_WALLET_PIN"
DURESS_ENV = "LEDGER_WALLET_DURESS_PIN"
WALLET_OPTION = typer.Option(Path("worker.wallet"), "--wallet", help="The wallet file.")


def _pin(env: str, prompt: str, *, confirm: bool = False, optional: bool = False) -> str | None:
    value = os.environ.get(env)
    if value is not None:
        return value or None
    if not sys.stdin.isatty():
        if optional:
            return None
        fail(f"set {env} (no terminal to ask on)")
    answer: str = typer.prompt(
        prompt + (" (empty: none)" if optional else ""),
        hide_input=True,
        confirmation_prompt=confirm,
        default="" if optional else None,
        show_default=False,
    )
    return answer or None


def _kdf(fast: bool) -> dict[str, Any]:
    if not fast:
        return {}
    import nacl.pwhash

    return {
        "opslimit": nacl.pwhash.argon2id.OPSLIMIT_MIN,
        "memlimit": nacl.pwhash.argon2id.MEMLIMIT_MIN,
    }


def _open(path: Path) -> Any:
    from credentials.wallet import open_wallet
    from ledger.errors import LedgerError

    pin = _pin(PIN_ENV, "Wallet PIN")
    assert pin is not None
    try:
        return open_wallet(path, pin)
    except LedgerError as exc:
        fail(exc.detail)


FAST_KDF = typer.Option(False, "--insecure-fast-kdf", hidden=True, help="Tests and demos only.")


@app.command("new")
def new(
    wallet: Path = WALLET_OPTION,
    duress: bool = typer.Option(True, "--duress/--no-duress", help="Ask for a duress PIN."),
    fast_kdf: bool = FAST_KDF,
) -> None:
    """Create a wallet with a fresh worker key; print the worker's did (give it to the issuer)."""
    from credentials.wallet import create_wallet
    from ledger.errors import LedgerError

    pin = _pin(PIN_ENV, "New wallet PIN", confirm=True)
    assert pin is not None
    duress_pin = _pin(DURESS_ENV, "Duress PIN", confirm=True, optional=True) if duress else None
    try:
        created = create_wallet(wallet, pin, duress_pin=duress_pin, **_kdf(fast_kdf))
    except LedgerError as exc:
        fail(exc.detail)
    typer.echo(created.did)


@app.command("import")
def import_(
    bundle: Path = typer.Argument(..., exists=True, help="From `ledger vc issue-worker`."),
    wallet: Path = WALLET_OPTION,
    fast_kdf: bool = FAST_KDF,
) -> None:
    """Import a credential and its document secret. Asks for both PINs (each compartment is
    re-sealed under its own); without the duress PIN, the duress PIN stops working."""
    from credentials.wallet import import_bundle, open_wallet, save_wallet
    from ledger.canonical import parse_json
    from ledger.errors import LedgerError

    pin = _pin(PIN_ENV, "Wallet PIN")
    assert pin is not None
    duress_pin = _pin(DURESS_ENV, "Duress PIN", optional=True)
    try:
        opened = open_wallet(wallet, pin)
        credential, document, investigator = import_bundle(parse_json(bundle.read_bytes()))
        updated = opened.with_credential(credential, document, investigator)
        save_wallet(wallet, updated, pin, duress_pin=duress_pin, overwrite=True, **_kdf(fast_kdf))
    except LedgerError as exc:
        fail(exc.detail)
    typer.echo(f"imported {credential.get('id')} into {wallet}; delete {bundle} now")


@app.command("show")
def show(wallet: Path = WALLET_OPTION) -> None:
    """The wallet's did and credential (never the document number or salt)."""
    from credentials.worker import parse_worker_credential
    from ledger.timeutil import format_time

    opened = _open(wallet)
    summary: dict[str, Any] = {"did": opened.did, "credential": None}
    if opened.credential is not None:
        parsed = parse_worker_credential(opened.credential)
        summary["credential"] = {
            "id": parsed.id,
            "issuer": parsed.issuer,
            "validFrom": format_time(parsed.valid_from),
            "validUntil": format_time(parsed.valid_until),
            "facility": parsed.facility,
            "statusId": parsed.status_id,
        }
    summary["documentSecret"] = "held" if opened.document is not None else "absent"
    summary["investigator"] = opened.investigator
    typer.echo(json.dumps(summary, indent=2))


def _presentation(
    wallet: Path, challenge: str | None, domain: str | None, fetch: bool, api: str | None
) -> dict[str, Any]:
    from ledger.errors import LedgerError

    if fetch and challenge is None:
        import httpx

        from .common import api_url, http_error

        response = httpx.get(api_url(api) + "/v1/presentations/challenge", timeout=30)
        if response.status_code != 200:
            http_error(response)
        challenge = response.json()["challenge"]
    opened = _open(wallet)
    try:
        presentation: dict[str, Any] = opened.present(challenge=challenge, domain=domain)
    except LedgerError as exc:
        fail(exc.detail)
    return presentation


CHALLENGE = typer.Option(None, "--challenge", help="The verifier's challenge (else offline).")
DOMAIN = typer.Option(None, "--domain", help="The verifier's domain.")
FETCH = typer.Option(False, "--fetch-challenge", help="Fetch a challenge from the API.")
API = typer.Option(None, "--api", help="API URL (default $LEDGER_API_URL).")


@app.command("present")
def present(
    wallet: Path = WALLET_OPTION,
    challenge: str | None = CHALLENGE,
    domain: str | None = DOMAIN,
    fetch: bool = FETCH,
    api: str | None = API,
) -> None:
    """Print a fresh presentation (valid 5 minutes) as JSON."""
    typer.echo(json.dumps(_presentation(wallet, challenge, domain, fetch, api), indent=2))


@app.command("qr")
def qr(
    out: Path = typer.Option(..., "--out", help="qr.png or qr.svg"),
    wallet: Path = WALLET_OPTION,
    challenge: str | None = CHALLENGE,
    domain: str | None = DOMAIN,
    fetch: bool = FETCH,
    api: str | None = API,
) -> None:
    """A fresh presentation as a QR code (PNG or SVG); prints the payload text."""
    from credentials.qr import encode_payload, make_qr, render_png, render_svg
    from ledger.errors import LedgerError

    text = encode_payload(_presentation(wallet, challenge, domain, fetch, api))
    try:
        if out.suffix.lower() == ".svg":
            out.write_text(render_svg(text), encoding="utf-8")
        else:
            out.write_bytes(render_png(text))
        version = make_qr(text).version
    except LedgerError as exc:
        fail(exc.detail)
    typer.echo(f"QR version {version} (error correction M), {len(text)} characters", err=True)
    typer.echo(text)


@app.command("card")
def card(
    out: Path = typer.Option(..., "--out", help="card.png, card.pdf or card.svg"),
    wallet: Path = WALLET_OPTION,
) -> None:
    """A printable card with the credential's QR code (not proof of possession by itself)."""
    from credentials.card import CARD_FORMATS, render_card

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in CARD_FORMATS:
        fail(f"--out must end in one of: {', '.join('.' + f for f in CARD_FORMATS)}")
    opened = _open(wallet)
    if opened.credential is None:
        fail("the wallet holds no credential yet: ledger wallet import first")
    out.write_bytes(render_card(opened.credential, fmt))
    typer.echo(f"wrote {out}", err=True)


@app.command("reveal-salt")
def reveal_salt(wallet: Path = WALLET_OPTION) -> None:
    """Print the salt for the verifier's device at a check-in (never anywhere else)."""
    from ledger.errors import LedgerError

    opened = _open(wallet)
    try:
        typer.echo(opened.reveal_salt())
    except LedgerError as exc:
        fail(exc.detail)


@app.command("erase-document")
def erase_document(
    wallet: Path = WALLET_OPTION,
    yes: bool = typer.Option(False, "--yes", help="Do not ask."),
    fast_kdf: bool = FAST_KDF,
) -> None:
    """Crypto-shredding: delete the salt and document details. The credential and every past
    proof stay valid; the commitment can never be opened again (no more check-ins)."""
    from credentials.wallet import open_wallet, save_wallet
    from ledger.errors import LedgerError

    if not yes and not typer.confirm("Erase the document secret for good?"):
        raise typer.Exit(1)
    pin = _pin(PIN_ENV, "Wallet PIN")
    assert pin is not None
    duress_pin = _pin(DURESS_ENV, "Duress PIN", optional=True)
    try:
        opened = open_wallet(wallet, pin)
        save_wallet(
            wallet,
            opened.without_document(),
            pin,
            duress_pin=duress_pin,
            overwrite=True,
            **_kdf(fast_kdf),
        )
    except LedgerError as exc:
        fail(exc.detail)
    typer.echo("document secret erased")


def _device_hash() -> str:
    """This machine's acknowledgement device id, hashed: a random id kept in the per-user
    data folder (unguessable, unlike a device label), so acknowledgements of several
    workers from one device can be seen as such without naming the device."""
    import hashlib
    import secrets

    folder = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local/share") / "ledger"
    path = folder / "device-id"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(16) + "\n")
    identifier = path.read_text(encoding="utf-8").strip()
    return "sha256:" + hashlib.sha256(b"lpl/ack-device/v1\x00" + identifier.encode()).hexdigest()


@app.command("ack")
def ack(
    line: str = typer.Argument(..., metavar="LINE_ID", help="Your wage line's record id"),
    disputed: bool = typer.Option(
        False, "--disputed/--received", help="Dispute the line (default: received)"
    ),
    reason: list[str] = typer.Option(
        [],
        "--reason",
        help="underpaid | hours-wrong | deduction-not-agreed | not-paid | paid-late | other "
        "(with --disputed; repeat for several)",
    ),
    wallet: Path = WALLET_OPTION,
    api: str | None = API,
) -> None:
    """Acknowledge (received) or dispute your own wage line, signed with your wallet key.
    Your employer sees that a line was disputed, and the facility's figures count it, never
    with your identity."""
    import httpx

    from ledger.envelope import sign_envelope

    payload: dict[str, Any] = {
        "schema": "wage-ack/v1",
        "line": line.lower(),
        "status": "disputed" if disputed else "received",
        "device": _device_hash(),
    }
    if reason:
        payload["reasons"] = reason
    opened = _open(wallet)
    envelope = sign_envelope("wage-ack", payload, opened.key)
    response = httpx.post(api_url(api) + "/v1/wages/ack", json=envelope.to_dict(), timeout=60)
    if response.status_code != 201:
        http_error(response)
    typer.echo(json.dumps(response.json(), indent=2))
