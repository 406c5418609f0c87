"""Generation for the samplers: conditional and per-class draws, the filter.

The private machinery behind :mod:`skl_synth.over_sampling`: fitting a
synthesizer with the class as a condition or per class, drawing exactly the
rows asked for through an optional classifier filter, the jittered
duplication of classes too small to learn from, and
``GenerativeSamplerMixin``, what the samplers share (validation, generation,
fallback).
"""

from __future__ import annotations

import warnings
from functools import partial
from numbers import Integral

import numpy as np
import pandas as pd
from imblearn.utils import check_target_type
from joblib import Parallel, delayed
from scipy import sparse
from sklearn import config_context
from sklearn.base import clone
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    validate_data,
)

from ..utils._random import SEED_MAX, local_random_state
from ._filter import fit_filter
from ._interpolation import interpolate_rows
from ._keys import (
    _check_not_identifier,
    _with_fresh_keys,
    for_columns,
    identifier_columns,
)

MIN_CLASS_ROWS = 6
"""Classes to grow with fewer rows get jittered duplication, not a synthesizer."""

JITTER_SCALE = 0.1
"""Noise of jittered duplication, in standard deviations of each float column."""

FILTER_ROUNDS = 10
"""Sampling rounds to replace the rows rejected by the filter."""

_MAX_DRAW_FACTOR = 10  # a filter round draws at most this many times the need


def _as_frame(X):
    """``X`` as a DataFrame with a RangeIndex (dense columns), not modified."""
    if not isinstance(X, pd.DataFrame):
        return pd.DataFrame(X)
    frame = X.reset_index(drop=True)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.SparseDtype):
            frame[column] = frame[column].sparse.to_dense()
    return frame


def _target_name(columns):
    """A label for the class column that no column of ``X`` has."""
    if all(isinstance(c, str) for c in columns):
        name = "__target__"
        while name in columns:
            name = f"_{name}_"
        return name
    numbers = [c for c in columns if isinstance(c, Integral)]
    return max(numbers, default=-1) + 1


def _seeded_clone(synthesizer, seed):
    """An unfitted clone of ``synthesizer`` seeded by ``seed``.

    The clone gets a ``RandomState`` rather than an int: skl_synth's
    synthesizers then draw a new sampling seed at each ``sample`` call (rows
    differ between the filter's rounds), and remain reproducible.
    """
    model = clone(synthesizer)
    if "random_state" in model.get_params(deep=False):
        model.set_params(random_state=np.random.RandomState(seed))
    return model


def prior_draw(model, rows, n_rows, conditions):
    """``n_rows`` rows sampled from ``model`` (``rows``, the class's, unused)."""
    return model.sample(n_rows, conditions=conditions)


def latent_draw(model, rows, n_rows, conditions, *, k_neighbors):
    """``n_rows`` rows interpolated between neighbouring ``rows`` in latent space."""
    return model.interpolate(
        rows, n_rows, k_neighbors=k_neighbors, conditions=conditions
    )


def _fit_conditional(synthesizer, frame, y, counts, row_filter, seed, draw):
    target = _target_name(frame.columns)
    table = frame.copy(deep=False)
    table[target] = pd.Categorical(y)
    model = _seeded_clone(synthesizer, seed).fit(table)
    copies = _CopyCount(model)

    def sample(label, own, n_rows):
        rows = copies.add(draw(model, own, n_rows, {target: label}))
        return rows.drop(columns=target).reset_index(drop=True)

    results = []
    for c, n in counts.items():
        copies.total = 0
        own = table[y == c].reset_index(drop=True)  # the class's rows, for draw
        drawn = _draw(partial(sample, c, own), n, c, row_filter)
        results.append((model, *drawn, copies.total))
    return results


def _fit_and_draw(synthesizer, rows, n_rows, label, row_filter, seed, draw):
    """Fit a clone on one class's ``rows`` and draw ``n_rows`` rows."""
    model = _seeded_clone(synthesizer, seed)
    empty = [c for c in rows.columns if rows[c].isna().all()]
    if len(empty) == rows.shape[1]:
        raise ValueError(
            f"class {_labels([label])} has only missing values, in every column; "
            "there is nothing to learn from its rows. Use mode='conditional', or "
            "drop the class."
        )
    if empty and model.get_params(deep=False).get("discrete_columns") is not None:
        listed = [c for c in model.discrete_columns if c not in empty]
        model.set_params(discrete_columns=listed)
    learned = rows.drop(columns=empty)
    model.fit(learned)
    copies = _CopyCount(model)

    def sample(n):
        new = copies.add(draw(model, learned, n, None)).reset_index(drop=True)
        for column in empty:  # all missing, with the column's dtype (and tz)
            new[column] = (
                rows[column].iloc[np.zeros(n, dtype=int)].reset_index(drop=True)
            )
        return new[rows.columns]

    drawn = _draw(sample, n_rows, label, row_filter)
    return (model, *drawn, copies.total)


class _CopyCount:
    """Adds up ``n_copies_rejected_`` of a synthesizer over ``sample`` calls."""

    def __init__(self, model):
        self.model, self.total = model, 0

    def add(self, rows):
        self.total += getattr(self.model, "n_copies_rejected_", 0)
        return rows


def _draw(sample, n_rows, label, row_filter):
    """``(rows, n_rejected, n_filled)``: exactly ``n_rows`` rows of ``label``.

    Without a filter, one call of ``sample``. With one, rounds of sampling
    keep the accepted rows, each round sized by the acceptance rate so far;
    a shortfall after :data:`FILTER_ROUNDS` rounds is filled with the
    rejected rows of highest probability (``n_filled`` of them).
    """
    if row_filter is None:
        return sample(n_rows), 0, 0
    kept, rejected, scores = [], [], []
    n_drawn = n_accepted = 0
    n_next = n_rows
    for _ in range(FILTER_ROUNDS):
        rows = sample(n_next)
        proba = row_filter.proba(rows, label)
        accepted = proba >= row_filter.threshold
        kept.append(rows[accepted])
        rejected.append(rows[~accepted])
        scores.append(proba[~accepted])
        n_drawn, n_accepted = n_drawn + n_next, n_accepted + int(accepted.sum())
        if n_accepted >= n_rows:
            break
        rate = max(n_accepted / n_drawn, 1 / _MAX_DRAW_FACTOR)
        n_next = min(
            int(np.ceil(1.2 * (n_rows - n_accepted) / rate)),
            _MAX_DRAW_FACTOR * n_rows,
        )
    n_rejected = sum(len(r) for r in rejected)
    rows = pd.concat(kept, ignore_index=True).iloc[:n_rows]
    n_filled = n_rows - len(rows)
    if n_filled:
        best = np.argsort(-np.concatenate(scores), kind="stable")[:n_filled]
        pool = pd.concat(rejected, ignore_index=True)
        rows = pd.concat([rows, pool.iloc[best]], ignore_index=True)
    return rows, n_rejected, n_filled


def _jitter(frame, y, counts, seed):
    """Jittered duplication: noisy copies of each class's own rows."""
    rng = np.random.RandomState(seed)
    generated = {}
    for c, n_rows in counts.items():
        rows = frame[y == c]
        copies = rows.iloc[rng.randint(len(rows), size=n_rows)].reset_index(drop=True)
        for column in copies.columns:
            values = frame[column]
            if not pd.api.types.is_float_dtype(values.dtype):
                continue
            scale = JITTER_SCALE * _spread(values)
            if scale == 0:
                continue
            noise = rng.normal(0.0, scale, size=n_rows)
            noisy = (copies[column] + noise).clip(values.min(), values.max())
            copies[column] = noisy.astype(values.dtype)
        generated[c] = copies
    return generated


def _spread(values):
    """Standard deviation of the observed values (0 if fewer than two).

    Computed on the values divided by their largest magnitude, so that it
    neither overflows (1e300) nor is ``pd.NA`` (nullable float columns).
    """
    observed = values.dropna().to_numpy(dtype=np.float64)
    peak = np.abs(observed).max() if len(observed) > 1 else 0.0
    if peak == 0:
        return 0.0
    return float((observed / peak).std(ddof=1) * peak)


def _labels(values):
    """The first values, as Python scalars (``3``, not ``np.int64(3)``)."""
    values = [v.item() if isinstance(v, np.generic) else v for v in values]
    more = ", ..." if len(values) > 10 else ""
    return ", ".join(repr(v) for v in values[:10]) + more


# --------------------------------------------------------------------------
# the machinery shared by the samplers
# --------------------------------------------------------------------------


class GenerativeSamplerMixin:
    """What the generative samplers share: validation, generation, fallback.

    Subclasses set ``_default_synthesizer()`` and the parameters
    ``synthesizer``, ``mode``, ``filter``, ``random_state`` and ``n_jobs``;
    imbalanced-learn's ``fit_resample`` sets ``sampling_strategy_`` (rows to
    add per class) before calling ``_fit_resample``.
    """

    # the augmenter mixes in no interpolated rows: it has no smote_share
    smote_share = 0.0

    def set_params(self, **params):
        """Set parameters, nested ones of the default synthesizer included.

        ``synthesizer__<name>`` keys while ``synthesizer`` is None first
        store the default synthesizer in ``synthesizer``.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : object
            The sampler.
        """
        nested = any(key.startswith("synthesizer__") for key in params)
        if nested and "synthesizer" not in params and self.synthesizer is None:
            self.synthesizer = self._default_synthesizer()
        return super().set_params(**params)

    def _check_X_y(self, X, y, accept_sparse=None):
        _check_not_identifier(y, self._synthesizer())
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if sparse.issparse(X):
            raise TypeError(
                "X is a sparse matrix; generative samplers learn dense tables. "
                "Pass X.toarray() or a DataFrame."
            )
        if not isinstance(X, pd.DataFrame):
            X = check_array(X, dtype=None, ensure_all_finite=False)
        elif len(X) == 0:
            raise ValueError(
                "Found array with 0 sample(s) while a minimum of 1 is required."
            )
        check_consistent_length(X, y)
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        # imbalanced-learn's fit_resample skips the validation of nested
        # estimators; the synthesizer was not validated: its fit validates it
        with config_context(skip_parameter_validation=False):
            return self._resample(X, y)

    def _resample(self, X, y):
        drawn_seeds = local_random_state(self.random_state).randint(SEED_MAX, size=5)
        seeds = dict(
            zip(
                ("generation", "filter", "jitter", "smote", "identifiers"),
                drawn_seeds,
                strict=True,
            )
        )
        full = _as_frame(X)
        # identifiers are not learned: the new rows get fresh ones at the end
        keys = identifier_columns(full, self._synthesizer())
        frame = full.drop(columns=keys) if keys else full
        if keys:  # what a given filter classifier is fitted on, too
            positions = [full.columns.get_loc(k) for k in keys]
            X = frame if isinstance(X, pd.DataFrame) else np.delete(X, positions, 1)
        grow = {c: int(n) for c, n in self.sampling_strategy_.items() if n > 0}
        small = [c for c in grow if np.sum(y == c) < MIN_CLASS_ROWS]
        learn = {c: n for c, n in grow.items() if c not in small}
        self.filter_, row_filter = None, None
        if self.filter is not None and learn:
            row_filter = self._fit_filter(X, frame, y, seeds["filter"])
            self.filter_ = row_filter.classifier
        self.synthesizers_, self.n_rejected_ = {}, {c: 0 for c in learn}
        self.n_copies_rejected_ = {c: 0 for c in learn}
        self.fallback_classes_ = small
        generated = {}
        if small:
            made = "; ".join(
                f"{_labels([c])}: {grow[c]} new row(s) from its "
                f"{int(np.sum(y == c))} row(s)"
                for c in small
            )
            warnings.warn(
                f"classes [{_labels(small)}] have fewer than {MIN_CLASS_ROWS} rows "
                f"to learn from; their new rows are jittered copies of their own "
                f"rows ({made}): float columns get Gaussian noise of "
                f"{JITTER_SCALE} standard deviations, other columns are copied. "
                "Pass a sampling_strategy without these classes to leave them "
                "as they are.",
                UserWarning,
                stacklevel=3,
            )
            if self.reject_copies:
                warnings.warn(
                    f"reject_copies does not apply to classes [{_labels(small)}]: "
                    "their new rows are jittered copies of their own rows.",
                    UserWarning,
                    stacklevel=3,
                )
            jittered = _jitter(frame, y, {c: grow[c] for c in small}, seeds["jitter"])
            generated.update(jittered)
        smote = {c: round(self.smote_share * n) for c, n in learn.items()}
        drawn = {c: n - smote[c] for c, n in learn.items() if n > smote[c]}
        if drawn:
            generated.update(
                self._generate(frame, y, drawn, row_filter, seeds["generation"])
            )
        rng = np.random.RandomState(seeds["smote"])
        for c, n in smote.items():
            if n == 0:
                continue
            rows = interpolate_rows(
                frame[y == c], n, self.k_neighbors, rng.randint(SEED_MAX)
            )
            generated[c] = pd.concat(
                [generated.get(c, rows.iloc[:0]), rows], ignore_index=True
            )
        new = [generated[c] for c in grow]
        if keys:
            new = pd.concat(new, ignore_index=True)
            new = [_with_fresh_keys(full, new, seeds["identifiers"])]
            frame = full
        X_new = pd.concat([frame, *new], ignore_index=True, copy=False)
        y_new = np.concatenate([y, *(np.full(grow[c], c, dtype=y.dtype) for c in grow)])
        if isinstance(X, pd.DataFrame):
            return X_new, y_new
        return X_new.to_numpy(dtype=X.dtype), y_new

    def _synthesizer(self):
        if self.synthesizer is None:
            return self._default_synthesizer()
        return self.synthesizer

    def _draw_function(self, synthesizer):
        """How rows are drawn from a fitted clone of ``synthesizer``."""
        return prior_draw

    def _generate(self, frame, y, counts, row_filter, seed):
        synthesizer = for_columns(self._synthesizer(), frame.columns)
        draw = self._draw_function(synthesizer)
        if self.reject_copies:
            if "reject_copies" not in synthesizer.get_params(deep=False):
                raise ValueError(
                    f"reject_copies=True, but the synthesizer "
                    f"{type(synthesizer).__name__} has no reject_copies parameter; "
                    "use a skl_synth synthesizer, or reject_copies=False."
                )
            synthesizer = clone(synthesizer).set_params(reject_copies=True)
        if self.mode == "per_class":
            rng = np.random.RandomState(seed)
            jobs = [
                (
                    synthesizer,
                    frame[y == c].reset_index(drop=True),
                    n,
                    c,
                    row_filter,
                    rng.randint(SEED_MAX),
                    draw,
                )
                for c, n in counts.items()
            ]
            results = Parallel(n_jobs=self.n_jobs)(
                delayed(_fit_and_draw)(*job) for job in jobs
            )
        else:
            results = _fit_conditional(
                synthesizer, frame, y, counts, row_filter, seed, draw
            )
        generated = {}
        for c, result in zip(counts, results, strict=True):
            model, rows, n_rejected, n_filled, n_copies = result
            self.synthesizers_[c], generated[c] = model, rows
            self.n_rejected_[c], self.n_copies_rejected_[c] = n_rejected, n_copies
            if n_filled:
                warnings.warn(
                    f"the filter rejected too many generated rows of class "
                    f"{_labels([c])}: "
                    f"after {FILTER_ROUNDS} rounds, {n_filled} of its "
                    f"{counts[c]} rows are rejected rows of highest probability. "
                    "Lower the filter threshold, or improve the synthesizer.",
                    UserWarning,
                    stacklevel=4,
                )
        return generated

    def _fit_filter(self, X, frame, y, seed):
        return fit_filter(self.filter, X, frame, y, seed, self.n_jobs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.non_deterministic = self.random_state is None
        return tags
