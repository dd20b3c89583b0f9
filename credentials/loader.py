"""Offline JSON-LD document loader: bundled contexts only, never the network.

pyld's default loader fetches any URL a document names, which makes verification depend on
whoever serves that URL today. Here every context is a file in ``credentials/contexts``,
listed in ``contexts/manifest.json`` (URL -> file, source package and version, sha256).
A URL not in the manifest raises :class:`~credentials.errors.ContextNotBundled`; a file whose
bytes do not match its sha256 raises :class:`~credentials.errors.JsonLdInvalid`.

Always pass ``document_loader`` explicitly to pyld (``{"documentLoader": document_loader}``).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any, Final

from .errors import ContextNotBundled, JsonLdInvalid

__all__ = [
    "CREDENTIALS_CONTEXT_V1",
    "CREDENTIALS_CONTEXT_V2",
    "DATA_INTEGRITY_CONTEXT_V2",
    "EXAMPLES_CONTEXT_V2",
    "LABOUR_CONTEXT_V1",
    "BundledContext",
    "OfflineDocumentLoader",
    "bundled_contexts",
    "context_bytes",
    "context_document",
    "document_loader",
    "served_contexts",
]

CREDENTIALS_CONTEXT_V1: Final = "https://www.w3.org/2018/credentials/v1"
"""VC Data Model 1.1: verified (and signed when asked, by ``ledger vc serve``); we issue 2.0."""
CREDENTIALS_CONTEXT_V2: Final = "https://www.w3.org/ns/credentials/v2"
DATA_INTEGRITY_CONTEXT_V2: Final = "https://w3id.org/security/data-integrity/v2"
EXAMPLES_CONTEXT_V2: Final = "https://www.w3.org/ns/credentials/examples/v2"
LABOUR_CONTEXT_V1: Final = "https://ledger.labour-provenance.org/contexts/labour/v1.jsonld"
"""Our context (terms under ``https://ledger.labour-provenance.org/vocab#``)."""

_MANIFEST: Final = "manifest.json"


@dataclass(frozen=True)
class BundledContext:
    """One manifest entry.

    Attributes:
        url: the context URL documents name in ``@context``.
        file: file name inside ``credentials/contexts``.
        sha256: hex SHA-256 of the file's bytes.
        source: where the file comes from (npm package and version, or this project).
        served_at: for our own contexts, the API path that serves the file; else None.
    """

    url: str
    file: str
    sha256: str
    source: Mapping[str, str]
    served_at: str | None


def _contexts_dir() -> Traversable:
    return resources.files(__package__ or "credentials") / "contexts"


@cache
def bundled_contexts() -> Mapping[str, BundledContext]:
    """The manifest: context URL -> :class:`BundledContext`."""
    raw = json.loads((_contexts_dir() / _MANIFEST).read_text(encoding="utf-8"))
    entries = {
        url: BundledContext(
            url=url,
            file=entry["file"],
            sha256=entry["sha256"],
            source=MappingProxyType(dict(entry["source"])),
            served_at=entry.get("served_at"),
        )
        for url, entry in raw["contexts"].items()
    }
    return MappingProxyType(entries)


def served_contexts() -> list[BundledContext]:
    """Our own contexts, which the API serves at ``served_at``."""
    return [entry for entry in bundled_contexts().values() if entry.served_at is not None]


@cache
def context_bytes(url: str) -> bytes:
    """The exact bytes of a bundled context file, checked against the manifest's sha256.

    Raises:
        ContextNotBundled: ``url`` is not in the manifest.
        JsonLdInvalid: the file does not match its recorded sha256.
    """
    entry = bundled_contexts().get(url)
    if entry is None:
        raise ContextNotBundled(url)
    data = (_contexts_dir() / entry.file).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry.sha256:
        raise JsonLdInvalid(
            f"bundled context {entry.file} does not match the sha256 in {_MANIFEST} "
            f"(file {digest}, manifest {entry.sha256})",
            url=url,
        )
    return data


@cache
def _parsed(url: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(context_bytes(url))
    return parsed


def context_document(url: str) -> dict[str, Any]:
    """A fresh copy of a bundled context document (callers may mutate it).

    Raises:
        ContextNotBundled: ``url`` is not bundled.
    """
    return copy.deepcopy(_parsed(url))


class OfflineDocumentLoader:
    """A pyld document loader (pyld's ``RemoteDocument`` shape) for bundled contexts only."""

    def __call__(self, url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": context_document(url),
        }


document_loader: Final = OfflineDocumentLoader()
"""The loader to pass to every pyld call."""
