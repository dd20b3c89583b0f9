"""/metrics after real requests: every family is there, labelled by route template (never a
raw path or an id), admissions by outcome code, the backlog and lease read from the database,
time to anchor once a batch is anchored, and chain errors when the chain is down."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from api.app import create_app, ledger_config
from api.settings import Settings
from domain import open_ledger
from ledger.anchoring import AnchoringPolicy
from ledger.chain.anvil import Anvil, free_port
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger, LedgerConfig
from tests.api.test_admission import bad_signature
from tests.cli.conftest import LEDGER
from tests.ledger.helpers import signed_audit
from tests.tools.tcp_proxy import TcpProxy

Samples = dict[str, list[tuple[dict[str, str], float]]]


def scrape(client: TestClient, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    found = [v for lbl, v in samples.get(name, []) if labels.items() <= lbl.items()]
    assert found, f"no {name}{labels} in {sorted(samples)}"
    return sum(found)


def test_requests_admissions_backlog_lease_and_time_to_anchor(
    client: TestClient, ledger: Ledger, auditor: SigningKey
) -> None:
    good = signed_audit(auditor).to_dict()
    accepted = client.post("/v1/attestations", json=good)
    assert accepted.status_code == 201, accepted.text
    refused = client.post("/v1/attestations", json=bad_signature(signed_audit(auditor).to_dict()))
    assert refused.status_code == 401 and refused.json()["code"] == "bad_signature"
    record_id = accepted.json()["id"]
    assert client.get(f"/v1/records/{record_id}").status_code == 200
    assert client.get(f"/v1/records/0x{'ab' * 32}").status_code == 404
    assert client.get("/no/such/did:key:z6MkPath").status_code == 404

    before = scrape(client)
    # Requests by route template and status; the ids and the unmatched path are no label.
    assert value(before, "ledger_http_requests_total", route="/v1/attestations", status="201") == 1
    assert value(before, "ledger_http_requests_total", route="/v1/attestations", status="401") == 1
    route = "/v1/records/{record_id}"
    assert value(before, "ledger_http_requests_total", route=route, status="200") == 1
    assert value(before, "ledger_http_requests_total", route=route, status="404") == 1
    assert value(before, "ledger_http_requests_total", route="unmatched", status="404") == 1
    routes = {lbl["route"] for lbl, _ in before["ledger_http_requests_total"]}
    assert not any(record_id in r or "did:" in r or r.startswith("/no") for r in routes), routes
    assert value(before, "ledger_http_request_duration_seconds_count", route=route) == 2
    # Admissions by outcome code (the problem's code), and by kind.
    assert value(before, "ledger_admissions_total", kind="audit", outcome="accepted") == 1
    assert value(before, "ledger_admissions_total", kind="audit", outcome="bad_signature") == 1
    # The backlog, read from the database: one pending record, nothing anchored yet.
    assert value(before, "ledger_database_up") == 1
    assert value(before, "ledger_backlog_records", state="pending") == 1
    assert value(before, "ledger_backlog_oldest_pending_seconds") >= 0
    assert value(before, "ledger_time_to_anchor_seconds_count") == 0
    assert value(before, "ledger_anchoring_lease_held") == 0

    time.sleep(1.1)  # so that the record has a measurable age
    assert value(scrape(client), "ledger_backlog_oldest_pending_seconds") >= 1
    report = ledger.anchorer.drain()
    assert report.anchored and report.error is None

    after = scrape(client)
    assert value(after, "ledger_backlog_records", state="pending") == 0
    assert value(after, "ledger_backlog_oldest_pending_seconds") == 0
    assert value(after, "ledger_time_to_anchor_seconds_count") == 1
    assert value(after, "ledger_time_to_anchor_seconds_sum") > 0
    assert value(after, "ledger_anchoring_lease_holder", holder=ledger.anchorer.holder) == 1
    assert value(after, "ledger_anchoring_lease_held") == 1
    assert value(after, "ledger_anchoring_lease_expires_in_seconds") > 0
    # Scrapes count themselves, under their own route.
    assert value(after, "ledger_http_requests_total", route="/metrics", status="200") >= 2


@pytest.mark.postgres
def test_metrics_answer_when_the_database_is_down(
    postgres_url: str, postgres_admin_url: str
) -> None:
    """A real outage (the database is dropped under the server): the scrape still answers
    and says the database is down."""
    settings = Settings(database_url=postgres_url, worker=False)
    ledger = open_ledger(ledger_config(settings))
    try:
        with TestClient(create_app(settings, ledger=ledger)) as client:
            assert value(scrape(client), "ledger_database_up") == 1
            name = postgres_url.rsplit("/", 1)[1]
            with psycopg.connect(postgres_admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            samples = scrape(client)
            assert value(samples, "ledger_database_up") == 0
            assert "ledger_backlog_records" not in samples
    finally:
        ledger.close()


def test_the_token_guards_metrics_when_set(settings: Settings, ledger: Ledger) -> None:
    guarded = settings.model_copy(update={"metrics_token": SecretStr("scrape-token-8f2c")})
    with TestClient(create_app(guarded, ledger=ledger)) as client:
        refused = client.get("/metrics")
        assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert "ledger_database_up" in scrape(client, Authorization="Bearer scrape-token-8f2c")


def test_metrics_can_be_switched_off(settings: Settings, ledger: Ledger) -> None:
    off = settings.model_copy(update={"metrics_enabled": False})
    with TestClient(create_app(off, ledger=ledger)) as client:
        assert client.get("/metrics").status_code == 404


def test_metrics_stay_out_of_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/metrics" not in paths
    assert {"/v1/health/live", "/v1/health/ready"} <= set(paths)


@pytest.fixture
def chain_behind_proxy() -> Iterator[TcpProxy]:
    with Anvil() as node:
        proxy = TcpProxy(node.port).start()
        yield proxy
        proxy.cut()


@pytest.mark.slow
@pytest.mark.anvil
def test_chain_errors_are_counted_by_operation(
    chain_behind_proxy: TcpProxy, settings: Settings, database_url: str
) -> None:
    proxy = chain_behind_proxy
    policy = AnchoringPolicy(max_batch=100, backoff_base=timedelta(seconds=2))
    ledger = open_ledger(LedgerConfig(database_url=database_url, rpc_url=proxy.url, policy=policy))
    ledger.client.w3.provider.request_kwargs = {"timeout": 2}  # type: ignore[attr-defined]
    try:
        with TestClient(create_app(settings, ledger=ledger)) as client:
            auditor = SigningKey.generate()
            ledger.accredit(auditor.did, Role.AUDITOR)
            submitted = client.post("/v1/attestations", json=signed_audit(auditor).to_dict())
            assert submitted.status_code == 201
            proxy.cut()
            assert ledger.anchorer.run_once(force=True).error is not None
            ledger.follow_registry()
            samples = scrape(client)
            assert value(samples, "ledger_chain_errors_total", operation="anchor",
                         code="chain_unavailable") == 1  # fmt: skip
            assert value(samples, "ledger_chain_errors_total", operation="registry_sync") == 1
            assert value(samples, "ledger_backlog_records", state="batched") == 1
            assert value(samples, "ledger_backlog_batches", state="batched") == 1
    finally:
        ledger.close()


@pytest.mark.slow
@pytest.mark.anvil
def test_ledger_worker_serves_its_anchoring_metrics(tmp_path: Path) -> None:
    """``ledger worker --metrics-port``: where anchoring runs without the API, its time to
    anchor is still scraped, from the process that observed it; and it logs JSON too."""
    with Anvil() as node:
        url = f"sqlite:///{tmp_path / 'ledger.db'}"
        ledger = open_ledger(LedgerConfig(database_url=url, rpc_url=node.url))
        auditor = SigningKey.generate()
        ledger.accredit(auditor.did, Role.AUDITOR)
        ledger.submit(signed_audit(auditor).to_dict())
        ledger.close()
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
               "LEDGER_BATCH_MAX_WAIT_SECONDS": "0.2", "LEDGER_LOG_FORMAT": "json"}  # fmt: skip
        log = tmp_path / "worker.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [*LEDGER, "worker", "--db", url, "--rpc", node.url, "--interval", "0.1",
                 "--metrics-port", str(port)],
                env=env, stdout=sink, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
                except httpx.HTTPError:
                    text = ""
                if "ledger_time_to_anchor_seconds_count 1.0" in text:
                    break
                assert time.monotonic() < deadline, text
                time.sleep(0.2)
            assert "ledger_anchoring_lease_held 1.0" in text
            assert 'ledger_backlog_records{state="pending"} 0.0' in text
        finally:
            process.terminate()
            process.wait(timeout=30)
    # Its log lines are JSON too (LEDGER_LOG_FORMAT), outside any request.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any("anchored in block" in line["message"] for line in lines)
    assert all(line["request_id"] is None for line in lines)
