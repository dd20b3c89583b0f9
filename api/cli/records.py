"""``ledger anchor``, ``ledger receipt``, ``ledger verify``."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from .common import admin_client, api_url, fail, http_error, print_json

if TYPE_CHECKING:
    from ledger.chain.client import ChainClient
    from ledger.receipts import PinnedDeployment


# How a command that checks receipts pins the deployment it trusts (`ledger verify`,
# `ledger score recompute`): the options, and :func:`pinned_reader` that reads them.
RPC = typer.Option(None, "--rpc", help="RPC URL (default LEDGER_RPC_URL, else the API's /rpc)")
CONTRACT = typer.Option(
    None, "--contract", help="Pin this ProvenanceAnchor address (each receipt must name it)"
)
DEPLOYMENT = typer.Option(
    None,
    "--deployment",
    exists=True,
    dir_okay=False,
    help="Pin the deployment JSON `ledger chain deploy` wrote",
)
PIN_API = typer.Option(None, "--api", help="API to pin from on first use (default LEDGER_API_URL)")
REPIN = typer.Option(
    False, "--repin", help="Forget the deployment pinned for this API and RPC; pin again"
)


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
    rpc: str | None = RPC,
    contract: str | None = CONTRACT,
    deployment: Path | None = DEPLOYMENT,
    api: str | None = PIN_API,
    repin: bool = REPIN,
    kind_table: Path | None = typer.Option(
        None,
        "--kind-table",
        exists=True,
        dir_okay=False,
        help="Which roles may sign which kind (and which kinds are scoped to a facility), as "
        "JSON {label: {number, roles, scope?}}, instead of this ledger's own kinds",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the checks as JSON"),
) -> None:
    """Check a receipt with nothing but an RPC endpoint and a pinned deployment: signature,
    leaf, proof, chain, contract, that the root is anchored (and when) and that the signer
    was accredited (and, for a scoped kind, scoped to the record's facility). Exit 0 only
    when every check holds, 1 naming the failed check."""
    from domain import kind_registry
    from ledger.receipts import RpcReceiptChain, check_receipt, unreadable_receipt

    kinds = kind_registry().receipt_rules() if kind_table is None else _read_kinds(kind_table)
    url, client, pinned = pinned_reader(rpc, contract, deployment, api, repin)
    receipt_data, unreadable = _read_receipt(file)
    report = (
        unreadable_receipt(unreadable)
        if unreadable is not None
        else check_receipt(
            receipt_data,
            pinned=pinned,
            chain=RpcReceiptChain(client),
            kinds=kinds,
        )
    )
    if as_json:
        print_json({
            **report.to_dict(), "rpc": url,
            "pinned": {"contract": pinned.contract, "chainId": pinned.chain_id,
                       "genesisHash": pinned.genesis_hash, "source": pinned.source},
        })  # fmt: skip
    else:
        for check in report.checks:
            mark = {True: "ok  ", False: "FAIL", None: "skip"}[check.ok]
            typer.echo(f"{mark} {check.name:17} {check.detail}")
        failed = report.failed
        typer.echo(
            "receipt valid"
            if report.ok
            else f"receipt INVALID: {failed.name if failed else 'incomplete'} check failed"
        )
        if failed is not None and failed.name == "chain" and "first use" in pinned.source:
            typer.echo(
                "the chain differs from the one pinned on first use; if it was reset on "
                "purpose, pass --repin to pin the API's deployment again",
                err=True,
            )
    raise typer.Exit(0 if report.ok else 1)


def pinned_reader(
    rpc: str | None, contract: str | None, deployment: Path | None, api: str | None, repin: bool
) -> tuple[str, ChainClient, PinnedDeployment]:
    """The RPC URL, a reading client on it, and the deployment pinned as the options say."""
    from ledger.chain.client import ChainClient

    if contract is not None and deployment is not None:
        fail("pass --contract or --deployment, not both")
    base = api_url(api)
    url = rpc or os.environ.get("LEDGER_RPC_URL") or f"{base}/rpc"
    client = ChainClient.reader(url)
    return url, client, _pinned(client, url, base, contract, deployment, repin)


MAX_RECEIPT_BYTES = 8 * 1024 * 1024
MAX_KIND_TABLE_BYTES = 64 * 1024


def _read_kinds(file: Path) -> Any:
    """The kind table in ``file``; bad usage (exit 2) when it is not one."""
    from ledger.canonical import parse_json
    from ledger.errors import LedgerError
    from ledger.receipts import kind_rules_from_json

    try:
        if file.stat().st_size > MAX_KIND_TABLE_BYTES:
            raise ValueError(f"larger than {MAX_KIND_TABLE_BYTES} bytes")
        return kind_rules_from_json(parse_json(file.read_bytes()))
    except LedgerError as exc:
        fail(f"--kind-table {file}: {exc.detail}")
    except (OSError, ValueError) as exc:
        fail(f"--kind-table {file}: {exc}")


def _read_receipt(file: Path) -> tuple[Any, str | None]:
    """The parsed receipt, or why it is not strict JSON (the format check then fails)."""
    from ledger.canonical import parse_json
    from ledger.errors import LedgerError

    try:
        if file.stat().st_size > MAX_RECEIPT_BYTES:
            return None, f"the receipt is larger than {MAX_RECEIPT_BYTES} bytes"
        return parse_json(file.read_bytes()), None
    except LedgerError as exc:
        return None, exc.detail
    except OSError as exc:
        fail(f"cannot read {file}: {exc}", code=1)


def _pinned(
    client: ChainClient,
    rpc: str,
    api: str,
    contract: str | None,
    deployment: Path | None,
    repin: bool,
) -> PinnedDeployment:
    """The deployment to trust: --contract, --deployment, or the pin for (API, RPC), made
    from the API's /v1/health on first use (and said so on stderr)."""
    from ledger.errors import LedgerError
    from ledger.receipts import PinnedDeployment
    from ledger.types import Address

    from .pins import PinError, forget_pin, load_pin, pin_from_api, read_deployment_pin, save_pin

    if contract is not None:
        if not re.fullmatch(r"0x[0-9a-fA-F]{40}", contract):
            fail(f"--contract {contract[:50]!r} is not a 0x-prefixed 20-byte address")
        return PinnedDeployment(Address(contract), source="--contract")
    try:
        if deployment is not None:
            return read_deployment_pin(deployment)
        if repin:
            forget_pin(api, rpc)
        pinned = load_pin(api, rpc)
        if pinned is not None:
            return pinned
        try:
            chain_id, genesis = client.chain_id, client.genesis_hash
        except LedgerError as exc:
            fail(f"cannot reach {rpc} to pin the deployment: {exc.detail}", code=1)
        pinned = pin_from_api(api, rpc_chain_id=chain_id, rpc_genesis=genesis)
        path = save_pin(api, rpc, pinned)
    except PinError as exc:
        fail(str(exc), code=1)
    typer.echo(
        f"pinned ProvenanceAnchor {pinned.contract} on chain {pinned.chain_id} from {api} on "
        "first use; later runs check against it; pass --contract to pin explicitly "
        f"(pin stored in {path})",
        err=True,
    )
    return pinned
