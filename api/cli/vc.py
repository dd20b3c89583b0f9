"""``ledger vc``: sign and verify W3C Data Integrity proofs (eddsa-rdfc-2022, eddsa-jcs-2022).

    ledger vc sign --suite eddsa-rdfc-2022 --key issuer.key --created 2026-01-05T09:30:00Z \\
        < unsigned.json > signed.json
    ledger vc verify signed.json [--json]
    ledger vc serve --key issuer.key --suite eddsa-jcs-2022 --port 8040   # VC API issuer
    ledger vc status-list publish --issuer-key issuer.key   # re-sign the revocation list

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
from typing import TYPE_CHECKING, Any, NoReturn

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
SERVE_TOKEN_ENV = "LEDGER_VC_SERVE_TOKEN"  # noqa: S105 (the variable's name, not a secret)
LOOPBACK = ("127.0.0.1", "::1", "localhost")


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


@app.command()
def serve(
    key: str = typer.Option(
        ...,
        "--key",
        help="The issuer's key file (passphrase from $LEDGER_KEY_PASSPHRASE or asked on the "
        "terminal).",
    ),
    suite: Suite = typer.Option(..., "--suite", help="The cryptosuite every proof uses."),
    port: int = typer.Option(8040, "--port", min=1, max=65535),
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Address to listen on. Loopback by default; any other needs "
        f"${SERVE_TOKEN_ENV} (then every request needs Authorization: Bearer <token>).",
    ),
) -> None:
    """Run a W3C VC API issuer for one key on this machine: POST /credentials/issue.

    The key never leaves this process. Verification is the ledger API's
    POST /credentials/verify (or `ledger vc verify`)."""
    import uvicorn

    from api.vc_issuer import ISSUE_PATH, create_issuer_app
    from ledger.errors import LedgerError

    token = os.environ.get(SERVE_TOKEN_ENV) or None
    if host not in LOOPBACK and token is None:
        _stop(f"--host {host} is not loopback: set {SERVE_TOKEN_ENV} so requests need a token")
    try:
        signing_key = _signing_key(key)
    except LedgerError as exc:
        _fail(exc)
    issuer = create_issuer_app(signing_key, suite.value, token=token)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(
        f"issuing as {signing_key.did} with {suite.value} at http://{shown}:{port}{ISSUE_PATH}"
        + (" (bearer token required)" if token else ""),
        err=True,
    )
    uvicorn.run(issuer, host=host, port=port, log_level="warning")


def _signing_key(value: str, option: str = "--key") -> SigningKey:
    """The key ``option`` names; its value never appears in a message (it may be a secret).

    The passphrase comes from the environment or the terminal, never stdin: stdin carries
    the document (``vc sign``)."""
    from .common import read_signing_key

    return read_signing_key(value, option=option, ask=_passphrase)


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


# -- worker credentials --------------------------------------------------------------------


def _api_client(api: str | None) -> Any:
    """A client for the credential endpoints: envelopes authenticate, so no admin token is
    ever sent (it would go to whatever ``--api`` names)."""
    import httpx

    from .common import api_url

    return httpx.Client(base_url=api_url(api), timeout=60, follow_redirects=False)


@app.command("issue-worker")
def issue_worker(
    issuer_key: str = typer.Option(
        ..., "--issuer-key", help="The accredited issuer's key file (or secret-key multibase)."
    ),
    holder: str = typer.Option(..., "--holder", help="The worker's did:key (ledger wallet new)."),
    document_type: str = typer.Option(
        ..., "--document-type", help="passport, national-id, residence-permit, work-permit..."
    ),
    document_number: str = typer.Option(
        ...,
        "--document-number",
        help="As printed on the document. Only a salted commitment leaves this machine.",
    ),
    document_country: str = typer.Option(
        ..., "--document-country", help="Issuing country, ISO 3166-1 alpha-2 or alpha-3."
    ),
    nationality: str | None = typer.Option(None, "--nationality", help="Optional, ISO 3166-1."),
    facility: str | None = typer.Option(None, "--facility", help="Optional ledger facility id."),
    valid_from: str | None = typer.Option(None, "--valid-from", help="Default: now."),
    valid_until: str | None = typer.Option(None, "--valid-until", help="Default: +2 years."),
    investigator: str | None = typer.Option(
        None,
        "--investigator",
        help="did:key whose key seals the wallet's duress signal "
        "(default: the first accredited investigator the API names).",
    ),
    salt_out: Path | None = typer.Option(
        None,
        "--salt-out",
        help="Where to write the wallet import bundle (credential + salt + document details, "
        "mode 0600, never over an existing file) for `ledger wallet import`. Default: "
        "wallet-import-<id>.json in $XDG_DATA_HOME/ledger/wallet-imports "
        "(~/.local/share/...), outside any repository. A path inside a git work tree is "
        "refused unless git ignores it.",
    ),
    suite: Suite = typer.Option(Suite.rdfc, "--suite", help="Cryptosuite of the proof."),
    api: str | None = typer.Option(None, "--api", help="API URL (default $LEDGER_API_URL)."),
) -> None:
    """Issue a worker credential after an in-person document check, write the salt bundle
    for the worker's wallet, register the credential with the ledger, and print the
    credential JSON.

    The bundle is written before the credential is registered, and removed again if the
    ledger refuses it: a registered credential whose salt is lost could never be presented,
    yet would count against the facility's ID-possession rate. The salt is the only way to
    open the credential's commitment: hand the bundle to the worker (``ledger wallet
    import``) and delete it here. Nothing else keeps it.
    """
    import httpx

    from credentials.commitment import DocumentSecret
    from credentials.status_list import StatusListEntry
    from credentials.wallet import IMPORT_TYPE
    from credentials.worker import (
        StatusLocation,
        issue_worker_credential,
        parse_worker_credential,
        registration_payload,
    )
    from ledger.envelope import sign_envelope
    from ledger.errors import LedgerError

    from .common import http_error, shown_url
    from .secret_files import (
        BundleLocationError,
        check_secret_location,
        default_bundle_dir,
        write_secret_json,
    )

    try:
        key = _signing_key(issuer_key, "--issuer-key")
        document = DocumentSecret.create(document_type, document_number, document_country)
        with _api_client(api) as client:
            try:
                info = client.get("/v1/credentials/issuance")
            except httpx.HTTPError as exc:
                _stop(f"cannot reach {shown_url(str(client.base_url))} ({type(exc).__name__})")
            if info.status_code != 200:
                http_error(info)
            issuance = info.json()
            listing = _list_state(client, key)
            credential = issue_worker_credential(
                key,
                holder,
                document,
                status=StatusLocation(issuance["statusChainId"], issuance["statusContract"]),
                status_list=StatusListEntry(listing["url"], int(listing["freeIndex"])),
                valid_from=_parse_now(valid_from),
                valid_until=_parse_now(valid_until),
                nationality=nationality,
                facility=facility,
                suite=suite.value,
            )
            parsed = parse_worker_credential(credential)
            envelope = sign_envelope("credential", registration_payload(credential), key)
            chosen = investigator or next(iter(issuance.get("investigators") or []), None)
            bundle = {
                "type": IMPORT_TYPE,
                "version": 1,
                "credential": credential,
                "document": document.to_dict(),
                "investigator": chosen,
            }
            target = (
                salt_out or default_bundle_dir() / f"wallet-import-{parsed.status_id[2:14]}.json"
            )
            try:
                tree = check_secret_location(target)
                write_secret_json(target, bundle)
            except BundleLocationError as exc:
                _stop(f"{exc}; nothing was registered")
            except FileExistsError:
                _stop(f"{target} exists; choose another --salt-out (nothing was registered)")
            except OSError as exc:
                _stop(f"cannot write {target} ({exc.strerror}); nothing was registered")
            if tree is not None:
                typer.echo(
                    f"WARNING: the salt bundle {target} is inside the git work tree {tree} "
                    "(git ignores it): import it into the wallet and delete it now",
                    err=True,
                )
            response = _register(client, envelope.to_dict(), target, parsed.status_id)
            if listing["recordId"] is None:  # the issuer's first credential with a list
                _publish_list(client, key)
    except LedgerError as exc:
        _fail(exc)
    typer.echo(
        f"registered {parsed.id} (record {response.json()['id']}); wallet bundle: {target}",
        err=True,
    )
    typer.echo(json.dumps(credential, indent=2, ensure_ascii=False))


def _register(client: Any, envelope: dict[str, Any], bundle: Path, status_id: str) -> Any:
    """POST the registration; on a refusal remove the bundle (nothing was registered), on an
    unknown outcome keep it and say so. Returns the 201 response."""
    import httpx

    from .common import http_error

    try:
        response = client.post("/v1/credentials", json=envelope)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # the request never left
        bundle.unlink(missing_ok=True)
        _stop(
            f"cannot reach the API ({type(exc).__name__}); nothing was registered, {bundle} removed"
        )
    except BaseException as exc:  # sent, or maybe sent: the ledger may hold it now
        reason = type(exc).__name__
        typer.echo(_unknown_outcome(bundle, status_id, reason), err=True)
        raise typer.Exit(1) from None
    if response.status_code == 201:
        return response
    if 400 <= response.status_code < 500:  # refused: a refused request changes nothing
        bundle.unlink(missing_ok=True)
        typer.echo(f"error: nothing was registered; {bundle} removed", err=True)
    else:
        typer.echo(_unknown_outcome(bundle, status_id, f"HTTP {response.status_code}"), err=True)
    http_error(response)


def _unknown_outcome(bundle: Path, status_id: str, reason: str) -> str:
    return (
        f"error: registration interrupted ({reason}): the ledger may or may not hold the "
        f"credential. The wallet bundle is KEPT at {bundle}: if GET /v1/credentials/{status_id} "
        "shows it, give the bundle to the worker; otherwise delete it"
    )


def _stop(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _status_command(action: str) -> Any:
    def command(
        credential: str = typer.Argument(
            ..., help="The credential JSON file, or its status id (0x + 64 hex)."
        ),
        issuer_key: str = typer.Option(..., "--issuer-key", help="The issuing key."),
        reason: int = typer.Option(0, "--reason", min=0, max=255, help="Reason code (0-255)."),
        api: str | None = typer.Option(None, "--api", help="API URL (default $LEDGER_API_URL)."),
        list_only: bool = typer.Option(
            False,
            "--list-only",
            help="Revoke through the issuer's status list alone (the credential JSON file "
            "names its index); the ledger records it and the chain follows.",
            hidden=action != "revoke",
        ),
    ) -> None:
        import httpx

        from credentials.worker import parse_worker_credential, status_change_payload
        from ledger.canonical import parse_json
        from ledger.envelope import sign_envelope
        from ledger.errors import LedgerError

        from .common import http_error, shown_url

        if list_only and action != "revoke":
            _stop("--list-only is for revoke: suspension lives on chain only")
        try:
            index = None
            if credential.startswith("0x") and not Path(credential).exists():
                status_id = credential.lower()
            else:
                parsed = parse_worker_credential(parse_json(Path(credential).read_bytes()))
                status_id = parsed.status_id
                index = parsed.status_list.index if parsed.status_list else None
            if list_only and index is None:
                _stop("--list-only needs the credential JSON file, with a status list entry")
            key = _signing_key(issuer_key, "--issuer-key")
            envelope = sign_envelope(
                "credential_status", status_change_payload(status_id, action, reason), key
            )
            with _api_client(api) as client:
                if list_only:
                    assert index is not None
                    typer.echo(json.dumps(_publish_list(client, key, [index]), indent=2))
                    return
                try:
                    response = client.post("/v1/credentials/status", json=envelope.to_dict())
                except httpx.HTTPError as exc:
                    _stop(
                        f"no answer from {shown_url(str(client.base_url))} "
                        f"({type(exc).__name__}): check the status before retrying"
                    )
                if response.status_code == 200 and action == "revoke":
                    # The list path follows: re-sign the list with the ledger's revocations.
                    _publish_list(client, key)
        except (LedgerError, OSError) as exc:
            if isinstance(exc, OSError):
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from None
            _fail(exc)
        if response.status_code != 200:
            http_error(response)
        typer.echo(json.dumps(response.json(), indent=2))

    command.__doc__ = f"{action.capitalize()} a worker credential (issuer only); prints the result."
    return command


app.command("revoke")(_status_command("revoke"))
status_list_app = typer.Typer(
    help="The issuer's W3C Bitstring Status List (revocation), served by the API.",
    no_args_is_help=True,
)
app.add_typer(status_list_app, name="status-list")


@status_list_app.command("publish")
def publish_status_list(
    issuer_key: str = typer.Option(..., "--issuer-key", help="The issuing key."),
    api: str | None = typer.Option(None, "--api", help="API URL (default $LEDGER_API_URL)."),
) -> None:
    """Re-sign the issuer's revocation list from the ledger's state (every credential it
    holds as revoked, and the bits the served list already sets) and publish it; prints
    the result. Run it if a revocation's list update did not get through."""
    from ledger.errors import LedgerError

    try:
        key = _signing_key(issuer_key, "--issuer-key")
        with _api_client(api) as client:
            result = _publish_list(client, key)
    except LedgerError as exc:
        _fail(exc)
    typer.echo(json.dumps(result, indent=2))


def _list_state(client: Any, key: SigningKey) -> dict[str, Any]:
    from credentials.status_list import list_path

    from .common import http_error

    response = client.get(list_path(key.did) + "/state")
    if response.status_code != 200:
        http_error(response)
    state: dict[str, Any] = response.json()
    return state


def _publish_list(client: Any, key: SigningKey, revoke: list[int] | None = None) -> dict[str, Any]:
    """Re-sign the issuer's list: the served list's bits (checked: its proof is this key's),
    the ledger's revocations and ``revoke``; validFrom after the served list's."""
    from datetime import UTC, timedelta

    from credentials.dataintegrity import parse_datetime
    from credentials.status_list import (
        LIST_BYTES,
        issue_status_list,
        list_path,
        set_bits,
        verify_status_list,
    )
    from ledger.envelope import sign_envelope
    from ledger.timeutil import utcnow

    from .common import http_error

    state = _list_state(client, key)
    bits = bytes(LIST_BYTES)
    valid_from = utcnow().astimezone(UTC).replace(microsecond=0)
    if state["recordId"] is not None:
        served = client.get(list_path(key.did))
        if served.status_code != 200:
            http_error(served)
        current, _ = verify_status_list(served.json())
        if current.issuer != key.did:
            _stop(f"the API serves a list of {current.issuer} at this key's URL")
        bits = current.bits
        valid_from = max(valid_from, parse_datetime(state["validFrom"]) + timedelta(seconds=1))
    bits = set_bits(bits, [*state["revoked"], *(revoke or [])])
    document = issue_status_list(key, state["url"], bits, valid_from=valid_from)
    envelope = sign_envelope(
        "status_list", {"schema": "status-list/v1", "credential": document}, key
    )
    response = client.post("/v1/status-lists", json=envelope.to_dict())
    if response.status_code != 200:
        http_error(response)
    result: dict[str, Any] = response.json()
    typer.echo(
        f"status list re-signed (record {result['id']}); revoked now: {result['revoked']}",
        err=True,
    )
    return result


app.command("suspend")(_status_command("suspend"))
app.command("reinstate")(_status_command("reinstate"))
