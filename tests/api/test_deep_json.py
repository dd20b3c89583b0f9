"""Deeply nested JSON is refused before it is parsed, on every path that takes JSON."""

from __future__ import annotations

import zlib

import base45
import pytest
from fastapi.testclient import TestClient

from credentials.qr import DICTIONARY_V1, PREFIX

DEEP = b"[" * 80_000 + b"]" * 80_000


def _bomb_qr(depth: int) -> str:
    compressor = zlib.compressobj(zdict=DICTIONARY_V1)
    packed = compressor.compress(b"[" * depth + b"]" * depth) + compressor.flush()
    return PREFIX + base45.b45encode(packed).decode()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/rpc", DEEP),
        ("/v1/attestations", DEEP),
        ("/v1/attestations:batch", b'{"envelopes":' + DEEP + b"}"),
        ("/v1/presentations/verify", b'{"presentation":' + DEEP + b"}"),
        ("/v1/checkins", b'{"envelope":{},"presentation":' + DEEP + b"}"),
    ],
)
def test_deep_body_is_malformed_json(client: TestClient, path: str, body: bytes) -> None:
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "malformed_json"
    assert client.get("/v1/health").status_code == 200


def test_small_qr_that_inflates_to_deep_json(client: TestClient) -> None:
    qr = _bomb_qr(30_000)
    assert len(qr) < 200
    for path, body in (
        ("/v1/presentations/verify", {"qr": qr}),
        ("/v1/checkins", {"qr": qr, "envelope": {}}),
    ):
        response = client.post(path, json=body)
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "malformed_json"
