"""The ledger's error tree.

Every failure the core can report is a :class:`LedgerError` with a stable ``code``
(the API's problem+json ``code`` and the CLI's exit message) and its data as
attributes. Verification errors name the check that failed. The credentials library
(:mod:`credentials.errors`) and the domain packages (``domain.*.errors``) grow their own
branches from these bases.

    LedgerError
    ├── InvalidRecord                 invalid_record      input is not a well-formed record
    │   ├── MalformedJSON             malformed_json
    │   ├── SchemaViolation           schema_violation    (.field)
    │   ├── InvalidKey                invalid_key         not a well-formed Ed25519 key / did
    │   ├── BodyTooLarge              body_too_large      (.limit)
    │   ├── UnsupportedMediaType      unsupported_media_type  (.media_type) not UTF-8 JSON
    │   └── RpcRequestError           rpc_invalid         (.rpc_code) a JSON-RPC call /rpc refuses
    ├── VerificationError             (.check)            a signature / proof check failed
    │   ├── SignatureError            bad_signature
    │   ├── UnknownSigner             unknown_signer
    │   ├── NotAccredited             not_accredited      (.role, .at)
    │   │   └── NotInScope            not_in_scope        (.role, .scope) accredited, not for
    │   │                                                 the scope the record names
    │   ├── SignerRevoked             signer_revoked
    │   ├── SignerSuspended           signer_suspended
    │   ├── NonceReplayed             nonce_replayed
    │   ├── ClockSkew                 clock_skew          (.skew_seconds)
    │   └── ReceiptInvalid            receipt_invalid     (.check)
    ├── Unauthorized                  unauthorized        a write without valid credentials
    ├── Forbidden                     forbidden           authenticated, but not allowed
    │   ├── NotAParty                 not_a_party         (.record_id) reading another's record
    │   └── AdminKeyMissing           admin_key_missing   (.admin) the registry admin is an
    │                                                     account this server holds no key for
    ├── RateLimited                   rate_limited        (.retry_after seconds) too many requests
    ├── NotFound                      not_found           (.what, .key)
    ├── Conflict                      conflict
    │   ├── DuplicateRecord           duplicate_record    (.record_id)
    │   ├── GroupRefused              refused_with_group  (.refused_item) all or none: another
    │   │                                                 item of the group was refused
    │   └── NotAnchored               not_anchored        (.state) no receipt before anchoring
    ├── KeyFileError                  key_file            wrong passphrase or damaged file
    ├── SchemaMismatch                schema_mismatch     (.revision, .head) the database's
    │                                                     schema is not this release's
    └── ChainError                    chain_error
        ├── ChainUnavailable          chain_unavailable
        ├── ContractRevert            contract_revert     (.error_name, .args)
        ├── DeploymentMissing         deployment_missing
        └── FeeAboveCap               fee_above_cap       (.fee_wei, .cap_wei) not sent: waits
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AdminKeyMissing",
    "BodyTooLarge",
    "ChainError",
    "ChainUnavailable",
    "ClockSkew",
    "Conflict",
    "ContractRevert",
    "DeploymentMissing",
    "DuplicateRecord",
    "FeeAboveCap",
    "Forbidden",
    "GroupRefused",
    "InvalidKey",
    "InvalidRecord",
    "KeyFileError",
    "LedgerError",
    "MalformedJSON",
    "NonceReplayed",
    "NotAParty",
    "NotAccredited",
    "NotAnchored",
    "NotFound",
    "NotInScope",
    "RateLimited",
    "ReceiptInvalid",
    "RpcRequestError",
    "SchemaMismatch",
    "SchemaViolation",
    "SignatureError",
    "SignerRevoked",
    "SignerSuspended",
    "Unauthorized",
    "UnknownSigner",
    "UnsupportedMediaType",
    "VerificationError",
]


class LedgerError(Exception):
    """Root of every error the ledger core raises."""

    code: ClassVar[str] = "ledger_error"
    title: ClassVar[str] = "Ledger error"

    def __init__(self, detail: str, **data: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        """The error as plain data (for problem+json bodies and ``--json`` output)."""
        return {"code": self.code, "title": self.title, "detail": self.detail, **self.data}

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword data would be lost by Exception's default pickling (args only), and
        # errors cross process boundaries (parallel ingestion).
        return (_restore, (type(self), self.detail, dict(self.__dict__)))


def _restore(cls: type[LedgerError], detail: str, state: dict[str, Any]) -> LedgerError:
    error = cls.__new__(cls)
    Exception.__init__(error, detail)
    error.__dict__.update(state)
    return error


class InvalidRecord(LedgerError):
    code = "invalid_record"
    title = "Invalid record"


class MalformedJSON(InvalidRecord):
    code = "malformed_json"
    title = "Malformed JSON"


class SchemaViolation(InvalidRecord):
    code = "schema_violation"
    title = "Schema violation"

    def __init__(self, detail: str, *, field: str, **data: Any) -> None:
        super().__init__(detail, field=field, **data)
        self.field = field


class InvalidKey(InvalidRecord, ValueError):
    """A key, did or multibase string is not a well-formed Ed25519 key."""

    code = "invalid_key"
    title = "Invalid key"


class BodyTooLarge(InvalidRecord):
    code = "body_too_large"
    title = "Body too large"


class UnsupportedMediaType(InvalidRecord):
    """The body is not declared as JSON in UTF-8 (``Content-Type`` missing, another type or
    another charset)."""

    code = "unsupported_media_type"
    title = "Unsupported media type"


class RpcRequestError(InvalidRecord):
    """A JSON-RPC call the read-only chain view refuses; ``rpc_code`` is the JSON-RPC error
    code its reply carries (-32600 invalid request, -32601 method not found, -32602 invalid
    params)."""

    code = "rpc_invalid"
    title = "Invalid JSON-RPC call"

    def __init__(self, detail: str, *, rpc_code: int, **data: Any) -> None:
        super().__init__(detail, rpc_code=rpc_code, **data)
        self.rpc_code = rpc_code


class VerificationError(LedgerError):
    """A check on a signed object failed; ``check`` names which one."""

    code = "verification_failed"
    title = "Verification failed"
    check: ClassVar[str] = "verification"

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "check": self.check}


class SignatureError(VerificationError):
    code = "bad_signature"
    title = "Bad signature"
    check = "signature"


class UnknownSigner(VerificationError):
    code = "unknown_signer"
    title = "Unknown signer"
    check = "signer_known"


class NotAccredited(VerificationError):
    code = "not_accredited"
    title = "Signer not accredited"
    check = "signer_accredited"


class NotInScope(NotAccredited):
    """The signer is accredited in the role, but does not hold the scope the record names
    (e.g. an employer's wage line for a facility it is not scoped to), at ``created`` or
    now. ``scope`` is the 0x hex of the bytes32 scope."""

    code = "not_in_scope"
    title = "Signer not accredited for this scope"

    def __init__(self, detail: str, *, role: str, scope: str, **data: Any) -> None:
        super().__init__(detail, role=role, scope=scope, **data)
        self.role = role
        self.scope = scope


class SignerRevoked(VerificationError):
    code = "signer_revoked"
    title = "Signer revoked"
    check = "signer_not_revoked"


class SignerSuspended(VerificationError):
    code = "signer_suspended"
    title = "Signer suspended"
    check = "signer_not_suspended"


class NonceReplayed(VerificationError):
    code = "nonce_replayed"
    title = "Nonce replayed"
    check = "nonce_fresh"


class ClockSkew(VerificationError):
    code = "clock_skew"
    title = "Created time outside allowed clock skew"
    check = "created_within_skew"


class ReceiptInvalid(VerificationError):
    """A receipt check failed; the instance's ``check`` names it (leaf, proof, anchored...)."""

    code = "receipt_invalid"
    title = "Receipt invalid"

    def __init__(self, detail: str, *, check: str, **data: Any) -> None:
        super().__init__(detail, **data)
        self.check = check  # type: ignore[misc]


class Unauthorized(LedgerError):
    code = "unauthorized"
    title = "Unauthorized"


class Forbidden(LedgerError):
    code = "forbidden"
    title = "Forbidden"


class NotAParty(Forbidden):
    code = "not_a_party"
    title = "Not a party to this record"


class AdminKeyMissing(Forbidden):
    """A registry change was asked of a server that does not hold the registry admin's key
    (in production the admin is a Safe multisig): the admin must make it, the ledger then
    mirrors it from the chain's events. ``admin`` is the registry admin's address."""

    code = "admin_key_missing"
    title = "Registry admin key not held by this server"

    def __init__(self, detail: str, *, admin: str, **data: Any) -> None:
        super().__init__(detail, admin=admin, **data)
        self.admin = admin


class RateLimited(LedgerError):
    """A client sent more requests than its limit allows; ``retry_after`` is in seconds."""

    code = "rate_limited"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, **data: Any) -> None:
        super().__init__(detail, retry_after=retry_after, **data)
        self.retry_after = retry_after


class NotFound(LedgerError):
    code = "not_found"
    title = "Not found"


class Conflict(LedgerError):
    code = "conflict"
    title = "Conflict"


class DuplicateRecord(Conflict):
    code = "duplicate_record"
    title = "Duplicate record"


class GroupRefused(Conflict):
    """An item that passed every check, refused because its group (a payroll run) is
    admitted all or none and another of its items was refused."""

    code = "refused_with_group"
    title = "Refused with its group"


class NotAnchored(Conflict):
    code = "not_anchored"
    title = "Not anchored yet"


class KeyFileError(LedgerError):
    code = "key_file"
    title = "Key file cannot be opened"


class SchemaMismatch(LedgerError):
    """The database is not at this release's schema revision: behind (``ledger db upgrade``
    migrates it), unversioned and unlike the baseline, or migrated by a later release.

    ``revision`` is the database's (None: unversioned), ``head`` this release's; ``behind``
    says whether upgrading would help."""

    code = "schema_mismatch"
    title = "Database schema is not this release's"

    def __init__(self, detail: str, *, revision: str | None, head: str, behind: bool) -> None:
        super().__init__(detail, revision=revision, head=head, behind=behind)
        self.revision = revision
        self.head = head
        self.behind = behind


class ChainError(LedgerError):
    code = "chain_error"
    title = "Chain error"


class ChainUnavailable(ChainError):
    code = "chain_unavailable"
    title = "Chain unavailable"


class ContractRevert(ChainError):
    """A contract call reverted; ``error_name`` is the decoded custom error."""

    code = "contract_revert"
    title = "Contract reverted"

    def __init__(self, detail: str, *, error_name: str, args: tuple[Any, ...] = ()) -> None:
        super().__init__(detail, error_name=error_name, args=[_jsonable(a) for a in args])
        self.error_name = error_name
        self.error_args = args


class DeploymentMissing(ChainError):
    code = "deployment_missing"
    title = "No deployment for this chain"


class FeeAboveCap(ChainError):
    """The chain wants more per gas than the policy cap (``LEDGER_MAX_FEE_GWEI``): nothing was
    signed or sent; the caller waits for fees to fall."""

    code = "fee_above_cap"
    title = "Chain fee above the cap"

    def __init__(self, detail: str, *, fee_wei: int, cap_wei: int) -> None:
        super().__init__(detail, fee_wei=fee_wei, cap_wei=cap_wei)
        self.fee_wei = fee_wei
        self.cap_wei = cap_wei


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value
