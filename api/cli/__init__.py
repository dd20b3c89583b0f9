"""The ``ledger`` command line: one Typer app, one module per command group."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="ledger",
    help="Labour provenance ledger: signed records, Merkle anchoring, worker credentials.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# (module, group name or None for top-level commands registered by the module itself)
_GROUPS: list[tuple[str, str | None]] = [
    ("serve", None),
    ("keys", "keys"),
    ("admin", "admin"),
    ("attest", "attest"),
    ("records", None),
    ("worker", None),
    ("chain", "chain"),
    ("merkle", "merkle"),
    ("vc", "vc"),
    ("wallet", "wallet"),
    ("checkin", "checkin"),
    ("wages", "wages"),
    ("score", "score"),
    ("receipts", "receipts"),
    ("db", "db"),
    ("untp", "untp"),
]


def _register() -> None:
    for module_name, group in _GROUPS:
        module = importlib.import_module(f"api.cli.{module_name}")
        if group is None:
            module.register(app)
        else:
            app.add_typer(module.app, name=group)


_register()


def main() -> None:
    """Console-script entry point."""
    app()
