"""Tests of EnsembleSynthesizer: parts, weights, sampling, composition, dask."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skl_synth.ensemble import EnsembleSynthesizer
from skl_synth.ensemble._partition import cluster_parts
from skl_synth.synthesizers import (
    GANSynthesizer,
    GaussianCopulaSynthesizer,
    VAESynthesizer,
)
from skl_synth.utils._testing import tiny_synthesizer
from skl_synth.utils.estimator_checks import (
    check_synthesizer_conditions,
    check_synthesizer_global_random_state,
    check_synthesizer_sample_ndarray,
)


class _RecordingCopula(GaussianCopulaSynthesizer):
    """A copula that records how many rows each of its sample calls asked."""

    def fit(self, X, y=None):
        self.sampled_ = []
        return super().fit(X, y)

    def sample(self, n_samples, *, conditions=None):
        self.sampled_.append(n_samples)
        return super().sample(n_samples, conditions=conditions)


class _FailingCopula(GaussianCopulaSynthesizer):
    def fit(self, X, y=None):
        if len(X) < 150:
            raise RuntimeError("boom on a small part")
        return super().fit(X, y)


def _copulas(**params):
    params = {"partition": "kfold", "n_partitions": 2, "random_state": 0, **params}
    return EnsembleSynthesizer([("copula", GaussianCopulaSynthesizer())], **params)


def _recording_ensemble_by_placed(data):
    """Recording copulas, one per value of ``placed``, weighted by size."""
    return EnsembleSynthesizer(
        [("copula", _RecordingCopula())],
        partition="column",
        partition_column="placed",
        weighting="size",
        random_state=0,
    ).fit(data)


def _copula_and_vae(**params):
    params = {"partition": "kfold", "n_partitions": 2, "random_state": 0, **params}
    synthesizers = [
        ("copula", GaussianCopulaSynthesizer()),
        ("vae", tiny_synthesizer(VAESynthesizer)),
    ]
    return EnsembleSynthesizer(synthesizers, **params)


def _copula_and_weak_vae(**params):
    """A copula and a one-epoch VAE on all rows: the copula wins the selection."""
    weak_vae = tiny_synthesizer(VAESynthesizer).set_params(epochs=1)
    return EnsembleSynthesizer(
        [("copula", GaussianCopulaSynthesizer()), ("vae", weak_vae)],
        **{"partition": "none", "random_state": 0, **params},
    )


# --------------------------------------------------------------------------
# parts and weights


@pytest.mark.parametrize("n_partitions", [2, 3])
def test_kfold_parts_are_disjoint_and_cover_the_rows(placements, n_partitions):
    ensemble = _copulas(n_partitions=n_partitions, weighting="size").fit(placements)
    parts = ensemble.parts_
    assert len(parts) == ensemble.n_parts_ == n_partitions
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(len(placements)))
    assert sorted(len(p) for p in parts)[-1] - sorted(len(p) for p in parts)[0] <= 1
    assert [name for name, _ in ensemble.members_] == [
        f"copula_{p}" for p in range(n_partitions)
    ]
    np.testing.assert_allclose(ensemble.weights_, [len(p) / 215 for p in parts])


def test_bootstrap_and_none_parts(placements):
    bootstrap = _copulas(partition="bootstrap", n_partitions=3, weighting="uniform")
    bootstrap.fit(placements)
    for part in bootstrap.parts_:
        assert len(part) == len(placements)
        assert len(np.unique(part)) < len(part)  # drawn with replacement
    assert not np.array_equal(bootstrap.parts_[0], bootstrap.parts_[1])
    np.testing.assert_allclose(bootstrap.weights_, [1 / 3] * 3)

    none = _copulas(partition="none", n_partitions=2, weighting="uniform")
    none.fit(placements)
    assert all(np.array_equal(p, np.arange(215)) for p in none.parts_)
    first, second = (member for _, member in none.members_)
    assert first.random_state != second.random_state  # members differ by seed
    assert not first.sample(20).equals(second.sample(20))


def test_cluster_parts_cover_the_rows(placements):
    ensemble = _copulas(partition="cluster", n_partitions=3, weighting="size")
    ensemble.fit(placements)
    parts = ensemble.parts_
    assert 2 <= ensemble.n_parts_ <= 3
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(len(placements)))
    assert min(len(p) for p in parts) >= 8  # max(2, 0.1 * 215 / 3)


def test_tiny_clusters_are_merged_into_the_nearest():
    rng = np.random.RandomState(0)
    points = np.vstack(
        [
            rng.normal(0, 1, (100, 2)),
            rng.normal(20, 1, (100, 2)),
            rng.normal([40, 20], 1, (3, 2)),  # 3 rows: below the minimum of 7
        ]
    )
    rows = np.arange(1000, 1203)
    parts, _ = cluster_parts(points, rows, 3, seed=0, observed=np.ones(203, bool))
    assert len(parts) == 2
    assert np.array_equal(np.sort(np.concatenate(parts)), rows)
    with_outliers = next(p for p in parts if 1202 in p)
    assert set(range(1100, 1203)) == set(with_outliers)  # merged into the near blob


def test_clusters_of_rows_missing_everywhere_are_merged():
    # one column of 0, 1 and missing values (imbalanced-learn's NaN check):
    # the rows missing in their only column form a cluster no member could
    # learn from; merged, the members generate missing values at their rate
    rng = np.random.RandomState(0)
    values = np.array([0.0, 1.0, np.nan])[rng.randint(0, 3, 300)]
    ensemble = _copulas(partition="cluster", n_partitions=3, weighting="size")
    ensemble.fit(values.reshape(-1, 1))
    for part in ensemble.parts_:
        assert not np.isnan(values[part]).all()
    assert ensemble.dropped_columns_ == [[]] * len(ensemble.members_)
    sample = ensemble.sample(3000)
    assert abs(np.isnan(sample).mean() - np.isnan(values).mean()) < 0.05


def test_column_parts_match_the_values(placements):
    ensemble = _copulas(
        partition="column", partition_column="high_spec", weighting="size"
    ).fit(placements)
    assert ensemble.part_values_ == sorted(placements["high_spec"].unique())
    for part, value in zip(ensemble.parts_, ensemble.part_values_, strict=True):
        assert (placements["high_spec"].iloc[part] == value).all()
    covered = np.sort(np.concatenate(ensemble.parts_))
    assert np.array_equal(covered, np.arange(len(placements)))


def test_column_partition_keeps_a_part_of_missing_values(placements):
    placements["gender"] = placements["gender"].astype(object)
    placements.loc[:9, "gender"] = None
    ensemble = _copulas(partition="column", partition_column="gender")
    ensemble.set_params(weighting="uniform").fit(placements)
    assert ensemble.part_values_ == ["F", "M", None]
    assert np.array_equal(ensemble.parts_[2], np.arange(10))


def test_validation_weights_favour_the_better_member(placements):
    bad_gan = GANSynthesizer(**{**tiny_synthesizer(GANSynthesizer).get_params()})
    bad_gan.set_params(epochs=1)
    ensemble = EnsembleSynthesizer(
        [("copula", GaussianCopulaSynthesizer()), ("gan", bad_gan)],
        partition="none",
        n_partitions=1,
        weighting="validation",
        race=False,  # greedy selection among members trained to their ends
        random_state=0,
    ).fit(placements)
    assert not ensemble.race_ and not ensemble.refitted_.any()
    weights = ensemble.weights_
    assert (weights >= 0).all() and np.isclose(weights.sum(), 1.0)
    assert weights[0] > weights[1]
    assert not np.allclose(weights, 0.5)
    scores = ensemble.member_scores_
    assert scores[0] > scores[1] + 0.1  # the copula is clearly better
    (trace,) = ensemble.selection_scores_
    assert trace[0] == scores.max() and np.all(np.diff(trace) > 0)
    assert len(ensemble.validation_indices_) == round(0.2 * 215)
    assert set(ensemble.validation_indices_).isdisjoint(ensemble.parts_[0])
    assert len(ensemble.parts_[0]) == 215 - 43
    assert ensemble.selection_time_ > 0
    assert list(ensemble.summary_["validation_score"]) == list(scores)


@pytest.mark.parametrize(
    "check",
    [
        check_synthesizer_sample_ndarray,
        check_synthesizer_global_random_state,
        check_synthesizer_conditions,
    ],
    ids=lambda check: check.__name__,
)
def test_validation_weighting_passes_synthesizer_checks(check):
    # the common tests use "size" weighting, cheaper; these checks cover
    # selection on arrays, with random_state=None, and under conditions
    check("EnsembleSynthesizer", _copulas(weighting="validation"))


def _rare_class_table(n_rows=400, seed=0):
    """A class of 5% whose rows differ in a number and a category."""
    rng = np.random.RandomState(seed)
    rare = np.arange(n_rows) < round(0.05 * n_rows)
    rng.shuffle(rare)
    return pd.DataFrame(
        {
            "label": np.where(rare, "rare", "common"),
            "x": rng.normal(np.where(rare, 4.0, 0.0), 1.0),
            "colour": np.where(rare, "red", rng.choice(["blue", "green"], n_rows)),
        }
    )


@pytest.mark.parametrize(
    "partition", ["none", "bootstrap", "kfold", "cluster", "column"]
)
def test_every_partition_keeps_the_share_of_a_rare_class(partition):
    table = _rare_class_table()
    ensemble = _copula_and_vae(
        partition=partition,
        n_partitions=3,
        partition_column="label",
        weighting="validation",
    ).fit(table)
    training = np.setdiff1d(np.arange(len(table)), ensemble.validation_indices_)
    share = (table["label"].iloc[training] == "rare").mean()
    generated = (ensemble.sample(20_000)["label"] == "rare").mean()
    assert abs(generated - share) <= 0.1 * share
    if partition in ("kfold", "cluster", "column"):  # each part keeps its share
        sizes = np.array([len(part) for part in ensemble.parts_])
        per_part = np.bincount(ensemble.member_parts_, weights=ensemble.weights_)
        np.testing.assert_allclose(per_part, sizes / sizes.sum())
    held = table["label"].iloc[ensemble.validation_indices_]
    assert (held == "rare").sum() == round(0.2 * 20)  # stratified by label
    if partition == "cluster":  # clusters of each label apart
        for part in ensemble.parts_:
            labels = table["label"].iloc[part].to_numpy()
            assert (labels == labels[0]).all()


def test_selection_within_parts_scores_each_part_on_its_own_rows(placements):
    ensemble = _copula_and_vae(
        partition="column", partition_column="placed", weighting="validation"
    ).fit(placements)
    held = ensemble.validation_parts_
    for value, rows in zip(ensemble.part_values_, held, strict=True):
        assert len(rows) >= 10 and (placements["placed"].iloc[rows] == value).all()
    assert np.isfinite(ensemble.member_scores_).all()
    assert len(ensemble.selection_scores_) == 2  # one selection per part

    # too few held-out rows in a part: it takes the other parts' mix
    tiny = _copula_and_vae(
        partition="column",
        partition_column="placed",
        weighting="validation",
        validation_fraction=0.05,
    ).fit(placements)
    unscored = [i for i, rows in enumerate(tiny.validation_parts_) if len(rows) < 10]
    assert unscored
    for p in unscored:
        assert np.isnan(tiny.member_scores_[tiny.member_parts_ == p]).all()
        assert len(tiny.selection_scores_[p]) == 0
    np.testing.assert_allclose(tiny.weights_.sum(), 1.0)


def test_one_member_can_take_all_weight_and_is_refitted_on_all_rows(placements):
    ensemble = _copula_and_weak_vae(n_partitions=1, refit=True).fit(placements)
    np.testing.assert_array_equal(ensemble.weights_, [1.0, 0.0])
    np.testing.assert_array_equal(ensemble.refitted_, [True, False])
    assert list(ensemble.summary_["refitted"]) == [True, False]
    member = ensemble.members_[0][1]
    alone = GaussianCopulaSynthesizer(random_state=member.random_state)
    alone.fit(placements)  # all rows, the held-out ones included
    pd.testing.assert_frame_equal(member.sample(30), alone.sample(30))

    kept = clone(ensemble).set_params(refit=False).fit(placements)
    assert not kept.refitted_.any()
    assert not kept.members_[0][1].sample(30).equals(alone.sample(30))


def test_resample_partitions_select_synthesizers_with_their_seeds_even(placements):
    ensemble = _copula_and_weak_vae(n_partitions=2, refit=False).fit(placements)
    # the candidates are the synthesizers: copula_0 and copula_1 share a
    # score (of their rows mixed) and the copula's weight
    np.testing.assert_array_equal(ensemble.weights_, [0.5, 0.5, 0.0, 0.0])
    scores = ensemble.member_scores_
    assert scores[0] == scores[1] and scores[2] == scores[3]
    assert scores[0] > scores[2]


def test_time_budget_stops_deep_members_and_reports_their_seconds(placements):
    slow_vae = tiny_synthesizer(VAESynthesizer).set_params(epochs=100_000)
    ensemble = EnsembleSynthesizer(
        [("copula", GaussianCopulaSynthesizer()), ("vae", slow_vae)],
        partition="kfold",
        n_partitions=2,
        weighting="size",
        time_budget=1.0,
        random_state=0,
    ).fit(placements)
    for name, member in ensemble.members_:
        assert not hasattr(member, "_time_limit")  # forgotten after the fit
        if name.startswith("vae"):
            assert 1 <= member.n_epochs_ < 100_000
            # 0.85 of the budget left, split by rows: about 0.42 s each, one
            # at a time (less what the fit spent before the members started)
            assert member.history_["time"].iloc[-1] >= 0.3
    seconds = ensemble.fit_seconds_
    assert seconds.shape == (4,) and (seconds > 0).all()
    np.testing.assert_array_equal(ensemble.summary_["fit_time"], seconds)
    assert list(ensemble.summary_["epochs"].isna()) == [True, True, False, False]


@pytest.mark.parametrize("budget", [0, -1.0])
def test_time_budget_must_be_positive(placements, budget):
    with pytest.raises(ValueError, match="'time_budget' parameter"):
        _copulas(time_budget=budget).fit(placements)


def test_a_part_too_small_for_a_member_is_merged_with_a_warning(placements):
    rare = placements.assign(gender=["F"] + ["M"] * 214)
    ensemble = _copulas(partition="column", partition_column="gender", weighting="size")
    with pytest.warns(UserWarning, match=r"part 0 \(gender='F'\) with 1 row"):
        ensemble.fit(rare)
    assert ensemble.n_parts_ == 1 and ensemble.part_values_ == [["M", "F"]]
    sample = ensemble.sample(10, conditions={"gender": "F"})
    assert (sample["gender"] == "F").all()

    with pytest.warns(UserWarning, match="pooled into 1 parts"):
        tiny = _copulas(weighting="validation", n_partitions=2).fit(placements[:5])
    assert tiny.n_parts_ == 1 and len(tiny.parts_[0]) == 3


def test_n_jobs_all_cores_gives_the_sequential_fit(placements):
    params = {"partition": "kfold", "n_partitions": 2, "weighting": "size"}
    sequential = _copula_and_vae(**params).fit(placements)
    parallel = _copula_and_vae(**params, n_jobs=-1).fit(placements)
    pd.testing.assert_frame_equal(sequential.sample(50), parallel.sample(50))


# --------------------------------------------------------------------------
# sampling


def test_determinism_under_a_seed(placements):
    first = _copulas(weighting="validation").fit(placements).sample(50)
    second = _copulas(weighting="validation").fit(placements)
    pd.testing.assert_frame_equal(first, second.sample(50))
    pd.testing.assert_frame_equal(first, second.sample(50))
    pd.testing.assert_frame_equal(first.dtypes.to_frame(), placements.dtypes.to_frame())

    fresh = _copulas(weighting="uniform", random_state=None).fit(placements)
    assert not fresh.sample(50).equals(fresh.sample(50))


def test_encoded_rows_are_the_mixture_in_the_ensemble_layout(placements):
    from skl_synth.synthesizers._conditions import ConditionPlan

    ensemble = _copulas(weighting="size").fit(placements)
    plan = ConditionPlan.from_conditions(ensemble.encoder_, 30, {"gender": "F"})
    encoded = ensemble._sample_encoded(30, plan, 3)
    assert encoded.shape == (30, ensemble.encoder_.transform(placements).shape[1])
    table = ensemble._sample_table(30, plan, 3)
    assert (table["gender"] == "F").all()
    pd.testing.assert_frame_equal(ensemble.encoder_.inverse_transform(encoded), table)


def test_sample_concatenates_members_in_random_order(placements):
    ensemble = _recording_ensemble_by_placed(placements)
    sample = ensemble.sample(400)
    calls = [member.sampled_ for _, member in ensemble.members_]
    assert sum(c[0] for c in calls) == 400
    assert abs(calls[1][0] / 400 - 148 / 215) < 0.1  # multinomial by weight
    placed = sample["placed"].to_numpy()
    assert 0 < placed[:200].mean() < 1  # shuffled, not one member then another


def test_conditions_route_to_members_that_saw_the_value(placements):
    placements["high_spec"] = placements["high_spec"].astype(object)
    placements.loc[placements.index[placements["placed"]][:5], "high_spec"] = "Z"
    ensemble = _recording_ensemble_by_placed(placements)
    assert ensemble.part_values_ == [False, True]

    sample = ensemble.sample(30, conditions={"placed": False, "gender": "F"})
    assert (~sample["placed"]).all() and (sample["gender"] == "F").all()
    assert [m.sampled_ for _, m in ensemble.members_] == [[30], []]
    assert sample["salary"].isna().all()  # the not-placed have no salary

    sample = ensemble.sample(20, conditions={"high_spec": "Z"})
    assert (sample["high_spec"] == "Z").all() and sample["placed"].all()

    per_row = pd.DataFrame(
        {"placed": [True, False, None, False] * 5, "gender": ["M", None, "F", "F"] * 5}
    )
    sample = ensemble.sample(20, conditions=per_row)
    asked = per_row["placed"].notna()
    assert (sample["placed"][asked] == per_row["placed"][asked]).all()
    asked = per_row["gender"].notna()
    assert (sample["gender"][asked] == per_row["gender"][asked]).all()

    with pytest.raises(ValueError, match="'Atlantis'"):
        ensemble.sample(5, conditions={"high_spec": "Atlantis"})
    with pytest.raises(ValueError, match=r"no member .* saw .*together"):
        ensemble.sample(5, conditions={"placed": False, "high_spec": "Z"})
    rows = pd.DataFrame({"placed": [True, False], "high_spec": ["Z", "Z"]})
    with pytest.raises(ValueError, match="conditions row 1"):
        ensemble.sample(2, conditions=rows)


def test_columns_missing_in_a_part_come_back_missing(placements):
    ensemble = _copulas(partition="column", partition_column="placed", weighting="size")
    ensemble.fit(placements)
    assert "salary" in ensemble.dropped_columns_[0]
    assert ensemble.dropped_columns_[1] == []
    sample = ensemble.sample(200)
    pd.testing.assert_series_equal(sample.dtypes, placements.dtypes)
    assert sample["salary"][~sample["placed"]].isna().all()
    assert sample["salary"][sample["placed"]].notna().mean() > 0.9


def test_pickle_round_trip_gives_identical_samples(placements):
    ensemble = _copula_and_vae(weighting="size").fit(placements)
    sample = ensemble.sample(40, conditions={"gender": "M"})
    restored = pickle.loads(pickle.dumps(ensemble))
    pd.testing.assert_frame_equal(
        restored.sample(40, conditions={"gender": "M"}), sample
    )


# --------------------------------------------------------------------------
# composition


def test_params_clone_and_default_synthesizers():
    ensemble = _copula_and_vae()
    params = ensemble.get_params(deep=True)
    assert params["vae__epochs"] == 2 and "copula__random_state" in params
    ensemble.set_params(vae__epochs=3, n_partitions=4)
    assert ensemble.synthesizers[1][1].epochs == 3 and ensemble.n_partitions == 4
    cloned = clone(ensemble)
    assert cloned.synthesizers[1][1] is not ensemble.synthesizers[1][1]
    assert cloned.get_params()["vae__epochs"] == 3

    default = EnsembleSynthesizer()
    assert "gan__epochs" not in default.get_params()
    default.set_params(gan__epochs=7)
    names = [name for name, _ in default.synthesizers]
    assert names == ["copula", "gan", "vae", "diffusion"]
    assert default.synthesizers[1][1].epochs == 7
    assert clone(default).get_params()["gan__epochs"] == 7


def test_grid_search_tunes_a_member_parameter(placements):
    search = GridSearchCV(
        _copula_and_vae(weighting="uniform"), {"vae__epochs": [1, 2]}, cv=2
    ).fit(placements)
    assert search.best_params_["vae__epochs"] in (1, 2)
    scores = search.cv_results_["mean_test_score"]
    assert np.all((scores > 0.05) & (scores < 1))
    assert (
        search.best_estimator_.members_[2][1].epochs
        == search.best_params_["vae__epochs"]
    )


def test_verbose_shows_progress(placements, capsys):
    _copula_and_vae(weighting="uniform", verbose=1).fit(placements)
    err = capsys.readouterr().err
    assert "members" in err and "vae_0" in err and "vae_1" in err  # member bars
    _copulas(weighting="uniform").fit(placements)
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------------
# errors


def test_failing_member_names_member_and_part(placements):
    ensemble = EnsembleSynthesizer(
        [("copula", GaussianCopulaSynthesizer()), ("bad", _FailingCopula())],
        partition="column",
        partition_column="placed",
        weighting="uniform",
    )
    message = r"member 'bad_0' \(synthesizer 'bad', part 0 of 2: 67 rows\).*boom"
    with pytest.raises(ValueError, match=message) as error:
        ensemble.fit(placements)
    assert isinstance(error.value.__cause__, RuntimeError)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"partition_column": None}, "needs partition_column"),
        ({"partition_column": "nope"}, "'nope' is not a column of X"),
        ({"partition_column": "salary"}, "'salary' is a continuous column"),
        ({"partition": "kfold", "n_partitions": 1}, "n_partitions >= 2"),
    ],
)
def test_bad_partition_parameters(placements, params, message):
    ensemble = _copulas(**{"partition": "column", "weighting": "uniform", **params})
    with pytest.raises(ValueError, match=message):
        ensemble.fit(placements)


def test_bad_synthesizers_and_tiny_inputs(placements):
    with pytest.raises(ValueError, match="empty"):
        EnsembleSynthesizer([]).fit(placements)
    with pytest.raises(ValueError, match="not unique"):
        copula = GaussianCopulaSynthesizer()
        EnsembleSynthesizer([("a", copula), ("a", copula)]).fit(placements)
    with pytest.raises(TypeError, match="instance"):
        EnsembleSynthesizer([("a", GaussianCopulaSynthesizer)]).fit(placements)
    with pytest.raises(ValueError, match="n_samples = 3"):
        _copulas(weighting="validation", n_partitions=2).fit(placements.iloc[:3])
    with pytest.raises(ValueError, match="time_budget"):
        _copulas(time_budget=0).fit(placements)
    ensemble = _copulas(weighting="size").fit(placements)
    with pytest.raises(ValueError, match="n_samples"):
        ensemble.sample(0)


# --------------------------------------------------------------------------
# dask


class _WorkerRecordingCopula(GaussianCopulaSynthesizer):
    """Records the address of the dask worker that fits it (fails elsewhere)."""

    def fit(self, X, y=None):
        from distributed import get_worker

        self.worker_address_ = get_worker().address
        return super().fit(X, y)


def test_members_train_on_dask_workers(placements):
    distributed = pytest.importorskip("distributed")
    ensemble = EnsembleSynthesizer(
        [("copula", _WorkerRecordingCopula())],
        partition="kfold",
        n_partitions=4,
        weighting="size",
        random_state=0,
    )
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        parallel_config(backend="dask"),
    ):
        ensemble.fit(placements)
        workers = set(client.scheduler_info()["workers"])
    addresses = {member.worker_address_ for _, member in ensemble.members_}
    assert addresses and addresses <= workers
    local = clone(ensemble).set_params(
        synthesizers=[("copula", GaussianCopulaSynthesizer())]
    )
    pd.testing.assert_frame_equal(ensemble.sample(30), local.fit(placements).sample(30))


def test_held_out_rows_keep_the_shares_of_rare_values_without_a_partition_column():
    # issue 29: a 3.3% class came out at 2.9 to 3.0% of the training rows
    rng = np.random.default_rng(0)
    n = 600
    table = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "label": np.where(np.arange(n) % 30 == 0, "rare", "common"),
            "colour": rng.choice(["red", "blue", "green"], n, p=[0.9, 0.07, 0.03]),
        }
    )
    for seed in range(3):
        ensemble = _copulas(partition="none", n_partitions=1, random_state=seed)
        ensemble.fit(table)
        held = table.iloc[ensemble.validation_indices_]
        training = table.drop(index=ensemble.validation_indices_)
        assert len(held) == 120
        # the rarest value of each column, within a row of its share (drawn
        # at random, the rare label's held-out count spreads by 1.6 rows)
        assert abs((held["label"] == "rare").sum() - 4) <= 1
        assert abs((training["label"] == "rare").mean() - 1 / 30) < 0.1 / 30
        for colour in ("blue", "green"):
            expected = 0.2 * (table["colour"] == colour).sum()
            assert abs((held["colour"] == colour).sum() - expected) <= 1


def _racing_ensemble(epochs=80, **params):
    slow_vae = tiny_synthesizer(VAESynthesizer).set_params(epochs=epochs)
    poor_gan = tiny_synthesizer(GANSynthesizer).set_params(epochs=epochs)
    return EnsembleSynthesizer(
        [("copula", GaussianCopulaSynthesizer()), ("gan", poor_gan), ("vae", slow_vae)],
        **{"race": True, "random_state": 0, **params},
    )


def test_race_trains_on_only_the_synthesizers_that_can_win(placements):
    ensemble = _racing_ensemble(refit=False).fit(placements)
    summary = ensemble.summary_.set_index("synthesizer")
    dropped = summary["race_round"].notna()
    assert dropped.sum() >= 1  # the better half of three is two
    assert (summary.loc[dropped, "weight"] == 0).all()
    assert np.isclose(summary["weight"].sum(), 1.0)
    # a synthesizer dropped after round k trained 2^(k-1) / 16 of its 80
    # epochs; the others to their end
    for name, row in summary.iterrows():
        if name == "copula":
            continue
        if dropped[name]:
            assert row["epochs"] == round(80 * 2 ** (row["race_round"] - 1) / 16)
        else:
            assert row["epochs"] == 80
    scores = ensemble.member_scores_
    assert np.isfinite(scores).all()  # the dropped ones' score when they dropped
    assert (ensemble.fit_seconds_ > 0).all()
    again = _racing_ensemble(refit=False).fit(placements)
    pd.testing.assert_frame_equal(ensemble.sample(30), again.sample(30))
    for _, member in ensemble.members_:
        assert not hasattr(member, "_loop")  # no training state is kept


def test_race_winner_is_refitted_on_all_rows(placements):
    # the default: race="auto" and refit="auto"
    ensemble = _racing_ensemble(epochs=40, race="auto").fit(placements)
    assert ensemble.race_
    won = ensemble.weights_ > 0
    np.testing.assert_array_equal(ensemble.refitted_, won)
    (j,) = np.flatnonzero(won)
    name, member = ensemble.members_[j]
    synthesizer = dict(ensemble.synthesizers)[name.rsplit("_", 1)[0]]
    assert member.get_params()["random_state"] == 0  # the ensemble's seed
    alone = clone(synthesizer).set_params(random_state=0).fit(placements)
    pd.testing.assert_frame_equal(member.sample(40), alone.sample(40))
    assert np.isfinite(ensemble.member_scores_).all()


def test_race_with_parts_keeps_seeds_of_the_winner(placements):
    # issue 29, item 4: n_partitions=2 races pairs of seeds of each
    # synthesizer and keeps the winner's pair, each refitted on all rows
    ensemble = _racing_ensemble(epochs=16, n_partitions=2).fit(placements)
    summary = ensemble.summary_
    assert ensemble.n_parts_ == 2 and len(summary) == 6
    won = summary[summary["weight"] > 0]
    assert len(won) == 2 and len(set(won["synthesizer"])) == 1
    np.testing.assert_allclose(won["weight"], [0.5, 0.5])
    assert won["refitted"].all() and (won["n_rows"] == len(placements)).all()
    seeds = [ensemble.members_[j][1].get_params()["random_state"] for j in won.index]
    assert seeds[0] != seeds[1]  # two seeds, not one model twice
    # the losers race as a pair: both drop out after the same round
    for _, lost in summary[summary["weight"] == 0].groupby("synthesizer"):
        rounds = lost["race_round"].fillna(-1)
        assert (rounds == rounds.iloc[0]).all()


@pytest.mark.parametrize("refit", [True, False])
def test_race_on_a_large_table_learns_a_sample_of_its_rows(
    placements, monkeypatch, refit
):
    # a "large" table: more training rows (172) than a racer learns
    monkeypatch.setattr("skl_synth.ensemble._racing.RACE_MAX_ROWS", 100)
    ensemble = _racing_ensemble(epochs=40, refit=refit).fit(placements)
    summary = ensemble.summary_.set_index("synthesizer")
    won = summary["weight"] > 0
    if refit:  # the racers learnt 100 rows, the winner again all 215
        assert (summary.loc[~won, "n_rows"] == 100).all()
        assert (summary.loc[won, "n_rows"] == len(placements)).all()
    else:  # the winner trains on: the race learns all 172 training rows
        assert (summary["n_rows"] == 172).all()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"partition": "kfold", "n_partitions": 2}, "race=True needs weighting="),
        ({"weighting": "size"}, "race=True needs weighting="),
    ],
)
def test_race_bad_parameters(placements, params, message):
    with pytest.raises(ValueError, match=message):
        _racing_ensemble(**params).fit(placements)


@pytest.mark.parametrize(
    "params",
    [{"partition": "column", "partition_column": "placed"}, {"weighting": "size"}],
)
def test_race_auto_races_where_it_can(placements, params):
    ensemble = _copulas(**params).fit(placements)
    assert not ensemble.race_ and "race_round" not in ensemble.summary_
    assert not ensemble.refitted_.any()  # refit="auto" follows race_


def test_race_within_a_time_budget_leaves_out_what_it_cannot_start(placements):
    # a first round (1/16 of 80 epochs) cannot fit in a millisecond
    ensemble = _racing_ensemble(time_budget=1e-3)
    with pytest.warns(UserWarning) as caught:
        ensemble.fit(placements)
    messages = [str(w.message) for w in caught]
    for name in ("gan", "vae"):
        assert any(
            f"the first racing round of {name!r} needs about" in m
            and "is left out of the race (kept: ['copula'" in m
            for m in messages
        ), messages
    summary = ensemble.summary_.set_index("synthesizer")
    assert summary.loc["copula", "weight"] == 1.0  # the copula is kept
    assert (summary.loc[["gan", "vae"], "race_round"] == 0).all()
    assert (summary.loc[["gan", "vae"], "epochs"] == 1).all()  # their start only


def test_race_within_a_generous_time_budget_races_as_without(placements):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing is left out
        ensemble = _racing_ensemble(time_budget=600.0, refit=False).fit(placements)
    free = _racing_ensemble(refit=False).fit(placements)
    assert ensemble.race_
    pd.testing.assert_frame_equal(
        ensemble.summary_[["member", "weight", "epochs"]],
        free.summary_[["member", "weight", "epochs"]],
    )


class _FailingResume(VAESynthesizer):
    def resume(self, time_limit=None, *, until_epoch=None):
        raise RuntimeError("boom")


def test_a_member_failing_in_a_racing_round_is_named(placements):
    failing = _FailingResume(**tiny_synthesizer(VAESynthesizer).get_params())
    # the winner, trained to its end (not refitted)
    ensemble = EnsembleSynthesizer([("vae", failing)], race=True, refit=False)
    message = r"member 'vae_0' \(synthesizer 'vae', part 0 of 1: 172 rows\) failed "
    with pytest.raises(ValueError, match=message + r"in racing round 1: .*boom"):
        ensemble.fit(placements)
