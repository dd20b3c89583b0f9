"""A score-history chart laid out server-side, drawn as inline SVG by the template.

Snapshots are placed in the order they were kept, evenly spaced (several can share a day:
a snapshot before and after new evidence), each labelled with its day; the y axis is the
score, 0-100. No script draws anything: the page is the same with JavaScript off.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["Chart", "ChartPoint", "history_chart"]

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 48, 24, 40  # room for the axis and the day labels


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    score: str
    as_of: str
    record: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[ChartPoint]
    gridlines: list[tuple[float, int]]  # (y, score) for 0, 25, 50, 75, 100
    left: int
    right: float
    baseline: float

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def _y(score: Decimal) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return round(TOP + plot * float(1 - score / 100), 1)


def history_chart(history: list[dict[str, Any]]) -> Chart | None:
    """The chart of ``history`` (``domain.scores.history_of``, oldest first); None if empty."""
    if not history:
        return None
    span = WIDTH - LEFT - RIGHT
    step = span / (len(history) - 1) if len(history) > 1 else 0.0
    points = [
        ChartPoint(
            x=round(LEFT + (i * step if len(history) > 1 else span / 2), 1),
            y=_y(Decimal(str(snapshot["score"]))),
            score=str(snapshot["score"]),
            as_of=str(snapshot["as_of"]),
            record=str(snapshot["record"]),
        )
        for i, snapshot in enumerate(history)
    ]
    grid = [(_y(Decimal(s)), s) for s in (0, 25, 50, 75, 100)]
    return Chart(WIDTH, HEIGHT, points, grid, LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM)
