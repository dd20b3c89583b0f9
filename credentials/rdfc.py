"""RDF Dataset Canonicalization (RDFC-1.0, the URDNA2015 algorithm) with a work limit.

RDFC-1.0 tells blank nodes apart by hashing their neighbourhoods. Where several blank
nodes hash alike it runs Hash N-Degree Quads, which tries every permutation of alike
neighbours and recurses: n! work for n alike nodes. A document of a few kilobytes (eight
blank nodes naming each other) keeps pyld busy for minutes, and anyone can post one to a
verifier. The specification tells implementations to guard against such "poison graphs"
(RDFC-1.0 §4.4, "Hash N-Degree Quads ... can be exponential"; §7, security).

The guard is Digital Bazaar's (rdf-canonize ``maxWorkFactor``, default 1): Hash N-Degree
Quads may run at most ``n ** work_factor`` times in all (rdf-canonize 5), where n is the
number of blank nodes whose first-degree hashes are not unique. Real credentials have
few or no such nodes and never come near it; a poison graph exceeds it within
milliseconds. The output is pyld's own (this only counts), so signatures are unchanged.
"""

from __future__ import annotations

from typing import Any, Final

from pyld import jsonld
from pyld.canon import URDNA2015

from .errors import JsonLdInvalid
from .loader import document_loader
from .strict import jsonld_errors

__all__ = ["DEFAULT_WORK_FACTOR", "RdfcTooComplex", "canonize"]

DEFAULT_WORK_FACTOR: Final = 1
"""As rdf-canonize's ``maxWorkFactor`` default: linear in the alike blank nodes."""


class RdfcTooComplex(JsonLdInvalid):
    """Canonicalizing the document would take exponential time (a "poison graph")."""

    code = "rdfc_too_complex"
    title = "Too costly to canonicalize (RDFC-1.0 work limit)"


class _BoundedUrdna2015(URDNA2015):  # type: ignore[misc]  # pyld ships no types
    def __init__(self, work_factor: int) -> None:
        super().__init__()
        self._work_factor = work_factor
        self._limit: int | None = None
        self._remaining = 0

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        if self._limit is None:
            # First called in step 6, when hash_to_blank_nodes holds the non-unique groups.
            alike = sum(len(ids) for ids in self.hash_to_blank_nodes.values())
            self._limit = self._remaining = alike**self._work_factor
        if self._remaining == 0:
            raise RdfcTooComplex(
                f"canonicalization needs more than {self._limit} N-degree hashes: give the "
                "document's nodes ids, or sign it with eddsa-jcs-2022",
                limit=self._limit,
            )
        self._remaining -= 1
        return super().hash_n_degree_quads(id_, issuer)


def canonize(expanded: list[Any], *, work_factor: int = DEFAULT_WORK_FACTOR) -> str:
    """The canonical N-Quads of expanded JSON-LD (expanded, so no context is loaded again).

    Raises:
        RdfcTooComplex: the work limit was reached.
        JsonLdInvalid: pyld could not turn the document into RDF.
    """
    options = {"documentLoader": document_loader, "base": None, "produceGeneralizedRdf": False}
    with jsonld_errors():
        dataset = jsonld.to_rdf(expanded, options)
        nquads: str = _BoundedUrdna2015(work_factor).main(
            dataset, {"format": "application/n-quads"}
        )
    return nquads
