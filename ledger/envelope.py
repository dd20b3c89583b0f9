"""Signed envelopes: the unit every author submits.

``{kind, payload, signer, created, nonce, signature}``: the signature is Ed25519 over the
RFC 8785 bytes of the envelope without ``signature``, as multibase (``u`` + base64url when
we sign; ``z`` + base58btc is accepted too); ``signer`` is the author's did:key;
``nonce`` makes every envelope unique and lets replays be refused.

:func:`verify_envelope` checks, in this order, and raises the error naming the failed check:
signature → signer known → accredited for one of the kind's roles, not revoked, not
suspended, both at ``created`` and at the server's receive time (and, when the kind names a
scope for the record, holding that scope in that role at both moments) → ``created`` within
the allowed clock skew → nonce not seen before. Which roles may sign a kind is the kind's
handler's business (:mod:`ledger.kinds`); the envelope only requires a well-formed label.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any, Protocol

from .canonical import canonicalize
from .errors import (
    ClockSkew,
    InvalidKey,
    NonceReplayed,
    NotAccredited,
    NotInScope,
    SchemaViolation,
    SignerRevoked,
    SignerSuspended,
    UnknownSigner,
)
from .keys import SigningKey, VerifyKey, multibase_decode, multibase_encode
from .kinds import KIND_LABEL
from .merkle import leaf_of
from .roles import Role
from .timeutil import format_time, parse_time, utcnow
from .types import Did, Leaf, RecordId

__all__ = [
    "Accreditation",
    "AccreditationSource",
    "Envelope",
    "NonceLedger",
    "ScopeGrant",
    "VerifiedEnvelope",
    "sign_envelope",
    "verify_envelope",
]

_FIELDS = ("kind", "payload", "signer", "created", "nonce", "signature")
_NONCE = re.compile(r"[A-Za-z0-9_-]{22,128}")  # >= 128 bits of base64url or hex (fullmatch)
DEFAULT_MAX_FUTURE_SKEW = timedelta(minutes=5)
DEFAULT_MAX_AGE = timedelta(days=7)


@lru_cache(maxsize=4096)
def _key_of(did: str) -> VerifyKey:
    # Signers repeat; decoding base58 for every envelope would cost more than the signature check.
    return VerifyKey.from_did(did)


@dataclass(frozen=True)
class Envelope:
    """A signed envelope. Derived bytes (canonical forms, leaf, key) are computed once."""

    kind: str
    payload: Mapping[str, Any]
    signer: Did
    created: str
    nonce: str
    signature: str

    @classmethod
    def from_dict(cls, data: object) -> Envelope:
        """Validate the envelope's shape (not its signature).

        Raises:
            SchemaViolation: naming the first field that is missing or malformed.
        """
        if not isinstance(data, Mapping):
            raise SchemaViolation("an envelope is a JSON object", field="envelope")
        for name in _FIELDS:
            if name not in data:
                raise SchemaViolation(f"envelope.{name} is required", field=name)
        extra = sorted(set(data) - set(_FIELDS))
        if extra:
            raise SchemaViolation(f"unknown envelope field {extra[0]!r}", field=extra[0])
        kind, payload, signer = data["kind"], data["payload"], data["signer"]
        nonce, signature = data["nonce"], data["signature"]
        if not isinstance(kind, str) or not KIND_LABEL.fullmatch(kind):
            raise SchemaViolation(
                f"kind must be a record kind label ({KIND_LABEL.pattern})", field="kind"
            )
        if not isinstance(payload, Mapping):
            raise SchemaViolation("payload must be a JSON object", field="payload")
        if not isinstance(signer, str):
            raise SchemaViolation("signer must be a did:key string", field="signer")
        try:
            _key_of(signer)
        except InvalidKey as exc:
            raise SchemaViolation(f"signer: {exc}", field="signer") from None
        parse_time(data["created"], field="created")
        if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
            raise SchemaViolation(
                "nonce must be 22-128 characters of base64url or hex (>= 128 bits)", field="nonce"
            )
        if not isinstance(signature, str):
            raise SchemaViolation("signature must be a multibase string", field="signature")
        try:
            raw = multibase_decode(signature)
        except InvalidKey:
            raise SchemaViolation(
                "signature must be multibase: base64url (u...) or base58btc (z...)",
                field="signature",
            ) from None
        if len(raw) != 64:
            raise SchemaViolation("signature must be 64 bytes", field="signature")
        envelope = cls(kind, dict(payload), Did(signer), data["created"], nonce, signature)
        envelope.__dict__["_signature_raw"] = raw  # decoded once (cached_property slot)
        return envelope

    @cached_property
    def _signature_raw(self) -> bytes:
        return multibase_decode(self.signature)

    @cached_property
    def created_at(self) -> datetime:
        return parse_time(self.created, field="created")

    def unsigned(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "payload": self.payload,
            "signer": self.signer,
            "created": self.created,
            "nonce": self.nonce,
        }

    def signing_input(self) -> bytes:
        """The bytes the signature covers: JCS of everything but the signature."""
        return self._signing_bytes

    @cached_property
    def _signing_bytes(self) -> bytes:
        return canonicalize(self.unsigned())

    def to_dict(self) -> dict[str, Any]:
        return {**self.unsigned(), "signature": self.signature}

    def canonical(self) -> bytes:
        """JCS bytes of the whole envelope: what the leaf commits to."""
        return self._canonical_bytes

    @cached_property
    def _canonical_bytes(self) -> bytes:
        # JCS orders the top-level keys created, kind, nonce, payload, signature, signer: the
        # signed bytes end with ',"signer":"did:key:..."}' and the whole envelope's bytes are
        # the same with the signature spliced in before that (saving a second serialisation).
        suffix = b',"signer":' + json.dumps(self.signer).encode() + b"}"
        unsigned = self._signing_bytes
        if not unsigned.endswith(suffix):  # pragma: no cover - the key order above is fixed
            return canonicalize(self.to_dict())
        signature = b',"signature":' + json.dumps(self.signature).encode()
        return unsigned[: -len(suffix)] + signature + suffix

    @cached_property
    def leaf(self) -> Leaf:
        return leaf_of(self._canonical_bytes)

    @cached_property
    def record_id(self) -> RecordId:
        return RecordId("0x" + self.leaf.hex())

    @property
    def key(self) -> VerifyKey:
        """The signer's public key (from its did:key)."""
        return _key_of(self.signer)

    def verify_signature(self) -> VerifyKey:
        """Check the signature alone; return the signer's key. An envelope is immutable, so
        a signature that verified once is not checked again.

        Raises:
            SignatureError: the signature does not match.
        """
        if not self._signature_verified:
            raise AssertionError("unreachable")  # pragma: no cover
        return self.key

    @cached_property
    def _signature_verified(self) -> bool:
        # cached_property keeps only a value: a failure raises again on every call. A plain
        # bool survives pickling, so a worker process's verdict reaches the caller.
        self.key.verify(self._signing_bytes, self._signature_raw)
        return True


def new_nonce() -> str:
    """A fresh 128-bit nonce (hex)."""
    return secrets.token_hex(16)


def sign_envelope(
    kind: str,
    payload: Mapping[str, Any],
    key: SigningKey,
    *,
    created: datetime | None = None,
    nonce: str | None = None,
) -> Envelope:
    """Sign ``payload`` as a record of ``kind`` by ``key``."""
    unsigned = {
        "kind": kind,
        "payload": dict(payload),
        "signer": key.did,
        "created": format_time(created or utcnow()),
        "nonce": nonce or new_nonce(),
    }
    signature = multibase_encode(key.sign(canonicalize(unsigned)), "base64url")
    return Envelope.from_dict({**unsigned, "signature": signature})


@dataclass(frozen=True)
class ScopeGrant:
    """The latest window of a scope an accreditation holds: from ``granted_at`` until
    ``revoked_at`` (exclusive; None while it holds)."""

    granted_at: datetime
    revoked_at: datetime | None = None

    def holds_at(self, moment: datetime) -> bool:
        return self.granted_at <= moment and (self.revoked_at is None or moment < self.revoked_at)


@dataclass(frozen=True)
class Accreditation:
    """One (key, role) accreditation as AttesterRegistry holds it, with the scopes granted
    to the key in that role (bytes32 scope → its latest window)."""

    role: Role
    valid_from: datetime
    valid_until: datetime | None = None
    revoked_at: datetime | None = None
    suspended: bool = False
    scopes: Mapping[bytes, ScopeGrant] = field(default_factory=dict, hash=False)

    def is_valid_at(self, moment: datetime) -> bool:
        if self.revoked_at is not None or self.suspended:
            return False
        return self.covers(moment)

    def covers(self, moment: datetime) -> bool:
        """The validity window includes ``moment`` (revocation and suspension aside)."""
        return self.valid_from <= moment and (self.valid_until is None or moment < self.valid_until)


class AccreditationSource(Protocol):
    """Where accreditations come from (the registry mirror in storage, or a test double)."""

    def accreditations(self, key: VerifyKey) -> Sequence[Accreditation]: ...


class NonceLedger(Protocol):
    """Which (signer, nonce) pairs were already accepted."""

    def is_nonce_used(self, signer: Did, nonce: str) -> bool: ...


@dataclass(frozen=True)
class VerifiedEnvelope:
    envelope: Envelope
    key: VerifyKey
    role: Role | None  # None: a kind any key may sign (its own rule names who)
    checks: tuple[str, ...] = field(
        default=(
            "signature",
            "signer_known",
            "signer_not_revoked",
            "signer_accredited",
            "created_within_skew",
            "nonce_fresh",
        )
    )


def verify_envelope(
    envelope: Envelope,
    *,
    roles: frozenset[Role] | None,
    accreditations: AccreditationSource,
    nonces: NonceLedger | None = None,
    now: datetime | None = None,
    max_future_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW,
    max_age: timedelta = DEFAULT_MAX_AGE,
    scope: bytes | None = None,
) -> VerifiedEnvelope:
    """Run every check on an envelope; raise the first that fails (see module docstring).

    Args:
        roles: the registry roles allowed to sign the envelope's kind; None for a kind any
            key may sign, whose own rule says who (a worker's acknowledgement of their own
            wage line: workers are not accredited, the line names their key).
        scope: the bytes32 scope the record names, which the signer must hold in the role
            it signs under (None: the kind names none).

    Raises:
        SignatureError, UnknownSigner, SignerRevoked, SignerSuspended, NotAccredited,
        NotInScope, ClockSkew, NonceReplayed
    """
    key = envelope.verify_signature()
    created = envelope.created_at
    now = now or utcnow()
    role = (
        None
        if roles is None
        else accredited_role(
            envelope, roles, accreditations.accreditations(key), created, now, scope=scope
        )
    )

    skew = (created - now).total_seconds()
    if created - now > max_future_skew or now - created > max_age:
        raise ClockSkew(
            f"created {envelope.created} is outside the allowed window "
            f"(-{max_age} .. +{max_future_skew} of server time {format_time(now)})",
            skew_seconds=round(skew, 3),
        )
    if nonces is not None and nonces.is_nonce_used(envelope.signer, envelope.nonce):
        raise NonceReplayed(f"nonce {envelope.nonce} was already used by {envelope.signer}")
    return VerifiedEnvelope(envelope, key, role)


def accredited_role(
    envelope: Envelope,
    roles: frozenset[Role],
    known: Sequence[Accreditation],
    created: datetime,
    now: datetime,
    *,
    scope: bytes | None = None,
) -> Role:
    """The role under which the signer may sign ``envelope``: one of ``roles`` whose
    accreditation holds both when the envelope says it was signed and now, when it arrives
    (a backdated ``created`` cannot outlive an expired, suspended or revoked key), and that,
    when ``scope`` is given, held that scope at ``created`` and has not lost it since.

    Raises:
        UnknownSigner, SignerRevoked, SignerSuspended, NotInScope, NotAccredited
    """
    if not known:
        raise UnknownSigner(f"{envelope.signer} is not in the attester registry")
    relevant = [a for a in known if a.role in roles]
    valid = [a for a in relevant if a.is_valid_at(created) and a.is_valid_at(now)]
    for accreditation in valid:
        grant = None if scope is None else accreditation.scopes.get(scope)
        # A scope's times are the chain's block times, which may run ahead of our clock:
        # "still holds" is "no revocation seen", never a comparison with our now.
        if scope is None or (grant and grant.holds_at(created) and grant.revoked_at is None):
            return accreditation.role
    names = ", ".join(sorted(r.name.lower() for r in roles)) or "none"
    if valid:
        assert scope is not None
        raise _not_in_scope(envelope, valid, scope, created, now)
    if any(a.revoked_at is not None for a in relevant):
        raise SignerRevoked(f"{envelope.signer} was revoked as {names}", role=names)
    if any(a.suspended for a in relevant):
        raise SignerSuspended(f"{envelope.signer} is suspended as {names}", role=names)
    if any(a.covers(created) for a in relevant):
        raise NotAccredited(
            f"{envelope.signer}'s accreditation as {names} does not hold now "
            f"({format_time(now)}), only at {envelope.created}",
            role=names,
            at=format_time(now),
        )
    raise NotAccredited(
        f"{envelope.signer} is not accredited as {names} at {envelope.created}",
        role=names,
        at=envelope.created,
    )


def _not_in_scope(
    envelope: Envelope,
    valid: Sequence[Accreditation],
    scope: bytes,
    created: datetime,
    now: datetime,
) -> NotInScope:
    """Why no accreditation that holds also holds ``scope`` (the first role's reason)."""
    scope_hex = "0x" + scope.hex()
    role = valid[0].role.name.lower()
    grant = valid[0].scopes.get(scope)
    if grant is None:
        why = "was never granted it"
    elif grant.revoked_at is not None:
        why = f"lost it at {format_time(grant.revoked_at)}"
    else:
        why = f"was granted it at {format_time(grant.granted_at)}, after {envelope.created}"
    return NotInScope(
        f"{envelope.signer} is accredited as {role} but not for scope {scope_hex} "
        f"this record names: it {why}",
        role=role,
        scope=scope_hex,
    )
