"""Scorers for model selection: ``GridSearchCV(scoring=...)`` over synthesizers.

:func:`make_synthesis_scorer` scores a fitted synthesizer by a fresh sample
against held-out rows, with any of the metrics of :mod:`skl_synth.metrics`;
``SYNTHESIS_SCORERS`` holds one ready-made scorer per metric name.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from sklearn.utils.validation import _num_samples

from ..utils._messages import preview
from ._evaluation import _sdmetrics_report
from ._scores import (
    _as_frames,
    _detection_score,
    _metadata_for,
    detection_auc,
    metadata_from_schema,
    synthesis_score,
)

__all__ = ["SYNTHESIS_SCORERS", "make_synthesis_scorer"]


def _report_metric(kind, prop, real, synthetic, *, metadata=None, random_state=0):
    real, synthetic = _as_frames(real, synthetic)
    report = _sdmetrics_report(kind, real, synthetic, _metadata_for(real, metadata))
    if prop is None:
        return report.get_score()
    properties = report.get_properties()
    return properties.loc[properties["Property"] == prop, "Score"].item()


def _detection_metric(real, synthetic, *, metadata=None, random_state=0):
    return _detection_score(detection_auc(real, synthetic, random_state=random_state))


_SCORER_METRICS = {
    "synthesis": synthesis_score,
    "quality": functools.partial(_report_metric, "QualityReport", None),
    "column_shapes": functools.partial(
        _report_metric, "QualityReport", "Column Shapes"
    ),
    "column_pair_trends": functools.partial(
        _report_metric, "QualityReport", "Column Pair Trends"
    ),
    "diagnostic": functools.partial(_report_metric, "DiagnosticReport", None),
    "detection": _detection_metric,
}


def make_synthesis_scorer(metric="synthesis", **kwargs):
    """Make a scorer that rates a fitted synthesizer on held-out real rows.

    The scorer samples ``len(X)`` rows from the synthesizer and compares them
    with ``X``, so that it can be passed as ``scoring=`` to
    :class:`~sklearn.model_selection.GridSearchCV` or
    :func:`~sklearn.model_selection.cross_validate` over synthesizers, alone
    or in a dict of several (then set ``refit`` to one of its names). Every
    named metric is higher-is-better, in [0, 1]. ``SYNTHESIS_SCORERS`` holds
    one ready-made scorer per name.

    Parameters
    ----------
    metric : str or callable, default="synthesis"
        ``"synthesis"`` (:func:`synthesis_score`, what the synthesizers'
        ``score`` returns), ``"quality"``, ``"column_shapes"``,
        ``"column_pair_trends"`` (sdmetrics' ``QualityReport`` and its
        properties), ``"diagnostic"`` (``DiagnosticReport``) or
        ``"detection"`` (``1 - (2 max(AUC, 0.5) - 1)`` with
        :func:`detection_auc`). Or a callable ``metric(real, synthetic,
        **kwargs) -> float`` on two DataFrames, higher is better.
    **kwargs : dict
        Passed to the metric. The named metrics accept ``metadata`` (by
        default built from the synthesizer's ``encoder_.schema_`` when it
        has one, else inferred from ``X``) and ``random_state`` (default 0,
        so that candidates are compared on the same folds and forest).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None) -> float``; ``y`` is ignored.

    See Also
    --------
    evaluate : All the metrics at once, on given synthetic rows.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.metrics import SYNTHESIS_SCORERS, make_synthesis_scorer
    >>> from skl_synth.synthesizers import VAESynthesizer
    >>> vae = VAESynthesizer(
    ...     batch_size=50, compress_dims=(32,), decompress_dims=(32,), random_state=0
    ... )
    >>> scoring = {
    ...     "quality": make_synthesis_scorer("quality"),
    ...     "diagnostic": SYNTHESIS_SCORERS["diagnostic"],
    ... }
    >>> search = GridSearchCV(
    ...     vae, {"epochs": [1, 3]}, scoring=scoring, refit="quality", cv=2
    ... ).fit(load_student_placements())
    >>> search.cv_results_["mean_test_quality"].shape
    (2,)
    >>> bool(0 < search.best_score_ < 1)
    True
    """
    if isinstance(metric, str):
        if metric not in _SCORER_METRICS:
            raise ValueError(
                f"metric must be one of {preview(_SCORER_METRICS, 10)} or a "
                f"callable; got {metric!r}."
            )
    elif not callable(metric):
        raise TypeError(
            f"metric must be a str or a callable; got {type(metric).__name__}."
        )
    return _SynthesisScorer(metric, kwargs)


class _SynthesisScorer:
    """``scorer(estimator, X, y=None)``: sample ``len(X)`` rows, score them."""

    def __init__(self, metric, kwargs):
        self.metric = metric
        self.kwargs = kwargs

    def __call__(self, estimator, X, y=None):
        real = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
        synthetic = estimator.sample(_num_samples(X))
        if not isinstance(synthetic, pd.DataFrame):
            synthetic = pd.DataFrame(np.asarray(synthetic), columns=real.columns)
        if callable(self.metric):
            return float(self.metric(real, synthetic, **self.kwargs))
        kwargs = {
            "metadata": _synthesizer_metadata(estimator, real),
            "random_state": 0,
            **self.kwargs,
        }
        return float(_SCORER_METRICS[self.metric](real, synthetic, **kwargs))

    def __repr__(self):
        arguments = [repr(self.metric)]
        arguments += [f"{key}={value!r}" for key, value in self.kwargs.items()]
        return f"make_synthesis_scorer({', '.join(arguments)})"


def _synthesizer_metadata(estimator, real):
    """Metadata from the synthesizer's encoder when it describes ``real``."""
    schema = getattr(getattr(estimator, "encoder_", None), "schema_", None)
    if schema is None:
        return None
    metadata = metadata_from_schema(schema)
    return metadata if set(metadata["columns"]) == set(map(str, real.columns)) else None


SYNTHESIS_SCORERS = {name: make_synthesis_scorer(name) for name in _SCORER_METRICS}
