"""One facility's anchored records on a real ledger (embedded EVM, SQLite), served over HTTP
by the real API, for the UNTP export: its own facility record (employer key), two audits by
two auditors, a supply link from a brand that the facility confirmed, and one it has not
had confirmed yet."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from api.app import create_app, ledger_config
from api.settings import Settings
from domain import open_ledger
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.timeutil import format_time, utcnow
from tests.api.live import serving
from tests.conftest import REPO
from tests.domain.supply.builders import (
    BRAND,
    FACILITY,
    SUPPLIER,
    brand_of,
    confirmation,
    employer_of,
    facility_record,
    profile,
    supply_link,
)
from tests.ledger.helpers import audit_payload

OSH_ID = "MY2020123ABCDEF"
VERIFIER = REPO / "tools" / "independent-verifier" / "verify.mjs"


@dataclass
class World:
    api: str
    ledger: Ledger
    auditor: SigningKey
    other_auditor: SigningKey
    employer: SigningKey
    brand: SigningKey
    ids: dict[str, str] = field(default_factory=dict)

    def receipt(self, record_id: str) -> dict[str, Any]:
        response = httpx.get(f"{self.api}/v1/records/{record_id}/receipt", timeout=30)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def audit(key: SigningKey, **changes: Any) -> dict[str, Any]:
    facility = {"id": FACILITY, "oshId": OSH_ID, "name": "Penang PCB Assembly, Plant 3",
                "country": "MY"}  # fmt: skip
    return sign_envelope("audit", audit_payload(facility=facility, **changes), key).to_dict()


@contextmanager
def untp_world(folder: Path) -> Iterator[World]:
    settings = Settings(database_url=f"sqlite:///{folder / 'ledger.db'}", admin_token="t0ken-untp",
                        worker=False)  # fmt: skip
    ledger = open_ledger(ledger_config(settings))
    try:
        auditor, other = SigningKey.generate(), SigningKey.generate()
        for key in (auditor, other):
            ledger.accredit(key.did, Role.AUDITOR)
        brand = brand_of(ledger)
        employer = employer_of(ledger, FACILITY)
        ids: dict[str, str] = {}

        def submit(name: str, envelope: dict[str, Any]) -> str:
            ids[name] = ledger.submit(envelope).record_id
            return ids[name]

        submit("brand", facility_record(brand, profile(BRAND, oshId=None, name="Nordwear AB",
                                                       country="SE", sector="brand")))  # fmt: skip
        submit("facility", facility_record(employer, profile(FACILITY, oshId=OSH_ID)))
        submit("audit", audit(auditor))
        closed = [{**f, "status": "closed"} for f in audit_payload()["findings"]]
        submit("other_audit", audit(other, auditType="surveillance", findings=closed,
                                     correctiveActions=[]))  # fmt: skip
        plain = {"id": FACILITY, "name": "Penang PCB Assembly, Plant 3", "country": "MY"}
        submit(
            "plain_audit",
            sign_envelope(
                "audit",
                audit_payload(facility=plain, scheme={"name": "other", "version": "in-house 2"}),
                other,
            ).to_dict(),
        )
        link = submit("link", supply_link(brand, BRAND))
        submit("confirmation", confirmation(employer, link))
        submit("unconfirmed", supply_link(employer, FACILITY, SUPPLIER))
        report = ledger.anchorer.drain()
        assert report.error is None, report.error
        with serving(create_app(settings, ledger=ledger)) as api:
            yield World(api, ledger, auditor, other, employer, brand, ids)
    finally:
        ledger.close()


def verify_now() -> str:
    """A time every export is valid at: after the records were signed."""
    return format_time((utcnow() + timedelta(minutes=5)).replace(microsecond=0))


def run_verifier(documents: list[dict[str, Any]], *args: str) -> tuple[int, Any]:
    """Digital Bazaar's verifier (tools/independent-verifier/verify.mjs) on ``documents``."""
    node = shutil.which("node")
    assert node, "node is required for independent verification (see tools/setup.sh)"
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "input.json"
        path.write_text(json.dumps(documents), encoding="utf-8")
        done = subprocess.run([node, str(VERIFIER), "--now", verify_now(), *args, str(path)],
                              capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.stderr == "", done.stderr
    return done.returncode, json.loads(done.stdout)
