"""Robustness: random mixed tables thrown at every public estimator and the CLI.

Each estimator either works, and its output is valid (the input's columns
and dtypes, no missing values where the column had none, discrete values
among the training ones, numbers and dates within the training range), or
raises a ValueError / TypeError with a message. Any other exception, or a
call running past :data:`TIME_LIMIT` seconds, fails the test. Examples are
tiny and derandomized, so that CI sees the same ones every run; set
``SKL_SYNTH_HYPOTHESIS_EXAMPLES`` to explore more.

Also here: the training guard (a diverging fit raises and leaves nothing
fitted) and the privacy guard (``reject_copies``).
"""

import contextlib
import datetime
import os
import signal
import warnings
import zoneinfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from skl_synth.ensemble import EnsembleSynthesizer
from skl_synth.over_sampling import GenerativeAugmenter, GenerativeOverSampler
from skl_synth.over_sampling._keys import identifier_columns
from skl_synth.preprocessing import TabularEncoder
from skl_synth.synthesizers import (
    DiffusionSynthesizer,
    GANSynthesizer,
    GaussianCopulaSynthesizer,
    VAESynthesizer,
)
from skl_synth.utils._testing import run_cli, tiny_sampler, tiny_synthesizer

TIME_LIMIT = 60  # seconds for one call on a tiny table: more is a hang
EXAMPLES = int(os.environ.get("SKL_SYNTH_HYPOTHESIS_EXAMPLES", 0))


def examples(n):
    return settings(
        max_examples=EXAMPLES or n,
        deadline=None,
        derandomize=not EXAMPLES,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --------------------------------------------------------------------------
# random tables
# --------------------------------------------------------------------------

KINDS = [
    "float",
    "float32",
    "huge",
    "tiny",
    "int",
    "wide int",
    "uint8",
    "Int64",
    "Float64",
    "bool",
    "boolean",
    "category",
    "object",
    "string",
    "high cardinality",
    "mixed objects",
    "datetime",
    "datetime tz",
    "timedelta",
    "constant",
]
TIME_ZONES = [
    "UTC",
    "Europe/Paris",
    zoneinfo.ZoneInfo("Asia/Kolkata"),
    datetime.timezone(datetime.timedelta(hours=-3, minutes=-30)),
]
LABELS = st.text(max_size=4) | st.sampled_from(["é", "日本語", " ", "\x00", "0"])


def _values(draw, kind, n):
    """``n`` values of one column kind, as a Series without missing values."""
    if kind in ("float", "float32", "huge", "tiny"):
        scale = {"huge": 1e300, "tiny": 1e-300}.get(kind, 1e6)
        finite = st.floats(-scale, scale, allow_nan=False, allow_infinity=False)
        values = np.array(draw(st.lists(finite, min_size=n, max_size=n)))
        return pd.Series(values.astype("float32" if kind == "float32" else "float64"))
    if kind in ("int", "wide int", "uint8", "Int64"):
        high = {"int": 4, "wide int": 10**12, "uint8": 255, "Int64": 50}[kind]
        low = 0 if kind == "uint8" else -high
        values = draw(st.lists(st.integers(low, high), min_size=n, max_size=n))
        dtype = {"uint8": "uint8", "Int64": "Int64"}.get(kind, "int64")
        return pd.Series(pd.array(values, dtype=dtype))
    if kind == "Float64":
        values = draw(st.lists(st.integers(-100, 100), min_size=n, max_size=n))
        return pd.Series(pd.array(np.array(values) / 4, dtype="Float64"))
    if kind in ("bool", "boolean"):
        values = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        return pd.Series(pd.array(values, dtype="bool" if kind == "bool" else kind))
    if kind in ("category", "object", "string"):
        values = draw(st.lists(LABELS, min_size=n, max_size=n))
        if kind == "category":
            unused = draw(st.lists(LABELS, max_size=2))
            categories = list(dict.fromkeys(values + unused))
            ordered = draw(st.booleans())
            return pd.Series(pd.Categorical(values, categories, ordered=ordered))
        return pd.Series(values, dtype=object if kind == "object" else "string")
    if kind == "high cardinality":
        return pd.Series([f"id-{i}-{draw(LABELS)}" for i in range(n)], dtype=object)
    if kind == "mixed objects":
        pool = [1, 2.5, "a", b"b", datetime.date(2020, 1, 1), True]
        return pd.Series(draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n)))
    if kind in ("datetime", "datetime tz", "timedelta"):
        ticks = draw(st.lists(st.integers(0, 10**9), min_size=n, max_size=n))
        if kind == "timedelta":
            return pd.Series(pd.to_timedelta(ticks, unit="s"))
        stamps = pd.Series(pd.to_datetime(ticks, unit="s"))
        if kind == "datetime":
            return stamps
        return stamps.dt.tz_localize("UTC").dt.tz_convert(
            draw(st.sampled_from(TIME_ZONES))
        )
    value = draw(st.sampled_from([0, 1.5, "same", True, pd.Timestamp("2020-01-01")]))
    return pd.Series([value] * n)


def _with_missing(draw, series):
    """Missing values: none, a few, all but one, or all (to be refused)."""
    n = len(series)
    pattern = draw(
        st.sampled_from(["none"] * 3 + ["some"] * 2 + ["all but one", "all"])
    )
    if pattern == "none":
        return series
    if pattern == "some":
        holes = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    else:
        holes = np.ones(n, dtype=bool)
        holes[0] = pattern == "all"
    if series.dtype.kind in "iu":  # as pandas does: NaN turns ints to floats
        series = series.astype("float64")
    elif series.dtype.kind == "b":  # and booleans to objects
        series = series.astype(object)
    return series.mask(holes)


@st.composite
def tables(draw, min_rows=1, max_rows=24, max_columns=5):
    n = draw(st.integers(min_rows, max_rows))
    n_columns = draw(st.integers(1, max_columns))
    columns = []
    for _ in range(n_columns):
        if columns and draw(st.integers(0, 5)) == 0:  # a duplicated column
            columns.append(columns[draw(st.integers(0, len(columns) - 1))].copy())
            continue
        kind = draw(st.sampled_from(KINDS))
        columns.append(_with_missing(draw, _values(draw, kind, n)))
    if draw(st.booleans()):
        names = draw(
            st.lists(LABELS, min_size=n_columns, max_size=n_columns, unique=True)
        )
    else:
        names = draw(
            st.lists(
                st.integers(-5, 50), min_size=n_columns, max_size=n_columns, unique=True
            )
        )
    frame = pd.concat([c.reset_index(drop=True) for c in columns], axis=1)
    frame.columns = names
    return frame


@st.composite
def labelled_tables(draw):
    """A table and class labels: a majority, a minority to learn (6 to 8 rows)
    and up to two classes of 1 or 2 rows, in shuffled order."""
    sizes = [draw(st.integers(6, 8)), *draw(st.lists(st.integers(1, 2), max_size=2))]
    n_big = draw(st.integers(sizes[0] + 1, 14))
    y = np.repeat(["big", *(f"c{i}" for i in range(len(sizes)))], [n_big, *sizes])
    y = y[draw(st.permutations(range(len(y))))]
    X = draw(tables(min_rows=len(y), max_rows=len(y), max_columns=3))
    return X, y


# --------------------------------------------------------------------------
# what a valid output is
# --------------------------------------------------------------------------


class Refused(Exception):
    """The estimator refused the input with a ValueError or TypeError."""


@contextlib.contextmanager
def time_limit(seconds):
    def hang(signum, frame):
        raise TimeoutError(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def attempt(action):
    """``action()``, or Refused for a ValueError / TypeError with a message."""
    try:
        with time_limit(TIME_LIMIT), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return action()
    except (ValueError, TypeError) as error:
        assert str(error).strip(), f"{type(error).__name__} without a message"
        if os.environ.get("SKL_SYNTH_REFUSALS"):
            with open(os.environ["SKL_SYNTH_REFUSALS"], "a") as log:
                log.write(f"{type(error).__name__}: {str(error)[:150]}\n")
        raise Refused(str(error)) from error


def check_table(X, out, n_rows, keys=()):
    """``out`` is a valid generated (or decoded) version of the table ``X``;
    its identifier columns ``keys`` hold fresh values: unique, none of ``X``'s."""
    assert isinstance(out, pd.DataFrame)
    assert out.shape == (n_rows, X.shape[1])
    assert list(out.columns) == list(X.columns)
    assert out.dtypes.equals(X.dtypes), (out.dtypes, X.dtypes)
    for j, name in enumerate(X.columns):
        real, fake = X.iloc[:, j], out.iloc[:, j]
        if name in keys:
            fresh = fake.dropna().astype(object)
            assert fresh.is_unique and not fresh.isin(set(real.dropna())).any(), name
            continue
        if not real.isna().any():
            assert not fake.isna().any(), f"missing values in {name!r}"
        fake = fake.dropna()
        if not len(fake):
            continue
        if _ordered(real.dtype):
            low, high = real.min(), real.max()
            assert ((fake >= low) & (fake <= high)).all(), f"{name!r} out of range"
        else:
            seen = set(real.dropna().astype(object))
            unseen = [v for v in fake.astype(object) if v not in seen]
            assert not unseen, f"{name!r}: values never seen in training {unseen[:3]}"


def identifiers(encoder):
    return [s.name for s in encoder.schema_ if s.kind == "identifier"]


def _ordered(dtype):
    return (
        (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype))
        or pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
    )


# --------------------------------------------------------------------------
# the estimators
# --------------------------------------------------------------------------


# discrete_columns=[]: every numeric column continuous, even constant ones
DISCRETE = st.sampled_from([None, []])


@examples(60)
@given(tables(), DISCRETE)
def test_encoder(X, discrete):
    before = X.copy()
    encoder = TabularEncoder(discrete_columns=discrete, random_state=0)
    try:
        encoded = attempt(lambda: encoder.fit_transform(X))
    except Refused:
        return
    assert encoded.dtype == np.float32 and np.isfinite(encoded).all()
    decoded = encoder.inverse_transform(encoded)
    check_table(X, decoded, len(X), identifiers(encoder))
    # discrete columns come back exactly, unless a tail slot draws its values
    for schema, codec in zip(encoder.schema_, encoder.column_codecs_, strict=True):
        if schema.is_discrete and not codec.codec_.has_infrequent:
            pd.testing.assert_series_equal(decoded[schema.name], X[schema.name])
    assert_frame_equal(X, before)  # the caller's data is not modified


SYNTHESIZERS = [
    GaussianCopulaSynthesizer,
    VAESynthesizer,
    GANSynthesizer,
    DiffusionSynthesizer,
]


@pytest.mark.parametrize("cls", SYNTHESIZERS, ids=lambda c: c.__name__)
@examples(40)
@given(X=tables(), discrete=DISCRETE)
def test_synthesizer(cls, X, discrete):
    check_synthesizer(tiny_synthesizer(cls).set_params(discrete_columns=discrete), X)


@examples(30)
@given(X=tables(min_rows=4))
def test_ensemble(X):
    check_synthesizer(tiny_synthesizer(EnsembleSynthesizer), X)


def check_synthesizer(model, X):
    before = X.copy()
    try:
        attempt(lambda: model.fit(X))
    except Refused:
        return
    keys = identifiers(model.encoder_)
    check_table(X, attempt(lambda: model.sample(7)), 7, keys)
    discrete = [s.name for s in model.encoder_.schema_ if s.is_discrete]
    if discrete:
        value = X[discrete[0]].dropna().iloc[0]
        out = attempt(lambda: model.sample(5, conditions={discrete[0]: value}))
        check_table(X, out, 5, keys)
        # compared as objects: pandas' string dtype says "\x00" != "\x00"
        assert all(v == value for v in out[discrete[0]].astype(object))
    assert_frame_equal(X, before)


@pytest.mark.parametrize(
    "make",
    [
        lambda: GenerativeOverSampler(GaussianCopulaSynthesizer(), random_state=0),
        lambda: GenerativeAugmenter(GaussianCopulaSynthesizer(), random_state=0),
        lambda: tiny_sampler(GenerativeOverSampler).set_params(
            synthesizer=tiny_synthesizer(VAESynthesizer), mode="per_class"
        ),
    ],
    ids=["over-sampler", "augmenter", "per-class VAE"],
)
@examples(30)
@given(data=labelled_tables())
def test_sampler(make, data):
    X, y = data
    sampler = make()
    try:
        X_res, y_res = attempt(lambda: sampler.fit_resample(X, y))
    except Refused:
        return
    assert len(X_res) == len(y_res) >= len(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        keys = identifier_columns(X, sampler._synthesizer())
    check_table(X, X_res.iloc[len(X) :], len(y_res) - len(X), keys)
    assert_frame_equal(X_res.iloc[: len(X)], X)  # the real rows come first
    assert set(y_res) == set(y)


# --------------------------------------------------------------------------
# regressions found by the suite
# --------------------------------------------------------------------------


def test_jitter_nullable_float_with_one_value():
    # the column's spread was pd.NA: "boolean value of NA is ambiguous"
    X = pd.DataFrame(
        {
            "a": pd.array([1.5] + [None] * 11, dtype="Float64"),
            "b": np.linspace(-1e300, 1e300, 12),  # its spread used to overflow
        }
    )
    y = np.array(["big"] * 10 + ["small"] * 2)
    sampler = GenerativeOverSampler(GaussianCopulaSynthesizer(), random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)  # the small-class warning
        X_res, _ = sampler.fit_resample(X, y)
    check_table(X, X_res, 20)


def test_per_class_keeps_the_time_zone_of_an_empty_column():
    # astype from naive to aware datetimes raised a TypeError
    n = 20
    stamps = pd.Series(pd.date_range("2020", periods=n, tz="Europe/Paris"))
    X = pd.DataFrame({"a": np.arange(n, dtype=float), "t": stamps})
    X.loc[13:, "t"] = pd.NaT
    y = np.array(["big"] * 13 + ["small"] * 7)
    sampler = GenerativeOverSampler(
        GaussianCopulaSynthesizer(), mode="per_class", random_state=0
    )
    X_res, _ = sampler.fit_resample(X, y)
    assert X_res.dtypes.equals(X.dtypes)
    assert X_res["t"].iloc[n:].isna().all()


def test_per_class_refuses_a_class_with_no_values():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0] + [np.nan] * 6})
    y = np.array(["big"] * 7 + ["empty"] * 6)
    sampler = GenerativeOverSampler(
        GaussianCopulaSynthesizer(), mode="per_class", random_state=0
    )
    with pytest.raises(ValueError, match="'empty' has only missing values"):
        sampler.fit_resample(X, y)


def test_float32_values_keep_their_decimals():
    # float32 tolerance took 262144.75 for a whole number: samples of 262145
    X = pd.DataFrame({"x": np.array([0, 0, 1.5, 262144.75], dtype=np.float32)})
    encoder = TabularEncoder(random_state=0).fit(X)
    assert encoder.schema_[0].decimals == 2
    assert_frame_equal(encoder.inverse_transform(encoder.transform(X)), X)
    sample = GaussianCopulaSynthesizer(random_state=0).fit(X).sample(200)
    check_table(X, sample, 200)


def test_rounding_does_not_cross_the_range():
    # 0.7999999999999999 has one decimal up to noise; 0.8 is above the maximum
    X = pd.DataFrame({"x": [0.1, 0.2, 0.7999999999999999] * 5})
    sample = GaussianCopulaSynthesizer(random_state=0).fit(X).sample(300)
    assert sample["x"].max() <= X["x"].max()


@pytest.mark.parametrize("cls", [VAESynthesizer, GANSynthesizer, DiffusionSynthesizer])
def test_continuous_column_with_one_value(cls):
    # the mixture of one value had a NaN variance: NaN encodings, NaN losses
    X = pd.DataFrame({"a": [1.5, np.nan, np.nan, np.nan], "b": list("xyxy")})
    encoded = TabularEncoder(discrete_columns=[]).fit_transform(X)
    assert np.isfinite(encoded).all()
    model = tiny_synthesizer(cls).set_params(discrete_columns=[]).fit(X)
    check_table(X, model.sample(20), 20)


# --------------------------------------------------------------------------
# the training guard
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "rates"),
    [
        (VAESynthesizer, {"learning_rate": 1e30}),
        (GANSynthesizer, {"generator_lr": 1e30, "discriminator_lr": 1e30}),
        (DiffusionSynthesizer, {"learning_rate": 1e30}),
    ],
    ids=["VAE", "GAN", "diffusion"],
)
def test_diverging_fit_raises_and_leaves_nothing_fitted(cls, rates, placements):
    model = tiny_synthesizer(cls).fit(placements)  # a good fit first
    model.set_params(**rates)
    with pytest.raises(FloatingPointError, match=r"diverged at epoch 1 \(.*=nan"):
        model.fit(placements)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    with pytest.raises(NotFittedError):
        model.sample(5)
    assert not [name for name in vars(model) if name.endswith("_")]


# --------------------------------------------------------------------------
# the privacy guard
# --------------------------------------------------------------------------


def small_world(n=80, seed=0):
    """A table with few possible rows, so that copies are frequent.

    240 possible rows: with 80 training rows, 30 to 60% of generated rows
    copy one, so that 10 rounds of redrawing leave none (with 120 possible
    rows, 55 to 60% copied and 10 rounds could leave a few).
    """
    rng = np.random.RandomState(seed)
    return pd.DataFrame({"a": rng.choice(list("wxyz"), n), "b": rng.randint(0, 60, n)})


def copies_of(table, training):
    seen = set(map(tuple, training.astype(object).to_numpy().tolist()))
    return sum(tuple(row) in seen for row in table.astype(object).to_numpy().tolist())


@pytest.mark.parametrize(
    "cls", [GaussianCopulaSynthesizer, VAESynthesizer, EnsembleSynthesizer]
)
def test_reject_copies(cls):
    X = small_world()
    plain = tiny_synthesizer(cls).fit(X)
    assert copies_of(plain.sample(200), X) > 20  # copies are common here
    model = tiny_synthesizer(cls).set_params(reject_copies=True).fit(X)
    assert model.n_copies_rejected_ == 0
    sample = model.sample(200)
    check_table(X, sample, 200)
    assert copies_of(sample, X) == 0
    assert model.n_copies_rejected_ > 20
    assert_frame_equal(model.sample(200), sample)  # still reproducible
    rows = pd.DataFrame({"a": ["x", None] * 50})  # per-row conditions
    conditioned = model.sample(100, conditions=rows)
    assert copies_of(conditioned, X) == 0
    assert (conditioned["a"][::2] == "x").all()


def test_reject_copies_raises_when_every_row_is_a_copy():
    X = pd.DataFrame({"a": list("xy") * 20})
    model = GaussianCopulaSynthesizer(reject_copies=True, random_state=0).fit(X)
    with pytest.raises(ValueError, match="still copy a training row"):
        model.sample(10)


def test_sampler_reject_copies():
    X = small_world(60)
    y = np.array(["big"] * 45 + ["small"] * 15)
    sampler = GenerativeOverSampler(
        GaussianCopulaSynthesizer(), reject_copies=True, random_state=0
    )
    X_res, _ = sampler.fit_resample(X, y)
    assert sampler.n_copies_rejected_["small"] > 0
    new = X_res.iloc[len(X) :]
    assert len(new) == 30 and copies_of(new, X[y == "small"]) == 0


# --------------------------------------------------------------------------
# the command line
# --------------------------------------------------------------------------


def skl_synth(*args, cwd):
    """``skl-synth ARGS`` in this process (tests/test_cli.py also runs the
    real command in a subprocess), within the time limit."""
    with time_limit(TIME_LIMIT):
        return run_cli(*args, cwd=cwd)


@pytest.fixture(scope="module")
def cli_available():
    for command in ("fit", "sample"):
        if skl_synth(command, "--help", cwd=".").returncode != 0:
            pytest.skip(f"the command line has no '{command}' subcommand yet")


def check_cli_run(run):
    """A run succeeded, or failed with one ``skl-synth: error:`` line."""
    assert "Traceback" not in run.stderr, run.stderr
    if run.returncode == 0:
        return True
    if os.environ.get("SKL_SYNTH_REFUSALS"):
        with open(os.environ["SKL_SYNTH_REFUSALS"], "a") as log:
            log.write(f"cli: {run.stderr[:150]}\n")
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("skl-synth: error: "), run.stderr
    return False


@examples(4)
@given(X=tables(min_rows=2, max_rows=12, max_columns=3))
def test_cli_fit_and_sample(cli_available, X, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    X.columns = [f"c{i}_{name}" for i, name in enumerate(X.columns)]
    X.to_csv(folder / "data.csv", index=False)
    fit = skl_synth(
        "fit", "data.csv", "--model", "copula", "-o", "model.skl", cwd=folder
    )
    if not check_cli_run(fit):
        return
    sample = skl_synth("sample", "model.skl", "-n", 9, "-o", "out.csv", cwd=folder)
    if not check_cli_run(sample):
        return
    real, fake = pd.read_csv(folder / "data.csv"), pd.read_csv(folder / "out.csv")
    assert list(fake.columns) == list(real.columns) and len(fake) == 9
    for name in real.columns:
        if not real[name].isna().any():
            assert not fake[name].isna().any(), f"missing values in {name!r}"
        if real[name].dtype == object:
            assert set(fake[name].dropna()) <= set(real[name].dropna()), name
