"""``ledger admin``: accredit, suspend, reinstate and revoke signers through the API."""

from __future__ import annotations

from datetime import datetime

import typer

from .common import ADMIN_TOKEN_RULE, admin_client, fail, http_error, print_json

app = typer.Typer(
    help=f"Accredit, suspend, reinstate and revoke signer keys (needs the admin token). "
    f"{ADMIN_TOKEN_RULE}",
    no_args_is_help=True,
)

ROLES = ["auditor", "issuer", "employer", "brand", "verifier", "investigator"]


API = typer.Option(
    None,
    "--api",
    help="API URL (default LEDGER_API_URL). The admin token is only sent to LEDGER_API_URL: "
    "another URL is refused.",
)


@app.command("accredit")
def accredit(
    did: str = typer.Argument(..., help="The signer's did:key"),
    role: str = typer.Option(..., "--role", help=" | ".join(ROLES)),
    valid_from: datetime | None = typer.Option(None, "--valid-from"),
    valid_until: datetime | None = typer.Option(None, "--valid-until"),
    api: str | None = API,
) -> None:
    """Accredit DID for ROLE in AttesterRegistry."""
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
