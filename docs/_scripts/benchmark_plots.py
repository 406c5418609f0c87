"""Draw the benchmark figures of the docs from the benchmarks' result files.

Reads ``benchmarks/results/ensemble.csv`` (``benchmarks/ensemble.py``) and
the ranks table ``benchmarks/results/oversampling_ranks.md`` (or, without
it, ``oversampling_r1_ranks.md``; ``benchmarks/oversampling.py``), which are
git-ignored, and writes ``docs/_static/benchmark_ensemble.png`` and
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


OURS = {"gan", "vae", "ensemble"}  # and their _filter variants, and the copulas


def oversampling_figure(path):
    source = RESULTS / "oversampling_ranks.md"  # the full run (2 repeats)
    if not source.exists():
        source = RESULTS / "oversampling_r1_ranks.md"
    lines = [ln for ln in source.read_text().splitlines() if ln.startswith("| ")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines[1:]]
    ranks = pd.DataFrame(rows, columns=header).set_index("resampler")
    mean = ranks["all mean rank"].astype(float).sort_values(ascending=False)
    ours = {n for n in mean.index if "copula" in n or n.split("_")[0] in OURS}
    colours = ["#4c72b0" if name in ours else "#9e9e9e" for name in mean.index]
    figure, ax = plt.subplots(figsize=(6, 1 + 0.24 * len(mean)))
    ax.barh(mean.index, mean, color=colours)
    ax.set_xlabel("mean rank over 12 KEEL tables x 3 classifiers x 4 metrics (1 best)")
    ax.set_title("over-samplers: ours (blue) and the usual choices (grey)", fontsize=9)
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
