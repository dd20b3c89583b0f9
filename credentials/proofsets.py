"""Data Integrity proof sets and proof chains (https://www.w3.org/TR/vc-data-integrity/,
"Add Proof Set/Chain" and "Verify Proof Sets and Chains").

A document's ``proof`` may be a list. Each proof in it is verified; one whose
``previousProof`` names other proofs (by their ``id``) secures the document *with those
proofs in it*: its input document is the document without ``proof``, then ``proof`` set to
the list of the proofs it names. A proof without ``previousProof`` secures the document
without any proof, so the proofs of a set are independent of one another and of order.

Bounds: at most :data:`MAX_PROOFS` proofs, and at most that many names in a
``previousProof``; each proof costs one canonicalization of the document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from ledger.keys import SigningKey

from .dataintegrity import (
    DEFAULT_CLOCK_SKEW,
    EDDSA_RDFC_2022,
    VerifiedProof,
    create_proof,
    verify_embedded_proof,
)
from .errors import PreviousProofInvalid, ProofMissing, ProofOptionsInvalid

__all__ = ["MAX_PROOFS", "add_proof_to_set", "proofs_of", "verify_proof_set"]

MAX_PROOFS: Final = 8
"""Most proofs a document may carry; each one costs a canonicalization of the document."""


def proofs_of(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """``document.proof`` as a list of proofs (one object, or a non-empty list of objects).

    Raises:
        ProofMissing: no proof, a proof that is not a JSON object, or more than MAX_PROOFS.
    """
    proof = document.get("proof") if isinstance(document, Mapping) else None
    proofs = proof if isinstance(proof, list) else [proof]
    if not proofs or not all(isinstance(item, Mapping) for item in proofs):
        raise ProofMissing("the document has no proof, or a proof that is not a JSON object")
    if len(proofs) > MAX_PROOFS:
        raise ProofMissing(f"the document has {len(proofs)} proofs; at most {MAX_PROOFS}")
    return list(proofs)


def _previous_ids(proof: Mapping[str, Any]) -> list[str]:
    value = proof.get("previousProof")
    if value is None:
        return []
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise PreviousProofInvalid("previousProof must be a string or a list of strings")
    if not names or len(names) > MAX_PROOFS:
        raise PreviousProofInvalid(f"previousProof must name 1 to {MAX_PROOFS} proofs")
    return names


def _matching_proofs(
    names: Sequence[str], proofs: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The proofs of ``proofs`` whose ``id`` is one of ``names``, in the order of ``proofs``.

    Raises:
        PreviousProofInvalid: a name matches no proof.
    """
    ids = {proof.get("id") for proof in proofs}
    missing = [name for name in names if name not in ids]
    if missing:
        raise PreviousProofInvalid(
            f"previousProof {missing[0]!r} names no proof of this document", missing=missing
        )
    return [proof for proof in proofs if proof.get("id") in names]


def _input_document(
    unsecured: Mapping[str, Any], matching: list[Mapping[str, Any]]
) -> dict[str, Any]:
    return {**unsecured, "proof": matching} if matching else dict(unsecured)


def verify_proof_set(
    document: Mapping[str, Any],
    *,
    expected_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    now: datetime | None = None,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
) -> tuple[VerifiedProof, ...]:
    """Verify every proof on ``document`` (one proof, a set, or a chain); all must hold.

    Arguments as :func:`credentials.dataintegrity.verify_proof`; ``expected_purpose``,
    ``challenge`` and ``domain`` apply to every proof.

    Returns:
        The verified proofs, in the document's order.

    Raises:
        ProofError: the first proof that fails, as its check's subclass;
            :class:`PreviousProofInvalid` for a ``previousProof`` that is malformed or names
            no proof of the document.
    """
    proofs = proofs_of(document)
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    results = []
    for proof in proofs:
        matching = _matching_proofs(_previous_ids(proof), proofs)
        results.append(
            verify_embedded_proof(
                _input_document(unsecured, matching),
                proof,
                expected_purpose=expected_purpose,
                challenge=challenge,
                domain=domain,
                now=now,
                clock_skew=clock_skew,
            )
        )
    return tuple(results)


def add_proof_to_set(
    document: Mapping[str, Any],
    key: SigningKey,
    *,
    previous_proof: str | list[str] | None = None,
    proof_id: str | None = None,
    suite: str = EDDSA_RDFC_2022,
    created: str | None = None,
    proof_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    expires: str | None = None,
) -> dict[str, Any]:
    """Add a proof to ``document``'s proofs (a proof set), or after some of them (a chain).

    Args:
        document: a document with or without proofs.
        key: the Ed25519 key to sign with.
        previous_proof: the ``id`` (or ids) of existing proofs the new one follows; the new
            proof then secures the document with those proofs in it.
        proof_id: the new proof's ``id``, so that later proofs can follow it.
        suite, created, proof_purpose, challenge, domain, expires: as
            :func:`credentials.dataintegrity.add_proof`.

    Returns:
        A new document whose ``proof`` is the list of the existing proofs and the new one.

    Raises:
        ProofOptionsInvalid: ``previous_proof`` names no existing proof, a proof ``id``
            is reused, or the options cannot be signed.
    """
    existing = proofs_of(document) if document.get("proof") is not None else []
    if len(existing) >= MAX_PROOFS:
        raise ProofOptionsInvalid(f"a document carries at most {MAX_PROOFS} proofs", option="proof")
    if proof_id is not None and any(proof.get("id") == proof_id for proof in existing):
        raise ProofOptionsInvalid(f"a proof with id {proof_id!r} exists", option="proof_id")
    names = [previous_proof] if isinstance(previous_proof, str) else list(previous_proof or [])
    try:
        matching = _matching_proofs(names, existing)
    except PreviousProofInvalid as exc:
        raise ProofOptionsInvalid(exc.detail, option="previous_proof") from exc
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    proof = create_proof(
        _input_document(unsecured, matching),
        key,
        suite=suite,
        created=created,
        proof_purpose=proof_purpose,
        challenge=challenge,
        domain=domain,
        expires=expires,
        proof_id=proof_id,
        previous_proof=previous_proof,
    )
    return {**unsecured, "proof": [*existing, proof]}
