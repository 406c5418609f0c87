"""Property tests: random mixed DataFrames round-trip, or raise a documented error."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skl_synth.preprocessing import TabularEncoder

# Overflow, underflow and invalid values must not occur, even at 1e300.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

# Every ValueError the encoder documents for data it cannot learn from.
DOCUMENTED_ERRORS = re.compile(r"has only missing values; drop it")

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _floats(scale):
    return st.floats(-scale, scale, allow_nan=False, allow_infinity=False)


@st.composite
def columns(draw, n):
    kind = draw(
        st.sampled_from(
            [
                "float",
                "huge",
                "tiny",
                "int",
                "Int64",
                "bool",
                "boolean",
                "category",
                "object",
                "string",
                "datetime",
                "datetime_tz",
            ]
        )
    )
    holes = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    holes = np.array(holes) if kind not in ("int", "bool") else np.zeros(n, bool)
    if kind in ("float", "huge", "tiny"):
        scale = {"float": 1e9, "huge": 1e300, "tiny": 1e-300}[kind]
        values = np.array(draw(st.lists(_floats(scale), min_size=n, max_size=n)))
        return pd.Series(np.where(holes, np.nan, values))
    if kind in ("int", "Int64"):
        values = draw(st.lists(st.integers(-(10**6), 10**6), min_size=n, max_size=n))
        if kind == "int":
            return pd.Series(np.array(values, dtype=np.int64))
        return pd.Series(pd.array(np.where(holes, None, values), dtype="Int64"))
    if kind in ("bool", "boolean"):
        values = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        if kind == "bool":
            return pd.Series(values)
        return pd.Series(pd.array(np.where(holes, None, values), dtype="boolean"))
    if kind in ("category", "object", "string"):
        labels = st.text(min_size=0, max_size=3) | st.sampled_from(["é", "日本", " "])
        values = draw(st.lists(labels, min_size=n, max_size=n))
        values = np.where(holes, None, np.array(values, dtype=object))
        if kind == "category":
            return pd.Series(pd.Categorical(values))
        if kind == "string":
            return pd.Series(pd.array(values, dtype="string"))
        return pd.Series(values, dtype=object)
    offsets = draw(st.lists(st.integers(0, 10**9), min_size=n, max_size=n))
    stamps = pd.to_datetime(np.array(offsets), unit="s")
    tz = "America/New_York" if kind == "datetime_tz" else None
    series = pd.Series(stamps.tz_localize("UTC").tz_convert(tz) if tz else stamps)
    return series.where(~holes)


@st.composite
def frames(draw):
    n_rows = draw(st.integers(1, 25))
    n_columns = draw(st.integers(1, 4))
    names = draw(
        st.lists(
            st.text(min_size=1, max_size=4) | st.integers(0, 99).map(str),
            min_size=n_columns,
            max_size=n_columns,
            unique=True,
        )
    )
    return pd.DataFrame({name: draw(columns(n_rows)) for name in names})


def assert_round_trip(frame, back, encoder):
    assert list(back.columns) == list(frame.columns)
    pd.testing.assert_series_equal(back.dtypes, frame.dtypes)
    pd.testing.assert_frame_equal(back.isna(), frame.isna())
    encoded = encoder.transform(frame)
    for schema in encoder.schema_:
        name = schema.name
        if schema.is_discrete:
            pd.testing.assert_series_equal(back[name], frame[name])
            continue
        observed = frame[name].notna().to_numpy()
        original = _as_float(frame[name])[observed]
        restored = _as_float(back[name])[observed]
        value_span = next(
            s for s in encoder.layout_ if s.column == name and s.role == "value"
        )
        # the mode-specific scalar saturates 4 std away from its mode: exact
        # round trips are promised inside that band only
        inside = np.abs(encoded[observed, value_span.start]) < 1
        width = np.ptp(original) if original.size else 0.0
        resolution = schema.resolution or 0
        tolerance = 1e-5 * width + 4 * np.spacing(np.abs(original)) + resolution
        error = np.abs(restored - original)
        assert np.all(error[inside] <= tolerance[inside]), (name, error.max())
        assert restored.min() >= original.min() - tolerance.max()
        assert restored.max() <= original.max() + tolerance.max()


def _as_float(series):
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(series.dtype):
        return series.to_numpy().view("int64").astype("float64")
    return series.to_numpy(dtype="float64", na_value=np.nan)


@pytest.mark.parametrize("encoding", ["mode_specific", "quantile", "standard"])
@SETTINGS
@given(frame=frames())
def test_random_frames_round_trip(encoding, frame):
    original = frame.copy()
    # max_categories=None: one slot per category, the exact inverse under test
    # (the default "auto" draws a wide column's tail from its frequencies)
    encoder = TabularEncoder(
        continuous_encoding=encoding, max_categories=None, random_state=0
    )
    try:
        encoder.fit(frame)
    except ValueError as error:
        assert DOCUMENTED_ERRORS.search(str(error)), str(error)
        all_missing = [c for c in frame.columns if frame[c].isna().all()]
        assert any(repr(c) in str(error) for c in all_missing)
        return
    back = encoder.inverse_transform(encoder.transform(frame))
    assert_round_trip(frame, back, encoder)
    pd.testing.assert_frame_equal(frame, original)  # input untouched


@SETTINGS
@given(frame=frames(), seed=st.integers(0, 2**16))
def test_random_matrices_decode_into_valid_tables(frame, seed):
    """Generated (arbitrary) matrices decode to the fitted schema and ranges."""
    try:
        encoder = TabularEncoder(random_state=0).fit(frame)
    except ValueError:
        return
    width = encoder.transform(frame).shape[1]
    noise = np.random.default_rng(seed).normal(size=(30, width))
    fake = encoder.inverse_transform(noise)
    pd.testing.assert_series_equal(fake.dtypes, frame.dtypes)
    for schema in encoder.schema_:
        name = schema.name
        if not schema.has_missing:
            assert fake[name].notna().all(), name
        if schema.is_discrete:
            assert set(fake[name].dropna()) <= set(frame[name].dropna()), name
        else:
            real = _as_float(frame[name])
            made = _as_float(fake[name])
            assert np.nanmin(made) >= np.nanmin(real) - 1e-6 * np.ptp(
                real[~np.isnan(real)]
            )
            assert np.nanmax(made) <= np.nanmax(real) + 1e-6 * np.ptp(
                real[~np.isnan(real)]
            )
