"""Column-kind inference: the documented rule, column by column."""

import numpy as np
import pandas as pd
import pytest

from skl_synth.preprocessing._schema import MAX_DISCRETE_INTEGERS, infer_schema


def kinds(frame, discrete_columns=None):
    return {s.name: s.kind for s in infer_schema(frame, discrete_columns)}


def test_placements_kinds(placements):
    assert kinds(placements) == {
        "gender": "discrete",
        "second_perc": "continuous",
        "high_perc": "continuous",
        "high_spec": "discrete",
        "degree_perc": "continuous",
        "degree_type": "discrete",
        "work_experience": "boolean",
        "experience_years": "discrete",  # int64 with 4 values
        "employability_perc": "continuous",
        "mba_spec": "discrete",
        "mba_perc": "continuous",
        "salary": "continuous",
        "placed": "boolean",
        "start_date": "datetime",
        "end_date": "datetime",
        "duration": "discrete",  # 3.0 / 6.0 / 12.0 with NaN: few whole numbers
    }


def test_dtype_rules():
    n = 40
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "float": rng.normal(size=n),
            "many_ints": np.arange(n) * 3,  # unique, not consecutive: numbers
            "row_number": np.arange(n),  # consecutive: a key (issue 21)
            "few_ints": np.arange(n) % MAX_DISCRETE_INTEGERS,
            "too_many_ints": np.arange(n) % (MAX_DISCRETE_INTEGERS + 1),
            "whole_floats": (np.arange(n) % 3).astype(float),
            "constant_float": np.full(n, 2.5),
            "bool": np.arange(n) % 2 == 0,
            "nullable_bool": pd.array([True, None] * (n // 2), dtype="boolean"),
            "object_bool": np.array([True, False, None, True] * (n // 4), dtype=object),
            "string": pd.array(["a", "b"] * (n // 2), dtype="string"),
            "category": pd.Categorical(["x", "y"] * (n // 2)),
            "object": ["u", "v", "w", "u"] * (n // 4),
            "datetime": pd.date_range("2020-01-01", periods=n, freq="D"),
            "datetime_tz": pd.date_range(
                "2020", periods=n, freq="h", tz="Europe/Paris"
            ),
            "timedelta": pd.to_timedelta(np.arange(n) * 7, unit="s"),
        }
    )
    assert kinds(frame) == {
        "float": "continuous",
        "many_ints": "continuous",
        "row_number": "identifier",
        "few_ints": "discrete",
        "too_many_ints": "continuous",
        "whole_floats": "discrete",
        "constant_float": "discrete",
        "bool": "boolean",
        "nullable_bool": "boolean",
        "object_bool": "boolean",
        "string": "discrete",
        "category": "discrete",
        "object": "discrete",
        "datetime": "datetime",
        "datetime_tz": "datetime",
        "timedelta": "continuous",
    }


def test_explicit_discrete_columns_replace_the_numeric_rule(placements):
    forced = kinds(placements, discrete_columns=["second_perc"])
    assert forced["second_perc"] == "discrete"
    assert forced["experience_years"] == "continuous"  # not listed
    assert forced["duration"] == "continuous"
    assert forced["gender"] == "discrete"  # strings are discrete regardless


def test_categories_are_sorted_or_in_dtype_order():
    frame = pd.DataFrame(
        {
            "s": ["b", "c", "a", None],
            "cat": pd.Categorical(
                ["lo", "hi", "mid", "hi"], categories=["lo", "mid", "hi", "unused"]
            ),
        }
    )
    schema = {s.name: s for s in infer_schema(frame)}
    assert schema["s"].categories == ("a", "b", "c")
    assert schema["s"].has_missing and schema["s"].missing_value is None
    # observed categories only, in the dtype's order
    assert schema["cat"].categories == ("lo", "mid", "hi")


def test_precision_and_range_facts(placements):
    schema = {s.name: s for s in infer_schema(placements)}
    assert schema["mba_perc"].decimals == 2
    assert schema["salary"].decimals == 0
    assert schema["salary"].minimum == placements["salary"].min()
    day = 86_400 * 10**9
    assert schema["start_date"].resolution == day
    assert schema["start_date"].offset == placements["start_date"].min().value


@pytest.mark.parametrize(
    ("column", "pattern"),
    [
        (pd.Series([np.nan, np.nan]), "only missing values; drop it"),
        (pd.Series([1.0, np.inf]), "1 infinite value"),
        (pd.Series([-np.inf, np.inf]), "2 infinite value"),
        (pd.Series([1 + 2j, 3j]), "complex numbers"),
        (pd.Series([[1, 2], [3]]), "nested object of type list"),
        (pd.Series([{"a": 1}, "b"]), "nested object of type dict"),
        (pd.Series([(1, 2), "b"]), "nested object of type tuple"),
        (pd.Series(pd.period_range("2020", periods=2, freq="M")), "dtype period"),
        (pd.Series(pd.arrays.SparseArray([0.0, 1.0])), "sparse"),
    ],
)
def test_unsupported_columns_are_named(column, pattern):
    frame = pd.DataFrame({"ok": [1.0, 2.0], "bad col": column})
    with pytest.raises(ValueError, match=pattern) as error:
        infer_schema(frame)
    assert "'bad col'" in str(error.value)


def test_empty_and_duplicated_frames():
    with pytest.raises(ValueError, match="0 rows"):
        infer_schema(pd.DataFrame({"a": []}))
    with pytest.raises(ValueError, match="no columns"):
        infer_schema(pd.DataFrame(index=range(3)))
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ValueError, match="duplicated column names \\['a'\\]"):
        infer_schema(frame)


def test_unknown_discrete_column_is_named(placements):
    with pytest.raises(ValueError, match="discrete_columns names \\['nope'\\]"):
        infer_schema(placements, ["nope"])
