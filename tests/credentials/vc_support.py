"""Helpers shared by the credential tests (imported by name; conftest holds the fixtures)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from credentials.loader import CREDENTIALS_CONTEXT_V2, LABOUR_CONTEXT_V1
from ledger.keys import SigningKey

ROOT = Path(__file__).resolve().parents[2]
# The shared folder sits beside the repository (../shared); the file is the W3C vc-di-eddsa
# Appendix B test vectors with notes. Its absence is a failure, not a skip.
VECTORS_FILE = ROOT.parent / "shared" / "vectors" / "w3c-vc-di-eddsa.json"


def load_vectors() -> dict[str, Any]:
    return json.loads(VECTORS_FILE.read_text(encoding="utf-8"))


def worker_credential(issuer: SigningKey, worker: SigningKey, **subject: Any) -> dict[str, Any]:
    """An unsigned WorkerIdentityCredential in our context."""
    return {
        "@context": [CREDENTIALS_CONTEXT_V2, LABOUR_CONTEXT_V1],
        "id": "urn:uuid:2f6c1a52-8c1e-4d8a-9a57-0c3b0f4f9e11",
        "type": ["VerifiableCredential", "WorkerIdentityCredential"],
        "issuer": issuer.did,
        "validFrom": "2026-01-05T09:00:00Z",
        "credentialSubject": {
            "id": worker.did,
            "documentCommitment": {
                "commitmentScheme": "sha256-salted-v1",
                "commitment": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            },
            "nationality": "NPL",
            "facility": "MY2019067X1K87E",
            "issuedAfterDocumentCheck": "2026-01-05",
            **subject,
        },
    }


def mutated(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``document`` with the member at ``path`` replaced (or added)."""
    result = copy.deepcopy(document)
    target = result
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return result
