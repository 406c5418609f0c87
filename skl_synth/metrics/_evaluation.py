"""Helpers of :func:`skl_synth.metrics.evaluate`: input checks, privacy, utility.

Private: the public names live in :mod:`skl_synth.metrics`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.metrics import balanced_accuracy_score, r2_score

from ..preprocessing import TabularEncoder
from ..utils._messages import preview
from ..utils._random import local_random_state

HIGHER = "higher, 1 best"
# Above this many rows, the distance-to-closest-record metrics use a seeded
# random subset of each table: their cost grows with the product of the sizes.
DCR_MAX_ROWS = 1000


def _row(prop, metric, score, *, raw=np.nan, good=HIGHER, description=""):
    return {
        "metric": metric,
        "property": prop,
        "score": float(score),
        "raw": float(raw),
        "good": good,
        "description": description,
    }


def _privacy_rows(real, synthetic, holdout, metadata, random_state):
    copies = _exact_copy_rate(real, synthetic)
    rows = [
        _row(
            "privacy",
            "exact_copies",
            1.0 - copies,
            raw=copies,
            good=f"{HIGHER}; raw 0 best",
            description="raw: share of synthetic rows equal to a real (training) "
            "row in every column; score = 1 - raw",
        )
    ]
    if holdout is None:
        return rows
    from sdmetrics.single_table.privacy.dcr_utils import calculate_dcr

    train, synth, held = _dcr_subsets((real, synthetic, holdout), random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sdmetrics' own pandas deprecations
        to_train = calculate_dcr(synth, train, metadata).to_numpy()
        to_holdout = calculate_dcr(synth, held, metadata).to_numpy()
        holdout_dcr = calculate_dcr(held, train, metadata).median()
    # DCROverfittingProtection.compute_breakdown on these distances (it would
    # compute the first two again)
    closer = float(np.mean(to_train < to_holdout))
    score = min(2.0 * (1.0 - closer), 1.0)
    synthetic_dcr = np.median(to_train)
    ratio = synthetic_dcr / holdout_dcr if holdout_dcr > 0 else np.nan
    rows.append(
        _row(
            "privacy",
            "dcr_overfitting_protection",
            score,
            raw=closer,
            good=f"{HIGHER}; raw 0.5 or less best",
            description="sdmetrics DCROverfittingProtection; raw: share of "
            "synthetic rows closer to a training row than to any holdout row",
        )
    )
    rows.append(
        _row(
            "privacy",
            "dcr_holdout_ratio",
            min(ratio, 1.0),
            raw=ratio,
            good=f"{HIGHER}; raw 1 or more best",
            description="raw: median distance to the closest training row of "
            "synthetic rows over that of holdout rows (sdmetrics DCR)",
        )
    )
    return rows


def _utility_model(target, metadata, estimator, random_state):
    sdtype = metadata["columns"][target]["sdtype"]
    if sdtype not in ("numerical", "categorical", "boolean"):
        raise ValueError(
            f"target {target!r} has sdtype {sdtype!r}; utility needs a numerical "
            "(regression) or a categorical or boolean (classification) target."
        )
    if estimator is not None:
        return clone(estimator)
    if sdtype == "numerical":
        return HistGradientBoostingRegressor(random_state=random_state)
    return HistGradientBoostingClassifier(random_state=random_state)


def _utility_rows(tables, target, model):
    """TSTR and TRTR of ``model`` on the encoded columns other than ``target``."""
    (X_real, y_real), (X_synth, y_synth), (X_test, y_test) = _utility_sets(
        tables, target
    )
    if is_classifier(model):
        metric, metric_name = balanced_accuracy_score, "balanced accuracy"
    else:
        metric, metric_name = r2_score, "R²"
    tstr = _fit_and_score(model, X_synth, y_synth, X_test, y_test, metric)
    trtr = _fit_and_score(model, X_real, y_real, X_test, y_test, metric)
    model_name = type(model).__name__
    return [
        _row(
            "utility",
            "tstr",
            tstr,
            good="higher, as high as trtr best",
            description=f"{metric_name} on holdout of {model_name} trained on "
            f"the synthetic rows to predict {target!r}",
        ),
        _row(
            "utility",
            "trtr",
            trtr,
            good="higher (the reference)",
            description=f"{metric_name} on holdout of {model_name} trained on "
            f"the real rows to predict {target!r}",
        ),
        _row(
            "utility",
            "tstr_trtr_ratio",
            tstr / trtr if trtr > 0 else np.nan,
            raw=tstr - trtr,
            good="higher, 1 best; raw 0 best",
            description="tstr / trtr; raw: tstr - trtr",
        ),
    ]


def _utility_sets(tables, target):
    """Encoded features and labels of the real, synthetic and holdout rows."""
    frames = [table[table[target].notna()] for table in tables.values()]
    for name, frame in zip(tables, frames, strict=True):
        if len(frame) == 0:
            raise ValueError(f"target {target!r} is missing in every row of {name}.")
    features = pd.concat([f.drop(columns=target) for f in frames], ignore_index=True)
    if features.shape[1] == 0:
        raise ValueError(
            f"target {target!r} is the only column; utility needs features."
        )
    # Unsupervised encoding, fitted on all rows so that every category is known.
    encoded = TabularEncoder(
        continuous_encoding="standard", random_state=0
    ).fit_transform(features)
    bounds = np.cumsum([0] + [len(f) for f in frames])
    numeric = _dtype_family(frames[0][target]) == "numeric"
    return [
        (
            encoded[start:stop],
            frame[target].to_numpy(dtype=float)
            if numeric
            else frame[target].astype(str).to_numpy(),
        )
        for frame, start, stop in zip(frames, bounds[:-1], bounds[1:], strict=True)
    ]


def _fit_and_score(model, X, y, X_test, y_test, metric):
    model = clone(model)
    if is_classifier(model) and len(pd.unique(y)) < 2:
        model = DummyClassifier(strategy="most_frequent")  # one class to learn
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # classes absent from a set
        model.fit(X, y)
        return float(metric(y_test, model.predict(X_test)))


def _sdmetrics_report(kind, real, synthetic, metadata):
    """sdmetrics' QualityReport or DiagnosticReport, generated on one table."""
    from sdmetrics import reports

    report = getattr(reports, kind)()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sdmetrics' own pandas deprecations
        report.generate(
            {"table": real},
            {"table": synthetic},
            {"tables": {"table": metadata}},
            verbose=False,
        )
    return report


def _exact_copy_rate(real, synthetic):
    """Share of synthetic rows equal to some real row in every column."""
    seen = _row_hashes(real)
    return float(np.isin(_row_hashes(synthetic), seen).mean())


def _row_hashes(frame):
    """One hash per row, equal for equal values whatever the dtype width."""
    normalized = {}
    for column in frame.columns:
        series = frame[column]
        family = _dtype_family(series)
        if family == "numeric":
            values = series.to_numpy(dtype=float, na_value=np.nan)
        elif family in ("datetime", "timedelta"):
            unit = "datetime64[ns]" if family == "datetime" else "timedelta64[ns]"
            values = series.to_numpy(dtype=unit)
        else:  # booleans, strings, categories: compared as text
            values = np.where(series.isna(), "\0missing", series.astype(str))
        normalized[column] = values
    return pd.util.hash_pandas_object(pd.DataFrame(normalized), index=False).to_numpy()


def _dcr_subsets(frames, random_state):
    rng = local_random_state(random_state)
    subsets = []
    for frame in frames:
        if len(frame) > DCR_MAX_ROWS:
            rows = np.sort(rng.choice(len(frame), DCR_MAX_ROWS, replace=False))
            frame = frame.iloc[rows].reset_index(drop=True)
        subsets.append(frame)
    return subsets


def _check_tables(real, synthetic, holdout, target, estimator):
    frames = {"real": _to_frame("real", real)}
    frames["synthetic"] = _to_frame("synthetic", synthetic)
    if holdout is not None:
        frames["holdout"] = _to_frame("holdout", holdout)
    if target is not None:
        _check_target(str(target), frames)
    elif estimator is not None:
        raise ValueError(
            "estimator is used only for the utility rows; pass target= (the "
            "column to predict) and holdout= as well."
        )
    for name in ("synthetic", "holdout"):
        if name in frames:
            frames[name] = _same_columns(frames["real"], frames[name], name)
            _check_dtypes(frames["real"], frames[name], name)
    return frames["real"], frames["synthetic"], frames.get("holdout")


def _to_frame(name, table):
    if not isinstance(table, pd.DataFrame):
        table = np.asarray(table)
        if table.ndim != 2:
            raise ValueError(f"{name} must be 2-dimensional; got shape {table.shape}.")
        table = pd.DataFrame(table, columns=[f"x{i}" for i in range(table.shape[1])])
    if len(table) == 0:
        raise ValueError(f"{name} has 0 rows; pass at least 2.")
    if table.shape[1] == 0:
        raise ValueError(f"{name} has no columns; pass at least 1.")
    return table.rename(columns=str).reset_index(drop=True)


def _same_columns(real, other, name):
    """``other`` with the columns of ``real``, in the same order."""
    if list(real.columns) == list(other.columns):
        return other
    missing = [c for c in real.columns if c not in other.columns]
    extra = [c for c in other.columns if c not in real.columns]
    if not missing and not extra and not other.columns.duplicated().any():
        return other[list(real.columns)]
    raise ValueError(
        f"real and {name} have different columns: {name} lacks "
        f"{preview(missing)} and has extra {preview(extra)}."
    )


def _check_target(target, frames):
    for name, frame in frames.items():
        if target not in frame.columns:
            raise ValueError(
                f"target {target!r} is not a column of {name}; its columns are "
                f"{preview(frame.columns)}."
            )
    if "holdout" not in frames:
        raise ValueError(
            f"utility (target={target!r}) is measured on real rows not used for "
            "fitting the synthesizer: pass them as holdout=."
        )


def _dtype_family(series):
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        dtype = dtype.categories.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    return "object"


def _check_dtypes(real, other, name):
    for column in real.columns:
        families = _dtype_family(real[column]), _dtype_family(other[column])
        # booleans with missing values are object columns
        if families[0] != families[1] and set(families) != {"boolean", "object"}:
            raise ValueError(
                f"column {column!r} holds {families[0]} values in real "
                f"({real[column].dtype}) but {families[1]} values in {name} "
                f"({other[column].dtype}); convert one (e.g. with astype) so that "
                "both hold the same kind of values."
            )


def _without_identifiers(real, synthetic, metadata, *others):
    """The tables and single-table metadata without the "id" columns: a
    generated key is new by design, and scoring it would only tell rows
    apart."""
    columns = metadata.get("columns") if isinstance(metadata, dict) else None
    if not columns:
        return (real, synthetic, metadata, *others)
    ids = [c for c in real.columns if columns.get(str(c), {}).get("sdtype") == "id"]
    if not ids:
        return (real, synthetic, metadata, *others)
    kept = {k: v for k, v in columns.items() if v.get("sdtype") != "id"}
    tables = [
        t if t is None else t.drop(columns=ids) for t in (real, synthetic, *others)
    ]
    return (*tables[:2], {**metadata, "columns": kept}, *tables[2:])
