"""EnsembleSynthesizer: generators trained on parts of a table, mixed by weight.

The rows are split into parts (resamples, shards, clusters or the values of a
column), every listed synthesizer is fitted on every part with joblib, and
``sample`` draws each row from one member, chosen by the learned weights.
"""

from __future__ import annotations

import time
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.validation import check_is_fitted

from ._schema import _preview, column_to_codes
from .synthesizers import GANSynthesizer, VAESynthesizer
from .synthesizers._base import (
    _SEED_MAX,
    BaseSynthesizer,
    ConditionPlan,
    check_n_samples,
)
from .utils._docstrings import fill_doc

__all__ = ["EnsembleSynthesizer"]

# Greedy ensemble selection adds at most this many members (with replacement),
# each for a gain above the tolerance (smaller ones are within the noise of a
# score on a few hundred rows, and each round costs n_members scores).
_SELECTION_ROUNDS = 5
_SELECTION_TOLERANCE = 0.005
# Held-out rows scored per selection step (a seeded subsample beyond this).
_SELECTION_MAX_ROWS = 500
# Clusters smaller than this share of the mean cluster size are merged.
_MIN_CLUSTER_SHARE = 0.1
_DEFAULT_NAMES = ("gan", "vae")


def _default_synthesizers():
    return [("gan", GANSynthesizer()), ("vae", VAESynthesizer())]


@fill_doc
class EnsembleSynthesizer(BaseSynthesizer, _BaseComposition):
    """Synthesizers fitted on parts of the rows, sampled as a weighted mixture.

    **Members.** The rows given to ``fit`` (minus a validation split, see
    ``weighting``) are split into parts by ``partition``, and every listed
    synthesizer is fitted on every part: the members are the cross product,
    ``n_synthesizers * n_parts_`` of them, named ``f"{{name}}_{{part}}"`` and
    ordered synthesizer by synthesizer (``gan_0, gan_1, ..., vae_0, ...``).
    Each member is a clone whose ``random_state`` (where it has one) is an
    independent integer drawn from the ensemble's generator, and whose
    ``discrete_columns``, when None, is set to the discrete columns inferred
    on all rows, so that every member encodes the columns alike even on a
    small part. A column that is entirely missing in a part (``salary`` in
    the part of students not placed) is left out of that part's members,
    and their samples get it back as missing values. Members are fitted with
    ``joblib.Parallel(n_jobs=n_jobs)``: under
    ``joblib.parallel_config(backend="dask")`` they train on a dask cluster.

    **Sampling.** Each generated row comes from one member drawn with
    probabilities ``weights_`` (i.e. multinomial counts per member, the rows
    in random order); every member samples its share. Under conditions, a
    member whose training part never held a requested value gets weight 0
    for that call and the weights are renormalized (if every member that
    saw it has weight 0, they share the row in proportion to their part
    sizes); with per-row conditions this is decided row by row, each member
    gets its rows' conditions, and the rows come back in the order of the
    conditions.

    Parameters
    ----------
    synthesizers : list of (str, estimator) tuples, default=None
        The synthesizers fitted on every part, as in
        :class:`~sklearn.ensemble.VotingClassifier`; their parameters are
        reachable as ``{{name}}__{{parameter}}`` (``set_params(gan__epochs=10)``),
        so :class:`~sklearn.model_selection.GridSearchCV` tunes them. None
        means ``[("gan", GANSynthesizer()), ("vae", VAESynthesizer())]``;
        ``set_params(gan__...)`` on it first puts that list in place.
    partition : {{"none", "bootstrap", "kfold", "cluster", "column"}}, \
            default="bootstrap"
        How the training rows are split into parts:

        - ``"none"``: ``n_partitions`` parts that are all the rows, so the
          members differ only by seed (a deep generative ensemble, DGE,
          ICML 2023);
        - ``"bootstrap"``: ``n_partitions`` resamples of the rows, with
          replacement, of the same size (bagging);
        - ``"kfold"``: ``n_partitions`` disjoint shards covering the rows
          (shuffled :class:`~sklearn.model_selection.KFold`);
        - ``"cluster"``: k-means with ``n_partitions`` clusters on the rows
          encoded with standardized numbers and one-hot categories, so that
          each member learns one region (a mixture of experts). Every row is
          in one cluster; a cluster with fewer than
          ``max(2, 0.1 * n_rows / n_partitions)`` rows, or whose rows are
          missing in every column, is merged into the cluster of the nearest
          centroid, so there may be fewer parts;
        - ``"column"``: one part per value of ``partition_column`` (missing
          values form a part of their own); ``n_partitions`` is ignored.

        Every part needs at least 2 rows.
    n_partitions : int, default=5
        Number of parts (of clusters, at most, for ``"cluster"``).
    partition_column : column label, default=None
        The discrete column whose values define the parts of
        ``partition="column"``, such as the class; ignored otherwise.
    weighting : {{"uniform", "size", "validation"}}, default="validation"
        The mixture weights ``weights_``:

        - ``"uniform"``: equal weights;
        - ``"size"``: proportional to the member's part size;
        - ``"validation"``: ``validation_fraction`` of the rows are held out
          before partitioning, and the weights come from greedy ensemble
          selection with replacement (Caruana et al., ICML 2004): a pool of
          as many rows as held out (at most 500) is sampled once from each
          member; starting from an empty mixture, each round adds the member
          whose inclusion maximises :func:`~skl_synth.metrics.synthesis_score`
          of the mixture (rows taken from the pools in proportion to the
          members' counts) against the held-out rows; it stops after 5
          rounds or when no member improves the score by more than 0.005
          (a gain within the noise of such a score), and the weights are the
          counts over their total. That is at most ``5 * n_members`` scores
          of about 0.5-1 s each (fewer, as identical mixtures are scored
          once). It optimizes exactly the score that :meth:`score`
          reports and ``GridSearchCV`` tunes, its first round is the best
          single member on the validation split and later rounds only keep
          improvements, and its weights are sparse (weak members get 0).
    validation_fraction : float, default=0.2
        Fraction of the rows held out with ``weighting="validation"``; no
        rows are held out otherwise.
    {discrete_columns}
    {reject_copies} The members' own
        ``reject_copies`` settings apply within each member.
    n_jobs : int, default=None
        Members fitted in parallel by joblib. ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context; -1 uses all processors.
    verbose : int, default=0
        0 is silent; 1 or more shows progress bars over the member fits and
        the selection rounds.
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split, the parts, the members' seeds, the
        selection pools and the sampling. With an int, fitting the same data
        on the CPU gives identical samples, and each ``sample`` call with the
        same arguments returns the same rows. The global RNGs are never used.

    Attributes
    ----------
    encoder_ : TabularEncoder
        Fitted on all rows (standard encoding): the schema that ``sample``
        and ``score`` validate against and that the clusters are computed in.
    members_ : list of (str, estimator) tuples
        The fitted members, in the order described above.
    member_parts_ : ndarray of shape (n_members,)
        The index into ``parts_`` of the part each member was fitted on.
    parts_ : list of ndarray
        The row positions (into the rows given to ``fit``) of each part;
        bootstrap parts repeat positions.
    n_parts_ : int
        Number of parts.
    dropped_columns_ : list of list
        For each member, the columns entirely missing in its part, left out
        of its fit (and missing in its samples).
    part_values_ : list or None
        With ``partition="column"``: the value of ``partition_column`` in
        each part (None for missing values); None otherwise.
    validation_indices_ : ndarray
        Positions of the held-out rows (empty unless
        ``weighting="validation"``).
    weights_ : ndarray of shape (n_members,)
        Mixture weights, non-negative, summing to 1.
    member_scores_ : ndarray of shape (n_members,)
        With ``weighting="validation"``: each member's validation score alone.
    selection_scores_ : ndarray
        With ``weighting="validation"``: the mixture's validation score after
        each selection round (increasing).
    selection_time_ : float
        With ``weighting="validation"``: seconds spent selecting the weights.
    summary_ : DataFrame
        One row per member: ``member``, ``synthesizer``, ``part``,
        ``n_rows``, ``fit_time`` (seconds), ``weight`` and, with
        ``weighting="validation"``, ``validation_score``.
    {copies_attributes}
    {features_in}

    See Also
    --------
    skl_synth.synthesizers.GANSynthesizer : A conditional GAN.
    skl_synth.synthesizers.VAESynthesizer : A conditional VAE.

    Examples
    --------
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.ensemble import EnsembleSynthesizer
    >>> from skl_synth.synthesizers import (
    ...     GaussianCopulaSynthesizer, VAESynthesizer)
    >>> data = load_student_placements()
    >>> ensemble = EnsembleSynthesizer(
    ...     [("copula", GaussianCopulaSynthesizer()),
    ...      ("vae", VAESynthesizer(epochs=5))],
    ...     partition="column", partition_column="placed",
    ...     weighting="size", random_state=0,
    ... ).fit(data)
    >>> [name for name, _ in ensemble.members_]
    ['copula_0', 'copula_1', 'vae_0', 'vae_1']
    >>> ensemble.part_values_, ensemble.weights_.round(2)
    ([False, True], array([0.16, 0.34, 0.16, 0.34]))
    >>> synthetic = ensemble.sample(100, conditions={{"placed": False}})
    >>> synthetic.shape, bool((~synthetic["placed"]).all())
    ((100, 16), True)
    """

    _continuous_encoding = "standard"
    _parameter_constraints: dict = {
        "synthesizers": [list, None],
        "partition": [StrOptions({"none", "bootstrap", "kfold", "cluster", "column"})],
        "n_partitions": [Interval(Integral, 1, None, closed="left")],
        "partition_column": "no_validation",
        "weighting": [StrOptions({"uniform", "size", "validation"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "discrete_columns": ["array-like", None],
        "reject_copies": ["boolean"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        synthesizers=None,
        *,
        partition="bootstrap",
        n_partitions=5,
        partition_column=None,
        weighting="validation",
        validation_fraction=0.2,
        discrete_columns=None,
        reject_copies=False,
        n_jobs=None,
        verbose=0,
        random_state=None,
    ):
        self.synthesizers = synthesizers
        self.partition = partition
        self.n_partitions = n_partitions
        self.partition_column = partition_column
        self.weighting = weighting
        self.validation_fraction = validation_fraction
        self.discrete_columns = discrete_columns
        self.reject_copies = reject_copies
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.random_state = random_state

    def get_params(self, deep=True):
        """Get the parameters, with the synthesizers' as ``name__param``.

        Parameters
        ----------
        deep : bool, default=True
            Whether to include the listed synthesizers and their parameters.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return self._get_params("synthesizers", deep=deep)

    def set_params(self, **params):
        """Set parameters, including the synthesizers' (``gan__epochs=10``).

        Parameters
        ----------
        **params : keyword arguments
            Ensemble parameters, ``name=estimator`` to replace a listed
            synthesizer, or ``name__param=value``.

        Returns
        -------
        self : EnsembleSynthesizer
            This ensemble.
        """
        if self.synthesizers is None and any(
            key.partition("__")[0] in _DEFAULT_NAMES for key in params
        ):
            self.synthesizers = _default_synthesizers()
        return self._set_params("synthesizers", **params)

    def sample(self, n_samples, *, conditions=None):
        """Generate ``n_samples`` rows, each drawn from one member.

        Parameters
        ----------
        n_samples : int
            Number of rows to generate.
        conditions : dict or DataFrame, default=None
            Values that generated rows must take, on discrete columns: a dict
            ``{column: value}`` for every row, or a DataFrame with one row of
            conditions per generated row (a missing cell leaves that row
            free). Only members that saw a value generate rows asking for it.

        Returns
        -------
        X_synthetic : DataFrame or ndarray of shape (n_samples, n_features)
            The container type, columns and dtypes seen during fit.
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        ConditionPlan.from_conditions(self.encoder_, n_samples, conditions)
        if isinstance(conditions, pd.DataFrame):
            conditions = conditions.reset_index(drop=True)
        return self._sample_without_copies(n_samples, conditions)

    def _sample_table(self, n_samples, conditions, seed):
        rng = np.random.RandomState(seed)
        chosen = self._choose_members(n_samples, conditions, rng)
        seeds = rng.randint(_SEED_MAX, size=len(self.members_))
        tables, positions = [], []
        for j in np.unique(chosen):
            rows = np.flatnonzero(chosen == j)
            asked = _restrict(conditions, rows, self._member_columns(j))
            tables.append(self._member_sample(j, len(rows), asked, seeds[j]))
            positions.append(rows)
        order = np.argsort(np.concatenate(positions))
        table = pd.concat(tables, ignore_index=True).iloc[order]
        table = table.reset_index(drop=True)
        if self._array_dtype is None:
            return table
        return table.to_numpy().astype(self._array_dtype, copy=False)

    # ------------------------------------------------------------------
    # fit

    def _check_params(self):
        if self.partition == "kfold" and self.n_partitions < 2:
            raise ValueError(
                f"partition='kfold' needs n_partitions >= 2; got {self.n_partitions}."
                " Use partition='none' for members on all rows."
            )

    def _fit_encoded(self, X, encoded, rng):
        synthesizers = self._checked_synthesizers()
        # Members learn DataFrames (ndarray columns become labels 0, 1, ...),
        # so that columns can be left out by name.
        frame = self.encoder_._check_input(X, reset=False)
        self._array_dtype = (
            None if isinstance(X, pd.DataFrame) else frame.dtypes.iloc[0]
        )
        held, train = self._hold_out(len(frame), rng)
        self.validation_indices_ = held
        self.parts_, self.part_values_ = self._partition(frame, encoded, train, rng)
        self.n_parts_ = len(self.parts_)
        self._check_parts()
        fit_times = self._fit_members(frame, synthesizers, rng)
        weights = self._weights(frame, rng)
        self.weights_ = weights / weights.sum()
        self.summary_ = pd.DataFrame(
            {
                "member": [name for name, _ in self.members_],
                "synthesizer": [name for name, _ in synthesizers for _ in self.parts_],
                "part": self.member_parts_,
                "n_rows": [len(self.parts_[p]) for p in self.member_parts_],
                "fit_time": fit_times,
                "weight": self.weights_,
            }
        )
        if self.weighting == "validation":
            self.summary_["validation_score"] = self.member_scores_

    def _checked_synthesizers(self):
        synthesizers = self.synthesizers
        if synthesizers is None:
            return _default_synthesizers()
        if not synthesizers:
            raise ValueError(
                "synthesizers is an empty list; pass (name, synthesizer) pairs, "
                "or None for a GAN and a VAE."
            )
        if not all(isinstance(s, tuple | list) and len(s) == 2 for s in synthesizers):
            raise TypeError(
                "synthesizers must be a list of (name, synthesizer) pairs; got "
                f"{_preview(synthesizers)}."
            )
        self._validate_names([name for name, _ in synthesizers])
        for name, estimator in synthesizers:
            if isinstance(estimator, type) or not hasattr(estimator, "sample"):
                raise TypeError(
                    f"synthesizer {name!r} must be a synthesizer instance with fit "
                    f"and sample methods; got {estimator!r}."
                )
        return list(synthesizers)

    def _hold_out(self, n_rows, rng):
        """Positions of the held-out and of the training rows."""
        n_held = 0
        if self.weighting == "validation":
            n_held = max(2, round(self.validation_fraction * n_rows))
        per_part = 2 * (self.n_partitions if self.partition == "kfold" else 1)
        if n_rows < n_held + per_part:
            raise ValueError(
                f"EnsembleSynthesizer(partition={self.partition!r}, weighting="
                f"{self.weighting!r}) needs at least {n_held + per_part} rows "
                f"({n_held} held out, 2 per part); got n_samples = {n_rows}."
            )
        if not n_held:
            return np.array([], dtype=np.intp), np.arange(n_rows)
        order = rng.permutation(n_rows)
        return np.sort(order[:n_held]), np.sort(order[n_held:])

    def _partition(self, frame, encoded, train, rng):
        """The parts (row positions) and, for ``"column"``, their values."""
        k = self.n_partitions
        if self.partition == "none":
            return [train] * k, None
        if self.partition == "bootstrap":
            return [np.sort(rng.choice(train, size=len(train))) for _ in range(k)], None
        if self.partition == "kfold":
            folds = KFold(k, shuffle=True, random_state=rng.randint(_SEED_MAX))
            return [np.sort(train[test]) for _, test in folds.split(train)], None
        if self.partition == "cluster":
            seed = rng.randint(_SEED_MAX)
            observed = frame.iloc[train].notna().any(axis=1).to_numpy()
            return _cluster_parts(encoded[train], train, k, seed, observed), None
        return self._column_parts(frame, train)

    def _column_parts(self, frame, train):
        column = self.partition_column
        if column is None:
            raise ValueError(
                "partition='column' needs partition_column: the discrete column "
                "whose values define the parts, such as the class."
            )
        schemas = {schema.name: schema for schema in self.encoder_.schema_}
        if column not in schemas:
            raise ValueError(
                f"partition_column {column!r} is not a column of X; the columns "
                f"are {_preview(schemas)}."
            )
        schema = schemas[column]
        if not schema.is_discrete:
            raise ValueError(
                f"partition_column {column!r} is a {schema.kind} column; it must "
                "be discrete. List it in discrete_columns if it holds a few codes."
            )
        codes = column_to_codes(frame[column], schema)[train]
        present = [c for c in range(len(schema.categories)) if (codes == c).any()]
        parts = [train[codes == c] for c in present]
        values = [schema.categories[c] for c in present]
        if (codes < 0).any():
            parts.append(train[codes < 0])
            values.append(None)
        return parts, values

    def _check_parts(self):
        for i, part in enumerate(self.parts_):
            if len(part) >= 2:
                continue
            where = f"part {i}"
            advice = "Pass more rows or lower n_partitions."
            if self.part_values_ is not None:
                where += f" ({self.partition_column}={self.part_values_[i]!r})"
                advice = (
                    f"Merge the rare values of {self.partition_column!r} before "
                    "fitting, or use another partition."
                )
            raise ValueError(
                f"{where} of partition={self.partition!r} has {len(part)} training "
                f"row(s); every member needs at least 2. {advice}"
            )

    def _fit_members(self, frame, synthesizers, rng):
        from tqdm.auto import tqdm

        missing = frame.isna().to_numpy()
        self._missing_cells = {  # one missing cell per column, dtype and all
            c: frame[c].iloc[[np.argmax(missing[:, i])]].reset_index(drop=True)
            for i, c in enumerate(frame.columns)
            if missing[:, i].any()
        }
        empty = [list(frame.columns[missing[p].all(axis=0)]) for p in self.parts_]
        discrete = [s.name for s in self.encoder_.schema_ if s.is_discrete]
        jobs = [  # (member name, synthesizer name, part, unfitted member)
            (f"{name}_{p}", name, p, _member(estimator, discrete, empty[p], rng))
            for name, estimator in synthesizers
            for p in range(self.n_parts_)
        ]
        results = Parallel(n_jobs=self.n_jobs, return_as="generator")(
            delayed(_fit_member)(
                member,
                frame.iloc[self.parts_[p]].drop(columns=empty[p]),
                f"member {member_name!r} (synthesizer {name!r}, part {p} of "
                f"{self.n_parts_}: {len(self.parts_[p])} rows)",
            )
            for member_name, name, p, member in jobs
        )
        bar = tqdm(results, total=len(jobs), disable=not self.verbose, desc="members")
        fitted = list(bar)
        self.members_ = [(job[0], f[0]) for job, f in zip(jobs, fitted, strict=True)]
        self.member_parts_ = np.array([job[2] for job in jobs], dtype=np.intp)
        self.dropped_columns_ = [empty[job[2]] for job in jobs]
        return [f[1] for f in fitted]

    def _weights(self, frame, rng):
        if self.weighting == "uniform":
            return np.ones(len(self.members_))
        if self.weighting == "size":
            return np.array([len(self.parts_[p]) for p in self.member_parts_], float)
        start = time.perf_counter()
        counts = self._select(frame, rng)
        self.selection_time_ = time.perf_counter() - start
        return counts.astype(float)

    def _select(self, frame, rng):
        """Greedy ensemble selection with replacement (Caruana et al., 2004)."""
        from tqdm.auto import tqdm

        held = self.validation_indices_
        if len(held) > _SELECTION_MAX_ROWS:
            held = np.sort(rng.choice(held, _SELECTION_MAX_ROWS, replace=False))
        real = frame.iloc[held].reset_index(drop=True)
        pools = [
            self._member_sample(j, len(real), None, rng.randint(_SEED_MAX))
            for j in range(len(self.members_))
        ]
        scores = {}  # by the number of rows taken from each pool

        def score(counts):
            taken = tuple(_allocate(len(real), counts))
            if taken not in scores:
                mixture = [p.iloc[:k] for p, k in zip(pools, taken, strict=True) if k]
                mixture = pd.concat(mixture, ignore_index=True)
                scores[taken] = self._score_frames(real, mixture)
            return scores[taken]

        n_members = len(self.members_)
        counts, trace = np.zeros(n_members, dtype=np.int64), []
        rounds = tqdm(
            range(_SELECTION_ROUNDS), disable=not self.verbose, desc="selection"
        )
        for _ in rounds:
            added = np.eye(n_members, dtype=np.int64)
            candidates = np.array([score(counts + added[j]) for j in range(n_members)])
            if not trace:
                self.member_scores_ = candidates
            best = int(np.argmax(candidates))
            if trace and candidates[best] <= trace[-1] + _SELECTION_TOLERANCE:
                break
            counts[best] += 1
            trace.append(float(candidates[best]))
        self.selection_scores_ = np.array(trace)
        return counts

    # ------------------------------------------------------------------
    # sample

    def _member_columns(self, j):
        dropped = self.dropped_columns_[j]
        return [s.name for s in self.encoder_.schema_ if s.name not in dropped]

    def _member_sample(self, j, n_samples, conditions, seed):
        """``n_samples`` rows of member ``j`` as a DataFrame with every column."""
        table = _reseeded(self.members_[j][1], seed).sample(
            n_samples, conditions=conditions
        )
        if not isinstance(table, pd.DataFrame):  # a synthesizer fitted on a frame
            table = pd.DataFrame(table, columns=self._member_columns(j))
        if not self.dropped_columns_[j]:
            return table
        every_row = np.zeros(n_samples, dtype=np.intp)
        columns = [
            table[s.name]
            if s.name in table.columns
            else self._missing_cells[s.name].iloc[every_row].reset_index(drop=True)
            for s in self.encoder_.schema_
        ]
        return pd.concat(columns, axis=1)

    def _choose_members(self, n_samples, conditions, rng):
        """The member generating each row, drawn by weight among those able to."""
        eligible = self._eligible(conditions)
        p = eligible * self.weights_
        sizes = np.array([len(self.parts_[i]) for i in self.member_parts_], float)
        unweighted = p.sum(axis=1) == 0
        p[unweighted] = eligible[unweighted] * sizes
        p /= p.sum(axis=1, keepdims=True)
        cumulative = np.cumsum(p, axis=1)
        if len(p) == 1:
            cumulative = np.broadcast_to(cumulative, (n_samples, p.shape[1]))
        chosen = (rng.random_sample(n_samples)[:, None] > cumulative).sum(axis=1)
        last = p.shape[1] - 1 - np.argmax(p[:, ::-1] > 0, axis=1)
        return np.minimum(chosen, last)  # against rounding in the cumulative sum

    def _eligible(self, conditions):
        """Per conditions row and member: can the member honour the row?"""
        if conditions is None:
            return np.ones((1, len(self.members_)), dtype=bool)
        if isinstance(conditions, dict):
            frame = pd.DataFrame({c: [v] for c, v in conditions.items()})
        else:
            frame = conditions
        seen = {c: _seen_by_members(self.members_, frame[c]) for c in frame.columns}
        eligible = np.ones((len(frame), len(self.members_)), dtype=bool)
        for column_seen in seen.values():
            eligible &= column_seen
        stuck = np.flatnonzero(~eligible.any(axis=1))
        if len(stuck):
            i = stuck[0]
            asked = {c: v for c, v in frame.iloc[i].items() if not pd.isna(v)}
            unseen = [f"{c}={v!r}" for c, v in asked.items() if not seen[c][i].any()]
            what = ", ".join(unseen) if unseen else f"{asked} together"
            raise ValueError(
                f"conditions row {i}: no member of the ensemble saw {what} in its "
                "training part, so none can generate it. Condition on fewer "
                "columns, or use a partition whose parts hold every value (e.g. "
                "'bootstrap')."
            )
        return eligible


def _cluster_parts(points, rows, n_clusters, seed, observed):
    """K-means parts of ``rows``; clusters below the minimum size are merged.

    So are clusters without any observed value (rows missing in every
    column cluster together): no synthesizer can learn from them.
    ``observed`` marks the points with at least one observed value.
    """
    n_clusters = min(n_clusters, len(points))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # duplicated points
        kmeans = KMeans(n_clusters, n_init="auto", random_state=seed).fit(points)
    centers = kmeans.cluster_centers_.astype(np.float64)
    labels = kmeans.labels_
    groups = {c: np.flatnonzero(labels == c) for c in np.unique(labels)}
    minimum = max(2, int(np.ceil(_MIN_CLUSTER_SHARE * len(points) / n_clusters)))
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
    return [np.sort(rows[group]) for group in groups.values()]


def _member(estimator, discrete, dropped, rng):
    """An unfitted member: a clone with its own seed and the shared column kinds."""
    member = clone(estimator)
    params = member.get_params(deep=False)
    if "random_state" in params:
        member.set_params(random_state=int(rng.randint(_SEED_MAX)))
    if "discrete_columns" in params and params["discrete_columns"] is None:
        member.set_params(discrete_columns=[c for c in discrete if c not in dropped])
    return member


def _fit_member(member, X, description):
    """Fit one member (runs in a joblib worker); name it in any error."""
    start = time.perf_counter()
    try:
        member.fit(X)
    except Exception as error:
        raise ValueError(
            f"{description} failed to fit: {type(error).__name__}: {error}"
        ) from error
    return member, time.perf_counter() - start


def _reseeded(member, seed):
    """The fitted ``member`` sampling with ``seed``, sharing its fitted state.

    A shallow copy (the ``__dict__`` is shared, nothing is pickled or copied)
    with ``random_state=seed``, so that each ensemble ``sample`` call gets
    fresh member samples (fixed ones for an int ``random_state``).
    """
    if "random_state" not in member.get_params(deep=False):
        return member
    reseeded = object.__new__(type(member))
    reseeded.__dict__.update(member.__dict__)
    reseeded.random_state = int(seed)
    return reseeded


def _seen_by_members(members, values):
    """Per value and member: was the value (or a missing cell) seen in its part?"""
    seen = np.ones((len(values), len(members)), dtype=bool)
    asked = values.notna().to_numpy()
    for j, (_, member) in enumerate(members):
        encoder = getattr(member, "encoder_", None)
        if encoder is None:  # not a BaseSynthesizer: let it decide
            continue
        schema = next((s for s in encoder.schema_ if s.name == values.name), None)
        if schema is None or not schema.is_discrete:
            seen[asked, j] = False
        else:
            seen[:, j] = column_to_codes(values.astype(object), schema) != -2
    return seen


def _restrict(conditions, rows, columns):
    """The conditions of ``rows`` on the columns a member has (None if none)."""
    if conditions is None:
        return None
    columns = set(columns)
    if isinstance(conditions, dict):
        return {c: v for c, v in conditions.items() if c in columns} or None
    asked = conditions.iloc[rows].reset_index(drop=True)
    asked = asked[[c for c in asked.columns if c in columns]]
    return asked if asked.shape[1] else None


def _allocate(n_rows, counts):
    """Split ``n_rows`` in proportion to ``counts`` (largest remainders)."""
    quota = n_rows * counts / counts.sum()
    taken = np.floor(quota).astype(np.int64)
    extra = np.argsort(-(quota - taken), kind="stable")[: n_rows - taken.sum()]
    taken[extra] += 1
    return taken
