"""How an ensemble splits a table into parts: resamples, folds, clusters, values.

Plain functions over row positions and encoded points, which
:class:`~skl_synth.ensemble.EnsembleSynthesizer`'s ``fit`` calls in turn:
the parts and the pooling of parts too small for a member (the strata and
the held-out rows: :mod:`._strata`).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold

from ..utils._random import SEED_MAX
from ._strata import stratified_bootstrap

# Clusters smaller than this share of the mean cluster size are merged.
MIN_CLUSTER_SHARE = 0.1
# A part needs at least this many training rows for a member to learn from.
MIN_PART_ROWS = 2


def cluster_parts(points, rows, n_clusters, seed, observed):
    """K-means parts of ``rows`` and their centroids; small clusters merged.

    So are clusters without any observed value (rows missing in every
    column cluster together): no synthesizer can learn from them.
    ``observed`` marks the points with at least one observed value.

    Parameters
    ----------
    points : ndarray of shape (n_rows, n_features)
        The rows, encoded.
    rows : ndarray of shape (n_rows,)
        The positions that the parts hold.
    n_clusters : int
        Number of k-means clusters before merging.
    seed : int
        Seeds k-means.
    observed : ndarray of bool of shape (n_rows,)
        Whether each row has an observed value.

    Returns
    -------
    parts : list of ndarray
        Sorted positions of each part.
    centers : ndarray of shape (n_parts, n_features)
        The mean point of each part.

    Examples
    --------
    >>> import numpy as np
    >>> points = np.array([[0.0], [0.1], [5.0], [5.1]])
    >>> parts, centers = cluster_parts(points, np.arange(4), 2, 0, np.ones(4, bool))
    >>> sorted(part.tolist() for part in parts)
    [[0, 1], [2, 3]]
    """
    n_clusters = min(n_clusters, len(points))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # duplicated points
        kmeans = KMeans(n_clusters, n_init="auto", random_state=seed).fit(points)
    centers = kmeans.cluster_centers_.astype(np.float64)
    labels = kmeans.labels_
    groups = {c: np.flatnonzero(labels == c) for c in np.unique(labels)}
    minimum = max(
        MIN_PART_ROWS, int(np.ceil(MIN_CLUSTER_SHARE * len(points) / n_clusters))
    )
    while len(groups) > 1:
        pending = [
            c
            for c in groups
            if len(groups[c]) < minimum or not observed[groups[c]].any()
        ]
        if not pending:
            break
        small = min(pending, key=lambda c: len(groups[c]))
        others = [c for c in groups if c != small]
        target = min(others, key=lambda c: np.sum((centers[c] - centers[small]) ** 2))
        groups[target] = np.concatenate([groups[target], groups.pop(small)])
        centers[target] = points[groups[target]].mean(axis=0)
    parts = [np.sort(rows[group]) for group in groups.values()]
    return parts, np.array([points[group].mean(axis=0) for group in groups.values()])


def nearest_part(points, centers):
    """The index of the nearest center for each point (squared distance).

    Parameters
    ----------
    points : ndarray of shape (n_rows, n_features)
    centers : ndarray of shape (n_parts, n_features)

    Returns
    -------
    labels : ndarray of shape (n_rows,)

    Examples
    --------
    >>> import numpy as np
    >>> nearest_part(np.array([[0.2], [4.0]]), np.array([[0.0], [5.0]])).tolist()
    [0, 1]
    """
    distances = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    return np.argmin(distances, axis=1) if len(points) else np.zeros(0, np.intp)


def merged_groups(sizes, minimum=MIN_PART_ROWS):
    """Which parts to pool so that every part has at least ``minimum`` rows.

    The parts below the minimum are pooled into one; if that pool is still
    below it, it joins the smallest of the other parts.

    Parameters
    ----------
    sizes : sequence of int
        Rows in each part.
    minimum : int, default=2
        Rows each resulting part needs.

    Returns
    -------
    groups : list of list of int
        The indices of the parts pooled into each resulting part, in order.

    Examples
    --------
    >>> merged_groups([50, 1, 40, 0])
    [[0], [2, 1, 3]]
    >>> merged_groups([50, 3, 40, 4], minimum=5)
    [[0], [2], [1, 3]]
    """
    small = [i for i, size in enumerate(sizes) if size < minimum]
    groups = [[i] for i, size in enumerate(sizes) if size >= minimum]
    if not small:
        return groups
    if not groups or sum(sizes[i] for i in small) >= minimum:
        return [*groups, small]
    target = min(range(len(groups)), key=lambda g: sizes[groups[g][0]])
    groups[target] = groups[target] + small
    return groups


def split_rows(
    partition, n_parts, train, held, strata, rng, points=None, observed=None
):
    """The parts of the training rows, and the held-out rows of each part.

    Parameters
    ----------
    partition : {"none", "bootstrap", "kfold", "cluster", "column"}
        How to split (see :class:`~skl_synth.ensemble.EnsembleSynthesizer`).
    n_parts : int
        Number of parts (of clusters at most; ignored for ``"column"``).
    train, held : ndarray
        Positions of the training and of the held-out rows.
    strata : ndarray of shape (n_rows,) or None
        Codes of ``partition_column`` (-1 for missing values), or None.
    rng : RandomState
    points : ndarray of shape (n_rows, n_features), default=None
        The rows encoded, for ``"cluster"``.
    observed : ndarray of bool of shape (n_rows,), default=None
        Whether each row has an observed value, for ``"cluster"``.

    Returns
    -------
    parts : list of ndarray
        Training positions of each part (``"column"``: one per code, in
        order, missing values last).
    held_parts : list of ndarray
        The held-out positions each part is scored on.

    Examples
    --------
    >>> import numpy as np
    >>> strata = np.array([0, 1, 0, 1, 0, 1])
    >>> parts, held = split_rows(
    ...     "column", 1, np.arange(4), np.array([4, 5]), strata, None)
    >>> [p.tolist() for p in parts], [h.tolist() for h in held]
    ([[0, 2], [1, 3]], [[4], [5]])
    """
    k = min(n_parts, len(train))
    if partition == "none":
        return [train] * k, [held] * k
    if partition == "bootstrap":
        codes = None if strata is None else strata[train]
        return [stratified_bootstrap(train, codes, rng) for _ in range(k)], [held] * k
    if partition == "kfold":
        return kfold_parts(train, strata, k, rng.randint(SEED_MAX)), [held] * k
    if partition == "cluster":
        seed = rng.randint(SEED_MAX)
        groups = [(train, held)]
        if strata is not None:
            groups = [
                (train[strata[train] == c], held[strata[held] == c])
                for c in np.unique(strata[train])
            ]
        parts, held_parts = [], []
        for rows, held_rows in groups:
            k = min(n_parts, len(rows))
            found, centers = cluster_parts(points[rows], rows, k, seed, observed[rows])
            labels = nearest_part(points[held_rows], centers)
            parts += found
            held_parts += [held_rows[labels == i] for i in range(len(found))]
        return parts, held_parts
    codes = column_codes(strata[train])
    return [train[strata[train] == c] for c in codes], [
        held[strata[held] == c] for c in codes
    ]


def column_codes(strata):
    """The codes present in ``strata``, in order, -1 (missing) last.

    Examples
    --------
    >>> import numpy as np
    >>> column_codes(np.array([2, -1, 0, 2])).tolist()
    [0, 2, -1]
    """
    present = np.unique(strata)
    return np.concatenate([present[present >= 0], present[present < 0]])


def kfold_parts(train, strata, k, seed):
    """``k`` shuffled folds of ``train``, stratified on ``strata`` if given.

    Examples
    --------
    >>> import numpy as np
    >>> folds = kfold_parts(np.arange(6), None, 2, 0)
    >>> sorted(np.concatenate(folds).tolist())
    [0, 1, 2, 3, 4, 5]
    """
    if strata is None:
        folds = KFold(k, shuffle=True, random_state=seed).split(train)
    else:
        with warnings.catch_warnings():  # a value rarer than k is expected
            warnings.simplefilter("ignore", UserWarning)
            splitter = StratifiedKFold(k, shuffle=True, random_state=seed)
            folds = list(splitter.split(train, strata[train]))
    return [np.sort(train[test]) for _, test in folds]


def merge_small_parts(parts, values, held_parts, describe, label):
    """Pool the parts with too few rows for a member, with a warning.

    Parameters
    ----------
    parts, held_parts : list of ndarray
        Training and held-out positions of each part.
    values : list or None
        The ``partition_column`` value of each part, or None.
    describe : callable
        ``describe(i)``: how the warning names part ``i``.
    label : str
        How the warning names the partition (``"partition='column'"``).

    Returns
    -------
    parts, values, held_parts
        Merged (see :func:`merged_groups`); a pooled part's value is the
        list of its values.

    Examples
    --------
    >>> import numpy as np, warnings
    >>> parts = [np.arange(5), np.array([5])]
    >>> with warnings.catch_warnings(record=True):
    ...     merged, _, _ = merge_small_parts(
    ...         parts, None, [np.array([], int)] * 2, lambda i: f"part {i}", "k")
    >>> [p.tolist() for p in merged]
    [[0, 1, 2, 3, 4, 5]]
    """
    groups = merged_groups([len(part) for part in parts])
    if len(groups) == len(parts):
        return parts, values, held_parts
    small = [i for group in groups for i in group if len(parts[i]) < MIN_PART_ROWS]
    names = ", ".join(f"{describe(i)} with {len(parts[i])} row(s)" for i in small)
    warnings.warn(
        f"{label}: {names} had fewer than {MIN_PART_ROWS} training rows for a "
        f"member; pooled into {len(groups)} parts. Merge rare values, or lower "
        "n_partitions.",
        UserWarning,
        stacklevel=5,  # the caller of fit
    )
    merged_values = None
    if values is not None:
        merged_values = [
            values[g[0]] if len(g) == 1 else [values[i] for i in g] for g in groups
        ]
    return (
        [np.sort(np.concatenate([parts[i] for i in g])) for g in groups],
        merged_values,
        [np.sort(np.concatenate([held_parts[i] for i in g])) for g in groups],
    )
