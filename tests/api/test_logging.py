"""Log lines: JSON when asked, each carrying the id of the request it was logged under
(also in the response header and the problem body), and never a secret or a did, whether
the request carried one in its Authorization header, its path or its body."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.logs import JsonFormatter, RequestIdFilter, TextFormatter
from api.request_id import request_id_var
from ledger.chain.anvil import free_port
from ledger.keys import SigningKey
from tests.api.conftest import ADMIN_TOKEN
from tests.cli.conftest import LEDGER


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the root logger writes, as ``ledger serve --log-format json`` would write it."""
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(JsonFormatter())  # no secrets named: nothing is masked literally
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield sink
    root.removeHandler(handler)
    root.setLevel(level)


def parsed(sink: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in sink.getvalue().splitlines() if line.strip()]


def test_request_ids_are_echoed_and_logged(client: TestClient, log_lines: io.StringIO) -> None:
    worker = SigningKey.generate()
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    accredit = client.post(
        "/v1/admin/signers",
        json={"did": worker.did, "role": "issuer"},
        headers={**admin, "X-Request-ID": "deploy-42.a_b"},
    )
    assert accredit.status_code == 201, accredit.text
    assert accredit.headers["X-Request-ID"] == "deploy-42.a_b"
    refused = client.post("/v1/attestations", json={"kind": "audit", "worker": worker.did},
                          headers={"X-Request-ID": "x" * 65})  # fmt: skip
    assert refused.status_code == 422
    generated = refused.headers["X-Request-ID"]
    assert generated != "x" * 65 and len(generated) == 32  # too long: replaced, not echoed
    assert refused.json()["requestId"] == generated
    revoke = client.delete(f"/v1/admin/signers/{worker.did}", headers=admin)
    assert revoke.status_code == 200, revoke.text
    unsafe = client.get("/v1/health/live", headers={"X-Request-ID": "a\tb"})
    assert unsafe.headers["X-Request-ID"] != "a\tb"

    lines = parsed(log_lines)
    assert lines and all(
        {"time", "level", "logger", "message", "request_id"} <= set(line) for line in lines
    )
    by_id: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_id.setdefault(str(line["request_id"]), []).append(line)
    # The accreditation logs from the route's worker thread (the registry mirror) and from the
    # middleware (the access line), both under the client's id.
    loggers = {line["logger"] for line in by_id["deploy-42.a_b"]}
    assert {"api.access", "ledger.registry_mirror"} <= loggers, by_id["deploy-42.a_b"]
    access = [line for line in lines if line["logger"] == "api.access"]
    assert {(a["method"], a["route"], a["status"]) for a in access} >= {
        ("POST", "/v1/admin/signers", 201),
        ("POST", "/v1/attestations", 422),
        ("DELETE", "/v1/admin/signers/{did}", 200),
    }
    assert generated in by_id and all(a["request_id"] for a in access)
    text = log_lines.getvalue()
    assert ADMIN_TOKEN not in text and "Bearer" not in text
    assert worker.did not in text and worker.did.removeprefix("did:key:") not in text


def test_an_unhandled_error_is_logged_under_its_request_id(
    client: TestClient, log_lines: io.StringIO
) -> None:
    def explode() -> None:
        raise RuntimeError("boom")

    client.app.add_api_route("/v1/explode/{did}", explode)  # type: ignore[attr-defined]
    failed = TestClient(client.app, raise_server_exceptions=False).get(
        f"/v1/explode/{SigningKey.generate().did}", headers={"X-Request-ID": "req-500"}
    )
    assert failed.status_code == 500
    assert failed.headers["X-Request-ID"] == "req-500"
    assert failed.json()["requestId"] == "req-500"
    (error,) = [line for line in parsed(log_lines) if line["level"] == "ERROR"]
    assert error["request_id"] == "req-500" and "RuntimeError: boom" in error["exception"]
    assert "/v1/explode/{did}" in error["message"] and "did:key:" not in error["message"]


def test_the_formatters_mask_secrets_dids_and_credentials() -> None:
    worker = SigningKey.generate()
    encoded = worker.did.replace(":", "%3A")  # as it appears in a request's path
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "%s (%s) sent %s with %s",
                               (worker.did, encoded, "Bearer abcdefgh12345678", "sekrit-token-77"),
                               None)  # fmt: skip
    token = request_id_var.set("rid-1")
    try:
        line = json.loads(JsonFormatter(["sekrit-token-77"]).format(record))
        text = TextFormatter(["sekrit-token-77"]).format(record)
    finally:
        request_id_var.reset(token)
    for out in (line["message"], text):
        assert worker.did.removeprefix("did:key:") not in out and "abcdefgh12345678" not in out
        assert "sekrit-token-77" not in out and "[redacted]" in out
    assert line["request_id"] == "rid-1" and "[rid-1]" in text


@pytest.mark.slow
def test_ledger_serve_writes_json_lines_without_secrets(tmp_path: Path) -> None:
    """The real server, as deployed: LEDGER_LOG_FORMAT=json, uvicorn's own lines included."""
    token = "serve-admin-token-5d1e"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
           "LEDGER_LOG_FORMAT": "json", "LEDGER_ADMIN_TOKEN": token}  # fmt: skip
    for name in ("LEDGER_RPC_URL", "DATABASE_URL", "LEDGER_FAILPOINTS"):
        env.pop(name, None)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    stderr = tmp_path / "stderr.log"
    with stderr.open("wb") as sink:
        process = subprocess.Popen([*LEDGER, "serve", "--port", str(port)], env=env, cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=sink)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, stderr.read_text()
            try:
                if httpx.get(f"{url}/v1/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, stderr.read_text()
            time.sleep(0.2)
        worker = SigningKey.generate()
        admin = {"Authorization": f"Bearer {token}", "X-Request-ID": "serve-1"}
        accredit = httpx.post(f"{url}/v1/admin/signers", json={"did": worker.did, "role": "issuer"},
                              headers=admin, timeout=60)  # fmt: skip
        assert accredit.status_code == 201, accredit.text
        revoke = httpx.delete(f"{url}/v1/admin/signers/{worker.did}", headers=admin, timeout=60)
        assert revoke.status_code == 200, revoke.text
        wrong = httpx.get(f"{url}/v1/admin/signers", headers={"Authorization": f"Bearer {token}x"})
        assert wrong.status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=30)
    text = stderr.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # all of them JSON
    assert any(line["logger"].startswith("uvicorn") for line in lines)
    served = [line for line in lines if line["request_id"] == "serve-1"]
    assert {line.get("route") for line in served} >= {
        "/v1/admin/signers",
        "/v1/admin/signers/{did}",
    }
    # httpx sends the path's did percent-encoded: its key must not appear in any form.
    assert token not in text and worker.did.removeprefix("did:key:") not in text
    # ... and not because masking caught them: nothing even tried to log one (masking is
    # the second line of defence, e.g. against uvicorn's access log printing raw paths).
    assert "[redacted]" not in text
