"""SMOTE on mixed-type tables: new rows on segments between neighbours of a class.

The interpolated share of the generative samplers (``smote_share``): for
each new row, a random row of the class, one of its ``k`` nearest rows of
the same class and a uniform ``gap`` in [0, 1]. Numbers (integers rounded,
datetimes and durations too) take the point at ``gap`` on the segment
between the two; every other column (categories, strings, booleans), and a
number missing in either row, takes the value of the nearer of the two, so
that the row stays one the class could hold. Distances are Euclidean on the
numbers scaled by their standard deviation over the class (missing values
at the class mean) and on one-hot categories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.neighbors import NearestNeighbors

__all__ = ["interpolate_rows"]

_DENSE_WIDTH = 256


def interpolate_rows(rows, n_rows, k_neighbors, seed):
    """``n_rows`` new rows interpolated between neighbouring ``rows``.

    Parameters
    ----------
    rows : DataFrame
        The rows of one class, at least two.
    n_rows : int
        Rows to make.
    k_neighbors : int
        Neighbours of each row to interpolate towards (at most
        ``len(rows) - 1`` are used).
    seed : int
        Seed of the anchors, neighbours and gaps.

    Returns
    -------
    DataFrame
        ``n_rows`` rows with the columns and dtypes of ``rows``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skl_synth.over_sampling._interpolation import interpolate_rows
    >>> rows = pd.DataFrame({"x": [0.0, 1.0, 10.0], "c": ["a", "b", "b"]})
    >>> new = interpolate_rows(rows, 4, k_neighbors=1, seed=0)
    >>> bool(new["x"].between(0, 10).all()), sorted(set(new["c"]) - {"a", "b"})
    (True, [])
    """
    rows = rows.reset_index(drop=True)
    if len(rows) < 2:
        raise ValueError(
            f"interpolation needs at least 2 rows of a class; got {len(rows)}."
        )
    k = min(k_neighbors, len(rows) - 1)
    rng = np.random.RandomState(seed)
    # kneighbors() without X leaves each row out of its own neighbours
    search = NearestNeighbors(n_neighbors=k).fit(_geometry(rows))
    neighbours = search.kneighbors(return_distance=False)
    anchor = rng.randint(len(rows), size=n_rows)
    partner = neighbours[anchor, rng.randint(k, size=n_rows)]
    gap = rng.uniform(size=n_rows)
    columns = {c: _column(rows[c], anchor, partner, gap) for c in rows.columns}
    return pd.DataFrame(columns, columns=rows.columns)


def _numeric_kind(dtype):
    """``"number"``, ``"integer"``, ``"time"`` or None (copied from a row)."""
    types = pd.api.types
    if isinstance(dtype, pd.CategoricalDtype) or types.is_bool_dtype(dtype):
        return None
    if types.is_datetime64_any_dtype(dtype) or types.is_timedelta64_dtype(dtype):
        return "time"
    if types.is_integer_dtype(dtype):
        return "integer"
    if types.is_float_dtype(dtype):
        return "number"
    return None


def _as_floats(series):
    """The column as floats (times in nanoseconds), NaN where missing."""
    if _numeric_kind(series.dtype) != "time":
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    if getattr(series.dtype, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    unit = "m8[ns]" if pd.api.types.is_timedelta64_dtype(series.dtype) else "M8[ns]"
    out = series.to_numpy(dtype=unit).view(np.int64).astype(np.float64)
    out[series.isna().to_numpy()] = np.nan
    return out


def _from_floats(values, dtype):
    """Whole nanoseconds back to times of ``dtype``."""
    ints = values.astype(np.int64)
    if pd.api.types.is_timedelta64_dtype(dtype):
        return pd.Series(pd.to_timedelta(ints, unit="ns")).astype(dtype)
    times = pd.Series(pd.to_datetime(ints, unit="ns"))
    tz = getattr(dtype, "tz", None)
    if tz is not None:
        return times.dt.tz_localize("UTC").dt.tz_convert(tz).astype(dtype)
    return times.astype(dtype)


def _geometry(rows):
    """Numbers standardized (missing at 0, the mean) and one-hot categories.

    Sparse, so that a column of many distinct strings costs one entry a row,
    not a square matrix.
    """
    n_rows, parts = len(rows), []
    for column in rows.columns:
        series = rows[column]
        if _numeric_kind(series.dtype) is None:
            codes = pd.Categorical(series.astype(object)).codes + 1  # NaN: 0
            onehot = sparse.csr_matrix(
                (np.full(n_rows, 1 / np.sqrt(2)), (np.arange(n_rows), codes)),
                shape=(n_rows, codes.max() + 1),
            )
            parts.append(onehot)
            continue
        values = _as_floats(series)
        observed = np.isfinite(values).any()
        spread = np.nanstd(values) if observed else 0.0
        centred = values - (np.nanmean(values) if observed else 0.0)
        scaled = centred / spread if spread > 0 else np.zeros_like(values)
        parts.append(sparse.csr_matrix(np.nan_to_num(scaled, nan=0.0)[:, None]))
    if not parts:
        return np.zeros((n_rows, 1))
    geometry = sparse.hstack(parts, format="csr")
    # dense where narrow: the neighbour search then uses a tree
    return geometry.toarray() if geometry.shape[1] <= _DENSE_WIDTH else geometry


def _column(series, anchor, partner, gap):
    """The new values of one column."""
    kind = _numeric_kind(series.dtype)
    nearer = np.where(gap < 0.5, anchor, partner)
    copied = series.iloc[nearer].reset_index(drop=True)
    if kind is None:
        return copied
    values = _as_floats(series)
    point = values[anchor] + gap * (values[partner] - values[anchor])
    missing = np.isnan(point)
    if kind in ("integer", "time"):
        point = np.round(point)
    filled = np.where(missing, 0.0, point)
    new = (
        _from_floats(filled, series.dtype)
        if kind == "time"
        else pd.Series(filled).astype(series.dtype)
    )
    return new.where(~missing, copied) if missing.any() else new
