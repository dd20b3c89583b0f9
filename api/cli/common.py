"""What every command needs: the API URL, the admin token, passphrases, key files, output."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer

DEFAULT_API_URL = "http://127.0.0.1:8000"
ADMIN_TOKEN_FILE = Path("var/admin-token")


def api_url(explicit: str | None = None) -> str:
    return (explicit or os.environ.get("LEDGER_API_URL") or DEFAULT_API_URL).rstrip("/")


def admin_token() -> str:
    """LEDGER_ADMIN_TOKEN, else the token ``ledger serve`` wrote to var/admin-token."""
    token = os.environ.get("LEDGER_ADMIN_TOKEN")
    if token:
        return token
    if ADMIN_TOKEN_FILE.is_file():
        return ADMIN_TOKEN_FILE.read_text(encoding="utf-8").strip()
    fail(
        "set LEDGER_ADMIN_TOKEN to the server's admin token "
        "(`ledger serve` writes one to var/admin-token)"
    )


def passphrase(*, confirm: bool = False, purpose: str = "key file") -> str:
    """LEDGER_KEY_PASSPHRASE, else a hidden prompt on the terminal."""
    value = os.environ.get("LEDGER_KEY_PASSPHRASE")
    if value:
        return value
    if not sys.stdin.isatty():
        fail(f"set LEDGER_KEY_PASSPHRASE to the {purpose} passphrase (no terminal to ask on)")
    answer: str = typer.prompt(
        f"Passphrase for the {purpose}", hide_input=True, confirmation_prompt=confirm
    )
    return answer


def load_signing_key(spec: str) -> Any:
    """A key file path, or a secret-key multibase (``z3u2...``)."""
    from ledger.errors import LedgerError
    from ledger.keyfile import load_key_file
    from ledger.keys import SigningKey

    try:
        if spec.startswith("z") and not Path(spec).exists():
            return SigningKey.from_multibase(spec)
        return load_key_file(Path(spec), passphrase())
    except LedgerError as exc:
        fail(exc.detail)


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, sort_keys=False))


def http_error(response: Any) -> NoReturn:
    """Print an API problem (code, detail, field) and exit 1."""
    try:
        problem = response.json()
        detail = f"{problem.get('code')}: {problem.get('detail')}"
        if problem.get("field"):
            detail += f" (field {problem['field']})"
    except ValueError:
        detail = response.text[:500]
    fail(f"HTTP {response.status_code} {detail}", code=1)


def deployment_audience(api: str | None = None) -> str:
    """The audience signed requests to this API name (its deployment, from /v1/health)."""
    import httpx

    try:
        response = httpx.get(f"{api_url(api)}/v1/health", timeout=30)
        audience = response.json()["chain"]["audience"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        fail(f"cannot learn the deployment of {api_url(api)} from /v1/health: {exc}", code=1)
    return str(audience)


def signed_get(
    key: Any, path: str, api: str | None = None, params: dict[str, str] | None = None
) -> Any:
    """GET ``path`` (with ``params``) as a signed request by ``key``; returns the response."""
    from urllib.parse import urlencode

    import httpx

    from ledger.signed_request import request_authorization

    target = f"{path}?{urlencode(params)}" if params else path
    header = request_authorization(key, "GET", target, audience=deployment_audience(api))
    return httpx.get(api_url(api) + target, headers={"Authorization": header}, timeout=60)
