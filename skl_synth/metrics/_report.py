"""An HTML report of synthetic rows against real ones: scores and plots.

:func:`make_report` writes one self-contained page (no scripts, no network:
the figures are PNG images embedded in the file) that shows the table of
:func:`skl_synth.metrics.evaluate`, every column's distribution real vs
synthetic, the difference of their pairwise associations, the training
losses of a synthesizer and the members of an ensemble.

The figures are drawn with matplotlib (``pip install "skl-synth[report]"``),
through :class:`matplotlib.figure.Figure` only: no pyplot, no global state,
no display needed.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..preprocessing._schema import infer_schema
from ._evaluation import _without_identifiers
from ._html import _page
from ._scores import _as_frames, evaluate, metadata_from_schema

__all__ = ["make_report"]

_REAL, _SYNTHETIC = "#4c72b0", "#dd8452"
_MAX_CATEGORIES = 12  # bars per categorical column; the rest are "other"
_PANEL = (3.2, 2.4)  # inches per small plot
_DPI = 96
_NUMERIC = ("numerical", "datetime")


def make_report(
    real,
    synthetic,
    path,
    *,
    synthesizer=None,
    target=None,
    holdout=None,
    png_dir=None,
    random_state=None,
):
    """Write an HTML report comparing synthetic rows with real rows.

    The page holds, in this order: the scores of
    :func:`~skl_synth.metrics.evaluate` by property (fidelity, privacy,
    utility), coloured from red (0) to green (1); per-column distributions,
    real vs synthetic (histograms with shared bins for numbers and dates,
    bars of the most frequent categories otherwise, with the shares of
    missing values); a heatmap of the pairwise association of the real rows
    minus that of the synthetic rows (Spearman's rho between numeric
    columns, Cramér's V between categorical ones, the correlation ratio
    between a categorical and a numeric column); the losses per epoch in
    ``synthesizer.history_``; and, for an ensemble (a synthesizer with
    ``members_``, ``parts_`` and ``weights_``), a table of its members, the
    sizes of their parts and their weights, with each member's losses.

    The file is self-contained: the figures are embedded PNG images, there
    is no script and no link outside the page, so it opens offline and can
    be mailed as it is.

    Parameters
    ----------
    real : DataFrame or ndarray
        The real rows the synthesizer was fitted on.
    synthetic : DataFrame or ndarray
        Synthetic rows with the same columns.
    path : str or path-like
        Where to write the HTML file (overwritten).
    synthesizer : estimator, default=None
        The fitted synthesizer, for its loss curves (``history_``) and, for
        an ensemble, its members; its parameters are shown too.
    target : column label, default=None
        Passed to :func:`~skl_synth.metrics.evaluate` for the utility rows;
        needs ``holdout``.
    holdout : DataFrame or ndarray, default=None
        Real rows not used for fitting, passed to
        :func:`~skl_synth.metrics.evaluate`.
    png_dir : str or path-like, default=None
        When given, every figure is also saved there as a PNG file
        (``distributions.png``, ``associations.png`` and, when there are
        losses, ``losses.png``); the folder is created if needed.
    random_state : int, RandomState instance or None, default=None
        Passed to :func:`~skl_synth.metrics.evaluate`.

    Returns
    -------
    scores : DataFrame
        The table of :func:`~skl_synth.metrics.evaluate` shown in the
        report.

    Raises
    ------
    ImportError
        When matplotlib is not installed.

    See Also
    --------
    skl_synth.metrics.evaluate : The scores alone.

    Examples
    --------
    >>> import os, tempfile
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.report import make_report
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> data = load_student_placements()
    >>> model = GaussianCopulaSynthesizer(random_state=0).fit(data)
    >>> path = os.path.join(tempfile.mkdtemp(), "report.html")
    >>> scores = make_report(
    ...     data, model.sample(len(data)), path, synthesizer=model, random_state=0
    ... )
    >>> list(scores["property"].unique())
    ['fidelity', 'privacy']
    >>> with open(path, encoding="utf-8") as page:
    ...     "Column distributions" in page.read()
    True
    """
    _check_matplotlib()
    scores = evaluate(
        real, synthetic, target=target, holdout=holdout, random_state=random_state
    )
    real, synthetic = _as_frames(real, synthetic)
    metadata = metadata_from_schema(infer_schema(real, warn=False))
    real, synthetic, metadata = _without_identifiers(real, synthetic, metadata)
    real, synthetic = (_text_dates_parsed(t, metadata) for t in (real, synthetic))
    sdtypes = {name: column["sdtype"] for name, column in metadata["columns"].items()}
    figures = {
        "distributions": _distribution_figure(real, synthetic, sdtypes),
        "associations": _association_figure(real, synthetic, sdtypes),
    }
    members, member_table = _ensemble_members(synthesizer)
    histories = _histories(synthesizer, members)
    if histories:
        figures["losses"] = _loss_figure(histories)
    images = {name: _png(figure) for name, figure in figures.items()}
    if png_dir is not None:
        png_dir = Path(png_dir)
        png_dir.mkdir(parents=True, exist_ok=True)
        for name, image in images.items():
            (png_dir / f"{name}.png").write_bytes(image)
    counts = {"real": len(real), "synthetic": len(synthetic)}
    if holdout is not None:
        counts["holdout"] = len(holdout)
    page = _page(scores, images, synthesizer, member_table, counts, real.shape[1])
    Path(path).write_text(page, encoding="utf-8")
    return scores


def _check_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "make_report draws its figures with matplotlib, which is not "
            'installed; install it with `pip install "skl-synth[report]"` (or '
            "`pip install matplotlib`)."
        ) from error


# --------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------


def _grid(n_panels, n_columns=4, panel=_PANEL):
    from matplotlib.figure import Figure

    n_columns = min(n_columns, n_panels)
    n_rows = math.ceil(n_panels / n_columns)
    figure = Figure(
        figsize=(panel[0] * n_columns, panel[1] * n_rows), layout="constrained"
    )
    axes = figure.subplots(n_rows, n_columns, squeeze=False).ravel()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    return figure, axes[:n_panels]


def _text_dates_parsed(frame, metadata):
    """``frame`` with its dates written as text (a ``datetime_format`` in
    ``metadata``) as ``datetime64`` values, for the plots."""
    formats = {
        name: column["datetime_format"]
        for name, column in metadata["columns"].items()
        if "datetime_format" in column
    }
    if not formats:
        return frame
    parsed = {
        name: pd.to_datetime(frame[name], format=fmt, errors="coerce")
        for name, fmt in formats.items()
    }
    return frame.assign(**parsed)


def _distribution_figure(real, synthetic, sdtypes):
    figure, axes = _grid(real.shape[1])
    for ax, column in zip(axes, real.columns, strict=True):
        pair = real[column], synthetic[column]
        if sdtypes[column] in _NUMERIC:
            _histogram(ax, *pair, sdtypes[column] == "datetime")
        else:
            _bars(ax, *pair)
        missing = [series.isna().mean() for series in pair]
        title = (
            column
            if not any(missing)
            else (
                f"{column}\nmissing: real {missing[0]:.0%}, synthetic {missing[1]:.0%}"
            )
        )
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    from matplotlib.patches import Patch

    handles = [
        Patch(color=_REAL, label="real"),
        Patch(color=_SYNTHETIC, label="synthetic"),
    ]
    axes[0].legend(handles=handles, fontsize=7)
    return figure


def _as_numbers(series, dates):
    """Finite values; dates in matplotlib's unit (days since 1970)."""
    values = _column_values(series, dates)
    values = values[np.isfinite(values)]
    return values / 86_400e9 if dates else values


def _histogram(ax, real, synthetic, dates):
    real, synthetic = _as_numbers(real, dates), _as_numbers(synthetic, dates)
    both = np.concatenate([real, synthetic])
    if len(both) == 0:
        return
    bins = np.histogram_bin_edges(both, bins=30)
    for values, color, label in (
        (real, _REAL, "real"),
        (synthetic, _SYNTHETIC, "synthetic"),
    ):
        if len(values):
            ax.hist(values, bins, density=True, color=color, alpha=0.5, label=label)
    if dates:
        ax.xaxis_date()
        ax.tick_params(axis="x", labelrotation=30)


def _bars(ax, real, synthetic):
    shares = [
        series.astype(str)
        .where(series.notna(), "(missing)")
        .value_counts(normalize=True)
        for series in (real, synthetic)
    ]
    order = list(shares[0].index.union(shares[1].index, sort=False))
    order.sort(key=lambda value: -shares[0].get(value, 0.0))
    shown = order[:_MAX_CATEGORIES]
    heights = [[share.get(value, 0.0) for value in shown] for share in shares]
    if len(order) > len(shown):
        shown = [*shown, "(other)"]
        for height in heights:
            height.append(1.0 - sum(height))
    x = np.arange(len(shown))
    ax.bar(x - 0.2, heights[0], 0.4, color=_REAL, label="real")
    ax.bar(x + 0.2, heights[1], 0.4, color=_SYNTHETIC, label="synthetic")
    ax.set_xticks(x, [_shorten(label) for label in shown], rotation=30, ha="right")


def _shorten(text, limit=14):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _association_figure(real, synthetic, sdtypes):
    """Heatmap of the lower triangle of real minus synthetic associations."""
    from matplotlib.figure import Figure

    difference = _associations(real, sdtypes) - _associations(synthetic, sdtypes)
    n = len(difference)
    lower = np.tril(np.ones((n, n), dtype=bool), k=-1)
    values = np.where(lower, difference.to_numpy(), np.nan)
    side = min(max(4.0, 0.45 * n + 2.0), 14.0)
    figure = Figure(figsize=(side + 1.5, side), layout="constrained")
    ax = figure.subplots()
    image = ax.imshow(values, cmap="RdBu_r", vmin=-1, vmax=1)
    labels = [_shorten(str(c), 18) for c in difference.columns]
    ax.set_xticks(range(n), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(n), labels, fontsize=8)
    for (i, j), value in np.ndenumerate(values):
        if n <= 20 and np.isfinite(value):
            colour = "white" if abs(value) > 0.6 else "black"
            ax.text(
                j, i, f"{value:.2f}", ha="center", va="center", fontsize=6, color=colour
            )
    mean = np.nanmean(np.abs(values)) if n > 1 else 0.0
    ax.set_title(
        f"association of real rows minus synthetic rows (mean |difference| {mean:.3f})",
        fontsize=10,
    )
    ax.spines[["top", "right"]].set_visible(False)
    figure.colorbar(image, ax=ax, shrink=0.8)
    return figure


def _associations(frame, sdtypes):
    """Pairwise association: Spearman, Cramér's V or correlation ratio."""
    columns = list(frame.columns)
    numeric = {c: sdtypes[c] in _NUMERIC for c in columns}
    values = {
        c: _column_values(frame[c], sdtypes[c] == "datetime")
        if numeric[c]
        else pd.factorize(frame[c].astype(str).where(frame[c].notna(), "\0"))[0]
        for c in columns
    }
    matrix = pd.DataFrame(np.eye(len(columns)), index=columns, columns=columns)
    ranks = pd.DataFrame({c: values[c] for c in columns if numeric[c]})
    spearman = ranks.corr(method="spearman")
    for i, a in enumerate(columns):
        for b in columns[i + 1 :]:
            if numeric[a] and numeric[b]:
                value = spearman.loc[a, b]
            elif numeric[a] or numeric[b]:
                x, codes = (a, b) if numeric[a] else (b, a)
                value = _correlation_ratio(codes=values[codes], x=values[x])
            else:
                value = _cramers_v(values[a], values[b])
            matrix.loc[a, b] = matrix.loc[b, a] = value
    return matrix


def _column_values(series, dates):
    if dates:
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_convert(None)
        ticks = series.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(float)
        return np.where(series.isna().to_numpy(), np.nan, ticks)
    if pd.api.types.is_timedelta64_dtype(series.dtype):
        series = series.dt.total_seconds()
    values = series.to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isfinite(values), values, np.nan)


def _cramers_v(a, b):
    """Cramér's V of two integer-coded columns."""
    _, a = np.unique(a, return_inverse=True)
    _, b = np.unique(b, return_inverse=True)
    shape = (a.max() + 1, b.max() + 1)
    if min(shape) < 2:
        return 0.0
    table = np.bincount(a * shape[1] + b, minlength=shape[0] * shape[1])
    table = table.reshape(shape).astype(float)
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = ((table - expected) ** 2 / expected).sum()
    return float(np.sqrt(chi2 / (n * (min(shape) - 1))))


def _correlation_ratio(codes, x):
    """How much of the variance of ``x`` the categories ``codes`` explain."""
    observed = np.isfinite(x)
    codes, x = codes[observed], x[observed]
    if len(x) < 2 or np.ptp(x) == 0:
        return 0.0
    _, codes = np.unique(codes, return_inverse=True)
    sizes = np.bincount(codes)
    means = np.bincount(codes, weights=x) / np.maximum(sizes, 1)
    between = (sizes * (means - x.mean()) ** 2).sum()
    return float(np.sqrt(between / ((x - x.mean()) ** 2).sum()))


def _loss_figure(histories):
    figure, axes = _grid(len(histories), n_columns=3, panel=(4.2, 2.8))
    for ax, (name, history) in zip(axes, histories.items(), strict=True):
        epochs = (
            history["epoch"] if "epoch" in history else np.arange(1, len(history) + 1)
        )
        losses = [
            c
            for c in history.columns
            if c not in ("epoch", "time", "validation_score")
            and pd.api.types.is_numeric_dtype(history[c])
        ]
        for column in losses:
            ax.plot(epochs, history[column], label=column)
        if "validation_score" in history and history["validation_score"].notna().any():
            twin = ax.twinx()
            scored = history["validation_score"].notna()
            twin.plot(
                epochs[scored],
                history["validation_score"][scored],
                "k--",
                marker="o",
                markersize=3,
                label="validation score",
            )
            twin.set_ylabel("validation score", fontsize=8)
            twin.legend(fontsize=7, loc="upper right")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("epoch", fontsize=8)
        ax.tick_params(labelsize=7)
        if losses:
            ax.legend(fontsize=7, loc="upper left")
    return figure


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()


# --------------------------------------------------------------------------
# synthesizers and ensembles (duck-typed)
# --------------------------------------------------------------------------


def _ensemble_members(synthesizer):
    """(name, estimator) pairs and a table of members, parts and weights."""
    if not all(hasattr(synthesizer, a) for a in ("members_", "parts_", "weights_")):
        return [], None
    members = [
        m if isinstance(m, tuple) else (type(m).__name__, m)
        for m in synthesizer.members_
    ]
    parts, n = list(synthesizer.parts_), len(members)
    part_of = getattr(synthesizer, "member_parts_", None)
    if part_of is None:  # one part per member, when they pair up
        part_of = range(n) if len(parts) == n else [None] * n
    weights = np.asarray(synthesizer.weights_, dtype=float)
    table = pd.DataFrame(
        {
            "member": [name for name, _ in members],
            "synthesizer": [type(m).__name__ for _, m in members],
            "part": list(part_of),
            "part rows": [None if p is None else _size(parts[p]) for p in part_of],
            "part value": _part_values(synthesizer, part_of),
            "weight": weights if len(weights) == n else np.nan,
        }
    )
    return members, table


def _part_values(synthesizer, part_of):
    """The value each part stands for (e.g. a class), or blanks."""
    values = getattr(synthesizer, "part_values_", None)
    if values is None:
        return [""] * len(part_of)
    return [None if p is None else values[p] for p in part_of]


def _size(part):
    return len(part) if hasattr(part, "__len__") else int(part)


def _histories(synthesizer, members):
    """Loss histories to plot, by title: the members', else the synthesizer's."""
    found = {
        f"{name} ({type(member).__name__})": member.history_
        for name, member in members
        if _is_history(getattr(member, "history_", None))
    }
    history = getattr(synthesizer, "history_", None)
    if not found and _is_history(history):
        found[type(synthesizer).__name__] = history
    return found


def _is_history(history):
    """A loss history worth a curve: two epochs or more."""
    return isinstance(history, pd.DataFrame) and len(history) > 1
