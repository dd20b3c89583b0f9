"""How our facilities appear in UNTP: by their Open Supply Hub id where they have one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from .spec import FACILITY_URN, LEDGER_SCHEME, OSH_FACILITY_URL, OSH_SCHEME

__all__ = ["facility_iri", "facility_party"]


def facility_iri(facility_id: str, osh_id: str | None = None) -> str:
    """The Open Supply Hub page of the facility, else our URN for it."""
    if osh_id:
        return OSH_FACILITY_URL + quote(osh_id)
    return FACILITY_URN + quote(facility_id, safe=":")


def facility_party(facility: Mapping[str, Any]) -> dict[str, Any]:
    """A UNTP facility (``id``, ``name``, ``registeredId`` in its ``idScheme``) for an
    audit's ``facility``: its Open Supply Hub id when the audit names one, else ours."""
    osh_id = facility.get("oshId")
    return {
        "id": facility_iri(facility["id"], osh_id),
        "name": facility["name"],
        "registeredId": osh_id or facility["id"],
        "idScheme": dict(OSH_SCHEME if osh_id else LEDGER_SCHEME),
    }
