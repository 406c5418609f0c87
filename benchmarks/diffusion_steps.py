"""The diffusion model's quality and sampling speed against its steps (issue 30).

What it measures
----------------
On the fidelity tables (``benchmarks/fidelity.py``; those above
``--max-rows`` subsampled, seeded), split 75/25 per seed, one
``DiffusionSynthesizer`` is fitted per table and seed at its defaults, on
one torch thread. Its DDIM sampler is then run with ``sampling_steps`` in
``--steps`` and ``eta`` in ``--etas`` (both set after the fit: the same
fitted denoiser each time), and each setting gets:

- ``score``: :func:`~skl_synth.metrics.synthesis_score` of ``len(test)``
  generated rows against the test rows, averaged over 5 draws (one sample
  cut in five), higher is better;
- ``auc``: the random forest two-sample AUC of the same rows, 0.5 is best;
- ``rows_s``: rows per second of ``sample(--speed-rows)`` on one thread,
  after a warm-up call.

The default is 50 steps with ``eta=1``; issue 30 asks for at least 20 000
rows/s on one thread at the defaults with the same quality.

How to run
----------
From the repository root::

    python benchmarks/diffusion_steps.py                 # about 10 min
    python benchmarks/diffusion_steps.py --tables placements --seeds 1

Prints the mean over tables and seeds per setting, and per table, as
Markdown tables, and writes ``benchmarks/results/diffusion_steps.csv``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import torch
from _harness import (
    RESULTS,
    log,
    machine_facts,
    markdown,
    sample_draws,
    sampling_speed,
    write_csv,
)
from fidelity import TABLES, load_table, split

from skl_synth.metrics import detection_auc, metadata_from_schema, synthesis_score
from skl_synth.synthesizers import DiffusionSynthesizer

DRAWS = 5


def run_fit(table, frame, seed, args):
    train, test = split(frame, seed)
    test = test.reset_index(drop=True)
    model = DiffusionSynthesizer(random_state=seed).fit(train)
    metadata = metadata_from_schema(model.encoder_.schema_)
    rows = []
    for eta in args.etas:
        for steps in args.steps:
            model.set_params(sampling_steps=steps, eta=eta)
            draws = sample_draws(model, len(test), DRAWS)
            rows.append(
                {
                    "table": table,
                    "seed": seed,
                    "eta": eta,
                    "steps": steps,
                    "score": np.mean(
                        [
                            synthesis_score(test, d, metadata=metadata, random_state=0)
                            for d in draws
                        ]
                    ),
                    "auc": np.mean(
                        [detection_auc(test, d, random_state=0) for d in draws]
                    ),
                    "rows_s": sampling_speed(model.sample, args.speed_rows),
                }
            )
            log(
                f"{table} seed {seed} eta {eta} steps {steps}: score "
                f"{rows[-1]['score']:.3f}, {rows[-1]['rows_s']:.0f} rows/s"
            )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", nargs="+", default=list(TABLES))
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--steps", nargs="+", type=int, default=[5, 10, 20, 50])
    parser.add_argument("--etas", nargs="+", type=float, default=[0.0, 1.0])
    parser.add_argument("--max-rows", type=int, default=2000)
    parser.add_argument("--speed-rows", type=int, default=20_000)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    print("\n".join(machine_facts()))
    results = []
    for table in args.tables:
        frame = load_table(table, args.max_rows)
        if len(frame) > args.max_rows:
            frame = frame.sample(args.max_rows, random_state=0).reset_index(drop=True)
        for seed in range(args.seeds):
            results += run_fit(table, frame, seed, args)
    results = pd.DataFrame(results)
    metrics = ["score", "auc", "rows_s"]
    print(f"\nMean over tables and {args.seeds} seeds:\n")
    print(markdown(results.groupby(["eta", "steps"])[metrics].mean().round(3)))
    print("\nScore per table:\n")
    by_table = results.pivot_table(
        index=["eta", "steps"], columns="table", values="score"
    )
    print(markdown(by_table.round(3)))
    path = write_csv(results, RESULTS / "diffusion_steps.csv")
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()
