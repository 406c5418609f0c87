"""The samplers' filter: a classifier that generated rows must convince.

With ``filter="classifier"`` (or a threshold), a random forest fitted on the
real rows (as floats: :class:`_NumericTable`) keeps the generated rows whose
probability of their class reaches the threshold; a given classifier is
cloned and fitted instead.
"""

from __future__ import annotations

from functools import partial
from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.tree._tree import Tree

from ..utils._state import declare

# the default filter, a random forest, and its trees are saved with the sampler
declare(RandomForestClassifier, "estimator")
declare(DecisionTreeClassifier, "estimator")
declare(Tree, "tree")

_FILTER_THRESHOLD = 0.5


def fit_filter(spec, X, frame, y, seed, n_jobs):
    """The fitted filter of ``filter=spec``: the default forest on ``frame``
    (``"classifier"`` or a threshold), or a clone of the given classifier."""
    if isinstance(spec, (str, Real)):
        threshold = _FILTER_THRESHOLD if isinstance(spec, str) else spec
        table = _NumericTable().fit(frame)
        forest = RandomForestClassifier(
            class_weight="balanced", n_jobs=n_jobs, random_state=seed
        )
        forest.fit(table.transform(frame), y)
        return _RowFilter(forest, float(threshold), table.transform)
    classifier = clone(spec).fit(X, y)
    to_input = None if isinstance(X, pd.DataFrame) else partial(_to_array, X.dtype)
    return _RowFilter(classifier, _FILTER_THRESHOLD, to_input)


def _to_array(dtype, frame):
    return frame.to_numpy(dtype=dtype)


class _RowFilter:
    """A fitted classifier and the threshold a generated row must reach."""

    def __init__(self, classifier, threshold, to_input=None):
        self.classifier, self.threshold, self.to_input = (
            classifier,
            threshold,
            to_input,
        )

    def proba(self, rows, label):
        """Probability of ``label`` for each row."""
        column = list(self.classifier.classes_).index(label)
        data = rows if self.to_input is None else self.to_input(rows)
        return self.classifier.predict_proba(data)[:, column]


class _NumericTable:
    """Columns as floats for the default filter's forest.

    Numbers and booleans as they are, datetimes in seconds, other columns
    as ordinal codes of the categories seen in fit; missing values and
    unseen categories become NaN.
    """

    def fit(self, frame):
        self.categories_ = {
            c: _categories(frame[c]) for c in frame.columns if _is_coded(frame[c])
        }
        return self

    def transform(self, frame):
        columns = [self._column(frame[c], c) for c in frame.columns]
        return np.column_stack(columns) if columns else np.empty((len(frame), 0))

    def _column(self, series, name):
        if name in self.categories_:
            codes = pd.Categorical(series, categories=self.categories_[name]).codes
            return np.where(codes < 0, np.nan, codes).astype(np.float64)
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            origin = pd.Timestamp(0, tz=getattr(series.dtype, "tz", None))
            return ((series - origin) / pd.Timedelta(seconds=1)).to_numpy(float)
        if pd.api.types.is_timedelta64_dtype(series.dtype):
            return (series / pd.Timedelta(seconds=1)).to_numpy(float)
        return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _is_coded(series):
    """Whether a column goes to the forest as ordinal codes."""
    dtype, types = series.dtype, pd.api.types
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    return not (
        types.is_bool_dtype(dtype)
        or types.is_numeric_dtype(dtype)
        or types.is_datetime64_any_dtype(dtype)
        or types.is_timedelta64_dtype(dtype)
    )


def _categories(series):
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.dtype.categories
    return pd.Index(pd.unique(series.dropna()))
