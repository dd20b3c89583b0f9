"""``ledger receipts export``: every receipt a facility's score is computed from, written to a
directory that ``ledger score recompute`` checks and recomputes with no API and no database."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import typer

from .common import api_url, deployment_audience, fail, http_error, load_signing_key, shown_url

app = typer.Typer(help="Export receipts.", no_args_is_help=True)


@app.command("export")
def export(
    facility: str = typer.Option(..., "--facility", help="The facility id (or an alias of it)"),
    out: Path = typer.Option(..., "--out", file_okay=False, help="Directory to write (created)"),
    keys: list[str] = typer.Option(
        [],
        "--key",
        help="A reader's key file (repeatable) for parties-only receipts: wage lines and "
        "their acknowledgements (the facility's auditor or employer), credentials and "
        "check-ins (an investigator). Without one, those receipts are listed as withheld.",
    ),
    wait: float = typer.Option(
        120.0, "--wait", min=0, help="Seconds to wait for records still pending anchoring"
    ),
    api: str | None = typer.Option(None, "--api", help="API URL (default $LEDGER_API_URL)."),
) -> None:
    """Write manifest.json (GET /v1/facilities/{id}/score/sources: the score, the instant it
    was computed at, and every record it is computed from) and receipts/<record id>.json for
    each. Exit 0 when every receipt was written; 1 naming those withheld or not anchored
    (the manifest and the others are written all the same)."""
    import httpx

    url = api_url(api)
    signers = [load_signing_key(k) for k in keys]
    with httpx.Client(base_url=url, timeout=60) as client:
        try:
            response = client.get(f"/v1/facilities/{quote(facility, safe='')}/score/sources")
        except httpx.HTTPError as exc:
            fail(f"cannot reach {shown_url(url)}: {exc}", code=1)
        if response.status_code != 200:
            http_error(response)
        manifest: dict[str, Any] = response.json()
        audience = deployment_audience(api) if signers else None
        receipts_dir = out / "receipts"
        receipts_dir.mkdir(parents=True, exist_ok=True)
        withheld: dict[str, str] = {}
        pending = list(manifest["records"])
        deadline = time.monotonic() + wait
        while True:
            still = []
            for record_id in pending:
                found, problem = _fetch(client, record_id, signers, audience)
                if found is not None:
                    (receipts_dir / f"{record_id}.json").write_text(json.dumps(found, indent=1))
                elif problem == "not_anchored":
                    still.append(record_id)
                else:
                    withheld[record_id] = problem
            pending = still
            if not pending or time.monotonic() >= deadline:
                break
            time.sleep(1.0)
    manifest["api"], manifest["requested"] = shown_url(url), facility
    manifest["withheld"] = [{"record": r, "reason": p} for r, p in sorted(withheld.items())]
    manifest["pending"] = sorted(pending)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    written = len(manifest["records"]) - len(withheld) - len(pending)
    typer.echo(f"{manifest['facility']}: score {manifest['score']['score']} as of "
               f"{manifest['computedAt']}; {written} of {len(manifest['records'])} receipts "
               f"written to {out}")  # fmt: skip
    for record_id, reason in sorted(withheld.items()):
        typer.echo(f"withheld {record_id}: {reason}", err=True)
    for record_id in pending:
        typer.echo(f"not anchored yet {record_id}", err=True)
    raise typer.Exit(0 if not withheld and not pending else 1)


def _fetch(
    client: Any, record_id: str, signers: list[Any], audience: str | None
) -> tuple[Any, str]:
    """The receipt, or why not: ``not_anchored``, or the API's problem code."""
    from ledger.signed_request import request_authorization

    path = f"/v1/records/{record_id}/receipt"
    response = client.get(path)
    for signer in signers:
        assert audience is not None  # learnt whenever there are signers
        if response.status_code not in (401, 403):
            break
        header = request_authorization(signer, "GET", path, audience=audience)
        response = client.get(path, headers={"Authorization": header})
    if response.status_code == 200:
        return response.json(), ""
    try:
        code = str(response.json().get("code", response.status_code))
    except ValueError:
        code = str(response.status_code)
    return None, code
