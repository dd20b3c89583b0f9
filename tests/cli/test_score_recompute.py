"""``ledger receipts export`` + ``ledger score recompute`` against the demo (``ledger serve
--demo``): the score recomputed from receipts alone, checked against a pinned contract over
RPC, equals the API's; a tampered, missing or swapped receipt is named and the score is not
reproduced; parties-only receipts without a reader's key are withheld, by name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import Cli

pytestmark = pytest.mark.slow

# Gazipur's score rests on public records alone: its supply links, its suppliers'
# confirmations and audits (it has no audit, payroll or credentialed workers of its own).
PUBLIC = "fac-bd-gazipur-fabric-06"


def _pin(server: str) -> list[str]:
    """Pin the contract and the RPC explicitly: the recompute asks nothing of the API."""
    health = httpx.get(f"{server}/v1/health").json()
    anchor = health["chain"]["contracts"]["ProvenanceAnchor"]
    return ["--rpc", f"{server}/rpc", "--contract", anchor]


def _recompute(cli: Cli, server: str, out: Path, facility: str) -> tuple[int, dict]:
    ran = cli.run("score", "recompute", "--receipts", str(out), "--facility", facility,
                  *_pin(server), check=False)  # fmt: skip
    report = json.loads(ran.stdout)
    report["stderr"] = ran.stderr
    return ran.returncode, report


def test_a_score_recomputed_from_its_receipts_equals_the_apis(
    cli: Cli, server: str, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    exported = cli.run("receipts", "export", "--facility", PUBLIC, "--out", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["withheld"] == [] and manifest["pending"] == []
    assert len(manifest["records"]) >= 6, "links, confirmations and the suppliers' audits"
    assert f"{len(manifest['records'])} of {len(manifest['records'])} receipts" in exported.stdout
    api = httpx.get(f"{server}/v1/facilities/{PUBLIC}/score").json()
    assert manifest["score"]["score"] == api["score"]

    code, report = _recompute(cli, server, out, PUBLIC)
    assert code == 0, report
    assert report["reproduced"] and report["receipts"]["bad"] == [] and report["differences"] == []
    assert report["receipts"]["verified"] == len(manifest["records"])
    # The interface: the recomputed score as JSON of GET .../score's shape, equal to it.
    assert {k: report[k] for k in ("score", "formula_version", "components")} == {
        k: api[k] for k in ("score", "formula_version", "components")
    }
    assert "score reproduced" in report["stderr"]

    # Each kind of damage is named, and the score is then not reproduced.
    records = manifest["records"]
    tampered, missing, swapped = records[0], records[1], records[2]
    damaged = tmp_path / "damaged"
    shutil.copytree(out, damaged)
    path = damaged / "receipts" / f"{tampered}.json"
    receipt = json.loads(path.read_text())
    receipt["envelope"]["created"] = "2020-01-01T00:00:00Z"
    path.write_text(json.dumps(receipt))
    (damaged / "receipts" / f"{missing}.json").unlink()
    shutil.copy(out / "receipts" / f"{records[3]}.json", damaged / "receipts" / f"{swapped}.json")
    code, report = _recompute(cli, server, damaged, PUBLIC)
    assert code == 1 and not report["reproduced"]
    named = {b["record"]: b["problem"] for b in report["receipts"]["bad"]}
    assert named == {tampered: "invalid", missing: "missing", swapped: "other-record"}
    assert report["differences"], "the components those receipts back are not reproduced"
    for record in (tampered, missing, swapped):
        assert record in report["stderr"]

    # An export of another facility is refused as such.
    refused = cli.run("score", "recompute", "--receipts", str(out), "--facility",
                      "fac-bd-dhaka-knit-01", *_pin(server), check=False)  # fmt: skip
    assert refused.returncode == 2 and "the export is of" in refused.stderr


def test_parties_only_receipts_are_withheld_without_a_readers_key(
    cli: Cli, server: str, tmp_path: Path
) -> None:
    """Dhaka's payroll lines, acknowledgements, credentials and check-ins are readable by
    their parties only: exported without a key, they are listed as withheld, the public
    components still reproduce and the rest are reported as not reproduced."""
    out = tmp_path / "dhaka"
    exported = cli.run("receipts", "export", "--facility", "fac-bd-dhaka-knit-01",
                       "--out", str(out), check=False)  # fmt: skip
    assert exported.returncode == 1
    manifest = json.loads((out / "manifest.json").read_text())
    withheld = {w["record"] for w in manifest["withheld"]}
    assert withheld and {w["reason"] for w in manifest["withheld"]} == {"unauthorized"}
    for record in withheld:
        assert f"withheld {record}" in exported.stderr
        assert not (out / "receipts" / f"{record}.json").exists()
    code, report = _recompute(cli, server, out, "fac-bd-dhaka-knit-01")
    assert code == 1
    assert {b["record"] for b in report["receipts"]["bad"]} == withheld
    differing = {d["component"] for d in report["differences"]}
    assert "audit" not in differing and "traceability" not in differing
    assert {"wages", "worker_voice"} <= differing
