"""Small real datasets that ship with the install; nothing is downloaded."""

from importlib import resources

import pandas as pd

__all__ = ["load_student_placements"]

_STUDENT_PLACEMENTS = ("sdmetrics", "demos/single_table/student_placements_real.csv")


def load_student_placements() -> pd.DataFrame:
    """Load the student placements table that ships inside sdmetrics.

    215 MBA students (one row each) with their grades, specialisations, work
    experience, whether they were placed, and, for the placed ones, salary,
    start and end dates and duration. A small mixed-type table: continuous,
    discrete, boolean and datetime columns, and missing values that depend
    on another column (``salary`` is missing exactly when ``placed`` is
    False).

    The ``student_id`` column (a row identifier, nothing to learn from) is
    dropped and ``start_date`` / ``end_date`` are parsed as
    ``datetime64[ns]``.

    Returns
    -------
    data : DataFrame of shape (215, 16)
        The table, one row per student.

    Examples
    --------
    >>> from skl_synth.datasets import load_student_placements
    >>> data = load_student_placements()
    >>> data.shape
    (215, 16)
    >>> data["start_date"].dtype
    dtype('<M8[ns]')
    >>> int(data["salary"].isna().sum())
    67
    """
    package, path = _STUDENT_PLACEMENTS
    with resources.files(package).joinpath(path).open("rb") as file:
        data = pd.read_csv(file, parse_dates=["start_date", "end_date"])
    return data.drop(columns="student_id")
