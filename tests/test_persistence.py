"""skl_synth.save / skl_synth.load: round trips, and files that must be refused."""

import datetime
import decimal
import io
import json
import pathlib
import pickle
import zipfile
import zoneinfo

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from pandas.testing import assert_frame_equal
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

import skl_synth
from skl_synth import load, save
from skl_synth.ensemble import EnsembleSynthesizer
from skl_synth.over_sampling import (
    GenerativeAugmenter,
    GenerativeOverSampler,
    VAEOverSampler,
)
from skl_synth.persistence import FORMAT_VERSION
from skl_synth.preprocessing import TabularEncoder
from skl_synth.synthesizers import (
    DiffusionSynthesizer,
    GANSynthesizer,
    GaussianCopulaSynthesizer,
    VAESynthesizer,
)
from skl_synth.utils._state import persistable
from skl_synth.utils._testing import tiny_sampler, tiny_synthesizer

SYNTHESIZERS = [
    GaussianCopulaSynthesizer,
    VAESynthesizer,
    GANSynthesizer,
    DiffusionSynthesizer,
    EnsembleSynthesizer,
]


@pytest.fixture(scope="module")
def fitted(_placements_frame):
    """One tiny fitted instance of each synthesizer (fitting is the slow part)."""
    return {cls: tiny_synthesizer(cls).fit(_placements_frame) for cls in SYNTHESIZERS}


def round_trip(estimator, tmp_path, name="model.skl"):
    path = tmp_path / name
    save(estimator, path)
    return load(path)


# --------------------------------------------------------------------------
# round trips
# --------------------------------------------------------------------------


@pytest.mark.parametrize("cls", SYNTHESIZERS, ids=lambda c: c.__name__)
def test_synthesizer_round_trip_samples_identically(cls, fitted, tmp_path):
    model = fitted[cls]
    loaded = round_trip(model, tmp_path)
    assert type(loaded) is cls
    assert repr(loaded.get_params(deep=True)) == repr(model.get_params(deep=True))
    assert_frame_equal(loaded.sample(60), model.sample(60))
    conditions = {"gender": "F", "placed": True}
    assert_frame_equal(
        loaded.sample(40, conditions=conditions),
        model.sample(40, conditions=conditions),
    )
    if hasattr(model, "history_"):
        assert_frame_equal(loaded.history_, model.history_)
    assert loaded.feature_names_in_.tolist() == model.feature_names_in_.tolist()


def test_deep_synthesizer_weights_and_modes_restored(fitted, tmp_path):
    model = fitted[GANSynthesizer]
    loaded = round_trip(model, tmp_path)
    for name in model._module_names:
        original, restored = getattr(model, name), getattr(loaded, name)
        assert restored.init_arguments == original.init_arguments
        assert restored.training == original.training
        for key, tensor in original.state_dict().items():
            assert torch.equal(restored.state_dict()[key], tensor), key


def test_ensemble_members_restored(fitted, tmp_path):
    model = fitted[EnsembleSynthesizer]
    loaded = round_trip(model, tmp_path)
    assert [n for n, _ in loaded.members_] == [n for n, _ in model.members_]
    np.testing.assert_array_equal(loaded.weights_, model.weights_)
    assert_frame_equal(loaded.summary_, model.summary_)
    for j in range(len(model.members_)):
        assert_frame_equal(
            loaded._member_sample(j, 20, None, 3), model._member_sample(j, 20, None, 3)
        )


def test_privacy_guard_round_trip(tmp_path):
    rng = np.random.RandomState(0)
    table = pd.DataFrame(
        {"a": rng.choice(list("wxyz"), 80), "b": rng.randint(0, 30, 80)}
    )
    model = GaussianCopulaSynthesizer(reject_copies=True, random_state=0).fit(table)
    loaded = round_trip(model, tmp_path)
    assert_frame_equal(loaded.sample(100), model.sample(100))
    assert loaded.n_copies_rejected_ == model.n_copies_rejected_ > 0


def test_unfitted_round_trip(tmp_path):
    model = EnsembleSynthesizer([("vae", VAESynthesizer(epochs=3))], n_partitions=2)
    loaded = round_trip(model, tmp_path)
    assert repr(loaded) == repr(model)
    with pytest.raises(NotFittedError):
        check_is_fitted(loaded)


def test_array_input_round_trip(tmp_path):
    X = np.random.RandomState(0).normal(size=(80, 3)).astype(np.float32)
    model = tiny_synthesizer(VAESynthesizer).fit(X)
    loaded = round_trip(model, tmp_path)
    sample = loaded.sample(30)
    assert isinstance(sample, np.ndarray) and sample.dtype == np.float32
    np.testing.assert_array_equal(sample, model.sample(30))


def odd_table():
    """Columns of every dtype family the encoder keeps, with missing values."""
    n = 40
    rng = np.random.RandomState(0)
    stamps = pd.date_range("2024-03-30", periods=n, freq="7h")
    objects = [decimal.Decimal("1.5"), datetime.date(2020, 1, 2), b"\x00raw", None]
    return pd.DataFrame(
        {
            "é ünïcode": pd.Categorical(rng.choice(["a", "b", "c"], n), ordered=True),
            "small ints": rng.choice([1, 2, 3], n),
            "paris": stamps.tz_localize("Europe/Paris"),
            "tokyo": stamps.tz_localize(zoneinfo.ZoneInfo("Asia/Tokyo")),
            "offset": stamps.tz_localize(
                datetime.timezone(datetime.timedelta(hours=-3))
            ),
            "Int64": pd.array(rng.choice([1, 2, None], n), dtype="Int64"),
            "string": pd.array(rng.choice(["x", "y", None], n), dtype="string"),
            "boolean": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
            "objects": [objects[i % 4] for i in range(n)],
            "float": np.where(rng.uniform(size=n) < 0.2, np.nan, rng.normal(size=n)),
            "duration": pd.to_timedelta(rng.randint(0, 10**6, n), unit="s"),
        }
    )


def test_encoder_round_trip_odd_dtypes(tmp_path):
    table = odd_table()
    encoder = TabularEncoder(random_state=0).fit(table)
    loaded = round_trip(encoder, tmp_path)
    assert repr(loaded.schema_) == repr(encoder.schema_)  # NaN != NaN
    assert [s.dtype for s in loaded.schema_] == [s.dtype for s in encoder.schema_]
    assert loaded.layout_ == encoder.layout_
    encoded = encoder.transform(table)
    np.testing.assert_array_equal(loaded.transform(table), encoded)
    assert_frame_equal(
        loaded.inverse_transform(encoded), encoder.inverse_transform(encoded)
    )
    assert_frame_equal(loaded.inverse_transform(encoded), table)


def test_copula_round_trip_odd_dtypes(tmp_path):
    model = GaussianCopulaSynthesizer(random_state=0).fit(odd_table())
    loaded = round_trip(model, tmp_path)
    assert_frame_equal(loaded.sample(50), model.sample(50))


def test_sampler_round_trip(placements, tmp_path):
    """A fitted sampler: its synthesizers, filter and counts come back.

    The synthesizers generate the same rows for the same calls, the filter
    gives the same probabilities, and ``fit_resample`` (which always learns
    again) returns the same rows as the original's.
    """
    X, y = placements.drop(columns="gender"), placements["gender"]
    sampler = GenerativeAugmenter(
        GaussianCopulaSynthesizer(), filter="classifier", random_state=0
    )
    sampler.fit_resample(X, y)
    loaded = round_trip(sampler, tmp_path)
    assert loaded.sampling_strategy_ == sampler.sampling_strategy_
    assert loaded.n_rejected_ == sampler.n_rejected_
    assert loaded.fallback_classes_ == sampler.fallback_classes_
    # conditional mode: one synthesizer for every class, still shared
    assert loaded.synthesizers_["F"] is loaded.synthesizers_["M"]
    assert_frame_equal(
        loaded.synthesizers_["F"].sample(30), sampler.synthesizers_["F"].sample(30)
    )
    numbers = np.random.RandomState(0).normal(size=(25, X.shape[1]))
    np.testing.assert_array_equal(
        loaded.filter_.predict_proba(numbers), sampler.filter_.predict_proba(numbers)
    )
    X_loaded, y_loaded = loaded.fit_resample(X, y)
    X_original, y_original = sampler.fit_resample(X, y)
    assert_frame_equal(X_loaded, X_original)
    np.testing.assert_array_equal(y_loaded, y_original)


def test_deep_sampler_round_trip(placements, tmp_path):
    X, y = placements.drop(columns="gender"), placements["gender"]
    sampler = tiny_sampler(VAEOverSampler).set_params(mode="per_class")
    sampler.fit_resample(X, y)
    loaded = round_trip(sampler, tmp_path)
    model = sampler.synthesizers_["F"]
    assert_frame_equal(loaded.synthesizers_["F"].sample(20), model.sample(20))


def test_pickle_and_joblib_still_work(fitted, tmp_path):
    model = fitted[VAESynthesizer]
    assert_frame_equal(pickle.loads(pickle.dumps(model)).sample(20), model.sample(20))
    joblib.dump(model, tmp_path / "model.joblib")
    assert_frame_equal(
        joblib.load(tmp_path / "model.joblib").sample(20), model.sample(20)
    )


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_fitted_model_saves_from_the_cpu(placements, tmp_path):
    model = tiny_synthesizer(VAESynthesizer).set_params(device="cuda").fit(placements)
    path = tmp_path / "model.skl"
    save(model, path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["state"]["device_"] == "cuda"
    assert load(path).sample(10).shape == (10, placements.shape[1])


def test_save_refuses_what_needs_pickle(placements, tmp_path):
    sampler = GenerativeOverSampler(filter=LogisticRegression())
    with pytest.raises(
        TypeError, match=r"GenerativeOverSampler\.filter is a .*LogisticRegression"
    ):
        save(sampler, tmp_path / "sampler.skl")
    with pytest.raises(TypeError, match="sampling_strategy is a"):
        save(GenerativeOverSampler(sampling_strategy=len), tmp_path / "s.skl")
    with pytest.raises(TypeError, match="save stores estimators"):
        save({"a": 1}, tmp_path / "dict.skl")


def test_top_level_names():
    assert skl_synth.save is save and skl_synth.load is load


# --------------------------------------------------------------------------
# files that must be refused
# --------------------------------------------------------------------------


class Payload:
    """Unpickling this creates ``marker``: what a malicious file would do."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


@pytest.fixture
def saved(fitted, tmp_path):
    """A saved tiny VAE: its manifest and members, to tamper with."""
    path = tmp_path / "vae.skl"
    save(fitted[VAESynthesizer], path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(members.pop("manifest.json")), members


def write(path, manifest, members):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def find(node, key):
    """The first dict in a manifest holding ``key``."""
    if isinstance(node, dict):
        if key in node:
            return node
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            found = find(child, key)
            if found is not None:
                return found
    return None


def test_refuses_a_pickle(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(Payload(marker)))
    pickle.loads(pickle.dumps(Payload(tmp_path / "armed")))  # the payload works
    assert (tmp_path / "armed").exists()
    with pytest.raises(ValueError, match="not a zip archive"):
        load(path)
    assert not marker.exists()


def test_refuses_a_pickled_npy_member(saved, tmp_path):
    manifest, members = saved
    marker = tmp_path / "marker"
    buffer = io.BytesIO()
    np.save(buffer, np.array([Payload(marker)], dtype=object), allow_pickle=True)
    name = find(manifest, "__ndarray__")["__ndarray__"]
    members[name] = buffer.getvalue()
    with pytest.raises(ValueError, match=r"pickles\) are refused"):
        load(write(tmp_path / "evil.skl", manifest, members))
    assert not marker.exists()


def test_refuses_a_torch_pickle_as_weights(saved, tmp_path):
    manifest, members = saved
    marker = tmp_path / "marker"
    buffer = io.BytesIO()
    torch.save({"weight": Payload(marker)}, buffer)
    name = find(manifest, "__module__")["tensors"]
    members[name] = buffer.getvalue()
    with pytest.raises(ValueError, match="unreadable weights"):
        load(write(tmp_path / "evil.skl", manifest, members))
    assert not marker.exists()


@pytest.mark.parametrize("target", ["os.system", "subprocess.Popen", "builtins.eval"])
@pytest.mark.parametrize("tag", ["class", "__object__", "__dataclass__", "__module__"])
def test_refuses_classes_off_the_allow_list(saved, tmp_path, tag, target):
    manifest, members = saved
    if tag == "class":
        manifest["class"] = target
    else:
        find(manifest, tag)[tag] = target
    with pytest.raises(ValueError, match=f"names '{target}', which is not a class"):
        load(write(tmp_path / "evil.skl", manifest, members))


def test_refuses_unknown_tags_and_attribute_names(saved, tmp_path):
    manifest, members = saved
    manifest["state"]["history_"] = {"__reduce__": ["os.system", "echo"]}
    with pytest.raises(ValueError, match="unknown entry"):
        load(write(tmp_path / "evil.skl", manifest, members))
    manifest["state"] = {"__class__": 1}
    with pytest.raises(ValueError, match="not an attribute name"):
        load(write(tmp_path / "evil2.skl", manifest, members))


def test_refuses_path_traversal(saved, tmp_path):
    manifest, members = saved
    members["../../evil"] = b"payload"
    path = write(tmp_path / "evil.skl", manifest, members)
    with pytest.raises(ValueError, match=r"member named '\.\./\.\./evil'"):
        load(path)
    assert not (tmp_path.parent.parent / "evil").exists()
    del members["../../evil"]
    find(manifest, "__ndarray__")["__ndarray__"] = "../arrays/0.npy"
    with pytest.raises(ValueError, match="is not a member of arrays/"):
        load(write(tmp_path / "evil2.skl", manifest, members))


def test_refuses_another_format_version(saved, tmp_path):
    manifest, members = saved
    manifest["format_version"] = FORMAT_VERSION + 1
    with pytest.raises(
        ValueError,
        match=f"version {FORMAT_VERSION + 1}, .* reads format version {FORMAT_VERSION}",
    ):
        load(write(tmp_path / "future.skl", manifest, members))


def test_refuses_a_file_of_the_flat_layout_naming_its_writer(saved, tmp_path):
    manifest, members = saved
    manifest["format_version"] = 1  # skl_synth 0.1: classes at their old paths
    manifest["versions"]["skl_synth"] = "0.1.0.dev0"
    with pytest.raises(
        ValueError,
        match=r"format version 1, .* reads format version 2 only\. It was written "
        r"by skl_synth 0\.1\.0\.dev0: load it with that version, or refit",
    ):
        load(write(tmp_path / "old.skl", manifest, members))


def test_refuses_weights_that_do_not_fit_the_module_arguments(saved, tmp_path):
    manifest, members = saved
    arguments = find(manifest, "__module__")["arguments"]["__dict__"]
    name, value = next(pair for pair in arguments if isinstance(pair[1], int))
    arguments[arguments.index([name, value])] = [name, value + 3]
    with pytest.raises(ValueError, match=r"weights do not fit a (Encoder|Decoder)"):
        load(write(tmp_path / "evil.skl", manifest, members))


@persistable("estimator")
class _DeclaredCopula(GaussianCopulaSynthesizer):
    """A synthesizer the persistence code has never heard of, but declared."""


class _UndeclaredCopula(GaussianCopulaSynthesizer):
    """The same, without the declaration."""


def test_a_declared_class_saves_without_editing_persistence(
    _placements_frame, tmp_path
):
    model = _DeclaredCopula(random_state=0).fit(_placements_frame)
    loaded = round_trip(model, tmp_path)
    assert type(loaded) is _DeclaredCopula
    assert_frame_equal(loaded.sample(30), model.sample(30))
    undeclared = _UndeclaredCopula(random_state=0).fit(_placements_frame)
    with pytest.raises(TypeError, match=r"_UndeclaredCopula, which skl_synth\.save"):
        save(undeclared, tmp_path / "undeclared.skl")


def test_warns_on_another_package_version(saved, tmp_path):
    manifest, members = saved
    manifest["versions"]["skl_synth"] = "0.0.1"
    with pytest.warns(UserWarning, match="saved with skl_synth 0.0.1"):
        load(write(tmp_path / "old.skl", manifest, members))


def test_refuses_a_tree_pointing_outside_itself(placements, tmp_path):
    X, y = placements.drop(columns="gender"), placements["gender"]
    sampler = GenerativeOverSampler(
        GaussianCopulaSynthesizer(), filter="classifier", random_state=0
    )
    sampler.fit_resample(X, y)
    save(sampler, tmp_path / "sampler.skl")
    with zipfile.ZipFile(tmp_path / "sampler.skl") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    pairs = find(manifest, "__tree__")["state"]["__dict__"]
    name = dict(pairs)["nodes"]["__ndarray__"]
    nodes = np.load(io.BytesIO(members[name]))
    nodes["left_child"][0] = 10**9  # a read far outside the node array
    buffer = io.BytesIO()
    np.save(buffer, nodes)
    members[name] = buffer.getvalue()
    with pytest.raises(ValueError, match="point outside the tree"):
        load(write(tmp_path / "evil.skl", manifest, members))
