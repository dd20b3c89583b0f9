"""AttesterRegistry: admin, roles, accreditation windows, suspension, revocation, anchorers."""

import pytest

pytestmark = pytest.mark.usefixtures("role_accounts")

KEY = bytes.fromhex("a1" * 32)
OTHER_KEY = bytes.fromhex("b2" * 32)
ZERO_KEY = b"\x00" * 32
ZERO_ADDRESS = "0x" + "00" * 20
AUDITOR = 1
ISSUER = 2
T0 = 1_700_000_000
T1 = 1_800_000_000


@pytest.fixture
def accredited(registry, owner):
    """KEY accredited as auditor on [T0, T1)."""
    registry.accredit(KEY, AUDITOR, T0, T1, sender=owner)
    return KEY


# --- metadata -------------------------------------------------------------------------------


def test_version(registry):
    assert registry.version() == "2.1.0"


def test_roles(registry):
    roles = [
        registry.ROLE_AUDITOR(),
        registry.ROLE_ISSUER(),
        registry.ROLE_EMPLOYER(),
        registry.ROLE_BRAND(),
        registry.ROLE_VERIFIER(),
        registry.ROLE_INVESTIGATOR(),
    ]

    assert roles == [1, 2, 3, 4, 5, 6]


def test_admin_and_anchorers_are_set_at_deployment(registry, owner, anchorer):
    assert registry.owner() == owner
    assert registry.pendingOwner() == ZERO_ADDRESS
    assert registry.isAnchorer(anchorer)
    assert not registry.isAnchorer(owner)


def deployment_logs(chain, contract, event):
    return chain.get_receipt(contract.txn_hash).decode_logs(event)


def test_deployer_need_not_be_admin_nor_anchorer(project, chain, stranger, new_owner, anchorer):
    # The operator deploys; the admin (a Safe in production) is named, never the deployer.
    registry = stranger.deploy(project.AttesterRegistry, new_owner, [anchorer])

    assert registry.owner() == new_owner
    assert not registry.isAnchorer(stranger)
    [added] = deployment_logs(chain, registry, registry.AnchorerAdded)
    assert added.account == anchorer.address


def test_constructor_emits_one_event_per_anchorer(project, chain, owner, anchorer, stranger):
    registry = owner.deploy(project.AttesterRegistry, owner, [anchorer, stranger, anchorer])

    added = [log.account for log in deployment_logs(chain, registry, registry.AnchorerAdded)]
    assert added == [anchorer.address, stranger.address]
    assert registry.isAnchorer(anchorer) and registry.isAnchorer(stranger)


def test_no_anchorers_at_deployment(project, owner, anchorer):
    registry = owner.deploy(project.AttesterRegistry, owner, [])

    assert not registry.isAnchorer(anchorer)


def test_zero_admin_rejected(project, owner, anchorer, reverts):
    with reverts(project.AttesterRegistry.OwnableInvalidOwner, owner=ZERO_ADDRESS):
        owner.deploy(project.AttesterRegistry, ZERO_ADDRESS, [anchorer])


def test_zero_anchorer_rejected_at_deployment(project, owner, anchorer, reverts):
    with reverts(project.AttesterRegistry.AttesterRegistryZeroAddress):
        owner.deploy(project.AttesterRegistry, owner, [anchorer, ZERO_ADDRESS])


def test_admin_cannot_be_an_anchorer_at_deployment(project, owner, anchorer, reverts):
    with reverts(project.AttesterRegistry.AttesterRegistryAdminCannotAnchor, account=owner.address):
        owner.deploy(project.AttesterRegistry, owner, [anchorer, owner])


# --- only the admin writes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("accredit", (KEY, AUDITOR, T0, 0)),
        ("suspend", (KEY, AUDITOR)),
        ("reinstate", (KEY, AUDITOR)),
        ("revoke", (KEY, AUDITOR)),
        ("addAnchorer", ("0x" + "77" * 20,)),
        ("removeAnchorer", ("0x" + "77" * 20,)),
        ("transferOwnership", ("0x" + "77" * 20,)),
        ("renounceOwnership", ()),
    ],
)
def test_admin_functions_reject_others(registry, owner, stranger, anchorer, reverts, method, args):
    registry.accredit(KEY, AUDITOR, T0, 0, sender=owner)  # so that only the caller is wrong

    for caller in (stranger, anchorer):
        with reverts(registry.OwnableUnauthorizedAccount, account=caller.address):
            getattr(registry, method)(*args, sender=caller)


def test_anchorer_cannot_accredit_or_take_over(registry, anchorer, reverts):
    """The operator's hot key anchors and relays; it can never make a key of its own an author."""
    with reverts(registry.OwnableUnauthorizedAccount, account=anchorer.address):
        registry.accredit(KEY, AUDITOR, T0, 0, sender=anchorer)
    with reverts(registry.OwnableUnauthorizedAccount, account=anchorer.address):
        registry.acceptOwnership(sender=anchorer)

    assert not registry.isAccredited(KEY, AUDITOR, T0)
    assert registry.owner() != anchorer.address


# --- two-step admin transfer ----------------------------------------------------------------


def test_admin_transfer_takes_two_steps(registry, owner, new_owner, stranger, reverts):
    tx = registry.transferOwnership(new_owner, sender=owner)

    assert tx.events == [registry.OwnershipTransferStarted(previousOwner=owner, newOwner=new_owner)]
    assert registry.owner() == owner
    assert registry.pendingOwner() == new_owner
    # The old admin still rules until the new one accepts.
    registry.addAnchorer(stranger, sender=owner)

    with reverts(registry.OwnableUnauthorizedAccount, account=stranger.address):
        registry.acceptOwnership(sender=stranger)
    tx = registry.acceptOwnership(sender=new_owner)

    assert tx.events == [registry.OwnershipTransferred(previousOwner=owner, newOwner=new_owner)]
    assert registry.owner() == new_owner
    assert registry.pendingOwner() == ZERO_ADDRESS
    with reverts(registry.OwnableUnauthorizedAccount, account=owner.address):
        registry.accredit(KEY, AUDITOR, T0, 0, sender=owner)
    registry.accredit(KEY, AUDITOR, T0, 0, sender=new_owner)


def test_admin_cannot_be_handed_to_an_anchorer(registry, owner, anchorer, reverts):
    with reverts(registry.AttesterRegistryAdminCannotAnchor, account=anchorer.address):
        registry.transferOwnership(anchorer, sender=owner)

    assert registry.pendingOwner() == ZERO_ADDRESS


def test_pending_admin_made_anchorer_cannot_accept(registry, owner, new_owner, reverts):
    registry.transferOwnership(new_owner, sender=owner)
    registry.addAnchorer(new_owner, sender=owner)

    with reverts(registry.AttesterRegistryAdminCannotAnchor, account=new_owner.address):
        registry.acceptOwnership(sender=new_owner)
    assert registry.owner() == owner


def test_admin_cannot_make_itself_an_anchorer(registry, owner, reverts):
    with reverts(registry.AttesterRegistryAdminCannotAnchor, account=owner.address):
        registry.addAnchorer(owner, sender=owner)

    assert not registry.isAnchorer(owner)


# --- roles and arguments --------------------------------------------------------------------


@pytest.mark.parametrize("role", [0, 7, 10, 32, 255])
def test_invalid_role_rejected(registry, owner, reverts, role):
    with reverts(registry.AttesterRegistryInvalidRole, role=role):
        registry.accredit(KEY, role, T0, 0, sender=owner)
    for method in ("suspend", "reinstate", "revoke"):
        with reverts(registry.AttesterRegistryInvalidRole, role=role):
            getattr(registry, method)(KEY, role, sender=owner)


# Not 10 or 32 here: anvil reports a call's error data as text and the client strips a
# trailing whitespace byte, so the data could not be decoded again (see conftest).
@pytest.mark.parametrize("role", [0, 7, 255])
def test_invalid_role_rejected_by_views(registry, reverts, role):
    with reverts(registry.AttesterRegistryInvalidRole, role=role):
        registry.isAccredited(KEY, role, T0)
    with reverts(registry.AttesterRegistryInvalidRole, role=role):
        registry.accreditation(KEY, role)


def test_zero_key_rejected(registry, owner, reverts):
    with reverts(registry.AttesterRegistryZeroKey):
        registry.accredit(ZERO_KEY, AUDITOR, T0, 0, sender=owner)


@pytest.mark.parametrize(
    ("valid_from", "valid_until"),
    [(T0, T0), (T0, T0 - 1), (0, 0), (0, T1), (2**64 - 1, 2**64 - 1)],
)
def test_invalid_window_rejected(registry, owner, reverts, valid_from, valid_until):
    with reverts(
        registry.AttesterRegistryInvalidWindow, validFrom=valid_from, validUntil=valid_until
    ):
        registry.accredit(KEY, AUDITOR, valid_from, valid_until, sender=owner)


# --- accreditation and windows ------------------------------------------------------------


def test_accredit_stores_and_emits(registry, owner):
    tx = registry.accredit(KEY, AUDITOR, T0, T1, sender=owner)

    assert tx.events == [registry.KeyAccredited(key=KEY, role=AUDITOR, validFrom=T0, validUntil=T1)]
    record = registry.accreditation(KEY, AUDITOR)
    assert (record.validFrom, record.validUntil, record.revokedAt, record.suspended) == (
        T0,
        T1,
        0,
        False,
    )


def test_unknown_key_has_empty_record(registry):
    record = registry.accreditation(OTHER_KEY, AUDITOR)

    assert (record.validFrom, record.validUntil, record.revokedAt, record.suspended) == (
        0,
        0,
        0,
        False,
    )
    assert not registry.isAccredited(OTHER_KEY, AUDITOR, T0)
    assert not registry.isAccredited(OTHER_KEY, AUDITOR, 0)


@pytest.mark.parametrize(
    ("at", "expected"),
    [(0, False), (T0 - 1, False), (T0, True), (T1 - 1, True), (T1, False), (2**64 - 1, False)],
)
def test_window_is_half_open(registry, accredited, at, expected):
    assert registry.isAccredited(accredited, AUDITOR, at) is expected


def test_open_ended_window(registry, owner):
    registry.accredit(KEY, AUDITOR, T0, 0, sender=owner)

    assert not registry.isAccredited(KEY, AUDITOR, T0 - 1)
    assert registry.isAccredited(KEY, AUDITOR, T0)
    assert registry.isAccredited(KEY, AUDITOR, 2**64 - 1)


def test_accreditation_is_per_role_and_key(registry, accredited):
    assert registry.isAccredited(accredited, AUDITOR, T0)
    assert not registry.isAccredited(accredited, ISSUER, T0)
    assert not registry.isAccredited(OTHER_KEY, AUDITOR, T0)


def test_reaccredit_updates_window(registry, owner, accredited):
    tx = registry.accredit(accredited, AUDITOR, T0 + 10, 0, sender=owner)

    assert tx.events == [
        registry.KeyAccredited(key=accredited, role=AUDITOR, validFrom=T0 + 10, validUntil=0)
    ]
    assert not registry.isAccredited(accredited, AUDITOR, T0)
    assert registry.isAccredited(accredited, AUDITOR, T1)


def test_reaccredit_same_window_emits_nothing(registry, owner, accredited):
    tx = registry.accredit(accredited, AUDITOR, T0, T1, sender=owner)

    assert tx.events == []


def test_reaccredit_keeps_suspension(registry, owner, accredited):
    registry.suspend(accredited, AUDITOR, sender=owner)

    registry.accredit(accredited, AUDITOR, T0, 0, sender=owner)

    assert registry.accreditation(accredited, AUDITOR).suspended
    assert not registry.isAccredited(accredited, AUDITOR, T0)


def test_reaccredit_revoked_rejected(registry, owner, accredited, reverts):
    registry.revoke(accredited, AUDITOR, sender=owner)

    with reverts(registry.AttesterRegistryKeyRevoked, key=accredited, role=AUDITOR):
        registry.accredit(accredited, AUDITOR, T0, 0, sender=owner)


# --- suspension -----------------------------------------------------------------------------


def test_suspend_and_reinstate(registry, owner, accredited):
    tx = registry.suspend(accredited, AUDITOR, sender=owner)

    assert tx.events == [registry.KeySuspended(key=accredited, role=AUDITOR)]
    assert registry.accreditation(accredited, AUDITOR).suspended
    assert not registry.isAccredited(accredited, AUDITOR, T0)

    tx = registry.reinstate(accredited, AUDITOR, sender=owner)

    assert tx.events == [registry.KeyReinstated(key=accredited, role=AUDITOR)]
    assert not registry.accreditation(accredited, AUDITOR).suspended
    assert registry.isAccredited(accredited, AUDITOR, T0)


def test_suspend_and_reinstate_are_idempotent(registry, owner, accredited):
    registry.suspend(accredited, AUDITOR, sender=owner)

    assert registry.suspend(accredited, AUDITOR, sender=owner).events == []
    registry.reinstate(accredited, AUDITOR, sender=owner)
    assert registry.reinstate(accredited, AUDITOR, sender=owner).events == []


@pytest.mark.parametrize("method", ["suspend", "reinstate", "revoke"])
def test_unaccredited_key_rejected(registry, owner, reverts, method):
    with reverts(registry.AttesterRegistryNotAccredited, key=OTHER_KEY, role=AUDITOR):
        getattr(registry, method)(OTHER_KEY, AUDITOR, sender=owner)


@pytest.mark.parametrize("method", ["suspend", "reinstate"])
def test_revoked_key_cannot_be_suspended_or_reinstated(
    registry, owner, accredited, reverts, method
):
    registry.revoke(accredited, AUDITOR, sender=owner)

    with reverts(registry.AttesterRegistryKeyRevoked, key=accredited, role=AUDITOR):
        getattr(registry, method)(accredited, AUDITOR, sender=owner)


# --- revocation -----------------------------------------------------------------------------


def test_revoke_is_final_and_timestamped(registry, owner, accredited):
    tx = registry.revoke(accredited, AUDITOR, sender=owner)

    assert tx.events == [registry.KeyRevoked(key=accredited, role=AUDITOR, revokedAt=tx.timestamp)]
    assert registry.accreditation(accredited, AUDITOR).revokedAt == tx.timestamp
    assert not registry.isAccredited(accredited, AUDITOR, T0)


def test_revoke_again_keeps_first_time(registry, owner, accredited, chain):
    first = registry.revoke(accredited, AUDITOR, sender=owner)
    chain.pending_timestamp += 100

    again = registry.revoke(accredited, AUDITOR, sender=owner)

    assert again.events == []
    assert registry.accreditation(accredited, AUDITOR).revokedAt == first.timestamp


def test_revoke_suspended_key(registry, owner, accredited):
    registry.suspend(accredited, AUDITOR, sender=owner)

    tx = registry.revoke(accredited, AUDITOR, sender=owner)

    assert len(tx.decode_logs(registry.KeyRevoked)) == 1
    assert not registry.isAccredited(accredited, AUDITOR, T0)


def test_revocation_is_per_role(registry, owner, accredited):
    registry.accredit(accredited, ISSUER, T0, 0, sender=owner)

    registry.revoke(accredited, AUDITOR, sender=owner)

    assert registry.isAccredited(accredited, ISSUER, T0)


# --- anchorers ------------------------------------------------------------------------------


def test_add_and_remove_anchorer(registry, owner, stranger):
    assert not registry.isAnchorer(stranger)

    tx = registry.addAnchorer(stranger, sender=owner)

    assert tx.events == [registry.AnchorerAdded(account=stranger)]
    assert registry.isAnchorer(stranger)

    tx = registry.removeAnchorer(stranger, sender=owner)

    assert tx.events == [registry.AnchorerRemoved(account=stranger)]
    assert not registry.isAnchorer(stranger)


def test_anchorer_changes_are_idempotent(registry, owner, anchorer, stranger):
    assert registry.addAnchorer(anchorer, sender=owner).events == []
    assert registry.removeAnchorer(stranger, sender=owner).events == []
    assert registry.isAnchorer(anchorer)


@pytest.mark.parametrize("method", ["addAnchorer", "removeAnchorer"])
def test_zero_anchorer_rejected(registry, owner, reverts, method):
    with reverts(registry.AttesterRegistryZeroAddress):
        getattr(registry, method)(ZERO_ADDRESS, sender=owner)
