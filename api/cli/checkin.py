"""``ledger checkin``: the verifier's side of a possession check-in, and the investigators'.

    ledger checkin challenge                         # show the worker this challenge
    ledger checkin verify --qr-image scan.png        # every check, exit 0 only if all hold
    ledger checkin submit --verifier-key v.key --qr-image scan.png --salt HEX \\
        --document-type passport --document-number N1234567 --document-country NP \\
        --location MY-07 --device-id tablet-3 --off-site
    ledger checkin investigate --key investigator.key   # open the duress signals

``submit`` compares the physical document with the credential's commitment *here*, with
the salt the worker's wallet revealed (``ledger wallet reveal-salt``); only the boolean
result is signed and sent. The number and the salt never leave this machine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from .common import api_url, fail, http_error, load_signing_key, signed_get

app = typer.Typer(help="Possession check-ins (verifiers) and investigations.", no_args_is_help=True)

API = typer.Option(None, "--api", help="API URL (default $LEDGER_API_URL).")
PRESENTATION = typer.Option(None, "--presentation", help="Presentation JSON file.")
QR_TEXT = typer.Option(None, "--qr", help="The scanned QR text (LPL1:...).")
QR_IMAGE = typer.Option(None, "--qr-image", help="A photo or PNG of the QR code.")


def _read_presentation(
    presentation: Path | None, qr_text: str | None, qr_image: Path | None
) -> dict[str, Any]:
    from credentials.qr import decode_payload, read_qr_image
    from ledger.canonical import parse_json
    from ledger.errors import LedgerError

    if sum(x is not None for x in (presentation, qr_text, qr_image)) != 1:
        fail("give exactly one of --presentation, --qr, --qr-image")
    try:
        if presentation is not None:
            value = parse_json(presentation.read_bytes())
            if not isinstance(value, dict):
                fail("the presentation is a JSON object")
            return value
        text = qr_text if qr_text is not None else read_qr_image(Path(str(qr_image)).read_bytes())
        return decode_payload(text)
    except (LedgerError, OSError) as exc:
        fail(getattr(exc, "detail", str(exc)))


@app.command("challenge")
def challenge(api: str | None = API) -> None:
    """A fresh single-use challenge (5 minutes) for the worker's wallet."""
    import httpx

    response = httpx.get(api_url(api) + "/v1/presentations/challenge", timeout=30)
    if response.status_code != 200:
        http_error(response)
    typer.echo(json.dumps(response.json(), indent=2))


@app.command("verify")
def verify(
    presentation: Path | None = PRESENTATION,
    qr: str | None = QR_TEXT,
    qr_image: Path | None = QR_IMAGE,
    api: str | None = API,
) -> None:
    """Verify a presentation with the ledger; print every check; exit 0 only if all hold."""
    import httpx

    document = _read_presentation(presentation, qr, qr_image)
    response = httpx.post(
        api_url(api) + "/v1/presentations/verify", json={"presentation": document}, timeout=60
    )
    body = response.json()
    for check in body.get("checks", []):
        mark = "ok  " if check["ok"] else "FAIL"
        detail = "" if check["ok"] else f"  {check['code']}: {check['detail']}"
        typer.echo(f"{mark} {check['check']}{detail}")
    if response.status_code != 200:
        typer.echo(f"NOT verified: {body.get('code')}: {body.get('detail')}")
        raise typer.Exit(1)
    typer.echo(f"verified: {body['holder']} holds {body['credentialId']}")


@app.command("submit")
def submit(
    verifier_key: str = typer.Option(..., "--verifier-key", help="Accredited verifier key."),
    salt: str = typer.Option(..., "--salt", help="The salt the worker's wallet revealed (hex)."),
    document_type: str = typer.Option(..., "--document-type", help="Read off the document."),
    document_number: str = typer.Option(..., "--document-number", help="Read off the document."),
    document_country: str = typer.Option(..., "--document-country", help="Issuing country."),
    location: str = typer.Option(..., "--location", help="Coarse place (region code, town)."),
    device_id: str = typer.Option(..., "--device-id", help="This device (sent hashed)."),
    on_site: bool = typer.Option(
        False, "--on-site/--off-site", help="At the worker's workplace or dormitory?"
    ),
    presenting_device: str | None = typer.Option(
        None, "--presenting-device", help="The worker's device, if observable (sent hashed)."
    ),
    presentation: Path | None = PRESENTATION,
    qr: str | None = QR_TEXT,
    qr_image: Path | None = QR_IMAGE,
    api: str | None = API,
) -> None:
    """Match the document in hand against the credential, sign the check-in, submit it."""
    import httpx

    from credentials.possession import checkin_payload, document_matches
    from ledger.envelope import sign_envelope
    from ledger.errors import LedgerError

    document = _read_presentation(presentation, qr, qr_image)
    signer = load_signing_key(verifier_key, option="--verifier-key")
    try:
        # First the document in hand: a typo must stop here, before anything is sent.
        matched = document_matches(
            document,
            salt_hex=salt,
            document_type=document_type,
            number=document_number,
            country=document_country,
        )
    except LedgerError as exc:
        fail(exc.detail)
    salt_response = signed_get(signer, "/v1/checkins/device-salt", api)
    if salt_response.status_code != 200:
        http_error(salt_response)
    try:
        payload = checkin_payload(
            document,
            document_matches=matched,
            on_site=on_site,
            location=location,
            verifier_device=device_id,
            device_salt=bytes.fromhex(salt_response.json()["deviceSalt"]),
            presenting_device=presenting_device,
        )
    except LedgerError as exc:
        fail(exc.detail)
    envelope = sign_envelope("checkin", payload, signer)
    response = httpx.post(
        api_url(api) + "/v1/checkins",
        json={"presentation": document, "envelope": envelope.to_dict()},
        timeout=60,
    )
    if response.status_code != 201:
        http_error(response)
    typer.echo(json.dumps(response.json(), indent=2))
    if not matched:
        typer.echo("the document in hand does NOT open the credential's commitment", err=True)


@app.command("investigate")
def investigate(
    key: str = typer.Option(..., "--key", help="The investigator's key file."),
    since: str | None = typer.Option(None, "--since", help="RFC 3339 time."),
    api: str | None = API,
) -> None:
    """Fetch check-ins and coercion flags (accredited investigators only) and open each
    check-in's sealed holder signal with the investigator's key."""

    from credentials.signal import open_signal, signal_binding
    from ledger.errors import LedgerError

    signer = load_signing_key(key)
    params = {"since": since} if since else None
    response = signed_get(signer, "/v1/investigations/checkins", api, params)
    if response.status_code != 200:
        http_error(response)
    body = response.json()
    for checkin in body["checkins"]:
        binding = signal_binding(checkin["holder"], checkin["presentedAt"], checkin["challenge"])
        try:
            reading = open_signal(signer, checkin["holderSignal"], binding=binding)
            checkin["duress"] = reading.duress
            checkin["signalBound"] = reading.bound
        except LedgerError as exc:
            checkin["duress"] = None
            checkin["signalError"] = exc.detail
        del checkin["holderSignal"]
    typer.echo(json.dumps(body, indent=2))
