"""Quality of synthetic tables: fidelity, privacy and utility.

:func:`synthesis_score` is what every synthesizer's ``score`` returns, so that
``GridSearchCV`` tunes synthesizers without a ``scoring=`` argument;
:func:`make_synthesis_scorer` and the ready-made ``SYNTHESIS_SCORERS`` (one
scorer per name: "synthesis", "quality", "column_shapes",
"column_pair_trends", "diagnostic", "detection") score them by other
metrics. :func:`evaluate` measures everything at once, in a tidy table.
"""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from ..preprocessing import TabularEncoder
from ..preprocessing._schema import infer_schema
from ..utils._docstrings import fill_doc
from ..utils._messages import preview
from ..utils._random import SEED_MAX, local_random_state
from ._evaluation import (
    HIGHER,
    _check_tables,
    _privacy_rows,
    _row,
    _same_columns,
    _sdmetrics_report,
    _to_frame,
    _utility_model,
    _utility_rows,
    _without_identifiers,
)

__all__ = [
    "detection_auc",
    "early_stopping_score",
    "evaluate",
    "metadata_from_schema",
    "synthesis_score",
]

_SDTYPES = {
    "continuous": "numerical",
    "discrete": "categorical",
    "boolean": "boolean",
    "datetime": "datetime",
    "identifier": "id",  # keys: left out of every score
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
        "categorical", "boolean", "datetime" and "id" (identifier columns,
        which the scores leave out), and the ``"datetime_format"`` of dates
        written as text; column names are strings.

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
        if column.date_format is not None:  # dates written as text
            columns[str(column.name)]["datetime_format"] = _strftime(column.date_format)
    return {"columns": columns}


def _strftime(date_format):
    """A date format as sdmetrics reads it (``strftime``'s directives only)."""
    return date_format.replace("%3f", "%f")


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
    features, labels = _detection_data(real, synthetic)
    n_splits = int(min(n_splits, labels.sum(), len(labels) - labels.sum()))
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
    forest = RandomForestClassifier(n_estimators=100, random_state=random_state)
    proba = cross_val_predict(
        forest, features, labels, cv=folds, method="predict_proba"
    )
    return float(roc_auc_score(labels, proba[:, 1]))


def _detection_data(real, synthetic):
    """Features (one encoder fitted on both tables) and labels (1 = real)."""
    real, synthetic = _as_frames(real, synthetic)
    if min(len(real), len(synthetic)) < 2:
        raise ValueError(
            "detection_auc needs at least 2 real and 2 synthetic rows; got "
            f"{len(real)} and {len(synthetic)}."
        )
    both = pd.concat([real, synthetic], ignore_index=True)
    with warnings.catch_warnings():  # keys found here are left out, silently
        warnings.filterwarnings("ignore", "columns .* look like identifiers")
        warnings.filterwarnings("ignore", "columns .* hold dates written as text")
        features = TabularEncoder(  # every category its own column
            continuous_encoding="standard", max_categories=None, random_state=0
        ).fit_transform(both)
    return features, np.r_[np.ones(len(real)), np.zeros(len(synthetic))]


def _out_of_bag_detection_auc(real, synthetic, random_state=None):
    """:func:`detection_auc` from one forest's out-of-bag predictions.

    One forest of 100 trees on all rows instead of one per fold: about 4x
    cheaper. On the speed benchmark's tables (1 000 real rows against
    copula, VAE, real and partly shuffled samples) it agreed with the
    5-fold AUC within 0.02. Early stopping scores with it.
    """
    features, labels = _detection_data(real, synthetic)
    forest = RandomForestClassifier(
        n_estimators=100, oob_score=True, random_state=random_state
    ).fit(features, labels)
    # a row in every tree's bootstrap (chance 0.63**100) has no estimate
    proba = np.nan_to_num(forest.oob_decision_function_[:, 1], nan=0.5)
    return float(roc_auc_score(labels, proba))


@fill_doc
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

    {score_parameters}

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
    return _synthesis_score(real, synthetic, metadata, random_state, detection_auc)


def _synthesis_score(real, synthetic, metadata, random_state, detection):
    real, synthetic = _as_frames(real, synthetic)
    if metadata is None:
        metadata = metadata_from_schema(infer_schema(real, warn=False))
    real, synthetic, metadata = _without_identifiers(real, synthetic, metadata)
    quality = quality_score(real, synthetic, metadata)
    auc = detection(real, synthetic, random_state=random_state)
    return 0.5 * quality + 0.5 * (1.0 - (2.0 * max(auc, 0.5) - 1.0))


@fill_doc
def early_stopping_score(real, synthetic, *, metadata=None, random_state=None):
    """:func:`synthesis_score` with the detection AUC estimated out of bag.

    What the neural synthesizers' early stopping computes on their held-out
    rows (``history_["validation_score"]``): the same formula, but the
    random forest's AUC comes from its out-of-bag predictions (one forest
    instead of five), about 4x cheaper, within 0.02 of the 5-fold AUC on
    the speed benchmark's tables.

    {score_parameters}

    Returns
    -------
    score : float
        ``0.5 * quality + 0.5 * detection``, in [0, 1].

    Examples
    --------
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.metrics import early_stopping_score
    >>> data = load_student_placements()
    >>> first, second = data.iloc[::2], data.iloc[1::2]
    >>> round(early_stopping_score(first, second, random_state=0), 1)
    0.9
    """
    return _synthesis_score(
        real, synthetic, metadata, random_state, _out_of_bag_detection_auc
    )


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


# --------------------------------------------------------------------------
# evaluate: fidelity, privacy and utility in one tidy table
# --------------------------------------------------------------------------

_COLUMNS = ["metric", "property", "score", "raw", "good", "description"]
_SDMETRICS_PROPERTIES = {
    "column_shapes": "sdmetrics: similarity of each column's distribution "
    "(KS and TV complements), averaged",
    "column_pair_trends": "sdmetrics: similarity of the correlation or "
    "contingency table of each pair of columns, averaged",
    "data_validity": "sdmetrics: synthetic values within the real ranges and "
    "categories",
    "data_structure": "sdmetrics: same column names",
}


def evaluate(
    real,
    synthetic,
    *,
    metadata=None,
    target=None,
    holdout=None,
    estimator=None,
    random_state=None,
) -> pd.DataFrame:
    """Fidelity, privacy and utility of synthetic rows, in one tidy table.

    Every ``score`` is oriented so that higher is better; ``raw`` holds the
    un-normalized value where there is one (an AUC, a share of rows, a
    difference). The rows (``metric``, by ``property``):

    fidelity
        ``synthesis`` (what synthesizers' ``score`` returns: the mean of
        ``quality`` and ``detection``, see :func:`synthesis_score`);
        ``quality``, ``column_shapes`` and ``column_pair_trends`` (sdmetrics'
        ``QualityReport`` and its properties); ``diagnostic``,
        ``data_validity`` and ``data_structure`` (``DiagnosticReport``);
        ``detection``: ``1 - (2 max(AUC, 0.5) - 1)`` with the AUC of
        :func:`detection_auc` as ``raw``.
    privacy
        ``exact_copies``: 1 minus the share of synthetic rows equal to a
        ``real`` row in every column (the share is ``raw``). With
        ``holdout``: ``dcr_overfitting_protection`` (sdmetrics'
        ``DCROverfittingProtection``; ``raw``: the share of synthetic rows
        closer to a training row than to any holdout row, about 0.5 when
        nothing was memorized) and ``dcr_holdout_ratio`` (``raw``: the median
        distance to the closest training row, sdmetrics' DCR, of synthetic
        rows divided by that of holdout rows; below 1, synthetic rows sit
        closer to the training rows than new real rows do; ``score`` is
        ``raw`` capped at 1).
    utility, when ``target`` is given
        ``tstr``: ``estimator`` trained on the synthetic rows and tested on
        ``holdout`` (balanced accuracy for a classifier, R² for a
        regressor); ``trtr``: the same trained on ``real``;
        ``tstr_trtr_ratio``: their ratio (``raw``: TSTR - TRTR).

    Parameters
    ----------
    real : DataFrame or ndarray
        The real rows the synthesizer was fitted on (an ndarray's columns
        are named ``"x0"``, ``"x1"``, ...).
    synthetic : DataFrame or ndarray
        Synthetic rows with the same columns and kinds of values.
    metadata : dict, default=None
        The sdmetrics single-table metadata (``{"columns": {name: {"sdtype":
        ...}}}``) naming every column. ``None`` infers it with
        :func:`metadata_from_schema` from ``real``.
    target : column label, default=None
        The column to predict for the utility rows: a classification target
        when its sdtype is categorical or boolean, else a regression
        target. Needs ``holdout``.
    holdout : DataFrame or ndarray, default=None
        Real rows not used to fit the synthesizer, with the same columns:
        the test set of the utility rows and the reference of the
        distance-based privacy rows.
    estimator : estimator, default=None
        The utility model (cloned), fitted on the one-hot encoded and
        standardized columns other than ``target``. ``None`` uses
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` or
        :class:`~sklearn.ensemble.HistGradientBoostingRegressor` by the
        target's sdtype. A classifier trained on rows with one class only
        predicts that class.
    random_state : int, RandomState instance or None, default=None
        Seeds the two-sample test, the utility model and the subsets drawn
        when a table has more than 1000 rows for the distance metrics (their
        cost grows with the product of the sizes).

    Returns
    -------
    scores : DataFrame
        One row per metric, with columns ``metric``, ``property``
        ("fidelity", "privacy", "utility"), ``score``, ``raw``, ``good``
        (what a good value is) and ``description``.

    See Also
    --------
    skl_synth.report.make_report : The same table in an HTML page, with plots.

    Examples
    --------
    >>> from sklearn.model_selection import train_test_split
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.metrics import evaluate
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> data = load_student_placements()
    >>> train, holdout = train_test_split(data, test_size=0.3, random_state=0)
    >>> model = GaussianCopulaSynthesizer(random_state=0).fit(train)
    >>> scores = evaluate(
    ...     train, model.sample(len(train)), target="placed", holdout=holdout,
    ...     random_state=0,
    ... )
    >>> scores.groupby("property", sort=False).size()
    property
    fidelity    8
    privacy     3
    utility     3
    dtype: int64
    >>> scores.set_index("metric").loc[["quality", "exact_copies"], "score"].round(2)
    metric
    quality         0.86
    exact_copies    1.00
    Name: score, dtype: float64
    """
    real, synthetic, holdout = _check_tables(
        real, synthetic, holdout, target, estimator
    )
    metadata = _metadata_for(real, metadata)
    real, synthetic, metadata, holdout = _without_identifiers(
        real, synthetic, metadata, holdout
    )
    if not isinstance(random_state, Integral):
        random_state = int(local_random_state(random_state).randint(SEED_MAX))
    rows = _fidelity_rows(real, synthetic, metadata, random_state)
    rows += _privacy_rows(real, synthetic, holdout, metadata, random_state)
    if target is not None:
        tables = {"real": real, "synthetic": synthetic, "holdout": holdout}
        model = _utility_model(str(target), metadata, estimator, random_state)
        rows += _utility_rows(tables, str(target), model)
    return pd.DataFrame(rows, columns=_COLUMNS)


def _fidelity_rows(real, synthetic, metadata, random_state):
    quality = _sdmetrics_report("QualityReport", real, synthetic, metadata)
    diagnostic = _sdmetrics_report("DiagnosticReport", real, synthetic, metadata)
    auc = detection_auc(real, synthetic, random_state=random_state)
    detection = _detection_score(auc)
    rows = [
        _row(
            "fidelity",
            "synthesis",
            0.5 * quality.get_score() + 0.5 * detection,
            description="mean of quality and detection: synthesizers' score",
        )
    ]
    for name, report in (("quality", quality), ("diagnostic", diagnostic)):
        rows.append(
            _row(
                "fidelity",
                name,
                report.get_score(),
                description=f"sdmetrics {type(report).__name__}: mean of its "
                "properties",
            )
        )
        properties = report.get_properties().dropna(subset=["Score"])  # skipped
        for prop, score in properties[["Property", "Score"]].to_numpy():
            key = prop.lower().replace(" ", "_")
            description = _SDMETRICS_PROPERTIES.get(key, f"sdmetrics: {prop}")
            rows.append(_row("fidelity", key, score, description=description))
    rows.append(
        _row(
            "fidelity",
            "detection",
            detection,
            raw=auc,
            good=f"{HIGHER}; raw 0.5 best",
            description="raw: cross-validated AUC of a random forest telling "
            "real from synthetic rows; score = 1 - (2 max(raw, 0.5) - 1)",
        )
    )
    return rows


def _detection_score(auc):
    return 1.0 - (2.0 * max(auc, 0.5) - 1.0)


# --------------------------------------------------------------------------
# input validation
# --------------------------------------------------------------------------


def _as_frames(real, synthetic):
    real, synthetic = _to_frame("real", real), _to_frame("synthetic", synthetic)
    return real, _same_columns(real, synthetic, "synthetic")


def _metadata_for(real, metadata):
    """sdmetrics single-table metadata describing every column of ``real``."""
    if metadata is None:
        return metadata_from_schema(infer_schema(real, warn=False))
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict; got {type(metadata).__name__}.")
    if "tables" in metadata:
        if len(metadata["tables"]) != 1:
            raise ValueError(
                f"metadata describes {len(metadata['tables'])} tables; pass the "
                "metadata of one table."
            )
        (metadata,) = metadata["tables"].values()
    missing = [c for c in real.columns if c not in metadata.get("columns", {})]
    if missing:
        raise ValueError(
            f"metadata has no entry for columns {preview(missing)}; describe "
            "every column, or pass metadata=None to infer it."
        )
    return metadata
