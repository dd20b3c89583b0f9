"""``ledger untp export`` as a user runs it: a real process against the real API over a
real ledger (tests/domain/untp/world.py), key files with passphrases, and Digital Bazaar's
verifier on the files it writes. Also what a careless or hostile party tries: a key that
authored nothing, an API serving a receipt that does not commit to its record, bad usage."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response

from ledger.keyfile import save_key_file
from ledger.keys import SigningKey
from tests.api.live import serving
from tests.cli.conftest import Cli
from tests.credentials.worker_support import FAST_KDF
from tests.domain.supply.builders import FACILITY, SUPPLIER
from tests.domain.untp.world import World, audit, run_verifier, untp_world

CREATED = "2026-12-01T09:00:00Z"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with untp_world(tmp_path_factory.mktemp("untp-cli")) as built:
        yield built


def key_file(cli: Cli, name: str, key: SigningKey) -> str:
    path = cli.cwd / f"{name}.key"
    save_key_file(path, key, cli.env["LEDGER_KEY_PASSPHRASE"], **FAST_KDF)
    return str(path)


def export(cli: Cli, api: str, *args: str, out: str = "untp") -> tuple[int, Any, str]:
    done = cli.run("untp", "export", "--facility", FACILITY, "--out", out, "--api", api, *args,
                   check=False)  # fmt: skip
    try:
        summary = json.loads(done.stdout) if done.stdout else None
    except ValueError:
        summary = done.stdout
    return done.returncode, summary, done.stderr


def written(cli: Cli, out: str = "untp") -> dict[str, dict[str, Any]]:
    folder = cli.cwd / out
    if not folder.exists():
        return {}
    return {p.name: json.loads(p.read_text()) for p in sorted(folder.iterdir())}


def test_the_auditor_exports_its_own_audit_only(world: World, cli: Cli) -> None:
    auditor = key_file(cli, "auditor", world.auditor)
    code, summary, _ = export(cli, world.api, "--key", auditor, "--created", CREATED)
    assert code == 0, summary
    audit = world.ids["audit"]
    files = written(cli)
    assert list(files) == [f"dcc-{audit}.json"]
    assert summary["written"] == [{
        "file": f"dcc-{audit}.json", "type": "DigitalConformityCredential",
        "id": f"urn:lpl:untp:dcc:{audit}", "record": audit, "issuer": world.auditor.did,
    }]  # fmt: skip
    reasons = {s["file"]: s["reason"] for s in summary["skipped"]}
    assert reasons[f"dfr-{FACILITY}.json"].startswith("not authored by the given key")
    assert reasons[f"dcc-{world.ids['other_audit']}.json"].endswith(
        f"only {world.other_auditor.did} may issue it"
    )
    assert "not confirmed" in reasons[f"dte-{world.ids['unconfirmed']}.json"]
    assert (summary["facility"], summary["untp"]) == (FACILITY, "0.6.1")
    code, verdicts = run_verifier(list(files.values()))
    assert (code, verdicts[0]["verified"]) == (0, True), verdicts
    # Run again with the same proof time: the same bytes (rebuilt from the receipts).
    before = (cli.cwd / "untp" / f"dcc-{audit}.json").read_bytes()
    assert export(cli, world.api, "--key", auditor, "--created", CREATED)[0] == 0
    assert (cli.cwd / "untp" / f"dcc-{audit}.json").read_bytes() == before


def test_every_author_together_exports_one_file_per_credential(world: World, cli: Cli) -> None:
    keys = [("auditor", world.auditor), ("other", world.other_auditor),
            ("employer", world.employer)]  # fmt: skip
    args = [a for name, key in keys for a in ("--key", key_file(cli, name, key))]
    code, summary, _ = export(cli, world.api, *args)
    assert code == 0, summary
    files = written(cli)
    assert sorted(files) == sorted(
        [f"dcc-{world.ids[n]}.json" for n in ("audit", "other_audit", "plain_audit")]
        + [f"dfr-{FACILITY}.json", f"dte-{world.ids['link']}.json"]
    )
    assert [s["file"] for s in summary["skipped"]] == [f"dte-{world.ids['unconfirmed']}.json"]
    code, verdicts = run_verifier(list(files.values()))
    assert code == 0, verdicts


def test_a_key_that_authored_nothing_writes_nothing(world: World, cli: Cli) -> None:
    stranger = key_file(cli, "stranger", SigningKey.generate())
    code, summary, _ = export(cli, world.api, "--key", stranger)
    assert code == 1
    assert summary["written"] == [] and len(summary["skipped"]) == 6
    assert written(cli) == {}


def _hostile(upstream: str, trick: str) -> FastAPI:
    """The real API behind a proxy that plays ``trick`` on its answers."""
    app = FastAPI()

    @app.get("/{path:path}")
    def forward(path: str) -> Response:
        response = httpx.get(f"{upstream}/{path}", timeout=30)
        body = copy.deepcopy(response.json())
        receipt = path.endswith("/receipt") and body.get("kind") == "audit"
        if trick == "closes a finding" and receipt:
            body["envelope"]["payload"]["findings"][0]["status"] = "closed"
        elif trick == "swaps receipts" and receipt:
            body = httpx.get(f"{upstream}/v1/records/{SWAPPED[0]}/receipt", timeout=30).json()
        elif trick == "names a path as a record id" and path.endswith("/audits"):
            body["audits"][0]["id"] = "../../v1/admin"
        elif trick == "no list of audits" and path.endswith("/audits"):
            body["audits"] = {"not": "a list"}
        elif trick == "answers HTML" and path.endswith("/suppliers"):
            return Response("<html>", media_type="text/html")
        elif trick == "answers too much" and path.endswith("/buyers"):
            return Response(b" " * (8 * 1024 * 1024 + 1), media_type="application/json")
        return JSONResponse(body, status_code=response.status_code)

    return app


SWAPPED: list[str] = []


@pytest.mark.parametrize(
    ("trick", "says"),
    [
        ("closes a finding", "receipt_invalid: the receipt's envelope"),
        ("swaps receipts", "receipt_invalid: asked for"),
        ("names a path as a record id", "malformed record id"),
        ("no list of audits", "no list of audits"),
        ("answers HTML", "not JSON"),
        ("answers too much", "exceeds"),
    ],
)
def test_a_hostile_api_stops_the_export_and_nothing_is_written(
    world: World, cli: Cli, trick: str, says: str
) -> None:
    SWAPPED[:] = [world.ids["other_audit"]]
    auditor = key_file(cli, "auditor", world.auditor)
    with serving(_hostile(world.api, trick)) as hostile:
        code, summary, stderr = export(cli, hostile, "--key", auditor)
    assert code == 1, (summary, stderr)
    assert says in stderr, stderr
    assert written(cli) == {}
    if trick == "closes a finding":
        assert summary["error"]["check"] == "envelope"


def test_bad_usage_and_unknown_facilities(world: World, cli: Cli) -> None:
    auditor = key_file(cli, "auditor", world.auditor)
    (cli.cwd / "a-file").write_text("")

    def run(*args: str) -> tuple[int, str]:
        done = cli.run("untp", "export", *args, check=False)
        return done.returncode, done.stderr

    base = ["--api", world.api, "--key", auditor, "--out", "untp"]
    assert run(*base, "--facility", "../../etc")[0] == 2
    assert run(*base, "--facility", "x" * 65)[0] == 2
    assert run("--api", world.api, "--facility", FACILITY, "--out", "untp")[0] == 2  # no --key
    assert run(*base, "--facility", FACILITY, "--created", "yesterday")[0] == 2
    assert run("--api", world.api, "--key", auditor, "--facility", FACILITY, "--out",
               "a-file")[0] == 2  # fmt: skip
    assert run(*base[:2], "--key", str(cli.cwd / "missing.key"), "--out", "untp",
               "--facility", FACILITY)[0] == 2  # fmt: skip
    code, stderr = run(*base, "--facility", "fac-nowhere-01")
    assert (code, "facility_unknown" in stderr) == (1, True)
    code, stderr = run("--api", "http://127.0.0.1:9", "--key", auditor, "--out", "untp",
                       "--facility", FACILITY)  # fmt: skip
    assert (code, "cannot reach" in stderr) == (1, True)
    assert written(cli) == {}


def test_a_facility_with_no_record_of_its_own_and_no_confirmed_link(world: World, cli: Cli) -> None:
    """The supplier only the unconfirmed link names: a stub, nothing to issue."""
    employer = key_file(cli, "employer", world.employer)
    done = cli.run("untp", "export", "--facility", SUPPLIER, "--out", "untp", "--api", world.api,
                   "--key", employer, check=False)  # fmt: skip
    assert done.returncode == 1
    reasons = {s["file"]: s["reason"] for s in json.loads(done.stdout)["skipped"]}
    assert reasons == {
        f"dfr-{SUPPLIER}.json": "the facility has no record of its own (it is known from "
        "audits or supply links): no DFR to issue",
        f"dte-{world.ids['unconfirmed']}.json": "the supply link is not confirmed by its "
        "supplier: no traceability event yet",
    }
    assert written(cli) == {}


def test_a_record_not_anchored_yet_is_skipped(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "pending").mkdir()
    with untp_world(tmp_path / "pending") as fresh:
        pending = fresh.ledger.submit(audit(fresh.auditor, auditType="surveillance")).record_id
        auditor = key_file(cli, "auditor", fresh.auditor)
        code, summary, _ = export(cli, fresh.api, "--key", auditor)
    assert code == 0, summary
    assert {"file": f"dcc-{pending}.json", "record": pending, "reason": "not anchored yet"} in (
        summary["skipped"]
    )
    assert list(written(cli)) == [f"dcc-{fresh.ids['audit']}.json"]
