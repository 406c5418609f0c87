"""A column to numbers or category codes and back, losslessly, as its schema says."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._schema import ColumnSchema, _is_numeric, _is_object
from ._temporal import _from_ticks, _same_temporal_family, _ticks
from ._text_dates import format_dates, parse_dates

# Returned by `column_to_codes` for values absent from the categories.
MISSING_CODE = -1
UNKNOWN_CODE = -2


def column_to_float(series: pd.Series, schema: ColumnSchema) -> np.ndarray:
    """Convert a continuous or datetime column to float64, NaN where missing."""
    name = schema.name
    if schema.kind == "datetime" or pd.api.types.is_timedelta64_dtype(schema.dtype):
        if schema.date_format is not None:  # dates written as text
            series = parse_dates(series, schema.date_format)
        elif not _same_temporal_family(series.dtype, schema.dtype):
            raise ValueError(
                f"Column {name!r} was {schema.dtype} during fit but is "
                f"{series.dtype} now; convert it with pd.to_datetime / "
                "pd.to_timedelta first."
            )
        ticks, missing = _ticks(series.astype(schema.temporal_dtype))
        values = (ticks - schema.offset).astype("float64")
        values[missing] = np.nan
        return values
    if not _is_numeric(series.dtype):
        raise ValueError(
            f"Column {name!r} was numeric during fit but has dtype {series.dtype} "
            "now; convert it to numbers first."
        )
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    if np.isinf(values).any():
        raise ValueError(
            f"Column {name!r} has infinite values; replace them with NaN or "
            "finite numbers."
        )
    return values


def float_to_column(values: np.ndarray, schema: ColumnSchema) -> pd.Series:
    """Inverse of :func:`column_to_float`: round, clip, restore NaN and dtype.

    ``values`` may hold NaN where the value is missing; every other value is
    clipped to the training range and rounded to the column's precision.
    """
    missing = np.isnan(values)
    values = np.clip(values, schema.minimum, schema.maximum)
    if schema.kind == "datetime" or schema.resolution is not None:
        step = schema.resolution
        ticks = np.round(np.nan_to_num(values) / step).astype("int64") * step
        ticks += schema.offset
        if schema.date_format is not None:
            dates = pd.Series(ticks.view("datetime64[ns]"))
            return _restore_dtype(
                format_dates(dates, schema.date_format), missing, schema
            )
        return _from_ticks(ticks, missing, schema)
    if schema.decimals is not None:  # clipped again: rounding may cross a bound
        values = np.clip(
            np.round(values, schema.decimals), schema.minimum, schema.maximum
        )
    values[missing] = np.nan
    return _restore_dtype(values, missing, schema)


def column_to_codes(series: pd.Series, schema: ColumnSchema) -> np.ndarray:
    """Map a discrete column to indices into ``schema.categories``.

    Missing values get :data:`MISSING_CODE` (-1) and values absent from the
    categories get :data:`UNKNOWN_CODE` (-2).
    """
    missing = series.isna().to_numpy()
    index = pd.Index(schema.categories, dtype=object, tupleize_cols=False)
    codes = index.get_indexer(series.to_numpy(dtype=object))
    codes = np.where(codes < 0, UNKNOWN_CODE, codes)
    codes[missing] = MISSING_CODE
    return codes


def codes_to_column(codes: np.ndarray, schema: ColumnSchema) -> pd.Series:
    """Inverse of :func:`column_to_codes` (missing code restores a missing value)."""
    missing = codes < 0
    categories = np.empty(len(schema.categories), dtype=object)
    categories[:] = schema.categories
    values = categories[np.where(missing, 0, codes)]
    if isinstance(schema.dtype, pd.CategoricalDtype):
        values[missing] = np.nan
        return pd.Series(pd.Categorical(values, dtype=schema.dtype), name=schema.name)
    return _restore_dtype(values, missing, schema)


def _restore_dtype(values: np.ndarray, missing: np.ndarray, schema) -> pd.Series:
    dtype = schema.dtype
    if isinstance(dtype, np.dtype) and not _is_object(dtype):
        if not missing.any():
            return pd.Series(values, name=schema.name).astype(dtype)
        # float, datetime64 and timedelta64 columns hold NaN / NaT
        values = pd.Series(values, dtype=object, name=schema.name)
        values[missing] = None
        return values.astype(dtype)
    if _is_object(dtype):
        values = values.astype(object)
        values[missing] = schema.missing_value
        return pd.Series(values, dtype=object, name=schema.name)
    # pandas extension dtypes (Int64, Float64, boolean, string, ...)
    values = values.astype(object)
    values[missing] = pd.NA
    return pd.Series(pd.array(values, dtype=dtype), name=schema.name)
