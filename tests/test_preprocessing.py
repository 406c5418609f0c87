"""TabularEncoder: round trips, layout, parameters, bad input."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skl_synth.preprocessing import Span, TabularEncoder

ENCODINGS = ["mode_specific", "quantile", "standard"]


def round_trip(encoder, frame):
    return encoder.inverse_transform(encoder.fit(frame).transform(frame))


def mixed_frame(n=60, seed=0):
    """A small table with every supported dtype, most with missing values."""
    rng = np.random.default_rng(seed)
    with_nan = rng.random(n) < 0.2
    return pd.DataFrame(
        {
            "float": np.where(with_nan, np.nan, rng.normal(50, 10, n).round(3)),
            "float32": rng.gamma(2, 3, n).astype(np.float32),
            "int": rng.integers(-1000, 1000, n),
            "Int64": pd.array(
                np.where(with_nan, None, rng.integers(0, 500, n)), "Int64"
            ),
            "bool": rng.random(n) < 0.3,
            "boolean": pd.array(
                np.where(with_nan, None, rng.random(n) < 0.5), "boolean"
            ),
            "category": pd.Categorical(
                rng.choice(["lo", "mid", "hi"], n),
                categories=["lo", "mid", "hi", "never"],
                ordered=True,
            ),
            "string": pd.array(
                np.where(with_nan, None, rng.choice(["x", "y"], n)), "string"
            ),
            "object": np.where(with_nan, None, rng.choice(["a", "b", "c"], n)).astype(
                object
            ),
            "date": pd.Series(
                pd.to_datetime("2021-01-01")
                + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
            ).where(~with_nan),
            "stamp_tz": pd.date_range(
                "2022-03-20", periods=n, freq="37min", tz="Europe/Paris"
            ),
            "seconds": pd.Series(
                pd.to_datetime(rng.integers(0, 10**6, n), unit="s")
            ).astype("datetime64[s]"),
            "gap": pd.to_timedelta(rng.integers(0, 10**4, n), unit="s"),
        }
    )


# ---------------------------------------------------------------------------
# round trips
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_round_trip_student_placements(placements, encoding):
    encoder = TabularEncoder(continuous_encoding=encoding, random_state=0)
    back = round_trip(encoder, placements)
    assert list(back.columns) == list(placements.columns)
    pd.testing.assert_series_equal(back.dtypes, placements.dtypes)
    pd.testing.assert_frame_equal(back.isna(), placements.isna())
    for schema in encoder.schema_:
        name = schema.name
        if schema.is_discrete:
            pd.testing.assert_series_equal(back[name], placements[name])
        else:
            # Continuous values come back within the float32 resolution, and the
            # rounding to the column's decimals / day resolution makes them exact.
            pd.testing.assert_series_equal(
                back[name], placements[name], check_exact=True
            )


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_round_trip_every_dtype(encoding):
    frame = mixed_frame()
    back = round_trip(
        TabularEncoder(continuous_encoding=encoding, random_state=0), frame
    )
    pd.testing.assert_series_equal(back.dtypes, frame.dtypes)
    pd.testing.assert_frame_equal(back.isna(), frame.isna())
    pd.testing.assert_frame_equal(back, frame)  # exact: rounding restores precision
    assert back["category"].cat.categories.tolist() == ["lo", "mid", "hi", "never"]
    assert back["category"].cat.ordered
    assert str(back["stamp_tz"].dt.tz) == "Europe/Paris"


def test_round_trip_numeric_arrays():
    rng = np.random.default_rng(0)
    X = np.column_stack(
        [rng.normal(size=80), rng.integers(0, 4, 80), rng.exponential(size=80)]
    )
    encoder = TabularEncoder(random_state=0).fit(X)
    back = encoder.inverse_transform(encoder.transform(X))
    assert isinstance(back, np.ndarray) and back.dtype == np.float64
    np.testing.assert_allclose(back, X, rtol=1e-5, atol=1e-6)
    ints = rng.integers(-5, 5000, size=(50, 3))
    encoder = TabularEncoder(random_state=0).fit(ints)
    back = encoder.inverse_transform(encoder.transform(ints))
    assert back.dtype == ints.dtype
    np.testing.assert_array_equal(back, ints)


def test_soft_generated_rows_decode_into_valid_tables(placements):
    """Any matrix of the right width decodes to the input's schema and ranges."""
    encoder = TabularEncoder(random_state=0).fit(placements)
    noise = np.random.default_rng(1).normal(
        size=(500, encoder.transform(placements).shape[1])
    )
    fake = encoder.inverse_transform(noise)
    pd.testing.assert_series_equal(fake.dtypes, placements.dtypes)
    for name in ["gender", "high_spec", "degree_type", "mba_spec", "duration"]:
        assert set(fake[name].dropna()) <= set(placements[name].dropna())
    for name in ["second_perc", "salary", "start_date"]:
        assert fake[name].min() >= placements[name].min()
        assert fake[name].max() <= placements[name].max()
    assert fake["mba_perc"].equals(fake["mba_perc"].round(2))  # 2 decimals as in data
    assert (
        fake["start_date"].dropna().dt.normalize() == fake["start_date"].dropna()
    ).all()
    # missing values only where the data had some
    assert fake.columns[fake.isna().any()].tolist() == [
        "salary",
        "start_date",
        "end_date",
        "duration",
    ]
    assert 0.2 < fake["salary"].isna().mean() < 0.8


# ---------------------------------------------------------------------------
# the layout
# ---------------------------------------------------------------------------


def test_layout_is_contiguous_and_named(placements):
    encoder = TabularEncoder(random_state=0).fit(placements)
    Xt = encoder.transform(placements)
    names = encoder.get_feature_names_out()
    stops = 0
    for span in encoder.layout_:
        assert isinstance(span, Span)
        assert span.start == stops and span.width >= 1
        stops = span.stop
    assert stops == Xt.shape[1] == len(names)
    assert [s.column for s in encoder.layout_][:3] == [
        "gender",
        "second_perc",
        "second_perc",
    ]
    assert names[:3].tolist() == ["gender_F", "gender_M", "second_perc_value"]
    assert {s.role for s in encoder.layout_ if s.column == "salary"} == {
        "value",
        "mode",
        "missing",
    }


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_encoded_blocks_respect_their_kind(placements, encoding):
    encoder = TabularEncoder(continuous_encoding=encoding, random_state=0).fit(
        placements
    )
    Xt = encoder.transform(placements)
    assert Xt.dtype == np.float32 and np.isfinite(Xt).all()
    for span in encoder.layout_:
        block = Xt[:, span.slice]
        if span.kind == "onehot":
            np.testing.assert_array_equal(block.sum(axis=1), 1.0)
            assert set(np.unique(block)) <= {0.0, 1.0}
        elif span.bounded:
            assert np.abs(block).max() <= 1.0
    bounded = {s.bounded for s in encoder.layout_ if s.kind == "scalar"}
    assert bounded == ({False} if encoding == "standard" else {True})


def test_missing_indicator_matches_missing_rows(placements):
    encoder = TabularEncoder(random_state=0).fit(placements)
    Xt = encoder.transform(placements)
    (span,) = [
        s for s in encoder.layout_ if s.column == "salary" and s.role == "missing"
    ]
    np.testing.assert_array_equal(Xt[:, span.start + 1], placements["salary"].isna())


def test_quantile_encoding_is_normal_scores():
    x = np.random.default_rng(0).exponential(size=(4000, 1))
    Xt = TabularEncoder(continuous_encoding="quantile").fit_transform(x)
    scores = Xt[:, 0] * 5.1993
    assert abs(scores.mean()) < 0.05
    assert abs(scores.std() - 1) < 0.05


def test_set_output_pandas(placements):
    encoder = TabularEncoder(random_state=0).set_output(transform="pandas")
    out = encoder.fit_transform(placements)
    assert list(out.columns) == encoder.get_feature_names_out().tolist()


# ---------------------------------------------------------------------------
# each parameter does what it says
# ---------------------------------------------------------------------------


def test_mode_specific_finds_the_modes():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [rng.normal(-10, 1, 1000), rng.normal(10, 1, 1000), rng.normal(40, 2, 1000)]
    )
    encoder = TabularEncoder(random_state=0).fit(x[:, None])
    codec = encoder.column_codecs_[0].codec_
    np.testing.assert_allclose(np.sort(codec.means_), [-10, 10, 40], atol=0.3)
    modes = encoder.transform(x[:, None])[:, 1:].argmax(axis=1)  # after the scalar
    # each cluster has its own mode
    assert (
        len({np.bincount(modes[i : i + 1000]).argmax() for i in (0, 1000, 2000)}) == 3
    )
    assert len(set(modes[:1000]) & set(modes[1000:2000])) == 0


def test_max_modes_bounds_the_mode_span():
    x = np.random.default_rng(0).normal(size=(500, 1)) ** 3
    widths = {
        m: TabularEncoder(max_modes=m, random_state=0).fit(x).layout_[1].width
        for m in (1, 3, 10)
    }
    assert widths[1] == 1 and widths[3] <= 3 and widths[10] <= 10


@pytest.mark.parametrize("encoding", ["mode_specific", "quantile"])
def test_max_fit_rows_bounds_the_rows_the_model_sees(encoding):
    x = np.random.default_rng(0).normal(size=(3000, 2))
    for max_fit_rows, seen in [(500, 500), (None, 3000), (10_000, 3000)]:
        encoder = TabularEncoder(
            continuous_encoding=encoding, max_fit_rows=max_fit_rows, random_state=0
        ).fit(x)
        assert [c.codec_.n_fit_rows_ for c in encoder.column_codecs_] == [seen, seen]


def test_n_jobs_gives_identical_results(placements):
    serial = TabularEncoder(random_state=3).fit(placements)
    parallel = TabularEncoder(random_state=3, n_jobs=2).fit(placements)
    np.testing.assert_array_equal(
        serial.transform(placements), parallel.transform(placements)
    )
    assert serial.layout_ == parallel.layout_


def test_random_state_makes_fits_reproducible(placements):
    first = TabularEncoder(random_state=0).fit_transform(placements)
    again = TabularEncoder(random_state=0).fit_transform(placements)
    np.testing.assert_array_equal(first, again)
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    TabularEncoder().fit(
        placements
    )  # random_state=None must not use numpy's global state
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def rare_frame():
    return pd.DataFrame({"c": ["a"] * 50 + ["b"] * 30 + ["c"] * 3 + ["d"] * 2 + [None]})


def test_min_frequency_groups_rare_categories():
    frame = rare_frame()
    encoder = TabularEncoder(min_frequency=5, random_state=0).fit(frame)
    assert encoder.get_feature_names_out().tolist() == [
        "c_a",
        "c_b",
        "c_infrequent",
        "c_missing",
    ]
    Xt = encoder.transform(frame)
    np.testing.assert_array_equal(Xt[80:85].argmax(axis=1), 2)
    # the infrequent slot decodes into its members with their frequencies
    slot = np.zeros((5000, 4), dtype=np.float32)
    slot[:, 2] = 1
    decoded = encoder.inverse_transform(slot)["c"]
    assert set(decoded) == {"c", "d"}
    assert abs((decoded == "c").mean() - 0.6) < 0.03
    fraction = TabularEncoder(min_frequency=0.05).fit(frame)  # 5% of 86 rows -> 5
    assert (
        fraction.get_feature_names_out().tolist()
        == encoder.get_feature_names_out().tolist()
    )


def test_max_categories_keeps_the_most_frequent():
    encoder = TabularEncoder(max_categories=3, random_state=0).fit(rare_frame())
    assert encoder.get_feature_names_out().tolist() == [
        "c_a",
        "c_b",
        "c_infrequent",
        "c_missing",
    ]


def wide_column(n_rows=20_000, n_categories=5_000, seed=0):
    """A column of many categories with Zipf-like shares: a few frequent
    (the first holds about 11% of the rows), a long tail seen once or twice."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_categories + 1)
    values = rng.choice(n_categories, n_rows, p=weights / weights.sum())
    return pd.DataFrame({"c": pd.Series(values).map("v{:04d}".format)})


def test_max_categories_auto_bounds_a_wide_column():
    frame = wide_column()
    assert frame["c"].nunique() > 3_000
    encoder = TabularEncoder(random_state=0).fit(frame)
    (span,) = encoder.layout_
    assert span.width == 100  # 99 categories and the tail, not 5 000 columns
    names = encoder.get_feature_names_out()
    assert names[-1] == "c_infrequent" and names[0] == "c_v0000"
    # every category of at least 1% of the rows keeps its share within 25%,
    # the tail's drawn with their training frequencies
    decoded = encoder.inverse_transform(encoder.transform(frame))["c"]
    real = frame["c"].value_counts(normalize=True)
    made = decoded.value_counts(normalize=True).reindex(real.index, fill_value=0)
    common = real[real >= 0.01]
    assert len(common) == 10
    np.testing.assert_array_less(np.abs(made[common.index] / common - 1), 0.25)
    assert set(decoded) <= set(frame["c"]) and decoded.nunique() > 2_000
    exact = TabularEncoder(max_categories=None).fit(frame)
    assert exact.layout_[0].width == frame["c"].nunique()


@pytest.mark.parametrize(
    ("n_rows", "slots"), [(40, 10), (150, 15), (600, 60), (5_000, 100)]
)
def test_max_categories_auto_grows_with_the_rows(n_rows, slots):
    frame = wide_column(n_rows, n_categories=400)
    width = TabularEncoder().fit(frame).layout_[0].width
    assert width == min(slots, frame["c"].nunique())
    # columns with fewer categories than the bound are left as they are
    few = pd.DataFrame({"c": np.arange(n_rows) % 9}).astype(str)
    assert TabularEncoder().fit(few).layout_[0].width == 9


def test_handle_unknown():
    frame, new = rare_frame(), pd.DataFrame({"c": ["a", "zzz"]})
    with pytest.raises(
        ValueError, match=r"Column 'c' has categories unseen during fit: \['zzz'\]"
    ):
        TabularEncoder().fit(frame).transform(new)
    with pytest.raises(ValueError, match="refit with min_frequency"):
        TabularEncoder(handle_unknown="infrequent_if_exist").fit(frame).transform(new)
    encoder = TabularEncoder(min_frequency=5, handle_unknown="infrequent_if_exist").fit(
        frame
    )
    np.testing.assert_array_equal(encoder.transform(new).argmax(axis=1), [0, 2])


def test_discrete_columns_override(placements):
    # max_categories=None: one slot per category, so that decoding is exact
    encoder = TabularEncoder(
        discrete_columns=["second_perc"], max_categories=None, random_state=0
    ).fit(placements)
    roles = {s.column: s.role for s in encoder.layout_}
    assert roles["second_perc"] == "category"
    assert roles["experience_years"] == "mode"  # not listed: continuous
    back = encoder.inverse_transform(encoder.transform(placements))
    pd.testing.assert_frame_equal(back, placements)
    by_index = TabularEncoder(discrete_columns=[0]).fit(
        np.random.default_rng(0).normal(size=(20, 2))
    )
    assert by_index.layout_[0].role == "category"


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "pattern"),
    [
        (pd.DataFrame({"a": []}), "0 rows"),
        (
            pd.DataFrame({"a": [1.0, 2.0], "empty": [None, None]}),
            "Column 'empty' has only missing",
        ),
        (pd.DataFrame({"a": [1.0, np.inf]}), "Column 'a' has 1 infinite"),
        (pd.DataFrame({"a": [1.0, -np.inf]}), "Column 'a' has 1 infinite"),
        (pd.DataFrame({"z": [1j, 2j]}), "Column 'z' holds complex numbers"),
        (
            pd.DataFrame({"n": [[1], [2]]}),
            "Column 'n' holds a nested object of type list",
        ),
        (
            pd.DataFrame({"n": [{"k": 1}, "v"]}),
            "Column 'n' holds a nested object of type dict",
        ),
    ],
)
def test_bad_frames_name_the_column(frame, pattern):
    with pytest.raises(ValueError, match=re.escape(pattern)):
        TabularEncoder().fit(frame)


def test_different_columns_at_transform(placements):
    encoder = TabularEncoder(random_state=0).fit(placements)
    with pytest.raises(ValueError, match="salary"):
        encoder.transform(placements.drop(columns="salary"))
    with pytest.raises(ValueError, match="extra"):
        encoder.transform(placements.assign(extra=1.0))
    with (
        pytest.warns(UserWarning, match="does not have valid feature names"),
        pytest.raises(ValueError, match="X has 15 features"),
    ):
        encoder.transform(placements.iloc[:, 1:].to_numpy())


def test_missing_values_unseen_during_fit_are_refused(placements):
    encoder = TabularEncoder(random_state=0).fit(placements)
    for column, value in [("second_perc", np.nan), ("gender", None)]:
        bad = placements.copy()
        bad.loc[3, column] = value
        with pytest.raises(ValueError, match=f"Column '{column}' has 1 missing value"):
            encoder.transform(bad)


def test_wrong_types_at_transform(placements):
    encoder = TabularEncoder(random_state=0).fit(placements)
    as_text = placements.assign(start_date=placements["start_date"].astype(str))
    with pytest.raises(ValueError, match="Column 'start_date' was datetime64"):
        encoder.transform(as_text)
    with pytest.raises(ValueError, match="Column 'salary' was numeric"):
        encoder.transform(placements.assign(salary="high"))
    with pytest.raises(ValueError, match="Column 'salary' has infinite"):
        encoder.transform(placements.assign(salary=np.inf))


def test_inverse_transform_checks_width(placements):
    encoder = TabularEncoder(random_state=0).fit(placements)
    width = len(encoder.get_feature_names_out())
    message = f"X has 3 encoded columns, but this encoder produces {width}"
    with pytest.raises(ValueError, match=message):
        encoder.inverse_transform(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        encoder.inverse_transform(np.full((2, width), np.nan))


def test_invalid_parameters_are_named(placements):
    with pytest.raises(ValueError, match="'continuous_encoding' parameter"):
        TabularEncoder(continuous_encoding="minmax").fit(placements)
    with pytest.raises(ValueError, match="'min_frequency' parameter"):
        TabularEncoder(min_frequency=1.5).fit(placements)
    with pytest.raises(NotFittedError):
        TabularEncoder().transform(placements)


def test_caller_data_is_not_modified(placements):
    original = placements.copy()
    encoder = TabularEncoder(random_state=0)
    Xt = encoder.fit_transform(placements)
    Xt_copy = Xt.copy()
    encoder.inverse_transform(Xt)
    pd.testing.assert_frame_equal(placements, original)
    np.testing.assert_array_equal(Xt, Xt_copy)
    X = np.random.default_rng(0).normal(size=(30, 2))
    X[0, 0] = np.nan
    X_copy = X.copy()
    TabularEncoder().fit(X).transform(X)
    np.testing.assert_array_equal(X, X_copy)


def test_clone_and_pickle(placements):
    import pickle

    encoder = TabularEncoder(max_modes=4, random_state=0).fit(placements)
    assert clone(encoder).get_params() == encoder.get_params()
    restored = pickle.loads(pickle.dumps(encoder))
    np.testing.assert_array_equal(
        restored.transform(placements), encoder.transform(placements)
    )
