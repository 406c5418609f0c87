"""Quality of synthetic tables, measured with sdmetrics and a two-sample test.

:func:`synthesis_score` is what every synthesizer's ``score`` returns, so that
``GridSearchCV`` tunes synthesizers without a ``scoring=`` argument.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from ._schema import _preview, infer_schema
from .preprocessing import TabularEncoder

__all__ = ["detection_auc", "metadata_from_schema", "synthesis_score"]

_SDTYPES = {
    "continuous": "numerical",
    "discrete": "categorical",
    "boolean": "boolean",
    "datetime": "datetime",
}


def metadata_from_schema(schema) -> dict:
    """Build sdmetrics single-table metadata from an inferred schema.

    Parameters
    ----------
    schema : sequence of ColumnSchema
        For example a fitted :class:`~skl_synth.preprocessing.TabularEncoder`'s
        ``schema_``.

    Returns
    -------
    metadata : dict
        ``{"columns": {name: {"sdtype": ...}}}`` with sdtypes "numerical",
        "categorical", "boolean" and "datetime"; column names are strings.

    Examples
    --------
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.preprocessing import TabularEncoder
    >>> from skl_synth.metrics import metadata_from_schema
    >>> encoder = TabularEncoder(random_state=0).fit(load_student_placements())
    >>> metadata_from_schema(encoder.schema_)["columns"]["start_date"]
    {'sdtype': 'datetime'}
    """
    columns = {}
    for column in schema:
        sdtype = _SDTYPES[column.kind]
        if column.kind == "continuous" and pd.api.types.is_timedelta64_dtype(
            column.dtype
        ):
            sdtype = "numerical"
        columns[str(column.name)] = {"sdtype": sdtype}
    return {"columns": columns}


def detection_auc(real, synthetic, *, n_splits=5, random_state=None) -> float:
    """Cross-validated AUC of a random forest telling real from synthetic rows.

    Both tables are encoded with one
    :class:`~skl_synth.preprocessing.TabularEncoder` (standardized numbers,
    one-hot categories, missing-value indicators) fitted on their union. A
    random forest of 100 trees predicts, out of fold, which rows are real;
    0.5 means indistinguishable, 1.0 means every row is told apart. Being
    non-linear, the forest sees broken joint structure that column-wise
    statistics miss.

    Parameters
    ----------
    real, synthetic : DataFrame or ndarray
        Tables with the same columns.
    n_splits : int, default=5
        Folds of the stratified cross-validation (fewer when a table has
        fewer rows).
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the forest.

    Returns
    -------
    auc : float
        The out-of-fold ROC AUC, in [0, 1].

    Examples
    --------
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.metrics import detection_auc
    >>> import numpy as np
    >>> data = load_student_placements()
    >>> rng = np.random.default_rng(0)
    >>> shuffled = data.apply(lambda column: rng.permutation(column.to_numpy()))
    >>> round(detection_auc(data, shuffled, random_state=0), 2)  # columns independent
    0.99
    """
    real, synthetic = _as_frames(real, synthetic)
    both = pd.concat([real, synthetic], ignore_index=True)
    features = TabularEncoder(
        continuous_encoding="standard", random_state=0
    ).fit_transform(both)
    labels = np.r_[np.ones(len(real)), np.zeros(len(synthetic))]
    n_splits = int(min(n_splits, len(real), len(synthetic)))
    if n_splits < 2:
        raise ValueError(
            "detection_auc needs at least 2 real and 2 synthetic rows; got "
            f"{len(real)} and {len(synthetic)}."
        )
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
    forest = RandomForestClassifier(n_estimators=100, random_state=random_state)
    proba = cross_val_predict(
        forest, features, labels, cv=folds, method="predict_proba"
    )
    return float(roc_auc_score(labels, proba[:, 1]))


def synthesis_score(real, synthetic, *, metadata=None, random_state=None) -> float:
    """How well synthetic rows match real ones: higher is better, in [0, 1].

    The mean of two numbers:

    - the overall score of sdmetrics' ``QualityReport`` (column shapes and
      column pair trends), which sees marginals and pairwise statistics;
    - the detection score ``1 - (2 max(AUC, 0.5) - 1)`` of
      :func:`detection_auc` (the convention of sdmetrics' detection metrics),
      which sees joint, non-linear structure.

    The QualityReport alone rewards a generator that ignores correlations:
    on ``load_student_placements()`` it gives 0.878 to a copy whose columns
    were shuffled independently, more than the 0.843 of one real half against
    the other. The detection score is near 0 for the shuffled copy (AUC 0.97)
    and near 1 for the real half (AUC 0.45), so the combination ranks them
    correctly.

    Parameters
    ----------
    real : DataFrame or ndarray
        Real rows, preferably not used to fit the synthesizer.
    synthetic : DataFrame or ndarray
        Synthetic rows with the same columns.
    metadata : dict, default=None
        The sdmetrics metadata; inferred from ``real`` when None.
    random_state : int, RandomState instance or None, default=None
        Seeds the two-sample test.

    Returns
    -------
    score : float
        ``0.5 * quality + 0.5 * detection``.

    Examples
    --------
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.metrics import synthesis_score
    >>> import numpy as np
    >>> data = load_student_placements()
    >>> first, second = data.iloc[::2], data.iloc[1::2]
    >>> rng = np.random.default_rng(0)
    >>> shuffled = second.apply(lambda column: rng.permutation(column.to_numpy()))
    >>> round(synthesis_score(first, second, random_state=0), 2)
    0.9
    >>> round(synthesis_score(first, shuffled, random_state=0), 2)
    0.42
    """
    real, synthetic = _as_frames(real, synthetic)
    if metadata is None:
        metadata = metadata_from_schema(infer_schema(real))
    quality = quality_score(real, synthetic, metadata)
    auc = detection_auc(real, synthetic, random_state=random_state)
    return 0.5 * quality + 0.5 * (1.0 - (2.0 * max(auc, 0.5) - 1.0))


def quality_score(real, synthetic, metadata) -> float:
    """The overall score of sdmetrics' ``QualityReport`` on one table."""
    from sdmetrics.reports import QualityReport

    if "tables" not in metadata:  # single-table metadata: wrap it
        metadata = {"tables": {"table": metadata}}
    (table,) = metadata["tables"]
    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sdmetrics' own pandas deprecations
        report.generate({table: real}, {table: synthetic}, metadata, verbose=False)
    return float(report.get_score())


def _as_frames(real, synthetic):
    frames = []
    for name, table in (("real", real), ("synthetic", synthetic)):
        if not isinstance(table, pd.DataFrame):
            table = np.asarray(table)
            if table.ndim != 2:
                raise ValueError(
                    f"{name} must be 2-dimensional; got shape {table.shape}."
                )
            table = pd.DataFrame(
                table, columns=[f"x{i}" for i in range(table.shape[1])]
            )
        if len(table) == 0:
            raise ValueError(f"{name} has 0 rows; pass at least 2.")
        frames.append(table.rename(columns=str).reset_index(drop=True))
    real, synthetic = frames
    if list(real.columns) != list(synthetic.columns):
        missing = [c for c in real.columns if c not in synthetic.columns]
        extra = [c for c in synthetic.columns if c not in real.columns]
        raise ValueError(
            f"real and synthetic have different columns: synthetic lacks "
            f"{_preview(missing)} and has extra {_preview(extra)}."
        )
    return real, synthetic
