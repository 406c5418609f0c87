"""The common tests: every public estimator through the shared checks.

scikit-learn's ``parametrize_with_checks`` runs over every public estimator,
and skl_synth's own synthesizer checks
(:mod:`skl_synth.utils.estimator_checks`) over every public synthesizer,
and imbalanced-learn's ``parametrize_with_checks`` (plus its parameter
validation check, which also calls ``fit_resample``) over every public
sampler. Synthesizers and samplers come with their tiny test settings from
:mod:`skl_synth.utils._testing`. Expected failures are declared below, each
with its reason, and are strict: a check that starts passing fails the test
until its entry is removed.
"""

import inspect

import numpy as np
import pytest
from imblearn.utils.estimator_checks import (
    check_param_validation as check_sampler_param_validation,
)
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as parametrize_with_sampler_checks,
)
from sklearn.utils.estimator_checks import parametrize_with_checks

from skl_synth.ensemble import EnsembleSynthesizer
from skl_synth.preprocessing import TabularEncoder
from skl_synth.synthesizers import VAESynthesizer
from skl_synth.utils._testing import (
    tiny_samplers,
    tiny_synthesizer,
    tiny_synthesizers,
    torch_threads,
)
from skl_synth.utils.estimator_checks import (
    check_synthesizer_conditions,
    check_synthesizer_determinism,
    check_synthesizer_global_random_state,
    check_synthesizer_sample_dataframe,
    parametrize_with_synthesizer_checks,
)

# One list of public estimators: every public synthesizer is in
# SYNTHESIZERS (tiny_synthesizers() fails for one without tiny settings).
SYNTHESIZERS = [*tiny_synthesizers(), tiny_synthesizer(EnsembleSynthesizer)]
SAMPLERS = tiny_samplers()
ESTIMATORS = [TabularEncoder(random_state=0), *SYNTHESIZERS, *SAMPLERS]

# {class name: {check name: reason}} for scikit-learn's checks; none so far.
SKLEARN_EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {}

# {class name: {check name: reason}} for skl_synth's synthesizer checks.
SYNTHESIZER_EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {}

# {class name: {check name: reason}} for imbalanced-learn's sampler checks.
SAMPLER_EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {}

# xfail_strict exists from scikit-learn 1.8; older versions mark non-strict.
_SKLEARN_STRICT = (
    {"xfail_strict": True}
    if "xfail_strict" in inspect.signature(parametrize_with_checks).parameters
    else {}
)


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """The tiny networks run much faster on one thread (see torch_threads)."""
    with torch_threads(1):
        yield


def _sklearn_expected_failed_checks(estimator):
    return SKLEARN_EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


def _synthesizer_expected_failed_checks(synthesizer):
    return SYNTHESIZER_EXPECTED_FAILED_CHECKS.get(type(synthesizer).__name__, {})


def _sampler_expected_failed_checks(sampler):
    return SAMPLER_EXPECTED_FAILED_CHECKS.get(type(sampler).__name__, {})


def test_expected_failures_name_public_estimators():
    names = {type(e).__name__ for e in ESTIMATORS}
    stale = (
        set(SKLEARN_EXPECTED_FAILED_CHECKS)
        | set(SYNTHESIZER_EXPECTED_FAILED_CHECKS)
        | set(SAMPLER_EXPECTED_FAILED_CHECKS)
    ) - names
    assert not stale, f"expected failures declared for unknown estimators {stale}"


@parametrize_with_checks(
    ESTIMATORS,
    expected_failed_checks=_sklearn_expected_failed_checks,
    **_SKLEARN_STRICT,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@parametrize_with_synthesizer_checks(
    SYNTHESIZERS,
    expected_failed_checks=_synthesizer_expected_failed_checks,
    xfail_strict=True,
)
def test_synthesizer_contract(synthesizer, check):
    check(synthesizer)


@parametrize_with_sampler_checks(
    SAMPLERS, expected_failed_checks=_sampler_expected_failed_checks
)
def test_imblearn_compatible_sampler(estimator, check):
    check(estimator)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
def test_sampler_param_validation(sampler):
    check_sampler_param_validation(type(sampler).__name__, sampler)


# --------------------------------------------------------------------------
# the synthesizer checks catch broken synthesizers
# --------------------------------------------------------------------------


class _GlobalRandomVAE(VAESynthesizer):
    def sample(self, n_samples, *, conditions=None):
        np.random.rand()  # noqa: NPY002 (advances numpy's global RNG)
        return super().sample(n_samples, conditions=conditions)


class _ConditionBlindVAE(VAESynthesizer):
    def sample(self, n_samples, *, conditions=None):
        return super().sample(n_samples)


class _RetypingVAE(VAESynthesizer):
    def sample(self, n_samples, *, conditions=None):
        return super().sample(n_samples).astype({"count": "float64"})


class _UnseededVAE(VAESynthesizer):
    def _sampling_seed(self):
        return int(np.random.default_rng().integers(2**31 - 1))


@pytest.mark.parametrize(
    ("broken", "check", "message"),
    [
        (_GlobalRandomVAE, check_synthesizer_global_random_state, "numpy.random"),
        (_ConditionBlindVAE, check_synthesizer_conditions, "other values than"),
        (_RetypingVAE, check_synthesizer_sample_dataframe, "count.*float64"),
        (_UnseededVAE, check_synthesizer_determinism, "two sample.40. calls differ"),
    ],
    ids=lambda x: getattr(x, "__name__", None),
)
def test_synthesizer_checks_catch(broken, check, message):
    synthesizer = broken(**tiny_synthesizer(VAESynthesizer).get_params())
    with pytest.raises(AssertionError, match=message) as error:
        check(broken.__name__, synthesizer)
    assert broken.__name__ in str(error.value)


def test_unknown_expected_failed_check():
    with pytest.raises(ValueError, match="check_no_such_thing"):
        parametrize_with_synthesizer_checks(
            SYNTHESIZERS[:1],
            expected_failed_checks=lambda s: {"check_no_such_thing": "typo"},
        )
