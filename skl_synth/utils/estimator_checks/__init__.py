"""Checks that a synthesizer keeps skl_synth's contract, beside scikit-learn's.

Imports what it checks (the only upward imports of the package), lazily.
"""

from ._randomness import (
    check_synthesizer_determinism,
    check_synthesizer_global_random_state,
    check_synthesizer_pickle,
)
from ._runner import (
    check_synthesizer,
    parametrize_with_synthesizer_checks,
    synthesizer_checks,
)
from ._sampling import (
    check_synthesizer_clone,
    check_synthesizer_conditions,
    check_synthesizer_n_samples,
    check_synthesizer_not_fitted,
    check_synthesizer_sample_dataframe,
    check_synthesizer_sample_ndarray,
    check_synthesizer_score_columns,
)

__all__ = [
    "check_synthesizer",
    "check_synthesizer_clone",
    "check_synthesizer_conditions",
    "check_synthesizer_determinism",
    "check_synthesizer_global_random_state",
    "check_synthesizer_n_samples",
    "check_synthesizer_not_fitted",
    "check_synthesizer_pickle",
    "check_synthesizer_sample_dataframe",
    "check_synthesizer_sample_ndarray",
    "check_synthesizer_score_columns",
    "parametrize_with_synthesizer_checks",
    "synthesizer_checks",
]
