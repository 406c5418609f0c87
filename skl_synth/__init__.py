"""skl_synth: deep tabular generators as scikit-learn estimators.

Synthetic tabular data and generative oversampling for imbalanced
classification, with scikit-learn and imbalanced-learn conventions.
"""

from .persistence import load, save
from .preprocessing import TabularEncoder

__version__ = "0.2.0.dev0"

__all__ = ["TabularEncoder", "__version__", "load", "save"]
