"""Organisations (audit firms, issuers, brands) known by a did:web that this server publishes,
and the one rule that makes a did:web trustworthy: through an accredited did:key.

A did:web document is its domain owner's claim. We trust a did:web for a role only through
a did:key that the document lists *and* that the registry mirror shows accredited now for
that role (:func:`accredited_key_of`); a key dropped from the document, or suspended,
revoked or expired on chain, stops counting at once.

This server publishes ``did:web:<LEDGER_PUBLIC_HOST>:orgs:<slug>`` at
``/orgs/<slug>/did.json`` for the organisations in its directory (stored in ``ledger_meta``
under ``organisation:<slug>``, written once: the demo seeds them). The document lists the
organisation's did:keys accredited now for its role, and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlmodel import col, select

from credentials.didweb import build_did_document, did_web, is_did_web, keys_of
from credentials.errors import IssuerUnresolved
from ledger.errors import NotAccredited, NotFound, SchemaViolation
from ledger.keys import VerifyKey
from ledger.roles import Role
from ledger.service import Ledger
from ledger.store.db import session_scope
from ledger.store.meta import kept_value
from ledger.store.models import LedgerMetaRow
from ledger.types import Did

__all__ = [
    "MAX_KEYS",
    "ORGS_PATH",
    "Organisation",
    "Organisations",
    "accredited_key_of",
    "accredited_keys_of",
    "publish_organisation",
]

ORGS_PATH: Final = "orgs"
"""The did:web path segment (and URL path) under which organisations are published."""
MAX_KEYS: Final = 5
"""Keys an organisation's entry holds: ``ledger_meta`` values are at most 256 characters."""
_META_PREFIX: Final = "organisation:"
_SLUG: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")  # ledger_meta names: 64 characters


@dataclass(frozen=True)
class Organisation:
    """An organisation this server publishes a did:web for.

    Attributes:
        slug: the last did:web segment (``veritas``).
        role: the role its keys are trusted for.
        dids: its did:keys, in the order its document lists them.
    """

    slug: str
    role: Role
    dids: tuple[Did, ...]


def accredited_keys_of(
    ledger: Ledger, did: str, document: Mapping[str, Any], roles: frozenset[Role]
) -> tuple[Did, ...]:
    """The did:keys ``document`` lists for ``did`` that hold one of ``roles`` now.

    Raises:
        DidWebInvalid, DidDocumentInvalid: ``document`` is not a did:web document we accept.
    """
    return tuple(
        key.did for key in keys_of(document, did) if ledger.is_accredited_now(key.did, roles)
    )


def accredited_key_of(
    ledger: Ledger, did: str, document: Mapping[str, Any], roles: frozenset[Role]
) -> Did:
    """The first did:key ``document`` lists for ``did`` that holds one of ``roles`` now.

    Raises:
        DidWebInvalid, DidDocumentInvalid: not a did:web document we accept.
        NotAccredited: no listed key is accredited now for ``roles``.
    """
    accredited = accredited_keys_of(ledger, did, document, roles)
    if not accredited:
        names = ", ".join(sorted(r.name.lower() for r in roles))
        raise NotAccredited(f"no key listed by {did} is accredited now as {names}", did=did)
    return accredited[0]


def publish_organisation(ledger: Ledger, organisation: Organisation) -> None:
    """Add ``organisation`` to this server's directory (once: a slug, once stored, stays).

    Stored as ``<role> <multibase> <multibase>...`` in one ``ledger_meta`` row.

    Raises:
        SchemaViolation: the slug cannot be a did:web segment (lower-case letters, digits
            and dashes, at most 48), or not 1 to :data:`MAX_KEYS` keys.
        InvalidKey: a did is not a did:key.
    """
    if not _SLUG.match(organisation.slug):
        raise SchemaViolation(f"{organisation.slug!r} is not a slug", field="slug")
    keys = list(dict.fromkeys(VerifyKey.from_did(d) for d in organisation.dids))
    if not 0 < len(keys) <= MAX_KEYS:
        raise SchemaViolation(f"an organisation has 1 to {MAX_KEYS} keys", field="dids")
    value = " ".join([organisation.role.name.lower(), *(key.multibase for key in keys)])
    kept_value(ledger.engine, _META_PREFIX + organisation.slug, lambda: value)


class Organisations:
    """The directory of published organisations on ``ledger``, under ``host``.

    Args:
        ledger: the ledger whose database holds the directory and whose registry mirror
            says which keys are accredited.
        host: this server's public host (``LEDGER_PUBLIC_HOST``, e.g. ``ledger.example.org``
            or ``127.0.0.1:8000``), the did:web's host part.
    """

    def __init__(self, ledger: Ledger, host: str) -> None:
        self.ledger = ledger
        self.host = host

    def did_of(self, slug: str) -> Did:
        return did_web(self.host, ORGS_PATH, slug)

    def get(self, slug: str) -> Organisation:
        """Raises NotFound: no organisation with that slug."""
        if _SLUG.match(slug):
            with session_scope(self.ledger.engine) as session:
                row = session.get(LedgerMetaRow, _META_PREFIX + slug)
                if row is not None:
                    role, *keys = row.value.split(" ")
                    dids = tuple(VerifyKey.from_multibase(key).did for key in keys)
                    return Organisation(slug, Role.parse(role), dids)
        raise NotFound(f"no organisation {slug!r} is published here", what="organisation")

    def slugs(self) -> list[str]:
        with session_scope(self.ledger.engine) as session:
            names = session.exec(
                select(LedgerMetaRow.name).where(col(LedgerMetaRow.name).startswith(_META_PREFIX))
            ).all()
        return sorted(name.removeprefix(_META_PREFIX) for name in names)

    def document(self, slug: str) -> dict[str, Any]:
        """The DID document of ``slug``: its keys accredited now for its role.

        Raises:
            NotFound: no such organisation, or none of its keys is accredited now.
        """
        organisation = self.get(slug)
        roles = frozenset({organisation.role})
        keys = [
            VerifyKey.from_did(d)
            for d in organisation.dids
            if self.ledger.is_accredited_now(d, roles)
        ]
        if not keys:
            raise NotFound(f"organisation {slug!r} has no key accredited now", what="organisation")
        return build_did_document(self.did_of(slug), keys)

    def resolve(self, did: str) -> dict[str, Any]:
        """The document of a did:web this server publishes; never fetched from elsewhere.

        Raises:
            IssuerUnresolved: ``did`` is not one of this server's did:webs, or unknown here.
        """
        prefix = did_web(self.host, ORGS_PATH) + ":"
        if not is_did_web(did) or not did.startswith(prefix):
            raise IssuerUnresolved(
                f"{did} is not published by this server (did:web:{prefix[8:]}...); "
                "this verifier resolves only its own did:web documents, never fetching",
                issuer=did,
            )
        try:
            return self.document(did.removeprefix(prefix))
        except NotFound as exc:
            raise IssuerUnresolved(exc.detail, issuer=did) from exc

    def issuer_keys(self, did: str) -> tuple[Did, ...]:
        """What :func:`credentials.verifier.verify_credential` asks of a did:web issuer: the
        did:keys its (locally resolved) document binds to an accredited key of its role."""
        document = self.resolve(did)
        organisation = self.get(did.rsplit(":", 1)[1])
        return accredited_keys_of(self.ledger, did, document, frozenset({organisation.role}))
