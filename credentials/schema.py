"""Pieces the credential shapes share: a strict camelCase model, did:key and dateTime values.

Defined here, not taken from ``domain.schema``: credentials sits below domain (layers
api -> domain -> credentials -> ledger) and must not import it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainValidator
from pydantic.alias_generators import to_camel

from ledger.keys import VerifyKey
from ledger.types import Did

from .dataintegrity import parse_datetime

__all__ = ["DidKey", "StrictModel", "XsdDateTime"]


class StrictModel(BaseModel):
    """JSON in camelCase; values never coerced across types (no ``"1"`` or ``true`` for 1,
    no list for an object). Members a model does not name are ignored, not refused: a
    credential's proof covers every member, and the JSON-LD checks refuse terms that our
    contexts do not define."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=False,
        extra="ignore",
        strict=True,
        frozen=True,
    )


def _did_key(value: str) -> Did:
    return VerifyKey.from_did(value).did  # raises InvalidKey (a ValueError)


def _xsd_datetime(value: Any) -> datetime:
    return parse_datetime(value)  # raises ValueError, naming the value


DidKey = Annotated[str, AfterValidator(_did_key)]
"""A ``did:key`` string, read as its did (a fragment dropped)."""
XsdDateTime = Annotated[datetime, PlainValidator(_xsd_datetime)]
"""An XML Schema ``dateTime`` with an offset, read as an aware UTC datetime."""
