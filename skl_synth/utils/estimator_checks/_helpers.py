"""Data and assertions shared by the synthesizer checks."""

from __future__ import annotations

import random
from contextlib import contextmanager

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone

from ..._nn.numerics import same_torch_rng_state, torch_rng_states

_N_ROWS = 120


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
    return {
        "numpy.random": np.random.get_state(),  # noqa: NPY002 (the global one)
        "random": random.getstate(),
        **torch_rng_states(),
    }


def _changed_rng_states(before, after):
    changed = []
    for key, state in before.items():
        if key == "numpy.random":
            same = all(
                np.array_equal(x, y) for x, y in zip(state, after[key], strict=True)
            )
        elif key == "random":
            same = state == after[key]
        else:
            same = same_torch_rng_state(state, after[key])
        if not same:
            changed.append(key)
    return changed
