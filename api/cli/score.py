"""``ledger score FACILITY``: a facility's transparency score as a table, component by
component, from the API (``GET /v1/facilities/{id}/score``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import typer

from .common import api_url, fail, http_error, print_json, shown_url


def register(app: typer.Typer) -> None:
    app.command("score")(score)


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
