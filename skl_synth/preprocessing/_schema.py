"""Column kinds: inference from a DataFrame, and lossless conversions.

Every column of a table is one of five kinds:

``"continuous"``
    Numbers learned as a distribution (floats, many-valued integers,
    timedeltas).
``"discrete"``
    A finite set of values learned as categories (strings, ``category``,
    few-valued integers, constant columns).
``"boolean"``
    ``True`` / ``False``, learned as a two-category discrete column.
``"datetime"``
    ``datetime64`` columns, with or without a time zone, and text columns
    whose values are all dates written in one format (:mod:`._text_dates`),
    learned as continuous numbers of ticks and restored to the same dtype
    and resolution (text: strings in the same format).
``"identifier"``
    Keys (strings or integers): not learned; generated rows get fresh values
    (:mod:`._identifiers`).

The inference rule (documented for users in
:class:`~skl_synth.preprocessing.TabularEncoder`):

0. Text columns not listed in ``discrete_columns`` whose values are all
   dates or date-times written in one format are ``"datetime"`` (with a
   warning naming them).
1. Other columns not listed in ``discrete_columns`` whose values are all unique
   strings, or consecutive integers, none missing, in at least 20 rows, are
   ``"identifier"`` (with a warning naming them).
2. ``bool`` / ``"boolean"`` dtypes, and ``object`` columns that hold only
   booleans, are ``"boolean"``.
3. ``category``, ``string`` and ``object`` columns are ``"discrete"``.
4. ``datetime64`` columns are ``"datetime"``.
5. Numeric columns with a single distinct value, and numeric columns whose
   values are all whole numbers (integer dtypes, or floats such as 3.0 that
   hold NaN) with at most :data:`MAX_DISCRETE_INTEGERS` distinct values, are
   ``"discrete"``.
6. Other numeric columns (and ``timedelta64``) are ``"continuous"``.

When the caller lists ``discrete_columns`` explicitly, rules 5 and 6 are
replaced by the list: a numeric column is discrete exactly when it is listed
(and a listed text column is never read as dates).
``column_kinds`` (``{column: "identifier" | "discrete" | "continuous" |
"datetime"}``) overrides every rule for the columns it names; a text column
declared ``"datetime"`` must hold dates in one format.

This module knows pandas and numpy only; it holds no learned model.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from ..utils._messages import preview
from ..utils._state import persistable
from ._identifiers import check_identifier_dtype, is_identifier, warn_inferred
from ._temporal import _ticks, _unit
from ._text_dates import parse_dates, text_date_format, warn_text_dates

__all__ = [
    "MAX_DISCRETE_INTEGERS",
    "ColumnSchema",
    "infer_schema",
]

MAX_DISCRETE_INTEGERS = 10
"""Whole-number columns with at most this many distinct values are discrete."""

SETTABLE_KINDS = ("identifier", "discrete", "continuous", "datetime")
"""The kinds ``column_kinds`` may give a column."""

MAX_DECIMALS = 6
"""Float columns whose values all have at most this many decimals are rounded."""

# Temporal resolutions tried, coarsest first, in nanoseconds.
_RESOLUTIONS_NS = (86_400 * 10**9, 3_600 * 10**9, 60 * 10**9, 10**9, 10**6, 10**3, 1)
_TICK_NS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}

# Scalars allowed in object columns; anything else (lists, dicts, tuples,
# arrays, ...) is a nested object and is refused.
_SCALAR_TYPES = (
    str,
    bytes,
    bool,
    numbers.Number,
    Decimal,
    np.generic,
    date,
    datetime,
    time,
    timedelta,
    pd.Timestamp,
    pd.Timedelta,
)


@persistable("dataclass")
@dataclass(frozen=True)
class ColumnSchema:
    """What is known about one column once a table has been seen.

    Parameters
    ----------
    name : hashable
        The column label, as in the input.
    kind : {"continuous", "discrete", "boolean", "datetime", "identifier"}
        How the column is learned.
    dtype : numpy or pandas dtype
        The input dtype, restored on the way back.
    has_missing : bool
        Whether the column held missing values (NaN, None, ``pd.NA``, NaT).
    missing_value : object
        The missing-value marker restored in ``object`` columns.
    categories : tuple or None
        Discrete and boolean kinds: the observed non-missing values, sorted
        (``category`` dtype: in the dtype's order).
    minimum, maximum : float or None
        Continuous and datetime kinds: the observed range, in the numeric
        units returned by :func:`column_to_float`.
    decimals : int or None
        Continuous kind: values are rounded to this many decimals on the way
        back (``0`` for integer columns); ``None`` leaves them as they are.
    resolution : int or None
        Datetime kind: values are rounded to multiples of this many ticks.
    offset : int
        Datetime kind: the earliest tick, subtracted before conversion to
        float so that the float keeps full precision.
    date_format : str or None
        Datetime kind, text columns: the format the dates are written in
        (``strftime``'s, see :mod:`._text_dates`); generated dates are
        written in it. ``None`` for ``datetime64`` columns.
    """

    name: Hashable
    kind: str
    dtype: Any
    has_missing: bool
    missing_value: Any = np.nan
    categories: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None
    decimals: int | None = None
    resolution: int | None = None
    offset: int = 0
    date_format: str | None = None

    @property
    def temporal_dtype(self):
        """The dtype of the column's datetimes: ``datetime64[ns]`` for dates
        written as text, the column's own dtype otherwise."""
        if self.date_format is not None:
            return np.dtype("datetime64[ns]")
        return self.dtype

    @property
    def is_discrete(self) -> bool:
        """Whether the column is one-hot encoded (discrete or boolean)."""
        return self.kind in ("discrete", "boolean")


# --------------------------------------------------------------------------
# inference
# --------------------------------------------------------------------------


def infer_schema(
    frame: pd.DataFrame,
    discrete_columns: Sequence[Hashable] | None = None,
    column_kinds: dict | None = None,
    *,
    warn: bool = True,
) -> tuple[ColumnSchema, ...]:
    """Infer the kind and the restoration facts of every column of ``frame``.

    Raises ``ValueError`` naming the column for data that cannot be learned:
    no rows, an all-missing column, infinite values, nested objects, and
    dtypes without a meaningful encoding (complex, period, interval, sparse).
    """
    if frame.shape[1] == 0:
        raise ValueError("X has no columns; pass a table with at least one column.")
    if frame.shape[0] == 0:
        raise ValueError(
            f"X has 0 rows (columns: {preview(frame.columns)}); "
            "pass at least one row to fit."
        )
    duplicated = frame.columns[frame.columns.duplicated()].unique()
    if len(duplicated):
        raise ValueError(
            f"X has duplicated column names {preview(duplicated)}; "
            "rename them so that every column label is unique."
        )
    explicit = None
    if discrete_columns is not None:
        explicit = list(discrete_columns)
        unknown = [c for c in explicit if c not in frame.columns]
        if unknown:
            raise ValueError(
                f"discrete_columns names {preview(unknown)}, which are not "
                f"columns of X; the columns are {preview(frame.columns)}."
            )
    kinds = check_column_kinds(column_kinds, frame.columns)
    schema = tuple(
        _infer_column(
            frame[name],
            None if explicit is None else name in explicit,
            kinds.get(name),
        )
        for name in frame.columns
    )
    inferred = [
        s.name for s in schema if s.kind == "identifier" and s.name not in kinds
    ]
    if inferred and warn:
        warn_inferred(inferred, stacklevel=4)
    dates = {
        s.name: s.date_format
        for s in schema
        if s.date_format is not None and s.name not in kinds
    }
    if dates and warn:
        warn_text_dates(dates, stacklevel=4)
    return schema


def check_column_kinds(column_kinds, columns) -> dict:
    """``column_kinds`` as a dict, checked against the columns and the kinds."""
    if column_kinds is None:
        return {}
    if not isinstance(column_kinds, dict):
        raise TypeError(
            "column_kinds must be a dict {column: kind}; got "
            f"{type(column_kinds).__name__}."
        )
    unknown = [c for c in column_kinds if c not in columns]
    if unknown:
        raise ValueError(
            f"column_kinds names {preview(unknown)}, which are not columns of X; "
            f"the columns are {preview(columns)}."
        )
    bad = {c: k for c, k in column_kinds.items() if k not in SETTABLE_KINDS}
    if bad:
        raise ValueError(
            f"column_kinds gives {bad}; a kind is one of {list(SETTABLE_KINDS)}."
        )
    return dict(column_kinds)


def _infer_column(series: pd.Series, listed: bool | None, declared=None):
    name, dtype = series.name, series.dtype
    _check_supported_dtype(series)
    missing = series.isna().to_numpy()
    if missing.all():
        raise ValueError(
            f"Column {name!r} has only missing values; drop it before fitting "
            "(there is nothing to learn from it)."
        )
    facts = {
        "name": name,
        "dtype": dtype,
        "has_missing": bool(missing.any()),
        "missing_value": _missing_marker(series, missing),
    }
    date_format = text_date_format(series, missing, listed, declared)
    if date_format is not None:
        facts["date_format"] = date_format
        return _temporal_schema(
            parse_dates(series, date_format), missing, facts, kind="datetime"
        )
    if declared == "datetime":
        _check_declared_datetime(series)
        declared = "continuous"  # a datetime64 column: learned as ticks
    if is_identifier(series, bool(listed), declared):
        check_identifier_dtype(series)
        return ColumnSchema(kind="identifier", **facts)
    if declared is not None:
        listed = declared == "discrete"
        if not listed and (_is_textual(dtype) or _is_boolean(series, missing)):
            raise ValueError(
                f"column_kinds declares column {name!r} continuous, but it holds "
                f"{dtype} values; only numbers, datetimes and timedeltas can be."
            )
    if _is_boolean(series, missing):
        return ColumnSchema(kind="boolean", categories=_categories(series), **facts)
    if _is_textual(dtype):
        return ColumnSchema(kind="discrete", categories=_categories(series), **facts)
    if _is_numeric(dtype):
        _check_finite(series, missing)
    discrete = _few_integers(series, missing) if listed is None else listed
    if discrete:
        return ColumnSchema(kind="discrete", categories=_categories(series), **facts)
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return _temporal_schema(series, missing, facts, kind="datetime")
    if pd.api.types.is_timedelta64_dtype(dtype):
        return _temporal_schema(series, missing, facts, kind="continuous")
    values = series.to_numpy(dtype="float64", na_value=np.nan)[~missing]
    return ColumnSchema(
        kind="continuous",
        minimum=float(values.min()),
        maximum=float(values.max()),
        decimals=_decimals(values, dtype),
        **facts,
    )


def _check_declared_datetime(series: pd.Series) -> None:
    dtype = series.dtype
    if not pd.api.types.is_datetime64_any_dtype(dtype):
        raise ValueError(
            f"column_kinds declares column {series.name!r} datetime, but it holds "
            f"{dtype} values; only datetime64 columns and text dates can be "
            "(convert numbers with pd.to_datetime first)."
        )


def _few_integers(series: pd.Series, missing: np.ndarray) -> bool:
    """Rule 4: one distinct value, or at most a few integer values."""
    n_unique = series.nunique(dropna=True)
    if n_unique == 1:
        return True
    if n_unique > MAX_DISCRETE_INTEGERS or not _is_numeric(series.dtype):
        return False
    if pd.api.types.is_integer_dtype(series.dtype):
        return True
    values = series.to_numpy(dtype="float64", na_value=np.nan)[~missing]
    return bool(np.all(values == np.round(values)))


def _check_supported_dtype(series: pd.Series) -> None:
    name, dtype = series.name, series.dtype
    if isinstance(dtype, pd.SparseDtype):
        raise ValueError(
            f"Column {name!r} is sparse; densify it with "
            "`X[col].sparse.to_dense()` before fitting."
        )
    if isinstance(dtype, pd.PeriodDtype | pd.IntervalDtype):
        raise ValueError(
            f"Column {name!r} has dtype {dtype}, which has no encoding; convert "
            "it to timestamps (`.dt.to_timestamp()`) or to strings first."
        )
    if pd.api.types.is_complex_dtype(dtype):
        raise ValueError(
            f"Column {name!r} holds complex numbers, which have no encoding; "
            "split it into real and imaginary columns first."
        )
    if _is_object(dtype):
        _check_object_scalars(series)


def _check_object_scalars(series: pd.Series) -> None:
    # Look at the distinct values, not at every row.
    try:
        uniques = pd.unique(series.to_numpy())
    except TypeError:
        uniques = series.to_numpy()  # unhashable elements: found below
    for value in uniques:
        if value is None or value is pd.NA or isinstance(value, _SCALAR_TYPES):
            continue
        raise ValueError(
            f"Column {series.name!r} holds a nested object of type "
            f"{type(value).__name__} ({_short(value)}); only scalars (numbers, "
            "strings, booleans, dates) can be encoded. Flatten it into separate "
            "columns or convert it to strings first."
        )


def _check_finite(series: pd.Series, missing: np.ndarray) -> None:
    if not pd.api.types.is_float_dtype(series.dtype):
        return
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    n_inf = int(np.isinf(values).sum())
    if n_inf:
        raise ValueError(
            f"Column {series.name!r} has {n_inf} infinite value(s); replace them "
            "with NaN (to be learned as missing) or with finite numbers."
        )


def _is_boolean(series: pd.Series, missing: np.ndarray) -> bool:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return True
    if _is_object(dtype):
        return all(isinstance(v, bool | np.bool_) for v in pd.unique(series[~missing]))
    return False


def _is_object(dtype) -> bool:
    return isinstance(dtype, np.dtype) and dtype.kind == "O"


def _is_textual(dtype) -> bool:
    return (
        _is_object(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def _is_numeric(dtype) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(
        dtype
    )


def _missing_marker(series: pd.Series, missing: np.ndarray) -> Any:
    if _is_object(series.dtype) and missing.any():
        return series.to_numpy()[missing.argmax()]
    return np.nan


def _categories(series: pd.Series) -> tuple:
    if isinstance(series.dtype, pd.CategoricalDtype):
        observed = set(series.cat.codes[series.cat.codes >= 0].unique())
        return tuple(c for i, c in enumerate(series.cat.categories) if i in observed)
    # dict.fromkeys, not pd.unique: pandas' string hashtable treats strings
    # with NUL characters as equal ("\x00" == "").
    uniques = list(dict.fromkeys(series.dropna().to_numpy(dtype=object)))
    try:
        return tuple(sorted(uniques))
    except TypeError:  # values of mixed, unorderable types: order of appearance
        return tuple(uniques)


def _decimals(values: np.ndarray, dtype) -> int | None:
    if pd.api.types.is_integer_dtype(dtype):
        return 0
    if str(dtype) in ("float32", "Float32"):  # exact: each float32 comes back
        for decimals in range(MAX_DECIMALS + 1):
            rounded = np.round(values, decimals).astype(np.float32)
            if np.all(rounded == values.astype(np.float32)):
                return decimals
        return None
    eps = np.finfo(np.float64).eps
    # relative to each value: rounding may only absorb representation noise
    tolerance = 8 * eps * np.abs(values)
    for decimals in range(MAX_DECIMALS + 1):
        if np.all(np.abs(np.round(values, decimals) - values) <= tolerance):
            return decimals
    return None


def _temporal_schema(series, missing, facts, kind) -> ColumnSchema:
    ticks, _ = _ticks(series)
    ticks = ticks[~missing]
    offset = int(ticks.min())
    tick_ns = _TICK_NS[_unit(series)]
    resolution = 1
    for step_ns in _RESOLUTIONS_NS:
        step = step_ns // tick_ns
        if (
            step >= 1
            and step_ns % tick_ns == 0
            and np.all((ticks - offset) % step == 0)
        ):
            resolution = step
            break
    return ColumnSchema(
        kind=kind,
        minimum=0.0,
        maximum=float(ticks.max() - offset),
        resolution=resolution,
        offset=offset,
        **facts,
    )


# --------------------------------------------------------------------------
# message helpers
# --------------------------------------------------------------------------


def _short(value, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
