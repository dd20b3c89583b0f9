"""AttesterRegistry scopes: grants per (key, role, scope), windows, history, admin only."""

import pytest
from eth_utils import keccak

pytestmark = pytest.mark.usefixtures("role_accounts")

KEY = bytes.fromhex("a1" * 32)
OTHER_KEY = bytes.fromhex("b2" * 32)
AUDITOR = 1
EMPLOYER = 3
T0 = 1_700_000_000
ZERO_SCOPE = b"\x00" * 32


def facility(facility_id: str) -> bytes:
    """The interface's convention, computed here on its own (not ledger's function)."""
    return keccak(b"facility:" + facility_id.encode())


FAC_1 = facility("fac-1")
FAC_2 = facility("fac-2")


@pytest.fixture
def employer(registry, owner):
    """KEY accredited as employer from T0, open-ended."""
    registry.accredit(KEY, EMPLOYER, T0, 0, sender=owner)
    return KEY


def window(registry, key, role, scope):
    held = registry.scopeOf(key, role, scope)
    return tuple(held)


def window_at(registry, key, role, scope, at):
    return tuple(registry.scopeAt(key, role, scope, at))


# --- granting -------------------------------------------------------------------------------


def test_grant_stores_and_emits(registry, owner, employer):
    tx = registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner)

    assert tx.events == [
        registry.ScopeGranted(key=employer, role=EMPLOYER, scope=FAC_1, at=tx.timestamp)
    ]
    assert window(registry, employer, EMPLOYER, FAC_1) == (tx.timestamp, 0)
    assert window_at(registry, employer, EMPLOYER, FAC_1, tx.timestamp) == (tx.timestamp, 0)
    assert window_at(registry, employer, EMPLOYER, FAC_1, tx.timestamp - 1) == (0, 0)


def test_grant_again_emits_nothing_and_keeps_the_window(registry, owner, employer, chain):
    first = registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner)
    chain.pending_timestamp += 100

    again = registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner)

    assert again.events == []
    assert window(registry, employer, EMPLOYER, FAC_1) == (first.timestamp, 0)


def test_scopes_are_per_key_role_and_scope(registry, owner, employer):
    registry.accredit(employer, AUDITOR, T0, 0, sender=owner)
    registry.accredit(OTHER_KEY, EMPLOYER, T0, 0, sender=owner)

    tx = registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner)

    assert window(registry, employer, EMPLOYER, FAC_1) == (tx.timestamp, 0)
    assert window(registry, employer, EMPLOYER, FAC_2) == (0, 0)
    assert window(registry, employer, AUDITOR, FAC_1) == (0, 0)
    assert window(registry, OTHER_KEY, EMPLOYER, FAC_1) == (0, 0)


def test_never_granted_reads_all_zero(registry, employer):
    assert window(registry, employer, EMPLOYER, FAC_1) == (0, 0)
    assert window_at(registry, employer, EMPLOYER, FAC_1, 2**64 - 1) == (0, 0)


def test_a_key_never_accredited_in_the_role_is_refused(registry, owner, employer, reverts):
    with reverts(registry.AttesterRegistryNotAccredited, key=OTHER_KEY, role=EMPLOYER):
        registry.grantScope(OTHER_KEY, EMPLOYER, FAC_1, sender=owner)
    # Accredited as employer is not accredited as auditor.
    with reverts(registry.AttesterRegistryNotAccredited, key=employer, role=AUDITOR):
        registry.grantScope(employer, AUDITOR, FAC_1, sender=owner)

    assert window(registry, OTHER_KEY, EMPLOYER, FAC_1) == (0, 0)
    assert window(registry, employer, AUDITOR, FAC_1) == (0, 0)


def test_a_revoked_key_is_refused(registry, owner, employer, reverts):
    registry.revoke(employer, EMPLOYER, sender=owner)

    with reverts(registry.AttesterRegistryKeyRevoked, key=employer, role=EMPLOYER):
        registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner)


def test_a_suspended_key_may_be_granted_a_scope(registry, owner, employer):
    registry.suspend(employer, EMPLOYER, sender=owner)

    tx = registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner)

    assert len(tx.decode_logs(registry.ScopeGranted)) == 1
    assert not registry.isAccredited(employer, EMPLOYER, T0)  # the scope does not lift it


def test_the_zero_scope_is_refused(registry, owner, employer, reverts):
    with reverts(registry.AttesterRegistryZeroScope):
        registry.grantScope(employer, EMPLOYER, ZERO_SCOPE, sender=owner)


@pytest.mark.parametrize("role", [0, 7, 255])
def test_invalid_role_rejected(registry, owner, reverts, role):
    for method in ("grantScope", "revokeScope"):
        with reverts(registry.AttesterRegistryInvalidRole, role=role):
            getattr(registry, method)(KEY, role, FAC_1, sender=owner)
    with reverts(registry.AttesterRegistryInvalidRole, role=role):
        registry.scopeOf(KEY, role, FAC_1)
    with reverts(registry.AttesterRegistryInvalidRole, role=role):
        registry.scopeAt(KEY, role, FAC_1, T0)


# --- revoking -------------------------------------------------------------------------------


def test_revoke_closes_the_window_and_emits(registry, owner, employer, chain):
    granted = registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner)
    chain.pending_timestamp += 50

    tx = registry.revokeScope(employer, EMPLOYER, FAC_1, sender=owner)

    assert tx.events == [
        registry.ScopeRevoked(key=employer, role=EMPLOYER, scope=FAC_1, at=tx.timestamp)
    ]
    assert window(registry, employer, EMPLOYER, FAC_1) == (granted.timestamp, tx.timestamp)


def test_revoke_again_keeps_the_first_time(registry, owner, employer, chain):
    registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner)
    first = registry.revokeScope(employer, EMPLOYER, FAC_1, sender=owner)
    chain.pending_timestamp += 100

    again = registry.revokeScope(employer, EMPLOYER, FAC_1, sender=owner)

    assert again.events == []
    assert window(registry, employer, EMPLOYER, FAC_1)[1] == first.timestamp


def test_revoking_a_scope_never_granted_is_refused(registry, owner, employer, reverts):
    with reverts(
        registry.AttesterRegistryScopeNotGranted, key=employer, role=EMPLOYER, scope=FAC_1
    ):
        registry.revokeScope(employer, EMPLOYER, FAC_1, sender=owner)


def test_a_revoked_keys_scope_may_still_be_revoked(registry, owner, employer):
    registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner)
    registry.revoke(employer, EMPLOYER, sender=owner)

    tx = registry.revokeScope(employer, EMPLOYER, FAC_1, sender=owner)

    assert len(tx.decode_logs(registry.ScopeRevoked)) == 1


# --- granting again: a new window, the old ones kept ------------------------------------------


def test_grant_after_revoke_opens_a_new_window_and_keeps_the_old(registry, owner, employer, chain):
    g1 = registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner).timestamp
    chain.pending_timestamp += 100
    r1 = registry.revokeScope(employer, EMPLOYER, FAC_1, sender=owner).timestamp
    chain.pending_timestamp += 100

    tx = registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner)
    g2 = tx.timestamp

    assert tx.events == [registry.ScopeGranted(key=employer, role=EMPLOYER, scope=FAC_1, at=g2)]
    assert g1 < r1 < g2
    assert window(registry, employer, EMPLOYER, FAC_1) == (g2, 0)
    # A moment in the first window still finds it, and its end.
    assert window_at(registry, employer, EMPLOYER, FAC_1, g1) == (g1, r1)
    assert window_at(registry, employer, EMPLOYER, FAC_1, r1 - 1) == (g1, r1)
    # Between the two windows: the first one, closed (the scope did not hold).
    assert window_at(registry, employer, EMPLOYER, FAC_1, r1) == (g1, r1)
    assert window_at(registry, employer, EMPLOYER, FAC_1, g2 - 1) == (g1, r1)
    assert window_at(registry, employer, EMPLOYER, FAC_1, g2) == (g2, 0)
    assert window_at(registry, employer, EMPLOYER, FAC_1, g1 - 1) == (0, 0)


def test_scope_at_finds_the_window_of_any_moment(registry, owner, employer, chain):
    """Six grants and revocations at chosen times; every second from before the first to
    after the last finds the window a plain list search finds."""
    expected: list[tuple[int, int]] = []
    for step in range(6):
        chain.pending_timestamp += 7 + step
        granted = registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner).timestamp
        chain.pending_timestamp += 3 + step
        revoked = registry.revokeScope(employer, EMPLOYER, FAC_1, sender=owner).timestamp
        expected.append((granted, revoked))
    chain.pending_timestamp += 5
    expected.append((registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner).timestamp, 0))

    for at in range(expected[0][0] - 2, expected[-1][0] + 3):
        opened = [w for w in expected if w[0] <= at]
        wanted = opened[-1] if opened else (0, 0)
        assert window_at(registry, employer, EMPLOYER, FAC_1, at) == wanted, at


# --- only the admin -------------------------------------------------------------------------


def test_only_the_admin_grants_and_revokes(registry, owner, anchorer, stranger, employer, reverts):
    """The operator's hot key (the anchorer) can no more scope a key than accredit one."""
    registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner)
    before = (
        window(registry, employer, EMPLOYER, FAC_1),
        window(registry, employer, EMPLOYER, FAC_2),
    )

    for caller in (anchorer, stranger):
        with reverts(registry.OwnableUnauthorizedAccount, account=caller.address):
            registry.grantScope(employer, EMPLOYER, FAC_2, sender=caller)
        with reverts(registry.OwnableUnauthorizedAccount, account=caller.address):
            registry.revokeScope(employer, EMPLOYER, FAC_1, sender=caller)

    after = (
        window(registry, employer, EMPLOYER, FAC_1),
        window(registry, employer, EMPLOYER, FAC_2),
    )
    assert after == before


def test_a_new_admin_grants_the_old_one_cannot(registry, owner, new_owner, employer, reverts):
    registry.transferOwnership(new_owner, sender=owner)
    registry.acceptOwnership(sender=new_owner)

    with reverts(registry.OwnableUnauthorizedAccount, account=owner.address):
        registry.grantScope(employer, EMPLOYER, FAC_1, sender=owner)
    tx = registry.grantScope(employer, EMPLOYER, FAC_1, sender=new_owner)

    assert len(tx.decode_logs(registry.ScopeGranted)) == 1
