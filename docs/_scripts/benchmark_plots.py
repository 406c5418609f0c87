"""Draw the benchmark figures of the docs from the benchmarks' result files.

Reads ``benchmarks/results/ensemble.csv`` (``benchmarks/ensemble.py``) and
``benchmarks/results/oversampling.csv`` (``benchmarks/oversampling.py``,
ranked over its default samplers), which are git-ignored, and writes
``docs/_static/benchmark_ensemble.png`` and
``docs/_static/benchmark_oversampling.png``, which are committed and shown
on the benchmarks page. Run from the repository root after the benchmarks::

    python docs/_scripts/benchmark_plots.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

RESULTS = Path("benchmarks/results")
STATIC = Path("docs/_static")
SINGLES = ["copula", "gan", "vae", "diffusion"]
ENSEMBLES = [
    "default",
    "refit",
    "default-budget",
    "none-2",
    "none-3",
    "bootstrap-3",
    "kfold-3",
    "cluster-3",
    "column",
]


def ensemble_figure(path):
    runs = pd.read_csv(RESULTS / "ensemble.csv")
    order = [m for m in [*SINGLES, *ENSEMBLES, "ctgan"] if m in set(runs["model"])]
    colours = {**dict.fromkeys(SINGLES, "#9e9e9e"), "ctgan": "#dd8452"}
    tables = list(dict.fromkeys(runs["table"]))
    figure, axes = plt.subplots(1, len(tables), figsize=(4 * len(tables), 3.2))
    for ax, table in zip(axes, tables, strict=True):
        stats = runs[runs["table"] == table].groupby("model")["score"]
        mean, sd = stats.mean().reindex(order), stats.std().reindex(order)
        ax.bar(order, mean, yerr=sd, color=[colours.get(m, "#4c72b0") for m in order])
        ax.axhline(mean.reindex(SINGLES).max(), color="#c44e52", lw=1, ls="--")
        ax.set_title(table)
        ax.set_ylim(0, 1)
        ax.tick_params(axis="x", rotation=60, labelsize=8)
    axes[0].set_ylabel("held-out score (mean, sd over seeds)")
    figure.suptitle(
        "single synthesizers (grey), ensembles (blue) and ctgan's CTGAN (orange); "
        "dashed: best single",
        fontsize=9,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def oversampling_figure(path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "oversampling", Path("benchmarks/oversampling.py")
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    results = pd.read_csv(RESULTS / "oversampling.csv")
    results = results[results["sampler"].isin(bench.SAMPLERS)]
    ranks = bench.mean_ranks(results)
    figure, axes = plt.subplots(1, 3, figsize=(12, 1 + 0.26 * len(ranks)))
    for ax, classifier in zip(axes, bench.CLASSIFIERS, strict=True):
        mean = ranks[(classifier, "mean")].sort_values(ascending=False)
        colours = [
            ("#4c72b0" if bench.is_deep(n) else "#55a868")
            if bench.is_ours(n)
            else "#9e9e9e"
            for n in mean.index
        ]
        ax.barh(mean.index, mean, color=colours)
        for other in ["smote", "tuned"]:
            ax.axvline(mean[other], color="#c44e52", lw=1, ls="--")
        ax.set_title(classifier)
        ax.set_xlabel("mean rank (1 best)")
        ax.tick_params(axis="y", labelsize=8)
    figure.suptitle(
        "over-samplers on 12 KEEL tables, mean rank over AUC, AP, F1, G-mean: "
        "ours, copula-based (green) and deep (blue), others (grey); dashed: "
        "SMOTE and the tuned threshold",
        fontsize=9,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=90)


if __name__ == "__main__":
    STATIC.mkdir(parents=True, exist_ok=True)
    ensemble_figure(STATIC / "benchmark_ensemble.png")
    oversampling_figure(STATIC / "benchmark_oversampling.png")
    print(
        "wrote",
        STATIC / "benchmark_ensemble.png",
        STATIC / "benchmark_oversampling.png",
    )
