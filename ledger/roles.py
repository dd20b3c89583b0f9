"""Roles (as AttesterRegistry numbers them) and which roles may sign which record kind."""

from __future__ import annotations

from enum import IntEnum
from typing import Final


class Role(IntEnum):
    """Accreditation roles; values are the contract's ``uint8`` constants."""

    AUDITOR = 1
    ISSUER = 2
    EMPLOYER = 3
    BRAND = 4
    VERIFIER = 5
    INVESTIGATOR = 6

    @classmethod
    def parse(cls, name: str) -> Role:
        try:
            return cls[name.strip().upper()]
        except KeyError:
            valid = ", ".join(r.name.lower() for r in cls)
            raise ValueError(f"unknown role {name!r} (one of: {valid})") from None


class Kind(IntEnum):
    """Record kinds; values are the ``kind`` a batch is anchored with on chain."""

    AUDIT = 1
    WAGE = 2
    CHECKIN = 3
    SUPPLY_LINK = 4
    CREDENTIAL_STATUS = 5
    SCORE = 6
    CREDENTIAL = 7
    ADMIN = 8  # signed admin requests: authenticated, never stored or anchored as records

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, name: str) -> Kind:
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown record kind {name!r}") from None


KIND_ROLES: Final[dict[Kind, frozenset[Role]]] = {
    Kind.AUDIT: frozenset({Role.AUDITOR}),
    Kind.WAGE: frozenset({Role.EMPLOYER}),
    Kind.CHECKIN: frozenset({Role.VERIFIER, Role.AUDITOR, Role.INVESTIGATOR}),
    Kind.SUPPLY_LINK: frozenset({Role.EMPLOYER, Role.BRAND}),
    Kind.CREDENTIAL_STATUS: frozenset({Role.ISSUER}),
    Kind.SCORE: frozenset({Role.INVESTIGATOR, Role.VERIFIER}),
    Kind.CREDENTIAL: frozenset({Role.ISSUER}),
    Kind.ADMIN: frozenset(),  # admins are named in the server's settings, not the registry
}
"""Who may sign each kind (checked against the registry at the envelope's ``created``)."""
