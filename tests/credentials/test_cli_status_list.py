"""``ledger vc`` and the issuer's Bitstring Status List, end to end against a live API:
issue-worker allocates the index and publishes the first list; revoke re-signs the list
after the contract path; revoke --list-only revokes through the list alone; status-list
publish re-signs from the ledger's state. Digital Bazaar's status list library judges the
list the API serves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from credentials.worker import parse_worker_credential
from ledger.keys import SigningKey
from ledger.service import Ledger
from tests.api.test_status_lists import db_verdict
from tests.credentials.cli_support import cli, issue, keys, server
from tests.credentials.worker_support import chain_status

__all__ = ["keys", "server"]  # fixtures, imported for pytest to find


def _served(api: str, credential: dict[str, Any]) -> dict[str, Any]:
    url = parse_worker_credential(credential).status_list
    assert url is not None
    path = url.url.split("/v1/", 1)[1]
    response = httpx.get(f"{api}/v1/{path}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_revoke_through_either_path(
    server: tuple[str, Ledger], keys: dict[str, Path], tmp_path: Path
) -> None:
    api, ledger = server
    first = issue(api, keys, SigningKey.generate().did, tmp_path / "first.json")
    second = issue(api, keys, SigningKey.generate().did, tmp_path / "second.json")
    on_chain, listed = first["credentialStatus"]
    assert on_chain["type"] == "OnChainCredentialStatus"
    assert listed["type"] == "BitstringStatusListEntry" and listed["statusPurpose"] == "revocation"
    assert listed["statusListIndex"] != second["credentialStatus"][1]["statusListIndex"]
    assert db_verdict(first, _served(api, first))[1]["statusList"] == "active"

    path = tmp_path / "first-credential.json"
    path.write_text(json.dumps(first))
    revoked = cli(api, "vc", "revoke", str(path), "--issuer-key", str(keys["issuer"]))
    assert revoked.exit_code == 0, revoked.output
    assert "status list re-signed" in revoked.stderr
    first_id = parse_worker_credential(first).status_id
    assert chain_status(ledger, first_id) == "revoked"
    code, verdict = db_verdict(first, _served(api, first))
    assert (code, verdict["statusList"]) == (1, "revoked")
    assert db_verdict(second, _served(api, second))[1]["statusList"] == "active"

    path = tmp_path / "second-credential.json"
    path.write_text(json.dumps(second))
    listed_only = cli(
        api, "vc", "revoke", str(path), "--issuer-key", str(keys["issuer"]), "--list-only"
    )
    assert listed_only.exit_code == 0, listed_only.output
    second_id = parse_worker_credential(second).status_id
    assert json.loads(listed_only.stdout)["revoked"] == [second_id]
    assert chain_status(ledger, second_id) == "revoked"
    assert httpx.get(f"{api}/v1/credentials/{second_id}").json()["status"] == "revoked"
    assert db_verdict(second, _served(api, second))[1]["statusList"] == "revoked"

    again = cli(api, "vc", "status-list", "publish", "--issuer-key", str(keys["issuer"]))
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["revoked"] == []
    assert db_verdict(first, _served(api, first))[1]["statusList"] == "revoked"

    suspend = cli(api, "vc", "suspend", second_id, "--issuer-key", str(keys["issuer"]),
                  "--list-only")  # fmt: skip
    assert suspend.exit_code == 2 and "--list-only is for revoke" in suspend.output
