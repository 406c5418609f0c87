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

import re
import warnings
from functools import partial

from ._randomness import (
    check_synthesizer_determinism,
    check_synthesizer_global_random_state,
    check_synthesizer_pickle,
)
from ._sampling import (
    check_synthesizer_clone,
    check_synthesizer_conditions,
    check_synthesizer_n_samples,
    check_synthesizer_not_fitted,
    check_synthesizer_sample_dataframe,
    check_synthesizer_sample_ndarray,
    check_synthesizer_score_columns,
)

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
    a synthesizer should pass as well, with what only a synthesizer promises:
    ``sample`` returns the training container with the same columns and
    dtypes, honours conditions, is reproducible with an integer
    ``random_state`` without touching any global random generator, refuses
    bad arguments with a ``ValueError``, and survives ``clone`` and pickling.
    Each check clones the synthesizer (with ``random_state=0`` where it has
    that parameter) before fitting, and raises an ``AssertionError`` naming
    the synthesizer and what was wrong.

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
