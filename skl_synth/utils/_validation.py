"""Checks of arguments that are not estimator parameters (``n_samples``, chunks)."""

from __future__ import annotations

from numbers import Integral


def check_positive_int(value, name):
    """``value`` as an int, or a ValueError naming ``name`` if it is not one > 0.

    For the arguments of methods (``n_samples``, ``chunk_size``), which
    ``_parameter_constraints`` does not cover; booleans are refused.

    Examples
    --------
    >>> from skl_synth.utils._validation import check_positive_int
    >>> check_positive_int(3, "n_samples")
    3
    >>> check_positive_int(0, "n_samples")
    Traceback (most recent call last):
    ...
    ValueError: n_samples must be a positive integer; got 0.
    """
    integer = isinstance(value, Integral) and not isinstance(value, bool)
    if not integer or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    return int(value)
