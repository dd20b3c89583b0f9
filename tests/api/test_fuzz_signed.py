"""Fuzz behind a valid signature: payloads mutated by hypothesis, each signed by a key
accredited for its kind, sent through the API. Schemathesis alone can never produce a valid
signature, which is how state changes behind one went unseen. For every request: no 5xx, and
a refused one leaves every table and the chain exactly as they were."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials.worker import parse_worker_credential, registration_payload, status_change_payload
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger
from tests.api.state import changed, snapshot
from tests.credentials.worker_support import accredited, checkin_envelope, issue, wallet_for
from tests.ledger.helpers import audit_payload

pytestmark = pytest.mark.slow

json_leaf = (
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
    | st.sampled_from(["", "0x" + "00" * 32, "did:key:z6Mk", "2026-13-40", "sha256:" + "0" * 64])
)  # fmt: skip
json_value = st.recursive(
    json_leaf,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with 1-3 mutations: a value replaced, a member dropped, a member added."""
    result = copy.deepcopy(payload)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(result)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = result
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(json_value)
        elif action == "drop" and isinstance(parent, dict):
            parent.pop(path[-1])
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(json_value)
    return result


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def _send(client: TestClient, ledger: Ledger, path: str, body: dict[str, Any]) -> None:
    before = snapshot(ledger)
    response = client.post(path, json=body)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        code = response.json()["code"]
        diff = changed(before, snapshot(ledger))
        flagged = code in {"presentation_replayed", "challenge_replayed"}
        assert diff == {} or (flagged and set(diff) == {"coercion_flags"}), (code, diff)


def test_signed_audits(client: TestClient, ledger: Ledger, auditor: SigningKey) -> None:
    @FUZZ
    @given(payload=mutated(audit_payload()))
    def run(payload: dict[str, Any]) -> None:
        _send(
            client, ledger, "/v1/attestations", sign_envelope("audit", payload, auditor).to_dict()
        )

    run()


def test_signed_credential_registrations(
    client: TestClient, ledger: Ledger, ngo: SigningKey
) -> None:
    credential, _ = issue(ledger, ngo, SigningKey.generate(), register=False)

    @FUZZ
    @given(payload=mutated(registration_payload(credential)))
    def run(payload: dict[str, Any]) -> None:
        envelope = sign_envelope("credential", payload, ngo).to_dict()
        _send(client, ledger, "/v1/credentials", envelope)

    run()


def test_signed_status_changes(client: TestClient, ledger: Ledger, ngo: SigningKey) -> None:
    credential, _ = issue(ledger, ngo, SigningKey.generate())
    status_id = parse_worker_credential(credential).status_id

    @FUZZ
    @given(payload=mutated(status_change_payload(status_id, "suspend")))
    def run(payload: dict[str, Any]) -> None:
        envelope = sign_envelope("credential_status", payload, ngo).to_dict()
        _send(client, ledger, "/v1/credentials/status", envelope)

    run()


def test_signed_checkins(client: TestClient, ledger: Ledger, ngo: SigningKey) -> None:
    verifier = accredited(ledger, Role.VERIFIER)
    wallet = wallet_for(ledger, ngo)

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        presentation = wallet.present()
        template = checkin_envelope(verifier, presentation)["payload"]
        payload = data.draw(mutated(template))
        envelope = sign_envelope("checkin", payload, verifier).to_dict()
        _send(client, ledger, "/v1/checkins", {"presentation": presentation, "envelope": envelope})

    run()
