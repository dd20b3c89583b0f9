"""Signed envelopes: every check fails on its own, with its own error."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ledger.chain.contracts import facility_scope
from ledger.envelope import Accreditation, Envelope, ScopeGrant, sign_envelope
from ledger.envelope import verify_envelope as verify_with_roles
from ledger.errors import (
    ClockSkew,
    NonceReplayed,
    NotAccredited,
    NotInScope,
    SchemaViolation,
    SignatureError,
    SignerRevoked,
    SignerSuspended,
    UnknownSigner,
)
from ledger.keys import SigningKey, VerifyKey
from ledger.kinds import KindHandler, KindRegistry, Parsed
from ledger.roles import Role
from ledger.scopes import scope_named
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


# -- scopes: a kind that names the facility its signer must be scoped to ----------------------

EMPLOYERS = frozenset({Role.EMPLOYER})
FAC_1, FAC_2 = facility_scope("fac-1"), facility_scope("fac-2")


class PayslipKind(KindHandler):
    """A dummy scoped kind: the signer must hold the scope of ``payload.run.facility``."""

    label = "payslip"
    code = 200
    roles = EMPLOYERS
    scope = "run.facility"

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        return Parsed(dict(payload))


def payslip(key: SigningKey, facility: object = "fac-1", **kwargs: Any) -> Envelope:
    return sign_envelope(
        "payslip", {"run": {"facility": facility}}, key, created=kwargs.pop("created", NOW)
    )


def verify_scoped(envelope: Envelope, registry: Registry, roles: frozenset[Role] = EMPLOYERS):  # type: ignore[no-untyped-def]
    scope = PayslipKind().scope_of(envelope)
    return verify_with_roles(envelope, roles=roles, accreditations=registry, now=NOW, scope=scope)


def employer_with(
    registry: Registry, *, role: Role = Role.EMPLOYER, **scopes: ScopeGrant
) -> SigningKey:
    key = SigningKey.generate()
    held = {facility_scope(name.replace("_", "-")): grant for name, grant in scopes.items()}
    registry.add(key, Accreditation(role, valid_from=YEAR_AGO, scopes=held))
    return key


def test_facility_scope_is_keccak_of_the_packed_prefix_and_id() -> None:
    """Known answers from ethers' solidityPackedKeccak256(["string", "string"],
    ["facility:", id]): what abi.encodePacked gives in the contract's convention."""
    vectors = {
        "fac-1": "e0d5719ea8dd97ae9dd50857d8b5be41ff898dfd109036f2a8040eb705e52371",
        "IN2019067X1K87E": "39347bfbd9ae8e43cf4c2788b2f67e77a2e589cefd78c1bdb7e7e1aa58ebcab1",
        "fabrique-été": "f88c556963790f98b9955c749dc1316e1bd0032e631ef49f46c1ee5c61d648b7",
    }
    for facility, expected in vectors.items():
        assert facility_scope(facility).hex() == expected
    for bad in ("", None, b"fac-1"):
        with pytest.raises(ValueError, match="non-empty string"):
            facility_scope(bad)  # type: ignore[arg-type]


def test_a_signer_scoped_to_the_facility_passes(registry: Registry) -> None:
    employer = employer_with(registry, fac_1=ScopeGrant(YEAR_AGO))
    assert verify_scoped(payslip(employer), registry).role is Role.EMPLOYER


@pytest.mark.parametrize(
    ("grants", "reason"),
    [
        ({}, "never granted"),
        ({"fac_2": ScopeGrant(YEAR_AGO)}, "never granted"),  # another facility's scope
        ({"fac_1": ScopeGrant(NOW - timedelta(days=1))}, "granted it at .* after"),
        ({"fac_1": ScopeGrant(YEAR_AGO, revoked_at=NOW - timedelta(hours=1))}, "lost it"),
        ({"fac_1": ScopeGrant(YEAR_AGO, revoked_at=NOW)}, "lost it"),  # revoked this second
    ],
)
def test_a_signer_without_the_scope_is_not_in_scope(
    registry: Registry, grants: dict[str, ScopeGrant], reason: str
) -> None:
    employer = employer_with(registry, **grants)
    backdated = payslip(employer, created=NOW - timedelta(days=2))
    with pytest.raises(NotInScope, match=reason) as caught:
        verify_scoped(backdated, registry)
    error = caught.value
    assert isinstance(error, NotAccredited)
    assert (error.code, error.check) == ("not_in_scope", "signer_accredited")
    assert error.to_dict()["scope"] == "0x" + FAC_1.hex()
    assert error.to_dict()["role"] == "employer"


def test_a_scope_granted_after_created_but_before_now_is_refused(registry: Registry) -> None:
    """Held now is not enough: a line backdated to before the grant is refused."""
    employer = employer_with(registry, fac_1=ScopeGrant(NOW - timedelta(hours=1)))
    assert verify_scoped(payslip(employer), registry).role is Role.EMPLOYER
    with pytest.raises(NotInScope, match="after"):
        verify_scoped(payslip(employer, created=NOW - timedelta(hours=2)), registry)


def test_a_chain_clock_ahead_of_ours_neither_delays_a_grant_nor_hides_a_revocation(
    registry: Registry,
) -> None:
    """Scope times are block times: the embedded EVM's run ahead of ours in a burst of blocks.
    A line created after the grant's block time is in scope though our clock has not reached
    it; a revocation already seen ends the scope though its block time is still ahead."""
    employer = employer_with(registry, fac_1=ScopeGrant(NOW + timedelta(seconds=30)))
    ahead = payslip(employer, created=NOW + timedelta(minutes=1))
    assert verify_scoped(ahead, registry).role is Role.EMPLOYER
    with pytest.raises(NotInScope, match=r"granted it at 2026-11-26T12:00:30Z, after"):
        verify_scoped(payslip(employer, created=NOW + timedelta(seconds=29)), registry)
    revoked = employer_with(
        registry, fac_1=ScopeGrant(YEAR_AGO, revoked_at=NOW + timedelta(seconds=30))
    )
    with pytest.raises(NotInScope, match="lost it at 2026-11-26T12:00:30Z"):
        verify_scoped(payslip(revoked), registry)


def test_the_scope_must_be_held_in_the_role_signed_under(registry: Registry) -> None:
    """A scope held as auditor does not let the key sign as employer."""
    key = SigningKey.generate()
    registry.add(key, Accreditation(Role.EMPLOYER, valid_from=YEAR_AGO))
    registry.add(
        key, Accreditation(Role.AUDITOR, valid_from=YEAR_AGO, scopes={FAC_1: ScopeGrant(YEAR_AGO)})
    )
    with pytest.raises(NotInScope):
        verify_scoped(payslip(key), registry)
    # With both roles allowed, the one holding the scope is the role signed under.
    both = frozenset({Role.EMPLOYER, Role.AUDITOR})
    assert verify_scoped(payslip(key), registry, roles=both).role is Role.AUDITOR


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"revoked_at": NOW - timedelta(days=1)}, SignerRevoked),
        ({"suspended": True}, SignerSuspended),
        ({"valid_until": NOW - timedelta(days=1)}, NotAccredited),
    ],
)
def test_a_scope_does_not_outlive_its_accreditation(
    registry: Registry, change: dict[str, Any], error: type[Exception]
) -> None:
    key = SigningKey.generate()
    scopes = {FAC_1: ScopeGrant(YEAR_AGO)}
    registry.add(key, Accreditation(Role.EMPLOYER, valid_from=YEAR_AGO, scopes=scopes, **change))
    with pytest.raises(error) as caught:
        verify_scoped(payslip(key), registry)
    assert not isinstance(caught.value, NotInScope)


def test_an_unscoped_kind_ignores_scopes(auditor: SigningKey, registry: Registry) -> None:
    verified = verify_envelope(AUDITORS, audit(auditor), accreditations=registry, now=NOW)
    assert verified.role is Role.AUDITOR
    assert KindRegistry([PayslipKind()]).receipt_rules()["payslip"].scope == "run.facility"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "names no facility at payload.run.facility"),
        ({"run": "fac-1"}, "names no facility"),
        ({"run": {"site": "fac-1"}}, "names no facility"),
        ({"run": {"facility": 7}}, "must be a facility id"),
        ({"run": {"facility": ""}}, "must be a facility id"),
        ({"run": {"facility": "f" * 257}}, "must be a facility id"),
        ({"run": {"facility": "é" * 129}}, "must be a facility id"),  # 258 bytes in UTF-8
        ({"run": {"facility": ["fac-1"]}}, "must be a facility id"),
    ],
)
def test_a_scoped_kind_whose_payload_names_no_facility_is_refused(
    payload: dict[str, Any], message: str
) -> None:
    envelope = sign_envelope("payslip", payload, SigningKey.generate(), created=NOW)
    with pytest.raises(SchemaViolation, match=message) as caught:
        PayslipKind().scope_of(envelope)
    assert caught.value.field == "payload.run.facility"


def test_a_facility_id_is_bounded_in_utf8_bytes() -> None:
    envelope = sign_envelope("payslip", {"run": {"facility": "é" * 128}}, SigningKey.generate())
    assert PayslipKind().scope_of(envelope) == facility_scope("é" * 128)
    # A lone surrogate cannot be signed (JCS refuses it), nor does it name a scope.
    with pytest.raises(ValueError, match="must be a facility id"):
        scope_named({"run": {"facility": "fac-\ud800"}}, "run.facility")


@pytest.mark.parametrize("path", ["", "run.", ".run", "run..facility", "run.facility[0]", "a b"])
def test_a_kind_with_a_malformed_scope_path_is_refused(path: str) -> None:
    kind = type("Bad", (PayslipKind,), {"scope": path})
    with pytest.raises(ValueError, match="is not a path"):
        KindRegistry([kind()])
