"""Why the diffusion model's continuous columns came out too narrow (issue 35).

What it measures
----------------
On the 20-column mixed table of ``benchmarks/width.py`` (14 skewed integer
columns, 6 continuous ones ``x{j} = exp(0.3 * c{j} + N(0, 0.5))``, 3 000
rows), one ``DiffusionSynthesizer`` per variant (``random_state=0``, one
torch thread, ``--jobs`` fits side by side):

- ``default``: the defaults (a moving average of the weights, early stopping
  above 1 000 rows);
- ``no-stop``: ``early_stopping=False`` (all 1 000 passes);
- ``no-stop-no-average``: also ``ema_decay=0`` (the model before issue 35's
  second session);
- ``200-passes``, ``dropout``, ``wide``: ``no-stop`` with ``epochs=200``,
  ``dropout=0.1`` or hidden layers of 512;
- ``eta0``: ``no-stop`` sampled with ``eta=0``.

Columns: ``spread`` is the generated continuous columns' standard deviation
of ``log x`` over the real one (1 is right), ``corr`` their correlation with
their discrete column (the real one is about 0.61), ``auc`` the two-sample
AUC against 3 000 fresh rows (0.5 is best).

It also prints what the sampler alone loses: the spread that DDIM keeps with
the exact denoiser of a standard normal column (``E[noise | x_t] = sqrt(1 -
a_t) x_t``), for ``eta`` 0 and 1 and 50 or 1 000 steps.

How to run
----------
From the repository root::

    python benchmarks/diffusion_spread.py            # about 15 min on 2 cores
    python benchmarks/diffusion_spread.py --quick    # 1 000 rows, 2 variants

Prints Markdown tables and writes ``benchmarks/results/diffusion_spread.csv``.
"""

from __future__ import annotations

import argparse
import math
import warnings

import numpy as np
import pandas as pd
import torch
from _harness import RESULTS, machine_facts, markdown, write_csv
from joblib import Parallel, delayed
from width import make_table

from skl_synth._nn.diffusion import cosine_schedule, sampling_timesteps

NO_STOP = {"early_stopping": False}
VARIANTS = {
    "default": {},
    "no-stop": NO_STOP,
    "no-stop-no-average": {**NO_STOP, "ema_decay": 0.0},
    "200-passes": {**NO_STOP, "epochs": 200},
    "dropout": {**NO_STOP, "dropout": 0.1},
    "wide": {**NO_STOP, "hidden_dims": (512, 512, 512)},
    "eta0": {**NO_STOP, "eta": 0.0},
}


def exact_sampler_spread(eta, n_steps, n_rows=200_000, n_timesteps=1_000):
    """The spread DDIM keeps with the exact denoiser of a standard normal."""
    alpha_bar = [*cosine_schedule(n_timesteps).tolist(), 1.0]
    times = sampling_timesteps(n_timesteps, n_steps).tolist()
    rng = torch.Generator().manual_seed(0)
    x = torch.randn(n_rows, generator=rng)
    for i, t in enumerate(times):
        a_t = alpha_bar[t]
        a_next = alpha_bar[times[i + 1] if i + 1 < len(times) else -1]
        x0 = math.sqrt(a_t) * x  # the posterior mean of a standard normal
        eps = (x - math.sqrt(a_t) * x0) / math.sqrt(1 - a_t)
        sigma = eta * math.sqrt((1 - a_next) / (1 - a_t) * (1 - a_t / a_next))
        x = math.sqrt(a_next) * x0 + math.sqrt(max(1 - a_next - sigma**2, 0)) * eps
        if sigma > 0 and i + 1 < len(times):
            x = x + sigma * torch.randn(n_rows, generator=rng)
    return float(x.std())


def continuous_figures(real, synthetic):
    """(spread ratio, correlation with the discrete column), averaged."""
    columns = [c for c in real.columns if c.startswith("x")]
    spread = np.mean(
        [np.log(synthetic[c]).std() / np.log(real[c]).std() for c in columns]
    )
    corr = np.mean(
        [
            np.corrcoef(np.log(synthetic[c]), synthetic[f"c{c[1:]}"])[0, 1]
            for c in columns
        ]
    )
    return float(spread), float(corr)


def run_variant(name, params, n_rows):
    torch.set_num_threads(1)
    from skl_synth.metrics import detection_auc
    from skl_synth.synthesizers import DiffusionSynthesizer

    real = make_table("mixed", 20, n_rows, 0)
    fresh = make_table("mixed", 20, n_rows, 1_000)
    model = DiffusionSynthesizer(random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        synthetic = model.fit(real).sample(n_rows)
    spread, corr = continuous_figures(real, synthetic)
    return {
        "variant": name,
        "epochs_run": model.n_epochs_,
        "spread": spread,
        "corr": corr,
        "auc": detection_auc(fresh, synthetic, random_state=0),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=3_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    variants = VARIANTS
    if args.quick:
        args.rows = 1_000
        variants = {k: {**VARIANTS[k], "epochs": 20} for k in ("default", "no-stop")}
    print("\n".join(machine_facts(f"jobs     {args.jobs}, one torch thread each")))
    sampler = pd.DataFrame(
        [
            {"eta": eta, "steps": steps, "spread": exact_sampler_spread(eta, steps)}
            for eta in (1.0, 0.0)
            for steps in (50, 1_000)
        ]
    )
    print("\nThe sampler with the exact denoiser of a standard normal column\n")
    print(markdown(sampler.set_index(["eta", "steps"]).round(3)))
    rows = Parallel(n_jobs=args.jobs)(
        delayed(run_variant)(name, params, args.rows)
        for name, params in variants.items()
    )
    results = pd.DataFrame(rows)
    print(f"\nThe 20-column mixed table, {args.rows} rows\n")
    print(markdown(results.set_index("variant").round(3)))
    path = RESULTS / "diffusion_spread.csv"
    write_csv(results, path)
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
