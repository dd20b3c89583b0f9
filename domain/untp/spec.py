"""The UNTP version we export, pinned: its context URLs, credential types and codes.

UNTP 0.6.1 (tag ``v0.6.1`` of github.com/uncefact/spec-untp, ``data-models/untp-*/artefacts``).
Its JSON-LD contexts and JSON schemas are not copied into this repository: the tests that
validate against them read a local copy named by ``UNTP_SPEC_DIR`` (tests/domain/untp).
Changing the version means re-reading that version's data models: field names and code
lists move between UNTP releases.
"""

from __future__ import annotations

from typing import Final

UNTP_VERSION: Final = "0.6.1"

VC_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
_VOCABULARY: Final = "https://test.uncefact.org/vocabulary/untp"
DCC_CONTEXT: Final = f"{_VOCABULARY}/dcc/{UNTP_VERSION}/"
DFR_CONTEXT: Final = f"{_VOCABULARY}/dfr/{UNTP_VERSION}/"
DTE_CONTEXT: Final = f"{_VOCABULARY}/dte/{UNTP_VERSION}/"

DCC_TYPE: Final = ["DigitalConformityCredential", "VerifiableCredential"]
DFR_TYPE: Final = ["DigitalFacilityRecord", "VerifiableCredential"]
DTE_TYPE: Final = ["DigitalTraceabilityEvent", "VerifiableCredential"]

CONFORMITY_TOPIC: Final = "social.labour"  # conformityTopicCode
# assessorLevelCode: our audits are signed by accredited audit firms' auditors, independent
# of the facility and of its buyers.
ASSESSOR_LEVEL: Final = "3rdParty"
# assessmentLevelCode: the ledger accredits auditor *keys* (the registry's role grant), which
# is no accreditation of the audit firm by an accreditation body ("Accredited") nor a
# government approval; we do not know the scheme's own status, so we do not claim one.
ASSESSMENT_LEVEL: Final = "Unspecified"
# attestationTypeCode: a social-compliance audit is an on-site inspection of the facility
# against the scheme's code; it certifies nothing by itself.
ATTESTATION_TYPE: Final = "inspection"
HASH_METHOD: Final = "SHA-256"  # hashMethodCode

# Open Supply Hub ids (shared/DOMAIN.md, "Facilities") as a registered id scheme.
OSH_SCHEME: Final = {
    "type": ["IdentifierScheme"],
    "id": "https://opensupplyhub.org",
    "name": "Open Supply Hub",
}
OSH_FACILITY_URL: Final = "https://opensupplyhub.org/facilities/"
LEDGER_SCHEME: Final = {
    "type": ["IdentifierScheme"],
    "id": "https://ledger.labour-provenance.org/facilities",
    "name": "Labour provenance ledger facility id",
}

# Our own identifiers (URNs, as credentials/worker.py's status ids): stable, host-free.
RECORD_URN: Final = "urn:lpl:record:"
FACILITY_URN: Final = "urn:lpl:facility:"
CREDENTIAL_URN: Final = "urn:lpl:untp:"  # + dcc|dfr|dte + ":" + record id
ILO_INDICATOR_IRI: Final = "https://ledger.labour-provenance.org/vocab#ilo-"
# A receipt, as a UNTP linkType (free text in 0.6.1) and as a VC evidence type.
RECEIPT_LINK_TYPE: Final = "https://ledger.labour-provenance.org/vocab#Receipt"
