"""External evidence: a UNTP Digital Conformity Credential (DCC) issued by another system,
checked before it may stand beside our audits (issue 14, "UNTP in").

The DCC shape read here is UNTP DCC 0.6.x (uncefact/spec-untp, ``untp-dcc`` data model): a
VC 2.0 credential of type ``DigitalConformityCredential`` whose ``credentialSubject`` is a
``ConformityAttestation`` (``assessorLevel``, ``assessmentLevel``, ``attestationType``,
``issuedToParty``, ``scope``) with ``assessment``: a list of ``ConformityAssessment``
(``conformityTopic``, ``conformance``, ``assessmentDate``, ``referenceStandard``,
``assessedFacility``: a list of ``{"facility": {"id", "name", "registeredId", "idScheme"},
"IDverifiedByCAB"}``). Only the members named here are read; the rest is kept, signed, in
the record.

:func:`verify_external_conformity` checks, in order, and raises at the first that fails:

1. ``shape``: a VC 2.0 credential (``@context`` starts with the VC 2.0 context) of type
   ``DigitalConformityCredential`` with a ``ConformityAttestation`` subject
   (:class:`ExternalCredentialInvalid`);
2. ``issuer``: a ``did:key`` (:class:`ExternalIssuerUnsupported`): a did:web is never
   resolved over the internet;
3. ``context``: for ``eddsa-rdfc-2022``, every ``@context`` URL is bundled
   (:class:`~credentials.errors.ContextNotBundled`, ``context_not_bundled``): rdfc signs the
   RDF, which needs the contexts, and UNTP's are not ours to bundle; nor may its blank
   nodes make canonicalization exponential (:func:`check_rdfc_workload`).
   ``eddsa-jcs-2022`` signs the JSON text and is verified without JSON-LD processing;
4. ``proof``: the one Data Integrity proof verifies and was made by the issuer's key
   (:class:`ExternalProofInvalid`, ``cause`` = the credentials library's code);
5. ``validity``: ``validFrom``/``validUntil`` hold now
   (:class:`~credentials.errors.CredentialNotValid`);
6. ``facility``: an assessment names this facility: by our id, by its Open Supply Hub id as
   ``registeredId``, or by the OS Hub URL (:class:`ExternalFacilityMismatch`);
7. ``topic``: one of those assessments is about labour conditions (a ``social.*``
   conformity topic) (:class:`ExternalTopicUnsupported`);
8. ``status``: each ``credentialStatus`` entry is a ``BitstringStatusListEntry`` whose
   status list credential came with the submission, verifies (same rules, same issuer),
   is fresh (issued within :data:`STATUS_MAX_AGE`, or its ``ttl``) and says neither revoked
   nor suspended (:class:`ExternalStatusUnchecked`, :class:`ExternalCredentialRevoked`,
   :class:`ExternalCredentialSuspended`). The server never fetches a status list: a URL
   in a stranger's credential is not one it dereferences (SSRF), so the submitter fetches
   it and hands it over, and the issuer's proof on the list is what makes it trustworthy.

Errors (problem ``code``; HTTP 422 unless noted):

    InvalidRecord
    ├── ExternalCredentialInvalid   external_credential_invalid   (.field) not a DCC we read
    ├── ExternalFacilityMismatch    external_facility_mismatch    about another facility
    ├── ExternalTopicUnsupported    external_topic_unsupported    no social.* assessment
    ├── ExternalRdfcTooComplex      external_rdfc_too_complex     rdfc would run for minutes
    └── StatusListUnreadable        status_list_unreadable        (external_status)
    VerificationError
    ├── ExternalIssuerUnsupported   external_issuer_unsupported   not a did:key issuer
    ├── ExternalProofInvalid        external_proof_invalid        (.cause, .of) a proof failed
    ├── ExternalStatusUnchecked     external_status_unchecked     status cannot be checked
    ├── ExternalCredentialRevoked   external_credential_revoked   the issuer revoked it
    └── ExternalCredentialSuspended external_credential_suspended the issuer suspended it
    Conflict
    └── ExternalEvidenceDuplicate   external_evidence_duplicate   (409) already on file
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from credentials.dataintegrity import (
    DEFAULT_CLOCK_SKEW,
    EDDSA_RDFC_2022,
    VerifiedProof,
    parse_datetime,
    verify_proof,
)
from credentials.errors import ContextNotBundled, CredentialNotValid, ProofError
from credentials.loader import CREDENTIALS_CONTEXT_V2, bundled_contexts
from ledger.canonical import canonicalize
from ledger.errors import Conflict, InvalidRecord, VerificationError
from ledger.timeutil import format_time

from .external_status import check_list_length, expand_bitstring, status_at

__all__ = [
    "DCC_TYPE",
    "MAX_ASSESSMENTS",
    "MAX_STATUS_ENTRIES",
    "OSH_FACILITY_URL",
    "STATUS_MAX_AGE",
    "ExternalAssessment",
    "ExternalCredentialInvalid",
    "ExternalCredentialRevoked",
    "ExternalCredentialSuspended",
    "ExternalEvidenceDuplicate",
    "ExternalFacilityMismatch",
    "ExternalIssuerUnsupported",
    "ExternalProofInvalid",
    "ExternalRdfcTooComplex",
    "ExternalStatusUnchecked",
    "ExternalTopicUnsupported",
    "StatusChecked",
    "VerifiedConformity",
    "check_rdfc_workload",
    "verify_external_conformity",
]

DCC_TYPE: Final = "DigitalConformityCredential"
ATTESTATION_TYPE: Final = "ConformityAttestation"
STATUS_LIST_TYPE: Final = "BitstringStatusListCredential"
STATUS_ENTRY_TYPE: Final = "BitstringStatusListEntry"
OSH_FACILITY_URL: Final = "https://opensupplyhub.org/facilities/"
"""An assessed facility whose ``id`` is this URL + the OS Hub id names that facility."""
LABOUR_TOPICS: Final = "social."
"""UNTP conformity topics about people at work: social.labour, .rights, .safety, .community."""
MAX_ASSESSMENTS: Final = 64
MAX_FACILITIES: Final = 64  # per assessment
MAX_STATUS_ENTRIES: Final = 4
STATUS_MAX_AGE: Final = timedelta(days=7)
"""How old (``validFrom``, else its proof's ``created``) a handed-over status list may be: an
older one might predate a revocation. A list's ``ttl`` shortens it, never lengthens it."""
_REFUSING_PURPOSES: Final = ("revocation", "suspension")
_SHORT: Final = 200  # longest text member copied into the view


class ExternalCredentialInvalid(InvalidRecord):
    code = "external_credential_invalid"
    title = "Not a Digital Conformity Credential we can read"

    def __init__(self, detail: str, *, field: str, **data: Any) -> None:
        super().__init__(detail, field=field, **data)
        self.field = field


class ExternalRdfcTooComplex(InvalidRecord):
    """An ``eddsa-rdfc-2022`` document whose blank nodes would make RDF canonicalization
    run for minutes (see :func:`check_rdfc_workload`)."""

    code = "external_rdfc_too_complex"
    title = "Too costly to canonicalize; sign it with eddsa-jcs-2022 or give its nodes ids"


class ExternalFacilityMismatch(InvalidRecord):
    code = "external_facility_mismatch"
    title = "The credential is about another facility"


class ExternalTopicUnsupported(InvalidRecord):
    code = "external_topic_unsupported"
    title = "The credential assesses no labour topic"


class ExternalIssuerUnsupported(VerificationError):
    code = "external_issuer_unsupported"
    title = "The credential's issuer cannot be resolved here"
    check = "issuer"


class ExternalProofInvalid(VerificationError):
    """A proof of the credential (``of="credential"``) or of a status list (``of`` its id)
    failed; ``cause`` is the credentials library's code (``proof_signature_invalid``...)."""

    code = "external_proof_invalid"
    title = "The external credential's proof does not verify"
    check = "proof"


class ExternalStatusUnchecked(VerificationError):
    code = "external_status_unchecked"
    title = "The credential's status cannot be checked"
    check = "status"


class ExternalCredentialRevoked(VerificationError):
    code = "external_credential_revoked"
    title = "The issuer revoked the credential"
    check = "status"


class ExternalCredentialSuspended(VerificationError):
    code = "external_credential_suspended"
    title = "The issuer suspended the credential"
    check = "status"


class ExternalEvidenceDuplicate(Conflict):
    code = "external_evidence_duplicate"
    title = "This credential is on file already"


@dataclass(frozen=True)
class ExternalAssessment:
    """One assessment of the credential about this facility."""

    id: str | None
    name: str | None
    topic: str
    conformance: bool | None
    assessment_date: str | None
    reference_standard: str | None


@dataclass(frozen=True)
class StatusChecked:
    """A ``credentialStatus`` entry and what its list said when the record was admitted."""

    purpose: str
    list_id: str
    index: int
    status: int  # 0: neither revoked nor suspended
    list_issued: datetime


@dataclass(frozen=True)
class VerifiedConformity:
    """What a verified DCC says about the facility (members copied, bounded in length)."""

    digest: str  # the proof's signed digest: one signed statement, however serialised
    credential_id: str | None
    issuer: str
    issuer_name: str | None
    suite: str
    attestation_id: str | None
    attestation_name: str | None
    assessor_level: str | None
    assessment_level: str | None
    attestation_type: str | None
    scheme: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    assessments: tuple[ExternalAssessment, ...]
    status: tuple[StatusChecked, ...]


def verify_external_conformity(
    credential: Mapping[str, Any],
    status_lists: Collection[Mapping[str, Any]],
    *,
    facility_ids: Collection[str],
    osh_id: str | None,
    now: datetime,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
) -> VerifiedConformity:
    """Verify a DCC about one facility (the checks of the module docstring, in order).

    Args:
        credential: the DCC, as the submitter sent it.
        status_lists: the status list credentials its ``credentialStatus`` names (each used
            at most once; one that no entry names is refused).
        facility_ids: the facility's id and the ids merged into it.
        osh_id: the facility's Open Supply Hub id, if it has one.
        now: the time validity and freshness are checked against (the receive time).

    Raises:
        see the module docstring.
    """
    subject = _check_shape(credential, "credential")
    issuer, issuer_name = _issuer(credential)
    proof = _verify_issuer_proof(credential, issuer, now, clock_skew, of="credential")
    valid_from, valid_until = _check_validity(credential, now, clock_skew)
    assessments = _assessments_about(subject, set(facility_ids), osh_id)
    status = _check_status(credential, status_lists, issuer, now, clock_skew)
    scope = subject.get("scope")
    return VerifiedConformity(
        digest=proof.signed_digest,
        credential_id=_text(credential.get("id")),
        issuer=issuer,
        issuer_name=issuer_name,
        suite=proof.suite,
        attestation_id=_text(subject.get("id")),
        attestation_name=_text(subject.get("name")),
        assessor_level=_text(subject.get("assessorLevel")),
        assessment_level=_text(subject.get("assessmentLevel")),
        attestation_type=_text(subject.get("attestationType")),
        scheme=_text(scope.get("name") or scope.get("id")) if isinstance(scope, Mapping) else None,
        valid_from=valid_from,
        valid_until=valid_until,
        assessments=assessments,
        status=status,
    )


# -- shape, issuer, proof, validity ------------------------------------------------------


def _types(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else value if isinstance(value, list) else []


def _check_shape(credential: Any, of: str, *, vc_type: str = DCC_TYPE) -> Mapping[str, Any]:
    """The credential's subject (one object), once the credential is a VC 2.0 of ``vc_type``."""
    prefix = "payload.credential" if of == "credential" else "payload.statusListCredentials"
    if not isinstance(credential, Mapping):
        raise ExternalCredentialInvalid(f"{of} is not a JSON object", field=prefix)
    context = credential.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first != CREDENTIALS_CONTEXT_V2:
        raise ExternalCredentialInvalid(
            f"{of}: @context must start with {CREDENTIALS_CONTEXT_V2} (VC 2.0, as UNTP)",
            field=f"{prefix}.@context",
        )
    types = _types(credential.get("type"))
    if "VerifiableCredential" not in types or vc_type not in types:
        raise ExternalCredentialInvalid(
            f"{of}: type must include VerifiableCredential and {vc_type}", field=f"{prefix}.type"
        )
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        raise ExternalCredentialInvalid(
            f"{of}: credentialSubject must be one object", field=f"{prefix}.credentialSubject"
        )
    if vc_type == DCC_TYPE and ATTESTATION_TYPE not in _types(subject.get("type")):
        raise ExternalCredentialInvalid(
            f"credentialSubject must be a {ATTESTATION_TYPE}",
            field=f"{prefix}.credentialSubject.type",
        )
    return subject


def _issuer(credential: Mapping[str, Any]) -> tuple[str, str | None]:
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    name = _text(issuer.get("name")) if isinstance(issuer, Mapping) else None
    if not isinstance(value, str) or not value.startswith("did:"):
        raise ExternalCredentialInvalid(
            "issuer must be a DID, or an object whose id is one", field="payload.credential.issuer"
        )
    if not value.startswith("did:key:"):
        raise ExternalIssuerUnsupported(
            f"the issuer {value[:120]} is not a did:key: this server resolves no other DID "
            "method for external credentials (a did:web would be fetched from the internet)",
            issuer=value[:120],
        )
    return value, name


def _verify_issuer_proof(
    document: Mapping[str, Any], issuer: str, now: datetime, clock_skew: timedelta, *, of: str
) -> VerifiedProof:
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:  # a set of one is that one proof
        proof = proof[0]
    suite = proof.get("cryptosuite") if isinstance(proof, Mapping) else None
    if suite == EDDSA_RDFC_2022:
        context = document.get("@context")
        bundled = bundled_contexts()
        for url in context if isinstance(context, list) else [context]:
            if isinstance(url, str) and url not in bundled:
                raise ContextNotBundled(url)
        check_rdfc_workload(document)
    try:
        verified = verify_proof(
            document, now=now, clock_skew=clock_skew, jsonld=suite == EDDSA_RDFC_2022
        )
    except ProofError as exc:
        raise ExternalProofInvalid(
            f"{of}: {exc.detail}", cause=exc.code, of=of, proof_check=exc.check
        ) from exc
    if verified.controller != issuer:
        raise ExternalProofInvalid(
            f"{of}: the proof was made by {verified.controller}, not by the issuer {issuer}",
            cause="issuer_proof_missing", of=of, proof_check="issuer",
        )  # fmt: skip
    return verified


def check_rdfc_workload(document: Mapping[str, Any]) -> None:
    """Refuse a document whose RDF canonicalization (RDFC-1.0) could take exponential time.

    RDFC-1.0 tells blank nodes apart by hashing their neighbourhoods; where a blank node has
    several blank neighbours that hash alike, it tries every permutation of them (n! for n
    alike). Eight identical blank children of two identical blank parents already take ~17 s
    in pyld, eight blank nodes naming each other over a minute, inside the admission's
    transaction. So, for a document someone else wrote:

    - no explicit blank node identifiers (``"_:..."`` as an ``id``): the graph is then the
      JSON tree, without cycles;
    - under a JSON object without ``id`` (a blank node), no two child objects without
      ``id`` look alike: the same member name and the same own members (nested objects
      counted, not compared). Then no blank node has two neighbours that hash alike.

    Objects under a node *with* an ``id`` may repeat (it is no blank neighbour of theirs).

    Raises:
        ExternalRdfcTooComplex: naming where.
    """
    _walk_rdfc(document, "$", blank=False)


def _walk_rdfc(value: Any, path: str, *, blank: bool) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _walk_rdfc(item, f"{path}[{index}]", blank=blank)
        return
    if not isinstance(value, Mapping):
        return
    seen: set[str] = set()
    for key, member in value.items():
        if key == "@context":
            continue
        if key in ("id", "@id") and isinstance(member, str) and member.startswith("_:"):
            raise ExternalRdfcTooComplex(
                f"{path}.{key} is a blank node identifier: not accepted in rdfc documents",
                path=f"{path}.{key}"[:200],
            )
        for index, child in enumerate(member if isinstance(member, list) else [member]):
            child_blank = isinstance(child, Mapping) and "id" not in child and "@id" not in child
            if blank and child_blank:
                signature = f"{key}\0{_shallow(child)}"
                if signature in seen:
                    raise ExternalRdfcTooComplex(
                        f"{path}.{key}[{index}] repeats a sibling without an id under a "
                        "node without an id",
                        path=f"{path}.{key}"[:200],
                    )
                seen.add(signature)
            _walk_rdfc(child, f"{path}.{key}", blank=child_blank)


def _shallow(node: Mapping[str, Any]) -> str:
    """A blank node's own members, nested objects only counted (what its first hash sees)."""

    def flat(value: Any) -> Any:
        if isinstance(value, Mapping):
            return "{}"
        if isinstance(value, list):
            return [flat(item) for item in value]
        return value

    return canonicalize({k: flat(v) for k, v in node.items() if k != "@context"}).decode()


def _check_validity(
    credential: Mapping[str, Any], now: datetime, clock_skew: timedelta
) -> tuple[datetime | None, datetime | None]:
    start, end = (_moment(credential, name) for name in ("validFrom", "validUntil"))
    if start is not None and start > now + clock_skew:
        raise CredentialNotValid(f"not valid before {format_time(start)}", field="validFrom")
    if end is not None and end <= now:
        raise CredentialNotValid(f"not valid after {format_time(end)}", field="validUntil")
    return start, end


def _moment(credential: Mapping[str, Any], name: str) -> datetime | None:
    value = credential.get(name)
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise ExternalCredentialInvalid(
            f"{name}: {exc}", field=f"payload.credential.{name}"
        ) from exc


# -- facility and topic ------------------------------------------------------------------


def _assessments_about(
    subject: Mapping[str, Any], facility_ids: set[str], osh_id: str | None
) -> tuple[ExternalAssessment, ...]:
    listed = subject.get("assessment")
    field = "payload.credential.credentialSubject.assessment"
    if not isinstance(listed, list) or not 0 < len(listed) <= MAX_ASSESSMENTS:
        raise ExternalCredentialInvalid(
            f"assessment must be a list of 1 to {MAX_ASSESSMENTS} assessments", field=field
        )
    ours = []
    for index, assessment in enumerate(listed):
        if not isinstance(assessment, Mapping):
            raise ExternalCredentialInvalid("an assessment is an object", field=f"{field}.{index}")
        facilities = assessment.get("assessedFacility", [])
        if not isinstance(facilities, list) or len(facilities) > MAX_FACILITIES:
            raise ExternalCredentialInvalid(
                f"assessedFacility must be a list of at most {MAX_FACILITIES}",
                field=f"{field}.{index}.assessedFacility",
            )
        if any(_names_facility(f, facility_ids, osh_id) for f in facilities):
            ours.append(assessment)
    if not ours:
        raise ExternalFacilityMismatch(
            "no assessment of the credential names this facility (by its id, by its Open "
            "Supply Hub id as registeredId, or by its Open Supply Hub URL)",
            facility=sorted(facility_ids)[0],
        )
    labour = [a for a in ours if str(a.get("conformityTopic", "")).startswith(LABOUR_TOPICS)]
    if not labour:
        topics = sorted({str(a.get("conformityTopic"))[:64] for a in ours})
        raise ExternalTopicUnsupported(
            f"the assessments of this facility are about {', '.join(topics)}, not labour "
            f"conditions ({LABOUR_TOPICS}*)",
            topics=topics,
        )
    return tuple(_assessment(a) for a in labour)


def _names_facility(entry: Any, facility_ids: set[str], osh_id: str | None) -> bool:
    facility = entry.get("facility") if isinstance(entry, Mapping) else None
    if not isinstance(facility, Mapping):
        return False
    named = facility.get("id")
    if isinstance(named, str) and named in facility_ids:
        return True
    if osh_id is None:
        return False
    return facility.get("registeredId") == osh_id or named == OSH_FACILITY_URL + osh_id


def _assessment(assessment: Mapping[str, Any]) -> ExternalAssessment:
    standard = assessment.get("referenceStandard")
    conformance = assessment.get("conformance")
    return ExternalAssessment(
        id=_text(assessment.get("id")),
        name=_text(assessment.get("name")),
        topic=str(assessment["conformityTopic"])[:64],
        conformance=conformance if isinstance(conformance, bool) else None,
        assessment_date=_text(assessment.get("assessmentDate")),
        reference_standard=_text(standard.get("name") or standard.get("id"))
        if isinstance(standard, Mapping)
        else None,
    )


def _text(value: Any) -> str | None:
    return value[:_SHORT] if isinstance(value, str) else None


# -- status ------------------------------------------------------------------------------


def _check_status(
    credential: Mapping[str, Any],
    status_lists: Collection[Mapping[str, Any]],
    issuer: str,
    now: datetime,
    clock_skew: timedelta,
) -> tuple[StatusChecked, ...]:
    raw = credential.get("credentialStatus")
    entries = [] if raw is None else raw if isinstance(raw, list) else [raw]
    if len(entries) > MAX_STATUS_ENTRIES:
        raise ExternalStatusUnchecked(
            f"at most {MAX_STATUS_ENTRIES} credentialStatus entries are checked"
        )
    by_id: dict[str, Mapping[str, Any]] = {}
    for index, listed in enumerate(status_lists):
        list_id = listed.get("id") if isinstance(listed, Mapping) else None
        if not isinstance(list_id, str) or list_id in by_id:
            raise ExternalCredentialInvalid(
                "each status list credential has an id of its own",
                field=f"payload.statusListCredentials.{index}.id",
            )
        by_id[list_id] = listed
    named = {
        e["statusListCredential"]
        for e in entries
        if isinstance(e, Mapping) and isinstance(e.get("statusListCredential"), str)
    }
    unused = sorted(set(by_id) - named)
    if unused:
        raise ExternalCredentialInvalid(
            f"no credentialStatus entry names the status list {unused[0][:120]}",
            field="payload.statusListCredentials",
        )
    verified: dict[str, tuple[bytes, datetime, list[Any]]] = {}
    checked = []
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get("type") != STATUS_ENTRY_TYPE:
            raise ExternalStatusUnchecked(
                f"only {STATUS_ENTRY_TYPE} credentialStatus entries can be checked here"
            )
        purpose, list_id, index, size = _entry(entry)
        if list_id not in by_id:
            raise ExternalStatusUnchecked(
                f"the status list {list_id[:120]} did not come with the credential: fetch it "
                "and send it in payload.statusListCredentials (this server fetches nothing)",
                status_list=list_id[:120],
            )
        if list_id not in verified:
            verified[list_id] = _verified_list(by_id[list_id], issuer, now, clock_skew)
        bitstring, issued, purposes = verified[list_id]
        if purpose not in purposes:
            raise ExternalStatusUnchecked(
                f"the status list {list_id[:120]} is not a {purpose[:32]} list"
            )
        check_list_length(bitstring, size)
        status = status_at(bitstring, index, size)
        if status and purpose == "revocation":
            raise ExternalCredentialRevoked(
                f"the issuer's status list {list_id[:120]} says revoked", status_list=list_id[:120]
            )
        if status and purpose == "suspension":
            raise ExternalCredentialSuspended(
                f"the issuer's status list {list_id[:120]} says suspended",
                status_list=list_id[:120],
            )
        checked.append(StatusChecked(purpose, list_id, index, status, issued))
    return tuple(checked)


def _entry(entry: Mapping[str, Any]) -> tuple[str, str, int, int]:
    purpose, list_id = entry.get("statusPurpose"), entry.get("statusListCredential")
    raw_index, size = entry.get("statusListIndex"), entry.get("statusSize", 1)
    if not isinstance(purpose, str) or not isinstance(list_id, str) or len(list_id) > 512:
        raise ExternalStatusUnchecked("a status entry names its statusPurpose and list URL")
    if not isinstance(raw_index, str) or not raw_index.isdecimal() or len(raw_index) > 9:
        raise ExternalStatusUnchecked("statusListIndex must be a decimal integer string")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 8:
        raise ExternalStatusUnchecked("statusSize must be an integer from 1 to 8")
    if purpose in _REFUSING_PURPOSES and size != 1:
        raise ExternalStatusUnchecked(f"a {purpose} entry has statusSize 1")
    return purpose, list_id, int(raw_index), size


def _verified_list(
    listed: Mapping[str, Any], issuer: str, now: datetime, clock_skew: timedelta
) -> tuple[bytes, datetime, list[Any]]:
    """A status list credential's bitstring, when it was issued, and its purposes."""
    list_id = str(listed.get("id"))[:120]
    subject = _check_shape(listed, f"status list {list_id}", vc_type=STATUS_LIST_TYPE)
    list_issuer = listed.get("issuer")
    list_issuer = list_issuer.get("id") if isinstance(list_issuer, Mapping) else list_issuer
    if list_issuer != issuer:
        raise ExternalStatusUnchecked(
            f"the status list {list_id} is not the credential's issuer's ({issuer})"
        )
    proof = _verify_issuer_proof(listed, issuer, now, clock_skew, of=list_id)
    valid_from, _ = _check_list_validity(listed, list_id, now, clock_skew)
    issued = valid_from or proof.created
    if issued is None:
        raise ExternalStatusUnchecked(
            f"the status list {list_id} says neither validFrom nor when its proof was created: "
            "its freshness cannot be told"
        )
    max_age = STATUS_MAX_AGE
    ttl = subject.get("ttl")
    if isinstance(ttl, int) and not isinstance(ttl, bool) and ttl > 0:
        max_age = min(max_age, timedelta(milliseconds=ttl))
    if now - issued > max_age:
        raise ExternalStatusUnchecked(
            f"the status list {list_id} was issued {format_time(issued)}, more than "
            f"{max_age} before now: fetch the current one",
            issued=format_time(issued),
        )
    if "BitstringStatusList" not in _types(subject.get("type")):
        raise ExternalStatusUnchecked(f"the status list {list_id}'s subject is no status list")
    purposes = _types(subject.get("statusPurpose"))
    return expand_bitstring(subject.get("encodedList")), issued, purposes


def _check_list_validity(
    listed: Mapping[str, Any], list_id: str, now: datetime, clock_skew: timedelta
) -> tuple[datetime | None, datetime | None]:
    try:
        return _check_validity(listed, now, clock_skew)
    except (CredentialNotValid, ExternalCredentialInvalid) as exc:
        raise ExternalStatusUnchecked(f"the status list {list_id}: {exc.detail}") from exc
