"""Checks that a synthesizer follows skl_synth's synthesizer contract.

These checks complement :func:`sklearn.utils.estimator_checks.check_estimator`
with what only a synthesizer promises: ``sample`` returns the training
container with the same columns and dtypes, honours conditions, is
reproducible with an integer ``random_state`` without touching any global
random generator, refuses bad arguments with a ``ValueError``, and survives
``clone`` and pickling. Third-party synthesizers can use them too.

Each check takes ``(name, synthesizer)``: a name for messages and an unfitted
instance, which the check clones (with ``random_state=0`` where the
synthesizer has that parameter) before fitting. A check passes silently and
raises ``AssertionError`` naming the synthesizer and what was wrong otherwise.
Run them all with :func:`check_synthesizer`, or in pytest with
:func:`parametrize_with_synthesizer_checks`.
"""

from __future__ import annotations

import pickle
import random
import re
import warnings
from contextlib import contextmanager
from functools import partial

import joblib
import numpy as np
import pandas as pd
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from ._docstrings import fill_doc

__all__ = [
    "check_synthesizer",
    "check_synthesizer_clone",
    "check_synthesizer_conditions",
    "check_synthesizer_determinism",
    "check_synthesizer_global_random_state",
    "check_synthesizer_n_samples",
    "check_synthesizer_not_fitted",
    "check_synthesizer_pickle",
    "check_synthesizer_sample_dataframe",
    "check_synthesizer_sample_ndarray",
    "check_synthesizer_score_columns",
    "parametrize_with_synthesizer_checks",
    "synthesizer_checks",
]

_N_ROWS = 120


# --------------------------------------------------------------------------
# data and helpers
# --------------------------------------------------------------------------


def _mixed_frame():
    """A deterministic 120-row table with one column of each supported kind.

    ``amount`` (float with NaN) and ``when`` (datetime) are continuous;
    ``count`` is an integer column; ``flag`` (bool), ``grade`` (category, whose
    declared category ``"d"`` never occurs) and ``city`` (object strings) are
    discrete.
    """
    rng = np.random.RandomState(42)
    amount = rng.lognormal(3.0, 1.0, _N_ROWS)
    amount[rng.rand(_N_ROWS) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "amount": amount,
            "count": rng.poisson(20, _N_ROWS).astype(np.int64),
            "flag": rng.rand(_N_ROWS) < 0.3,
            "grade": pd.Categorical(
                rng.choice(["a", "b", "c"], _N_ROWS, p=[0.5, 0.3, 0.2]),
                categories=["a", "b", "c", "d"],
            ),
            "city": rng.choice(["Lyon", "Nice", "Paris"], _N_ROWS).astype(object),
            "when": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.randint(0, 365, _N_ROWS), unit="D"),
        }
    )


def _fresh(synthesizer, **params):
    """An unfitted clone, with ``params`` set where the synthesizer has them.

    ``random_state`` defaults to 0, as in scikit-learn's checks.
    """
    synthesizer = clone(synthesizer)
    params = {"random_state": 0, **params}
    known = synthesizer.get_params(deep=False)
    synthesizer.set_params(**{k: v for k, v in params.items() if k in known})
    return synthesizer


def _call(name, action, func, *args, **kwargs):
    """``func(*args, **kwargs)``; an error becomes an AssertionError naming it."""
    try:
        return func(*args, **kwargs)
    except Exception as error:
        raise AssertionError(
            f"{name}: {action} raised {type(error).__name__}: {error}"
        ) from error


def _fit(name, synthesizer, X, what):
    X_before = X.copy()
    fitted = _call(name, f"fit on {what}", synthesizer.fit, X)
    assert fitted is synthesizer, (
        f"{name}: fit must return self; it returned {type(fitted).__name__}."
    )
    _assert_same(name, X_before, X, f"the {what} before and after fit")
    return synthesizer


@contextmanager
def _raises(name, expected, action, *, names=()):
    """Assert that the body raises ``expected`` naming one of ``names``."""
    try:
        yield
    except expected as error:
        if names and not any(str(n) in str(error) for n in names):
            raise AssertionError(
                f"{name}: {action} raised {type(error).__name__} as it should, "
                f"but its message does not name {' or '.join(map(repr, names))}: "
                f"{error}"
            ) from error
        return
    except Exception as error:
        raise AssertionError(
            f"{name}: {action} should raise {expected.__name__}, but raised "
            f"{type(error).__name__}: {error}"
        ) from error
    raise AssertionError(
        f"{name}: {action} should raise {expected.__name__}, but raised nothing."
    )


def _assert_same(name, expected, actual, what):
    """Assert that two tables or arrays are identical (values and dtypes)."""
    try:
        if isinstance(expected, pd.DataFrame):
            assert isinstance(actual, pd.DataFrame), f"got {type(actual).__name__}"
            pd.testing.assert_frame_equal(actual, expected, check_exact=True)
        else:
            assert isinstance(actual, np.ndarray), f"got {type(actual).__name__}"
            assert actual.dtype == expected.dtype, f"{actual.dtype} != {expected.dtype}"
            np.testing.assert_array_equal(actual, expected, strict=True)
    except AssertionError as error:
        raise AssertionError(f"{name}: {what} differ: {error}") from None


def _same_param(a, b):
    if a is b:
        return True
    if hasattr(a, "get_params"):  # a nested estimator; its params are checked too
        return type(a) is type(b)
    return type(a) is type(b) and joblib.hash(a) == joblib.hash(b)


def _global_rng_states():
    states = {
        "numpy.random": np.random.get_state(),  # noqa: NPY002 (the global one)
        "random": random.getstate(),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        states["torch.cuda"] = torch.cuda.get_rng_state_all()
    return states


def _changed_rng_states(before, after):
    changed = []
    for key, state in before.items():
        if key == "numpy.random":
            same = all(
                np.array_equal(x, y) for x, y in zip(state, after[key], strict=True)
            )
        elif key == "random":
            same = state == after[key]
        elif key == "torch":
            same = torch.equal(state, after[key])
        else:
            same = all(
                torch.equal(x, y) for x, y in zip(state, after[key], strict=True)
            )
        if not same:
            changed.append(key)
    return changed


# --------------------------------------------------------------------------
# the checks
# --------------------------------------------------------------------------


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


def check_synthesizer_determinism(name, synthesizer):
    """Check that an int ``random_state`` makes fit and sample reproducible.

    On the CPU, with ``random_state=0``: two fits give identical samples; two
    ``sample`` calls (with and without conditions) on one fitted synthesizer
    give identical samples; and fitting and sampling leave the global random
    states of ``numpy.random``, ``random`` and torch untouched.

    Parameters
    ----------
    name : str
        Name of the synthesizer, used in failure messages.
    synthesizer : estimator
        An unfitted synthesizer; the check works on clones (with
        ``device="cpu"`` where the synthesizer has that parameter).

    Raises
    ------
    AssertionError
        When samples differ or a global random state changed.

    Examples
    --------
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> from skl_synth.utils.estimator_checks import (
    ...     check_synthesizer_determinism,
    ... )
    >>> copula = GaussianCopulaSynthesizer()
    >>> check_synthesizer_determinism("GaussianCopulaSynthesizer", copula)
    """
    X = _mixed_frame()
    before = _global_rng_states()
    first = _fit(name, _fresh(synthesizer, device="cpu"), X, "a mixed-type DataFrame")
    sample = _call(name, "sample(40)", first.sample, 40)
    _assert_same(name, sample, first.sample(40), "two sample(40) calls")
    conditions = {"city": "Paris"}
    _assert_same(
        name,
        first.sample(20, conditions=conditions),
        first.sample(20, conditions=conditions),
        f"two sample(20, conditions={conditions}) calls",
    )
    changed = _changed_rng_states(before, _global_rng_states())
    assert not changed, (
        f"{name}: fit and sample with random_state=0 changed the global random "
        f"state of {changed}; use local generators (check_random_state, seeded "
        "torch.Generator objects) instead."
    )
    second = _fit(name, _fresh(synthesizer, device="cpu"), X, "a mixed-type DataFrame")
    _assert_same(
        name,
        sample,
        _call(name, "sample(40)", second.sample, 40),
        "samples of two fits with random_state=0",
    )


@fill_doc
def check_synthesizer_global_random_state(name, synthesizer):
    """Check that ``random_state=None`` does not use global random generators.

    Fitting and sampling (with and without conditions) with
    ``random_state=None`` must leave the global random states of
    ``numpy.random``, ``random`` and torch untouched: fresh randomness comes
    from new generators, not from advancing the global ones.

    {check_parameters}

    Raises
    ------
    AssertionError
        When a global random state changed.

    Examples
    --------
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> from skl_synth.utils.estimator_checks import (
    ...     check_synthesizer_global_random_state,
    ... )
    >>> copula = GaussianCopulaSynthesizer()
    >>> check_synthesizer_global_random_state("GaussianCopulaSynthesizer", copula)
    """
    X = _mixed_frame()
    before = _global_rng_states()
    synthesizer = _fit(
        name, _fresh(synthesizer, random_state=None), X, "a mixed-type DataFrame"
    )
    _call(name, "sample(20)", synthesizer.sample, 20)
    conditions = {"city": "Lyon"}
    action = f"sample(20, conditions={conditions})"
    _call(name, action, synthesizer.sample, 20, conditions=conditions)
    changed = _changed_rng_states(before, _global_rng_states())
    assert not changed, (
        f"{name}: fit and sample with random_state=None changed the global random "
        f"state of {changed}; draw seeds from a new generator instead."
    )


@fill_doc
def check_synthesizer_pickle(name, synthesizer):
    """Check that pickling and cloning a fitted synthesizer work.

    The unpickled synthesizer samples exactly what the original samples,
    pickling leaves the original unchanged, and ``clone`` of the fitted
    synthesizer is unfitted with the same parameters.

    {check_parameters}

    Raises
    ------
    AssertionError
        When the round trip changes the samples or the parameters.

    Examples
    --------
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> from skl_synth.utils.estimator_checks import check_synthesizer_pickle
    >>> copula = GaussianCopulaSynthesizer()
    >>> check_synthesizer_pickle("GaussianCopulaSynthesizer", copula)
    """
    X = _mixed_frame()
    synthesizer = _fit(name, _fresh(synthesizer), X, "a mixed-type DataFrame")
    sample = _call(name, "sample(40)", synthesizer.sample, 40)
    restored = _call(
        name, "pickle round trip", lambda: pickle.loads(pickle.dumps(synthesizer))
    )
    assert type(restored) is type(synthesizer), (
        f"{name}: unpickling gave a {type(restored).__name__}."
    )
    _assert_same(
        name,
        sample,
        _call(name, "sample(40) after unpickling", restored.sample, 40),
        "samples of the original and the unpickled synthesizer",
    )
    _assert_same(
        name, sample, synthesizer.sample(40), "samples before and after pickling"
    )
    cloned = _call(name, "clone of a fitted synthesizer", clone, synthesizer)
    params, cloned_params = synthesizer.get_params(), cloned.get_params()
    changed = [k for k in params if not _same_param(params[k], cloned_params[k])]
    assert not changed, f"{name}: clone changed the parameters {changed}."
    with _raises(name, NotFittedError, "sample(10) of a clone of a fitted one"):
        cloned.sample(10)


_CHECKS = (
    check_synthesizer_not_fitted,
    check_synthesizer_clone,
    check_synthesizer_sample_dataframe,
    check_synthesizer_sample_ndarray,
    check_synthesizer_n_samples,
    check_synthesizer_conditions,
    check_synthesizer_score_columns,
    check_synthesizer_determinism,
    check_synthesizer_global_random_state,
    check_synthesizer_pickle,
)
_CHECK_NAMES = frozenset(check.__name__ for check in _CHECKS)


# --------------------------------------------------------------------------
# running them
# --------------------------------------------------------------------------


def synthesizer_checks(synthesizer):
    """Yield the synthesizer checks, ready to call, for one synthesizer.

    Parameters
    ----------
    synthesizer : estimator
        An unfitted synthesizer.

    Yields
    ------
    synthesizer : estimator
        The synthesizer passed in.
    check : callable
        ``check(synthesizer)`` runs one check (a :func:`functools.partial` of
        a ``check_synthesizer_*`` function with the synthesizer's class
        name); ``check.func.__name__`` is the check's name.

    See Also
    --------
    check_synthesizer : Run all these checks.
    parametrize_with_synthesizer_checks : The same, as pytest parameters.

    Examples
    --------
    >>> from skl_synth.synthesizers import VAESynthesizer
    >>> from skl_synth.utils.estimator_checks import synthesizer_checks
    >>> checks = synthesizer_checks(VAESynthesizer())
    >>> synthesizer, check = next(checks)
    >>> check.func.__name__
    'check_synthesizer_not_fitted'
    >>> check(synthesizer)
    """
    name = type(synthesizer).__name__
    for check in _CHECKS:
        yield synthesizer, partial(check, name)


def _validated_expected(expected_failed_checks):
    expected = dict(expected_failed_checks or {})
    unknown = sorted(set(expected) - _CHECK_NAMES)
    if unknown:
        raise ValueError(
            f"expected_failed_checks names {unknown}, which are not synthesizer "
            f"checks; the checks are {sorted(_CHECK_NAMES)}."
        )
    return expected


def check_synthesizer(synthesizer, *, expected_failed_checks=None):
    """Run every synthesizer check on ``synthesizer``.

    Complements :func:`sklearn.utils.estimator_checks.check_estimator`, which
    a synthesizer should pass as well.

    Parameters
    ----------
    synthesizer : estimator
        An unfitted synthesizer; the checks work on clones.
    expected_failed_checks : dict of str to str, default=None
        ``{check_name: reason}`` for checks known to fail. They still run;
        their failure is reported as a warning with the reason instead of
        raised, and a warning also says when one of them passes.

    Raises
    ------
    AssertionError
        From the first check that fails and is not an expected failure.

    See Also
    --------
    parametrize_with_synthesizer_checks : The same checks as pytest tests.

    Examples
    --------
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> from skl_synth.utils.estimator_checks import check_synthesizer
    >>> check_synthesizer(GaussianCopulaSynthesizer(random_state=0))
    """
    expected = _validated_expected(expected_failed_checks)
    for estimator, check in synthesizer_checks(synthesizer):
        check_name = check.func.__name__
        if check_name not in expected:
            check(estimator)
            continue
        try:
            check(estimator)
        except Exception as error:
            warnings.warn(
                f"{check_name} failed, as expected ({expected[check_name]}): {error}",
                UserWarning,
                stacklevel=2,
            )
        else:
            warnings.warn(
                f"{check_name} passed although it is declared as an expected "
                f"failure ({expected[check_name]}); remove it from "
                "expected_failed_checks.",
                UserWarning,
                stacklevel=2,
            )


def _check_id(obj):
    if isinstance(obj, partial):
        return obj.func.__name__
    return re.sub(r"\s", "", str(obj))


def parametrize_with_synthesizer_checks(
    synthesizers, *, expected_failed_checks=None, xfail_strict=None
):
    """Pytest decorator running every synthesizer check on each synthesizer.

    The counterpart of
    :func:`sklearn.utils.estimator_checks.parametrize_with_checks`: it
    parametrizes a test over ``(synthesizer, check)`` pairs, to be run as
    ``check(synthesizer)``. Test ids name the synthesizer and the check, so
    ``pytest -k check_synthesizer_conditions`` selects one check.

    Parameters
    ----------
    synthesizers : list of estimators
        Unfitted synthesizer instances.
    expected_failed_checks : callable, default=None
        Called with each synthesizer, returns ``{check_name: reason}`` for the
        checks known to fail on it; those are marked ``xfail`` with the
        reason. Unknown check names raise ``ValueError``.
    xfail_strict : bool, default=None
        Whether an expected failure that passes fails the test; ``None``
        uses pytest's ``xfail_strict`` setting.

    Returns
    -------
    decorator : pytest.mark.parametrize
        Parametrizes the arguments ``synthesizer`` and ``check``.

    See Also
    --------
    check_synthesizer : Run the checks outside pytest.

    Examples
    --------
    >>> from skl_synth.synthesizers import VAESynthesizer
    >>> from skl_synth.utils.estimator_checks import (
    ...     parametrize_with_synthesizer_checks,
    ... )
    >>> @parametrize_with_synthesizer_checks([VAESynthesizer(epochs=1)])
    ... def test_synthesizer(synthesizer, check):
    ...     check(synthesizer)
    """
    import pytest

    if any(isinstance(s, type) for s in synthesizers):
        raise TypeError("Pass synthesizer instances, not classes.")
    xfail_kwargs = {} if xfail_strict is None else {"strict": xfail_strict}

    def params():
        for synthesizer in synthesizers:
            expected = _validated_expected(
                expected_failed_checks(synthesizer) if expected_failed_checks else {}
            )
            for estimator, check in synthesizer_checks(synthesizer):
                reason = expected.get(check.func.__name__)
                marks = (
                    [pytest.mark.xfail(reason=reason, **xfail_kwargs)]
                    if reason is not None
                    else []
                )
                yield pytest.param(
                    estimator,
                    check,
                    marks=marks,
                    id=f"{_check_id(estimator)}-{_check_id(check)}",
                )

    return pytest.mark.parametrize("synthesizer, check", list(params()))
