"""``ledger attest``: validate locally, sign, submit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from .common import api_url, fail, http_error, load_signing_key

app = typer.Typer(help="Sign and submit attestations.", no_args_is_help=True)

CHUNK = 500


def _read(path: Path) -> dict[str, Any]:
    from ledger.canonical import parse_json
    from ledger.errors import LedgerError

    try:
        value = parse_json(path.read_bytes())
    except LedgerError as exc:
        fail(f"{path}: {exc.detail}")
    if not isinstance(value, dict):
        fail(f"{path}: an audit is a JSON object")
    return value


def _validate(path: Path, payload: dict[str, Any]) -> None:
    from domain.audits import AuditHandler
    from ledger.errors import LedgerError

    try:
        AuditHandler().parse(payload)
    except LedgerError as exc:
        fail(f"{path}: {exc.detail}")


@app.command("audit")
def audit(
    path: Path = typer.Argument(
        ..., exists=True, help="An audit JSON file, or a directory of them"
    ),
    key: str = typer.Option(..., "--key", help="Auditor key file (or secret-key multibase)"),
    api: str | None = typer.Option(None, "--api", help="API URL (default LEDGER_API_URL)"),
) -> None:
    """Validate an audit locally, sign it with the auditor's key and submit it; prints the
    record id last. A directory is submitted in bulk with a progress bar."""
    import httpx

    from ledger.envelope import sign_envelope

    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        fail(f"no *.json files in {path}")
    payloads = [(f, _read(f)) for f in files]
    for file, payload in payloads:
        _validate(file, payload)
    signer = load_signing_key(key)
    envelopes = [(f, sign_envelope("audit", p, signer).to_dict()) for f, p in payloads]
    with httpx.Client(base_url=api_url(api), timeout=120) as client:
        if not path.is_dir():
            response = client.post("/v1/attestations", json=envelopes[0][1])
            if response.status_code != 201:
                http_error(response)
            typer.echo(
                f"accepted {files[0].name} (pending anchoring); record id: {response.json()['id']}"
            )
            return
        _submit_many(client, envelopes)


def _submit_many(client: Any, envelopes: list[tuple[Path, dict[str, Any]]]) -> None:
    from rich.progress import Progress

    rejected = 0
    with Progress(transient=True) as progress:
        task = progress.add_task("submitting", total=len(envelopes))
        for start in range(0, len(envelopes), CHUNK):
            chunk = envelopes[start : start + CHUNK]
            response = client.post(
                "/v1/attestations:batch", json={"envelopes": [e for _, e in chunk]}
            )
            if response.status_code != 200:
                http_error(response)
            for (file, _), result in zip(chunk, response.json()["results"], strict=True):
                if result["accepted"]:
                    progress.console.print(f"{file.name} {result['id']}")
                else:
                    rejected += 1
                    error = result["error"]
                    progress.console.print(
                        f"{file.name} rejected: {error['code']}: {error['detail']}"
                    )
            progress.advance(task, len(chunk))
    typer.echo(f"{len(envelopes) - rejected} accepted, {rejected} rejected")
    if rejected:
        raise typer.Exit(1)
