"""Proof of possession: the verifier's side of a check-in.

At a check-in the worker shows a fresh presentation and hands over the physical document.
The worker's wallet reveals its salt to the verifier's device only; the verifier reads the
document's type, number and issuing country off the document in hand, and
:func:`document_matches` recomputes the commitment. Only the boolean result leaves the
device, in the check-in the verifier signs (:func:`checkin_payload`, an envelope of kind
``checkin``): the number and the salt never do.

"Signed by both": the worker signed the presentation, the verifier signs the check-in,
and the check-in names the presentation by its hash (``sha256`` of its JCS bytes), so
neither can be reused with another.

Location is coarse by design (a region code or a geohash of at most 5 characters, about
5 km), and devices are named by HMACs keyed with the deployment's secret salt (which the
ledger hands to accredited verifiers only), so a check-in never places a worker precisely
or names a phone, and a device label cannot be recovered by guessing likely names.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any, Final

from ledger.canonical import canonicalize
from ledger.errors import SchemaViolation

from .commitment import matches, parse_salt
from .worker import parse_worker_credential

__all__ = [
    "CHECKIN_SCHEMA",
    "checkin_payload",
    "device_hash",
    "document_matches",
    "presentation_hash",
]

CHECKIN_SCHEMA: Final = "checkin/v1"
_LOCATION: Final = re.compile(r"^[A-Za-z0-9 ._:,-]{1,64}$")
_DEVICE_LABEL: Final = b"lpl/device/v2\x00"


def presentation_hash(presentation: Mapping[str, Any]) -> str:
    """``sha256:`` + hex SHA-256 of the presentation's JCS bytes."""
    return "sha256:" + hashlib.sha256(canonicalize(dict(presentation))).hexdigest()


def device_hash(identifier: str, salt: bytes) -> str:
    """A device's identifier as it may appear in a check-in (never the identifier itself):
    HMAC-SHA256 keyed with the deployment's device salt.

    Raises:
        SchemaViolation: a salt shorter than 16 bytes.
    """
    if len(salt) < 16:
        raise SchemaViolation("the device salt is at least 16 bytes", field="device_salt")
    digest = hmac.new(salt, _DEVICE_LABEL + identifier.encode("utf-8"), hashlib.sha256)
    return "sha256:" + digest.hexdigest()


def document_matches(
    presentation_or_credential: Mapping[str, Any],
    *,
    salt_hex: str,
    document_type: str,
    number: str,
    country: str,
) -> bool:
    """Does the document in the verifier's hand open the credential's commitment?

    Args:
        presentation_or_credential: the worker's presentation (or the bare credential).
        salt_hex: the salt the worker's wallet revealed to this device.
        document_type, number, country: read off the physical document.

    Returns:
        False only when a well-formed document differs from the one committed to: that
        result is signed and anchored as a statement about the worker.

    Raises:
        CredentialInvalid: the presentation holds no worker credential.
        SchemaViolation: a malformed salt (not 32 bytes of hex), document type, number or
            country; a typo must stop the check-in, never be recorded as a mismatch.
    """
    document = presentation_or_credential
    embedded = document.get("verifiableCredential")
    if isinstance(embedded, list) and embedded:
        document = embedded[0]
    credential = parse_worker_credential(document)
    return matches(
        credential.commitment,
        salt=parse_salt(salt_hex),
        document_type=document_type,
        number=number,
        country=country,
    )


def checkin_payload(
    presentation: Mapping[str, Any],
    *,
    document_matches: bool,
    on_site: bool,
    location: str,
    verifier_device: str,
    device_salt: bytes,
    presenting_device: str | None = None,
) -> dict[str, Any]:
    """The payload of a ``checkin`` envelope for ``presentation``.

    Args:
        document_matches: :func:`document_matches`'s result.
        on_site: the check-in happens at the worker's workplace or dormitory.
        location: coarse place (region code, town, or a geohash of at most 5 characters).
        verifier_device, presenting_device: identifiers of the scanning device and (when the
            verifier's app can observe one) the device that showed the presentation;
            hashed here with :func:`device_hash`.
        device_salt: the deployment's device salt (``GET /v1/checkins/device-salt``).

    Raises:
        SchemaViolation: a malformed location.
        CredentialInvalid: the presentation holds no worker credential.
    """
    if not _LOCATION.match(location):
        raise SchemaViolation(
            "location is a coarse place (1-64 letters, digits, spaces or ._:,-)", field="location"
        )
    credentials = presentation.get("verifiableCredential")
    if not isinstance(credentials, list) or not credentials:
        raise SchemaViolation("the presentation holds no credential", field="presentation")
    credential = parse_worker_credential(credentials[0])
    payload: dict[str, Any] = {
        "schema": CHECKIN_SCHEMA,
        "presentationHash": presentation_hash(presentation),
        "holder": credential.holder,
        "statusId": credential.status_id,
        "documentMatches": document_matches,
        "onSite": on_site,
        "location": location,
        "verifierDevice": device_hash(verifier_device, device_salt),
    }
    if presenting_device is not None:
        payload["presentingDevice"] = device_hash(presenting_device, device_salt)
    return payload
