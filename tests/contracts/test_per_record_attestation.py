"""PerRecordAttestation, the benchmark baseline: one stored record and one event per call."""

import pytest

pytestmark = pytest.mark.usefixtures("role_accounts")

FACILITY = bytes.fromhex("fa" * 32)
AUDIT_HASH = bytes.fromhex("ad" * 32)
VALID_UNTIL = 1_900_000_000


@pytest.fixture
def baseline(project, owner):
    return owner.deploy(project.PerRecordAttestation)


def test_attest_stores_and_emits(baseline, stranger):
    tx = baseline.attest(FACILITY, AUDIT_HASH, 4, VALID_UNTIL, sender=stranger)

    assert tx.events == [
        baseline.Attested(
            id=1,
            facilityId=FACILITY,
            attester=stranger,
            auditHash=AUDIT_HASH,
            rating=4,
            validUntil=VALID_UNTIL,
        )
    ]
    stored = baseline.attestation(1)
    assert (stored.facilityId, stored.auditHash, stored.attestedAt) == (
        FACILITY,
        AUDIT_HASH,
        tx.timestamp,
    )
    assert (stored.validUntil, stored.rating) == (VALID_UNTIL, 4)
    assert baseline.attestationCount() == 1
    assert baseline.version() == "1.0.0"


def test_ids_count_up(baseline, stranger, anchorer):
    baseline.attest(FACILITY, AUDIT_HASH, 1, VALID_UNTIL, sender=stranger)

    tx = baseline.attest(FACILITY, AUDIT_HASH, 2, VALID_UNTIL, sender=anchorer)

    [log] = tx.decode_logs(baseline.Attested)
    assert log.id == 2
    assert baseline.attestationCount() == 2
    assert baseline.attestation(2).rating == 2


def test_gas_per_record(baseline, stranger):
    baseline.attest(FACILITY, AUDIT_HASH, 1, VALID_UNTIL, sender=stranger)

    tx = baseline.attest(bytes.fromhex("fb" * 32), AUDIT_HASH, 2, VALID_UNTIL, sender=stranger)

    print(f"PerRecordAttestation.attest(): {tx.gas_used} gas per record")
    assert tx.gas_used > 60_000  # three new slots: dearer than a whole anchored batch
