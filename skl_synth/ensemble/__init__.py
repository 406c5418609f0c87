"""Ensemble: generators trained on parts of a table, their samples mixed by weight.

Imports ``synthesizers``, ``metrics`` and ``preprocessing``; nothing above them.
"""

from ._ensemble import EnsembleSynthesizer

__all__ = ["EnsembleSynthesizer"]
