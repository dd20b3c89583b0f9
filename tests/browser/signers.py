"""Keys for the signing pages' browser tests (audits, payroll, investigations): made in the
test, saved as the CLI saves them (cheap Argon2id limits), accredited and scoped through the
demo server's admin API (conftest's ``admin`` fixture)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import nacl.pwhash

from ledger.keyfile import save_key_file
from ledger.keys import SigningKey

PASSPHRASE = "correct horse battery staple"


@dataclass
class Admin:
    """The demo server's admin API."""

    url: str
    token: str

    def post(self, path: str, body: dict[str, object] | None = None) -> httpx.Response:
        response = httpx.post(self.url + path, json=body, timeout=60,
                              headers={"Authorization": f"Bearer {self.token}"})  # fmt: skip
        assert response.status_code in (200, 201), response.text
        return response

    def accredit(self, key: SigningKey, role: str, facility: str | None = None) -> None:
        """Accredit ``key`` as ``role`` (and scope it to ``facility``), then wait until the
        embedded chain's clock has passed the grant, so a record signed now is inside it."""
        granted = self.post("/v1/admin/signers", {"did": key.did, "role": role}).json()
        since = granted[0].get("validFrom")
        if facility is not None:
            scope = self.post(f"/v1/admin/signers/{key.did}/scopes",
                              {"role": role, "facility": facility}).json()  # fmt: skip
            since = scope["scope"]["grantedAt"]
        if since:
            wait = (datetime.fromisoformat(since) - datetime.now().astimezone()).total_seconds()
            time.sleep(max(0.0, min(wait + 0.2, 30.0)))

    def anchor(self) -> None:
        self.post("/v1/admin/anchor")


def key_file(directory: Path, name: str, key: SigningKey) -> Path:
    """``key`` saved as ``ledger keys new`` saves it, under ``PASSPHRASE``."""
    path = directory / f"{name}.key"
    save_key_file(path, key, PASSPHRASE, opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
                  memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN)  # fmt: skip
    return path
