"""Check-ins over HTTP, as a verifier's app makes them: a server challenge, the worker's
presentation to it, the verifier's envelope beside it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from credentials.wallet import Wallet
from ledger.keys import SigningKey
from tests.credentials.worker_support import checkin_envelope


def challenge(client: TestClient) -> str:
    return str(client.get("/v1/presentations/challenge").json()["challenge"])


def check_in(client: TestClient, presentation: dict[str, Any], envelope: dict[str, Any]) -> Any:
    return client.post("/v1/checkins", json={"presentation": presentation, "envelope": envelope})


def checked_in(client: TestClient, wallet: Wallet, verifier: SigningKey) -> str:
    """A check-in of ``wallet``'s worker by ``verifier``, admitted; its record id."""
    presentation = wallet.present(challenge=challenge(client))
    made = check_in(client, presentation, checkin_envelope(verifier, presentation))
    assert made.status_code == 201, made.text
    return str(made.json()["id"])
