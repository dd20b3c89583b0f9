"""CredentialStatus: who may write, registration binds the issuer key, every change names the
issuer-signed record it relays, transitions, and the admin voiding a compromised issuer key."""

import pytest

pytestmark = pytest.mark.usefixtures("role_accounts")

ISSUER_KEY = bytes.fromhex("11" * 32)
OTHER_ISSUER_KEY = bytes.fromhex("22" * 32)
CREDENTIAL = bytes.fromhex("c0" * 32)
OTHER_CREDENTIAL = bytes.fromhex("c1" * 32)
THIRD_CREDENTIAL = bytes.fromhex("c2" * 32)
UNKNOWN_KEY = bytes.fromhex("99" * 32)
ZERO = b"\x00" * 32
REGISTRATION = bytes.fromhex("e0" * 32)  # record id of the issuer-signed `credential` envelope
RECORD = bytes.fromhex("e1" * 32)  # record id of an issuer-signed `credential_status` envelope
OTHER_RECORD = bytes.fromhex("e2" * 32)
ACTIVE, SUSPENDED, REVOKED = 0, 1, 2
REASON = 7
ISSUER = 2
CHANGES = ["suspend", "revoke", "reinstate"]


@pytest.fixture(scope="module", autouse=True)
def issuers(registry, owner, chain):
    """ISSUER_KEY and OTHER_ISSUER_KEY accredited as issuers from an hour ago, open-ended."""
    valid_from = chain.pending_timestamp - 3600
    for key in (ISSUER_KEY, OTHER_ISSUER_KEY):
        registry.accredit(key, ISSUER, valid_from, 0, sender=owner)


@pytest.fixture
def registered(status, anchorer):
    """CREDENTIAL registered by ISSUER_KEY."""
    return status.register(CREDENTIAL, ISSUER_KEY, REGISTRATION, sender=anchorer)


def entry(status, credential_id):
    found = status.entryOf(credential_id)
    return (
        found.issuerKey,
        found.registrationRecord,
        found.statusRecord,
        found.updatedAt,
        found.status,
        found.registered,
    )


def test_metadata(status, registry):
    assert status.version() == "2.0.0"
    assert status.registry() == registry.address
    assert (status.STATUS_ACTIVE(), status.STATUS_SUSPENDED(), status.STATUS_REVOKED()) == (
        ACTIVE,
        SUSPENDED,
        REVOKED,
    )


def test_unknown_credential_is_active_and_unbound(status):
    assert status.statusOf(CREDENTIAL) == (ACTIVE, 0, ZERO)
    assert entry(status, CREDENTIAL) == (ZERO, ZERO, ZERO, 0, ACTIVE, False)
    assert status.issuerRevokedAt(ISSUER_KEY) == 0


# --- registration ---------------------------------------------------------------------------


def test_register_binds_and_emits(status, anchorer):
    tx = status.register(CREDENTIAL, ISSUER_KEY, REGISTRATION, sender=anchorer)

    assert tx.events == [
        status.CredentialRegistered(
            credentialId=CREDENTIAL, issuerKey=ISSUER_KEY, recordHash=REGISTRATION
        )
    ]
    assert status.statusOf(CREDENTIAL) == (ACTIVE, tx.timestamp, ISSUER_KEY)
    assert entry(status, CREDENTIAL) == (ISSUER_KEY, REGISTRATION, ZERO, tx.timestamp, ACTIVE, True)


def test_register_twice_rejected(status, anchorer, registered, reverts):
    for key in (ISSUER_KEY, OTHER_ISSUER_KEY):
        with reverts(status.CredentialStatusAlreadyRegistered, credentialId=CREDENTIAL):
            status.register(CREDENTIAL, key, OTHER_RECORD, sender=anchorer)

    assert entry(status, CREDENTIAL)[:2] == (ISSUER_KEY, REGISTRATION)


def test_only_anchorers_register(status, owner, stranger, reverts):
    for caller in (stranger, owner):
        with reverts(status.CredentialStatusNotAnchorer, caller=caller.address):
            status.register(CREDENTIAL, ISSUER_KEY, REGISTRATION, sender=caller)


@pytest.mark.parametrize("issuer_key", [UNKNOWN_KEY, ZERO])
def test_anchorer_cannot_bind_to_a_key_never_accredited(status, anchorer, reverts, issuer_key):
    with reverts(status.CredentialStatusIssuerNotAccredited, issuerKey=issuer_key):
        status.register(CREDENTIAL, issuer_key, REGISTRATION, sender=anchorer)

    assert status.statusOf(CREDENTIAL) == (ACTIVE, 0, ZERO)


def test_register_needs_a_record(status, anchorer, reverts):
    with reverts(status.CredentialStatusZeroRecord):
        status.register(CREDENTIAL, ISSUER_KEY, ZERO, sender=anchorer)


def test_register_with_key_of_another_role_rejected(
    status, registry, owner, anchorer, chain, reverts
):
    registry.accredit(
        UNKNOWN_KEY, registry.ROLE_AUDITOR(), chain.pending_timestamp - 1, 0, sender=owner
    )

    with reverts(status.CredentialStatusIssuerNotAccredited, issuerKey=UNKNOWN_KEY):
        status.register(CREDENTIAL, UNKNOWN_KEY, REGISTRATION, sender=anchorer)


def test_binding_is_per_credential(status, anchorer, registered):
    status.register(OTHER_CREDENTIAL, OTHER_ISSUER_KEY, OTHER_RECORD, sender=anchorer)

    assert status.statusOf(OTHER_CREDENTIAL)[2] == OTHER_ISSUER_KEY
    assert status.statusOf(CREDENTIAL)[2] == ISSUER_KEY


# --- who may change a status ----------------------------------------------------------------


@pytest.mark.parametrize("method", CHANGES)
def test_only_anchorers_change(status, owner, stranger, registered, reverts, method):
    for caller in (stranger, owner):
        with reverts(status.CredentialStatusNotAnchorer, caller=caller.address):
            getattr(status, method)(CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=caller)


@pytest.mark.parametrize("method", CHANGES)
def test_unregistered_credential_cannot_change(status, anchorer, reverts, method):
    # The old contract bound a credential to whichever key its first status write named.
    with reverts(status.CredentialStatusNotRegistered, credentialId=CREDENTIAL):
        getattr(status, method)(CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=anchorer)

    assert status.statusOf(CREDENTIAL) == (ACTIVE, 0, ZERO)


@pytest.mark.parametrize("method", CHANGES)
def test_anchorer_cannot_change_a_credential_bound_to_another_key(
    status, anchorer, registered, reverts, method
):
    with reverts(
        status.CredentialStatusWrongIssuer, credentialId=CREDENTIAL, issuerKey=OTHER_ISSUER_KEY
    ):
        getattr(status, method)(CREDENTIAL, OTHER_ISSUER_KEY, REASON, RECORD, sender=anchorer)

    assert status.statusOf(CREDENTIAL) == (ACTIVE, registered.timestamp, ISSUER_KEY)


@pytest.mark.parametrize("method", CHANGES)
def test_change_needs_a_record(status, anchorer, registered, reverts, method):
    with reverts(status.CredentialStatusZeroRecord):
        getattr(status, method)(CREDENTIAL, ISSUER_KEY, REASON, ZERO, sender=anchorer)


def test_suspended_issuer_rejected(status, registry, owner, anchorer, registered, reverts):
    registry.suspend(ISSUER_KEY, ISSUER, sender=owner)

    with reverts(status.CredentialStatusIssuerNotAccredited, issuerKey=ISSUER_KEY):
        status.suspend(CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=anchorer)
    with reverts(status.CredentialStatusIssuerNotAccredited, issuerKey=ISSUER_KEY):
        status.register(OTHER_CREDENTIAL, ISSUER_KEY, OTHER_RECORD, sender=anchorer)
    registry.reinstate(ISSUER_KEY, ISSUER, sender=owner)
    status.suspend(CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=anchorer)


def test_issuer_revoked_in_registry_rejected(
    status, registry, owner, anchorer, registered, reverts
):
    status.suspend(CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=anchorer)
    registry.revoke(ISSUER_KEY, ISSUER, sender=owner)

    with reverts(status.CredentialStatusIssuerNotAccredited, issuerKey=ISSUER_KEY):
        status.reinstate(CREDENTIAL, ISSUER_KEY, REASON, OTHER_RECORD, sender=anchorer)


def test_issuer_window_uses_block_time(status, registry, owner, anchorer, chain, reverts):
    now = chain.pending_timestamp
    registry.accredit(UNKNOWN_KEY, ISSUER, now + 1_000, now + 2_000, sender=owner)

    with reverts(status.CredentialStatusIssuerNotAccredited, issuerKey=UNKNOWN_KEY):
        status.register(CREDENTIAL, UNKNOWN_KEY, REGISTRATION, sender=anchorer)
    chain.pending_timestamp = now + 1_000
    status.register(CREDENTIAL, UNKNOWN_KEY, REGISTRATION, sender=anchorer)
    status.suspend(CREDENTIAL, UNKNOWN_KEY, REASON, RECORD, sender=anchorer)
    chain.pending_timestamp = now + 2_000
    with reverts(status.CredentialStatusIssuerNotAccredited, issuerKey=UNKNOWN_KEY):
        status.reinstate(CREDENTIAL, UNKNOWN_KEY, REASON, OTHER_RECORD, sender=anchorer)


# --- transitions ----------------------------------------------------------------------------


def test_suspend_then_reinstate(status, anchorer, registered):
    tx = status.suspend(CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=anchorer)

    assert tx.events == [
        status.StatusChanged(
            credentialId=CREDENTIAL,
            issuerKey=ISSUER_KEY,
            status=SUSPENDED,
            reason=REASON,
            recordHash=RECORD,
        )
    ]
    assert status.statusOf(CREDENTIAL) == (SUSPENDED, tx.timestamp, ISSUER_KEY)
    assert entry(status, CREDENTIAL) == (
        ISSUER_KEY, REGISTRATION, RECORD, tx.timestamp, SUSPENDED, True
    )  # fmt: skip

    tx = status.reinstate(CREDENTIAL, ISSUER_KEY, 0, OTHER_RECORD, sender=anchorer)

    assert tx.events == [
        status.StatusChanged(
            credentialId=CREDENTIAL,
            issuerKey=ISSUER_KEY,
            status=ACTIVE,
            reason=0,
            recordHash=OTHER_RECORD,
        )
    ]
    assert status.statusOf(CREDENTIAL) == (ACTIVE, tx.timestamp, ISSUER_KEY)
    # The entry keeps the last status record (and the registration record, for good).
    assert entry(status, CREDENTIAL)[:3] == (ISSUER_KEY, REGISTRATION, OTHER_RECORD)


@pytest.mark.parametrize("suspended_first", [False, True])
def test_revoke_from_active_or_suspended(status, anchorer, registered, suspended_first):
    if suspended_first:
        status.suspend(CREDENTIAL, ISSUER_KEY, REASON, OTHER_RECORD, sender=anchorer)

    tx = status.revoke(CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=anchorer)

    [log] = tx.decode_logs(status.StatusChanged)
    assert (log.credentialId, log.issuerKey, log.status, log.reason, log.recordHash) == (
        CREDENTIAL,
        ISSUER_KEY,
        REVOKED,
        REASON,
        RECORD,
    )
    assert status.statusOf(CREDENTIAL) == (REVOKED, tx.timestamp, ISSUER_KEY)
    assert entry(status, CREDENTIAL)[2] == RECORD


@pytest.mark.parametrize("method", CHANGES)
def test_revoked_is_final(status, anchorer, registered, reverts, method):
    status.revoke(CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=anchorer)

    with reverts(status.CredentialStatusRevoked, credentialId=CREDENTIAL):
        getattr(status, method)(CREDENTIAL, ISSUER_KEY, REASON, OTHER_RECORD, sender=anchorer)
    assert entry(status, CREDENTIAL)[2] == RECORD


def test_suspend_suspended_rejected(status, anchorer, registered, reverts):
    status.suspend(CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=anchorer)

    with reverts(status.CredentialStatusAlreadySuspended, credentialId=CREDENTIAL):
        status.suspend(CREDENTIAL, ISSUER_KEY, REASON, OTHER_RECORD, sender=anchorer)


def test_reinstate_active_rejected(status, anchorer, registered, reverts):
    with reverts(status.CredentialStatusNotSuspended, credentialId=CREDENTIAL):
        status.reinstate(CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=anchorer)
    assert entry(status, CREDENTIAL)[2:5] == (ZERO, registered.timestamp, ACTIVE)

    status.suspend(CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=anchorer)
    status.reinstate(CREDENTIAL, ISSUER_KEY, REASON, OTHER_RECORD, sender=anchorer)
    with reverts(status.CredentialStatusNotSuspended, credentialId=CREDENTIAL):
        status.reinstate(CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=anchorer)


# --- the admin voids a compromised issuer key -----------------------------------------------


def test_revoke_issuer_flips_every_bound_credential(status, owner, anchorer, chain):
    status.register(CREDENTIAL, ISSUER_KEY, REGISTRATION, sender=anchorer)
    status.register(OTHER_CREDENTIAL, ISSUER_KEY, OTHER_RECORD, sender=anchorer)
    status.suspend(OTHER_CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=anchorer)
    early = status.register(THIRD_CREDENTIAL, ISSUER_KEY, RECORD, sender=anchorer)
    revoked_early = status.revoke(
        THIRD_CREDENTIAL, ISSUER_KEY, REASON, OTHER_RECORD, sender=anchorer
    )
    status.register(bytes.fromhex("c9" * 32), OTHER_ISSUER_KEY, RECORD, sender=anchorer)
    chain.pending_timestamp += 60

    tx = status.revokeIssuer(ISSUER_KEY, sender=owner)

    assert tx.events == [status.IssuerRevoked(issuerKey=ISSUER_KEY, revokedAt=tx.timestamp)]
    assert status.issuerRevokedAt(ISSUER_KEY) == tx.timestamp
    assert status.statusOf(CREDENTIAL) == (REVOKED, tx.timestamp, ISSUER_KEY)
    assert status.statusOf(OTHER_CREDENTIAL) == (REVOKED, tx.timestamp, ISSUER_KEY)
    # Revoked by its issuer before: it keeps its own time.
    assert early.timestamp <= revoked_early.timestamp < tx.timestamp
    assert status.statusOf(THIRD_CREDENTIAL) == (REVOKED, revoked_early.timestamp, ISSUER_KEY)
    # Another issuer's credential, and unregistered ones, are untouched.
    assert status.statusOf(bytes.fromhex("c9" * 32))[0] == ACTIVE
    assert status.statusOf(bytes.fromhex("c8" * 32)) == (ACTIVE, 0, ZERO)
    assert entry(status, CREDENTIAL) == (
        ISSUER_KEY,
        REGISTRATION,
        ZERO,
        tx.timestamp,
        REVOKED,
        True,
    )


def test_revoked_issuer_can_register_and_change_nothing(
    status, registry, owner, anchorer, chain, registered, reverts
):
    status.revokeIssuer(ISSUER_KEY, sender=owner)
    # Still accredited in the registry: the revocation here is what stops it.
    assert registry.isAccredited(ISSUER_KEY, ISSUER, chain.pending_timestamp)

    with reverts(status.CredentialStatusIssuerRevoked, issuerKey=ISSUER_KEY):
        status.register(OTHER_CREDENTIAL, ISSUER_KEY, OTHER_RECORD, sender=anchorer)
    for method in CHANGES:
        with reverts(status.CredentialStatusIssuerRevoked, issuerKey=ISSUER_KEY):
            getattr(status, method)(CREDENTIAL, ISSUER_KEY, REASON, RECORD, sender=anchorer)
    status.register(OTHER_CREDENTIAL, OTHER_ISSUER_KEY, OTHER_RECORD, sender=anchorer)


def test_revoke_issuer_is_admin_only(status, anchorer, stranger, registered, reverts):
    for caller in (anchorer, stranger):
        with reverts(status.CredentialStatusNotAdmin, caller=caller.address):
            status.revokeIssuer(ISSUER_KEY, sender=caller)

    assert status.issuerRevokedAt(ISSUER_KEY) == 0
    assert status.statusOf(CREDENTIAL)[0] == ACTIVE


def test_revoke_issuer_follows_the_registry_admin(
    status, registry, owner, new_owner, registered, reverts
):
    registry.transferOwnership(new_owner, sender=owner)
    registry.acceptOwnership(sender=new_owner)

    with reverts(status.CredentialStatusNotAdmin, caller=owner.address):
        status.revokeIssuer(ISSUER_KEY, sender=owner)
    status.revokeIssuer(ISSUER_KEY, sender=new_owner)

    assert status.statusOf(CREDENTIAL)[0] == REVOKED


def test_revoke_issuer_twice_rejected(status, owner, chain, reverts):
    first = status.revokeIssuer(ISSUER_KEY, sender=owner)
    chain.pending_timestamp += 100

    with reverts(status.CredentialStatusIssuerRevoked, issuerKey=ISSUER_KEY):
        status.revokeIssuer(ISSUER_KEY, sender=owner)
    assert status.issuerRevokedAt(ISSUER_KEY) == first.timestamp


def test_revoke_zero_issuer_rejected(status, owner, reverts):
    with reverts(status.CredentialStatusZeroIssuerKey):
        status.revokeIssuer(ZERO, sender=owner)
