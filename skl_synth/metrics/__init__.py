"""Metrics: fidelity, privacy and utility of synthetic tables, with sdmetrics.

Imports :mod:`skl_synth.preprocessing` (to read tables) and nothing above it.
"""

from ._scorers import SYNTHESIS_SCORERS, make_synthesis_scorer
from ._scores import (
    detection_auc,
    early_stopping_score,
    evaluate,
    metadata_from_schema,
    synthesis_score,
)

__all__ = [
    "SYNTHESIS_SCORERS",
    "detection_auc",
    "early_stopping_score",
    "evaluate",
    "make_synthesis_scorer",
    "metadata_from_schema",
    "synthesis_score",
]
