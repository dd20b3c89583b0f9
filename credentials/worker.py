"""Worker identity credentials: VC 2.0, issued to the worker's own ``did:key``.

Issued by an accredited issuer (NGO, labour inspectorate, licensed recruiter) after an
in-person document check. Shape (our design, in the labour v1 context)::

    {"@context": [credentials/v2, labour/v1],
     "id": "urn:uuid:<random>",
     "type": ["VerifiableCredential", "WorkerIdentityCredential"],
     "issuer": "<issuer did:key>",
     "validFrom": "...Z", "validUntil": "...Z",
     "credentialSubject": {
        "id": "<worker did:key>",
        "documentCommitment": {"commitmentScheme": "lpl-hmac-sha256-v1", "commitment": "<hex>"},
        "issuedAfterDocumentCheck": "YYYY-MM-DD",
        "nationality": "NPL",                       (optional, ISO 3166-1 alpha-3)
        "facility": "fac-my-penang-pcb-03"},       (optional, the ledger's facility id)
     "credentialStatus": {
        "id": "urn:lpl:credential-status:0x<statusId>",
        "type": "OnChainCredentialStatus",
        "statusChainId": 31337, "statusContract": "0x<CredentialStatus address>"},
     "proof": {... eddsa-rdfc-2022, assertionMethod, by the issuer's key ...}}

Decisions:

- Never the document number: only a salted commitment (:mod:`credentials.commitment`).
- ``statusId`` (the ``bytes32`` key of the credential's entry in the CredentialStatus
  contract) is ``keccak256(UTF-8 credential id)``: a hash of a random URN, never personal
  data. It is written in the status ``id`` so verifiers need no lookup table, and is
  recomputed and compared on every verification.
- The chain id and contract address name exactly where the status lives; verifiers read it
  with one ``eth_call`` (``statusOf``). An entry that was never written is active.
- The proof's ``created`` is the issuance time; accreditation is checked at that time.
- eddsa-rdfc-2022 by default, so Digital Bazaar's verifiers (and any RDF-based verifier)
  verify it with our published context.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from eth_utils.crypto import keccak

from ledger.canonical import canonicalize
from ledger.errors import SchemaViolation
from ledger.keys import InvalidKey, SigningKey, VerifyKey
from ledger.timeutil import format_time, utcnow
from ledger.types import Did

from .commitment import COMMITMENT_SCHEME, DocumentSecret, commit, normalise_country
from .dataintegrity import EDDSA_RDFC_2022, VerifiedProof, add_proof, parse_datetime, verify_proof
from .errors import CredentialInvalid, CredentialNotValid, VerificationMethodInvalid
from .loader import CREDENTIALS_CONTEXT_V2, LABOUR_CONTEXT_V1

__all__ = [
    "CREDENTIAL_TYPE",
    "DEFAULT_VALIDITY",
    "STATUS_TYPE",
    "StatusLocation",
    "WorkerCredential",
    "check_validity",
    "credential_hash",
    "issue_worker_credential",
    "parse_worker_credential",
    "registration_payload",
    "status_change_payload",
    "status_id_of",
    "verify_credential_proof",
    "verify_worker_credential",
]

CREDENTIAL_TYPE: Final = "WorkerIdentityCredential"
STATUS_TYPE: Final = "OnChainCredentialStatus"
STATUS_URN: Final = "urn:lpl:credential-status:"
DEFAULT_VALIDITY: Final = timedelta(days=2 * 365)
_FACILITY: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{1,63}$")
_ADDRESS: Final = re.compile(r"^0x[0-9a-fA-F]{40}$")
_STATUS_ID: Final = re.compile(r"^0x[0-9a-f]{64}$")
_HEX64: Final = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StatusLocation:
    """Where credential status lives: a CredentialStatus contract on one chain."""

    chain_id: int
    contract: str


@dataclass(frozen=True)
class WorkerCredential:
    """A parsed worker credential (shape checked; not its proof, accreditation or status)."""

    id: str
    issuer: Did
    holder: Did
    commitment_scheme: str
    commitment: str
    status_id: str  # 0x + 64 hex
    status: StatusLocation
    valid_from: datetime
    valid_until: datetime
    issued_at: datetime  # the proof's created
    facility: str | None
    nationality: str | None
    document: Mapping[str, Any]

    @property
    def status_id_bytes(self) -> bytes:
        return bytes.fromhex(self.status_id[2:])

    @property
    def hash(self) -> str:
        return credential_hash(self.document)


def status_id_of(credential_id: str) -> str:
    """``0x`` + keccak256 of the credential id (the CredentialStatus entry's key)."""
    return "0x" + bytes(keccak(credential_id.encode("utf-8"))).hex()


def credential_hash(credential: Mapping[str, Any]) -> str:
    """``sha256:`` + SHA-256 of the signed credential's JCS bytes (what the ledger registers)."""
    return "sha256:" + hashlib.sha256(canonicalize(dict(credential))).hexdigest()


def issue_worker_credential(
    issuer: SigningKey,
    holder: str,
    document: DocumentSecret,
    *,
    status: StatusLocation,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    checked_on: date | None = None,
    nationality: str | None = None,
    facility: str | None = None,
    credential_id: str | None = None,
    suite: str = EDDSA_RDFC_2022,
) -> dict[str, Any]:
    """Build and sign a worker credential.

    Args:
        issuer: the accredited issuer's key (its did becomes ``issuer``).
        holder: the worker's ``did:key`` (from their wallet).
        document: the checked document with its salt; only the commitment goes in.
        status: the CredentialStatus contract the credential's status is kept in.
        valid_from: default now (whole seconds); valid_until: default + 2 years.
        checked_on: the date of the in-person document check (default: today, UTC).

    Raises:
        SchemaViolation, InvalidKey: a malformed holder, facility, nationality or period.
    """
    try:
        VerifyKey.from_did(holder)
    except InvalidKey as exc:
        raise SchemaViolation(f"holder: {exc.detail}", field="holder") from exc
    start = (valid_from or utcnow()).replace(microsecond=0)
    end = valid_until or start + DEFAULT_VALIDITY
    if end <= start:
        raise SchemaViolation("validUntil must be after validFrom", field="validUntil")
    credential_id = credential_id or f"urn:uuid:{uuid.uuid4()}"
    subject: dict[str, Any] = {
        "id": holder,
        "documentCommitment": {
            "commitmentScheme": COMMITMENT_SCHEME,
            "commitment": commit(document),
        },
        "issuedAfterDocumentCheck": (checked_on or start.date()).isoformat(),
    }
    if nationality is not None:
        subject["nationality"] = normalise_country(nationality)
    if facility is not None:
        if not _FACILITY.match(facility):
            raise SchemaViolation(f"malformed facility id {facility!r}", field="facility")
        subject["facility"] = facility
    unsigned = {
        "@context": [CREDENTIALS_CONTEXT_V2, LABOUR_CONTEXT_V1],
        "id": credential_id,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer.did,
        "validFrom": format_time(start),
        "validUntil": format_time(end.replace(microsecond=0)),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": STATUS_URN + status_id_of(credential_id),
            "type": STATUS_TYPE,
            "statusChainId": status.chain_id,
            "statusContract": status.contract,
        },
    }
    return add_proof(unsigned, issuer, suite=suite, created=format_time(start))


def _require(condition: bool, detail: str, field: str) -> None:
    if not condition:
        raise CredentialInvalid(detail, field=field)


def _did(value: Any, field: str) -> Did:
    _require(isinstance(value, str), f"{field} must be a did:key", field)
    try:
        return VerifyKey.from_did(value).did
    except InvalidKey as exc:
        raise CredentialInvalid(f"{field}: {exc.detail}", field=field) from exc


def _time(value: Any, field: str) -> datetime:
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise CredentialInvalid(f"{field}: {exc}", field=field) from exc


def parse_worker_credential(document: Mapping[str, Any]) -> WorkerCredential:
    """Check a credential's shape and read its fields.

    Raises:
        CredentialInvalid: naming the first field that is not as issued by this project.
    """
    _require(isinstance(document, Mapping), "a credential is a JSON object", "credential")
    types = document.get("type")
    _require(
        isinstance(types, list) and "VerifiableCredential" in types and CREDENTIAL_TYPE in types,
        f"type must include VerifiableCredential and {CREDENTIAL_TYPE}",
        "type",
    )
    contexts = document.get("@context")
    _require(
        isinstance(contexts, list) and contexts[:2] == [CREDENTIALS_CONTEXT_V2, LABOUR_CONTEXT_V1],
        "@context must start with the VC 2.0 and labour v1 contexts",
        "@context",
    )
    credential_id = document.get("id")
    _require(
        isinstance(credential_id, str) and credential_id.startswith("urn:uuid:"),
        "id must be a urn:uuid",
        "id",
    )
    assert isinstance(credential_id, str)
    issuer = _did(document.get("issuer"), "issuer")
    subject = document.get("credentialSubject")
    _require(
        isinstance(subject, Mapping), "credentialSubject must be one object", "credentialSubject"
    )
    assert isinstance(subject, Mapping)
    holder = _did(subject.get("id"), "credentialSubject.id")
    commitment = subject.get("documentCommitment")
    _require(
        isinstance(commitment, Mapping)
        and commitment.get("commitmentScheme") == COMMITMENT_SCHEME
        and isinstance(commitment.get("commitment"), str)
        and bool(_HEX64.match(commitment["commitment"])),
        f"documentCommitment must be a {COMMITMENT_SCHEME} commitment (64 hex)",
        "credentialSubject.documentCommitment",
    )
    assert isinstance(commitment, Mapping)
    status = document.get("credentialStatus")
    _require(
        isinstance(status, Mapping) and status.get("type") == STATUS_TYPE,
        f"credentialStatus must be one {STATUS_TYPE}",
        "credentialStatus",
    )
    assert isinstance(status, Mapping)
    status_urn = status.get("id")
    _require(
        isinstance(status_urn, str)
        and status_urn.startswith(STATUS_URN)
        and bool(_STATUS_ID.match(status_urn[len(STATUS_URN) :])),
        f"credentialStatus.id must be {STATUS_URN}0x<64 hex>",
        "credentialStatus.id",
    )
    assert isinstance(status_urn, str)
    status_id = status_urn[len(STATUS_URN) :]
    _require(
        status_id == status_id_of(credential_id),
        "credentialStatus.id is not the keccak256 of the credential id",
        "credentialStatus.id",
    )
    chain_id = status.get("statusChainId")
    contract = status.get("statusContract")
    _require(
        isinstance(chain_id, int) and not isinstance(chain_id, bool) and chain_id > 0,
        "statusChainId must be a positive integer",
        "credentialStatus.statusChainId",
    )
    _require(
        isinstance(contract, str) and bool(_ADDRESS.match(contract)),
        "statusContract must be a 0x address",
        "credentialStatus.statusContract",
    )
    assert isinstance(chain_id, int)
    assert isinstance(contract, str)
    valid_from = _time(document.get("validFrom"), "validFrom")
    valid_until = _time(document.get("validUntil"), "validUntil")
    _require(valid_until > valid_from, "validUntil must be after validFrom", "validUntil")
    proof = document.get("proof")
    _require(isinstance(proof, Mapping), "the credential has no proof", "proof")
    assert isinstance(proof, Mapping)
    issued_at = _time(proof.get("created"), "proof.created")
    facility = subject.get("facility")
    nationality = subject.get("nationality")
    _require(facility is None or isinstance(facility, str), "facility is a string", "facility")
    _require(
        nationality is None or isinstance(nationality, str),
        "nationality is a string",
        "nationality",
    )
    return WorkerCredential(
        id=credential_id,
        issuer=issuer,
        holder=holder,
        commitment_scheme=str(commitment["commitmentScheme"]),
        commitment=str(commitment["commitment"]),
        status_id=status_id,
        status=StatusLocation(int(chain_id), contract),
        valid_from=valid_from,
        valid_until=valid_until,
        issued_at=issued_at,
        facility=facility,
        nationality=nationality,
        document=document,
    )


def verify_credential_proof(credential: WorkerCredential) -> VerifiedProof:
    """The issuer's proof: signature, assertionMethod, and signed by the ``issuer`` itself.

    The signature is checked at the proof's own ``created`` (issuance), so that an old but
    valid credential is judged on its signature alone; the validity period is its own check.

    Raises:
        ProofError: a proof check failed (``check`` names which).
    """
    verified = verify_proof(
        credential.document, expected_purpose="assertionMethod", now=credential.issued_at
    )
    if verified.controller != credential.issuer:
        raise VerificationMethodInvalid(
            f"the credential is signed by {verified.controller}, "
            f"not by its issuer {credential.issuer}",
            verification_method=verified.verification_method,
        )
    return verified


def check_validity(credential: WorkerCredential, now: datetime) -> None:
    """Raises: CredentialNotValid: ``now`` is before ``validFrom`` or not before ``validUntil``."""
    if now < credential.valid_from:
        raise CredentialNotValid(
            f"the credential is valid from {format_time(credential.valid_from)}",
            valid_from=format_time(credential.valid_from),
        )
    if now >= credential.valid_until:
        raise CredentialNotValid(
            f"the credential expired at {format_time(credential.valid_until)}",
            valid_until=format_time(credential.valid_until),
        )


def verify_worker_credential(
    document: Mapping[str, Any], *, now: datetime | None = None
) -> WorkerCredential:
    """Shape, issuer's proof and validity period (not accreditation or status: the ledger's).

    Raises:
        CredentialInvalid, ProofError, CredentialNotValid
    """
    credential = parse_worker_credential(document)
    verify_credential_proof(credential)
    check_validity(credential, now or utcnow())
    return credential


def registration_payload(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The ``credential/v1`` payload the issuer signs to register ``credential`` on the ledger:
    ids, hashes, holder, commitment, validity and facility; nothing else of the credential.

    Raises:
        CredentialInvalid: not a worker credential.
    """
    parsed = parse_worker_credential(credential)
    payload: dict[str, Any] = {
        "schema": "credential/v1",
        "credentialId": parsed.id,
        "credentialHash": parsed.hash,
        "statusId": parsed.status_id,
        "holder": parsed.holder,
        "commitment": {"scheme": parsed.commitment_scheme, "value": parsed.commitment},
        "issuedAt": format_time(parsed.issued_at),
        "validFrom": format_time(parsed.valid_from),
        "validUntil": format_time(parsed.valid_until),
    }
    if parsed.facility is not None:
        payload["facility"] = parsed.facility
    return payload


def status_change_payload(status_id: str, action: str, reason: int = 0) -> dict[str, Any]:
    """The ``credential-status/v1`` payload: ``action`` is suspend, revoke or reinstate."""
    if action not in ("suspend", "revoke", "reinstate"):
        raise SchemaViolation("action is suspend, revoke or reinstate", field="action")
    return {
        "schema": "credential-status/v1",
        "statusId": status_id,
        "action": action,
        "reason": reason,
    }
