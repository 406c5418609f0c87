"""Checks of fitting and sampling: containers, dtypes, counts, conditions, scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from .._docstrings import fill_doc
from ._helpers import (
    _N_ROWS,
    _call,
    _fit,
    _fresh,
    _mixed_frame,
    _raises,
    _same_param,
)


@fill_doc
def check_synthesizer_not_fitted(name, synthesizer):
    """Check that ``sample`` and ``score`` raise ``NotFittedError`` before fit.

    {check_parameters}

    Raises
    ------
    AssertionError
        When ``sample`` or ``score`` of an unfitted clone does not raise
        :class:`~sklearn.exceptions.NotFittedError`.

    Examples
    --------
    >>> from skl_synth.synthesizers import VAESynthesizer
    >>> from skl_synth.utils.estimator_checks import check_synthesizer_not_fitted
    >>> check_synthesizer_not_fitted("VAESynthesizer", VAESynthesizer())
    """
    synthesizer = _fresh(synthesizer)
    X = _mixed_frame()
    with _raises(name, NotFittedError, "sample(10) before fit"):
        synthesizer.sample(10)
    with _raises(name, NotFittedError, "sample(10, conditions=...) before fit"):
        synthesizer.sample(10, conditions={"city": "Lyon"})
    with _raises(name, NotFittedError, "score(X) before fit"):
        synthesizer.score(X)


@fill_doc
def check_synthesizer_clone(name, synthesizer):
    """Check that ``clone`` and ``get_params`` / ``set_params`` round-trip.

    The clone has the same class and parameters (``get_params(deep=True)``),
    and ``set_params(**get_params())`` returns the synthesizer unchanged.

    {check_parameters}

    Raises
    ------
    AssertionError
        When a parameter is lost or changed on the way.

    Examples
    --------
    >>> from skl_synth.synthesizers import GANSynthesizer
    >>> from skl_synth.utils.estimator_checks import check_synthesizer_clone
    >>> check_synthesizer_clone("GANSynthesizer", GANSynthesizer(epochs=3))
    """
    synthesizer = clone(synthesizer)
    params = synthesizer.get_params(deep=True)
    cloned = _call(name, "clone(synthesizer)", clone, synthesizer)
    assert type(cloned) is type(synthesizer), (
        f"{name}: clone returned a {type(cloned).__name__}."
    )
    cloned_params = cloned.get_params(deep=True)
    assert set(cloned_params) == set(params), (
        f"{name}: the clone's parameters are {sorted(cloned_params)}, the "
        f"original's {sorted(params)}."
    )
    changed = [k for k in params if not _same_param(params[k], cloned_params[k])]
    assert not changed, f"{name}: clone changed the parameters {changed}."
    shallow = {k: v for k, v in cloned_params.items() if "__" not in k}
    returned = _call(name, "set_params(**get_params())", cloned.set_params, **shallow)
    assert returned is cloned, f"{name}: set_params must return self."
    after = cloned.get_params(deep=True)
    changed = [k for k in params if not _same_param(cloned_params[k], after[k])]
    assert not changed, (
        f"{name}: set_params(**get_params()) changed the parameters {changed}."
    )


@fill_doc
def check_synthesizer_sample_dataframe(name, synthesizer):
    """Check ``sample`` after fitting a mixed-type DataFrame.

    The synthesizer is fitted on a 120-row table with a float column with
    missing values, an integer, a boolean, a categorical, a string and a
    datetime column. ``sample(50)`` must return a DataFrame with the same
    columns in the same order, identical dtypes and 50 rows, discrete values
    among those seen in training, and no missing values in the columns that
    had none. ``fit`` must not modify its input and must set
    ``n_features_in_`` and ``feature_names_in_``.

    {check_parameters}

    Raises
    ------
    AssertionError
        When the sample breaks one of these properties.

    Examples
    --------
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> from skl_synth.utils.estimator_checks import (
    ...     check_synthesizer_sample_dataframe,
    ... )
    >>> copula = GaussianCopulaSynthesizer()
    >>> check_synthesizer_sample_dataframe("GaussianCopulaSynthesizer", copula)
    """
    X = _mixed_frame()
    synthesizer = _fit(name, _fresh(synthesizer), X, "a mixed-type DataFrame")
    assert getattr(synthesizer, "n_features_in_", None) == X.shape[1], (
        f"{name}: n_features_in_ is {getattr(synthesizer, 'n_features_in_', None)}"
        f" after fitting {X.shape[1]} columns."
    )
    names_in = getattr(synthesizer, "feature_names_in_", None)
    assert names_in is not None and list(names_in) == list(X.columns), (
        f"{name}: feature_names_in_ is {names_in}; expected {list(X.columns)}."
    )
    sample = _call(name, "sample(50)", synthesizer.sample, 50)
    assert isinstance(sample, pd.DataFrame), (
        f"{name}: sample(50) after fitting a DataFrame returned a "
        f"{type(sample).__name__}, not a DataFrame."
    )
    assert list(sample.columns) == list(X.columns), (
        f"{name}: sample(50) has the columns {list(sample.columns)}; expected "
        f"{list(X.columns)} (same order)."
    )
    assert len(sample) == 50, f"{name}: sample(50) returned {len(sample)} rows."
    wrong = {
        c: f"{sample[c].dtype} instead of {X[c].dtype}"
        for c in X.columns
        if sample[c].dtype != X[c].dtype
    }
    assert not wrong, f"{name}: sample(50) changed the dtypes: {wrong}."
    for column in ("flag", "grade", "city"):
        unseen = set(sample[column].dropna()) - set(X[column].dropna())
        assert not unseen, (
            f"{name}: sample(50) has values {sorted(map(str, unseen))} in column "
            f"{column!r}, never seen in training."
        )
    missing = [c for c in X.columns if X[c].notna().all() and sample[c].isna().any()]
    assert not missing, (
        f"{name}: sample(50) has missing values in {missing}, which had none in "
        "training."
    )


def check_synthesizer_sample_ndarray(name, synthesizer):
    """Check that a synthesizer fitted on an ndarray samples an ndarray.

    Fitted on an int64 array (small integer codes) and on a float64 array
    (continuous values), ``sample(25)`` must return an ndarray of the same
    dtype and width without missing values, ``n_features_in_`` must be the
    width, and ``score`` of an array of another width must raise
    ``ValueError``.

    Parameters
    ----------
    name : str
        Name of the synthesizer, used in failure messages.
    synthesizer : estimator
        An unfitted synthesizer; the check works on clones.

    Raises
    ------
    AssertionError
        When the sample is not such an array.

    Examples
    --------
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> from skl_synth.utils.estimator_checks import (
    ...     check_synthesizer_sample_ndarray,
    ... )
    >>> copula = GaussianCopulaSynthesizer()
    >>> check_synthesizer_sample_ndarray("GaussianCopulaSynthesizer", copula)
    """
    rng = np.random.RandomState(0)
    arrays = {
        "an int64 ndarray": rng.randint(0, 4, size=(_N_ROWS, 2)).astype(np.int64),
        "a float64 ndarray": rng.normal(size=(_N_ROWS, 3)),
    }
    for what, X in arrays.items():
        fitted = _fit(name, _fresh(synthesizer), X, what)
        assert getattr(fitted, "n_features_in_", None) == X.shape[1], (
            f"{name}: n_features_in_ is {getattr(fitted, 'n_features_in_', None)} "
            f"after fitting {what} with {X.shape[1]} columns."
        )
        sample = _call(name, f"sample(25) after fitting {what}", fitted.sample, 25)
        assert isinstance(sample, np.ndarray), (
            f"{name}: sample(25) after fitting {what} returned a "
            f"{type(sample).__name__}, not an ndarray."
        )
        assert sample.dtype == X.dtype, (
            f"{name}: sample(25) after fitting {what} has dtype {sample.dtype}."
        )
        assert sample.shape == (25, X.shape[1]), (
            f"{name}: sample(25) after fitting {what} of width {X.shape[1]} has "
            f"shape {sample.shape}."
        )
        assert not pd.isna(sample).any(), (
            f"{name}: sample(25) after fitting {what} without missing values has "
            "missing values."
        )
        with _raises(name, ValueError, f"score of a narrower array than {what}"):
            fitted.score(X[:, :-1])


@fill_doc
def check_synthesizer_n_samples(name, synthesizer):
    """Check that ``sample`` refuses a bad ``n_samples`` with ``ValueError``.

    ``n_samples`` of 0, -1 and 2.5 must raise ``ValueError`` naming
    ``n_samples``; a numpy integer is accepted.

    {check_parameters}

    Raises
    ------
    AssertionError
        When a bad value is accepted or raises something else.

    Examples
    --------
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> from skl_synth.utils.estimator_checks import check_synthesizer_n_samples
    >>> copula = GaussianCopulaSynthesizer()
    >>> check_synthesizer_n_samples("GaussianCopulaSynthesizer", copula)
    """
    X = _mixed_frame()
    synthesizer = _fit(name, _fresh(synthesizer), X, "a mixed-type DataFrame")
    for bad in (0, -1, 2.5):
        with _raises(name, ValueError, f"sample({bad!r})", names=("n_samples",)):
            synthesizer.sample(bad)
    sample = _call(name, "sample(np.int64(3))", synthesizer.sample, np.int64(3))
    assert len(sample) == 3, f"{name}: sample(np.int64(3)) returned {len(sample)} rows."


@fill_doc
def check_synthesizer_conditions(name, synthesizer):
    """Check that ``sample(n, conditions=...)`` honours conditions exactly.

    After fitting the mixed-type table: a dict of conditions on discrete
    columns (string, boolean, categorical) holds in every row; a DataFrame
    of per-row conditions, some cells missing, holds row by row; a value
    never seen in training (including a declared but unused category), a
    continuous column and an unknown column raise ``ValueError`` naming the
    value or column.

    {check_parameters}

    Raises
    ------
    AssertionError
        When a condition is not honoured or bad conditions are accepted.

    Examples
    --------
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> from skl_synth.utils.estimator_checks import check_synthesizer_conditions
    >>> copula = GaussianCopulaSynthesizer()
    >>> check_synthesizer_conditions("GaussianCopulaSynthesizer", copula)
    """
    X = _mixed_frame()
    synthesizer = _fit(name, _fresh(synthesizer), X, "a mixed-type DataFrame")
    for conditions in ({"city": "Nice"}, {"flag": True, "grade": "c"}):
        action = f"sample(30, conditions={conditions})"
        sample = _call(name, action, synthesizer.sample, 30, conditions=conditions)
        assert len(sample) == 30, f"{name}: {action} returned {len(sample)} rows."
        for column, value in conditions.items():
            wrong = sample[column].astype(object) != value
            assert not wrong.any(), (
                f"{name}: {action} gave {column!r} other values than {value!r} in "
                f"{int(wrong.sum())} of 30 rows: "
                f"{sorted(map(str, set(sample[column][wrong])))}."
            )

    per_row = pd.DataFrame(
        {
            "city": ["Lyon", None, "Nice", "Paris"] * 3,
            "flag": [True, False, None, None] * 3,
            "grade": [None, "a", "c", None] * 3,
        },
        dtype=object,
    )
    action = "sample(12, conditions=<DataFrame of per-row conditions>)"
    sample = _call(name, action, synthesizer.sample, 12, conditions=per_row)
    assert len(sample) == 12, f"{name}: {action} returned {len(sample)} rows."
    for column in per_row.columns:
        asked = per_row[column].notna().to_numpy()
        got = sample[column].astype(object).to_numpy()
        wanted = per_row[column].to_numpy()
        rows = [i for i in np.flatnonzero(asked) if got[i] != wanted[i]]
        assert not rows, (
            f"{name}: {action} ignored the condition on {column!r} in rows {rows}: "
            f"asked {[wanted[i] for i in rows]}, got {[got[i] for i in rows]}."
        )
    assert not sample[list(per_row.columns)].isna().any().any(), (
        f"{name}: {action} left missing values where no condition was given."
    )

    bad_conditions = [
        ({"city": "Atlantis"}, "a value never seen in training", "Atlantis"),
        ({"grade": "d"}, "a declared category never seen in training", "'d'"),
        ({"amount": 10.0}, "a continuous column", "amount"),
        ({"no_such_column": 1}, "an unknown column", "no_such_column"),
    ]
    for conditions, what, named in bad_conditions:
        action = f"sample(5, conditions={conditions}) ({what})"
        with _raises(name, ValueError, action, names=(named,)):
            synthesizer.sample(5, conditions=conditions)


@fill_doc
def check_synthesizer_score_columns(name, synthesizer):
    """Check that ``score`` refuses columns other than those seen in fit.

    A table without one of the fitted columns, with a renamed column or
    with an extra column must raise ``ValueError`` naming the column; one
    with the fitted columns in another order must raise ``ValueError``, as
    in scikit-learn.

    {check_parameters}

    Raises
    ------
    AssertionError
        When such a table is scored or raises something else.

    Examples
    --------
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> from skl_synth.utils.estimator_checks import (
    ...     check_synthesizer_score_columns,
    ... )
    >>> copula = GaussianCopulaSynthesizer()
    >>> check_synthesizer_score_columns("GaussianCopulaSynthesizer", copula)
    """
    X = _mixed_frame()
    synthesizer = _fit(name, _fresh(synthesizer), X, "a mixed-type DataFrame")
    cases = [
        (X.drop(columns="when"), "without column 'when'", ("when",)),
        (X.rename(columns={"city": "town"}), "with 'city' renamed", ("city", "town")),
        (X.assign(extra=1.0), "with an extra column 'extra'", ("extra",)),
        (X[X.columns[::-1]], "with its columns in reverse order", ()),
    ]
    for table, what, names in cases:
        with _raises(name, ValueError, f"score(X {what})", names=names):
            synthesizer.score(table)
