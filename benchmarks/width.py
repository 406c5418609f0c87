"""Discrete marginals and fidelity as a table grows wide (issue 35).

What it measures
----------------
Generated tables of ``--rows`` rows (default 3 000) and ``--widths``
columns (default 5, 20, 60 and 200), of two kinds:

- ``discrete``: every column a skewed small integer, values 0-6 with
  P(k) proportional to 0.5 ** k, independent (the issue's table);
- ``mixed``: a third of the columns continuous, the rest as above; each
  continuous column ``x{j}`` is ``exp(0.3 * c{j} + N(0, 0.5))``, so it
  depends on its discrete column.

For each table and seed (``--seeds``, default 1), every synthesizer at its
defaults (``copula``, ``GAN``, ``VAE``, ``diffusion``, ``ensemble``: the
default ``EnsembleSynthesizer()``), ``random_state=seed``, one torch
thread each, ``--jobs`` fits side by side (default 2). Columns:

- ``tvd``: mean over the discrete columns of the total variation distance
  between the training table's frequencies and those of ``--rows``
  generated rows (the issue's figure);
- ``auc``: random-forest two-sample AUC
  (:func:`skl_synth.metrics.detection_auc`, 0.5 is best) of ``--rows``
  generated rows against ``--rows`` fresh rows of the same generating
  process (another seed), which no model saw;
- ``fit_s``: the fit's wall time, with ``--jobs`` fits sharing the cores.

How to run
----------
From the repository root, after ``make bench-install``::

    python benchmarks/width.py --quick     # smoke run, under a minute
    python benchmarks/width.py             # every width and kind
    python benchmarks/width.py --widths 20 60 --kinds discrete --models diffusion

Results are appended to ``benchmarks/results/width.csv`` as each fit ends;
a (kind, width, seed, model) already there is not fitted again
(``--fresh`` starts over). ``--summarize`` prints the Markdown table of the
file without fitting.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import RESULTS, log, machine_facts, markdown
from joblib import Parallel, delayed

MODELS = ("copula", "GAN", "VAE", "diffusion", "ensemble")
KEYS = ["kind", "width", "seed", "model"]


def make_table(kind, width, n_rows, seed):
    """The ``kind`` table of ``width`` columns (see the module docstring)."""
    rng = np.random.default_rng(seed)
    p = 0.5 ** np.arange(7)
    p /= p.sum()
    n_continuous = width // 3 if kind == "mixed" else 0
    columns = {f"c{j}": rng.choice(7, n_rows, p=p) for j in range(width - n_continuous)}
    for j in range(n_continuous):
        columns[f"x{j}"] = np.exp(0.3 * columns[f"c{j}"] + rng.normal(0, 0.5, n_rows))
    return pd.DataFrame(columns)


def mean_tvd(real, synthetic):
    """Mean total variation distance of the integer columns' frequencies."""
    distances = []
    for column in real.columns:
        if real[column].dtype.kind != "i":
            continue
        p = real[column].value_counts(normalize=True)
        q = synthetic[column].value_counts(normalize=True)
        p, q = p.align(q, fill_value=0.0)
        distances.append(0.5 * float((p - q).abs().sum()))
    return float(np.mean(distances))


def make_model(name, seed):
    from skl_synth.ensemble import EnsembleSynthesizer
    from skl_synth.synthesizers import (
        DiffusionSynthesizer,
        GANSynthesizer,
        GaussianCopulaSynthesizer,
        VAESynthesizer,
    )

    classes = {
        "copula": GaussianCopulaSynthesizer,
        "GAN": GANSynthesizer,
        "VAE": VAESynthesizer,
        "diffusion": DiffusionSynthesizer,
        "ensemble": EnsembleSynthesizer,
    }
    return classes[name](random_state=seed)


def run_job(kind, width, seed, name, n_rows):
    import torch

    from skl_synth.metrics import detection_auc

    torch.set_num_threads(1)
    real = make_table(kind, width, n_rows, seed)
    fresh = make_table(kind, width, n_rows, seed + 1_000)
    model = make_model(name, seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(real)
        fit_s = time.perf_counter() - start
        synthetic = model.sample(n_rows)
    return {
        "kind": kind,
        "width": width,
        "seed": seed,
        "model": name,
        "tvd": mean_tvd(real, synthetic),
        "auc": detection_auc(fresh, synthetic, random_state=seed),
        "fit_s": fit_s,
    }


def report(results):
    """Mean over seeds of each figure, one row per (kind, width, model)."""
    table = results.pivot_table(
        index=["kind", "width"], columns="model", values=["tvd", "auc", "fit_s"]
    )
    order = [m for m in MODELS if m in results["model"].unique()]
    for figure, digits in (("tvd", 3), ("auc", 3), ("fit_s", 1)):
        print(f"\n{figure} (mean over {results['seed'].nunique()} seed(s))\n")
        print(markdown(table[figure][order].sort_index().round(digits)))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[5, 20, 60, 200])
    parser.add_argument("--kinds", nargs="+", default=["discrete", "mixed"])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--rows", type=int, default=3_000)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="overwrite --output")
    parser.add_argument("--summarize", action="store_true", help="fit nothing")
    parser.add_argument("--output", type=Path, default=RESULTS / "width.csv")
    args = parser.parse_args(argv)
    if min(args.widths) < 3 or set(args.kinds) - {"discrete", "mixed"}:
        parser.error("widths are at least 3; kinds are 'discrete' and 'mixed'")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.quick:
        args.widths, args.rows, args.models = [5, 20], 300, ["copula", "VAE"]
        args.output = args.output.with_name(f"{args.output.stem}_quick.csv")
        args.fresh = True
    if args.summarize:
        report(pd.read_csv(args.output))
        return
    print("\n".join(machine_facts(f"jobs     {args.jobs}, one torch thread each")))
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if args.fresh:
        args.output.unlink(missing_ok=True)
    done = set()
    if args.output.exists():
        done = set(pd.read_csv(args.output)[KEYS].itertuples(index=False, name=None))
    # narrow tables first: their figures arrive while the wide ones fit
    jobs = [
        (kind, width, seed, model)
        for width in sorted(args.widths)
        for kind in args.kinds
        for seed in range(args.seeds)
        for model in args.models
    ]
    jobs = [job for job in jobs if job not in done]
    log(f"{len(jobs)} fits on {args.jobs} jobs ({len(done)} already in {args.output})")
    rows = Parallel(n_jobs=args.jobs, return_as="generator_unordered")(
        delayed(run_job)(*job, args.rows) for job in jobs
    )
    for row in rows:
        header = not args.output.exists()
        pd.DataFrame([row]).to_csv(args.output, mode="a", header=header, index=False)
        log(", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                      for k, v in row.items()))  # fmt: skip
    report(pd.read_csv(args.output))
    print(f"\nrows written to {args.output}")


if __name__ == "__main__":
    main()
