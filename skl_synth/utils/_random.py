"""Random state without touching any global generator."""

import numpy as np
from sklearn.utils import check_random_state

SEED_MAX = np.iinfo(np.int32).max
"""The largest seed drawn for a sub-generator: ``randint(SEED_MAX)`` draws
seeds that every numpy and torch generator accepts."""


def local_random_state(random_state) -> np.random.RandomState:
    """Return a ``RandomState`` for ``random_state``, never numpy's global one.

    ``None`` gives a fresh generator seeded from the operating system, where
    :func:`sklearn.utils.check_random_state` would return (and advance) the
    global ``np.random`` state. Integers and ``RandomState`` instances behave
    as in scikit-learn.

    Examples
    --------
    >>> from skl_synth.utils._random import local_random_state
    >>> local_random_state(0).randint(100) == local_random_state(0).randint(100)
    True
    """
    if random_state is None:
        return np.random.RandomState()
    return check_random_state(random_state)
