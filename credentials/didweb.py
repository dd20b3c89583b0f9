"""did:web for organisations: identifier to URL, the DID document we publish, and the strict
reading of one (https://w3c-ccg.github.io/did-method-web/).

- :func:`did_web_url`: ``did:web:example.com`` -> ``https://example.com/.well-known/did.json``;
  ``did:web:example.com:user:alice`` -> ``https://example.com/user/alice/did.json``; a port
  is percent-encoded in the host part (``did:web:localhost%3A8443``).
- :func:`build_did_document`: an organisation's document. Its verification methods are its
  did:key Ed25519 keys as Multikey (``#key-1``, ``#key-2``...), referenced by
  ``assertionMethod`` and ``authentication``; ``alsoKnownAs`` lists the did:keys. Nothing
  else: no name, no service, nothing personal.
- :func:`keys_of`: the keys a document lists for a did, read strictly: the document's ``id``
  is the did, every method's ``controller`` is the did, every method is an Ed25519 Multikey,
  at most :data:`MAX_METHODS` of them; :func:`parse_did_document` bounds the JSON text.

Nothing here fetches: resolving (an HTTPS GET, bounded in size) is the caller's. A key listed
in a document is only a claim of the domain's owner; trusting it for a role is the registry's
business (``domain.organisations``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import unquote

from ledger.canonical import parse_json
from ledger.errors import InvalidRecord
from ledger.keys import InvalidKey, VerifyKey
from ledger.types import Did

from .errors import DidDocumentInvalid, DidWebInvalid

__all__ = [
    "DID_CONTEXT",
    "MAX_DOCUMENT_BYTES",
    "MAX_METHODS",
    "MULTIKEY_CONTEXT",
    "build_did_document",
    "did_web",
    "did_web_url",
    "is_did_web",
    "keys_of",
    "parse_did_document",
]

DID_CONTEXT: Final = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT: Final = "https://w3id.org/security/multikey/v1"
MAX_DOCUMENT_BYTES: Final = 64_000
"""A did.json larger than this is refused unread (callers bound their fetch to it too)."""
MAX_METHODS: Final = 16

_PREFIX: Final = "did:web:"
# A host name or IPv4 address (lower case: did:web identifiers are compared as strings),
# then an optional %3A-encoded port.
_HOST: Final = re.compile(
    r"^(?P<host>[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)"
    r"(?:%3[aA](?P<port>[0-9]{1,5}))?$"
)
_SEGMENT: Final = re.compile(r"^[A-Za-z0-9._~-]{1,64}$")
_MEMBERS: Final = frozenset(
    {"@context", "id", "controller", "alsoKnownAs", "verificationMethod",
     "assertionMethod", "authentication"}
)  # fmt: skip
_METHOD_MEMBERS: Final = frozenset({"id", "type", "controller", "publicKeyMultibase"})


def is_did_web(value: object) -> bool:
    """Whether ``value`` is a string that starts like a did:web (not whether it is valid)."""
    return isinstance(value, str) and value.startswith(_PREFIX)


def did_web(host: str, *path: str) -> Did:
    """The did:web for ``host`` (``example.com`` or ``example.com:8443``) and path segments.

    Raises:
        DidWebInvalid: the host or a segment cannot be part of a did:web.
    """
    name, colon, port = host.partition(":")
    encoded = name.lower() + (f"%3A{port}" if colon else "")
    did = Did(":".join([_PREFIX + encoded, *path]))
    did_web_url(did)  # validates
    return did


def _split(did: str) -> tuple[str, int | None, list[str]]:
    if not isinstance(did, str) or not did.startswith(_PREFIX) or len(did) > 512:
        raise DidWebInvalid(f"{did!r} is not a did:web identifier", did=str(did)[:512])
    method_id = did.removeprefix(_PREFIX)
    if "#" in method_id or "?" in method_id or "/" in method_id:
        raise DidWebInvalid(
            f"{did!r} is a DID URL, not a did:web identifier (no path, query or fragment)",
            did=did,
        )
    host_part, *segments = method_id.split(":")
    match = _HOST.match(host_part)
    if match is None:
        raise DidWebInvalid(f"{did!r}: {host_part!r} is not a lower-case host name", did=did)
    port = None if match["port"] is None else int(match["port"])
    if port is not None and not 0 < port < 65536:
        raise DidWebInvalid(f"{did!r}: port {port} is out of range", did=did)
    for segment in segments:
        if not _SEGMENT.match(unquote(segment)) or segment in (".", ".."):
            raise DidWebInvalid(f"{did!r}: path segment {segment!r} is not allowed", did=did)
    return match["host"], port, segments


def did_web_url(did: str) -> str:
    """The HTTPS URL of ``did``'s document (the did:web spec's "Read (Resolve)" steps 1-5).

    Raises:
        DidWebInvalid: not a did:web we can map (DID URL, bad host, port or segment).
    """
    host, port, segments = _split(did)
    authority = host if port is None else f"{host}:{port}"
    path = (
        "/".join(unquote(s) for s in segments) + "/did.json"
        if segments
        else (".well-known/did.json")
    )
    return f"https://{authority}/{path}"


def build_did_document(did: str, keys: Sequence[VerifyKey]) -> dict[str, Any]:
    """The DID document of ``did`` listing ``keys`` (in order, duplicates once).

    Raises:
        DidWebInvalid: ``did`` is not a did:web.
        DidDocumentInvalid: no key, or more than :data:`MAX_METHODS`.
    """
    did_web_url(did)
    unique = list(dict.fromkeys(keys))
    if not 0 < len(unique) <= MAX_METHODS:
        raise DidDocumentInvalid(
            f"a did:web document lists 1 to {MAX_METHODS} keys, not {len(unique)}",
            field="verificationMethod",
        )
    methods = [
        {
            "id": f"{did}#key-{index}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.multibase,
        }
        for index, key in enumerate(unique, start=1)
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "alsoKnownAs": [key.did for key in unique],
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }


def parse_did_document(text: bytes, did: str) -> tuple[VerifyKey, ...]:
    """Parse a fetched did.json (at most :data:`MAX_DOCUMENT_BYTES`) and read its keys.

    Raises:
        DidDocumentInvalid: too large, not JSON, or refused by :func:`keys_of`.
    """
    if len(text) > MAX_DOCUMENT_BYTES:
        raise DidDocumentInvalid(
            f"the DID document is {len(text)} bytes; at most {MAX_DOCUMENT_BYTES} are read",
            field="$",
        )
    try:
        document = parse_json(text)
    except InvalidRecord as exc:
        raise DidDocumentInvalid(f"the DID document is not JSON: {exc.detail}", field="$") from exc
    return keys_of(document, did)


def keys_of(document: Any, did: str, *, purpose: str = "assertionMethod") -> tuple[VerifyKey, ...]:
    """The Ed25519 keys ``document`` lists for ``did`` under ``purpose``, read strictly.

    Refused: a document whose ``id`` is not ``did``, unknown members, a method that is not
    ``{id: did#..., type: Multikey, controller: did, publicKeyMultibase: z6Mk...}``, more
    than :data:`MAX_METHODS` methods, a ``purpose`` entry that names no listed method (or
    embeds one), an ``alsoKnownAs`` that is not a list of strings.

    Raises:
        DidWebInvalid: ``did`` is not a did:web.
        DidDocumentInvalid: ``field`` names what is wrong.
    """
    did_web_url(did)
    if not isinstance(document, Mapping):
        raise DidDocumentInvalid("a DID document is a JSON object", field="$")
    if document.get("id") != did:
        raise DidDocumentInvalid(
            f"the document's id is {document.get('id')!r}, not {did}", field="id"
        )
    extra = sorted(set(document) - _MEMBERS)
    if extra:
        raise DidDocumentInvalid(f"unexpected members {', '.join(extra)}", field=extra[0])
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first != DID_CONTEXT:
        raise DidDocumentInvalid(f"@context must start with {DID_CONTEXT}", field="@context")
    controller = document.get("controller", did)
    if controller != did and controller != [did]:
        raise DidDocumentInvalid("the document's controller is not the did", field="controller")
    also = document.get("alsoKnownAs", [])
    if not isinstance(also, list) or not all(isinstance(a, str) for a in also):
        raise DidDocumentInvalid("alsoKnownAs is a list of strings", field="alsoKnownAs")
    methods = document.get("verificationMethod")
    if not isinstance(methods, list) or not 0 < len(methods) <= MAX_METHODS:
        raise DidDocumentInvalid(
            f"verificationMethod is a list of 1 to {MAX_METHODS} methods",
            field="verificationMethod",
        )
    keys = {method_id: key for method_id, key in (_method(m, did) for m in methods)}
    if len(keys) != len(methods):
        raise DidDocumentInvalid("verification method ids repeat", field="verificationMethod")
    references = document.get(purpose, [])
    if not isinstance(references, list) or len(references) > MAX_METHODS:
        raise DidDocumentInvalid(f"{purpose} is a list of method ids", field=purpose)
    listed: list[VerifyKey] = []
    for reference in references:
        absolute = (
            did + reference if isinstance(reference, str) and reference[:1] == "#" else (reference)
        )
        if not isinstance(absolute, str) or absolute not in keys:
            raise DidDocumentInvalid(
                f"{purpose} must reference listed verification methods by id", field=purpose
            )
        listed.append(keys[absolute])
    return tuple(dict.fromkeys(listed))


def _method(method: Any, did: str) -> tuple[str, VerifyKey]:
    if not isinstance(method, Mapping) or set(method) != _METHOD_MEMBERS:
        raise DidDocumentInvalid(
            "a verification method has exactly id, type, controller, publicKeyMultibase",
            field="verificationMethod",
        )
    method_id = method["id"]
    if (
        not isinstance(method_id, str)
        or not method_id.startswith(did + "#")
        or method_id == (did + "#")
    ):
        raise DidDocumentInvalid(
            f"verification method id {method_id!r} is not a fragment of {did}",
            field="verificationMethod.id",
        )
    if method["controller"] != did:
        raise DidDocumentInvalid(
            f"verification method {method_id} is controlled by {method['controller']!r}",
            field="verificationMethod.controller",
        )
    if method["type"] != "Multikey":
        raise DidDocumentInvalid(
            f"verification method {method_id} is a {method['type']!r}, not a Multikey",
            field="verificationMethod.type",
        )
    value = method["publicKeyMultibase"]
    try:
        if not isinstance(value, str) or not value.startswith("z6Mk"):
            raise InvalidKey("not an Ed25519 multikey (z6Mk...)")
        key = VerifyKey.from_multibase(value)
    except InvalidKey as exc:
        raise DidDocumentInvalid(
            f"verification method {method_id}: {exc}", field="verificationMethod.publicKeyMultibase"
        ) from exc
    return method_id, key
