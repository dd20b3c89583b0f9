"""prometheus_client's multiprocess mode, as ``ledger serve --workers N`` will need it: with
PROMETHEUS_MULTIPROC_DIR set, a scrape answered by one process counts another's requests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# One process: serve `requests` requests to /v1/health/live, then scrape and print /metrics.
SCRIPT = """
import sys
from fastapi.testclient import TestClient
from api.app import create_app
from api.settings import Settings
settings = Settings(database_url=sys.argv[1], worker=False)
with TestClient(create_app(settings)) as client:
    for _ in range(int(sys.argv[2])):
        assert client.get("/v1/health/live").status_code == 200
    print(client.get("/metrics").text)
"""


def run(database: str, requests: int, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-P", "-c", SCRIPT, database, str(requests)],
                          env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def live_count(exposition: str) -> float:
    prefix = 'ledger_http_requests_total{method="GET",route="/v1/health/live",status="200"} '
    (line,) = [line for line in exposition.splitlines() if line.startswith(prefix)]
    return float(line.removeprefix(prefix))


def test_a_scrape_merges_every_process(tmp_path: Path) -> None:
    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
           "PROMETHEUS_MULTIPROC_DIR": str(shared)}  # fmt: skip
    # Each process has an embedded EVM of its own, hence a database of its own.
    run(f"sqlite:///{tmp_path / 'first.db'}", 3, env)  # serves 3 requests and exits
    second = run(f"sqlite:///{tmp_path / 'second.db'}", 2, env)  # serves 2, answers the scrape
    assert live_count(second) == 5
    assert "ledger_backlog_records" in second  # the database gauges are there too, once
    assert second.count("# TYPE ledger_backlog_records gauge") == 1
