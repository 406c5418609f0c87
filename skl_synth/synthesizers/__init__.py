"""Synthesizers: estimators that learn a table and sample new rows like it.

Imports ``metrics``, ``preprocessing`` and ``_nn`` (the torch side); nothing above them.
"""

from ._base import BaseSynthesizer
from ._copula import GaussianCopulaSynthesizer
from ._diffusion import DiffusionSynthesizer
from ._gan import GANSynthesizer
from ._vae import VAESynthesizer

__all__ = [
    "BaseSynthesizer",
    "DiffusionSynthesizer",
    "GANSynthesizer",
    "GaussianCopulaSynthesizer",
    "VAESynthesizer",
]
