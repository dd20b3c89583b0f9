"""``ledger merkle``: OpenZeppelin-compatible roots and proofs for interop checks."""

from __future__ import annotations

import json

import typer

from .common import fail

app = typer.Typer(
    help="Merkle roots and proofs (OpenZeppelin SimpleMerkleTree layout).", no_args_is_help=True
)


def _leaves(values: list[str]) -> list[bytes]:
    leaves = []
    for value in values:
        text = value[2:] if value.startswith("0x") else value
        try:
            leaf = bytes.fromhex(text)
        except ValueError:
            fail(f"not hex: {value}")
        if len(leaf) != 32:
            fail(f"a leaf is 32 bytes (64 hex digits): {value}")
        leaves.append(leaf)
    return leaves


@app.command("root")
def root(leaves: list[str] = typer.Argument(..., metavar="HEX...")) -> None:
    """Print the root of the tree over the given 32-byte leaves."""
    from ledger.merkle import MerkleTree

    typer.echo("0x" + MerkleTree.build(_leaves(leaves)).root.hex())


@app.command("proof")
def proof(
    index: int = typer.Argument(..., metavar="INDEX"),
    leaves: list[str] = typer.Argument(..., metavar="HEX..."),
) -> None:
    """Print {"leaf", "proof", "root"} for the leaf at INDEX (in the order given)."""
    from ledger.merkle import MerkleTree

    parsed = _leaves(leaves)
    if not 0 <= index < len(parsed):
        fail(f"INDEX must be between 0 and {len(parsed) - 1}")
    tree = MerkleTree.build(parsed)
    typer.echo(
        json.dumps(
            {
                "leaf": "0x" + parsed[index].hex(),
                "proof": ["0x" + p.hex() for p in tree.proof(index)],
                "root": "0x" + tree.root.hex(),
            }
        )
    )
