"""Roles, as AttesterRegistry numbers them (which roles may sign which kind is each kind's
handler's business: :mod:`ledger.kinds`)."""

from __future__ import annotations

from enum import IntEnum


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
