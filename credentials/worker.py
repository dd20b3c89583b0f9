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
     "credentialStatus": [
       {"id": "urn:lpl:credential-status:0x<statusId>",
        "type": "OnChainCredentialStatus",
        "statusChainId": 31337, "statusContract": "0x<CredentialStatus address>"},
       {"id": "<list URL>#<index>", "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": "<index>",
        "statusListCredential": "<base>/v1/status-lists/<issuer>/revocation"}],
     "proof": {... eddsa-rdfc-2022, assertionMethod, by the issuer's key ...}}

Decisions:

- Never the document number: only a salted commitment (:mod:`credentials.commitment`).
- ``statusId`` (the ``bytes32`` key of the credential's entry in the CredentialStatus
  contract) is ``keccak256(UTF-8 credential id)``: a hash of a random URN, never personal
  data. It is written in the status ``id`` so verifiers need no lookup table, and is
  recomputed and compared on every verification.
- The chain id and contract address name exactly where the status lives; verifiers read it
  with one ``eth_call`` (``statusOf``). An entry that was never written is active.
- Two status entries: the contract (suspension, revocation, and the registry admin's voiding
  of an issuer key) and a W3C Bitstring Status List (revocation), so verifiers without
  the chain read revocation too (:mod:`credentials.status_list`). Credentials issued before
  the list carry the on-chain entry alone, as one object; both shapes are read.
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
from typing import Annotated, Any, Final

from eth_utils.crypto import keccak
from pydantic import AfterValidator, Field, StringConstraints, ValidationError, model_validator

from ledger.canonical import canonicalize
from ledger.errors import SchemaViolation
from ledger.keys import InvalidKey, SigningKey, VerifyKey
from ledger.timeutil import format_time, utcnow
from ledger.types import Did

from .commitment import COMMITMENT_SCHEME, DocumentSecret, commit, normalise_country
from .dataintegrity import EDDSA_RDFC_2022, VerifiedProof, add_proof, verify_proof
from .errors import CredentialInvalid, CredentialNotValid, VerificationMethodInvalid
from .loader import CREDENTIALS_CONTEXT_V2, LABOUR_CONTEXT_V1
from .schema import DidKey, StrictModel, XsdDateTime
from .status_list import ENTRY_TYPE, LIST_BITS, StatusListEntry, issuer_of_url

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
    status_list: StatusListEntry | None = None  # None: issued before status lists

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
    status_list: StatusListEntry | None = None,
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
        status_list: the credential's place in its issuer's revocation list (its URL names
            the issuer); None issues the on-chain entry alone, as before status lists.
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
    on_chain = {
        "id": STATUS_URN + status_id_of(credential_id),
        "type": STATUS_TYPE,
        "statusChainId": status.chain_id,
        "statusContract": status.contract,
    }
    if status_list is not None:
        _check_list_entry(status_list, issuer.did)
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
        "credentialStatus": on_chain if status_list is None else [on_chain, status_list.to_json()],
    }
    return add_proof(unsigned, issuer, suite=suite, created=format_time(start))


def _check_list_entry(entry: StatusListEntry, issuer: str) -> None:
    named = issuer_of_url(entry.url)
    if named is None or named != (issuer, entry.purpose) or entry.purpose != "revocation":
        raise SchemaViolation(
            "the status list URL must be the issuer's own revocation list",
            field="credentialStatus.statusListCredential",
        )
    if not 0 <= entry.index < LIST_BITS:
        raise SchemaViolation(
            f"statusListIndex must be below {LIST_BITS}", field="credentialStatus.statusListIndex"
        )


def _exactly(expected: str) -> AfterValidator:
    def check(value: str) -> str:
        if value != expected:
            raise ValueError(f"must be {expected!r}")
        return value

    return AfterValidator(check)


class _Commitment(StrictModel):
    commitment_scheme: Annotated[str, _exactly(COMMITMENT_SCHEME)]
    commitment: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class _Subject(StrictModel):
    id: DidKey
    document_commitment: _Commitment
    facility: str | None = None
    nationality: str | None = None


class _Status(StrictModel):
    type: Annotated[str, _exactly(STATUS_TYPE)]
    id: Annotated[str, StringConstraints(pattern=f"^{re.escape(STATUS_URN)}0x[0-9a-f]{{64}}$")]
    status_chain_id: Annotated[int, Field(gt=0)]
    status_contract: Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$")]


class _ListEntry(StrictModel):
    type: Annotated[str, _exactly(ENTRY_TYPE)]
    id: Annotated[str, StringConstraints(max_length=600)]
    status_purpose: Annotated[str, _exactly("revocation")]
    status_list_index: Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]{0,5})$")]
    status_list_credential: Annotated[str, StringConstraints(pattern=r"^https?://[^\s#?]{1,500}$")]


_LIST_ENTRY: Final = "credentialStatus[1]"  # where the status list entry is read from


def _split_statuses(data: Any) -> Any:
    """``credentialStatus``: the on-chain entry alone, or a list of it and one revocation
    list entry (read under :data:`_LIST_ENTRY`, so problems name their member)."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    if _LIST_ENTRY in data:
        data[_LIST_ENTRY] = None  # refused: not a member of a credential
        return data
    statuses = data.get("credentialStatus")
    if isinstance(statuses, list):
        if len(statuses) != 2:
            data["credentialStatus"] = None
        else:
            data["credentialStatus"], data[_LIST_ENTRY] = statuses
    return data


def _absent_as_null(data: Any, *members: str) -> Any:
    """An absent dateTime member reads as null, which its check refuses by name
    (``validFrom: not an XML Schema dateTime: None``)."""
    return {**dict.fromkeys(members), **data} if isinstance(data, dict) else data


class _Proof(StrictModel):
    # Only its time is read here; verify_proof checks the rest.
    created: XsdDateTime

    @model_validator(mode="before")
    @classmethod
    def _absent_created(cls, data: Any) -> Any:
        return _absent_as_null(data, "created")


def _types(value: list[str]) -> list[str]:
    if "VerifiableCredential" not in value or CREDENTIAL_TYPE not in value:
        raise ValueError("missing a type")
    return value


def _contexts(value: list[Any]) -> list[Any]:
    if value[:2] != [CREDENTIALS_CONTEXT_V2, LABOUR_CONTEXT_V1]:
        raise ValueError("wrong contexts")
    return value


class _Credential(StrictModel):
    # Members are read (and a problem reported) in this order.
    type: Annotated[list[str], AfterValidator(_types)]
    context: Annotated[list[Any], AfterValidator(_contexts)] = Field(alias="@context")
    id: Annotated[str, StringConstraints(pattern=r"^urn:uuid:")]
    issuer: DidKey
    credential_subject: _Subject
    credential_status: _Status
    status_list: _ListEntry | None = Field(default=None, alias=_LIST_ENTRY)
    valid_from: XsdDateTime
    valid_until: XsdDateTime
    proof: _Proof

    @model_validator(mode="before")
    @classmethod
    def _absent_validity(cls, data: Any) -> Any:
        return _absent_as_null(_split_statuses(data), "validFrom", "validUntil")


# The field a problem is reported under, when it is not the member's own dotted path.
_FIELDS: Final = {
    "credentialSubject.documentCommitment": "credentialSubject.documentCommitment",
    "credentialStatus.type": "credentialStatus",
    _LIST_ENTRY: "credentialStatus",
    "credentialSubject.facility": "facility",
    "credentialSubject.nationality": "nationality",
    "type": "type",
    "@context": "@context",
}
_MESSAGES: Final = {
    "credential": "a credential is a JSON object",
    "type": f"type must include VerifiableCredential and {CREDENTIAL_TYPE}",
    "@context": "@context must start with the VC 2.0 and labour v1 contexts",
    "id": "id must be a urn:uuid",
    "issuer": "issuer must be a did:key",
    "credentialSubject": "credentialSubject must be one object",
    "credentialSubject.id": "credentialSubject.id must be a did:key",
    "credentialSubject.documentCommitment": (
        f"documentCommitment must be a {COMMITMENT_SCHEME} commitment (64 hex)"
    ),
    "facility": "facility is a string",
    "nationality": "nationality is a string",
    "credentialStatus": (
        f"credentialStatus must be one {STATUS_TYPE}, or a list of it and one {ENTRY_TYPE}"
    ),
    "credentialStatus.id": f"credentialStatus.id must be {STATUS_URN}0x<64 hex>",
    "credentialStatus.statusChainId": "statusChainId must be a positive integer",
    "credentialStatus.statusContract": "statusContract must be a 0x address",
    "proof": "the credential has no proof",
}
# Fields whose own check says what is wrong (a did:key or dateTime parser's message).
_DETAILED: Final = frozenset(
    {"issuer", "credentialSubject.id", "validFrom", "validUntil", "proof.created"}
)


def _within(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + ".")


def _invalid(exc: ValidationError) -> CredentialInvalid:
    """The first problem pydantic found, under the field and message this module names."""
    error = exc.errors()[0]
    path = ".".join(str(part) for part in error["loc"]) or "credential"
    field = next((name for prefix, name in _FIELDS.items() if _within(path, prefix)), path)
    cause = error.get("ctx", {}).get("error")
    if field in _DETAILED and isinstance(cause, ValueError):
        return CredentialInvalid(f"{field}: {getattr(cause, 'detail', cause)}", field=field)
    return CredentialInvalid(_MESSAGES.get(field, f"{field}: {error['msg']}"), field=field)


def parse_worker_credential(document: Mapping[str, Any]) -> WorkerCredential:
    """Check a credential's shape and read its fields.

    Raises:
        CredentialInvalid: naming the first field that is not as issued by this project.
    """
    try:
        shape = _Credential.model_validate(
            dict(document) if isinstance(document, Mapping) else document
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    on_chain = shape.credential_status
    status_id = on_chain.id[len(STATUS_URN) :]
    if status_id != status_id_of(shape.id):
        raise CredentialInvalid(
            "credentialStatus.id is not the keccak256 of the credential id",
            field="credentialStatus.id",
        )
    if shape.valid_until <= shape.valid_from:
        raise CredentialInvalid("validUntil must be after validFrom", field="validUntil")
    subject = shape.credential_subject
    return WorkerCredential(
        id=shape.id,
        issuer=Did(shape.issuer),
        holder=Did(subject.id),
        commitment_scheme=subject.document_commitment.commitment_scheme,
        commitment=subject.document_commitment.commitment,
        status_id=status_id,
        status=StatusLocation(on_chain.status_chain_id, on_chain.status_contract),
        valid_from=shape.valid_from,
        valid_until=shape.valid_until,
        issued_at=shape.proof.created,
        facility=subject.facility,
        nationality=subject.nationality,
        document=document,
        status_list=_list_entry(shape),
    )


def _list_entry(shape: _Credential) -> StatusListEntry | None:
    entry = shape.status_list
    if entry is None:
        return None
    index = int(entry.status_list_index)
    try:
        _check_list_entry(StatusListEntry(entry.status_list_credential, index), shape.issuer)
    except SchemaViolation as exc:
        raise CredentialInvalid(exc.detail, field=exc.data["field"]) from None
    if entry.id != f"{entry.status_list_credential}#{index}":
        raise CredentialInvalid(
            "the status list entry's id must be <statusListCredential>#<statusListIndex>",
            field="credentialStatus.id",
        )
    return StatusListEntry(entry.status_list_credential, index)


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
    if parsed.status_list is not None:
        payload["statusList"] = {
            "url": parsed.status_list.url,
            "index": parsed.status_list.index,
        }
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
