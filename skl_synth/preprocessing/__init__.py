"""Preprocessing: a mixed-type table to the float32 matrix models learn from, and back.

The bottom stage: imports numpy, pandas, scikit-learn and ``skl_synth.utils`` only.
"""

from ._encoder import Span, TabularEncoder

__all__ = ["Span", "TabularEncoder"]
