"""Datetime and timedelta columns as integer ticks, and back, time zones kept."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _unit(series: pd.Series) -> str:
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return dtype.unit
    return np.datetime_data(dtype)[0]


def _ticks(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer ticks (UTC for time-zone aware columns) and the missing mask."""
    missing = series.isna().to_numpy()
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    ticks = series.to_numpy().view("int64").copy()
    ticks[missing] = 0
    return ticks, missing


def _from_ticks(ticks: np.ndarray, missing: np.ndarray, schema) -> pd.Series:
    dtype = schema.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        naive = ticks.view(f"datetime64[{dtype.unit}]")
        series = pd.Series(naive).dt.tz_localize("UTC").dt.tz_convert(dtype.tz)
    else:
        series = pd.Series(ticks.view(dtype))
    series = series.astype(dtype)
    series[missing] = pd.NaT
    return series.rename(schema.name)


def _same_temporal_family(dtype, fitted) -> bool:
    def family(d):
        if isinstance(d, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(d):
            return "datetime"
        if pd.api.types.is_timedelta64_dtype(d):
            return "timedelta"
        return None

    return family(dtype) == family(fitted) and (
        isinstance(dtype, pd.DatetimeTZDtype) == isinstance(fitted, pd.DatetimeTZDtype)
    )
