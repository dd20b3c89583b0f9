"""What every command needs: the API URL, the admin token, passphrases, key files, output.

Two rules hold for every command:

* A secret given on the command line (``--key``, ``--issuer-key``, ``--verifier-key``, a
  salt) is never repeated in an error message: messages name the option, not its value.
* The admin token goes to the configured API only (:func:`admin_token`).
"""

from __future__ import annotations

import ipaddress
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:
    from ledger.keys import SigningKey

DEFAULT_API_URL = "http://127.0.0.1:8000"
ADMIN_TOKEN_FILE = Path("var/admin-token")
ADMIN_TOKEN_RULE = (
    "The admin token (LEDGER_ADMIN_TOKEN, else the var/admin-token that `ledger serve` "
    f"wrote) is sent only to the configured API, LEDGER_API_URL (default {DEFAULT_API_URL}); "
    "var/admin-token only to a loopback address. To administer another API, set "
    "LEDGER_API_URL to it and LEDGER_ADMIN_TOKEN to its token."
)


def api_url(explicit: str | None = None) -> str:
    return (explicit or os.environ.get("LEDGER_API_URL") or DEFAULT_API_URL).rstrip("/")


def shown_url(url: str) -> str:
    """``url`` as it may appear in a message: without user name and password."""
    import httpx

    try:
        return str(httpx.URL(url).copy_with(userinfo=b""))
    except (httpx.InvalidURL, TypeError, ValueError):
        return "(an unparsable URL)"


def _origin(url: str) -> tuple[str, str, int | None, str, bytes] | None:
    """What must be equal for two URLs to name one API (parsed as httpx will send it)."""
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed.scheme, parsed.host.lower(), port, parsed.path.rstrip("/"), parsed.userinfo


def is_same_api(a: str, b: str) -> bool:
    """Do ``a`` and ``b`` name the same API (scheme, host, port, path; default ports equal)?"""
    first = _origin(a)
    return first is not None and first == _origin(b)


def is_loopback(url: str) -> bool:
    origin = _origin(url)
    if origin is None:
        return False
    host = origin[1].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def admin_token(api: str | None = None) -> str:
    """The admin token for the API that ``--api`` (``api``) names, if it may have it.

    The token belongs to the configured API (LEDGER_API_URL, default DEFAULT_API_URL): an
    ``--api`` naming another server gets nothing, or a mistyped or hostile URL would
    collect the registry admin's credential. var/admin-token is what a local ``ledger
    serve`` wrote, so it is only sent to a loopback address.
    """
    target = api_url(api)
    configured = api_url()
    if not is_same_api(target, configured):
        fail(
            f"refusing to send the admin token to {shown_url(target)}: it is only sent to "
            f"the configured API {shown_url(configured)} (LEDGER_API_URL). To administer "
            f"{shown_url(target)}, set LEDGER_API_URL to it and LEDGER_ADMIN_TOKEN to its token."
        )
    token = os.environ.get("LEDGER_ADMIN_TOKEN")
    if token:
        return token
    if ADMIN_TOKEN_FILE.is_file():
        if not is_loopback(target):
            fail(
                f"{ADMIN_TOKEN_FILE} holds a local `ledger serve`'s token; refusing to send it "
                f"to {shown_url(target)}: set LEDGER_ADMIN_TOKEN to that API's token"
            )
        return ADMIN_TOKEN_FILE.read_text(encoding="utf-8").strip()
    fail(
        "set LEDGER_ADMIN_TOKEN to the server's admin token "
        "(`ledger serve` writes one to var/admin-token)"
    )


def admin_client(api: str | None, *, timeout: float = 60) -> Any:
    """An HTTP client for /v1/admin on the configured API (see :func:`admin_token`)."""
    import httpx

    token = admin_token(api)  # refuses before any connection is made
    return httpx.Client(
        base_url=api_url(api),
        headers={"Authorization": f"Bearer {token}"},
        timeout=timeout,
        follow_redirects=False,  # a redirect must not carry the token elsewhere
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


def _is_file(spec: str) -> bool:
    try:
        return Path(spec).is_file()
    except (OSError, ValueError):  # a name too long, a NUL byte: not a path we can open
        return False


def read_signing_key(
    spec: str, *, option: str = "--key", ask: Callable[[], str] = passphrase
) -> SigningKey:
    """The key that ``option`` names: a key file, or a secret-key multibase (``z3u2...``).

    Messages name the option, never its value: a secret key pasted by mistake, or a "path"
    that is key material, must not end up on a terminal, in a log or in a CI transcript.

    Raises:
        KeyFileError: no such key file, an unreadable one, or the wrong passphrase.
        InvalidKey: a ``z...`` value that is not an Ed25519 secret-key multibase.
    """
    from ledger.errors import InvalidKey, KeyFileError, LedgerError
    from ledger.keyfile import load_key_file
    from ledger.keys import SigningKey, VerifyKey

    if _is_file(spec):
        secret = ask()
        try:
            return load_key_file(Path(spec), secret)
        except KeyFileError as exc:
            raise KeyFileError(f"the key file given to {option}: {exc.detail}") from None
    if spec.startswith("z"):
        try:
            return SigningKey.from_multibase(spec)
        except LedgerError:
            pass
        try:
            VerifyKey.from_multibase(spec)
        except LedgerError:
            raise InvalidKey(
                f"{option} is neither a key file nor an Ed25519 secret-key multibase "
                "(z3u2...); the value is not shown, in case it is a secret"
            ) from None
        raise InvalidKey(f"{option} is a public key (z6Mk...): give the secret key's file")
    raise KeyFileError(
        f"no key file at the path given to {option} "
        "(the value is not shown, in case it is a secret)"
    )


def load_signing_key(spec: str, *, option: str = "--key") -> SigningKey:
    """:func:`read_signing_key`, exiting with its message (exit code 2) on failure."""
    from ledger.errors import LedgerError

    try:
        return read_signing_key(spec, option=option)
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
    except ValueError:
        problem = None
    if isinstance(problem, dict):
        detail = f"{problem.get('code')}: {problem.get('detail')}"
        if problem.get("field"):
            detail += f" (field {problem['field']})"
    else:
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
