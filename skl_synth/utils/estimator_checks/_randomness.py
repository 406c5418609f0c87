"""Checks of randomness and state: determinism, global generators, pickling."""

from __future__ import annotations

import pickle

from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from .._docstrings import fill_doc
from ._helpers import (
    _assert_same,
    _call,
    _changed_rng_states,
    _fit,
    _fresh,
    _global_rng_states,
    _mixed_frame,
    _raises,
    _same_param,
)


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
