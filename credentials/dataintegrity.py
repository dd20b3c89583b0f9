"""W3C Data Integrity proofs with the EdDSA cryptosuites ``eddsa-rdfc-2022`` and ``eddsa-jcs-2022``.

Implements https://www.w3.org/TR/vc-di-eddsa/ (sections 3.2 and 3.3) over
https://www.w3.org/TR/vc-data-integrity/ (Add Proof, Verify Proof):

- *Transformation*: ``eddsa-rdfc-2022`` canonicalizes the document without its proof to
  RDFC-1.0 N-Quads (pyld, ``algorithm="URDNA2015"``, offline loader, ``base=None``);
  ``eddsa-jcs-2022`` serializes it with JCS (RFC 8785, :func:`ledger.canonical.canonicalize`).
- *Proof configuration*: the proof options without ``proofValue``. For rdfc its ``@context``
  is the document's ``@context`` and the embedded proof omits it. For jcs (the 2024-12
  revision) the proof itself carries a copy of the document's ``@context``; on verification
  the document's ``@context`` must start with the proof's and is replaced by it.
- *Hashing*: ``SHA-256(canonical proof config) || SHA-256(canonical document)`` (64 bytes).
- *Serialization*: Ed25519 over those 64 bytes; ``proofValue`` = ``z`` + base58btc(signature).

:func:`create_proof` and :func:`verify_embedded_proof` are the cryptosuite algorithms over a
given input document; :mod:`credentials.proofsets` builds proof sets and chains on them.

Every document and proof configuration passes :func:`credentials.strict.verify_strict`
before it is signed or verified. Verification methods must be ``did:key`` URLs
(``did:key:z6Mk...#z6Mk...``), resolved locally: the public key is in the identifier.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from ledger.canonical import canonicalize
from ledger.errors import InvalidRecord, SignatureError
from ledger.keys import InvalidKey, SigningKey, VerifyKey, multibase_decode, multibase_encode
from ledger.timeutil import format_time, utcnow
from ledger.types import Did

from .errors import (
    ChallengeMismatch,
    DomainMismatch,
    JsonLdInvalid,
    PreviousProofInvalid,
    ProofContextInvalid,
    ProofCreatedInvalid,
    ProofError,
    ProofExpired,
    ProofMissing,
    ProofOptionsInvalid,
    ProofPurposeMismatch,
    ProofSignatureInvalid,
    UnsupportedCryptosuite,
    VerificationMethodInvalid,
)
from .rdfc import canonize
from .strict import verify_strict

__all__ = [
    "DEFAULT_CLOCK_SKEW",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "PROOF_TYPE",
    "SUITES",
    "VerifiedProof",
    "add_proof",
    "canonical_document",
    "canonical_proof_config",
    "create_proof",
    "hash_data",
    "is_valid_proof",
    "parse_datetime",
    "verify_embedded_proof",
    "verify_proof",
]

EDDSA_RDFC_2022: Final = "eddsa-rdfc-2022"
EDDSA_JCS_2022: Final = "eddsa-jcs-2022"
SUITES: Final = (EDDSA_RDFC_2022, EDDSA_JCS_2022)
PROOF_TYPE: Final = "DataIntegrityProof"

DEFAULT_CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far in the future a proof's ``created`` may lie (devices' clocks drift)."""

# The verification relationships a did:key Ed25519 key has in its DID document
# (did:key v0.7 "Signature Method Creation Algorithm"); keyAgreement is X25519 only.
_DID_KEY_PURPOSES: Final = frozenset(
    {"assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation"}
)
# XML Schema 1.1 dateTime, with an optional offset (dateTimeStamp when present).
_XSD_DATETIME: Final = re.compile(
    r"^(?P<main>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(?P<frac>\d+))?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?$"
)
_OPTIONAL_MEMBERS: Final = ("challenge", "domain", "expires")


@dataclass(frozen=True)
class VerifiedProof:
    """What a verified proof asserts.

    Attributes:
        suite: the cryptosuite (``eddsa-rdfc-2022`` or ``eddsa-jcs-2022``).
        verification_method: the ``did:key`` URL of the signing key.
        controller: the did that controls that key (the did:key itself).
        created: when the proof says it was made (UTC), if it says.
        purpose: the proof purpose (``assertionMethod``, ``authentication``...).
        challenge: the signed challenge, if any.
        domain: the signed domain, if any (a tuple when the proof lists several).
        signed_digest: ``sha256:`` + hex SHA-256 of the bytes the signature covers (the
            cryptosuite's hash data: canonical proof options and canonical document). Two
            JSON texts with the same ``signed_digest`` are the same signed statement, however
            their JSON differs (key order, a no-op ``@context`` entry): replay checks use it.
    """

    suite: str
    verification_method: str
    controller: Did
    created: datetime | None
    purpose: str
    challenge: str | None
    domain: str | tuple[str, ...] | None
    signed_digest: str


# -- dates -------------------------------------------------------------------------------


def parse_datetime(value: str, *, require_offset: bool = True) -> datetime:
    """Parse an XML Schema ``dateTime`` (``2023-02-24T23:36:38Z``) into an aware UTC datetime.

    Proof dates are XML Schema dateTimes, not RFC 3339 (:func:`ledger.timeutil.parse_time`):
    a verifier may read one without an offset, and the fraction may be any length.

    Args:
        value: the lexical form.
        require_offset: reject a value without ``Z`` or ``+hh:mm``. Data Integrity lets a
            verifier read such a value as UTC, which ``require_offset=False`` does.

    Raises:
        ValueError: not an XML Schema dateTime.
    """
    match = _XSD_DATETIME.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not an XML Schema dateTime: {value!r}")
    tz = match["tz"]
    if tz is None and require_offset:
        raise ValueError(f"dateTime needs an offset (Z or +hh:mm): {value!r}")
    frac = (match["frac"] or "")[:6].ljust(6, "0")
    moment = datetime.fromisoformat(
        f"{match['main']}.{frac}{'+00:00' if tz in (None, 'Z') else tz}"
    )
    return moment.astimezone(UTC)


# -- the cryptosuite algorithms ----------------------------------------------------------


def canonical_document(document: Mapping[str, Any], suite: str, *, jsonld: bool = True) -> str:
    """Transformation: the canonical form of ``document`` (a document without its proof).

    ``jsonld=False`` skips the strict JSON-LD checks for ``eddsa-jcs-2022``, which signs the
    JSON text and needs no context (rdfc always processes: it signs the RDF).

    Raises:
        ProofOptionsInvalid: unknown suite.
        JsonLdInvalid (and subclasses): the document fails the strict JSON-LD checks.
        InvalidRecord: the document is not I-JSON (JCS cannot serialize it).
    """
    _check_suite(suite)
    if suite == EDDSA_JCS_2022 and not jsonld:
        return canonicalize(dict(document)).decode("utf-8")
    expanded = verify_strict(document)
    if suite == EDDSA_JCS_2022:
        return canonicalize(dict(document)).decode("utf-8")
    return _rdfc(expanded)


def canonical_proof_config(
    proof_config: Mapping[str, Any],
    suite: str,
    *,
    document_context: Any = None,
    jsonld: bool = True,
) -> str:
    """Proof configuration, canonicalized.

    Args:
        proof_config: the proof options without ``proofValue``, carrying the ``@context``
            the suite signs (for rdfc: the document's; for jcs: the proof's own, if any).
        suite: the cryptosuite.
        document_context: the document's ``@context``, used only to run the strict checks
            on a jcs configuration that has no ``@context`` of its own.
        jsonld: False skips those strict checks for jcs (as :func:`canonical_document`).

    Raises:
        ProofOptionsInvalid: ``type``/``cryptosuite`` are not this suite's.
        JsonLdInvalid (and subclasses): the configuration fails the strict JSON-LD checks.
    """
    _check_suite(suite)
    if proof_config.get("type") != PROOF_TYPE or proof_config.get("cryptosuite") != suite:
        raise ProofOptionsInvalid(
            f"proof configuration must have type {PROOF_TYPE} and cryptosuite {suite}",
            option="cryptosuite",
        )
    if suite == EDDSA_JCS_2022:
        if jsonld and "@context" in proof_config:
            verify_strict(proof_config)
        elif jsonld:
            verify_strict({**proof_config, "@context": document_context})
        return canonicalize(dict(proof_config)).decode("utf-8")
    return _rdfc(verify_strict(proof_config))


def hash_data(canonical_config: str, canonical_doc: str) -> bytes:
    """Hashing: SHA-256 of the proof configuration, then SHA-256 of the document."""
    return (
        hashlib.sha256(canonical_config.encode("utf-8")).digest()
        + hashlib.sha256(canonical_doc.encode("utf-8")).digest()
    )


def _rdfc(expanded: list[Any]) -> str:
    # Expanded JSON-LD expands to itself, so the contexts are processed once, in verify_strict.
    return canonize(expanded)


def _check_suite(suite: str) -> None:
    if suite not in SUITES:
        raise ProofOptionsInvalid(
            f"unknown cryptosuite {suite!r}; supported: {', '.join(SUITES)}", option="suite"
        )


# -- add ---------------------------------------------------------------------------------


def add_proof(
    document: dict[str, Any],
    key: SigningKey,
    *,
    suite: str = EDDSA_RDFC_2022,
    created: str | None = None,
    verification_method: str | None = None,
    proof_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    expires: str | None = None,
    proof_id: str | None = None,
    jsonld: bool = True,
) -> dict[str, Any]:
    """Sign ``document`` with a Data Integrity proof; return a new, signed document.

    Args:
        document: an unsigned JSON-LD document (it must not carry a ``proof`` yet; to add
            one to a proof set or chain use :func:`credentials.proofsets.add_proof_to_set`).
        key: the Ed25519 key to sign with.
        suite: ``eddsa-rdfc-2022`` (default) or ``eddsa-jcs-2022``.
        created: XML Schema dateTime with offset; default: now, UTC, whole seconds.
        verification_method: default ``did:key:<key>#<key>`` of ``key``. A different
            ``did:key`` URL is refused: it would not verify.
        proof_purpose: the verification relationship claimed.
        challenge, domain: bind the proof to a verifier's challenge / domain.
        expires: XML Schema dateTime after which the proof is no longer valid.
        proof_id: the proof's ``id`` (a URL), so later proofs can name it as ``previousProof``.
        jsonld: False signs an ``eddsa-jcs-2022`` proof without the strict JSON-LD checks
            (as :func:`verify_proof`; a document whose contexts are not bundled).

    Raises:
        ProofOptionsInvalid: unknown suite, malformed date, mismatched verification method,
            or the document already has a proof.
        JsonLdInvalid (and subclasses): the document or proof fails the strict JSON-LD checks.
    """
    if "proof" in document:
        raise ProofOptionsInvalid(
            "the document already has a proof (add_proof_to_set adds to a proof set or chain)",
            option="document",
        )
    proof = create_proof(
        document,
        key,
        suite=suite,
        created=created,
        verification_method=verification_method,
        proof_purpose=proof_purpose,
        challenge=challenge,
        domain=domain,
        expires=expires,
        proof_id=proof_id,
        jsonld=jsonld,
    )
    return {**document, "proof": proof}


def create_proof(
    input_document: Mapping[str, Any],
    key: SigningKey,
    *,
    suite: str = EDDSA_RDFC_2022,
    created: str | None = None,
    verification_method: str | None = None,
    proof_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    expires: str | None = None,
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
    jsonld: bool = True,
) -> dict[str, Any]:
    """The cryptosuite's Create Proof: a proof over ``input_document`` exactly as given.

    ``input_document`` is what the proof secures: the unsecured document, or (in a proof
    chain) the unsecured document with ``proof`` set to the proofs the new one follows.
    Arguments as :func:`add_proof`, and ``previous_proof``: the ``id`` (or ids) of the
    proofs this one follows (they must be in ``input_document``'s ``proof``). Returns the
    proof (with ``proofValue``), not attached.
    """
    _check_suite(suite)
    if proof_purpose not in _DID_KEY_PURPOSES:
        raise ProofOptionsInvalid(
            f"a did:key Ed25519 key cannot sign for {proof_purpose!r}; use one of "
            f"{', '.join(sorted(_DID_KEY_PURPOSES))}",
            option="proof_purpose",
        )
    own_method = key.verify_key.verification_method
    if verification_method is not None and verification_method != own_method:
        raise ProofOptionsInvalid(
            f"verification method {verification_method!r} is not this key's ({own_method})",
            option="verification_method",
        )
    if created is None:
        created = format_time(utcnow().replace(microsecond=0))
    for name, value in (("created", created), ("expires", expires)):
        if value is not None:
            try:
                parse_datetime(value)
            except ValueError as exc:
                raise ProofOptionsInvalid(str(exc), option=name) from exc

    proof: dict[str, Any] = {} if proof_id is None else {"id": proof_id}
    proof.update(
        {
            "type": PROOF_TYPE,
            "cryptosuite": suite,
            "created": created,
            "verificationMethod": own_method,
            "proofPurpose": proof_purpose,
        }
    )
    for name, value in zip(_OPTIONAL_MEMBERS, (challenge, domain, expires), strict=True):
        if value is not None:
            proof[name] = value
    if previous_proof is not None:
        proof["previousProof"] = previous_proof
    unsecured = dict(input_document)
    if suite == EDDSA_JCS_2022 and "@context" in unsecured:
        proof["@context"] = unsecured["@context"]
    proof["proofValue"] = multibase_encode(
        key.sign(_hash_for(proof, unsecured, suite, jsonld=jsonld))
    )
    return proof


def _proof_config(
    proof: Mapping[str, Any], unsecured: Mapping[str, Any], suite: str
) -> dict[str, Any]:
    """The proof options without ``proofValue``; rdfc signs them under the document's context."""
    config = {name: value for name, value in proof.items() if name != "proofValue"}
    if suite == EDDSA_RDFC_2022:
        config["@context"] = unsecured.get("@context")
    return config


def _hash_for(
    proof: Mapping[str, Any], unsecured: Mapping[str, Any], suite: str, *, jsonld: bool = True
) -> bytes:
    config = _proof_config(proof, unsecured, suite)
    return hash_data(
        canonical_proof_config(
            config, suite, document_context=unsecured.get("@context"), jsonld=jsonld
        ),
        canonical_document(unsecured, suite, jsonld=jsonld),
    )


# -- verify ------------------------------------------------------------------------------


def verify_proof(
    document: Mapping[str, Any],
    *,
    expected_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    now: datetime | None = None,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    jsonld: bool = True,
) -> VerifiedProof:
    """Verify the one Data Integrity proof on ``document``.

    Checks, in order (the raised error's ``check`` names the first that fails):
    ``proof_present`` (exactly one proof), ``previous_proof`` (a lone proof cannot follow
    another), ``cryptosuite``, ``verification_method``, ``proof_purpose``, ``challenge``,
    ``domain``, ``created`` (not after ``now + clock_skew``), ``expires`` (not before
    ``now``), ``context`` (strict JSON-LD, bundled contexts, jcs ``@context`` prefix rule),
    ``signature``. Proof sets and chains: :func:`credentials.proofsets.verify_proof_set`.

    Args:
        document: the signed document.
        expected_purpose: the proof purpose the caller relies on.
        challenge: when given, the proof must carry exactly this challenge.
        domain: when given, the proof's domain must be (or list) this domain.
        now: the time to check against (default: the current time).
        clock_skew: tolerance for a ``created`` slightly in the future.
        jsonld: False verifies an ``eddsa-jcs-2022`` proof as that suite specifies, over
            the JSON text alone, without the strict JSON-LD checks, so a document whose
            contexts are not bundled still verifies (for callers that read the JSON, never
            the RDF: credentials from other systems). rdfc proofs always need the contexts.

    Raises:
        ProofError: a subclass per check (see :mod:`credentials.errors`).
    """
    proof = _single_proof(document)
    if "previousProof" in proof:
        raise PreviousProofInvalid(
            "the proof names a previousProof, but the document holds no other proof"
        )
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    return verify_embedded_proof(
        unsecured,
        proof,
        expected_purpose=expected_purpose,
        challenge=challenge,
        domain=domain,
        now=now,
        clock_skew=clock_skew,
        jsonld=jsonld,
    )


def verify_embedded_proof(
    input_document: Mapping[str, Any],
    proof: Mapping[str, Any],
    *,
    expected_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    now: datetime | None = None,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    jsonld: bool = True,
) -> VerifiedProof:
    """The cryptosuite's Verify Proof: ``proof`` over ``input_document`` exactly as given.

    ``input_document`` is the document without the proof being verified (in a proof chain:
    with ``proof`` set to the proofs it follows). Checks and arguments as :func:`verify_proof`
    from ``cryptosuite`` on.

    Raises:
        ProofError: a subclass per check (see :mod:`credentials.errors`).
    """
    if now is None:
        now = utcnow()
    elif now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not isinstance(proof, Mapping):
        raise ProofMissing("the proof is not a JSON object")
    suite = _check_cryptosuite(proof)
    verify_key, method = _resolve_verification_method(proof)
    purpose = _check_purpose(proof, expected_purpose)
    proof_challenge = _check_challenge(proof, challenge)
    proof_domain = _check_domain(proof, domain)
    created = _check_created(proof, now, clock_skew)
    _check_expires(proof, now)
    signature = _decode_proof_value(proof)

    unsecured = dict(input_document)
    try:
        if suite == EDDSA_JCS_2022 and "@context" in proof:
            if jsonld and proof["@context"] != unsecured.get("@context"):
                # Readers see the document with its own, longer @context: it must hold too.
                verify_strict(unsecured)
            _apply_proof_context(unsecured, proof["@context"])
        to_verify = _hash_for(proof, unsecured, suite, jsonld=jsonld)
    except InvalidRecord as exc:  # JsonLdInvalid and JCS failures alike
        raise ProofContextInvalid(
            f"the document cannot be processed: {exc.detail}",
            cause=exc.code,
            **exc.data,
        ) from exc
    try:
        verify_key.verify(to_verify, signature)
    except SignatureError as exc:
        raise ProofSignatureInvalid(
            f"the {suite} signature does not verify for {method}", verification_method=method
        ) from exc
    return VerifiedProof(
        suite=suite,
        verification_method=method,
        controller=verify_key.did,
        created=created,
        purpose=purpose,
        challenge=proof_challenge,
        domain=proof_domain,
        signed_digest="sha256:" + hashlib.sha256(to_verify).hexdigest(),
    )


def is_valid_proof(
    document: Mapping[str, Any],
    *,
    expected_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    now: datetime | None = None,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
) -> bool:
    """True when :func:`verify_proof` accepts ``document`` with these options."""
    try:
        verify_proof(
            document,
            expected_purpose=expected_purpose,
            challenge=challenge,
            domain=domain,
            now=now,
            clock_skew=clock_skew,
        )
    except ProofError:
        return False
    return True


def _single_proof(document: Mapping[str, Any]) -> Mapping[str, Any]:
    proof = document.get("proof") if isinstance(document, Mapping) else None
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofMissing(
                f"expected one proof, found {len(proof)} (proof sets and chains: verify_proof_set)"
            )
        proof = proof[0]
    if not isinstance(proof, Mapping):
        raise ProofMissing("the document has no proof")
    return proof


def _check_cryptosuite(proof: Mapping[str, Any]) -> str:
    if proof.get("type") != PROOF_TYPE:
        raise UnsupportedCryptosuite(
            f"proof type {proof.get('type')!r} is not {PROOF_TYPE}", type=proof.get("type")
        )
    suite = proof.get("cryptosuite")
    if suite not in SUITES:
        raise UnsupportedCryptosuite(
            f"cryptosuite {suite!r} is not supported ({', '.join(SUITES)})", cryptosuite=suite
        )
    return str(suite)


def _resolve_verification_method(proof: Mapping[str, Any]) -> tuple[VerifyKey, str]:
    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        raise VerificationMethodInvalid("the proof has no verificationMethod URL")
    did, _, fragment = method.partition("#")
    try:
        verify_key = VerifyKey.from_did(did)
    except InvalidKey as exc:
        raise VerificationMethodInvalid(
            f"{method!r} is not a resolvable did:key verification method: {exc}",
            verification_method=method,
        ) from exc
    if fragment != verify_key.multibase or did != verify_key.did:
        raise VerificationMethodInvalid(
            f"{method!r} does not name its did:key's own key ({verify_key.verification_method})",
            verification_method=method,
        )
    return verify_key, method


def _check_purpose(proof: Mapping[str, Any], expected: str) -> str:
    purpose = proof.get("proofPurpose")
    if purpose != expected:
        raise ProofPurposeMismatch(
            f"proof purpose is {purpose!r}, expected {expected!r}",
            proof_purpose=purpose,
            expected=expected,
        )
    if purpose not in _DID_KEY_PURPOSES:
        raise ProofPurposeMismatch(
            f"a did:key Ed25519 key is not authorized for {purpose!r}", proof_purpose=purpose
        )
    return str(purpose)


def _check_challenge(proof: Mapping[str, Any], expected: str | None) -> str | None:
    value = proof.get("challenge")
    if value is not None and not isinstance(value, str):
        raise ChallengeMismatch("the proof's challenge is not a string")
    if expected is not None and value != expected:
        raise ChallengeMismatch(
            "the proof does not carry the expected challenge"
            if value is None
            else "the proof's challenge does not match the expected one",
        )
    return value


def _check_domain(proof: Mapping[str, Any], expected: str | None) -> str | tuple[str, ...] | None:
    value = proof.get("domain")
    domains: tuple[str, ...]
    if value is None:
        domains = ()
    elif isinstance(value, str):
        domains = (value,)
    elif isinstance(value, list) and all(isinstance(d, str) for d in value):
        domains = tuple(value)
    else:
        raise DomainMismatch("the proof's domain is not a string or a list of strings")
    if expected is not None and expected not in domains:
        raise DomainMismatch(
            f"the proof's domain {value!r} does not include {expected!r}",
            domain=value,
            expected=expected,
        )
    return domains if isinstance(value, list) else value


def _check_created(
    proof: Mapping[str, Any], now: datetime, clock_skew: timedelta
) -> datetime | None:
    value = proof.get("created")
    if value is None:
        return None
    try:
        created = parse_datetime(value, require_offset=False)
    except ValueError as exc:
        raise ProofCreatedInvalid(str(exc), created=value) from exc
    if created > now + clock_skew:
        raise ProofCreatedInvalid(
            f"the proof was created in the future ({value}; now {format_time(now)})",
            created=value,
        )
    return created


def _check_expires(proof: Mapping[str, Any], now: datetime) -> None:
    value = proof.get("expires")
    if value is None:
        return
    try:
        expires = parse_datetime(value, require_offset=False)
    except ValueError as exc:
        raise ProofExpired(str(exc), expires=value) from exc
    if expires <= now:
        raise ProofExpired(f"the proof expired at {value} (now {format_time(now)})", expires=value)


def _decode_proof_value(proof: Mapping[str, Any]) -> bytes:
    value = proof.get("proofValue")
    if not isinstance(value, str):
        raise ProofSignatureInvalid("the proof has no proofValue")
    try:
        signature = multibase_decode(value)
    except InvalidKey as exc:
        raise ProofSignatureInvalid(f"proofValue is not base58btc multibase: {exc}") from exc
    if len(signature) != 64:
        raise ProofSignatureInvalid(f"an Ed25519 signature is 64 bytes, got {len(signature)}")
    return signature


def _apply_proof_context(unsecured: dict[str, Any], proof_context: Any) -> None:
    """eddsa-jcs-2022 verify step 4: the document's @context must start with the proof's."""
    proof_list = proof_context if isinstance(proof_context, list) else [proof_context]
    document_context = unsecured.get("@context")
    document_list = document_context if isinstance(document_context, list) else [document_context]
    if document_list[: len(proof_list)] != proof_list:
        raise JsonLdInvalid(
            "the document's @context does not start with the proof's @context",
            proof_context=proof_context,
        )
    unsecured["@context"] = proof_context
