"""Builders for realistic records (shared by ledger and api tests)."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

from ledger.envelope import Envelope, sign_envelope
from ledger.keys import SigningKey
from tests.conftest import REPO

EXAMPLE_AUDIT: dict[str, Any] = json.loads((REPO / "examples/audit.json").read_text())


def audit_payload(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(EXAMPLE_AUDIT)
    payload.update(changes)
    return payload


def signed_audit(key: SigningKey, *, created: datetime | None = None, **changes: Any) -> Envelope:
    return sign_envelope("audit", audit_payload(**changes), key, created=created)
