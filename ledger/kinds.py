"""Kinds of record as the core sees them: a handler per kind, and the registry of handlers.

The core knows no kind by name. A domain package implements one :class:`KindHandler` per
kind (its payload schema, its admission rule, what it writes when admitted, who may read
it); the application hands the list to :class:`~ledger.service.Ledger`. Admission calls the
handler's hooks in a fixed place in the pipeline (see :mod:`ledger.admission`):

    parse (no database) ─▶ generic checks ─▶ check (reads only) ─▶ store + apply (writes)
                                                   │   └─ its verdict is handed to apply
                                                   └─ refused ─▶ on_refused (an audit trail)

so a kind's rule never runs, let alone writes, before the signature, the signer's
accreditation, the clock and the nonce have passed.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Final, Protocol

from sqlmodel import Session

from .errors import LedgerError, SchemaViolation
from .roles import Role
from .scopes import SCOPE_PATH, scope_named
from .types import Scope

if TYPE_CHECKING:
    from .envelope import AccreditationSource, Envelope
    from .outbox import Outbox
    from .receipts import KindRule

__all__ = [
    "KIND_LABEL",
    "Admission",
    "ChainView",
    "KindHandler",
    "KindRegistry",
    "Parsed",
    "Readers",
]

KIND_LABEL: Final = re.compile(r"[a-z][a-z0-9_-]{0,31}")
"""What a ``kind`` looks like on the wire (the registry decides whether it is known)."""


class Readers(StrEnum):
    """Who may read a kind's envelopes and receipts."""

    PUBLIC = "public"  # anyone (audits, supply links, scores)
    PARTIES = "parties"  # the record's parties and keys of the kind's reader roles


@dataclass(frozen=True)
class Parsed:
    """A payload after its kind's schema: the typed value, the subject it is filed under
    (the id records are looked up by, e.g. the facility of an audit), and whatever else the
    kind works out from the payload alone (e.g. a wage line's compliance verdict: computed
    here, it is spread over the admission workers with the signature checks)."""

    value: Any
    subject: str | None = None
    derived: Any = None


class ChainView(Protocol):
    """The chain reads a kind's rule may make (never a write)."""

    def credential_status(self, status_id: str) -> int:
        """CredentialStatus's status of a credential (0 active, 1 suspended, 2 revoked)."""
        ...

    def issuer_revoked(self, issuer_key: bytes) -> bool:
        """Whether the registry admin voided every credential of this issuer key on chain."""
        ...


@dataclass
class Admission:
    """What a kind's hooks get: the open transaction, the server's receive time, what came
    beside the envelope (e.g. a check-in's presentation), the outbox for chain writes that
    must follow the record, the registry mirror, and read-only chain access."""

    session: Session
    received_at: datetime
    attachment: Mapping[str, Any] | None
    outbox: Outbox
    accreditations: AccreditationSource
    chain: ChainView
    in_group: bool = False  # admitted all or none, with check_group run first


class KindHandler(ABC):
    """One kind of record. Subclasses set the class attributes and implement :meth:`parse`.

    Attributes:
        label: the ``kind`` of its envelopes (``audit``).
        code: the number a batch of these records is anchored with on chain (``uint8``).
        roles: registry roles whose keys may sign it; None for a kind any key may sign,
            whose rule names the one key that may (a worker acknowledging their own line).
        readers: who may read its envelopes and receipts.
        reader_roles: with ``Readers.PARTIES``, roles whose keys may read every record of
            the kind (e.g. accredited investigators), beside the record's own parties.
        attachment: the name of a body part that must come with the envelope, or None.
        scope: the dotted payload path (``run.facility``) of the facility whose scope
            (:func:`~ledger.chain.contracts.facility_scope`) the signer must hold in the
            role it signs under, at ``created`` and now; None for a kind without scopes.
            Receipts' verifiers read the same path (:meth:`KindRegistry.receipt_rules`).
    """

    label: ClassVar[str]
    code: ClassVar[int]
    roles: ClassVar[frozenset[Role] | None]
    readers: ClassVar[Readers] = Readers.PUBLIC
    reader_roles: ClassVar[frozenset[Role]] = frozenset()
    attachment: ClassVar[str | None] = None
    scope: ClassVar[str | None] = None

    @abstractmethod
    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        """Validate the payload (no database).

        Raises:
            SchemaViolation: naming the field (``payload.<path>``).
        """

    def scope_of(self, envelope: Envelope) -> Scope | None:
        """The scope the signer of ``envelope`` must hold, from the path :attr:`scope`
        names (not meant to be overridden: receipts' verifiers only know the path).

        Raises:
            SchemaViolation: the payload names no facility there.
        """
        if self.scope is None:
            return None
        try:
            return scope_named(envelope.payload, self.scope)
        except ValueError as exc:
            raise SchemaViolation(str(exc), field=f"payload.{self.scope}") from None

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> Any:
        """The kind's own rule, after every generic check passed. Reads only.

        Returns:
            Whatever :meth:`apply` needs of what the rule established (or None).

        Raises:
            LedgerError: the record is refused; nothing is stored.
        """
        return None

    def apply(  # noqa: B027
        self, admission: Admission, envelope: Envelope, parsed: Parsed, checked: Any
    ) -> None:
        """What the admitted record writes beside its record row (same savepoint): views'
        rows, outbox entries. An error here refuses the record and undoes both."""

    def check_group(  # noqa: B027
        self, admission: Admission, members: Sequence[tuple[Envelope, Parsed]]
    ) -> None:
        """The kind's rule over a group admitted all or none (every member of this kind in
        it), after every generic check of every member passed and before :meth:`check` of
        each. Reads only.

        Raises:
            LedgerError: the whole group is refused.
        """

    def apply_many(
        self, admission: Admission, members: Sequence[tuple[Envelope, Parsed, Any]]
    ) -> None:
        """The writes of a group's members (default: :meth:`apply` of each)."""
        for envelope, parsed, checked in members:
            self.apply(admission, envelope, parsed, checked)

    def on_refused(  # noqa: B027
        self, admission: Admission, envelope: Envelope, parsed: Parsed, error: LedgerError
    ) -> None:
        """Called when :meth:`check` or :meth:`apply` refused an authenticated record (every
        generic check passed): a kind may keep an audit trail of the attempt (e.g. a
        coercion flag for a replayed presentation), in its own savepoint. Never a record."""

    def parties(self, session: Session, envelope: Envelope) -> frozenset[str]:
        """The dids that may read a record of this kind (with ``Readers.PARTIES``)."""
        return frozenset({envelope.signer})

    @property
    def writes(self) -> bool:
        """Whether admitted records write beyond their record row (then each is stored in
        its own savepoint; otherwise they go into one bulk insert)."""
        return type(self).apply is not KindHandler.apply


class KindRegistry(Mapping[str, KindHandler]):
    """Every kind a ledger accepts, by label."""

    def __init__(self, handlers: Iterable[KindHandler]) -> None:
        by_label: dict[str, KindHandler] = {}
        codes: dict[int, str] = {}
        for handler in handlers:
            if not KIND_LABEL.fullmatch(handler.label):
                raise ValueError(f"kind label {handler.label!r} is not {KIND_LABEL.pattern}")
            if not 0 < handler.code < 256:
                raise ValueError(f"kind {handler.label}: code {handler.code} is not a uint8")
            if handler.scope is not None and not SCOPE_PATH.fullmatch(handler.scope):
                raise ValueError(f"kind {handler.label}: scope {handler.scope!r} is not a path")
            if handler.label in by_label or handler.code in codes:
                raise ValueError(f"kind {handler.label} (code {handler.code}) registered twice")
            by_label[handler.label] = handler
            codes[handler.code] = handler.label
        self._handlers = by_label

    def __getitem__(self, label: str) -> KindHandler:
        return self._handlers[label]

    def __iter__(self) -> Iterator[str]:
        return iter(self._handlers)

    def __len__(self) -> int:
        return len(self._handlers)

    def handler(self, label: str) -> KindHandler:
        """The handler of ``label``.

        Raises:
            SchemaViolation: no such kind (``field="kind"``).
        """
        try:
            return self._handlers[label]
        except KeyError:
            raise SchemaViolation(
                f"records of kind {label!r} are not accepted here", field="kind"
            ) from None

    def code_of(self, label: str) -> int:
        return self.handler(label).code

    def label_of(self, code: int) -> str | None:
        return next((h.label for h in self._handlers.values() if h.code == code), None)

    def roles_of(self, label: str) -> frozenset[Role] | None:
        return self.handler(label).roles

    def receipt_rules(self) -> dict[str, KindRule]:
        """What a receipt verifier needs of each kind: its number on chain, its roles, and
        the payload path of the facility its signer must be scoped to."""
        from .receipts import KindRule

        return {
            label: KindRule(
                h.code, None if h.roles is None else frozenset(int(r) for r in h.roles), h.scope
            )
            for label, h in self._handlers.items()
        }
