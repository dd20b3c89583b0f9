"""``ledger admin``: accredit, suspend, reinstate and revoke signers, and grant and revoke
their facility scopes, through the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import typer

from .common import ADMIN_TOKEN_RULE, admin_client, fail, http_error, print_json

app = typer.Typer(
    help=f"Accredit, suspend, reinstate and revoke signer keys, and scope them to facilities "
    f"(needs the admin token). {ADMIN_TOKEN_RULE}",
    no_args_is_help=True,
)

ROLES = ["auditor", "issuer", "employer", "brand", "verifier", "investigator"]


API = typer.Option(
    None,
    "--api",
    help="API URL (default LEDGER_API_URL). The admin token is only sent to LEDGER_API_URL: "
    "another URL is refused.",
)


FACILITY = typer.Option(
    None,
    "--facility",
    help="A facility id to scope the role to (repeat for several), e.g. for an employer who "
    "signs wage lines for that facility only",
)


@app.command("accredit")
def accredit(
    did: str = typer.Argument(..., help="The signer's did:key"),
    role: str = typer.Option(..., "--role", help=" | ".join(ROLES)),
    valid_from: datetime | None = typer.Option(None, "--valid-from"),
    valid_until: datetime | None = typer.Option(None, "--valid-until"),
    facilities: list[str] | None = FACILITY,
    api: str | None = API,
) -> None:
    """Accredit DID for ROLE in AttesterRegistry, then grant it each --facility's scope."""
    body: dict[str, object] = {"did": did, "role": role}
    if valid_from:
        body["validFrom"] = valid_from.isoformat()
    if valid_until:
        body["validUntil"] = valid_until.isoformat()
    with admin_client(api) as client:
        response = client.post("/v1/admin/signers", json=body)
        if response.status_code != 201:
            http_error(response)
        for signer in response.json():
            typer.echo(f"accredited {signer['did']} as {signer['role']} from {signer['validFrom']}")
        for facility in facilities or []:
            _grant(client, did, role, {"facility": facility}, after="accredited, but ")


def _grant(client: Any, did: str, role: str, target: dict[str, str], *, after: str = "") -> None:
    response = client.post(f"/v1/admin/signers/{did}/scopes", json={"role": role, **target})
    if response.status_code != 201:
        if after:
            typer.echo(f"{after}the scope {target} was not granted:", err=True)
        http_error(response)
    result = response.json()
    _echo_scope("scoped", result)
    _wait_for_the_grant(result["scope"]["grantedAt"])


# Beyond this the chain's clock is wrong, not merely ahead after a burst: say so, do not wait.
MAX_WAIT_FOR_GRANT_S = 60.0


def _wait_for_the_grant(granted_at: str) -> None:
    """Return once this machine's clock has passed the grant's block time, so a record
    signed right after this command is in scope: the embedded EVM's block clock runs a
    second ahead per block mined in a burst."""
    import time

    from ledger.timeutil import parse_time, utcnow

    ahead = (parse_time(granted_at, field="grantedAt") - utcnow()).total_seconds()
    if ahead <= 0:
        return
    if ahead > MAX_WAIT_FOR_GRANT_S:
        typer.echo(f"warning: the scope holds from {granted_at}, {ahead:.0f} s ahead of this "
                   "machine's clock: records signed before then are refused", err=True)  # fmt: skip
        return
    typer.echo(f"waiting {ahead:.1f} s for the chain's clock (the scope holds from {granted_at})",
               err=True)  # fmt: skip
    time.sleep(ahead + 0.05)


def _echo_scope(verb: str, result: dict[str, Any]) -> None:
    scope = result["scope"]
    name = scope["scope"]
    if scope["facility"]:
        name = f"facility {scope['facility']} ({name})"
    since = f"from {scope['grantedAt']}"
    if scope["revokedAt"]:
        since = f"revoked at {scope['revokedAt']}"
    typer.echo(f"{verb} {result['did']} as {result['role']} to {name}, {since}")


@app.command("scope")
def scope(
    did: str = typer.Argument(..., help="The signer's did:key"),
    role: str = typer.Option(..., "--role", help=" | ".join(ROLES)),
    facilities: list[str] | None = FACILITY,
    scopes: list[str] | None = typer.Option(
        None, "--scope", help="A raw bytes32 scope (0x + 64 hex), instead of a facility"
    ),
    revoke: bool = typer.Option(False, "--revoke", help="Revoke the scope(s) instead"),
    api: str | None = API,
) -> None:
    """Grant DID, accredited for ROLE, the scope of each --facility (or --scope); with
    --revoke, end it. A scope holds from its grant's block time (the command returns once this
    machine's clock has passed it); records signed within it and anchored before its
    revocation stay provable."""
    if role not in ROLES:
        fail(f"unknown role {role!r} (one of: {', '.join(ROLES)})")
    targets = [("facility", f) for f in facilities or []] + [("scope", s) for s in scopes or []]
    if not targets:
        fail("name at least one --facility or --scope")
    with admin_client(api) as client:
        for kind, value in targets:
            if not revoke:
                _grant(client, did, role, {kind: value})
                continue
            response = client.delete(
                f"/v1/admin/signers/{did}/scopes/{quote(value, safe='')}", params={"role": role}
            )
            if response.status_code != 200:
                http_error(response)
            _echo_scope("unscoped", response.json())


def _role_params(role: str | None) -> dict[str, str] | None:
    if role is None:
        return None
    if role not in ROLES:
        fail(f"unknown role {role!r} (one of: {', '.join(ROLES)})")
    return {"role": str(ROLES.index(role) + 1)}


@app.command("revoke")
def revoke(
    did: str = typer.Argument(...),
    role: str | None = typer.Option(None, "--role", help="only this role (default: all)"),
    api: str | None = API,
) -> None:
    """Revoke DID (final)."""
    params = _role_params(role)
    with admin_client(api) as client:
        response = client.delete(f"/v1/admin/signers/{did}", params=params)
    if response.status_code != 200:
        http_error(response)
    typer.echo(f"revoked {did}: {', '.join(response.json()['revokedRoles'])}")


@app.command("suspend")
def suspend(
    did: str = typer.Argument(...),
    role: str | None = typer.Option(None, "--role", help="only this role (default: all)"),
    api: str | None = API,
) -> None:
    """Suspend DID until `ledger admin reinstate`."""
    with admin_client(api) as client:
        response = client.post(f"/v1/admin/signers/{did}/suspend", params=_role_params(role))
    if response.status_code != 200:
        http_error(response)
    typer.echo(f"suspended {did}: {', '.join(response.json()['suspendedRoles'])}")


@app.command("reinstate")
def reinstate(
    did: str = typer.Argument(...),
    role: str | None = typer.Option(None, "--role", help="only this role (default: all)"),
    api: str | None = typer.Option(None, "--api"),
) -> None:
    """Lift DID's suspension."""
    with admin_client(api) as client:
        response = client.post(f"/v1/admin/signers/{did}/reinstate", params=_role_params(role))
    if response.status_code != 200:
        http_error(response)
    typer.echo(f"reinstated {did}: {', '.join(response.json()['reinstatedRoles'])}")


@app.command("signers")
def signers(api: str | None = API) -> None:
    """List accredited signers (the registry mirror)."""
    with admin_client(api) as client:
        response = client.get("/v1/admin/signers")
    if response.status_code != 200:
        http_error(response)
    print_json(response.json())
