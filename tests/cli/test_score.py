"""``ledger score FACILITY`` against the demo (``ledger serve --demo``): the breakdown as a
table, the API's JSON with ``--json``, and an unknown facility refused by name."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.cli.conftest import Cli

pytestmark = pytest.mark.slow


def test_the_score_as_a_table_and_as_json(cli: Cli, server: str) -> None:
    printed = cli.run("score", "fac-bd-dhaka-knit-01").stdout
    api = httpx.get(f"{server}/v1/facilities/fac-bd-dhaka-knit-01/score").json()
    first = printed.splitlines()[0]
    assert first == f"fac-bd-dhaka-knit-01: {api['score']} / 100 (formula {api['formula_version']})"
    for component in api["components"]:
        assert f"{component['value']} / {component['weight']}" in printed, component["name"]
        assert component["name"] in printed
    if api.get("cap"):
        assert "capped:" in printed
    assert json.loads(cli.run("score", "fac-bd-dhaka-knit-01", "--json").stdout) == api
    unknown = cli.run("score", "fac-nobody-here", check=False)
    assert unknown.returncode == 1 and "facility_unknown" in unknown.stderr
