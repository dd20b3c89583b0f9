"""Strict JSON-LD checks, run before signing and before verifying.

A JSON-LD processor silently drops what it cannot map to RDF: a property the context does
not define, an ``@id`` or ``@type`` that is a relative IRI, a blank-node predicate. Such
data is then *not signed* by an RDF-canonicalizing suite, and verifiers that process in
"safe mode" (Digital Bazaar's jsonld.js) reject the document. Control characters are
escaped differently by different N-Quads writers. So every such case is an error here,
naming the term or value and where it sits in the document:

- :class:`UndefinedTerm`: a key does not expand to an absolute IRI (undefined term, a term
  mapped to null, an ``@``-prefixed reserved key) or expands to a blank-node predicate.
- :class:`RelativeIri`: a node ``@id``, a ``@type``, or a datatype is not an absolute IRI.
- :class:`ControlCharacter`: a key or string contains a Unicode control character (``Cc``)
  or a lone surrogate (``Cs``, which UTF-8 cannot encode, so nothing can hash it).
- :class:`JsonLdInvalid`: anything else pyld rejects or would drop (invalid language tag,
  ``@direction``, a document that expands to nothing, a redefined protected term).
- :class:`ContextNotBundled`: the document names a context we do not bundle.

Expansion uses pyld's public ``on_property_dropped`` hook, the offline loader, and
``base=None`` (pyld would otherwise resolve relative IRIs against ``http://example.org/base/``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

from pyld import jsonld

from .errors import (
    ContextNotBundled,
    ControlCharacter,
    JsonLdInvalid,
    RelativeIri,
    UndefinedTerm,
)
from .loader import document_loader

__all__ = ["expand", "is_strict", "jsonld_errors", "verify_strict"]

# pyld's own test for an absolute IRI (scheme ":" no whitespace); ``_:`` is a blank node.
_ABSOLUTE_IRI: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+\-.]*:[^\s]*$")
# jsonld.js's BCP47 check (what safe mode enforces).
_BCP47: Final = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
_CONTAINERS: Final = ("@list", "@set", "@graph", "@included")
# "@" + letters is reserved for future keywords; processors ignore such keys.
_RESERVED: Final = re.compile(r"^@[a-zA-Z]+$")
# Cc: N-Quads writers escape control characters differently; Cs: UTF-8 cannot carry it.
_FORBIDDEN_CATEGORIES: Final = {"Cc": "control character", "Cs": "lone surrogate"}


@contextmanager
def jsonld_errors() -> Iterator[None]:
    """Turn pyld failures into :class:`JsonLdInvalid` (or the :class:`ContextNotBundled` inside).

    pyld wraps whatever the document loader raises; the original error is found on the
    ``__cause__`` chain and re-raised as itself, so callers see which URL was missing.
    """
    try:
        yield
    except JsonLdInvalid:
        raise
    except (jsonld.JsonLdError, ValueError, TypeError, RecursionError, Warning) as exc:
        innermost: BaseException = exc
        cause: BaseException | None = exc
        seen: set[int] = set()
        while cause is not None and id(cause) not in seen:
            if isinstance(cause, ContextNotBundled):
                raise cause from exc
            seen.add(id(cause))
            innermost = cause
            cause = cause.__cause__ or cause.__context__
        code = getattr(innermost, "code", None)
        message = innermost.args[0] if innermost.args else type(innermost).__name__
        raise JsonLdInvalid(f"JSON-LD processing failed: {message}", jsonld_code=code) from exc


def expand(
    document: Mapping[str, Any], on_dropped: Callable[[str | None], Any] | None = None
) -> list[Any]:
    """Expand ``document`` offline with ``base=None``.

    Args:
        document: a JSON-LD document.
        on_dropped: called with each property pyld drops (None for a term mapped to null).

    Raises:
        ContextNotBundled: the document names a context that is not bundled.
        JsonLdInvalid: pyld rejected the document.
    """
    options: dict[str, Any] = {"documentLoader": document_loader, "base": None}
    with jsonld_errors():
        expanded: list[Any] = jsonld.expand(
            dict(document), options, on_property_dropped=on_dropped or _ignore
        )
    return expanded


def _ignore(_: str | None) -> None:
    return None


def verify_strict(document: Mapping[str, Any]) -> list[Any]:
    """Check that JSON-LD processing keeps every part of ``document``; return its expansion.

    Raises:
        ControlCharacter, UndefinedTerm, RelativeIri, ContextNotBundled, JsonLdInvalid:
            see the module docstring; each names the offending term or value and its path.
    """
    _check_control_characters(document, "$")
    dropped: list[str | None] = []
    expanded = expand(document, dropped.append)
    if dropped:
        _raise_dropped(document, dropped[0])
    if not expanded:
        raise JsonLdInvalid(
            "the document expands to nothing (no properties, or only an id)", path="$"
        )
    for node in expanded:
        _check_expanded(node, document)
    return expanded


def is_strict(document: Mapping[str, Any]) -> bool:
    """True when :func:`verify_strict` accepts ``document``."""
    try:
        verify_strict(document)
    except JsonLdInvalid:
        return False
    return True


# -- control characters ------------------------------------------------------------------


def _check_control_characters(value: Any, path: str) -> None:
    if isinstance(value, str):
        _check_string(value, path)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            child = _join(path, key)
            _check_string(str(key), child)
            _check_control_characters(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_control_characters(item, f"{path}[{index}]")


def _check_string(text: str, path: str) -> None:
    for char in text:
        category = unicodedata.category(char)
        if category in _FORBIDDEN_CATEGORIES:
            codepoint = f"U+{ord(char):04X}"
            raise ControlCharacter(
                f"{_FORBIDDEN_CATEGORIES[category]} {codepoint} at {path}",
                path=path,
                codepoint=codepoint,
            )


# -- dropped properties ------------------------------------------------------------------


def _raise_dropped(document: Mapping[str, Any], term: str | None) -> None:
    if term is None:
        # pyld names neither a term mapped to null nor a reserved "@..." key: find them.
        reserved = {
            key
            for _, key, _ in _walk(document, "$")
            if isinstance(key, str) and _RESERVED.match(key) and key not in jsonld.KEYWORDS
        }
        candidates = sorted(set(_null_mapped_terms(document)) | reserved)
        paths = [p for name in candidates for p in _key_paths(document, name)]
        raise UndefinedTerm(
            f"term {', '.join(map(repr, candidates)) or '(unknown)'} is mapped to null or "
            f"reserved and would be dropped (at {', '.join(paths) or 'an unknown path'})",
            term=candidates[0] if candidates else None,
            paths=paths,
        )
    paths = list(_key_paths(document, term))
    raise UndefinedTerm(
        f"term {term!r} is not defined by the document's @context and would be dropped"
        f" (at {', '.join(paths) or 'an unknown path'})",
        term=term,
        paths=paths,
    )


def _null_mapped_terms(value: Any) -> Iterator[str]:
    """Terms an inline ``@context`` maps to null, anywhere in the document."""
    if isinstance(value, list):
        for item in value:
            yield from _null_mapped_terms(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key == "@context":
                for context in item if isinstance(item, list) else [item]:
                    if isinstance(context, Mapping):
                        for term, definition in context.items():
                            if definition is None or (
                                isinstance(definition, Mapping)
                                and "@id" in definition
                                and definition["@id"] is None
                            ):
                                yield term
            else:
                yield from _null_mapped_terms(item)


# -- expanded form -----------------------------------------------------------------------


def _check_expanded(node: Any, document: Mapping[str, Any]) -> None:
    if isinstance(node, list):
        for item in node:
            _check_expanded(item, document)
        return
    if not isinstance(node, Mapping):
        return
    if "@value" in node:
        _check_value_object(node, document)
        return
    if "@id" in node:
        _check_iri(node["@id"], document, allow_blank=True)
    for type_ in node.get("@type", []):
        _check_iri(type_, document, allow_blank=True)
    for key, value in node.items():
        if key.startswith("_:"):
            raise UndefinedTerm(
                f"term {key!r} expands to a blank-node predicate, which RDF drops"
                f" (at {', '.join(_key_paths(document, key)) or 'an unknown path'})",
                term=key,
                paths=list(_key_paths(document, key)),
            )
        if key == "@reverse":
            for reversed_values in value.values():
                _check_expanded(reversed_values, document)
        elif key in _CONTAINERS or not key.startswith("@"):
            _check_expanded(value, document)


def _check_value_object(node: Mapping[str, Any], document: Mapping[str, Any]) -> None:
    datatype = node.get("@type")
    if datatype is not None and datatype != "@json":
        _check_iri(datatype, document, allow_blank=False)
    language = node.get("@language")
    if language is not None and not _BCP47.match(language):
        paths = list(_value_paths(document, node["@value"]))
        raise JsonLdInvalid(
            f"invalid language tag {language!r} (at {', '.join(paths) or 'an unknown path'})",
            paths=paths,
        )
    if "@direction" in node:
        paths = list(_value_paths(document, node["@value"]))
        raise JsonLdInvalid(
            "@direction has no agreed RDF form; verifiers disagree on how to sign it"
            f" (at {', '.join(paths) or 'an unknown path'})",
            paths=paths,
        )


def _check_iri(value: Any, document: Mapping[str, Any], *, allow_blank: bool) -> None:
    if not isinstance(value, str):
        return
    if allow_blank and value.startswith("_:"):
        return
    if not _ABSOLUTE_IRI.match(value) or value.startswith("_:"):
        paths = list(_value_paths(document, value))
        raise RelativeIri(
            f"{value!r} is not an absolute IRI and would be dropped"
            f" (at {', '.join(paths) or 'an unknown path'})",
            value=value,
            paths=paths,
        )


# -- locating things in the original document --------------------------------------------


def _join(path: str, key: Any) -> str:
    key = str(key)
    if re.fullmatch(r"[A-Za-z_@][A-Za-z0-9_@\-]*", key):
        return f"{path}.{key}"
    return f"{path}[{key!r}]"


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """Yield (path, key, value) for every member and item, skipping ``@context`` values."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "@context":
                continue
            child = _join(path, key)
            yield child, key, item
            yield from _walk(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            child = f"{path}[{index}]"
            yield child, None, item
            yield from _walk(item, child)


def _key_paths(document: Mapping[str, Any], key: str) -> Iterator[str]:
    return (path for path, k, _ in _walk(document, "$") if k == key)


def _value_paths(document: Mapping[str, Any], value: Any) -> Iterator[str]:
    return (path for path, _, v in _walk(document, "$") if isinstance(v, str) and v == value)
