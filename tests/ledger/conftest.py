"""Fixtures the ledger tests share: an anvil per module, and an accredited auditor on
whichever ``ledger`` the module opens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.chain.anvil import Anvil
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger


@pytest.fixture(scope="module")
def anvil() -> Iterator[Anvil]:
    with Anvil() as node:
        yield node


@pytest.fixture
def auditor(ledger: Ledger) -> SigningKey:
    key = SigningKey.generate()
    ledger.accredit(key.did, Role.AUDITOR)
    return key
