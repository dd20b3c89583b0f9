"""Possession check-in, version ``checkin/v1``: a verifier (accredited verifier, auditor or
investigator) countersigns a worker's fresh presentation and states whether the physical
document in hand opens the credential's commitment.

Only hashes and booleans: the presentation by its hash, devices by salted hashes, the place
coarsely (see :mod:`credentials.possession`). The presentation itself travels beside the
envelope (``POST /v1/checkins``) and is checked before the envelope is accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, StrictBool

from ..roles import Kind
from . import register_validator
from .common import DidKey, Sha256Hex, StrictModel, parse_model
from .credential import Bytes32Hex

__all__ = ["CheckinPayload", "validate_checkin"]


class CheckinPayload(StrictModel):
    schema_id: Literal["checkin/v1"] = Field(alias="schema")
    presentation_hash: Sha256Hex
    holder: DidKey
    status_id: Bytes32Hex
    document_matches: StrictBool
    on_site: StrictBool
    location: str = Field(pattern=r"^[A-Za-z0-9 ._:,-]{1,64}$")
    verifier_device: Sha256Hex
    presenting_device: Sha256Hex | None = None


def validate_checkin(payload: Mapping[str, Any]) -> str:
    """Validate a check-in; its subject is the credential's status id."""
    return parse_model(CheckinPayload, payload).status_id


register_validator(Kind.CHECKIN, validate_checkin)
