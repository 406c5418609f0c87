"""Parts of a table for an ensemble, and greedy selection of mixture weights.

Plain functions over row positions, encoded points and scored DataFrames;
:class:`~skl_synth.ensemble.EnsembleSynthesizer` composes them. Nothing here
knows a synthesizer.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning

# Greedy ensemble selection adds at most this many members (with replacement),
# each for a gain above the tolerance (smaller ones are within the noise of a
# score on a few hundred rows, and each round costs n_members scores).
SELECTION_ROUNDS = 5
SELECTION_TOLERANCE = 0.005
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


def stratified_choice(strata, fraction, rng):
    """Positions drawn without replacement, ``fraction`` of each stratum.

    Parameters
    ----------
    strata : ndarray of shape (n_rows,)
        An integer code per row.
    fraction : float
        Share of each stratum drawn (rounded; at least one row of every
        stratum with two rows or more).
    rng : RandomState

    Returns
    -------
    chosen : ndarray
        Sorted positions.

    Examples
    --------
    >>> import numpy as np
    >>> strata = np.array([0] * 8 + [1] * 2)
    >>> chosen = stratified_choice(strata, 0.25, np.random.RandomState(0))
    >>> np.bincount(strata[chosen]).tolist()
    [2, 1]
    """
    chosen = []
    for code in np.unique(strata):
        rows = np.flatnonzero(strata == code)
        n = round(fraction * len(rows))
        n = min(max(n, 1 if len(rows) >= 2 else 0), len(rows) - 1)
        chosen.append(rng.choice(rows, n, replace=False))
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


def greedy_selection(real, pools, score, tolerance=SELECTION_TOLERANCE, bar=None):
    """Greedy ensemble selection with replacement (Caruana et al., 2004).

    Starting from an empty mixture, each round adds the pool whose
    inclusion maximises ``score(real, mixture)``, the mixture taking rows
    from the pools in proportion to their counts; it stops after
    :data:`SELECTION_ROUNDS` rounds or when no pool improves the score by
    more than ``tolerance``. Identical mixtures are scored once.

    Parameters
    ----------
    real : DataFrame
        The held-out rows.
    pools : list of DataFrame
        Generated rows of each candidate, as many for each; a mixture has
        as many rows, taken from the first rows of the pools.
    score : callable
        ``score(real, synthetic) -> float``, higher is better.
    tolerance : float, default=0.005
        The least gain for which a round adds a pool.
    bar : callable, default=None
        Wraps the range of rounds (a tqdm progress bar).

    Returns
    -------
    counts : ndarray of int of shape (n_pools,)
        How often each pool was added; they sum to at least 1.
    alone : ndarray of shape (n_pools,)
        Each pool's score alone.
    trace : ndarray
        The mixture's score after each round (increasing).

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [0.0, 1.0]})
    >>> pools = [pd.DataFrame({"x": [5.0, 6.0]}), pd.DataFrame({"x": [0.0, 1.0]})]
    >>> def score(a, b):
    ...     return 1 - abs(a["x"].mean() - b["x"].mean())
    >>> counts, alone, trace = greedy_selection(real, pools, score)
    >>> counts.tolist(), alone.tolist()
    ([0, 1], [-4.0, 1.0])
    """
    n_pools, n_rows = len(pools), len(pools[0])
    scores = {}  # by the number of rows taken from each pool

    def mixture_score(counts):
        taken = tuple(allocate(n_rows, counts))
        if taken not in scores:
            mixture = [p.iloc[:k] for p, k in zip(pools, taken, strict=True) if k]
            scores[taken] = score(real, pd.concat(mixture, ignore_index=True))
        return scores[taken]

    counts, trace, alone = np.zeros(n_pools, dtype=np.int64), [], None
    added = np.eye(n_pools, dtype=np.int64)
    rounds = range(SELECTION_ROUNDS)
    for _ in rounds if bar is None else bar(rounds):
        candidates = np.array(
            [mixture_score(counts + added[j]) for j in range(n_pools)]
        )
        if alone is None:
            alone = candidates
        best = int(np.argmax(candidates))
        if trace and candidates[best] <= trace[-1] + tolerance:
            break
        counts[best] += 1
        trace.append(float(candidates[best]))
        if n_pools == 1:
            break
    return counts, alone, np.array(trace)


def allocate(n_rows, counts):
    """Split ``n_rows`` in proportion to ``counts`` (largest remainders).

    Parameters
    ----------
    n_rows : int
    counts : ndarray of shape (n_pools,)
        Non-negative, not all zero.

    Returns
    -------
    taken : ndarray of int of shape (n_pools,)
        Summing to ``n_rows``.

    Examples
    --------
    >>> import numpy as np
    >>> allocate(10, np.array([1, 2])).tolist()
    [3, 7]
    """
    quota = n_rows * counts / counts.sum()
    taken = np.floor(quota).astype(np.int64)
    extra = np.argsort(-(quota - taken), kind="stable")[: n_rows - taken.sum()]
    taken[extra] += 1
    return taken
