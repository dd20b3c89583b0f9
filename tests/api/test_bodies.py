"""Request bodies: UTF-8 JSON only (415 otherwise), parsed off the event loop, and a batch
limit sized to what 1,000 real envelopes need."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

import api.deps
from api.app import create_app
from api.settings import Settings
from ledger.canonical import parse_json
from ledger.keys import SigningKey
from ledger.service import Ledger
from tests.api.live import serving
from tests.api.rows import row_counts
from tests.ledger.helpers import signed_audit


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "",
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
        "application/json; charset=utf-16",
        'application/json; charset="iso-8859-1"',
    ],
)
@pytest.mark.parametrize(
    "path", ["/v1/attestations", "/v1/attestations:batch", "/v1/presentations/verify", "/rpc"]
)
def test_only_utf8_json_is_taken(
    client: TestClient, ledger: Ledger, auditor: SigningKey, path: str, content_type: str | None
) -> None:
    envelope = signed_audit(auditor).to_dict()
    body = {"envelopes": [envelope]} if path.endswith(":batch") else envelope
    headers = {} if content_type is None else {"content-type": content_type}
    before = row_counts(ledger)
    response = client.post(path, content=json.dumps(body).encode(), headers=headers)
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "unsupported_media_type"
    assert row_counts(ledger) == before


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
        'application/json; charset="utf-8"',
        "application/vnd.ledger+json",
    ],
)
def test_utf8_json_is_accepted(client: TestClient, auditor: SigningKey, content_type: str) -> None:
    body = json.dumps(signed_audit(auditor).to_dict()).encode()
    response = client.post("/v1/attestations", content=body, headers={"content-type": content_type})
    assert response.status_code == 201, response.text


def test_a_thousand_real_envelopes_fit_the_batch_limit(
    database_url: str, ledger: Ledger, auditor: SigningKey
) -> None:
    """The default limit (not the fixture's) takes the largest batch the endpoint accepts,
    with room to spare; one byte past the limit is refused before it is parsed."""
    limit = Settings().max_batch_body_bytes
    body = json.dumps({"envelopes": [signed_audit(auditor).to_dict() for _ in range(1000)]})
    assert len(body) * 2 < limit
    settings = Settings(database_url=database_url, worker=False)
    with TestClient(create_app(settings, ledger=ledger)) as client:
        headers = {"content-type": "application/json"}
        response = client.post("/v1/attestations:batch", content=body, headers=headers)
        assert response.status_code == 200, response.text[:500]
        assert response.json()["accepted"] == 1000
        before = row_counts(ledger)
        over = client.post("/v1/attestations:batch", content=b" " * (limit + 1), headers=headers)
        assert over.status_code == 413 and over.json()["code"] == "body_too_large"
        assert row_counts(ledger) == before


def test_bodies_are_parsed_off_the_event_loop(
    settings: Settings, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body under the batch limit made of the slowest shape to parse (tiny objects) takes
    a second to parse; on the event loop every other request would wait it out. Timing that
    from outside is at the mercy of GIL hand-offs and GC pauses on a loaded machine, so this
    asserts the cause instead: the real parser runs on a thread with no running event loop,
    and /v1/health still answers around it."""
    parsed_on: list[bool] = []  # True when the parse ran on the event loop's thread

    def parse_and_note(body: bytes) -> Any:
        try:
            asyncio.get_running_loop()
            parsed_on.append(True)
        except RuntimeError:
            parsed_on.append(False)
        return parse_json(body)

    monkeypatch.setattr(api.deps, "parse_json", parse_and_note)
    body = b'{"envelopes":[' + b'{"a":0},' * 200_000 + b'{"a":0}]}'
    with serving(create_app(settings, ledger=ledger)) as url, httpx.Client(base_url=url) as http:
        reply = http.post(
            "/v1/attestations:batch",
            content=body,
            headers={"content-type": "application/json"},
            timeout=120,
        )
        assert reply.status_code == 422  # {"a": 0} is no envelope: refused once parsed
        assert http.get("/v1/health").status_code == 200
    assert parsed_on == [False]


@pytest.mark.parametrize("slots", [1, 2])
def test_bulk_requests_beyond_the_slots_wait_unread(
    settings: Settings, ledger: Ledger, auditor: SigningKey, slots: int
) -> None:
    """A holds a bulk slot while its body trickles in. With one slot, B's batch waits until A
    is done; with two, B is answered meanwhile. A bulk body is only read inside a slot, so
    the slots bound what bulk requests hold in memory together."""
    resume = threading.Event()

    def trickle() -> Iterator[bytes]:
        yield b'{"envelopes": ['
        resume.wait(timeout=60)
        yield json.dumps(signed_audit(auditor).to_dict()).encode() + b"]}"

    done: dict[str, float] = {}

    def post(name: str, url: str, content: Any) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            reply = http.post("/v1/attestations:batch", content=content,
                              headers={"content-type": "application/json"})  # fmt: skip
        assert reply.status_code == 200, reply.text
        assert reply.json()["accepted"] == 1
        done[name] = time.monotonic()

    other = json.dumps({"envelopes": [signed_audit(auditor).to_dict()]}).encode()
    app = create_app(settings.model_copy(update={"max_concurrent_batches": slots}), ledger=ledger)
    with serving(app) as url:
        first = threading.Thread(target=post, args=("a", url, trickle()))
        first.start()
        time.sleep(0.5)  # A is in, holding a slot
        second = threading.Thread(target=post, args=("b", url, other))
        second.start()
        second.join(timeout=3 if slots == 1 else 30)
        b_done_while_a_paused = "b" in done
        resume.set()
        first.join(timeout=30)
        second.join(timeout=30)
    assert set(done) == {"a", "b"}
    assert b_done_while_a_paused == (slots == 2)
    if slots == 1:
        assert done["b"] >= done["a"]


def test_refused_bulk_requests_give_their_slot_back(
    settings: Settings, ledger: Ledger, auditor: SigningKey
) -> None:
    one_slot = settings.model_copy(update={"max_concurrent_batches": 1})
    limit = one_slot.max_batch_body_bytes
    headers = {"content-type": "application/json"}
    with serving(create_app(one_slot, ledger=ledger)) as url, httpx.Client(base_url=url) as http:
        refused = [
            http.post("/v1/attestations:batch", content=b" " * (limit + 1), headers=headers),
            http.post("/v1/attestations:batch", content=b'{"envelopes": [', headers=headers),
            http.post("/v1/attestations:batch", content=b'{"envelopes": []}'),
            http.post("/v1/attestations:batch", content=b'{"envelopes": 5}', headers=headers),
        ]
        assert [r.status_code for r in refused] == [413, 400, 415, 422]
        body = json.dumps({"envelopes": [signed_audit(auditor).to_dict()]})
        reply = http.post("/v1/attestations:batch", content=body, headers=headers, timeout=10)
        assert reply.status_code == 200 and reply.json()["accepted"] == 1
