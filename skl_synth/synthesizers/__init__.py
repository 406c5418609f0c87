"""Synthesizers: estimators that learn a table and sample new rows."""

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
