"""Persistence: estimators to one zip of JSON, arrays and safetensors, and back.

Imports ``_nn.state`` and ``utils`` only: it walks the state each class declares.
"""

from ._archive import FORMAT_VERSION as FORMAT_VERSION
from ._archive import load, save

__all__ = ["load", "save"]
