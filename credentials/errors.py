"""Errors of the credentials package, as branches of the ledger's one error tree.

Every class has a stable ``code``; proof errors also name the ``check`` that failed, so
a caller (API, CLI) can say *which* part of a credential is wrong without parsing text.

    LedgerError                                   (ledger.errors)
    ├── InvalidRecord                             (ledger.errors)
    │   ├── CredentialInvalid      credential_invalid       (.field) not a worker credential
    │   ├── DidWebInvalid          did_web_invalid          (.did) not a did:web identifier
    │   ├── DidDocumentInvalid     did_document_invalid     (.field) a did:web document we refuse
    │   ├── StatusListInvalid      status_list_invalid      (.field) not a status list of ours
    │   │   ├── StatusListEncodingInvalid status_list_encoding_invalid  not multibase/GZIP
    │   │   └── StatusListTooLarge  status_list_too_large   (.limit) past the list's size
    │   ├── QrInvalid              qr_invalid               not an LPL1 QR payload
    │   │   └── QrTooLarge         qr_too_large             past QR version 25 at level M
    │   ├── JsonLdInvalid          jsonld_invalid           JSON-LD processing failed
    │   │   ├── ContextNotBundled  context_not_bundled      (.url) never fetched from the network
    │   │   ├── UndefinedTerm      undefined_term           (.term, .paths) would be dropped
    │   │   ├── RelativeIri        relative_iri             (.value, .paths) would be dropped
    │   │   └── ControlCharacter   control_character        (.path, .codepoint)
    │   └── ProofOptionsInvalid    proof_options_invalid    (.option) cannot sign with these options
    ├── KeyFileError                              (ledger.errors)
    │   └── WalletError            wallet_error             wrong PIN, damaged or incomplete
    └── VerificationError                         (ledger.errors)
        ├── PresentationExpired    presentation_expired     check: freshness
        ├── HolderMismatch         holder_mismatch          check: holder_binding
        ├── CredentialNotValid     credential_not_valid     check: validity (validFrom/Until)
        └── ProofError             proof_invalid            a Data Integrity proof check failed
            ├── ProofMissing               proof_missing                check: proof_present
            ├── UnsupportedCryptosuite     unsupported_cryptosuite      check: cryptosuite
            ├── VerificationMethodInvalid  verification_method_invalid  check: verification_method
            ├── ProofPurposeMismatch       proof_purpose_mismatch       check: proof_purpose
            ├── ChallengeMismatch          challenge_mismatch           check: challenge
            ├── DomainMismatch             domain_mismatch              check: domain
            ├── ProofExpired               proof_expired                check: expires
            ├── ProofCreatedInvalid        proof_created_invalid        check: created
            ├── ProofContextInvalid        proof_context_invalid        check: context
            ├── PreviousProofInvalid       previous_proof_invalid       check: previous_proof
            ├── IssuerProofMissing         issuer_proof_missing         check: issuer
            ├── IssuerUnresolved           issuer_unresolved            check: issuer (did:web)
            └── ProofSignatureInvalid      proof_signature_invalid      check: signature
                (also a ledger.errors.SignatureError)
"""

from __future__ import annotations

from typing import Any, ClassVar

from ledger.errors import InvalidRecord, KeyFileError, SignatureError, VerificationError

__all__ = [
    "ChallengeMismatch",
    "ContextNotBundled",
    "ControlCharacter",
    "CredentialInvalid",
    "CredentialNotValid",
    "DidDocumentInvalid",
    "DidWebInvalid",
    "DomainMismatch",
    "HolderMismatch",
    "IssuerProofMissing",
    "IssuerUnresolved",
    "JsonLdInvalid",
    "PresentationExpired",
    "PreviousProofInvalid",
    "ProofContextInvalid",
    "ProofCreatedInvalid",
    "ProofError",
    "ProofExpired",
    "ProofMissing",
    "ProofOptionsInvalid",
    "ProofPurposeMismatch",
    "ProofSignatureInvalid",
    "QrInvalid",
    "QrTooLarge",
    "RelativeIri",
    "StatusListEncodingInvalid",
    "StatusListInvalid",
    "StatusListTooLarge",
    "UndefinedTerm",
    "UnsupportedCryptosuite",
    "VerificationMethodInvalid",
    "WalletError",
]


class StatusListInvalid(InvalidRecord):
    """A Bitstring Status List credential that is not one this ledger serves (``field``)."""

    code = "status_list_invalid"
    title = "Invalid status list"


class StatusListEncodingInvalid(StatusListInvalid):
    """An ``encodedList`` that is not multibase base64url of one GZIP member."""

    code = "status_list_encoding_invalid"
    title = "Status list not encoded as the spec says"


class StatusListTooLarge(StatusListInvalid):
    """An ``encodedList`` too long for a list, or one inflating past it (a GZIP bomb)."""

    code = "status_list_too_large"
    title = "Status list too large"


class DidWebInvalid(InvalidRecord):
    """A string is not a did:web identifier we can map to a URL (``did``)."""

    code = "did_web_invalid"
    title = "Invalid did:web"


class DidDocumentInvalid(InvalidRecord):
    """A did:web document is malformed, oversized, not the did's, or lists a key that is not
    an Ed25519 Multikey (``field`` names the member)."""

    code = "did_document_invalid"
    title = "Invalid DID document"


class JsonLdInvalid(InvalidRecord):
    """JSON-LD processing of a document failed (bad context, syntax, protected term...)."""

    code = "jsonld_invalid"
    title = "Invalid JSON-LD"


class ContextNotBundled(JsonLdInvalid):
    """A document names an ``@context`` URL that is not bundled; we never fetch one."""

    code = "context_not_bundled"
    title = "JSON-LD context not bundled"

    def __init__(self, url: str) -> None:
        super().__init__(
            f"JSON-LD context {url!r} is not bundled in credentials/contexts; "
            "contexts are never fetched from the network",
            url=url,
        )
        self.url = url


class UndefinedTerm(JsonLdInvalid):
    """A property does not expand to an absolute IRI, so JSON-LD would silently drop it."""

    code = "undefined_term"
    title = "Term not defined by the context"

    def __init__(self, detail: str, *, term: str | None, paths: list[str]) -> None:
        super().__init__(detail, term=term, paths=paths)
        self.term = term
        self.paths = paths


class RelativeIri(JsonLdInvalid):
    """An ``@id`` / ``@type`` value is a relative IRI; RDF canonicalization would drop it."""

    code = "relative_iri"
    title = "Relative IRI"

    def __init__(self, detail: str, *, value: str, paths: list[str]) -> None:
        super().__init__(detail, value=value, paths=paths)
        self.value = value
        self.paths = paths


class ControlCharacter(JsonLdInvalid):
    """A key or string value holds a control character (Unicode category Cc)."""

    code = "control_character"
    title = "Control character in a string"

    def __init__(self, detail: str, *, path: str, codepoint: str) -> None:
        super().__init__(detail, path=path, codepoint=codepoint)
        self.path = path
        self.codepoint = codepoint


class ProofOptionsInvalid(InvalidRecord):
    """``add_proof`` was asked for something it cannot sign (unknown suite, bad date...)."""

    code = "proof_options_invalid"
    title = "Invalid proof options"

    def __init__(self, detail: str, *, option: str, **data: Any) -> None:
        super().__init__(detail, option=option, **data)
        self.option = option


class ProofError(VerificationError):
    """A Data Integrity proof did not verify; ``check`` names the check that failed."""

    code = "proof_invalid"
    title = "Proof invalid"


class ProofMissing(ProofError):
    code = "proof_missing"
    title = "No proof"
    check: ClassVar[str] = "proof_present"


class UnsupportedCryptosuite(ProofError):
    code = "unsupported_cryptosuite"
    title = "Unsupported proof type or cryptosuite"
    check: ClassVar[str] = "cryptosuite"


class VerificationMethodInvalid(ProofError):
    code = "verification_method_invalid"
    title = "Verification method cannot be resolved"
    check: ClassVar[str] = "verification_method"


class ProofPurposeMismatch(ProofError):
    code = "proof_purpose_mismatch"
    title = "Proof purpose mismatch"
    check: ClassVar[str] = "proof_purpose"


class ChallengeMismatch(ProofError):
    code = "challenge_mismatch"
    title = "Challenge mismatch"
    check: ClassVar[str] = "challenge"


class DomainMismatch(ProofError):
    code = "domain_mismatch"
    title = "Domain mismatch"
    check: ClassVar[str] = "domain"


class ProofExpired(ProofError):
    code = "proof_expired"
    title = "Proof expired"
    check: ClassVar[str] = "expires"


class ProofCreatedInvalid(ProofError):
    code = "proof_created_invalid"
    title = "Proof creation time invalid"
    check: ClassVar[str] = "created"


class ProofContextInvalid(ProofError):
    """The document or proof failed strict JSON-LD checks or named an unbundled context."""

    code = "proof_context_invalid"
    title = "Proof context invalid"
    check: ClassVar[str] = "context"


class PreviousProofInvalid(ProofError):
    """A proof's ``previousProof`` is not a string or list of strings, or names a proof that
    is not in the document's proof set (Data Integrity: PROOF_VERIFICATION_ERROR)."""

    code = "previous_proof_invalid"
    title = "Previous proof missing or invalid"
    check: ClassVar[str] = "previous_proof"


class IssuerProofMissing(ProofError):
    """No verified proof of a credential was made by a key its ``issuer`` controls."""

    code = "issuer_proof_missing"
    title = "No proof by the issuer"
    check: ClassVar[str] = "issuer"


class IssuerUnresolved(ProofError):
    """A credential's ``issuer`` is a did:web that this verifier cannot resolve, or whose
    document binds none of the proofs' keys to an accredited key (``issuer``)."""

    code = "issuer_unresolved"
    title = "Issuer did:web not resolved"
    check: ClassVar[str] = "issuer"


class ProofSignatureInvalid(ProofError, SignatureError):
    code = "proof_signature_invalid"
    title = "Proof signature invalid"
    check: ClassVar[str] = "signature"


# -- worker credentials, presentations, QR, wallets -----------------------------------


class CredentialInvalid(InvalidRecord):
    """A document is not a well-formed WorkerIdentityCredential (``field`` names what)."""

    code = "credential_invalid"
    title = "Not a worker credential"

    def __init__(self, detail: str, *, field: str, **data: Any) -> None:
        super().__init__(detail, field=field, **data)
        self.field = field


class QrInvalid(InvalidRecord):
    code = "qr_invalid"
    title = "Invalid QR payload"


class QrTooLarge(QrInvalid):
    """The payload would need a QR code past version 25 at error correction M."""

    code = "qr_too_large"
    title = "QR payload too large to scan reliably"


class PresentationExpired(VerificationError):
    code = "presentation_expired"
    title = "Presentation expired"
    check = "freshness"


class HolderMismatch(VerificationError):
    code = "holder_mismatch"
    title = "Presentation not signed by the credential's subject"
    check = "holder_binding"


class CredentialNotValid(VerificationError):
    code = "credential_not_valid"
    title = "Credential outside its validity period"
    check = "validity"


class WalletError(KeyFileError):
    code = "wallet_error"
    title = "Wallet cannot be opened or used"
