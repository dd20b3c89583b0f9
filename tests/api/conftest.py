"""The API over a real ledger (embedded EVM) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app, ledger_config
from api.settings import Settings
from domain import open_ledger
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.signed_request import request_authorization
from tests.credentials.worker_support import accredited

ADMIN_TOKEN = "test-admin-token-3f9a"


@pytest.fixture
def admin_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def settings(database_url: str, admin_key: SigningKey) -> Settings:
    return Settings(
        database_url=database_url, admin_token=ADMIN_TOKEN, admin_dids=[admin_key.did],
        worker=False, max_body_bytes=200_000,
    )  # fmt: skip


@pytest.fixture
def ledger(settings: Settings) -> Iterator[Ledger]:
    opened = open_ledger(ledger_config(settings))
    yield opened
    opened.close()


@pytest.fixture
def client(settings: Settings, ledger: Ledger) -> Iterator[TestClient]:
    with TestClient(create_app(settings, ledger=ledger)) as test_client:
        yield test_client


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def auditor(ledger: Ledger) -> SigningKey:
    key = SigningKey.generate()
    ledger.accredit(key.did, Role.AUDITOR)
    return key


@pytest.fixture
def ngo(ledger: Ledger) -> SigningKey:
    """An accredited credential issuer."""
    return accredited(ledger, Role.ISSUER)


@pytest.fixture
def inspector(ledger: Ledger) -> SigningKey:
    """An accredited verifier (labour inspector)."""
    return accredited(ledger, Role.VERIFIER)


@pytest.fixture
def investigator(ledger: Ledger) -> SigningKey:
    return accredited(ledger, Role.INVESTIGATOR)


def signed_header(
    client: TestClient, key: SigningKey, method: str, target: str, body: bytes = b""
) -> dict[str, str]:
    """``Authorization`` for one signed request to the deployment ``client`` serves."""
    audience = client.get("/v1/health").json()["chain"]["audience"]
    return {"Authorization": request_authorization(key, method, target, body, audience=audience)}
