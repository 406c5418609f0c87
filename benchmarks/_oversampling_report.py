"""Mean ranks, targets and Markdown tables of the over-sampling benchmark."""

from __future__ import annotations

import numpy as np
import pandas as pd
from _oversampling_samplers import CLASSIC, GENERATIVE, parse_name

CLASSIFIERS = ["lr", "rf", "lgbm"]
METRICS = ["roc_auc", "average_precision", "f1", "g_mean"]


def mean_ranks(results):
    """Mean rank over datasets per (classifier, metric) and resampler.

    Per classifier, ``mean`` is the mean of its four metric columns; ``all``
    the mean over classifiers. ``resample s`` is the mean seconds of one
    fold's resampling, ``max s`` the largest mean over a table's folds.
    """
    means = results.groupby(["dataset", "classifier", "sampler"])[METRICS].mean()
    ranks = means.groupby(["dataset", "classifier"]).rank(
        ascending=False, method="average", na_option="bottom"
    )
    table = ranks.reset_index().pivot_table(
        index="sampler", columns="classifier", values=METRICS, aggfunc="mean"
    )
    table = table.swaplevel(axis=1)
    columns = {}
    for c in CLASSIFIERS:
        present = [(c, m) for m in METRICS if (c, m) in table.columns]
        columns.update({key: table[key] for key in present})
        if present:
            columns[(c, "mean")] = table[present].mean(axis=1)
    table = pd.DataFrame(columns)
    means = [key for key in table.columns if key[1] == "mean"]
    table[("all", "mean rank")] = table[means].mean(axis=1)
    per_table = results.groupby(["sampler", "dataset"])["resample_s"].mean()
    table[("", "resample s")] = per_table.groupby("sampler").mean()
    table[("", "max s")] = per_table.groupby("sampler").max()
    return table.sort_values(("all", "mean rank"))


def ranks_by_repeat(results):
    """Per classifier, each resampler's mean rank in each repeat, as "a-b".

    The ranks of one 5-fold repeat alone (seed 0 or 1 of the split): their
    range is how far a figure moves with the split.
    """
    per_repeat = [
        mean_ranks(group)[[(c, "mean") for c in CLASSIFIERS]]
        for _, group in results.groupby("repeat")
    ]
    low = pd.concat(per_repeat).groupby(level=0).min()
    high = pd.concat(per_repeat).groupby(level=0).max()
    table = pd.DataFrame(index=low.index)
    for c in CLASSIFIERS:
        pairs = zip(low[(c, "mean")], high[(c, "mean")], strict=True)
        table[c] = [f"{a:.2f}-{b:.2f}" for a, b in pairs]
    order = mean_ranks(results)[("all", "mean rank")].index
    return table.reindex(order)


def tuned_ratios(results):
    """How often ``GridSearchCV`` chose each ratio, per searched resampler."""
    if "ratio" not in results:
        return pd.DataFrame()
    searched = results.dropna(subset=["ratio"])
    return pd.crosstab([searched["sampler"], searched["classifier"]], searched["ratio"])


def is_ours(name):
    """Whether ``name`` is one of skl_synth's samplers (not imblearn's, not mix)."""
    kind = parse_name(name)[0]
    return kind not in CLASSIC | {"none", "tuned", "mix"}


def is_deep(name):
    return parse_name(name)[0].split("_")[0] in GENERATIVE


def targets(results, table):
    """The issue's targets, checked on ``results`` and its rank ``table``."""
    lines = []
    for c in CLASSIFIERS:
        if (c, "mean") not in table:
            continue
        rank = table[(c, "mean")]
        ours = rank[[s for s in rank.index if is_ours(s)]]
        deep = rank[[s for s in rank.index if is_deep(s)]]
        line = f"{c}: best skl_synth {ours.idxmin()} {ours.min():.2f}"
        for other in ["smote", "tuned", "none"]:
            if other in rank:
                line += f", {other} {rank[other]:.2f}"
        if len(deep):
            line += f"; best deep {deep.idxmin()} {deep.min():.2f}"
        lines.append(line)
    if ("lgbm", "mean") in table and "none" in table.index:
        best = table[("lgbm", "mean")]
        best = best[[s for s in best.index if is_ours(s)]].idxmin()
        lines.append(f"lgbm average precision, {best} - none, per table:")
        lines += _ap_against_none(results, best)
    return "\n".join(lines)


def _ap_against_none(results, sampler):
    """Per table: mean AP difference to ``none``, against two standard errors.

    ``se none``: of none's AP over the folds (the fold-to-fold spread);
    ``se diff``: of the paired per-fold difference (stricter where both are
    near 1). A table is flagged where the difference is below ``-se none``.
    """
    lgbm = results[results["classifier"] == "lgbm"]
    ap = lgbm.pivot_table(
        index=["dataset", "repeat", "fold"],
        columns="sampler",
        values="average_precision",
    )
    lines, below = [], 0
    for dataset, folds in ap.groupby("dataset"):
        diff = folds[sampler] - folds["none"]
        root = np.sqrt(len(folds))
        se_none, se_diff = folds["none"].std() / root, diff.std() / root
        flag = ""
        if diff.mean() < -se_none:
            flag, below = " BELOW", below + 1
        lines.append(
            f"  {dataset}: {diff.mean():+.3f} (none {folds['none'].mean():.3f}, "
            f"se none {se_none:.3f}, se diff {se_diff:.3f}){flag}"
        )
    lines.append(f"  below none by more than se none on {below} tables")
    return lines


def to_markdown(table):
    short = {"roc_auc": "AUC", "average_precision": "AP", "f1": "F1", "g_mean": "G"}
    header = ["resampler"] + [
        f"{c} {short.get(m, m)}".strip() for c, m in table.columns
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for sampler, row in table.iterrows():
        cells = [f"{v:.2f}" if np.isfinite(v) else "" for v in row.to_numpy(float)]
        lines.append("| " + " | ".join([sampler, *cells]) + " |")
    return "\n".join(lines)
