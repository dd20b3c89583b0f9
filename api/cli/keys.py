"""``ledger keys``: Ed25519 identities as encrypted key files."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import fail, load_signing_key, passphrase

app = typer.Typer(
    help="Create and inspect Ed25519 keys (did:key), encrypted at rest.", no_args_is_help=True
)


@app.command("new")
def new(
    out: Path = typer.Option(..., "--out", help="Key file to create (never overwritten)"),
) -> None:
    """Create a key; print its did:key."""
    from ledger.keyfile import save_key_file
    from ledger.keys import SigningKey

    if out.exists():
        fail(f"{out} exists; refusing to overwrite a key")
    key = SigningKey.generate()
    out.parent.mkdir(parents=True, exist_ok=True)
    save_key_file(out, key, passphrase(confirm=True))
    typer.echo(key.did)


@app.command("show")
def show(key_file: str = typer.Argument(..., metavar="KEY_FILE")) -> None:
    """Print a key file's did:key (decrypting it proves the passphrase)."""
    # A plain string, not a click Path(exists=True): click would echo a mistyped value,
    # and what was typed may be a secret key.
    typer.echo(load_signing_key(key_file, option="KEY_FILE").did)
