"""Gas budget of ProvenanceAnchor.anchor: gas is deterministic, so this is an exact bound."""

import pytest

pytestmark = pytest.mark.usefixtures("role_accounts")


ANCHOR_BUDGET = 60_000  # whole transaction, including the 21,000 base


def test_first_anchor_within_budget(anchor, anchorer):
    tx = anchor.anchor(b"\xab" * 32, 1_000, 1, 1, sender=anchorer)

    print(f"anchor() first: {tx.gas_used} gas")
    assert tx.gas_used <= ANCHOR_BUDGET


def test_later_anchor_within_budget(anchor, anchorer):
    anchor.anchor(b"\xab" * 32, 1_000, 1, 1, sender=anchorer)

    tx = anchor.anchor(b"\xcd" * 32, 1_000, 1, 2, sender=anchorer)

    print(f"anchor() later: {tx.gas_used} gas")
    assert tx.gas_used <= ANCHOR_BUDGET


# CredentialStatus relays: a registration stores three slots (issuer key, registration record,
# status word); a first change one more (the status record); later changes update two.
REGISTER_BUDGET = 110_000
FIRST_CHANGE_BUDGET = 70_000
CHANGE_BUDGET = 55_000
REVOKE_ISSUER_BUDGET = 55_000
ISSUER_KEY = b"\x11" * 32


@pytest.fixture
def issuer(registry, owner, chain):
    registry.accredit(ISSUER_KEY, 2, chain.pending_timestamp - 60, 0, sender=owner)
    return ISSUER_KEY


def test_credential_status_relays_within_budget(status, anchorer, owner, issuer):
    credential = b"\xc0" * 32
    gas = {
        "register": status.register(credential, issuer, b"\x01" * 32, sender=anchorer).gas_used,
        "suspend": status.suspend(credential, issuer, 1, b"\x02" * 32, sender=anchorer).gas_used,
        "reinstate": status.reinstate(
            credential, issuer, 0, b"\x03" * 32, sender=anchorer
        ).gas_used,
        "revokeIssuer": status.revokeIssuer(issuer, sender=owner).gas_used,
    }

    print(f"CredentialStatus gas: {gas}")
    assert gas["register"] <= REGISTER_BUDGET
    assert gas["suspend"] <= FIRST_CHANGE_BUDGET
    assert gas["reinstate"] <= CHANGE_BUDGET
    assert gas["revokeIssuer"] <= REVOKE_ISSUER_BUDGET


# AttesterRegistry scopes (measured on anvil: 74,505, 35,112 and 59,914 gas): a first grant
# stores the list's length and one window (two fresh slots); a revocation updates that window;
# a later grant appends a window (one fresh slot, the length updated).
GRANT_SCOPE_BUDGET = 80_000
REVOKE_SCOPE_BUDGET = 40_000
REGRANT_SCOPE_BUDGET = 65_000
EMPLOYER_KEY = b"\x33" * 32
SCOPE = b"\x5c" * 32


def test_scope_changes_within_budget(registry, owner, chain):
    registry.accredit(EMPLOYER_KEY, 3, chain.pending_timestamp - 60, 0, sender=owner)
    gas = {
        "grantScope": registry.grantScope(EMPLOYER_KEY, 3, SCOPE, sender=owner).gas_used,
        "revokeScope": registry.revokeScope(EMPLOYER_KEY, 3, SCOPE, sender=owner).gas_used,
        "grantScope again": registry.grantScope(EMPLOYER_KEY, 3, SCOPE, sender=owner).gas_used,
    }

    print(f"AttesterRegistry scope gas: {gas}")
    assert gas["grantScope"] <= GRANT_SCOPE_BUDGET
    assert gas["revokeScope"] <= REVOKE_SCOPE_BUDGET
    assert gas["grantScope again"] <= REGRANT_SCOPE_BUDGET
