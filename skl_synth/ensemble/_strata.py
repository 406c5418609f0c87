"""Strata of an ensemble's rows: which shares its held-out rows and resamples keep.

The codes of ``partition_column``, joint strata of the discrete columns
(rarest values first), and draws that keep each stratum's share.
"""

from __future__ import annotations

import numpy as np

from ..preprocessing._conversions import column_to_codes
from ..utils._messages import preview


def rare_first_strata(codes, min_rows, first=None):
    """Joint strata of discrete columns, the columns with the rarest value first.

    Columns split the strata one at a time, ordered by the count of their
    rarest value (missing values count as a value). Within a stratum, the
    pieces a column would cut smaller than ``min_rows`` rows are pooled (and
    the pool, if still too small, joins the stratum's largest piece), so
    each split refines the earlier ones: a rare class keeps its share
    exactly, and the values of later columns keep theirs where the table
    is large enough.

    Parameters
    ----------
    codes : list of ndarray of int of shape (n_rows,)
        Each discrete column's codes (any integers, missing values included);
        not empty unless ``first`` is given.
    min_rows : int
        The fewest rows of a piece that a split makes.
    first : ndarray of int of shape (n_rows,), default=None
        Codes that split first, whatever the size of their strata
        (``partition_column``).

    Returns
    -------
    strata : ndarray of int of shape (n_rows,)
        A stratum code per row, from 0.

    Examples
    --------
    >>> import numpy as np
    >>> rare = np.array([0] * 18 + [1] * 2)  # a 10% class
    >>> even = np.array([0, 1] * 10)
    >>> np.bincount(rare_first_strata([even, rare], 2)).tolist()
    [9, 9, 2]
    >>> np.bincount(rare_first_strata([even, rare], 3)).tolist()  # 2 < 3 rows
    [10, 10]
    """
    if first is not None:
        strata = np.unique(first, return_inverse=True)[1].ravel()
    else:
        strata = np.zeros(len(codes[0]), dtype=np.int64)
    rarity = [np.unique(c, return_counts=True)[1].min() for c in codes]
    for j in np.argsort(rarity, kind="stable"):
        pairs = np.stack([strata, codes[j]], axis=1)
        pieces, joint = np.unique(pairs, axis=0, return_inverse=True)
        joint = joint.ravel()
        sizes = np.bincount(joint)
        target = np.arange(len(sizes))
        for parent in np.unique(pieces[sizes < min_rows, 0]):
            own = np.flatnonzero(pieces[:, 0] == parent)
            small = own[sizes[own] < min_rows]
            large = own[sizes[own] >= min_rows]
            pooled_large_enough = sizes[small].sum() >= min_rows or not len(large)
            into = small[0] if pooled_large_enough else large[np.argmax(sizes[large])]
            target[small] = into
        strata = np.unique(target[joint], return_inverse=True)[1].ravel()
    return strata


def stratified_choice(strata, n_chosen, rng):
    """``n_chosen`` positions drawn without replacement, each stratum its share.

    Each stratum gets its share of ``n_chosen`` rounded by largest
    remainders (so that they add up to ``n_chosen``), at least one row if it
    has two or more, and never all its rows.

    Parameters
    ----------
    strata : ndarray of shape (n_rows,)
        An integer code per row.
    n_chosen : int
        Positions to draw.
    rng : RandomState

    Returns
    -------
    chosen : ndarray
        Sorted positions.

    Examples
    --------
    >>> import numpy as np
    >>> strata = np.array([0] * 8 + [1] * 2)
    >>> chosen = stratified_choice(strata, 3, np.random.RandomState(0))
    >>> np.bincount(strata[chosen]).tolist()
    [2, 1]
    """
    codes, sizes = np.unique(strata, return_counts=True)
    quota = n_chosen * sizes / len(strata)
    taken = np.floor(quota).astype(np.int64)
    extra = np.argsort(-(quota - taken), kind="stable")[: n_chosen - taken.sum()]
    taken[extra] += 1
    taken = np.minimum(np.maximum(taken, (sizes >= 2).astype(np.int64)), sizes - 1)
    chosen = [
        rng.choice(np.flatnonzero(strata == code), n, replace=False)
        for code, n in zip(codes, taken, strict=True)
    ]
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, np.intp)


def stratified_bootstrap(rows, strata, rng):
    """A resample of ``rows`` with replacement, stratum by stratum.

    Each stratum keeps its count, so the resample keeps its shares exactly.

    Parameters
    ----------
    rows : ndarray of shape (n_rows,)
        Positions.
    strata : ndarray of shape (n_rows,) or None
        A code per position; None draws from all rows at once.
    rng : RandomState

    Returns
    -------
    resample : ndarray of shape (n_rows,)
        Sorted positions.

    Examples
    --------
    >>> import numpy as np
    >>> rows, strata = np.arange(10), np.array([0] * 7 + [1] * 3)
    >>> resample = stratified_bootstrap(rows, strata, np.random.RandomState(0))
    >>> np.bincount(strata[resample]).tolist()
    [7, 3]
    """
    if strata is None:
        return np.sort(rng.choice(rows, size=len(rows)))
    drawn = [
        rng.choice(rows[strata == code], size=int((strata == code).sum()))
        for code in np.unique(strata)
    ]
    return np.sort(np.concatenate(drawn))


def partition_schema(schema, column):
    """The schema of ``partition_column``, checked to be a discrete column.

    Parameters
    ----------
    schema : list of ColumnSchema
        The ensemble encoder's ``schema_``.
    column : column label or None
        ``partition_column``.

    Returns
    -------
    column_schema : ColumnSchema

    Examples
    --------
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.preprocessing import TabularEncoder
    >>> encoder = TabularEncoder().fit(load_student_placements())
    >>> partition_schema(encoder.schema_, "placed").kind
    'boolean'
    """
    if column is None:
        raise ValueError(
            "partition='column' needs partition_column: the discrete column "
            "whose values define the parts, such as the class."
        )
    schemas = {s.name: s for s in schema}
    if column not in schemas:
        raise ValueError(
            f"partition_column {column!r} is not a column of X; the columns "
            f"are {preview(schemas)}."
        )
    if not schemas[column].is_discrete:
        raise ValueError(
            f"partition_column {column!r} is a {schemas[column].kind} column; it "
            "must be discrete. List it in discrete_columns if it holds a few codes."
        )
    return schemas[column]


def strata_codes(values, schema):
    """The code of each value of a discrete column, missing values as -1.

    Parameters
    ----------
    values : Series
        The column.
    schema : ColumnSchema
        Its schema (from :func:`partition_schema`).

    Returns
    -------
    codes : ndarray of int of shape (n_rows,)

    Examples
    --------
    >>> import pandas as pd
    >>> from skl_synth.preprocessing import TabularEncoder
    >>> frame = pd.DataFrame({"c": ["a", "b", None, "a"]})
    >>> schema = TabularEncoder().fit(frame).schema_[0]
    >>> strata_codes(frame["c"], schema).tolist()
    [0, 1, -1, 0]
    """
    codes = column_to_codes(values, schema)
    return np.where(codes < 0, -1, codes)


def held_out_strata(frame, schema, n_held, first=None, column=None):
    """Strata that ``n_held`` held-out rows of ``frame`` keep the shares of:
    ``first`` (the codes of ``partition_column``, named ``column``), then
    the discrete columns of ``schema`` with the rarest values, as long as
    every stratum has a row to hold out (:func:`rare_first_strata`); None
    if nothing is held out or nothing is discrete.

    Examples
    --------
    >>> import pandas as pd
    >>> from skl_synth.preprocessing import TabularEncoder
    >>> frame = pd.DataFrame({"y": ["a"] * 8 + ["b"] * 2, "x": range(10)})
    >>> schema = TabularEncoder().fit(frame).schema_
    >>> held_out_strata(frame, schema, 5).tolist()
    [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    """
    if not n_held:
        return None
    codes = [
        strata_codes(frame[s.name], s)
        for s in schema
        if s.is_discrete and s.name != column
    ]
    if not codes and first is None:
        return None
    min_rows = max(2, int(np.ceil(len(frame) / n_held)))
    return rare_first_strata(codes, min_rows, first=first)


def hold_out(n_rows, n_held, strata, rng):
    """Positions of the held-out rows and of the training rows.

    Parameters
    ----------
    n_rows : int
    n_held : int
        Rows to hold out (none if 0).
    strata : ndarray of shape (n_rows,) or None
        Codes whose shares the held-out rows keep (:func:`stratified_choice`).
    rng : RandomState

    Returns
    -------
    held, train : ndarray
        Sorted positions.

    Examples
    --------
    >>> import numpy as np
    >>> held, train = hold_out(5, 2, None, np.random.RandomState(0))
    >>> len(held), len(train), sorted(np.concatenate([held, train]).tolist())
    (2, 3, [0, 1, 2, 3, 4])
    """
    if not n_held:
        return np.array([], dtype=np.intp), np.arange(n_rows)
    if strata is None:
        held = np.sort(rng.permutation(n_rows)[:n_held])
    else:
        held = stratified_choice(strata, n_held, rng)
    return held, np.setdiff1d(np.arange(n_rows), held)
