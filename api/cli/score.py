"""``ledger score FACILITY``: a facility's transparency score as a table, component by
component, from the API (``GET /v1/facilities/{id}/score``); ``ledger score recompute``: the
same score from exported receipts alone (``ledger receipts export``), no API, no database."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import typer
from typer.core import TyperGroup

from .common import api_url, fail, http_error, print_json, shown_url
from .records import CONTRACT, DEPLOYMENT, PIN_API, REPIN, RPC, pinned_reader


class _ShowByDefault(TyperGroup):
    """``ledger score FACILITY`` is ``ledger score show FACILITY``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_ShowByDefault,
    help="A facility's transparency score: `ledger score FACILITY`, `ledger score recompute`.",
    no_args_is_help=True,
)


@app.command("show")
def score(
    facility: str = typer.Argument(..., help="The facility id (or an id merged into it)"),
    as_json: bool = typer.Option(False, "--json", help="Print the API's JSON instead"),
    api: str | None = typer.Option(None, "--api", help="API URL (default $LEDGER_API_URL)."),
) -> None:
    """Print the score, each component's points out of its weight with what it counted,
    the cap if one holds, and the record ids behind each component."""
    import httpx

    url = api_url(api)
    try:
        response = httpx.get(f"{url}/v1/facilities/{quote(facility, safe='')}/score", timeout=60)
    except httpx.HTTPError as exc:
        fail(f"cannot reach {shown_url(url)}: {exc}", code=1)
    if response.status_code != 200:
        http_error(response)
    body: dict[str, Any] = response.json()
    if as_json:
        print_json(body)
        return
    typer.echo(f"{facility}: {body['score']} / 100 (formula {body['formula_version']})")
    if body.get("cap"):
        typer.echo(f"capped: {_inputs(body['cap'])}")
    rows = [("component", "points", "counted")]
    for component in body["components"]:
        rows.append((component["name"], f"{component['value']} / {component['weight']}",
                     _inputs(component["inputs"])))  # fmt: skip
    width = [max(len(r[i]) for r in rows) for i in range(2)]
    for name, points, counted in rows:
        typer.echo(f"  {name:<{width[0]}}  {points:>{width[1]}}  {counted}")
    for component in body["components"]:
        if component["records"]:
            typer.echo(f"  {component['name']} records: {', '.join(component['records'])}")
    for snapshot in body.get("history", []):
        typer.echo(f"  snapshot {snapshot['as_of']}: {snapshot['score']} ({snapshot['record']})")


def _inputs(value: Any) -> str:
    """A component's inputs on one line: ``key=value`` pairs, lists joined."""
    if isinstance(value, dict):
        return ", ".join(f"{k}={_inputs(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + "; ".join(_inputs(v) for v in value) + "]"
    return str(value)


@app.command("recompute")
def recompute(
    receipts: Path = typer.Option(
        ..., "--receipts", exists=True, file_okay=False, help="What `ledger receipts export` wrote"
    ),
    facility: str = typer.Option(..., "--facility", help="The facility the export is of"),
    rpc: str | None = RPC,
    contract: str | None = CONTRACT,
    deployment: Path | None = DEPLOYMENT,
    api: str | None = PIN_API,
    repin: bool = REPIN,
) -> None:
    """Verify every receipt of the export as `ledger verify` does (against the pinned
    deployment: --deployment, or --rpc with --contract, touch no API), recompute the score
    from their records alone, and print it as JSON of the shape GET /v1/facilities/{id}/score
    gives ("score", "formula_version", "components": [{"name", "weight", "value", "inputs",
    "records"}], "cap"?), with "facility", "computedAt", "apiScore", "reproduced",
    "receipts": {"verified", "bad": [{"record", "problem", "detail"}]} and "differences".
    Exit 0 only when every receipt verifies and the score and each component equal the
    API's; 1 otherwise, each missing, tampered or foreign receipt and each differing
    component also named on stderr."""
    from domain import kind_registry
    from domain.scores.recompute import read_manifest
    from domain.scores.recompute import recompute as recompute_score
    from ledger.receipts import RpcReceiptChain, check_receipt

    from ..routes.scores import score_json

    try:
        manifest = read_manifest(receipts)
    except ValueError as exc:
        fail(str(exc))
    if facility not in (manifest["facility"], manifest.get("requested")):
        fail(f"the export is of {manifest['facility']}, not {facility}")
    _, client, pinned = pinned_reader(rpc, contract, deployment, api, repin)
    chain, kinds = RpcReceiptChain(client), kind_registry().receipt_rules()
    found = recompute_score(
        receipts, manifest, lambda r: check_receipt(r, pinned=pinned, chain=chain, kinds=kinds)
    )
    body = score_json(found.recomputed, [])
    del body["history"]
    print_json({
        **body, "facility": found.facility, "computedAt": manifest["computedAt"],
        "apiScore": manifest["score"]["score"], "reproduced": found.ok,
        "receipts": {"verified": found.verified,
                     "bad": [{"record": b.record, "problem": b.problem, "detail": b.detail}
                             for b in found.bad]},
        "differences": [{"component": c.name, "api": str(c.api),
                         "recomputed": str(c.recomputed), "details": c.differences}
                        for c in found.components if not c.reproduced],
    })  # fmt: skip
    for b in found.bad:
        typer.echo(f"receipt {b.problem}: {b.record} ({b.detail})", err=True)
    for c in found.components:
        for difference in c.differences:
            typer.echo(f"{c.name}: {difference}", err=True)
    typer.echo("score reproduced" if found.ok else "score NOT reproduced", err=True)
    raise typer.Exit(0 if found.ok else 1)
