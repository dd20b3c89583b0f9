"""A worker's own wage lines and check-ins, listed for their wallet by a request signed with
their own key: theirs only, and never the sealed signal, a device or a flag."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from ledger.keys import SigningKey
from ledger.service import Ledger
from tests.api.checkin_requests import checked_in
from tests.api.conftest import signed_header
from tests.api.state import changed, snapshot
from tests.credentials.worker_support import wallet_for
from tests.domain.wages.builders import ack, employer_of, payroll, run_ref

LINES = "/v1/me/wage-lines"
CHECKINS = "/v1/me/checkins"


def signed_get(client: TestClient, key: SigningKey, target: str) -> Any:
    return client.get(target, headers=signed_header(client, key, "GET", target))


def test_a_worker_lists_their_own_lines_newest_period_first(
    client: TestClient, ledger: Ledger
) -> None:
    employer = employer_of(ledger)
    worker, other = SigningKey.generate(), SigningKey.generate()
    october = run_ref(2, periodStart="2026-10-01", periodEnd="2026-10-31")
    paid = {n: {"paidOn": "2026-11-05"} for n in (1, 2)}
    earlier = client.post(
        "/v1/wages",
        json={"lines": payroll(employer, [other.did, worker.did], run=october, changes=paid)},
    )
    november = client.post("/v1/wages", json={"lines": payroll(employer, [worker.did, other.did])})
    assert november.status_code == earlier.status_code == 201, (november.text, earlier.text)
    mine_in_october = earlier.json()["lines"][1]["id"]
    assert client.post("/v1/wages/ack", json=ack(worker, mine_in_october)).status_code == 201

    response = signed_get(client, worker, LINES)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["worker"] == worker.did
    periods = [line["envelope"]["payload"]["run"]["periodStart"] for line in body["lines"]]
    assert periods == ["2026-11-01", "2026-10-01"]
    assert {line["envelope"]["payload"]["worker"]["did"] for line in body["lines"]} == {worker.did}
    assert [line["acknowledgement"] for line in body["lines"]] == [None, "received"]
    assert other.did not in json.dumps(body)
    # the same line as its own route shows it to its worker
    single = signed_get(client, worker, f"/v1/wages/lines/{mine_in_october}").json()
    assert body["lines"][1] == single

    limited = signed_get(client, worker, LINES + "?limit=1").json()
    assert len(limited["lines"]) == 1
    assert signed_get(client, SigningKey.generate(), LINES).json()["lines"] == []


def test_a_worker_lists_their_own_checkins_and_nothing_tells_duress(
    client: TestClient,
    ledger: Ledger,
    ngo: SigningKey,
    inspector: SigningKey,
    investigator: SigningKey,
) -> None:
    normal = wallet_for(ledger, ngo, investigator)
    coerced = wallet_for(ledger, ngo, investigator, duress=True)
    ids = {name: checked_in(client, wallet, inspector)
           for name, wallet in (("normal", normal), ("coerced", coerced))}  # fmt: skip

    seen = {}
    for name, wallet in (("normal", normal), ("coerced", coerced)):
        response = signed_get(client, wallet.key, CHECKINS)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["holder"] == wallet.did
        (checkin,) = body["checkins"]
        assert checkin["id"] == ids[name]
        public = client.get(f"/v1/checkins/{ids[name]}").json()
        assert checkin == {k: v for k, v in public.items() if k != "record"}
        seen[name] = checkin
    assert set(seen["normal"]) == set(seen["coerced"])
    text = json.dumps(seen)
    for secret in ("holderSignal", "duress", "verifierDevice", "presentingDevice", "flag"):
        assert secret not in text


def test_unsigned_badly_signed_and_bad_limits_are_refused_and_change_nothing(
    client: TestClient, ledger: Ledger
) -> None:
    worker = SigningKey.generate()
    before = snapshot(ledger)
    for target in (LINES, CHECKINS):
        unsigned = client.get(target)
        assert (unsigned.status_code, unsigned.json()["code"]) == (401, "unauthorized")
        assert unsigned.headers["content-type"].startswith("application/problem+json")
        # signed for another path: the signature does not cover this one
        other = CHECKINS if target == LINES else LINES
        wrong = client.get(target, headers=signed_header(client, worker, "GET", other))
        assert wrong.status_code == 401, wrong.text
        headers = signed_header(client, worker, "GET", target)
        assert client.get(target, headers=headers).status_code == 200
        replay = client.get(target, headers=headers)  # a signed request is single-use
        assert replay.json()["code"] == "nonce_replayed", replay.text
    accepted = changed(before, snapshot(ledger))
    assert accepted == {"used_nonces": (0, 2)}  # the two reads answered, nothing else
    before = snapshot(ledger)
    for target in (LINES, CHECKINS):
        for limit in ("0", "501", "x", "-1", "1e3", "%00", "%C2%B2", "%D9%A3"):
            bad = signed_get(client, worker, f"{target}?limit={limit}")
            assert (bad.status_code, bad.json()["code"]) == (422, "schema_violation"), bad.text
    assert changed(before, snapshot(ledger)) == {}  # refused before its nonce was spent
