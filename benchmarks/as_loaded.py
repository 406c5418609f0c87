"""Tables as users load them: placements read from its CSV, defaults only.

What it measures
----------------
Issue 28's experiment, as a new user would run it: sdmetrics'
``student_placements_real.csv`` read with ``pd.read_csv`` (dates stay
strings; ``student_id`` dropped), split into ``--train-rows`` (default 150)
training rows and the other 65 held-out rows, seeded by the seed. Each
synthesizer is fitted with its defaults and ``random_state=seed`` only:

- ``copula``, ``GAN``, ``VAE``, ``diffusion``, ``ensemble`` (the default
  ``EnsembleSynthesizer()``);
- ``shuffled``: the training rows with every column permuted on its own, the
  floor that no synthesizer should be under (it keeps every marginal and
  breaks every dependence).

Columns: ``auc`` is the random-forest two-sample AUC of the held-out rows
against as many generated rows (:func:`skl_synth.metrics.detection_auc`,
0.5 is best; the one number of the issue), ``score`` the held-out
:func:`skl_synth.metrics.synthesis_score`, ``epochs`` the epochs run
(``n_epochs_``), ``fit_s`` the fit's seconds on one torch thread.

How to run
----------
From the repository root::

    python benchmarks/as_loaded.py               # 5 seeds, about 10 min
    python benchmarks/as_loaded.py --seeds 1 --models copula shuffled

Rows are appended to ``--output`` (default
``benchmarks/results/as_loaded.csv``) as each fit ends; a (seed, model)
already there is not fitted again. The summary gives the mean, the range
over seeds, and the issue's verdicts.
"""

from __future__ import annotations

import argparse
import time
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import log, machine_facts, markdown
from joblib import Parallel, delayed

from skl_synth.ensemble import EnsembleSynthesizer
from skl_synth.metrics import detection_auc, synthesis_score
from skl_synth.synthesizers import (
    DiffusionSynthesizer,
    GANSynthesizer,
    GaussianCopulaSynthesizer,
    VAESynthesizer,
)

MODELS = {
    "copula": GaussianCopulaSynthesizer,
    "GAN": GANSynthesizer,
    "VAE": VAESynthesizer,
    "diffusion": DiffusionSynthesizer,
    "ensemble": EnsembleSynthesizer,
}


def load_csv() -> pd.DataFrame:
    """The placements table as ``pd.read_csv`` gives it (dates as text)."""
    path = resources.files("sdmetrics").joinpath(
        "demos/single_table/student_placements_real.csv"
    )
    with path.open("rb") as file:
        return pd.read_csv(file).drop(columns="student_id")


def shuffled(train: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Every column of ``train`` permuted on its own."""
    rng = np.random.default_rng(seed)
    return train.apply(lambda column: rng.permutation(column.to_numpy()))


def run(frame, seed, name, train_rows):
    import torch

    torch.set_num_threads(1)
    order = np.random.RandomState(seed).permutation(len(frame))
    train = frame.iloc[np.sort(order[:train_rows])].reset_index(drop=True)
    test = frame.iloc[np.sort(order[train_rows:])].reset_index(drop=True)
    start = time.perf_counter()
    epochs = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the inferred-dates warning
        if name == "shuffled":
            synthetic = shuffled(train, seed).iloc[: len(test)]
        else:
            model = MODELS[name](random_state=seed).fit(train)
            epochs = getattr(model, "n_epochs_", np.nan)
            synthetic = model.sample(len(test))
    fit_s = time.perf_counter() - start
    auc = detection_auc(test, synthetic, random_state=0)
    score = synthesis_score(test, synthetic, random_state=0)
    log(f"seed {seed} {name:10s} auc {auc:.3f} score {score:.3f} {fit_s:.1f}s")
    return {
        "seed": seed,
        "model": name,
        "auc": auc,
        "score": score,
        "epochs": epochs,
        "fit_s": fit_s,
    }


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    order = {m: i for i, m in enumerate(["shuffled", *MODELS])}
    grouped = results.groupby("model")
    table = pd.DataFrame(
        {
            "auc": grouped["auc"].mean(),
            "auc range": grouped["auc"].agg(lambda a: f"{a.min():.3f}-{a.max():.3f}"),
            "score": grouped["score"].mean(),
            "epochs": grouped["epochs"].mean(),
            "fit_s": grouped["fit_s"].mean(),
            "seeds": grouped.size(),
        }
    )
    return table.sort_index(key=lambda index: index.map(order)).round(3)


def verdicts(results: pd.DataFrame) -> list[str]:
    mean = results.groupby("model")["auc"].mean()
    lines = []
    if "shuffled" in mean:
        above = [m for m in mean.index if m != "shuffled" and mean[m] > mean.shuffled]
        lines.append(
            f"shuffled copy {mean.shuffled:.3f}: "
            + (f"MISSED by {above}" if above else "every synthesizer at most it")
        )
    if {"copula", "diffusion"} <= set(mean.index):
        gap = mean.diffusion - mean.copula
        lines.append(
            f"diffusion {mean.diffusion:.3f} vs copula {mean.copula:.3f} + 0.05: "
            + ("met" if gap <= 0.05 else "MISSED")
        )
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--train-rows", type=int, default=150)
    parser.add_argument("--models", nargs="+", default=["shuffled", *MODELS])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--output", type=Path, default=Path("benchmarks/results/as_loaded.csv")
    )
    args = parser.parse_args(argv)
    frame = load_csv()
    done = set()
    if args.output.exists():
        previous = pd.read_csv(args.output)
        done = set(zip(previous.seed, previous.model, strict=True))
    jobs = [
        (seed, name)
        for name in args.models
        for seed in range(args.seeds)
        if (seed, name) not in done
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    rows = Parallel(n_jobs=args.jobs, return_as="generator_unordered")(
        delayed(run)(frame, seed, name, args.train_rows) for seed, name in jobs
    )
    for row in rows:
        header = not args.output.exists()
        pd.DataFrame([row]).to_csv(args.output, mode="a", header=header, index=False)
    results = pd.read_csv(args.output)
    print("\n".join(machine_facts()))
    print(markdown(summarize(results)))
    print("\n".join(verdicts(results)))
    print(f"rows written to {args.output}")


if __name__ == "__main__":
    main()
