"""Schemathesis against our OpenAPI document: no 5xx for anything the schema allows (or
nearly allows), and no row stored by a request that was rejected."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from sqlmodel import SQLModel, func, select

from api.app import create_app
from ledger.service import Ledger
from ledger.store.db import session_scope
from tests.api.conftest import ADMIN_TOKEN

pytestmark = pytest.mark.slow


@pytest.fixture
def api_schema(settings: Any, ledger: Ledger) -> Any:
    app = create_app(settings, ledger=ledger)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


def row_counts(ledger: Ledger) -> dict[str, int]:
    with session_scope(ledger.engine) as session:
        return {
            name: int(session.exec(select(func.count()).select_from(table)).one())
            for name, table in SQLModel.metadata.tables.items()
        }


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_fuzz(case: Any, ledger: Ledger) -> None:
    headers = (
        {"Authorization": f"Bearer {ADMIN_TOKEN}"} if case.path.startswith("/v1/admin") else None
    )
    before = row_counts(ledger)
    response = case.call(headers=headers)
    case.validate_response(response, checks=(not_a_server_error, content_type_conformance))
    if response.status_code >= 400:
        assert row_counts(ledger) == before, (
            f"{case.method} {case.path} -> {response.status_code} stored rows"
        )
