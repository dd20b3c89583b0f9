"""Signed envelopes: every check fails on its own, with its own error."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from ledger.envelope import Accreditation, Envelope, sign_envelope
from ledger.envelope import verify_envelope as verify_with_roles
from ledger.errors import (
    ClockSkew,
    NonceReplayed,
    NotAccredited,
    SchemaViolation,
    SignatureError,
    SignerRevoked,
    SignerSuspended,
    UnknownSigner,
)
from ledger.keys import SigningKey, VerifyKey
from ledger.roles import Role
from ledger.types import Did

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
YEAR_AGO = NOW - timedelta(days=365)
AUDITORS = frozenset({Role.AUDITOR})


def verify_envelope(roles: frozenset[Role], envelope: Envelope, **kwargs: object):  # type: ignore[no-untyped-def]
    return verify_with_roles(envelope, roles=roles, **kwargs)  # type: ignore[arg-type]


class Registry:
    """An in-memory accreditation table (the database mirror is tested in test_service)."""

    def __init__(self) -> None:
        self.rows: dict[bytes, list[Accreditation]] = {}

    def add(self, key: SigningKey, accreditation: Accreditation) -> None:
        self.rows.setdefault(key.verify_key.raw, []).append(accreditation)

    def accreditations(self, key: VerifyKey) -> Sequence[Accreditation]:
        return self.rows.get(key.raw, [])


class Nonces:
    def __init__(self, used: set[tuple[str, str]] | None = None) -> None:
        self.used = used or set()

    def is_nonce_used(self, signer: Did, nonce: str) -> bool:
        return (signer, nonce) in self.used


@pytest.fixture
def auditor() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def registry(auditor: SigningKey) -> Registry:
    registry = Registry()
    registry.add(auditor, Accreditation(Role.AUDITOR, valid_from=YEAR_AGO))
    return registry


def audit(key: SigningKey, **kwargs: object) -> Envelope:
    return sign_envelope(
        "audit", {"facility": "fac-1"}, key, created=kwargs.pop("created", NOW), **kwargs
    )  # type: ignore[arg-type]


def test_valid_envelope_passes(auditor: SigningKey, registry: Registry) -> None:
    verified = verify_envelope(
        AUDITORS, audit(auditor), accreditations=registry, nonces=Nonces(), now=NOW
    )
    assert verified.role is Role.AUDITOR and verified.key == auditor.verify_key


def test_round_trip_through_dict(auditor: SigningKey) -> None:
    envelope = audit(auditor)
    again = Envelope.from_dict(envelope.to_dict())
    assert again == envelope and again.record_id == envelope.record_id
    again.verify_signature()


@pytest.mark.parametrize("field", ["kind", "payload", "created", "nonce", "signer"])
def test_any_changed_field_breaks_the_signature(
    auditor: SigningKey, registry: Registry, field: str
) -> None:
    data = audit(auditor).to_dict()
    data[field] = {
        "kind": "wage", "payload": {"facility": "fac-2"}, "created": "2026-11-26T12:00:01Z",
        "nonce": "f" * 32, "signer": SigningKey.generate().did,
    }[field]  # fmt: skip
    with pytest.raises(SignatureError):
        verify_envelope(AUDITORS, Envelope.from_dict(data), accreditations=registry, now=NOW)


def test_unknown_signer(registry: Registry) -> None:
    with pytest.raises(UnknownSigner):
        verify_envelope(AUDITORS, audit(SigningKey.generate()), accreditations=registry, now=NOW)


def test_wrong_role_is_not_accredited(registry: Registry) -> None:
    employer = SigningKey.generate()
    registry.add(employer, Accreditation(Role.EMPLOYER, valid_from=YEAR_AGO))
    with pytest.raises(NotAccredited):
        verify_envelope(AUDITORS, audit(employer), accreditations=registry, now=NOW)


def test_outside_validity_window_is_not_accredited(registry: Registry) -> None:
    late = SigningKey.generate()
    registry.add(late, Accreditation(Role.AUDITOR, valid_from=NOW + timedelta(hours=1)))
    expired = SigningKey.generate()
    registry.add(
        expired,
        Accreditation(Role.AUDITOR, valid_from=YEAR_AGO, valid_until=NOW - timedelta(days=1)),
    )
    for key in (late, expired):
        with pytest.raises(NotAccredited):
            verify_envelope(AUDITORS, audit(key), accreditations=registry, now=NOW)


def test_suspended_signer_has_its_own_code(registry: Registry) -> None:
    suspended = SigningKey.generate()
    registry.add(suspended, Accreditation(Role.AUDITOR, valid_from=YEAR_AGO, suspended=True))
    with pytest.raises(SignerSuspended) as caught:
        verify_envelope(AUDITORS, audit(suspended), accreditations=registry, now=NOW)
    assert caught.value.code == "signer_suspended"


def test_backdated_created_does_not_outlive_an_expired_accreditation(registry: Registry) -> None:
    """Valid at ``created`` (two days ago, within the 7-day max age) but expired since."""
    lapsed = SigningKey.generate()
    registry.add(
        lapsed,
        Accreditation(Role.AUDITOR, valid_from=YEAR_AGO, valid_until=NOW - timedelta(days=1)),
    )
    backdated = audit(lapsed, created=NOW - timedelta(days=2))
    with pytest.raises(NotAccredited, match="does not hold now"):
        verify_envelope(AUDITORS, backdated, accreditations=registry, now=NOW)


def test_revoked_signer(registry: Registry) -> None:
    revoked = SigningKey.generate()
    registry.add(
        revoked,
        Accreditation(Role.AUDITOR, valid_from=YEAR_AGO, revoked_at=NOW - timedelta(days=2)),
    )
    with pytest.raises(SignerRevoked):
        verify_envelope(AUDITORS, audit(revoked), accreditations=registry, now=NOW)


@pytest.mark.parametrize("offset", [timedelta(minutes=6), -timedelta(days=8)])
def test_clock_skew(auditor: SigningKey, registry: Registry, offset: timedelta) -> None:
    # Accredited from long ago, so only the skew check can fail.
    with pytest.raises(ClockSkew):
        verify_envelope(
            AUDITORS, audit(auditor, created=NOW + offset), accreditations=registry, now=NOW
        )


def test_within_skew_passes(auditor: SigningKey, registry: Registry) -> None:
    for offset in (timedelta(minutes=4), -timedelta(days=6)):
        verify_envelope(
            AUDITORS, audit(auditor, created=NOW + offset), accreditations=registry, now=NOW
        )


def test_replayed_nonce(auditor: SigningKey, registry: Registry) -> None:
    envelope = audit(auditor, nonce="a" * 32)
    with pytest.raises(NonceReplayed):
        verify_envelope(
            AUDITORS,
            envelope,
            accreditations=registry,
            nonces=Nonces({(auditor.did, "a" * 32)}),
            now=NOW,
        )


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("nonce"), "nonce"),
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d.update(kind="Gossip!"), "kind"),
        (lambda d: d.update(kind=7), "kind"),
        (lambda d: d.update(payload=[1]), "payload"),
        (lambda d: d.update(signer="did:web:x"), "signer"),
        (lambda d: d.update(created="yesterday"), "created"),
        (lambda d: d.update(created="2026-11-26T12:00:00"), "created"),
        (lambda d: d.update(nonce="short"), "nonce"),
        (lambda d: d.update(nonce="a" * 32 + "\n"), "nonce"),  # `$` would let this through
        (lambda d: d.update(created="20261126T120000Z"), "created"),  # ISO 8601 basic format
        (lambda d: d.update(created="2026-11-26T12:00:00.123456789Z"), "created"),  # 9 digits
        (lambda d: d.update(created="2026-11-26t12:00:00z"), "created"),
        (lambda d: d.update(created="2026-11-26 12:00:00Z"), "created"),
        (lambda d: d.update(signature="0xabc"), "signature"),
        (lambda d: d.update(signature="z2"), "signature"),
    ],
)
def test_malformed_envelopes_name_the_field(auditor: SigningKey, mutate, field: str) -> None:  # type: ignore[no-untyped-def]
    data = audit(auditor).to_dict()
    mutate(data)
    with pytest.raises(SchemaViolation) as caught:
        Envelope.from_dict(data)
    assert caught.value.field == field


def test_spliced_canonical_form_equals_a_full_serialisation(auditor: SigningKey) -> None:
    from ledger.canonical import canonicalize

    for payload in ({"a": 1}, {"signer": "x", "zz": ["signature"]}, {"\U0001f600": 1.5}):
        envelope = sign_envelope("audit", payload, auditor, created=NOW)
        assert envelope.canonical() == canonicalize(envelope.to_dict())
