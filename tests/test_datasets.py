import numpy as np
import pandas as pd

from skl_synth.datasets import load_student_placements


def test_student_placements_shape_and_columns():
    data = load_student_placements()
    assert data.shape == (215, 16)
    assert "student_id" not in data.columns
    assert list(data.columns[:3]) == ["gender", "second_perc", "high_perc"]


def test_student_placements_dtypes():
    data = load_student_placements()
    assert data["start_date"].dtype == np.dtype("datetime64[ns]")
    assert data["end_date"].dtype == np.dtype("datetime64[ns]")
    assert data["placed"].dtype == bool
    assert data["experience_years"].dtype == np.int64
    assert data["gender"].dtype == object


def test_student_placements_missing_values_follow_placement():
    data = load_student_placements()
    # salary and dates are missing exactly for the students who were not placed
    for column in ["salary", "start_date", "end_date", "duration"]:
        np.testing.assert_array_equal(data[column].isna(), ~data["placed"])
    assert data["salary"].isna().sum() == 67


def test_student_placements_is_a_fresh_frame():
    first = load_student_placements()
    first.iloc[0, 0] = "X"
    pd.testing.assert_frame_equal(
        load_student_placements().head(1).iloc[:, 1:], first.head(1).iloc[:, 1:]
    )
    assert load_student_placements().iloc[0, 0] != "X"
