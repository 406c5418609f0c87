"""GaussianCopulaSynthesizer: marginals, dependence, exact conditions."""

import pickle
import random

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtr
from sklearn.base import clone

from skl_synth.preprocessing._codecs import _interp_even
from skl_synth.synthesizers import GaussianCopulaSynthesizer
from skl_synth.synthesizers._conditions import ConditionPlan
from skl_synth.synthesizers._copula import (
    _nearest_correlation,
    _truncated_gibbs,
    _truncated_normal,
)


@pytest.fixture(scope="module")
def _fitted_placements():
    from skl_synth.datasets import load_student_placements

    data = load_student_placements()
    return data, GaussianCopulaSynthesizer(random_state=0).fit(data)


@pytest.fixture
def fitted(_fitted_placements):
    """Placements and a copula fitted on it (shared: sampling changes nothing)."""
    data, copula = _fitted_placements
    return data.copy(), copula


def _correlated_table(n_rows=3000, seed=0):
    """Two Gaussian columns with rho=0.8 and a category that depends on ``x``."""
    rng = np.random.default_rng(seed)
    x, y = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], size=n_rows).T
    group = np.where(x + 0.5 * rng.normal(size=n_rows) > 0.3, "high", "low")
    return pd.DataFrame({"x": 10 + 3 * x, "y": np.exp(y), "group": group})


@pytest.fixture(scope="module")
def correlated():
    data = _correlated_table()
    return data, GaussianCopulaSynthesizer(random_state=0).fit(data)


# --------------------------------------------------------------------------
# marginals and containers
# --------------------------------------------------------------------------


def test_sample_reproduces_columns_dtypes_and_marginals(fitted):
    data, copula = fitted
    sample = copula.sample(2000)

    assert list(sample.columns) == list(data.columns)
    pd.testing.assert_series_equal(sample.dtypes, data.dtypes)
    for column in data.select_dtypes(exclude=["number", "datetime"]).columns:
        assert set(sample[column].dropna()) <= set(data[column].dropna()), column
    np.testing.assert_allclose(
        sample.isna().mean(), data.isna().mean(), atol=0.06, err_msg="NaN rates"
    )
    for column in data.select_dtypes("float").columns:
        real, synthetic = data[column], sample[column]
        # quantile marginals: the mean is within 0.15 std (measured: < 0.03)
        assert abs(synthetic.mean() - real.mean()) < 0.15 * real.std(), column
        assert real.min() <= synthetic.min() and synthetic.max() <= real.max()
    for column in data.select_dtypes("datetime").columns:
        shift = abs(sample[column].mean() - data[column].mean())
        assert shift < 0.15 * data[column].std(), column


def test_fitted_attributes(fitted):
    data, copula = fitted
    layout = copula.encoder_.layout_
    correlation = copula.correlation_

    assert correlation.shape == (len(layout), len(layout))
    np.testing.assert_allclose(correlation, correlation.T)
    np.testing.assert_allclose(np.diag(correlation), 1.0)
    assert np.linalg.eigvalsh(correlation).min() > 0
    for span, order, cuts in zip(
        layout, copula.slot_order_, copula.cut_points_, strict=True
    ):
        if span.kind == "scalar":
            assert order is None and cuts is None
            continue
        assert sorted(order) == list(range(span.width))
        assert cuts[0] == 0 and cuts[-1] == 1 and np.all(np.diff(cuts) >= 0)
    # "placed" is True in 148 of 215 rows: the most frequent slot comes first
    placed = next(i for i, s in enumerate(layout) if s.column == "placed")
    np.testing.assert_allclose(copula.cut_points_[placed], [0, 148 / 215, 1])

    history = copula.history_
    assert list(history.columns) == ["epoch", "log_likelihood", "time"]
    assert history["epoch"].tolist() == [1]
    assert np.isfinite(history["log_likelihood"].iloc[0])
    assert history["time"].iloc[0] >= 0
    assert copula.n_features_in_ == 16
    assert list(copula.feature_names_in_) == list(data.columns)


def test_ndarray_in_ndarray_out():
    X = np.random.default_rng(0).normal(size=(200, 3)).astype(np.float32)
    X[:, 2] = np.round(X[:, 2])  # few distinct values: a discrete column

    copula = GaussianCopulaSynthesizer(random_state=0).fit(X)
    sample = copula.sample(50)

    assert isinstance(sample, np.ndarray)
    assert sample.shape == (50, 3) and sample.dtype == np.float32
    assert set(np.unique(sample[:, 2])) <= set(np.unique(X[:, 2]))


@pytest.mark.parametrize("n_rows", [1, 2])
def test_tiny_tables_and_constant_columns(placements, n_rows):
    data = placements.assign(constant=1.5, single="only").iloc[:n_rows]

    copula = GaussianCopulaSynthesizer(random_state=0).fit(data)
    sample = copula.sample(20, conditions={"gender": data["gender"].iloc[0]})

    assert np.all(np.isfinite(copula.correlation_))
    assert np.linalg.eigvalsh(copula.correlation_).min() > 0
    assert (sample["constant"] == 1.5).all() and (sample["single"] == "only").all()
    assert (sample["gender"] == data["gender"].iloc[0]).all()


# --------------------------------------------------------------------------
# dependence
# --------------------------------------------------------------------------


def test_dependence_is_reproduced(correlated):
    data, copula = correlated
    sample = copula.sample(3000)

    real_rho = data["x"].corr(data["y"], method="spearman")
    synthetic_rho = sample["x"].corr(sample["y"], method="spearman")
    assert abs(synthetic_rho - real_rho) < 0.1  # measured: 0.79 vs 0.79

    real_means = data.groupby("group")["x"].mean()
    synthetic_means = sample.groupby("group")["x"].mean()
    real_gap = real_means["high"] - real_means["low"]
    synthetic_gap = synthetic_means["high"] - synthetic_means["low"]
    # the frequency encoding attenuates the category's latent correlation
    # (measured: gap 2.5 vs 4.25 in the real table), but keeps its direction
    assert real_gap > 0 and synthetic_gap > 0.4 * real_gap


def test_correlation_estimate_matches_pearson_without_missing(correlated):
    _, copula = correlated
    # x and y are scalar spans 0 and 1; their latents are the normal scores
    assert copula.correlation_[0, 1] == pytest.approx(0.8, abs=0.03)


# --------------------------------------------------------------------------
# conditions
# --------------------------------------------------------------------------


def test_dict_conditions_are_exact_and_shift_the_rest(fitted):
    data, copula = fitted
    free = copula.sample(2000)
    not_placed = copula.sample(2000, conditions={"placed": False})
    placed = copula.sample(2000, conditions={"placed": True})

    assert (~not_placed["placed"]).all() and placed["placed"].all()
    # In the data salary is missing exactly when placed is False (31% of rows).
    # The frequency encoding jitters the latents within their intervals, which
    # caps their latent correlation at about 0.58 for these two indicators, so
    # P(salary missing | not placed) is about 0.58 under the model, not 1.
    # Measured: 0.56 (not placed), 0.31 (free), 0.20 (placed).
    assert data["salary"].isna().eq(~data["placed"]).all()
    assert not_placed["salary"].isna().mean() > 0.45
    assert placed["salary"].isna().mean() < 0.25
    assert (
        placed["salary"].isna().mean()
        < free["salary"].isna().mean()
        < not_placed["salary"].isna().mean()
    )


def test_several_dict_conditions(fitted):
    _, copula = fitted
    conditions = {"placed": False, "gender": "F", "mba_spec": "Mkt&HR"}
    sample = copula.sample(500, conditions=conditions)

    for column, value in conditions.items():
        assert (sample[column] == value).all(), column
    assert sample["salary"].isna().mean() > 0.45  # measured: 0.65


def test_dataframe_conditions_with_missing_cells(fitted):
    data, copula = fitted
    n_samples = 600
    conditions = pd.DataFrame(
        {
            "gender": np.tile(["F", None, "M"], n_samples // 3),
            "placed": np.tile([True, False, None, None], n_samples // 4),
        }
    )
    sample = copula.sample(n_samples, conditions=conditions)

    for column in conditions.columns:
        fixed = conditions[column].notna().to_numpy()
        assert (sample[column][fixed] == conditions[column][fixed]).all(), column
        free = sample[column][~fixed]  # free cells take every value
        assert set(free) == set(data[column]), column


def test_encoded_output_honours_conditions_before_enforcement(fitted):
    """The copula draws the conditioned slots itself, ``enforce`` is a no-op."""
    data, copula = fitted
    n_samples = 400
    conditions = pd.DataFrame(
        {
            "experience_years": np.tile([2, None, 0, None], n_samples // 4),
            "duration": np.tile([12.0, 3.0, None, np.nan], n_samples // 4),
            "high_spec": np.tile(["Arts", None], n_samples // 2),
        }
    )
    plan = ConditionPlan.from_conditions(copula.encoder_, n_samples, conditions)
    encoded = copula._sample_encoded(n_samples, plan, seed=0)
    decoded = copula.encoder_.inverse_transform(encoded)

    assert encoded.dtype == np.float32
    assert encoded.shape == (n_samples, sum(s.width for s in copula.encoder_.layout_))
    for column in conditions.columns:
        fixed = conditions[column].notna().to_numpy()
        expected = conditions[column][fixed].astype(data[column].dtype)
        np.testing.assert_array_equal(decoded[column][fixed], expected)


def test_conditions_match_rejection_sampling(correlated):
    """Conditioning samples the model's conditional, as rejection would."""
    _, copula = correlated
    conditioned = copula.sample(4000, conditions={"group": "high"})
    pool = copula.sample(20000)
    accepted = pool[pool["group"] == "high"]

    assert len(accepted) > 4000
    assert conditioned["x"].mean() == pytest.approx(accepted["x"].mean(), abs=0.1)
    assert conditioned["y"].median() == pytest.approx(accepted["y"].median(), rel=0.05)


def test_two_conditions_match_rejection_sampling():
    """Gibbs draws of several conditioned latents match rejection sampling."""
    rng = np.random.default_rng(1)
    latent = rng.multivariate_normal(
        [0, 0, 0], [[1, 0.6, 0.5], [0.6, 1, 0.4], [0.5, 0.4, 1]], size=4000
    )
    data = pd.DataFrame(
        {
            "a": np.where(latent[:, 0] > 0.4, "a1", "a0"),
            "b": np.where(latent[:, 1] > -0.3, "b1", "b0"),
            "x": latent[:, 2],
        }
    )
    copula = GaussianCopulaSynthesizer(random_state=0).fit(data)
    conditioned = copula.sample(5000, conditions={"a": "a1", "b": "b0"})
    pool = copula.sample(100_000)
    accepted = pool[(pool["a"] == "a1") & (pool["b"] == "b0")]

    assert len(accepted) > 3000
    # measured: 0.094 vs 0.096
    assert conditioned["x"].mean() == pytest.approx(accepted["x"].mean(), abs=0.04)


def test_unseen_condition_value_raises(fitted):
    _, copula = fitted
    with pytest.raises(ValueError, match="Engineering"):
        copula.sample(10, conditions={"degree_type": "Engineering"})


def test_condition_on_continuous_column_raises(fitted):
    _, copula = fitted
    with pytest.raises(ValueError, match="salary"):
        copula.sample(10, conditions={"salary": 30000.0})


# --------------------------------------------------------------------------
# randomness, cloning, persistence
# --------------------------------------------------------------------------


def test_same_random_state_same_samples_and_no_global_state(placements):
    numpy_state, python_state = np.random.get_state(), random.getstate()  # noqa: NPY002

    first = GaussianCopulaSynthesizer(random_state=3).fit(placements)
    second = GaussianCopulaSynthesizer(random_state=3).fit(placements)
    sample = first.sample(300, conditions={"placed": True})
    pd.testing.assert_frame_equal(
        sample, second.sample(300, conditions={"placed": True})
    )
    pd.testing.assert_frame_equal(
        sample, first.sample(300, conditions={"placed": True})
    )
    np.testing.assert_array_equal(first.correlation_, second.correlation_)

    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == numpy_state[0]
    np.testing.assert_array_equal(after[1], numpy_state[1])
    assert after[2:] == numpy_state[2:]
    assert random.getstate() == python_state


def test_different_random_states_differ(placements):
    first = GaussianCopulaSynthesizer(random_state=0).fit(placements).sample(50)
    second = GaussianCopulaSynthesizer(random_state=1).fit(placements).sample(50)
    assert not first.equals(second)


def test_input_is_not_modified(placements):
    before = placements.copy()
    GaussianCopulaSynthesizer(random_state=0).fit(placements)
    pd.testing.assert_frame_equal(placements, before)


def test_clone_and_pickle_round_trip(fitted):
    data, copula = fitted
    expected = copula.sample(200, conditions={"gender": "F"})

    refitted = clone(copula).fit(data)
    pd.testing.assert_frame_equal(
        refitted.sample(200, conditions={"gender": "F"}), expected
    )
    restored = pickle.loads(pickle.dumps(copula))
    pd.testing.assert_frame_equal(
        restored.sample(200, conditions={"gender": "F"}), expected
    )
    assert clone(copula).get_params() == {
        "discrete_columns": None,
        "column_kinds": None,
        "reject_copies": False,
        "random_state": 0,
    }


def test_invalid_parameters_raise(placements):
    with pytest.raises(ValueError, match="random_state"):
        GaussianCopulaSynthesizer(random_state="zero").fit(placements)


# --------------------------------------------------------------------------
# quality
# --------------------------------------------------------------------------


def _shuffle_columns(table, rng):
    """Each column permuted on its own: marginals kept, dependence destroyed."""
    return pd.DataFrame(
        {column: rng.permutation(table[column].to_numpy()) for column in table},
        index=table.index,
    ).astype(table.dtypes)


def test_score_beats_a_column_shuffled_copy(placements):
    first = placements.iloc[::2].reset_index(drop=True)
    held_out = placements.iloc[1::2].reset_index(drop=True)
    copula_scores, shuffled_scores = [], []
    for seed in range(3):
        copula = GaussianCopulaSynthesizer(random_state=seed).fit(first)
        shuffled = _shuffle_columns(first, np.random.default_rng(seed))
        copula_scores.append(copula.score(held_out))
        shuffled_scores.append(copula._score_frames(held_out, shuffled))
    # Measured (seeds 0, 1, 2): copula 0.505, 0.500, 0.582 (mean 0.529);
    # shuffled 0.472, 0.444, 0.435 (mean 0.450); the real half scores 0.876.
    # The copula's pairwise dependence beats independent columns, but the
    # detection forest still sees the broken "salary missing iff not placed"
    # rule, hence the modest margin.
    assert np.mean(copula_scores) > np.mean(shuffled_scores) + 0.04
    assert min(copula_scores) > max(shuffled_scores) - 0.01


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def test_nearest_correlation_repairs_an_indefinite_matrix():
    indefinite = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    assert np.linalg.eigvalsh(indefinite).min() < 0

    repaired = _nearest_correlation(indefinite)

    np.testing.assert_allclose(np.diag(repaired), 1.0)
    np.testing.assert_allclose(repaired, repaired.T)
    assert np.linalg.eigvalsh(repaired).min() > 0
    np.linalg.cholesky(repaired)


def test_truncated_normal_stays_in_interval_even_far_in_the_tail():
    v = np.linspace(0, 1, 101, endpoint=False)
    for mean, low, high in [(0.0, -0.5, 0.2), (-6.0, 3.0, np.inf), (8.0, -np.inf, 0)]:
        z = _truncated_normal(mean, 0.5, low, high, v)
        assert np.all(np.isfinite(z)) and np.all((z >= low) & (z <= high))
        assert np.all(np.diff(z) >= 0)  # inverse CDF: monotone in v
    z = _truncated_normal(0.0, 1.0, -np.inf, np.inf, np.array([0.5]))
    assert z[0] == pytest.approx(0.0)


def test_truncated_gibbs_matches_rejection_for_correlated_latents():
    """Strongly correlated conditioned latents: the box's joint, not marginals."""
    correlation = np.array([[1.0, 0.9], [0.9, 1.0]])
    draws = np.random.default_rng(0).multivariate_normal(
        [0, 0], correlation, size=2_000_000
    )
    accepted = draws[(draws[:, 0] >= 0.5) & (draws[:, 1] < 0)]
    n_rows = 20_000
    low = np.tile([0.5, -np.inf], (n_rows, 1))
    high = np.tile([np.inf, 0.0], (n_rows, 1))

    z = _truncated_gibbs(correlation, low, high, np.random.RandomState(0))

    assert np.all((z >= low) & (z <= high))
    # measured: means (0.691, -0.199) vs (0.690, -0.200) by rejection;
    # independent truncated draws would give (1.13, -0.80)
    np.testing.assert_allclose(z.mean(axis=0), accepted.mean(axis=0), atol=0.02)
    np.testing.assert_allclose(z.std(axis=0), accepted.std(axis=0), atol=0.02)


@pytest.mark.parametrize("conditions", [None, {"gender": "F", "placed": False}])
def test_column_by_column_decoding_equals_the_encoded_matrix(placements, conditions):
    # sampling decodes each column from the latent rows; decoding the whole
    # encoded matrix, as every synthesizer can, must give the same rows
    model = GaussianCopulaSynthesizer(random_state=0).fit(placements)
    plan = ConditionPlan.from_conditions(model.encoder_, 301, conditions)
    encoded = model._sample_encoded(301, plan, seed=5)
    expected = plan.enforce(model.encoder_.decode(encoded, np.random.RandomState(5)))
    pd.testing.assert_frame_equal(model._sample_table(301, plan, 5), expected)


def test_even_interpolation_matches_numpy_interp():
    rng = np.random.default_rng(0)
    values = np.sort(rng.normal(size=1_000))
    values[100:110] = values[100]  # ties, as quantiles of a discrete-ish column
    u = np.concatenate([[0.0, 1.0, 0.5, 1 / 999], rng.random(10_000)])
    expected = np.interp(u, np.linspace(0, 1, len(values)), values)
    np.testing.assert_allclose(_interp_even(u, values), expected, rtol=0, atol=1e-12)
    assert _interp_even(u, values)[1] == values[-1]
    np.testing.assert_array_equal(_interp_even(u, values[:1]), values[0])


def test_slots_from_latent_cuts_match_those_from_the_normal_cdf(_fitted_placements):
    _, model = _fitted_placements
    latent, required = model._latent_rows(
        20_000, ConditionPlan(model.encoder_, 20_000, {}, {}), 0
    )
    for j, span in enumerate(model.encoder_.layout_):
        if span.role != "category":
            continue
        u = np.clip(ndtr(latent[:, j]), 1e-6, 1 - 1e-6)
        rank = np.searchsorted(model.cut_points_[j][1:-1], u, side="right")
        expected = model.slot_order_[j][rank]
        np.testing.assert_array_equal(model._slots(j, span, latent, required), expected)
