"""BaseSynthesizer: the template every synthesizer follows.

``fit`` validates and encodes the table with a
:class:`~skl_synth.preprocessing.TabularEncoder`, then calls ``_fit_encoded``;
``sample`` plans the conditions (:mod:`._conditions`), calls
``_sample_encoded`` and decodes; a new synthesizer implements those two
methods. The neural synthesizers share :class:`._deep.DeepSynthesizer`.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..metrics import metadata_from_schema, synthesis_score
from ..preprocessing import TabularEncoder
from ..utils._random import SEED_MAX, local_random_state
from ._conditions import ConditionPlan
from ._streaming import _StreamingMixin

_COPY_ROUNDS = 10  # rounds redrawing the rows that copy a training row


class BaseSynthesizer(_StreamingMixin, BaseEstimator):
    """Base class of synthesizers: ``fit``, ``sample`` and ``score``.

    Subclasses implement ``_fit_encoded(X, encoded, rng)`` and
    ``_sample_encoded(n_samples, plan, seed)`` on the float32 matrix laid out
    as ``self.encoder_.layout_``; everything about containers, dtypes,
    validation and conditions is done here. ``plan.slots`` maps each
    conditioned column to the one-hot slot every row must take (-1: free);
    the conditioned cells are also set exactly after decoding.

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

    def fit(self, X, y=None):
        """Fit the synthesizer on the rows of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The table to learn: any mix of numeric, boolean, categorical,
            string and datetime columns, with missing values.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted synthesizer.
        """
        self._validate_params()
        self._check_params()
        try:
            self._fit(X)
        except Exception:
            self._forget_fit()  # a failed fit leaves nothing half-trained
            raise
        return self

    def _fit(self, X):
        rng = local_random_state(self.random_state)
        self.encoder_ = TabularEncoder(
            discrete_columns=self.discrete_columns,
            column_kinds=getattr(self, "column_kinds", None),
            continuous_encoding=self._encoding(),
            random_state=rng.randint(SEED_MAX),
        ).fit(X)
        self.n_features_in_ = self.encoder_.n_features_in_
        if hasattr(self.encoder_, "feature_names_in_"):
            self.feature_names_in_ = self.encoder_.feature_names_in_
        encoded = self.encoder_.transform(X)
        self._copy_hashes = None
        if getattr(self, "reject_copies", False):
            decoded = self.encoder_.inverse_transform(encoded)
            self._copy_hashes = np.union1d(
                row_hashes(self._learned(X)), row_hashes(self._learned(decoded))
            )
            self.n_copies_rejected_ = 0
            del decoded
        self._fit_encoded(X, encoded, rng)

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
        n_samples = check_n_samples(n_samples)
        return self._sample_without_copies(n_samples, conditions)

    def _sample_table(self, n_samples, conditions, seed):
        """``n_samples`` decoded rows that satisfy ``conditions``."""
        plan = ConditionPlan.from_conditions(self.encoder_, n_samples, conditions)
        encoded = self._sample_encoded(n_samples, plan, seed)
        decoded = self.encoder_._decode(encoded, np.random.RandomState(seed))
        return plan.enforce(decoded)

    def _sample_without_copies(self, n_samples, conditions, seed=None, offset=None):
        """Sample; with ``reject_copies``, redraw rows equal to a training row.

        Rejected rows are redrawn with their own conditions, in up to
        :data:`_COPY_ROUNDS` rounds; ``n_copies_rejected_`` counts them.
        ``seed`` defaults to this call's (:meth:`_sampling_seed`); ``offset``
        places the rows in a larger sample (see :meth:`_fresh_identifiers`).
        """
        if seed is None:
            seed = self._sampling_seed()
        table = self._sample_table(n_samples, conditions, seed)
        hashes = getattr(self, "_copy_hashes", None)
        if hashes is None:
            return self._fresh_identifiers(table, seed, offset)
        rng = np.random.RandomState(seed)
        copies = np.isin(row_hashes(self._learned(table)), hashes)
        self.n_copies_rejected_ = int(copies.sum())
        for _ in range(_COPY_ROUNDS):
            if not copies.any():
                return table
            rows = np.flatnonzero(copies)
            asked = conditions
            if isinstance(conditions, pd.DataFrame):
                asked = conditions.iloc[rows].reset_index(drop=True)
            new = self._sample_table(len(rows), asked, rng.randint(SEED_MAX))
            table = _replace_rows(table, rows, new)
            copies[rows] = np.isin(row_hashes(self._learned(new)), hashes)
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

    def _learned(self, table):
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
        real = self.encoder_._check_input(X, reset=False)
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


def check_n_samples(n_samples):
    """``n_samples`` as an int, or a ValueError if it is not a positive integer."""
    integer = isinstance(n_samples, Integral) and not isinstance(n_samples, bool)
    if not integer or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
    return int(n_samples)
