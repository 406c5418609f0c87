"""Epoch times of the neural synthesizers on the CPU and on a GPU, and the ratio.

For each of the speed benchmark's two tables (``narrow``, ``wide``; 10 000
training rows and 2 000 held-out rows, see ``_speed_tables.py``) and each of
``GANSynthesizer``, ``VAESynthesizer`` and ``DiffusionSynthesizer``, fits of
``--epochs`` epochs without early stopping are timed on the CPU (``--threads``
torch threads, default 2) and, when CUDA is available, on the GPU with the
same batch and with ``--gpu-batch`` (default 4 000). Each row gives the median
epoch time (differences of ``history_["time"]``, the first epoch left out),
``speedup`` = CPU epoch / this epoch, and the ``synthesis_score`` of as many
generated rows as held-out ones, so that a larger batch is kept only where it
keeps the score. Target (issue 21): GAN and diffusion epochs at least 10x
faster on the GPU than on 2 CPU cores.

How to run::

    python benchmarks/gpu_epochs.py              # about 4 minutes with a GPU
    python benchmarks/gpu_epochs.py --quick      # 1 000 rows, 3 epochs

Without CUDA only the CPU rows are measured (and said so). The table is
printed and written to ``--output`` (``benchmarks/results/gpu_epochs.csv``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).parent))
from _harness import RESULTS, log, machine_facts, write_csv
from _speed_tables import make_tables

from skl_synth.metrics import metadata_from_schema, synthesis_score
from skl_synth.synthesizers import (
    DiffusionSynthesizer,
    GANSynthesizer,
    VAESynthesizer,
)

MODELS = {
    "GAN": GANSynthesizer,
    "VAE": VAESynthesizer,
    "diffusion": DiffusionSynthesizer,
}
BATCH = 500


def epoch_time(model) -> float:
    times = np.diff(np.r_[0.0, model.history_["time"].to_numpy()])
    return float(np.median(times[1:] if len(times) > 1 else times))


def run(table, train, holdout, discrete, device, batch, epochs):
    rows = []
    for name, cls in MODELS.items():
        log(f"{table}: {name} on {device}, batch {batch}")
        model = cls(
            epochs=epochs,
            batch_size=batch,
            early_stopping=False,
            discrete_columns=discrete,
            device=device,
            random_state=0,
        ).fit(train)
        metadata = metadata_from_schema(model.encoder_.schema_)
        synthetic = model.sample(len(holdout))
        score = synthesis_score(holdout, synthetic, metadata=metadata, random_state=0)
        rows.append(
            {
                "table": table,
                "model": name,
                "device": device,
                "batch": batch,
                "epoch_s": epoch_time(model),
                "score": score,
            }
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--gpu-batch", type=int, default=4_000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS / "gpu_epochs.csv")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.epochs = 1_000, 3
    torch.set_num_threads(args.threads)
    cuda = torch.cuda.is_available()
    gpu = torch.cuda.get_device_name(0) if cuda else "none (CUDA not available)"
    print("\n".join(machine_facts(f"gpu      {gpu}")))
    rows = []
    for table, (train, holdout, discrete) in make_tables(args.rows, 2_000).items():
        rows += run(table, train, holdout, discrete, "cpu", BATCH, args.epochs)
        if cuda:
            for batch in dict.fromkeys([BATCH, args.gpu_batch]):
                rows += run(table, train, holdout, discrete, "cuda", batch, args.epochs)
    results = pd.DataFrame(rows)
    cpu = results[results["device"] == "cpu"].set_index(["table", "model"])["epoch_s"]
    keys = list(zip(results["table"], results["model"], strict=True))
    results["speedup"] = cpu.loc[keys].to_numpy() / results["epoch_s"].to_numpy()
    print(results.to_string(index=False, float_format="{:.3f}".format))
    if not cuda:
        print("\nno CUDA device here: CPU rows only, no ratio to report")
    print(f"\nwrote {write_csv(results, args.output)}")


if __name__ == "__main__":
    main()
