"""``ledger wages``: check a payroll file against the wage rules, offline.

    ledger wages check examples/payroll.csv --country MY
    ledger wages check payroll.csv --country IN-DL --facility fac-in-delhi-01 --rules-version 2026.1

``check`` needs no API and no key: it reads the file, runs the compliance engine and prints
``{"lines", "rulesVersion", "jurisdiction", "violations": [{"line", "row", "worker", "rule",
"detail", ...figures}], "caveats"}``. It exits 0 whether or not it finds violations; 1 when
the file cannot be read as a pay run (every row and column problem is printed on stderr);
2 for a bad option (an unknown country or rules version).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from .common import fail, print_json

app = typer.Typer(
    help="Wage records: check payroll files against the wage rules.", no_args_is_help=True
)

PLACEHOLDER_FACILITY = "unspecified-facility"


def _read(path: Path, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of ``path`` (the parser refuses the oversized file)."""
    try:
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}", code=1)


def _payroll_errors(exc: Any) -> None:
    typer.echo(f"error: {exc.code}: {exc.detail}", err=True)
    for error in exc.errors:
        where = "file" if error["row"] is None else f"row {error['row']}"
        if error["column"] is not None:
            where += f", column {error['column']}"
        typer.echo(f"  {where}: {error['detail']}", err=True)
    raise typer.Exit(1)


@app.command("check")
def check(
    file: Path = typer.Argument(..., metavar="FILE.csv", help="The payroll file (one pay run)."),
    country: str = typer.Option(
        ...,
        "--country",
        metavar="CC",
        help="ISO 3166-1 country, or a minimum-wage area within it (IN-DL, VN-I, TH-10).",
    ),
    facility: str = typer.Option(PLACEHOLDER_FACILITY, "--facility", help="The facility id."),
    rules_version: str | None = typer.Option(
        None, "--rules-version", help="A shipped wage rules version (default: the newest)."
    ),
) -> None:
    """Check FILE.csv offline and print its violations as JSON (exit 0 either way)."""
    from domain.wages.engine import check_run, load_rules
    from domain.wages.errors import PayrollInvalid
    from domain.wages.payroll_csv import MAX_BYTES, read_payroll, to_lines
    from ledger.errors import LedgerError

    try:
        rules = load_rules(rules_version)
    except LedgerError as exc:
        fail(exc.detail)
    country = country.strip().upper()
    if country not in rules.known():
        fail(f"--country {country}: these rules ({rules.version}) know {', '.join(rules.known())}")
    try:
        rows = read_payroll(_read(file, MAX_BYTES), any_worker=True)
        lines = to_lines(rows, facility=facility, country=country, any_worker=True)
    except PayrollInvalid as exc:
        _payroll_errors(exc)
    except LedgerError as exc:  # a malformed --facility
        fail(exc.detail)
    report = check_run(lines, rules)
    workers = {line.line: row.worker for line, row in zip(lines, rows, strict=True)}
    file_rows = {line.line: row.row for line, row in zip(lines, rows, strict=True)}
    violations = []
    for violation in report.violations:
        shown = violation.to_dict()
        shown["worker"] = workers[violation.line]  # as the file names them
        violations.append({"line": shown.pop("line"), "row": file_rows[violation.line], **shown})
    print_json(
        {
            "lines": len(report.lines),
            "rulesVersion": report.rules_version,
            "jurisdiction": report.jurisdiction,
            "violations": violations,
            "caveats": [caveat.to_dict() for caveat in report.caveats],
        }
    )


@app.command("submit")
def submit(
    file: Path = typer.Argument(..., metavar="FILE.csv", help="The payroll file (one pay run)."),
    facility: str = typer.Option(..., "--facility", help="The facility the run is for."),
    key: str = typer.Option(..., "--key", help="The employer's key file (accredited for it)."),
    country: str | None = typer.Option(
        None,
        "--country",
        metavar="CC",
        help="ISO 3166-1 country, or a minimum-wage area (IN-DL, VN-I); default: the one "
        "country the rules know that pays in the file's currency.",
    ),
    corrects: str | None = typer.Option(
        None, "--corrects", metavar="RUN", help="The run (urn:uuid:...) this run corrects."
    ),
    api: str | None = typer.Option(None, "--api", help="API URL (default $LEDGER_API_URL)."),
) -> None:
    """Sign every line of FILE.csv with the employer's key (one record per worker line) and
    submit the run, all or none; prints each line's record id and compliance verdict."""
    import json

    import httpx

    from domain.wages.engine import load_rules
    from domain.wages.errors import PayrollInvalid
    from domain.wages.payroll_csv import MAX_BYTES, read_payroll, to_lines
    from ledger.envelope import sign_envelope
    from ledger.errors import LedgerError

    from .common import api_url, load_signing_key

    try:
        rows = read_payroll(_read(file, MAX_BYTES))
        if country is None:
            country = load_rules().country_paying_in(rows[0].currency)
            if country is None:
                fail(f"name --country: the rules know no single country paying in "
                     f"{rows[0].currency}", code=2)  # fmt: skip
        lines = to_lines(rows, facility=facility, country=country.strip().upper())
    except PayrollInvalid as exc:
        _payroll_errors(exc)
    except LedgerError as exc:
        fail(exc.detail)
    signer = load_signing_key(key)
    envelopes = []
    with typer.progressbar(lines, label="signing lines", file=sys.stderr) as progress:
        for line in progress:
            payload = line.model_dump(mode="json", by_alias=True, exclude_none=True)
            if corrects is not None:
                payload["run"]["corrects"] = corrects
            envelopes.append(sign_envelope("wage", payload, signer).to_dict())
    typer.echo(f"submitting {len(envelopes)} lines ...", err=True)
    try:
        response = httpx.post(
            api_url(api) + "/v1/wages", content=json.dumps({"lines": envelopes}),
            headers={"Content-Type": "application/json"}, timeout=600,
        )  # fmt: skip
    except httpx.HTTPError as exc:
        fail(f"cannot reach {api_url(api)}: {exc}", code=1)
    if response.status_code != 201:
        _refused_run(response, [row.row for row in rows])
    body = response.json()
    flagged = [line for line in body["lines"] if not line["compliant"]]
    typer.echo(
        f"run {body['run']}: {len(body['lines'])} lines admitted, {len(flagged)} with violations",
        err=True,
    )
    print_json(body)


def _refused_run(response: Any, file_rows: list[int]) -> None:
    """Print the API's refusal with each refused line's file row; exit 1."""
    try:
        problem = response.json()
    except ValueError:
        fail(f"HTTP {response.status_code}: {response.text[:500]}", code=1)
    typer.echo(f"error: HTTP {response.status_code} {problem.get('code')}: "
               f"{problem.get('detail')}", err=True)  # fmt: skip
    for error in problem.get("errors", []):
        index = error.get("index")
        row = file_rows[index] if isinstance(index, int) and index < len(file_rows) else "?"
        typer.echo(f"  row {row}: {error.get('code')}: {error.get('detail')}", err=True)
    raise typer.Exit(1)
