"""``ledger admin accredit --facility`` and ``ledger admin scope``: through a real API server
(embedded EVM, SQLite and PostgreSQL), each change lands on chain and in the mirror; bad input
is refused with the API's problem code, or before any request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from domain import open_ledger
from ledger.chain.contracts import facility_scope
from ledger.keys import SigningKey, VerifyKey
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from tests.cli.test_verify_receipt import serve

TOKEN = "t0ken-verify"  # what tests.cli.test_verify_receipt.serve configures


@pytest.fixture
def server(database_url: str) -> Iterator[tuple[Ledger, str]]:
    ledger = open_ledger(LedgerConfig(database_url=database_url))
    url, stop = serve(ledger, database_url)
    try:
        yield ledger, url
    finally:
        stop()
        ledger.close()


def run(url: str, *args: str) -> Result:
    env = {"LEDGER_API_URL": url, "LEDGER_ADMIN_TOKEN": TOKEN}
    return CliRunner(env=env).invoke(app, ["admin", *args])


def scopes_of(ledger: Ledger, did: str) -> dict[str, dict[str, Any]]:
    return {
        s["facility"] or s["scope"]: s
        for signer in ledger.signers()
        if signer["did"] == did
        for s in signer["scopes"]
    }


def test_accredit_with_facilities_then_scope_and_unscope(server: tuple[Ledger, str]) -> None:
    ledger, url = server
    did = SigningKey.generate().did

    done = run(url, "accredit", did, "--role", "employer", "--facility", "fac-1",
               "--facility", "IN2019067X1K87E")  # fmt: skip

    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"accredited {did} as employer from ")
    assert lines[1].startswith(f"scoped {did} as employer to facility fac-1 (0x")
    assert "facility IN2019067X1K87E" in lines[2]
    assert set(scopes_of(ledger, did)) == {"fac-1", "IN2019067X1K87E"}

    raw = "0x" + "5c" * 32
    done = run(url, "scope", did, "--role", "employer", "--facility", "fac-2", "--scope", raw)
    assert done.exit_code == 0, done.output
    assert set(scopes_of(ledger, did)) == {"fac-1", "IN2019067X1K87E", "fac-2", raw}

    done = run(url, "scope", did, "--role", "employer", "--facility", "fac-1", "--revoke")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith(f"unscoped {did} as employer to facility fac-1")
    assert "revoked at" in done.stdout
    held = scopes_of(ledger, did)
    assert held["fac-1"]["revokedAt"] is not None and held["fac-2"]["revokedAt"] is None
    key = VerifyKey.from_did(did)
    assert ledger.registry.scope_of(key, Role.EMPLOYER, facility_scope("fac-1"))[1] is not None
    assert ledger.registry.scope_of(key, Role.EMPLOYER, facility_scope("fac-2"))[1] is None


def test_bad_input_is_refused(server: tuple[Ledger, str]) -> None:
    ledger, url = server
    did = SigningKey.generate().did
    head = ledger.client.block_number()

    unknown_role = run(url, "scope", did, "--role", "chef", "--facility", "fac-1")
    nothing = run(url, "scope", did, "--role", "employer")
    unaccredited = run(url, "scope", did, "--role", "employer", "--facility", "fac-1")
    bad_id = run(url, "scope", did, "--role", "employer", "--facility", "fac 1", "--revoke")

    assert (unknown_role.exit_code, nothing.exit_code) == (2, 2)
    assert "unknown role 'chef'" in unknown_role.stderr and "--facility" in nothing.stderr
    assert unaccredited.exit_code == 1 and "HTTP 404 not_found" in unaccredited.stderr
    assert bad_id.exit_code == 1 and "HTTP 422 schema_violation" in bad_id.stderr
    assert ledger.client.block_number() == head

    # Accredited, then a facility id the API refuses: the output says which part failed.
    partly = run(url, "accredit", did, "--role", "employer", "--facility", "no spaces")
    assert partly.exit_code == 1
    assert partly.stdout.startswith(f"accredited {did} as employer")
    assert "accredited, but the scope {'facility': 'no spaces'} was not granted" in partly.stderr
    assert "(field body.facility)" in partly.stderr
    assert scopes_of(ledger, did) == {}
