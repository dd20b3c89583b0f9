"""Digital Conformity Credentials as another system issues them (UNTP DCC 0.6.x shape,
written here from the spec's data model, not copied), signed for real with either
cryptosuite, and Bitstring Status List credentials for them."""

from __future__ import annotations

import base64
import gzip
from datetime import datetime, timedelta
from typing import Any

from credentials.dataintegrity import EDDSA_JCS_2022, EDDSA_RDFC_2022, add_proof
from credentials.loader import CREDENTIALS_CONTEXT_V2, EXAMPLES_CONTEXT_V2
from ledger.keys import SigningKey
from ledger.timeutil import format_time, utcnow

__all__ = [
    "LIST_URL",
    "OSH",
    "UNTP_CONTEXT",
    "dcc",
    "encoded_list",
    "sign",
    "status_entry",
    "status_list",
]

UNTP_CONTEXT = "https://test.uncefact.org/vocabulary/untp/dcc/0.6.1/"
"""UNTP's DCC context URL: not bundled (not ours to commit), so rdfc cannot process it."""
OSH = "MY2020123ABCDEF"  # the Open Supply Hub id tests.domain.supply.builders.profile uses
LIST_URL = "https://certifier.example/status/3"


def _seconds(moment: datetime) -> str:
    return format_time(moment.replace(microsecond=0))


def dcc(
    issuer: SigningKey,
    *,
    facility: dict[str, Any] | None = None,
    topic: str = "social.labour",
    context: list[Any] | None = None,
    status: Any = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    number: str = "SA8000-2026-0117",
) -> dict[str, Any]:
    """An unsigned DCC about one facility (named by its OS Hub URL and id by default)."""
    now = utcnow()
    named = facility or {
        "id": f"https://opensupplyhub.org/facilities/{OSH}",
        "name": "Penang PCB Assembly Sdn Bhd, Plant 3",
        "registeredId": OSH,
        "idScheme": {"type": ["IdentifierScheme"], "id": "https://opensupplyhub.org/",
                     "name": "Open Supply Hub"},
    }  # fmt: skip
    credential: dict[str, Any] = {
        "@context": context or [CREDENTIALS_CONTEXT_V2, UNTP_CONTEXT],
        "type": ["DigitalConformityCredential", "VerifiableCredential"],
        "id": f"https://certifier.example/credentials/{number}",
        "issuer": {"type": ["CredentialIssuer"], "id": issuer.did,
                   "name": "Example Social Certification Body"},
        "validFrom": _seconds(valid_from or now - timedelta(days=1)),
        "validUntil": _seconds(valid_until or now + timedelta(days=365)),
        "credentialSubject": {
            "type": ["ConformityAttestation", "Attestation"],
            "id": f"https://certifier.example/attestations/{number}",
            "name": "SA8000 certification audit",
            "assessorLevel": "3rdParty",
            "assessmentLevel": "Accredited",
            "attestationType": "certification",
            "issuedToParty": {"id": "https://certifier.example/parties/penang-pcb",
                              "name": "Penang PCB Assembly Sdn Bhd"},
            "scope": {"type": ["ConformityScheme"], "id": "https://sa-intl.example/sa8000",
                      "name": "SA8000:2014", "description": "Social accountability standard",
                      "version": "2014", "validFrom": "2014-06-01",
                      "owner": {"id": "https://sa-intl.example/", "name": "SAI"}},
            "assessment": [
                {
                    "type": ["ConformityAssessment", "Declaration"],
                    "id": f"https://certifier.example/attestations/{number}/01",
                    "name": "Forced or compulsory labour",
                    "assessmentDate": "2026-10-14",
                    "referenceStandard": {"type": ["Standard"],
                                          "id": "https://sa-intl.example/sa8000#2",
                                          "name": "SA8000:2014 clause 2",
                                          "issuingParty": {"id": "https://sa-intl.example/",
                                                           "name": "SAI"}},
                    "conformance": True,
                    "conformityTopic": topic,
                    "assessedFacility": [{"facility": named, "IDverifiedByCAB": True}],
                }
            ],
        },
    }  # fmt: skip
    if status is not None:
        credential["credentialStatus"] = status
    return credential


def sign(document: dict[str, Any], key: SigningKey, suite: str = EDDSA_JCS_2022) -> dict[str, Any]:
    """``document`` with a real proof; jcs signs the JSON (no contexts needed)."""
    return add_proof(document, key, suite=suite, jsonld=suite == EDDSA_RDFC_2022)


def rdfc_context() -> list[Any]:
    """Bundled contexts only (the examples context's @vocab maps UNTP's terms)."""
    return [CREDENTIALS_CONTEXT_V2, EXAMPLES_CONTEXT_V2]


def status_entry(index: int, purpose: str = "revocation", url: str = LIST_URL) -> dict[str, Any]:
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def encoded_list(set_bits: set[int], entries: int = 131_072) -> str:
    """A Bitstring Status List ``encodedList``: index 0 is the left-most bit."""
    bits = bytearray(entries // 8)
    for index in set_bits:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits))).rstrip(b"=").decode()


def status_list(
    issuer: SigningKey,
    set_bits: set[int] = frozenset(),  # type: ignore[assignment]
    *,
    purpose: str = "revocation",
    url: str = LIST_URL,
    issued: datetime | None = None,
    suite: str = EDDSA_JCS_2022,
    encoded: str | None = None,
) -> dict[str, Any]:
    """A signed status list credential of ``issuer``."""
    moment = issued or utcnow() - timedelta(hours=1)
    document = {
        "@context": [CREDENTIALS_CONTEXT_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": _seconds(moment),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded or encoded_list(set(set_bits)),
        },
    }
    return add_proof(document, issuer, suite=suite, created=_seconds(moment))
