"""Against UNTP's own artefacts (uncefact/spec-untp, tag v0.6.1,
``data-models/untp-dcc/artefacts/``): our test DCCs validate against the DCC JSON Schema, and
the spec's sample instance, made about our facility and signed, is accepted.

Those files cannot be committed here (they are UN/CEFACT's, and nothing fetched is), so
this runs only when ``LEDGER_UNTP_DCC_DIR`` names a local directory holding
``untp-dcc-schema.json`` and ``untp-dcc-instance.json`` from that tag; it skips otherwise.
The schema check needs node and the ``ajv`` package that ``npm ci`` installs (a dependency
of our dev tools), with format checks off (``ajv-formats`` is not installed).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from domain.audits.external import verify_external_conformity
from ledger.keys import SigningKey
from ledger.timeutil import utcnow
from tests.domain.audits.dcc_builders import OSH, dcc, sign, status_entry

ROOT = Path(__file__).resolve().parents[3]
FACILITY = "fac-my-penang-pcb-03"
_DIR = os.environ.get("LEDGER_UNTP_DCC_DIR")

pytestmark = pytest.mark.skipif(
    not _DIR,
    reason="LEDGER_UNTP_DCC_DIR is not set: UNTP's DCC schema and sample (spec-untp v0.6.1) "
    "are not in this repository and are never fetched by tests",
)

_VALIDATE = """
const Ajv = require("ajv/dist/2020");
const fs = require("fs");
const schema = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const data = JSON.parse(fs.readFileSync(0, "utf8"));
const ajv = new Ajv({strict: false, validateFormats: false, allErrors: true});
const ok = ajv.validate(schema, data);
process.stdout.write(JSON.stringify(ok ? [] : ajv.errors));
"""


def _schema_errors(document: dict[str, Any]) -> list[Any]:
    if shutil.which("node") is None or not (ROOT / "node_modules" / "ajv").is_dir():
        pytest.skip("node and node_modules/ajv (npm ci) are needed for the schema check")
    done = subprocess.run(
        ["node", "-e", _VALIDATE, str(Path(str(_DIR)) / "untp-dcc-schema.json")],
        input=json.dumps(document).encode(), capture_output=True, cwd=ROOT, timeout=60,
        check=True,
    )  # fmt: skip
    errors: list[Any] = json.loads(done.stdout)
    return errors


def test_our_test_dccs_follow_the_untp_schema() -> None:
    certifier = SigningKey.generate()
    for credential in (dcc(certifier), dcc(certifier, status=status_entry(3))):
        assert _schema_errors(sign(credential, certifier)) == []


def test_the_spec_sample_about_our_facility_is_accepted() -> None:
    sample = json.loads((Path(str(_DIR)) / "untp-dcc-instance.json").read_text())
    certifier = SigningKey.generate()
    credential = copy.deepcopy(sample)
    credential["issuer"]["id"] = certifier.did
    now = utcnow().replace(microsecond=0)
    credential["validFrom"] = "2024-03-15T12:00:00Z"
    first = credential["credentialSubject"]["assessment"][0]
    first["conformityTopic"] = "social.labour"
    first["assessedFacility"][0]["facility"]["registeredId"] = OSH
    assert _schema_errors(credential) == []
    verified = verify_external_conformity(
        sign(credential, certifier), [], facility_ids=[FACILITY], osh_id=OSH, now=now
    )
    assert (verified.issuer, verified.assessor_level) == (certifier.did, "3rdParty")
    assert [a.topic for a in verified.assessments] == ["social.labour"]
    assert verified.credential_id == sample["id"]
