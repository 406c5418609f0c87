"""Fit time and quality of the deep synthesizers against the table's rows (issue 30).

What it measures
----------------
One table, the speed benchmark's ``wide`` table (``_speed_tables.py``: 16
mixed columns following a hidden cluster, a 30-category column, missing
values), drawn deterministically with ``--rows`` training rows (10 000 /
100 000 / 1 000 000 by default) and the same ``--holdout`` rows held out
at every size. Each synthesizer in ``--models`` is fitted at its defaults
(``epochs="auto"``, early stopping on above its threshold) on one torch
thread, then:

- ``fit_s``: the seconds of ``fit`` (encoder, training, calibration);
- ``epochs`` / ``planned``: the epochs run and planned, ``steps`` the
  optimizer steps run (``steps_per_epoch`` x epochs), ``stopped``: whether
  early stopping ended the fit before its plan;
- ``auc``: the random forest two-sample AUC of ``--holdout`` generated rows
  against the held-out rows (0.5 is best), ``score``: the
  :func:`~skl_synth.metrics.synthesis_score` of the same rows;
- ``time_x``: the fit's seconds over those at the previous size (issue 30's
  target: at most 3 when the rows grow 10 times), ``auc_change``: the AUC
  minus that at the previous size (target: at most 0).

How to run
----------
From the repository root::

    python benchmarks/scaling.py                       # about an hour
    python benchmarks/scaling.py --rows 10000 100000 --models vae

Each fit is appended to ``benchmarks/results/scaling.csv`` as it ends, so a
long run can be read while it goes; the table is printed at the end.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _harness import RESULTS, log, machine_facts, markdown, write_csv
from _speed_tables import SEED, wide_table

from skl_synth.metrics import detection_auc, synthesis_score
from skl_synth.synthesizers import (
    DiffusionSynthesizer,
    GANSynthesizer,
    VAESynthesizer,
)

MODELS = {
    "vae": VAESynthesizer,
    "gan": GANSynthesizer,
    "diffusion": DiffusionSynthesizer,
}


def make_table(n_rows, n_holdout):
    """The first ``n_rows`` rows of one draw of the table, and its last
    ``n_holdout`` rows (the same at every size)."""
    frame = wide_table(np.random.default_rng(SEED), n_rows + n_holdout)
    train = frame.iloc[:n_rows].reset_index(drop=True)
    return train, frame.iloc[n_rows:].reset_index(drop=True)


def run_job(name, n_rows, seed, args):
    train, holdout = make_table(n_rows, args.holdout)
    model = MODELS[name](random_state=seed)
    start = time.perf_counter()
    model.fit(train)
    fit_s = time.perf_counter() - start
    del train
    synthetic = model.sample(len(holdout))
    n_train = round(n_rows * (1 - model.validation_fraction * model.early_stopping_))
    row = {
        "model": name,
        "rows": n_rows,
        "seed": seed,
        "fit_s": fit_s,
        "train_s": model.training_seconds_,
        "epochs": model.n_epochs_,
        "planned": model.planned_epochs_,
        "steps": model.n_epochs_ * model._steps_per_epoch(n_train),
        "stopped": model.n_epochs_ < model.planned_epochs_,
        "auc": detection_auc(holdout, synthetic, random_state=0),
        "score": synthesis_score(holdout, synthetic, random_state=0),
    }
    log(
        f"{name} {n_rows} rows seed {seed}: fit {fit_s:.0f} s, {row['epochs']} of "
        f"{row['planned']} epochs ({row['steps']} steps), auc {row['auc']:.3f}"
    )
    return row


def summarize(results):
    mean = results.groupby(["model", "rows"])[["fit_s", "steps", "auc", "score"]].mean()
    previous = mean.groupby(level="model").shift()
    mean["time_x"] = mean["fit_s"] / previous["fit_s"]
    mean["auc_change"] = mean["auc"] - previous["auc"]
    return mean.round(3)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rows", nargs="+", type=int, default=[10_000, 100_000, 1_000_000]
    )
    parser.add_argument(
        "--models", nargs="+", choices=list(MODELS), default=list(MODELS)
    )
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--holdout", type=int, default=5_000)
    parser.add_argument("--output", type=Path, default=RESULTS / "scaling.csv")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    print("\n".join(machine_facts()))
    rows = []
    for n_rows in args.rows:
        for name in args.models:
            for seed in range(args.seeds):
                rows.append(run_job(name, n_rows, seed, args))
                write_csv(pd.DataFrame(rows), args.output)
    results = pd.DataFrame(rows)
    print(f"\nMean over {args.seeds} seed(s):\n")
    print(markdown(summarize(results)))
    print(f"\nwritten {args.output}")


if __name__ == "__main__":
    main()
