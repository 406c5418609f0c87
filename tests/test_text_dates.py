"""Dates written as text: inference, round trips, generated strings, bad input."""

import io
import re
import warnings
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from skl_synth.metrics import metadata_from_schema
from skl_synth.preprocessing import TabularEncoder
from skl_synth.preprocessing._text_dates import format_dates, infer_date_format
from skl_synth.synthesizers import GaussianCopulaSynthesizer, VAESynthesizer

FORMATS = {
    "2020-07-23": "%Y-%m-%d",
    "2020/07/23": "%Y/%m/%d",
    "2020-07-23 14:05": "%Y-%m-%d %H:%M",
    "2020-07-23T14:05:09": "%Y-%m-%dT%H:%M:%S",
    "2020-07-23T14:05:09Z": "%Y-%m-%dT%H:%M:%SZ",
    "2020-07-23T14:05:09+02:00": "%Y-%m-%dT%H:%M:%S+02:00",
    "2020-07-23T14:05:09.250-0500": "%Y-%m-%dT%H:%M:%S.%3f-0500",
    "2020-07-23 14:05:09.123456": "%Y-%m-%d %H:%M:%S.%f",
    "23/07/2020": "%d/%m/%Y",
    "07/23/2020 14:05": "%m/%d/%Y %H:%M",
    "23.07.2020": "%d.%m.%Y",
}


def _written(example, n=120, seed=0):
    """``n`` dates written in the format of ``example``, as many distinct
    values as float32 codes tell apart (about 10**6) at its precision."""
    fmt = FORMATS[example]
    rng = np.random.default_rng(seed)
    unit = "D"
    if "%H" in fmt:
        unit = "min" if "%S" not in fmt else "s"
    if "%3f" in fmt:
        unit = "ms"
    elif "%f" in fmt:
        unit = "us"
    span = 10**4 if unit == "D" else 10**6  # 27 years of days
    steps = pd.to_timedelta(rng.integers(0, span, n), unit=unit)
    return pd.Series(format_dates(pd.Timestamp("2019-01-01") + steps, fmt))


def _fit_quietly(estimator, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return estimator.fit(X)


@pytest.mark.parametrize("example", FORMATS)
def test_each_format_is_inferred_and_written_back(example):
    column = _written(example)
    assert column.iloc[:0].dtype == object and len(column.iloc[0]) == len(example)
    assert infer_date_format(column.unique()) == FORMATS[example]
    frame = pd.DataFrame({"when": column.where(np.arange(120) % 9 > 0)})
    encoder = _fit_quietly(TabularEncoder(random_state=0), frame)
    (schema,) = encoder.schema_
    assert (schema.kind, schema.date_format) == ("datetime", FORMATS[example])
    assert [s.role for s in encoder.layout_] == ["value", "mode", "missing"]
    back = encoder.inverse_transform(encoder.transform(frame))
    pd.testing.assert_frame_equal(back, frame)  # strings, NaN and dtype


def test_warning_names_the_columns_and_formats():
    frame = pd.DataFrame({"a": _written("23/07/2020"), "b": _written("2020-07-23")})
    with pytest.warns(UserWarning, match="columns \\['a', 'b'\\] hold dates") as got:
        TabularEncoder().fit(frame)
    assert "'%d/%m/%Y', '%Y-%m-%d'" in str(got[0].message)


@pytest.mark.parametrize(
    ("values", "why"),
    [
        (["2020-07-23", "23/07/2020", "2020-08-01"], "two formats"),
        (["2020-07-23", "2020-7-3", "2020-08-01"], "unpadded month"),
        (["2020-07-23", "n/a", "2020-08-01"], "a word"),
        (["2020-07-23", "2020-02-30", "2020-08-01"], "no such day"),
        (["01/02/2020", "03/04/2020", "12/11/2020"], "day or month first"),
        (
            ["2020-07-23T10:00:00+02:00", "2020-01-23T10:00:00+01:00"],
            "mixed time zones",
        ),
        (["2020-07-23T10:00:00+02:00", "2020-01-23T10:00:00"], "an offset on some"),
        (["12", "2020"], "numbers"),
    ],
)
def test_mixed_or_unparseable_text_stays_discrete(values, why):
    frame = pd.DataFrame({"c": values * 5})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no warning either
        encoder = TabularEncoder(random_state=0).fit(frame)
    assert encoder.schema_[0].kind == "discrete", why
    back = encoder.inverse_transform(encoder.transform(frame))
    pd.testing.assert_frame_equal(back, frame)


def test_day_first_and_month_first_are_told_apart_by_the_values():
    assert infer_date_format(["01/02/2020", "13/02/2020"]) == "%d/%m/%Y"
    assert infer_date_format(["01/02/2020", "02/13/2020"]) == "%m/%d/%Y"
    assert infer_date_format(["01/02/2020", "02/03/2020"]) is None
    # declared: month first, as pd.to_datetime reads them
    assert infer_date_format(["01/02/2020"], declared=True) == "%m/%d/%Y"


def test_column_kinds_decides():
    frame = pd.DataFrame({"d": _written("2020-07-23"), "e": ["01/02/2020"] * 120})
    kinds = {"d": "discrete", "e": "datetime"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # declared columns are not warned about
        encoder = TabularEncoder(column_kinds=kinds).fit(frame)
    assert [s.kind for s in encoder.schema_] == ["discrete", "datetime"]
    assert encoder.schema_[1].date_format == "%m/%d/%Y"
    # listed in discrete_columns: also the old behaviour
    listed = TabularEncoder(discrete_columns=["d"], column_kinds={"e": "datetime"})
    listed = _fit_quietly(listed, frame)
    assert [s.kind for s in listed.schema_] == ["discrete", "datetime"]


def test_a_declared_datetime_that_contradicts_its_values_names_the_value():
    frame = pd.DataFrame({"d": ["2020-07-23", "2020-08-01", "soon", "2021-01-01"]})
    with pytest.raises(ValueError, match=r"column 'd' datetime.*'soon'"):
        TabularEncoder(column_kinds={"d": "datetime"}).fit(frame)
    with pytest.raises(ValueError, match=r"column 'x' datetime.*float64"):
        TabularEncoder(column_kinds={"x": "datetime"}).fit(pd.DataFrame({"x": [1.5]}))


def test_transform_refuses_a_string_in_another_format():
    frame = pd.DataFrame({"d": _written("2020-07-23")})
    encoder = _fit_quietly(TabularEncoder(), frame)
    other = frame.copy()
    other.loc[3, "d"] = "23/07/2020"
    with pytest.raises(ValueError, match=r"'d' was fitted as dates.*'23/07/2020'"):
        encoder.transform(other)


def test_unique_date_strings_are_dates_not_identifiers():
    frame = pd.DataFrame({"when": _written("2020-07-23T14:05:09", n=300)})
    assert frame["when"].is_unique
    encoder = _fit_quietly(TabularEncoder(), frame)
    assert encoder.schema_[0].kind == "datetime"


def test_metadata_carries_the_format():
    frame = pd.DataFrame({"when": _written("2020-07-23T14:05:09.250-0500")})
    encoder = _fit_quietly(TabularEncoder(), frame)
    assert metadata_from_schema(encoder.schema_)["columns"]["when"] == {
        "sdtype": "datetime",
        "datetime_format": "%Y-%m-%dT%H:%M:%S.%f-0500",
    }


def _placements_csv():
    path = resources.files("sdmetrics").joinpath(
        "demos/single_table/student_placements_real.csv"
    )
    with path.open("rb") as file:
        return pd.read_csv(file).drop(columns="student_id")


@pytest.mark.parametrize("cls", [GaussianCopulaSynthesizer, VAESynthesizer])
def test_csv_round_trip_keeps_columns_dtypes_and_formats(cls):
    real = _placements_csv()
    assert real["start_date"].dtype == object  # read_csv leaves them as text
    params = {"epochs": 2} if cls is VAESynthesizer else {}
    model = _fit_quietly(cls(random_state=0, **params), real)
    fake = model.sample(300)
    assert fake.dtypes.equals(real.dtypes)
    for column in ("start_date", "end_date"):
        written = fake[column].dropna()
        assert written.map(type).eq(str).all()
        assert written.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
        low, high = real[column].dropna().min(), real[column].dropna().max()
        assert written.between(low, high).all()  # ISO strings sort as dates
    text = io.StringIO()
    fake.to_csv(text, index=False)
    again = pd.read_csv(io.StringIO(text.getvalue()))
    assert list(again.columns) == list(real.columns)
    assert again.dtypes.equals(real.dtypes)


def test_generated_dates_follow_the_training_dates():
    real = _placements_csv()
    model = _fit_quietly(GaussianCopulaSynthesizer(random_state=0), real)
    fake = model.sample(2000)
    learned = pd.to_datetime(fake["start_date"], format="%Y-%m-%d")
    truth = pd.to_datetime(real["start_date"], format="%Y-%m-%d")
    # the dates' spread, not just their format: quartiles within 20 days
    quartiles = [0.25, 0.5, 0.75]
    gap = (learned.quantile(quartiles) - truth.quantile(quartiles)).abs()
    assert (gap < pd.Timedelta(days=20)).all(), gap
    assert fake["start_date"].isna().mean() == pytest.approx(
        real["start_date"].isna().mean(), abs=0.05
    )


def test_the_cli_reads_text_dates_with_the_same_rule(tmp_path):
    from skl_synth.cli._commands import _read_table

    path = tmp_path / "t.csv"
    frame = pd.DataFrame({"d": _written("23/07/2020"), "x": np.arange(120.0)})
    frame.to_csv(path, index=False)
    read = _read_table(str(path))
    assert read["d"].dtype == object  # as read_csv gives it: the encoder decides
    pd.testing.assert_frame_equal(read, frame)
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", read["d"].iloc[0])


def test_a_saved_model_writes_the_same_date_strings(tmp_path):
    from skl_synth import load, save

    real = _placements_csv()
    model = _fit_quietly(GaussianCopulaSynthesizer(random_state=0), real)
    path = tmp_path / "copula.skl"
    save(model, path)
    again = load(path)
    assert again.encoder_.schema_[-2].date_format == "%Y-%m-%d"
    pd.testing.assert_frame_equal(again.sample(50), model.sample(50))
