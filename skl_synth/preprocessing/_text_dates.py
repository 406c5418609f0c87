"""Dates and date-times written as text: their format, and conversions.

``pd.read_csv`` leaves dates as strings. A text column is a date column when
one format, tried from :data:`DATE_FORMATS` x :data:`TIME_FORMATS`, parses
every distinct value *and writes each one back exactly*: the round trip is
the test, so a column mixing formats, padding or precisions (``2020-1-5``
beside ``2020-01-05``), or holding a few unparseable strings, stays text.

- A common UTC offset (``Z``, ``+02:00``) is kept as a literal suffix of the
  format, so the local times are learned and every generated string carries
  that offset again; offsets that differ between rows leave the column text
  (they would need a time zone to be written back).
- Day-first and month-first forms are told apart by the values: where every
  day is at most 12, both parse, and the column stays text unless declared
  ``"datetime"`` (then month first, as ``pd.to_datetime`` reads it).
- Fractions of a second: ``.%f`` (six digits) and ``.%3f`` (milliseconds,
  this module's own directive; ``strftime`` has none).

This module knows pandas and numpy only.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

__all__ = [
    "DATE_FORMATS",
    "TIME_FORMATS",
    "format_dates",
    "parse_dates",
    "text_date_format",
    "warn_text_dates",
]

DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d.%m.%Y",
)
"""Date parts tried, ISO first; day-first before month-first."""

TIME_FORMATS = (
    "",
    " %H:%M",
    " %H:%M:%S",
    " %H:%M:%S.%3f",
    " %H:%M:%S.%f",
    "T%H:%M",
    "T%H:%M:%S",
    "T%H:%M:%S.%3f",
    "T%H:%M:%S.%f",
)
"""Time parts tried after each date part (``T`` only after ISO dates)."""

_MILLISECONDS = "%3f"
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
# What every candidate value looks like; anything else is not tried at all.
_SHAPE = re.compile(
    r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?$"
)
_PROBE = 200  # distinct values tried against every format before all are


def infer_date_format(values, *, declared: bool = False) -> str | None:
    """The one format in which every string of ``values`` is a date, or None.

    Parameters
    ----------
    values : array-like of str
        The distinct non-missing values of a text column.
    declared : bool, default=False
        Whether the caller declared the column a datetime: day-first /
        month-first ambiguity is then resolved month first instead of
        leaving the column text.

    Returns
    -------
    format : str or None
        A ``strftime`` format (with :data:`_MILLISECONDS` for milliseconds
        and a literal offset suffix), or None when the values are not all
        dates written in one format.
    """
    values = np.asarray(values, dtype=object)
    if not len(values) or not all(isinstance(v, str) for v in values):
        return None
    if not all(_SHAPE.match(v) for v in values):
        return None
    suffix = _common_offset(values)
    if suffix is None:
        return None
    bodies = np.array([v[: len(v) - len(suffix)] for v in values], dtype=object)
    probe = bodies[:_PROBE]
    fits = [
        fmt
        for fmt in _candidates(bodies[0])
        if _round_trips(probe, fmt)
        and (len(bodies) <= _PROBE or _round_trips(bodies[_PROBE:], fmt))
    ]
    if not fits or (len(fits) > 1 and not declared):
        return None  # no format, or day first and month first both read them
    return fits[-1] + suffix  # the month-first reading where both do


def first_unparsed(values) -> object:
    """The first value of ``values`` that is not a date in the format that
    reads most of them (for the error of a declared datetime column)."""
    values = np.asarray(values, dtype=object)
    best, best_count = None, -1
    for date in DATE_FORMATS:
        for time in TIME_FORMATS:
            fmt = date + time
            count = int(_parse(values, fmt).notna().sum())
            if count > best_count:
                best, best_count = fmt, count
    parsed = _parse(values, best)
    return values[int(np.argmax(parsed.isna().to_numpy()))]


def text_date_format(series, missing, listed, declared) -> str | None:
    """Rule 0: the format of a text column of dates, or None."""
    if listed or declared not in (None, "datetime") or not is_text(series.dtype):
        return None
    values = pd.unique(series.to_numpy(dtype=object)[~missing])
    date_format = infer_date_format(values, declared=declared == "datetime")
    if date_format is None and declared == "datetime":
        raise ValueError(
            f"column_kinds declares column {series.name!r} datetime, but its value "
            f"{first_unparsed(values)!r} is not a date in the format of the others; "
            "fix or remove such values, or declare the column 'discrete'."
        )
    return date_format


def warn_text_dates(formats: dict, stacklevel: int) -> None:
    """The warning that names the text columns inferred as dates."""
    warnings.warn(
        f"columns {list(formats)!r} hold dates written as text "
        f"({', '.join(repr(f) for f in formats.values())}): they are learned as "
        "datetimes, and generated rows write them in the same format. To learn "
        "such a column as categories instead, pass "
        "column_kinds={column: 'discrete'}.",
        UserWarning,
        stacklevel=stacklevel + 1,
    )


def is_text(dtype) -> bool:
    """Object and string columns: those whose values may be dates as text."""
    if isinstance(dtype, pd.StringDtype):
        return True
    return isinstance(dtype, np.dtype) and dtype.kind == "O"


def parse_dates(series: pd.Series, fmt: str) -> pd.Series:
    """Strings in format ``fmt`` as ``datetime64[ns]`` (NaT where missing).

    Raises ``ValueError`` naming the column and its first value that is not
    a date in that format.
    """
    missing = series.isna().to_numpy()
    values = series.to_numpy(dtype=object)
    parsed = _parse(np.where(missing, None, values), fmt)
    bad = parsed.isna().to_numpy() & ~missing
    if bad.any():
        raise ValueError(
            f"Column {series.name!r} was fitted as dates written {fmt!r}, but "
            f"holds {values[bad.argmax()]!r}; pass dates in that format (or refit "
            f"with column_kinds={{{series.name!r}: 'discrete'}} to learn the "
            "strings as categories)."
        )
    return pd.Series(parsed.to_numpy(), index=series.index, name=series.name)


def format_dates(values: pd.Series, fmt: str) -> np.ndarray:
    """``datetime64`` values written in format ``fmt``: an object array of
    strings (None where missing)."""
    values = pd.Series(pd.to_datetime(values.to_numpy()))
    if _MILLISECONDS in fmt:
        head, tail = fmt.split(_MILLISECONDS, 1)
        millis = (values.dt.microsecond // 1000).astype("Int64").astype(str)
        text = values.dt.strftime(head) + millis.str.zfill(3)
        if tail:
            text = text + values.dt.strftime(tail)
    else:
        text = values.dt.strftime(fmt)
    out = text.to_numpy(dtype=object)
    out[values.isna().to_numpy()] = None
    return out


def _candidates(example: str):
    """The formats worth trying, given one value (its separators)."""
    for date in DATE_FORMATS:
        separator = example[4] if date.startswith("%Y") else example[2]
        if date[2] != separator:
            continue
        for time in TIME_FORMATS:
            if time.startswith("T") and date != "%Y-%m-%d":
                continue
            yield date + time


def _common_offset(values) -> str | None:
    """The UTC offset that ends every value ('' if none does), or None if
    some values have one and others another (or none)."""
    suffixes = {m.group(0) if (m := _OFFSET.search(v[10:])) else "" for v in values}
    return suffixes.pop() if len(suffixes) == 1 else None


def _parse(values, fmt: str) -> pd.Series:
    return pd.to_datetime(
        pd.Series(values, dtype=object),
        format=fmt.replace(_MILLISECONDS, "%f"),
        errors="coerce",
    )


def _round_trips(values, fmt: str) -> bool:
    parsed = _parse(values, fmt)
    if parsed.isna().any():
        return False
    return bool(np.array_equal(format_dates(parsed, fmt), values))
