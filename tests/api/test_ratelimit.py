"""Per-client rate limits on writes, /rpc and presentation challenges: 429 problem+json
with Retry-After, and a refused request stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import func, select

from api.app import create_app
from api.ratelimit import bucket_of, client_of
from api.settings import Settings
from domain.workers.models import PresentationChallengeRow
from ledger.keys import SigningKey
from ledger.service import Ledger
from ledger.store.db import session_scope
from tests.api.rows import row_counts
from tests.ledger.helpers import signed_audit


def challenges_stored(ledger: Ledger) -> int:
    with session_scope(ledger.engine) as session:
        return int(session.exec(select(func.count()).select_from(PresentationChallengeRow)).one())


@pytest.fixture
def limited(settings: Settings, ledger: Ledger) -> Iterator[TestClient]:
    tight = settings.model_copy(
        update={"rate_writes": "3/minute", "rate_rpc": "5/minute", "rate_challenges": "2/minute"}
    )
    with TestClient(create_app(tight, ledger=ledger)) as test_client:
        yield test_client


def assert_limited(response: Any) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 60


def test_a_challenge_flood_stores_at_most_the_limit(
    settings: Settings, ledger: Ledger, client: TestClient
) -> None:
    """The default limit: 500 unauthenticated calls used to store 500 challenges."""
    statuses = [client.get("/v1/presentations/challenge").status_code for _ in range(500)]
    served = statuses.count(200)
    assert served == 120 and statuses.count(429) == 380
    assert challenges_stored(ledger) == served
    assert_limited(client.get("/v1/presentations/challenge"))
    assert client.get("/v1/health").status_code == 200  # reads are not limited


def test_writes_over_the_limit_change_nothing(
    limited: TestClient, ledger: Ledger, auditor: SigningKey
) -> None:
    for _ in range(3):  # refused writes count too: they cost the server as much
        assert limited.post("/v1/attestations", json={"kind": "audit"}).status_code == 422
    before = row_counts(ledger)
    envelope = signed_audit(auditor).to_dict()
    assert_limited(limited.post("/v1/attestations", json=envelope))
    assert_limited(limited.post("/v1/attestations:batch", json={"envelopes": [envelope]}))
    assert_limited(limited.delete(f"/v1/admin/signers/{auditor.did}"))
    assert row_counts(ledger) == before
    assert limited.get("/v1/health").status_code == 200


def test_rpc_counts_calls_not_requests(limited: TestClient) -> None:
    one = {"jsonrpc": "2.0", "method": "eth_blockNumber", "params": []}
    assert len(limited.post("/rpc", json=[{**one, "id": i} for i in range(4)]).json()) == 4
    assert "result" in limited.post("/rpc", json={**one, "id": 5}).json()
    assert_limited(limited.post("/rpc", json={**one, "id": 6}))


def test_a_batch_over_what_is_left_is_refused(limited: TestClient) -> None:
    """Every request costs one call at the door; a refused batch costs only that one."""
    one = {"jsonrpc": "2.0", "method": "eth_blockNumber", "params": []}
    assert "result" in limited.post("/rpc", json={**one, "id": 1}).json()
    assert_limited(limited.post("/rpc", json=[{**one, "id": i} for i in range(5)]))
    assert len(limited.post("/rpc", json=[{**one, "id": i} for i in range(3)]).json()) == 3
    assert_limited(limited.post("/rpc", json={**one, "id": 9}))


def test_limits_are_per_client(settings: Settings, ledger: Ledger) -> None:
    tight = settings.model_copy(update={"rate_challenges": "2/minute"})
    app = create_app(tight, ledger=ledger)
    with TestClient(app, client=("192.0.2.1", 4000)) as first:
        for _ in range(2):
            assert first.get("/v1/presentations/challenge").status_code == 200
        assert_limited(first.get("/v1/presentations/challenge"))
    with TestClient(app, client=("192.0.2.2", 4000)) as second:
        assert second.get("/v1/presentations/challenge").status_code == 200
    with TestClient(app, client=("::ffff:192.0.2.1", 4001)) as same_as_first:
        assert_limited(same_as_first.get("/v1/presentations/challenge"))
    assert challenges_stored(ledger) == 3


def test_an_empty_rate_means_no_limit(settings: Settings, ledger: Ledger) -> None:
    open_app = create_app(settings.model_copy(update={"rate_challenges": ""}), ledger=ledger)
    with TestClient(open_app) as test_client:
        for _ in range(150):
            assert test_client.get("/v1/presentations/challenge").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "bucket"),
    [
        ("POST", "/v1/attestations", "writes"),
        ("PUT", "/v1/anything", "writes"),
        ("DELETE", "/v1/admin/signers/did:key:z6Mk", "writes"),
        ("POST", "/rpc", "rpc"),
        ("GET", "/v1/presentations/challenge", "challenges"),
        ("GET", "/v1/health", None),
        ("GET", "/v1/facilities/x/audits", None),
        ("POST", "/", None),
    ],
)
def test_buckets(method: str, path: str, bucket: str | None) -> None:
    assert bucket_of(method, path) == bucket


@pytest.mark.parametrize(
    ("peer", "client"),
    [
        (("203.0.113.9", 1), "203.0.113.9"),
        (("::ffff:203.0.113.9", 1), "203.0.113.9"),
        (("2001:db8:1:2:3:4:5:6", 1), "2001:db8:1:2::/64"),
        (("2001:db8:1:2:ffff::1", 1), "2001:db8:1:2::/64"),
        (None, "unknown"),
        (("testclient", 1), "testclient"),
    ],
)
def test_client_identity(peer: tuple[str, int] | None, client: str) -> None:
    assert client_of({"type": "http", "client": peer}) == client


def test_a_bad_rate_string_is_refused_at_startup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_RATE_WRITES", "lots")
    with pytest.raises(ValidationError, match="rate_writes"):
        Settings()
