"""``POST /v1/admin/signers``: validity times are aware datetimes that AttesterRegistry can
hold (after 1970, uint64 seconds); anything else is 422 naming the field, and changes
nothing on chain or in the database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.keys import SigningKey, VerifyKey
from ledger.roles import Role
from ledger.service import Ledger


@pytest.mark.parametrize(
    ("times", "field"),
    [
        ({"validFrom": "1900-01-01T00:00:00Z"}, "body.validFrom"),
        ({"validFrom": "1969-12-31T23:59:59Z"}, "body.validFrom"),
        ({"validFrom": "1970-01-01T00:00:00Z"}, "body.validFrom"),  # 0 means "unset" on chain
        ({"validFrom": "2030-01-01T00:00:00"}, "body.validFrom"),  # naive: whose midnight?
        ({"validFrom": "9999-12-31T23:59:59-01:00"}, "body.validFrom"),  # past year 9999 in UTC
        ({"validFrom": -5}, "body.validFrom"),
        ({"validUntil": "2031-06-01T12:00:00"}, "body.validUntil"),
        ({"validUntil": "1950-01-01T00:00:00+00:00"}, "body.validUntil"),
    ],
)
def test_times_outside_the_contract_are_refused(
    client: TestClient,
    ledger: Ledger,
    admin_headers: dict[str, str],
    times: dict[str, Any],
    field: str,
) -> None:
    key = SigningKey.generate()
    head = ledger.client.block_number()
    before = ledger.signers()
    response = client.post(
        "/v1/admin/signers",
        json={"did": key.did, "role": "auditor", **times},
        headers=admin_headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "schema_violation"
    assert response.json()["field"] == field
    assert ledger.client.block_number() == head  # no transaction was sent
    assert ledger.signers() == before


def test_aware_times_are_stored_in_utc(
    client: TestClient, ledger: Ledger, admin_headers: dict[str, str]
) -> None:
    key = SigningKey.generate()
    response = client.post(
        "/v1/admin/signers",
        json={"did": key.did, "role": "auditor", "validFrom": "2020-01-01T00:00:00+02:00",
              "validUntil": "2099-01-01T00:00:00Z"},
        headers=admin_headers,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    [signer] = response.json()
    assert signer["validFrom"].startswith("2019-12-31T22:00:00")
    assert signer["validUntil"].startswith("2099-01-01T00:00:00")
    on_chain = VerifyKey.from_did(key.did)
    assert ledger.registry.is_accredited(
        on_chain, Role.AUDITOR, datetime(2019, 12, 31, 22, tzinfo=UTC)
    )
    assert not ledger.registry.is_accredited(
        on_chain, Role.AUDITOR, datetime(2019, 12, 31, 21, 59, tzinfo=UTC)
    )
