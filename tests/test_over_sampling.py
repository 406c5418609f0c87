"""Generative over-samplers: counts, containers, filter, small classes, pipelines."""

import importlib.util
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from imblearn.pipeline import make_pipeline
from joblib import parallel_config
from scipy import sparse
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate

from skl_synth.ensemble import EnsembleSynthesizer
from skl_synth.over_sampling import (
    CopulaOverSampler,
    DiffusionOverSampler,
    GANOverSampler,
    GenerativeAugmenter,
    GenerativeOverSampler,
    VAEOverSampler,
)
from skl_synth.over_sampling._interpolation import interpolate_rows
from skl_synth.over_sampling._resampling import MIN_CLASS_ROWS
from skl_synth.synthesizers import (
    BaseSynthesizer,
    DiffusionSynthesizer,
    GANSynthesizer,
    GaussianCopulaSynthesizer,
    VAESynthesizer,
)
from skl_synth.utils._testing import tiny_synthesizer


def _copula_sampler(**params):
    return GenerativeOverSampler(GaussianCopulaSynthesizer(), random_state=0, **params)


def _tiny_vae():
    return tiny_synthesizer(VAESynthesizer).set_params(batch_size=100)


@pytest.fixture(scope="module")
def keel_abalone():
    """KEEL abalone9-18: 731 rows, a categorical and 7 float columns, IR 16."""
    path = Path(__file__).parents[1] / "benchmarks" / "_keel.py"
    spec = importlib.util.spec_from_file_location("_keel", path)
    keel = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(keel)
    return keel.load_keel("abalone9-18")


# --------------------------------------------------------------------------
# sampling_strategy: the counts of imbalanced-learn, exactly
# --------------------------------------------------------------------------


def _expected_counts(counts, strategy):
    majority, minority = max(counts.values()), min(counts.values())
    is_major = {c: n == majority for c, n in counts.items()}
    is_minor = {c: n == minority for c, n in counts.items()}
    if isinstance(strategy, dict):
        return {**counts, **strategy}
    if callable(strategy):
        return {**counts, **strategy(None)}
    if isinstance(strategy, float):
        return {c: int(strategy * majority) if c != max(counts, key=counts.get) else n
                for c, n in counts.items()}  # fmt: skip
    grown = {
        "auto": lambda c: not is_major[c],
        "not majority": lambda c: not is_major[c],
        "minority": lambda c: is_minor[c],
        "not minority": lambda c: not is_minor[c],
        "all": lambda c: True,
    }[strategy]
    return {c: majority if grown(c) else n for c, n in counts.items()}


@pytest.mark.parametrize(
    ("target", "strategy"),
    [
        ("high_spec", "auto"),
        ("high_spec", "minority"),
        ("high_spec", "not majority"),
        ("high_spec", "not minority"),
        ("high_spec", "all"),
        ("high_spec", {"Arts": 50, "Science": 100}),
        ("high_spec", lambda y: {"Arts": 40, "Commerce": 120}),
        ("placed", 0.8),
        ("placed", "auto"),
        ("gender", {"F": 77}),
    ],
    ids=lambda x: x.__class__.__name__ if callable(x) else str(x),
)
def test_counts_match_sampling_strategy(placements, target, strategy):
    X, y = placements.drop(columns=target), placements[target]
    counts = dict(Counter(y))
    X_res, y_res = _copula_sampler(sampling_strategy=strategy).fit_resample(X, y)
    assert dict(Counter(y_res)) == _expected_counts(counts, strategy)
    assert len(X_res) == len(y_res)
    # the real rows come first, unchanged
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)


def test_sampling_strategy_errors_are_imblearns(placements):
    X, y = placements.drop(columns="high_spec"), placements["high_spec"]
    with pytest.raises(
        ValueError, match="float only when the type of target is binary"
    ):
        _copula_sampler(sampling_strategy=0.5).fit_resample(X, y)
    with pytest.raises(ValueError, match="greater or equal"):
        _copula_sampler(sampling_strategy={"Arts": 5}).fit_resample(X, y)


# --------------------------------------------------------------------------
# containers, dtypes, categories, the type of y
# --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["conditional", "per_class"])
def test_dataframe_dtypes_and_categories_kept(placements, mode):
    data = placements.astype({"mba_spec": "category", "degree_type": "category"})
    data["degree_type"] = data["degree_type"].cat.set_categories(
        ["Comm&Mgmt", "Sci&Tech", "Others", "Never seen"]
    )
    X, y = data.drop(columns="placed"), data["placed"]
    X_before, y_before = X.copy(), y.copy()
    X_res, y_res = _copula_sampler(mode=mode).fit_resample(X, y)
    pd.testing.assert_frame_equal(X, X_before)  # the caller's data untouched
    pd.testing.assert_series_equal(y, y_before)
    assert list(X_res.columns) == list(X.columns)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    assert X_res["degree_type"].dtype == X["degree_type"].dtype  # categories too
    new = X_res.iloc[len(X) :]
    assert set(new["mba_spec"]) <= set(X["mba_spec"])
    assert set(new["high_spec"]) <= set(X["high_spec"])
    assert isinstance(y_res, pd.Series)
    assert y_res.name == "placed" and y_res.dtype == bool
    assert (y_res.iloc[len(X) :] == False).all()  # noqa: E712
    # the generated "not placed" rows are learned, not copied
    assert new["mba_perc"].nunique() > 0.5 * len(new)


def test_arrays_in_arrays_out(placements):
    numeric = placements.select_dtypes("number").drop(columns=["salary", "duration"])
    X = numeric.to_numpy(np.float32)
    y = placements["gender"].to_numpy(dtype=object)
    X_res, y_res = _copula_sampler().fit_resample(X, y)
    assert isinstance(X_res, np.ndarray) and X_res.dtype == np.float32
    assert y_res.dtype == object and Counter(y_res) == {"M": 139, "F": 139}
    X64 = X.astype(np.float64)
    X_list, y_list = _copula_sampler().fit_resample(X64.tolist(), y.tolist())
    assert isinstance(X_list, list) and isinstance(y_list, list)
    np.testing.assert_array_equal(X_list, _copula_sampler().fit_resample(X64, y)[0])


def test_dataframe_and_array_give_the_same_rows(placements):
    numeric = placements.select_dtypes("number").drop(columns=["salary", "duration"])
    y = placements["placed"].to_numpy().astype(np.int32)
    X_frame, y_frame = _copula_sampler().fit_resample(numeric, pd.Series(y))
    X_array, y_array = _copula_sampler().fit_resample(numeric.to_numpy(), y)
    np.testing.assert_array_equal(X_frame.to_numpy(), X_array)
    assert y_array.dtype == np.int32 and y_frame.dtype == np.int32


def test_column_named_like_the_target_column(placements):
    X = placements.drop(columns="placed").rename(columns={"gender": "__target__"})
    X_res, _ = _copula_sampler().fit_resample(X, placements["placed"])
    assert list(X_res.columns) == list(X.columns)
    assert set(X_res["__target__"]) == {"M", "F"}


def test_sparse_matrix_refused(placements):
    X = sparse.random(50, 3, density=0.5, format="csr", random_state=0)
    with pytest.raises(TypeError, match="sparse"):
        _copula_sampler().fit_resample(X, np.arange(50) % 3 == 0)


# --------------------------------------------------------------------------
# pipelines and grid search on a real KEEL table
# --------------------------------------------------------------------------


def test_pipeline_cross_validate_and_grid_search_on_keel(keel_abalone):
    X, y = keel_abalone
    assert X["Sex"].dtype == "category" and y.sum() == 42
    pipe = make_pipeline(
        GenerativeOverSampler(random_state=0),
        HistGradientBoostingClassifier(
            max_iter=20, categorical_features="from_dtype", random_state=0
        ),
    )
    pipe.set_params(generativeoversampler__synthesizer__batch_size=100)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    grid = GridSearchCV(
        pipe,
        {"generativeoversampler__synthesizer__epochs": [1, 3]},
        scoring="average_precision",
        cv=cv,
    )
    scores = cross_validate(grid, X, y, cv=cv, scoring="roc_auc")
    assert np.all(scores["test_score"] > 0.6)  # abalone9-18: about 0.8
    grid.fit(X, y)
    sampler = grid.best_estimator_[0]
    assert isinstance(sampler.synthesizer, VAESynthesizer)
    assert sampler.synthesizer.epochs in (1, 3)
    assert sampler.synthesizers_[1].n_epochs_ == sampler.synthesizer.epochs
    assert dict(sampler.sampling_strategy_) == {1: len(y) - 2 * 42}


def test_sampling_strategy_tuned_in_grid_search_like_smote(keel_abalone):
    X, y = keel_abalone
    pipe = make_pipeline(
        CopulaOverSampler(random_state=0),
        HistGradientBoostingClassifier(
            max_iter=20, categorical_features="from_dtype", random_state=0
        ),
    )
    grid = GridSearchCV(
        pipe,
        {"copulaoversampler__sampling_strategy": [0.25, 0.5, 1.0]},
        scoring="f1",
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    ).fit(X, y)
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()
    assert len(set(grid.cv_results_["mean_test_score"])) > 1  # the ratio matters
    ratio = grid.best_params_["copulaoversampler__sampling_strategy"]
    sampler = grid.best_estimator_[0]
    n_major = int((y == 0).sum())
    assert dict(sampler.sampling_strategy_) == {1: int(ratio * n_major) - 42}


def test_nested_parameters_of_the_default_synthesizer():
    assert GenerativeOverSampler().get_params()["synthesizer"] is None
    for cls, expected in [
        (GenerativeOverSampler, VAESynthesizer),
        (VAEOverSampler, VAESynthesizer),
        (GANOverSampler, GANSynthesizer),
        (DiffusionOverSampler, DiffusionSynthesizer),
    ]:
        sampler = cls().set_params(synthesizer__epochs=7)
        assert type(sampler.synthesizer) is expected
        assert sampler.get_params()["synthesizer__epochs"] == 7
    with pytest.raises(ValueError, match="Invalid parameter 'nope'"):
        GenerativeOverSampler().set_params(synthesizer__nope=1)


# --------------------------------------------------------------------------
# the filter
# --------------------------------------------------------------------------


class _ConditionBlindBootstrap(BaseSynthesizer):
    """Draws training rows at random and ignores the conditions' features.

    The conditioned cells are still set (the template enforces them), so its
    "minority" rows carry the minority label on mostly majority features: a
    synthesizer whose rows the filter must drop.
    """

    _parameter_constraints = {
        "discrete_columns": ["array-like", None],
        "random_state": ["random_state"],
    }

    def __init__(self, *, discrete_columns=None, random_state=None):
        self.discrete_columns = discrete_columns
        self.random_state = random_state

    def _fit_encoded(self, X, encoded, rng):
        self.rows_ = encoded

    def _sample_encoded(self, n_samples, plan, seed):
        rng = np.random.RandomState(seed)
        return self.rows_[rng.randint(len(self.rows_), size=n_samples)]


def _row_keys(frame):
    return set(map(tuple, frame.astype(str).to_numpy()))


def test_filter_drops_rows_that_contradict_the_real_data(placements):
    X, y = placements.drop(columns="placed"), placements["placed"]
    blind = _ConditionBlindBootstrap()
    unfiltered = GenerativeOverSampler(blind, random_state=0)
    X_bad, _ = unfiltered.fit_resample(X, y)
    real_placed = _row_keys(X[y])
    real_not_placed = _row_keys(X[~y])
    new_bad = _row_keys(X_bad.iloc[len(X) :])
    assert new_bad & real_placed  # placed students labelled "not placed"
    sampler = GenerativeOverSampler(blind, filter="classifier", random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {True: 148, False: 148}
    assert sampler.n_rejected_[False] > 0
    assert _row_keys(X_res.iloc[len(X) :]) <= real_not_placed
    assert sampler.filter_.n_estimators == 100


def test_filter_threshold_and_classifier_instance(placements):
    X = placements.select_dtypes("number").fillna(0).to_numpy()
    y = placements["placed"].to_numpy()
    blind = _ConditionBlindBootstrap()
    for filter_ in (0.9, LogisticRegression(max_iter=1000)):
        sampler = GenerativeOverSampler(blind, filter=filter_, random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        assert Counter(y_res) == {True: 148, False: 148}
        assert sampler.n_rejected_[False] > 0
        proba = sampler.filter_.predict_proba(
            X_res[len(X) :] if filter_ != 0.9 else np.nan_to_num(X_res[len(X) :])
        )
        if filter_ != 0.9:
            assert proba[:, 0].min() >= 0.5  # column 0: class False


def test_filter_that_cannot_be_met_completes_with_a_warning(placements):
    X, y = placements.drop(columns="placed"), placements["placed"]
    never = DummyClassifier(strategy="most_frequent")  # P(not placed) = 0
    sampler = GenerativeOverSampler(
        _ConditionBlindBootstrap(), filter=never, random_state=0
    )
    with pytest.warns(UserWarning, match="rejected too many.*class False"):
        _, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {True: 148, False: 148}
    assert sampler.n_rejected_[False] > 10 * 81


# --------------------------------------------------------------------------
# small classes, determinism, modes, the augmenter
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n_rows", [1, 3, MIN_CLASS_ROWS - 1])
@pytest.mark.parametrize("mode", ["conditional", "per_class"])
def test_small_class_gets_jittered_duplication(placements, n_rows, mode):
    small = placements[placements["gender"] == "F"].iloc[:n_rows]
    data = pd.concat([placements[placements["gender"] == "M"], small])
    X, y = data.drop(columns="gender"), data["gender"]
    sampler = _copula_sampler(mode=mode)
    with pytest.warns(UserWarning, match=f"fewer than {MIN_CLASS_ROWS} rows"):
        X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {"M": 139, "F": 139}
    assert sampler.fallback_classes_ == ["F"] and sampler.synthesizers_ == {}
    new = X_res.iloc[len(X) :]
    pd.testing.assert_series_equal(new.dtypes, X.dtypes)
    for column in ["high_spec", "work_experience", "experience_years"]:
        assert set(new[column]) <= set(small[column])
    for column in ["mba_perc", "high_perc"]:
        assert new[column].between(X[column].min(), X[column].max()).all()
        if n_rows > 1 or small[column].iloc[0] not in (X[column].min(),):
            assert new[column].nunique() > n_rows  # jittered, not copied


def test_single_row_class_warning_says_what_was_generated(placements):
    one = placements[placements["gender"] == "F"].iloc[:1]
    data = pd.concat([placements[placements["gender"] == "M"], one])
    X, y = data.drop(columns="gender"), data["gender"]
    with pytest.warns(UserWarning) as record:
        X_res, _ = _copula_sampler().fit_resample(X, y)
    message = str(record[0].message)
    assert "'F': 138 new row(s) from its 1 row(s)" in message
    assert "Gaussian noise of 0.1 standard deviations" in message
    # never a silent copy: the float columns differ from the one real row
    new = X_res.iloc[len(X) :]
    assert not (new["mba_perc"] == one["mba_perc"].iloc[0]).all()


def test_target_errors_are_those_of_imblearn(placements):
    from imblearn.over_sampling import SMOTE

    X = placements[["mba_perc", "high_perc"]]
    for y in [placements["salary"].fillna(0.5).to_numpy(), np.linspace(0, 1, len(X))]:
        with pytest.raises(ValueError) as expected:
            SMOTE().fit_resample(X, y)
        with pytest.raises(ValueError) as ours:
            _copula_sampler().fit_resample(X, y)
        assert str(ours.value) == str(expected.value)
        assert "Unknown label type" in str(ours.value)


def test_small_and_learned_classes_together(placements):
    X, y = placements.drop(columns="experience_years"), placements["experience_years"]
    sampler = _copula_sampler()
    with pytest.warns(UserWarning, match=r"classes \[3\] have fewer"):
        _, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {0: 141, 1: 141, 2: 141, 3: 141}
    assert sampler.fallback_classes_ == [3]
    assert set(sampler.synthesizers_) == {1, 2}


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: _copula_sampler(mode="per_class").set_params(random_state=seed),
        lambda seed: GenerativeOverSampler(_tiny_vae(), random_state=seed),
        lambda seed: GenerativeOverSampler(
            _tiny_vae(), filter="classifier", random_state=seed
        ),
    ],
    ids=["copula-per-class", "vae", "vae-filter"],
)
@pytest.mark.filterwarnings("ignore:the filter rejected too many")
def test_determinism_under_a_seed(placements, make):
    X, y = placements.drop(columns="placed"), placements["placed"]
    numpy_state = np.random.get_state()[1]  # noqa: NPY002 (checked, not used)
    torch_state = torch.get_rng_state()
    first, _ = make(0).fit_resample(X, y)
    second, _ = make(0).fit_resample(X, y)
    other, _ = make(1).fit_resample(X, y)
    pd.testing.assert_frame_equal(first, second)
    assert not first.iloc[len(X) :].equals(other.iloc[len(X) :])
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_per_class_mode_fits_one_synthesizer_per_class(placements):
    X, y = placements.drop(columns="high_spec"), placements["high_spec"]
    sampler = GenerativeOverSampler(_tiny_vae(), mode="per_class", random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {"Commerce": 113, "Science": 113, "Arts": 113}
    models = sampler.synthesizers_
    assert (
        set(models) == {"Arts", "Science"} and models["Arts"] is not models["Science"]
    )
    assert models["Arts"].n_features_in_ == X.shape[1]
    with parallel_config(backend="threading"):
        parallel = sampler.set_params(n_jobs=2).fit_resample(X, y)[0]
    pd.testing.assert_frame_equal(parallel, X_res)


def test_per_class_mode_keeps_columns_missing_in_a_class(placements):
    X, y = placements.drop(columns="placed"), placements["placed"]
    sampler = _copula_sampler(mode="per_class", sampling_strategy="all")
    X_res, y_res = sampler.fit_resample(X, y)
    new_not_placed = X_res.iloc[len(X) :][~y_res.iloc[len(X) :].to_numpy()]
    assert len(new_not_placed) == 148 - 67
    assert new_not_placed[["salary", "start_date", "duration"]].isna().all().all()
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)


@pytest.mark.parametrize("ratio", [0.5, 1.0, 0.1])
def test_augmenter_keeps_the_proportions(placements, ratio):
    X, y = placements.drop(columns="high_spec"), placements["high_spec"]
    augmenter = GenerativeAugmenter(GaussianCopulaSynthesizer(), ratio=ratio)
    X_res, y_res = augmenter.set_params(random_state=0).fit_resample(X, y)
    counts = Counter(y)
    added = {c: int(np.floor(ratio * n + 0.5)) for c, n in counts.items()}
    assert Counter(y_res) == {c: n + added[c] for c, n in counts.items()}
    assert dict(augmenter.sampling_strategy_) == added
    assert len(X_res) == len(y_res)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)


# --------------------------------------------------------------------------
# CopulaOverSampler: copulas on the clusters of each class
# --------------------------------------------------------------------------


def test_copula_over_sampler_defaults(placements):
    X, y = placements.drop(columns="placed"), placements["placed"]
    sampler = CopulaOverSampler(random_state=0)
    assert sampler.get_params()["mode"] == "per_class"
    assert sampler.get_params()["smote_share"] == 0.5
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {True: 148, False: 148}
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    model = sampler.synthesizers_[False]
    assert list(sampler.synthesizers_) == [False]
    assert isinstance(model, EnsembleSynthesizer) and model.partition == "cluster"
    # fitted on the class's own rows: no class column, nor its empty columns
    assert model.n_features_in_ == X[~y].dropna(axis=1, how="all").shape[1] == 11
    assert 2 <= model.n_parts_ <= 5 and sum(map(len, model.parts_)) == 67
    members = [type(member).__name__ for _, member in model.members_]
    assert set(members) == {"GaussianCopulaSynthesizer"}
    np.testing.assert_allclose(
        model.weights_, [len(part) / 67 for part in model.parts_]
    )
    sampler.set_params(synthesizer__n_partitions=2).fit_resample(X, y)
    assert sampler.synthesizers_[False].n_parts_ == 2


def _two_blob_classes(rng, n_minority=60, n_majority=300):
    """Minority at (-5, -5) and (5, 5), majority at (-5, 5) and (5, -5)."""

    def blobs(n, centers):
        picks = rng.randint(len(centers), size=n)
        return np.asarray(centers)[picks] + rng.normal(0, 0.5, size=(n, 2))

    X = np.vstack(
        [blobs(n_minority, [(-5, -5), (5, 5)]), blobs(n_majority, [(-5, 5), (5, -5)])]
    )
    y = np.r_[np.ones(n_minority, dtype=int), np.zeros(n_majority, dtype=int)]
    return pd.DataFrame(X, columns=["a", "b"]), y


def test_copula_over_sampler_keeps_the_regions_of_the_class():
    # One copula per class puts part of the minority's rows in the majority's
    # corners (the sign of a and b agree only through a correlation); the
    # mixture of copulas on the class's clusters keeps each row in one blob.
    X, y = _two_blob_classes(np.random.RandomState(0))
    single = GenerativeOverSampler(
        GaussianCopulaSynthesizer(), mode="per_class", random_state=0
    )
    for sampler, low, high in [
        (single, 0.2, 1.0),  # about 0.34
        (CopulaOverSampler(random_state=0), 0.0, 0.01),
    ]:
        X_res, y_res = sampler.fit_resample(X, y)
        new = X_res.iloc[len(X) :]
        assert (y_res[len(X) :] == 1).all() and len(new) == 240
        wrong = np.mean(np.sign(new["a"]) != np.sign(new["b"]))
        assert low <= wrong <= high, (type(sampler).__name__, wrong)


# --------------------------------------------------------------------------
# latent interpolation (VAEOverSampler(generation="interpolate"))
# --------------------------------------------------------------------------


def _blobs(n_major=300, n_minor=30, seed=0):
    """A majority blob at (0, 0) and a minority one at (3, 3), plus a category."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "a": np.r_[rng.normal(0, 1, n_major), rng.normal(3, 0.5, n_minor)],
            "b": np.r_[rng.normal(0, 1, n_major), rng.normal(3, 0.5, n_minor)],
            "colour": pd.Categorical(
                rng.choice(["red", "blue"], n_major + n_minor), ["blue", "red"]
            ),
        }
    )
    return X, np.r_[np.zeros(n_major, int), np.ones(n_minor, int)]


@pytest.fixture(scope="module")
def blobs():
    return _blobs()


def _interpolating(**params):
    vae = VAESynthesizer(epochs=40, batch_size=100, embedding_dim=8)
    params = {"generation": "interpolate", "random_state": 0, **params}
    return VAEOverSampler(vae, **params)


@pytest.mark.parametrize("mode", ["conditional", "per_class"])
def test_interpolation_keeps_new_rows_where_the_class_is(blobs, mode):
    X, y = blobs
    X_res, y_res = _interpolating(mode=mode).fit_resample(X, y)
    assert Counter(y_res) == {0: 300, 1: 300}
    new = X_res.iloc[len(X) :]
    pd.testing.assert_series_equal(new.dtypes, X.dtypes)
    assert set(new["colour"]) <= {"red", "blue"}
    minority = X[y == 1]
    for column in ["a", "b"]:
        # the class's region, not the table's: the majority sits at 0
        assert abs(new[column].mean() - minority[column].mean()) < 0.5
        assert new[column].quantile(0.05) > 1.5
        assert 0.2 < new[column].std() / minority[column].std() < 1.5


def test_interpolation_is_nearer_the_class_than_the_prior(blobs):
    X, y = blobs
    prior = _interpolating(generation="prior")
    far = prior.fit_resample(X, y)[0].iloc[len(X) :]
    near = _interpolating().fit_resample(X, y)[0].iloc[len(X) :]
    centre = X[y == 1][["a", "b"]].mean()
    distance = {
        name: np.hypot(*(rows[["a", "b"]] - centre).to_numpy().T).mean()
        for name, rows in [("prior", far), ("interpolate", near)]
    }
    assert distance["interpolate"] < 0.7 * distance["prior"]


def test_interpolation_is_deterministic_and_uses_k_neighbors(blobs):
    X, y = blobs
    first = _interpolating().fit_resample(X, y)[0]
    pd.testing.assert_frame_equal(first, _interpolating().fit_resample(X, y)[0])
    one = _interpolating(k_neighbors=1).fit_resample(X, y)[0]
    assert not first.iloc[len(X) :].equals(one.iloc[len(X) :])


def test_interpolation_bad_parameters(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match=r"an interpolate method.*GaussianCopula"):
        VAEOverSampler(
            GaussianCopulaSynthesizer(), generation="interpolate"
        ).fit_resample(X, y)
    with pytest.raises(ValueError, match="does not support reject_copies"):
        _interpolating(reject_copies=True).fit_resample(X, y)
    with pytest.raises(ValueError, match="k_neighbors"):
        _interpolating(k_neighbors=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="generation"):
        _interpolating(generation="smote").fit_resample(X, y)


# --------------------------------------------------------------------------
# smote_share: SMOTE-style rows on mixed-type tables
# --------------------------------------------------------------------------


def test_interpolated_rows_lie_between_nearest_neighbours():
    rows = pd.DataFrame(
        {
            "x": [0.0, 1.0, 10.0, 11.0],
            "n": pd.array([0, 2, 100, 102], dtype="Int64"),
            "when": pd.to_datetime(["2020-01-01", "2020-01-03", "2021-01-01",
                                    "2021-01-03"]).tz_localize("Europe/Paris"),
            "c": pd.Categorical(["a", "a", "b", "b"], ["a", "b", "z"]),
        }
    )  # fmt: skip
    new = interpolate_rows(rows, 400, k_neighbors=1, seed=0)
    pd.testing.assert_series_equal(new.dtypes, rows.dtypes)
    low = new["x"] <= 1.0
    # the nearest neighbour of 0 is 1 and of 10 is 11: never between 1 and 10
    assert (low | (new["x"] >= 10.0)).all()
    assert new["x"].between(0, 11).all() and 0.3 < low.mean() < 0.7
    assert ((new["n"] <= 2) == low).all() and (new["n"] >= 0).all()
    assert ((new["c"] == "a") == low).all()  # each row keeps its pair's category
    assert ((new["when"].dt.year == 2020) == low).all()
    assert new["x"].nunique() > 300  # points along the segments, not copies


def test_interpolated_rows_keep_missing_values_of_the_nearer_row():
    rows = pd.DataFrame({"x": [0.0, 1.0, np.nan, 3.0], "t": ["u", "v", None, "w"]})
    new = interpolate_rows(rows, 500, k_neighbors=3, seed=1)
    assert new["x"].isna().any() and new["t"].isna().any()
    # a missing x comes with the row whose x is missing
    assert (new["x"].isna() == new["t"].isna()).all()
    assert new["x"].dropna().between(0, 3).all()


@pytest.mark.parametrize("share", [0.5, 1.0])
def test_smote_share_mixes_interpolated_and_generated_rows(placements, share):
    X, y = placements.drop(columns="gender"), placements["gender"]
    sampler = CopulaOverSampler(smote_share=share, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {"M": 139, "F": 139}
    new = X_res.iloc[len(X) :]
    pd.testing.assert_series_equal(new.dtypes, X.dtypes)
    n_smote = round(share * 63)
    smote = new.iloc[63 - n_smote :]
    women = X[y == "F"]
    for column in ["mba_perc", "high_perc"]:  # inside the class's range
        assert smote[column].between(women[column].min(), women[column].max()).all()
    # a placed student has a salary, an unplaced one none, as in the real rows
    assert (smote["placed"] == smote["salary"].notna()).all()
    assert (list(sampler.synthesizers_) == ["F"]) == (share < 1)
    assert sampler.get_params()["k_neighbors"] == 5


def test_smote_share_is_validated(placements):
    X, y = placements.drop(columns="gender"), placements["gender"]
    with pytest.raises(ValueError, match="smote_share"):
        CopulaOverSampler(smote_share=1.5).fit_resample(X, y)
