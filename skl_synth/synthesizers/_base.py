"""BaseSynthesizer: the template every synthesizer follows.

``fit`` validates and encodes the table with a
:class:`~skl_synth.preprocessing.TabularEncoder`, then calls the hook
``_fit_encoded``; ``sample`` plans the conditions (:mod:`._conditions`) and
calls ``_sample_table``, which by default calls the hook ``_sample_encoded``
and decodes. docs/architecture.rst tables which class overrides which hook.
The neural synthesizers share :class:`._deep.DeepSynthesizer`.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils.validation import check_is_fitted

from ..metrics import metadata_from_schema, synthesis_score
from ..preprocessing import TabularEncoder
from ..utils._docstrings import fill_doc
from ..utils._random import SEED_MAX, local_random_state
from ..utils._validation import check_positive_int
from ._conditions import ConditionPlan
from ._streaming import chunks, dask_frame, write_parquet

_COPY_ROUNDS = 10  # rounds redrawing the rows that copy a training row


class BaseSynthesizer(BaseEstimator, metaclass=ABCMeta):
    """Base class of synthesizers: ``fit``, ``sample`` and ``score``.

    Subclasses implement two hooks on the float32 matrix laid out as
    ``self.encoder_.layout_``: ``_fit_encoded(X, encoded, rng)`` and
    ``_sample_encoded(n_samples, plan, seed)``; everything about
    containers, dtypes, validation and conditions is done here.
    ``plan.slots`` maps each conditioned column to the one-hot slot every
    row must take (-1: free); the conditioned cells are also set exactly
    after decoding. A synthesizer that makes its rows another way (column
    by column, or from other synthesizers) also overrides
    ``_sample_table(n_samples, plan, seed)``, which decodes
    ``_sample_encoded``'s rows by default.

    The parameters every synthesizer has are declared here with their
    constraints, which subclasses extend (``{**BaseSynthesizer.
    _parameter_constraints, ...}``); a subclass whose ``__init__`` does not
    take ``column_kinds`` or ``reject_copies`` gets their defaults.

    See Also
    --------
    skl_synth.utils.estimator_checks.check_synthesizer : The contract checks.

    Examples
    --------
    A (privacy-free) synthesizer that resamples training rows:

    >>> import numpy as np
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.synthesizers import BaseSynthesizer
    >>> class Bootstrap(BaseSynthesizer):
    ...     _parameter_constraints = {
    ...         "discrete_columns": ["array-like", None],
    ...         "random_state": ["random_state"],
    ...     }
    ...
    ...     def __init__(self, *, discrete_columns=None, random_state=None):
    ...         self.discrete_columns = discrete_columns
    ...         self.random_state = random_state
    ...
    ...     def _fit_encoded(self, X, encoded, rng):
    ...         self.rows_ = encoded
    ...
    ...     def _sample_encoded(self, n_samples, plan, seed):
    ...         rng = np.random.RandomState(seed)
    ...         return self.rows_[rng.randint(len(self.rows_), size=n_samples)]
    >>> data = load_student_placements()
    >>> model = Bootstrap(random_state=0).fit(data)
    >>> sample = model.sample(4, conditions={"gender": "F"})
    >>> sample.shape, list(sample["gender"])
    ((4, 16), ['F', 'F', 'F', 'F'])
    """

    # TabularEncoder.continuous_encoding used by this synthesizer
    _continuous_encoding = "mode_specific"
    _parameter_constraints: dict = {
        "discrete_columns": ["array-like", None],
        "column_kinds": [dict, None],
        "reject_copies": ["boolean"],
        "random_state": ["random_state"],
    }
    # the shared parameters' defaults, for subclasses that do not take them
    column_kinds = None
    reject_copies = False

    @abstractmethod
    def _fit_encoded(self, X, encoded, rng):
        """Learn from ``encoded`` (the rows of ``X`` laid out as
        ``encoder_.layout_``), drawing any randomness from ``rng``."""

    @abstractmethod
    def _sample_encoded(self, n_samples, plan, seed):
        """``n_samples`` encoded rows that honour ``plan``'s slots, from ``seed``."""

    @_fit_context(prefer_skip_nested_validation=True)
    @fill_doc
    def fit(self, X, y=None):
        """Fit the synthesizer on the rows of ``X``.

        Parameters
        ----------
        {fit_table}

        Returns
        -------
        self : object
            The fitted synthesizer.
        """
        return self._fit_checked(X)

    def _fit_checked(self, X, **training):
        """``fit``'s body (``fit`` validates the parameters, with
        ``_fit_context``), passing ``training`` on to ``_fit_encoded``.

        ``training`` holds the keyword arguments that only some synthesizers
        take (the deep ones' ``time_limit`` and ``progress_label``).
        """
        self._check_params()
        try:
            self._fit(X, training)
        except Exception:
            self._forget_fit()  # a failed fit leaves nothing half-trained
            raise
        return self

    def _fit(self, X, training):
        rng = local_random_state(self.random_state)
        self.encoder_ = TabularEncoder(
            discrete_columns=self.discrete_columns,
            column_kinds=self.column_kinds,
            continuous_encoding=self._encoding(),
            random_state=rng.randint(SEED_MAX),
        ).fit(X)
        self.n_features_in_ = self.encoder_.n_features_in_
        if hasattr(self.encoder_, "feature_names_in_"):
            self.feature_names_in_ = self.encoder_.feature_names_in_
        encoded = self.encoder_.transform(X)
        self._copy_hashes = None
        if self.reject_copies:
            decoded = self.encoder_.inverse_transform(encoded)
            self._copy_hashes = np.union1d(
                row_hashes(self._without_identifiers(X)),
                row_hashes(self._without_identifiers(decoded)),
            )
            self.n_copies_rejected_ = 0
            del decoded
        self._fit_encoded(X, encoded, rng, **training)

    def _encoding(self):
        """The ``continuous_encoding`` of this synthesizer's TabularEncoder."""
        return self._continuous_encoding

    def _forget_fit(self):
        """Remove the fitted attributes: ``check_is_fitted`` fails again."""
        for name in [n for n in vars(self) if n.endswith("_") and n[:2] != "__"]:
            delattr(self, name)

    def sample(self, n_samples, *, conditions=None):
        """Generate ``n_samples`` rows like the training table.

        Parameters
        ----------
        n_samples : int
            Number of rows to generate.
        conditions : dict or DataFrame, default=None
            Values that generated rows must take, on discrete columns: a dict
            ``{column: value}`` for every row, or a DataFrame with one row of
            conditions per generated row (``n_samples`` rows; a missing cell
            leaves that row free in that column). Generated rows satisfy them
            exactly.

        Returns
        -------
        X_synthetic : DataFrame or ndarray of shape (n_samples, n_features)
            The container type, columns and dtypes seen during fit.
        """
        check_is_fitted(self)
        n_samples = check_positive_int(n_samples, "n_samples")
        return self._sample_rows(n_samples, conditions)

    def _sample_table(self, n_samples, plan, seed):
        """``n_samples`` decoded rows that satisfy the conditions of ``plan``."""
        encoded = self._sample_encoded(n_samples, plan, seed)
        decoded = self.encoder_.decode(encoded, np.random.RandomState(seed))
        return plan.enforce(decoded)

    def _sample_rows(self, n_samples, conditions, seed=None, offset=None):
        """The one sampling path: plan, sample, redraw copies, fresh identifiers.

        The conditions are checked and planned once, here. With
        ``reject_copies``, rows equal to a training row are redrawn with
        their own conditions, in up to :data:`_COPY_ROUNDS` rounds;
        ``n_copies_rejected_`` counts them. ``seed`` defaults to this call's
        (:meth:`_sampling_seed`); ``offset`` places the rows in a larger
        sample (see :meth:`_fresh_identifiers`).
        """
        if seed is None:
            seed = self._sampling_seed()
        plan = ConditionPlan.from_conditions(self.encoder_, n_samples, conditions)
        table = self._sample_table(n_samples, plan, seed)
        hashes = self._copy_hashes
        if hashes is None:
            return self._fresh_identifiers(table, seed, offset)
        rng = np.random.RandomState(seed)
        copies = np.isin(row_hashes(self._without_identifiers(table)), hashes)
        self.n_copies_rejected_ = int(copies.sum())
        for _ in range(_COPY_ROUNDS):
            if not copies.any():
                return table
            rows = np.flatnonzero(copies)
            new = self._sample_table(
                len(rows), plan.of_rows(rows), rng.randint(SEED_MAX)
            )
            table = _replace_rows(table, rows, new)
            copies[rows] = np.isin(row_hashes(self._without_identifiers(new)), hashes)
            self.n_copies_rejected_ += int(copies.sum())
        if copies.any():
            raise ValueError(
                f"{type(self).__name__}(reject_copies=True): after {_COPY_ROUNDS} "
                f"rounds, {int(copies.sum())} of {n_samples} generated rows still "
                "copy a training row; this table (or these conditions) leaves few "
                "rows that are not training rows. Set reject_copies=False."
            )
        return self._fresh_identifiers(table, seed, offset)

    def _identifiers(self):
        """Positions and codecs of the identifier columns."""
        return [
            (j, codec)
            for j, codec in enumerate(self.encoder_.column_codecs_)
            if codec.schema.kind == "identifier"
        ]

    def _without_identifiers(self, table):
        """``table`` without its identifier columns: what a copy is made of."""
        drop = [j for j, _ in self._identifiers()]
        if not drop:
            return table
        keep = np.setdiff1d(np.arange(table.shape[1]), drop)
        return (
            table.iloc[:, keep] if isinstance(table, pd.DataFrame) else table[:, keep]
        )

    def _fresh_identifiers(self, table, seed, offset=None):
        """``table`` with new identifiers for the whole sample: unique over
        all its rows (rows redrawn by ``reject_copies`` included). With an
        ``offset`` (the chunks of :meth:`sample_to_parquet`), numbered
        identifiers come from a block of their own, so that chunks never
        share one."""
        identifiers = self._identifiers()
        if not identifiers:
            return table
        rng = np.random.RandomState(seed)
        for j, codec in identifiers:
            fresh = codec.fresh(len(table), rng, offset)
            if isinstance(table, pd.DataFrame):
                table[table.columns[j]] = fresh.set_axis(table.index)
            else:
                table[:, j] = fresh.to_numpy().astype(table.dtype)
        return table

    def sample_to_parquet(
        self,
        path,
        n_samples,
        *,
        chunk_size=100_000,
        conditions=None,
        overwrite=False,
        verbose=False,
    ):
        """Write ``n_samples`` generated rows to a Parquet file, chunk by chunk.

        Peak memory is that of one chunk: each is sampled, converted with
        pyarrow and written as a row group before the next. The file has the
        columns and dtypes of :meth:`sample` (string column names), and is
        the same for the same ``random_state``. It is written under a
        temporary name and renamed when complete, so an interrupted call
        leaves no file that looks whole.

        Parameters
        ----------
        path : str or path-like
            The file to write, in an existing folder.
        n_samples : int
            Number of rows to generate.
        chunk_size : int, default=100_000
            Rows generated and written at a time.
        conditions : dict, default=None
            Values every generated row takes, on discrete columns.
        overwrite : bool, default=False
            Whether to replace an existing file.
        verbose : bool, default=False
            Show a progress bar over the chunks.

        Returns
        -------
        path : pathlib.Path
            The file written.

        Examples
        --------
        >>> import os, tempfile
        >>> import pandas as pd
        >>> from skl_synth.datasets import load_student_placements
        >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
        >>> data = load_student_placements()
        >>> model = GaussianCopulaSynthesizer(random_state=0).fit(data)
        >>> path = os.path.join(tempfile.mkdtemp(), "rows.parquet")
        >>> _ = model.sample_to_parquet(path, 2_500, chunk_size=1_000)
        >>> rows = pd.read_parquet(path)
        >>> rows.shape, rows.dtypes.equals(model.sample(1).dtypes)
        ((2500, 16), True)
        """
        check_is_fitted(self)
        n_samples = check_positive_int(n_samples, "n_samples")
        parts = self._chunks(n_samples, check_positive_int(chunk_size, "chunk_size"))
        return write_parquet(self, path, parts, conditions, overwrite, verbose)

    def to_dask(self, n_samples, npartitions=None, *, conditions=None):
        """A dask DataFrame of ``n_samples`` rows, generated where it is computed.

        Each partition is sampled by the worker that computes it, with its
        own seed drawn from this synthesizer's (so the result is fixed for
        an int ``random_state``); the synthesizer is shipped to the workers
        once. Columns keep the dtypes of :meth:`sample` (object strings are
        not converted to pyarrow strings). Needs dask
        (``pip install "skl-synth[dask]"``).

        Parameters
        ----------
        n_samples : int
            Number of rows in all.
        npartitions : int, default=None
            Number of partitions; ``None`` makes partitions of about 100 000
            rows.
        conditions : dict, default=None
            Values every generated row takes, on discrete columns.

        Returns
        -------
        frame : dask.dataframe.DataFrame
            With the columns and dtypes of :meth:`sample` (string column
            names for a synthesizer fitted on an array).

        Examples
        --------
        >>> from skl_synth.datasets import load_student_placements
        >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
        >>> model = GaussianCopulaSynthesizer(random_state=0)
        >>> rows = model.fit(load_student_placements()).to_dask(1_000, 4)
        >>> rows.npartitions, len(rows.compute())
        (4, 1000)
        """
        check_is_fitted(self)
        n_samples = check_positive_int(n_samples, "n_samples")
        if npartitions is None:
            chunk_size = 100_000
        else:
            npartitions = check_positive_int(npartitions, "npartitions")
            chunk_size = max(1, -(-n_samples // npartitions))
        return dask_frame(self, self._chunks(n_samples, chunk_size), conditions)

    def _chunks(self, n_samples, chunk_size):
        """``(rows, seed, offset)`` of each part of a sample of ``n_samples``
        (both arguments checked by the caller)."""
        return chunks(n_samples, chunk_size, self._sampling_seed())

    def _chunk(self, n_rows, conditions, seed, offset):
        """One part of a sample, as a DataFrame with string column names."""
        if conditions is not None and not isinstance(conditions, dict):
            raise TypeError(
                "conditions must be a dict {column: value} when sampling in parts; "
                f"got {type(conditions).__name__}."
            )
        table = self._sample_rows(n_rows, conditions, seed, offset)
        frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
        return frame.set_axis([str(c) for c in frame.columns], axis=1)

    def score(self, X, y=None):
        """Score a fresh sample of ``len(X)`` rows against real rows ``X``.

        The score is :func:`skl_synth.metrics.synthesis_score`: the mean of
        sdmetrics' QualityReport score and of a random-forest detection
        score. Higher is better, so ``GridSearchCV`` can tune synthesizers
        without ``scoring=``. Pass rows not used for fitting.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Held-out real rows with the columns seen during fit.
        y : None
            Ignored.

        Returns
        -------
        score : float
            In [0, 1]; about 0.9 for a second sample of the real data.
        """
        check_is_fitted(self)
        real = self.encoder_.check_frame(X)
        synthetic = self.sample(len(real))
        return self._score_frames(real, synthetic)

    def _score_frames(self, real, synthetic, score=synthesis_score):
        if not isinstance(synthetic, pd.DataFrame):
            synthetic = pd.DataFrame(synthetic, columns=real.columns)
        metadata = metadata_from_schema(self.encoder_.schema_)
        return score(real, synthetic, metadata=metadata, random_state=0)

    def _sampling_seed(self):
        """A seed for one ``sample`` call: fixed for an int ``random_state``."""
        return int(local_random_state(self.random_state).randint(SEED_MAX))

    def _check_params(self):
        """Cross-parameter checks beyond ``_parameter_constraints``."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.non_deterministic = self.random_state is None
        return tags


def row_hashes(table):
    """One 64-bit hash per row of a table (DataFrame or array), index ignored."""
    frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def _replace_rows(table, rows, new):
    """``table`` with the rows at positions ``rows`` replaced by ``new``'s."""
    if not isinstance(table, pd.DataFrame):
        table[rows] = new
        return table
    kept = np.setdiff1d(np.arange(len(table)), rows)
    merged = pd.concat([table.iloc[kept], new.set_axis(rows)]).sort_index()
    return merged.reset_index(drop=True)
