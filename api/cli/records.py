"""``ledger anchor``, ``ledger receipt``, ``ledger verify``."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from .common import admin_client, api_url, fail, http_error, print_json


def register(app: typer.Typer) -> None:
    app.command("anchor")(anchor)
    app.command("receipt")(receipt)
    app.command("verify")(verify)


def anchor(
    api: str | None = typer.Option(
        None,
        "--api",
        help="API URL (default LEDGER_API_URL). The admin token is only sent to "
        "LEDGER_API_URL: another URL is refused.",
    ),
) -> None:
    """Anchor every pending record now (admin).

    The admin token (LEDGER_ADMIN_TOKEN, else var/admin-token) is sent only to
    LEDGER_API_URL (default http://127.0.0.1:8000); var/admin-token only to a loopback
    address. To anchor on another API, set LEDGER_API_URL to it and LEDGER_ADMIN_TOKEN."""
    with admin_client(api, timeout=300) as client:
        response = client.post("/v1/admin/anchor")
    if response.status_code != 200:
        http_error(response)
    report = response.json()
    typer.echo(f"batches anchored: {report['batchesAnchored'] or 'none'}")
    if report["error"]:
        fail(f"anchoring stopped: {report['error']}", code=1)


def receipt(
    record_id: str = typer.Argument(..., metavar="ID"),
    api: str | None = typer.Option(None, "--api"),
) -> None:
    """Write the receipt of an anchored record to stdout."""
    import httpx

    response = httpx.get(f"{api_url(api)}/v1/records/{record_id}/receipt", timeout=60)
    if response.status_code != 200:
        http_error(response)
    print_json(response.json())


def verify(
    file: Path = typer.Argument(..., metavar="RECEIPT.json", exists=True, dir_okay=False),
    rpc: str | None = typer.Option(
        None, "--rpc", help="RPC URL (default LEDGER_RPC_URL, else the API's /rpc)"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the checks as JSON"),
) -> None:
    """Check a receipt with nothing but an RPC endpoint: signature, leaf, proof, and that the
    root is anchored (and when). Exit 0 only when every check holds."""
    from ledger.canonical import parse_json
    from ledger.chain.client import ChainClient
    from ledger.chain.contracts import AnchorContract
    from ledger.errors import LedgerError
    from ledger.receipts import check_receipt

    try:
        receipt_data = parse_json(file.read_bytes())
    except LedgerError as exc:
        fail(f"{file}: {exc.detail}", code=1)
    url = rpc or os.environ.get("LEDGER_RPC_URL") or f"{api_url()}/rpc"
    try:
        client = ChainClient.reader(url)
        chain_id = client.chain_id
    except LedgerError as exc:
        fail(f"cannot reach {url}: {exc.detail}", code=1)
    contract = str(receipt_data.get("contract", "")) if isinstance(receipt_data, dict) else ""

    def lookup(root: bytes):  # type: ignore[no-untyped-def]
        return AnchorContract(client, contract).anchor_of(root)

    report = check_receipt(receipt_data, chain_id=chain_id, contract=contract, lookup=lookup)
    if as_json:
        print_json({**report.to_dict(), "rpc": url})
    else:
        for check in report.checks:
            typer.echo(f"{'ok  ' if check.ok else 'FAIL'} {check.name:12} {check.detail}")
        failed = report.failed
        typer.echo(
            "receipt valid"
            if report.ok
            else f"receipt INVALID: {failed.name if failed else 'incomplete'} check failed"
        )
    raise typer.Exit(0 if report.ok else 1)
