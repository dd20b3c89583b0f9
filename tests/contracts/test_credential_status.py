"""CredentialStatus: who may write, issuer accreditation and binding, and transitions."""

import pytest

pytestmark = pytest.mark.usefixtures("role_accounts")

ISSUER_KEY = bytes.fromhex("11" * 32)
OTHER_ISSUER_KEY = bytes.fromhex("22" * 32)
CREDENTIAL = bytes.fromhex("c0" * 32)
OTHER_CREDENTIAL = bytes.fromhex("c1" * 32)
UNKNOWN_KEY = bytes.fromhex("99" * 32)
ZERO_KEY = b"\x00" * 32
ACTIVE, SUSPENDED, REVOKED = 0, 1, 2
REASON = 7
ISSUER = 2


@pytest.fixture(scope="module", autouse=True)
def issuers(registry, owner, chain):
    """ISSUER_KEY and OTHER_ISSUER_KEY accredited as issuers from an hour ago, open-ended."""
    valid_from = chain.pending_timestamp - 3600
    for key in (ISSUER_KEY, OTHER_ISSUER_KEY):
        registry.accredit(key, ISSUER, valid_from, 0, sender=owner)


def test_metadata(status, registry):
    assert status.version() == "1.0.0"
    assert status.registry() == registry.address
    assert (status.STATUS_ACTIVE(), status.STATUS_SUSPENDED(), status.STATUS_REVOKED()) == (
        ACTIVE,
        SUSPENDED,
        REVOKED,
    )


def test_unknown_credential_is_active_and_unbound(status):
    assert status.statusOf(CREDENTIAL) == (ACTIVE, 0, ZERO_KEY)


# --- who may write --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["suspend", "revoke", "reinstate"])
def test_only_anchorers_write(status, owner, stranger, reverts, method):
    for caller in (stranger, owner):
        with reverts(status.CredentialStatusNotAnchorer, caller=caller.address):
            getattr(status, method)(CREDENTIAL, ISSUER_KEY, REASON, sender=caller)


@pytest.mark.parametrize("method", ["suspend", "revoke", "reinstate"])
@pytest.mark.parametrize("issuer_key", [UNKNOWN_KEY, ZERO_KEY])
def test_unaccredited_issuer_rejected(status, anchorer, reverts, method, issuer_key):
    with reverts(status.CredentialStatusIssuerNotAccredited, issuerKey=issuer_key):
        getattr(status, method)(CREDENTIAL, issuer_key, REASON, sender=anchorer)


def test_key_of_another_role_rejected(status, registry, owner, anchorer, chain, reverts):
    registry.accredit(
        UNKNOWN_KEY, registry.ROLE_AUDITOR(), chain.pending_timestamp - 1, 0, sender=owner
    )

    with reverts(status.CredentialStatusIssuerNotAccredited, issuerKey=UNKNOWN_KEY):
        status.suspend(CREDENTIAL, UNKNOWN_KEY, REASON, sender=anchorer)


def test_suspended_issuer_rejected(status, registry, owner, anchorer, reverts):
    registry.suspend(ISSUER_KEY, ISSUER, sender=owner)

    with reverts(status.CredentialStatusIssuerNotAccredited, issuerKey=ISSUER_KEY):
        status.suspend(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)
    registry.reinstate(ISSUER_KEY, ISSUER, sender=owner)
    status.suspend(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)


def test_revoked_issuer_rejected(status, registry, owner, anchorer, reverts):
    status.suspend(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)
    registry.revoke(ISSUER_KEY, ISSUER, sender=owner)

    with reverts(status.CredentialStatusIssuerNotAccredited, issuerKey=ISSUER_KEY):
        status.reinstate(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)


def test_issuer_window_uses_block_time(status, registry, owner, anchorer, chain, reverts):
    now = chain.pending_timestamp
    registry.accredit(UNKNOWN_KEY, ISSUER, now + 1_000, now + 2_000, sender=owner)

    with reverts(status.CredentialStatusIssuerNotAccredited, issuerKey=UNKNOWN_KEY):
        status.suspend(CREDENTIAL, UNKNOWN_KEY, REASON, sender=anchorer)
    chain.pending_timestamp = now + 1_000
    status.suspend(CREDENTIAL, UNKNOWN_KEY, REASON, sender=anchorer)
    chain.pending_timestamp = now + 2_000
    with reverts(status.CredentialStatusIssuerNotAccredited, issuerKey=UNKNOWN_KEY):
        status.reinstate(CREDENTIAL, UNKNOWN_KEY, REASON, sender=anchorer)


# --- issuer binding -------------------------------------------------------------------------


def test_first_write_binds_issuer(status, anchorer, reverts):
    status.suspend(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)

    for method in ("suspend", "revoke", "reinstate"):
        with reverts(
            status.CredentialStatusWrongIssuer, credentialId=CREDENTIAL, issuerKey=OTHER_ISSUER_KEY
        ):
            getattr(status, method)(CREDENTIAL, OTHER_ISSUER_KEY, REASON, sender=anchorer)
    assert status.statusOf(CREDENTIAL)[2] == ISSUER_KEY


def test_binding_is_per_credential(status, anchorer):
    status.suspend(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)

    status.suspend(OTHER_CREDENTIAL, OTHER_ISSUER_KEY, REASON, sender=anchorer)

    assert status.statusOf(OTHER_CREDENTIAL)[2] == OTHER_ISSUER_KEY


def test_binding_survives_reinstatement(status, anchorer, reverts):
    status.suspend(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)
    status.reinstate(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)

    with reverts(
        status.CredentialStatusWrongIssuer, credentialId=CREDENTIAL, issuerKey=OTHER_ISSUER_KEY
    ):
        status.suspend(CREDENTIAL, OTHER_ISSUER_KEY, REASON, sender=anchorer)


# --- transitions ----------------------------------------------------------------------------


def test_suspend_then_reinstate(status, anchorer):
    tx = status.suspend(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)

    assert tx.events == [
        status.StatusChanged(
            credentialId=CREDENTIAL, issuerKey=ISSUER_KEY, status=SUSPENDED, reason=REASON
        )
    ]
    assert status.statusOf(CREDENTIAL) == (SUSPENDED, tx.timestamp, ISSUER_KEY)

    tx = status.reinstate(CREDENTIAL, ISSUER_KEY, 0, sender=anchorer)

    assert tx.events == [
        status.StatusChanged(credentialId=CREDENTIAL, issuerKey=ISSUER_KEY, status=ACTIVE, reason=0)
    ]
    assert status.statusOf(CREDENTIAL) == (ACTIVE, tx.timestamp, ISSUER_KEY)


@pytest.mark.parametrize("suspended_first", [False, True])
def test_revoke_from_active_or_suspended(status, anchorer, suspended_first):
    if suspended_first:
        status.suspend(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)

    tx = status.revoke(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)

    [log] = tx.decode_logs(status.StatusChanged)
    assert (log.credentialId, log.issuerKey, log.status, log.reason) == (
        CREDENTIAL,
        ISSUER_KEY,
        REVOKED,
        REASON,
    )
    assert status.statusOf(CREDENTIAL) == (REVOKED, tx.timestamp, ISSUER_KEY)


@pytest.mark.parametrize("method", ["suspend", "revoke", "reinstate"])
def test_revoked_is_final(status, anchorer, reverts, method):
    status.revoke(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)

    with reverts(status.CredentialStatusRevoked, credentialId=CREDENTIAL):
        getattr(status, method)(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)


def test_suspend_suspended_rejected(status, anchorer, reverts):
    status.suspend(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)

    with reverts(status.CredentialStatusAlreadySuspended, credentialId=CREDENTIAL):
        status.suspend(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)


def test_reinstate_active_rejected(status, anchorer, reverts):
    with reverts(status.CredentialStatusNotSuspended, credentialId=CREDENTIAL):
        status.reinstate(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)
    # A rejected first write binds nothing.
    assert status.statusOf(CREDENTIAL) == (ACTIVE, 0, ZERO_KEY)

    status.suspend(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)
    status.reinstate(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)
    with reverts(status.CredentialStatusNotSuspended, credentialId=CREDENTIAL):
        status.reinstate(CREDENTIAL, ISSUER_KEY, REASON, sender=anchorer)
