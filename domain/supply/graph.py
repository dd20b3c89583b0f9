"""The supplier graph below a buyer, or below the links of a product or a purchase order:
one recursive CTE finds every facility reached and its tier (its shortest distance), one
query reads the links among them, and cycles are found in memory. Never a query per node.

A facility shared by several buyers appears once, at its lowest tier. The walk is bounded
by ``depth`` (the CTE keeps one row per facility and tier, so a cycle ends there too); each
cycle is reported once, as the facilities around it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

__all__ = ["MAX_DEPTH", "Edge", "Graph", "graph_below", "graph_of_links"]

MAX_DEPTH = 20

# Facilities reached from the seeds, with the tier each is first reached at. UNION (not
# UNION ALL) keeps one row per (facility, tier): the walk is bounded by nodes x depth.
_REACH = """
WITH RECURSIVE reach(facility, tier) AS (
    {seeds}
    UNION
    SELECT l.supplier, r.tier + 1
    FROM supply_links l JOIN reach r ON l.buyer = r.facility
    WHERE r.tier < :depth
)
"""
_TIERS = _REACH + "SELECT facility, MIN(tier) FROM reach GROUP BY facility"  # noqa: S608 (constants)
_LINKS = """SELECT l.record_id, l.buyer, l.supplier, l.product, l.purchase_order,
       l.confirmation_record_id
FROM supply_links l"""
_EDGES_TAIL = """
WHERE l.buyer IN (SELECT facility FROM reach WHERE tier < :depth)
ORDER BY l.buyer, l.supplier, l.record_id"""
_EDGES = _REACH + _LINKS + _EDGES_TAIL


@dataclass(frozen=True)
class Edge:
    link: str  # the supply-link record id
    buyer: str
    supplier: str
    product: str
    purchase_order: str | None
    confirmation: str | None  # the supply-confirm record id, None while unconfirmed


@dataclass
class Graph:
    tiers: dict[str, int]  # facility -> tier (0: where the walk starts)
    edges: list[Edge]
    cycles: list[list[str]] = field(default_factory=list)  # each [a, b, ..., a]
    _by_buyer: dict[str, list[Edge]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for edge in self.edges:
            self._by_buyer.setdefault(edge.buyer, []).append(edge)

    def suppliers_of(self, facility: str) -> list[Edge]:
        return self._by_buyer.get(facility, [])


def graph_below(session: Session, root: str, depth: int) -> Graph:
    """Every facility ``root`` buys from, directly or through its suppliers, ``depth``
    tiers down."""
    seeds = "SELECT CAST(:root AS VARCHAR(64)), 0"
    params = {"root": root, "depth": depth}
    return _walk(session, seeds, params, start={root: 0}, only=None)


def graph_of_links(
    session: Session, *, product: str | None = None, purchase_order: str | None = None
) -> Graph:
    """The links of ``product`` (or of ``purchase_order``) with their buyers at tier 0,
    their suppliers at tier 1, and everything those suppliers buy, to :data:`MAX_DEPTH`.
    Only the matching links leave the tier-0 buyers."""
    column = "product" if product is not None else "purchase_order"
    value = product if product is not None else purchase_order
    seeds = f"SELECT supplier, 1 FROM supply_links WHERE {column} = :value"  # noqa: S608 (fixed column)
    params = {"value": value, "depth": MAX_DEPTH}
    buyers = session.execute(
        text(f"SELECT DISTINCT buyer FROM supply_links WHERE {column} = :value"),  # noqa: S608
        {"value": value},
    ).all()
    start = {str(b): 0 for (b,) in buyers}
    return _walk(session, seeds, params, start=start, only=(column, str(value)))


def _walk(
    session: Session,
    seeds: str,
    params: Mapping[str, object],
    *,
    start: dict[str, int],
    only: tuple[str, str] | None,
) -> Graph:
    tiers = dict(start)
    for facility, tier in session.execute(text(_TIERS.format(seeds=seeds)), params).all():
        tiers[str(facility)] = min(int(tier), tiers.get(str(facility), int(tier)))
    edges = [_edge(r) for r in session.execute(text(_EDGES.format(seeds=seeds)), params).all()]
    if only is not None:  # the tier-0 buyers' links: the matching ones alone
        column, value = only
        matching = session.execute(
            text(_LINKS + f" WHERE l.{column} = :value ORDER BY l.buyer, l.record_id"),
            {"value": value},
        ).all()
        edges = [e for e in edges if e.buyer not in start] + [_edge(r) for r in matching]
        for facility, tier in start.items():
            tiers[facility] = min(tier, tiers.get(facility, tier))
    graph = Graph(tiers, edges)
    graph.cycles = _cycles(graph)
    return graph


def _edge(row: Any) -> Edge:
    return Edge(str(row[0]), str(row[1]), str(row[2]), str(row[3]), row[4], row[5])


def _cycles(graph: Graph) -> list[list[str]]:
    """Each cycle once (iterative depth-first search; a back edge closes one)."""
    out: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        if edge.supplier not in out[edge.buyer]:
            out[edge.buyer].append(edge.supplier)
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for origin in sorted(graph.tiers, key=lambda f: (graph.tiers[f], f)):
        if origin in state:
            continue
        stack: list[tuple[str, int]] = [(origin, 0)]
        path: list[str] = [origin]
        state[origin] = 1
        while stack:
            node, index = stack[-1]
            if index < len(out[node]):
                stack[-1] = (node, index + 1)
                nxt = out[node][index]
                if state.get(nxt) == 1:
                    cycle = [*path[path.index(nxt) :], nxt]
                    key = frozenset(cycle)
                    if key not in seen:
                        seen.add(key)
                        found.append(cycle)
                elif nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                state[node] = 2
                stack.pop()
                path.pop()
    return found
