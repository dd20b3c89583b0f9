"""``eddsa-jcs-2022`` proofs on documents whose JSON-LD contexts we do not bundle.

:mod:`credentials.dataintegrity` runs every document through the strict JSON-LD checks
(:mod:`credentials.strict`), which expand it with the offline loader: a document naming a
context that is not in ``contexts/manifest.json`` is refused (``ContextNotBundled``). That is
right for our own credentials, and it makes ``eddsa-rdfc-2022`` impossible for a document
whose contexts we may not ship: RDF canonicalization needs the context's term definitions,
and a hand-written stand-in for someone else's context would sign different triples than
the real one yields.

``eddsa-jcs-2022`` signs the RFC 8785 serialization of the JSON itself, so its signature does
not depend on what a context says: anyone can check it without the context, and a reader who
has the context expands exactly the JSON that was signed. This module signs and verifies
that suite (vc-di-eddsa section 3.3, the 2024-12 revision: the proof carries a copy of the
document's ``@context``) *without* the JSON-LD processing. What it cannot check here is
that every term is defined by the named contexts: callers that need that check it where
the contexts are available (the UNTP export's tests do, against a local copy of the
specification). Used by :mod:`domain.untp` for UN Transparency Protocol credentials.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from ledger.canonical import canonicalize
from ledger.errors import InvalidRecord, SignatureError
from ledger.keys import SigningKey, multibase_encode
from ledger.timeutil import format_time, utcnow

from .dataintegrity import (
    DEFAULT_CLOCK_SKEW,
    EDDSA_JCS_2022,
    PROOF_TYPE,
    VerifiedProof,
    _apply_proof_context,
    _check_created,
    _check_expires,
    _check_purpose,
    _decode_proof_value,
    _resolve_verification_method,
    _single_proof,
    hash_data,
    parse_datetime,
)
from .errors import (
    JsonLdInvalid,
    ProofContextInvalid,
    ProofOptionsInvalid,
    ProofSignatureInvalid,
    UnsupportedCryptosuite,
)

__all__ = ["add_jcs_proof", "verify_jcs_proof"]

_SUITE: Final = EDDSA_JCS_2022


def add_jcs_proof(
    document: Mapping[str, Any],
    key: SigningKey,
    *,
    created: str | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """Sign ``document`` (no ``proof`` yet, an ``@context``) with an ``eddsa-jcs-2022`` proof
    by ``key`` (its ``did:key`` verification method); return the signed document.

    Raises:
        ProofOptionsInvalid: the document has a proof or no ``@context``, or ``created`` is
            not an XML Schema dateTime with an offset.
        InvalidRecord: the document is not I-JSON (JCS cannot serialize it).
    """
    if "proof" in document:
        raise ProofOptionsInvalid("the document already has a proof", option="document")
    if "@context" not in document:
        raise ProofOptionsInvalid("the document has no @context", option="document")
    if created is None:
        created = format_time(utcnow().replace(microsecond=0))
    try:
        parse_datetime(created)
    except ValueError as exc:
        raise ProofOptionsInvalid(str(exc), option="created") from exc
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": _SUITE,
        "created": created,
        "verificationMethod": key.verify_key.verification_method,
        "proofPurpose": proof_purpose,
        "@context": document["@context"],
    }
    _check_purpose(proof, proof_purpose)
    proof["proofValue"] = multibase_encode(key.sign(_hash(proof, document)))
    return {**document, "proof": proof}


def verify_jcs_proof(
    document: Mapping[str, Any],
    *,
    expected_purpose: str = "assertionMethod",
    now: datetime | None = None,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
) -> VerifiedProof:
    """Verify the one ``eddsa-jcs-2022`` proof on ``document``, contexts unprocessed.

    Checks as :func:`credentials.dataintegrity.verify_proof` does, but the ``context`` check
    is only the suite's own rule (the document's ``@context`` starts with the proof's).

    Raises:
        ProofError: a subclass per check (see :mod:`credentials.errors`).
    """
    now = utcnow() if now is None else now
    proof = _single_proof(document)
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != _SUITE:
        raise UnsupportedCryptosuite(
            f"only {PROOF_TYPE} {_SUITE} proofs are verified without their contexts",
            cryptosuite=proof.get("cryptosuite"),
        )
    verify_key, method = _resolve_verification_method(proof)
    purpose = _check_purpose(proof, expected_purpose)
    created = _check_created(proof, now, clock_skew)
    _check_expires(proof, now)
    signature = _decode_proof_value(proof)
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    try:
        if "@context" in proof:
            _apply_proof_context(unsecured, proof["@context"])
        to_verify = _hash(proof, unsecured)
    except (JsonLdInvalid, InvalidRecord) as exc:
        raise ProofContextInvalid(
            f"the document cannot be processed: {exc.detail}", cause=exc.code
        ) from exc
    try:
        verify_key.verify(to_verify, signature)
    except SignatureError as exc:
        raise ProofSignatureInvalid(
            f"the {_SUITE} signature does not verify for {method}", verification_method=method
        ) from exc
    return VerifiedProof(
        suite=_SUITE,
        verification_method=method,
        controller=verify_key.did,
        created=created,
        purpose=purpose,
        challenge=None,
        domain=None,
        signed_digest="sha256:" + hashlib.sha256(to_verify).hexdigest(),
    )


def _hash(proof: Mapping[str, Any], unsecured: Mapping[str, Any]) -> bytes:
    """The suite's hash data: SHA-256 of the JCS proof options (without ``proofValue``),
    then of the JCS document."""
    config = {name: value for name, value in proof.items() if name != "proofValue"}
    return hash_data(
        canonicalize(config).decode("utf-8"), canonicalize(dict(unsecured)).decode("utf-8")
    )
