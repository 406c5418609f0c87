"""Over-sampling: imbalanced-learn samplers that grow classes with synthetic rows.

Imports ``ensemble``, ``synthesizers`` and the stages below; nothing above them.
"""

from ._generative import GenerativeAugmenter, GenerativeOverSampler
from ._samplers import (
    CopulaOverSampler,
    DiffusionOverSampler,
    EnsembleOverSampler,
    GANOverSampler,
    VAEOverSampler,
)

__all__ = [
    "CopulaOverSampler",
    "DiffusionOverSampler",
    "EnsembleOverSampler",
    "GANOverSampler",
    "GenerativeAugmenter",
    "GenerativeOverSampler",
    "VAEOverSampler",
]
