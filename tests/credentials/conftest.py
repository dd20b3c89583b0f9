"""Fixtures for credential tests: role keys, a worker credential, the W3C vectors."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.keys import SigningKey
from tests.credentials.vc_support import load_vectors, worker_credential


@pytest.fixture(scope="session")
def vectors() -> dict[str, Any]:
    return load_vectors()


@pytest.fixture(scope="session")
def vector_key(vectors: dict[str, Any]) -> SigningKey:
    return SigningKey.from_multibase(vectors["key_pair"]["privateKeyMultibase"])


@pytest.fixture
def issuer() -> SigningKey:
    """An NGO's credential-issuing key (fixed, so failures reproduce)."""
    return SigningKey(bytes(range(32)))


@pytest.fixture
def worker() -> SigningKey:
    return SigningKey(bytes(range(32, 64)))


@pytest.fixture
def credential(issuer: SigningKey, worker: SigningKey) -> dict[str, Any]:
    return worker_credential(issuer, worker)
