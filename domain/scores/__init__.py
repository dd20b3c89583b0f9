"""Transparency scores: a facility's 0-100 score from its evidence (formula ``2026.1``)."""

from .evidence import Evidence
from .formula import FORMULA_VERSION, Component, Score, score
from .loader import evidence_of
from .snapshot import ScoreHandler, history_of
from .typology_snapshot import TypologyHandler

__all__ = [
    "FORMULA_VERSION",
    "Component",
    "Evidence",
    "Score",
    "ScoreHandler",
    "TypologyHandler",
    "evidence_of",
    "history_of",
    "score",
]
