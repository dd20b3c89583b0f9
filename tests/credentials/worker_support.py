"""Builders for worker-credential tests (ledger, API and CLI): real keys, real ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import nacl.pwhash

from credentials.commitment import DocumentSecret
from credentials.possession import checkin_payload
from credentials.wallet import Wallet
from credentials.worker import issue_worker_credential, registration_payload
from domain.workers import WorkerCredentials
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger

FAST_KDF = {
    "opslimit": nacl.pwhash.argon2id.OPSLIMIT_MIN,
    "memlimit": nacl.pwhash.argon2id.MEMLIMIT_MIN,
}
FACILITY = "fac-my-penang-pcb-03"
DEVICE_SALT = bytes(range(100, 132))  # the server cannot check it; any 32 bytes do
NUMBER = "PA7730419"


def chain_status(ledger: Ledger, status_id: str) -> str:
    """A credential's status on the CredentialStatus contract, once the worker has relayed
    every pending outbox row (as its background pass does within a second)."""
    report = ledger.anchorer.drain()
    assert report.error is None, report.error
    status, _, _ = ledger.credential_status.status_of(bytes.fromhex(status_id[2:]))
    return {0: "active", 1: "suspended", 2: "revoked"}[status]


def accredited(ledger: Ledger, role: Role) -> SigningKey:
    key = SigningKey.generate()
    ledger.accredit(key.did, role)
    return key


def issue(
    ledger: Ledger,
    issuer: SigningKey,
    worker: SigningKey,
    *,
    number: str = NUMBER,
    facility: str | None = FACILITY,
    register: bool = True,
    **options: Any,
) -> tuple[dict[str, Any], DocumentSecret]:
    """Issue a credential to ``worker`` (and register it on the ledger)."""
    document = DocumentSecret.create("passport", number, "NP")
    credential = issue_worker_credential(
        issuer,
        worker.did,
        document,
        status=WorkerCredentials(ledger).status_location(),
        facility=facility,
        nationality="NP",
        **options,
    )
    if register:
        WorkerCredentials(ledger).register(
            sign_envelope("credential", registration_payload(credential), issuer).to_dict()
        )
    return credential, document


def wallet_for(
    ledger: Ledger,
    issuer: SigningKey,
    investigator: SigningKey | None = None,
    *,
    duress: bool = False,
    **options: Any,
) -> Wallet:
    """A worker's opened wallet holding a registered credential."""
    worker = SigningKey.generate()
    credential, document = issue(ledger, issuer, worker, **options)
    wallet = Wallet(worker, _duress=duress)
    return wallet.with_credential(
        credential, document, investigator.did if investigator is not None else None
    )


def checkin_envelope(
    verifier: SigningKey,
    presentation: dict[str, Any],
    *,
    matches: bool = True,
    on_site: bool = False,
    location: str = "MY-07",
    device: str = "inspector-tablet-1",
    presenting_device: str | None = None,
    created: datetime | None = None,
    **changes: Any,
) -> dict[str, Any]:
    payload = checkin_payload(
        presentation,
        document_matches=matches,
        on_site=on_site,
        location=location,
        verifier_device=device,
        device_salt=DEVICE_SALT,
        presenting_device=presenting_device,
    )
    payload.update(changes)
    return sign_envelope("checkin", payload, verifier, created=created).to_dict()
