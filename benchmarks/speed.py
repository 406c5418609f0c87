"""Training and sampling speed of the synthesizers, against a floor and ctgan.

What it measures
----------------
Two deterministic tables built with numpy (``--rows`` training rows, default
10 000, plus ``--holdout`` held-out rows, default 2 000, never trained on):

- ``narrow``: 5 columns: 3 continuous (two multi-modal mixtures whose modes
  follow a hidden cluster, one log-normal), 1 string categorical with ~5%
  missing, 1 boolean;
- ``wide``: 16 columns: 8 continuous (6 multi-modal mixtures, a log-normal
  amount, an int64 count with hundreds of values), 5 string categoricals
  (3 to 30 categories, Zipf-like, two with ~3% missing), 2 booleans and a
  small int64 column (0-6) declared discrete.

Most columns depend on a hidden cluster, so the tables have joint structure
for the detection half of the score to see. Missing values are only in
discrete columns: ctgan refuses NaN in continuous columns. Every model gets
the same list of discrete columns (strings, booleans, the small integers).

For each table and each of ``GANSynthesizer``, ``VAESynthesizer`` (and
``GaussianCopulaSynthesizer``, the non-deep baseline, when
``skl_synth.synthesizers`` exports it):

1. ``setup_s``, the time from ``fit`` start to the first epoch start
   (encoder fit + transform, tensors, network build). Measured without
   touching the package: a fit with ``early_stopping=False`` for
   ``--speed-epochs`` epochs is timed as a whole, and the last value of
   ``history_["time"]`` (seconds from the start of the epoch loop to the end
   of the last epoch) is subtracted. What is left also holds the few
   milliseconds after the loop (building ``history_``).
2. ``epoch_s``, the median epoch time of that fit (differences of
   ``history_["time"]``; the first epoch, with its warm-up, is included but
   the median ignores it).
3. ``sample_rows_per_s``: ``sample(--sample-rows)`` (default 50 000), timed
   once after a 1 000-row warm-up call, decoding to a DataFrame included.
4. Time-to-quality: a second fit with ``early_stopping=True,
   validation_fraction=0.1, n_iter_no_change=10`` and up to ``--epochs``
   epochs. ``ttq_epoch`` is the first epoch whose ``validation_score`` (on
   the rows the synthesizer holds out itself; NaN on epochs it does not
   score, ``scored`` counts the others) is within 0.01 of its best;
   ``ttq_s`` = that fit's setup (its wall time minus its last
   ``history_["time"]``) + ``history_["time"]`` at ``ttq_epoch``, so it
   includes the validation scoring that early stopping costs.
   ``fit_s`` is the whole early-stopped fit (patience included),
   ``es_epoch_s`` its loop time per epoch, scoring included, and
   ``late_epoch_s`` its median epoch time, scoring excluded, over the last
   quarter of its epochs: compared with ``epoch_s`` (the first epochs) it
   shows whether epochs slow down as training goes on (Adam's second
   moments decaying into subnormal floats, which the CPU handles far more
   slowly, did that until the package flushed subnormals while training;
   ctgan's late epochs still show it). To score the
   model *as it was* at ``ttq_epoch``, the fit is repeated with
   ``epochs=ttq_epoch``: on the CPU training is deterministic for a fixed
   ``random_state`` and that epoch is the best one so far, so the refit
   returns exactly those weights (``same``: "yes" when the refit's
   ``validation_score`` column matched, "best" when ``ttq_epoch`` is the
   best epoch and no refit was needed; on CUDA, whose kernels are not all
   deterministic, it may say "NO"). ``score`` is
   :func:`skl_synth.metrics.synthesis_score` of ``--holdout`` generated rows
   against this script's held-out rows (random_state=0), for that refit;
   ``score_best`` is the same for the early-stopped model (weights of its
   best epoch). For the copula, ``fit_s`` = ``ttq_s`` = its fit time.

Beside them, in the same process and with the same torch thread count:

(a) ``floor``: bare PyTorch loops with the layer shapes and step counts of
    the package's defaults, on a random tensor of the package's encoded width
    (and random one-hot conditions of its condition width). GAN: embedding
    128 + condition -> two residual blocks (Linear, BatchNorm1d, ReLU,
    concatenation) of 256 -> Linear to the width, tanh on everything; critic
    over packs of 10 rows (Linear 256, LeakyReLU 0.2, Dropout 0.5, twice,
    Linear 1); WGAN loss + gradient penalty (weight 10); Adam (2e-4,
    betas 0.5/0.9, decay 1e-6); batch 500; ``rows // 500`` steps of one
    critic and one generator update. VAE: encoder (width + condition ->
    128 -> 128 -> mean, log-variance of 128), decoder (128 + condition ->
    128 -> 128 -> width, a sigma per column clamped to [0.01, 1]), Gaussian
    loss on tanh of every column + KL, Adam (1e-3, decay 1e-5), one pass over
    a random permutation in batches of 500. No conditional sampling, no
    span-wise grouping, no condition loss: only the matrix work. Its
    ``epoch_s`` is the median of ``--speed-epochs`` epochs.
(b) ``ctgan``: the ``ctgan`` package's ``CTGAN`` and ``TVAE`` (BUSL-licensed;
    ``pip install ctgan``, part of the ``bench`` extra) with the same
    dimensions, ``batch_size=500``, ``--ctgan-epochs`` epochs (default 300)
    and the discrete columns; ``enable_gpu`` is True only for
    ``--device cuda`` (``TVAE(cuda=False)`` is the deprecated spelling of
    ``enable_gpu=False``). ctgan records no epoch times, so the ``tqdm`` its
    modules call is replaced, during the fit, by an iterator that notes when
    each epoch starts: ``setup_s`` is from ``fit`` start to the first epoch
    start (its ``DataTransformer`` fit + transform, which is nearly all of
    it, the data sampler and the network build), ``epoch_s`` the median
    epoch, ``late_epoch_s`` the median over the last quarter of its
    epochs, ``fit_s`` = ``ttq_s`` the whole fit, ``score`` the same
    ``synthesis_score`` of its rows against the held-out rows.

The second table gives, per table and family (GAN: ours / floor / CTGAN; VAE:
ours / floor / TVAE), the ratios and targets: ``epoch_vs_floor`` = our epoch /
floor epoch (target <= 1.15), ``setup_speedup`` = ctgan setup / our setup
(target >= 5), ``ttq_speedup`` = ctgan full-fit time / our time-to-quality
(target >= 3, and met only when our ``score`` at ``ttq_epoch`` is at least
ctgan's ``score``).

Timings are wall-clock (``time.perf_counter``). ``load`` is the 1-minute load
average when each row's work ended: on a shared machine, numbers taken with
a load above the number of cores are slowed down by other processes, and
torch's threads suffer most (``--threads 1`` keeps them from fighting).

How to run
----------
From the repository root, with the package and ctgan installed::

    python benchmarks/speed.py --quick          # smoke run, under 2 minutes
    python benchmarks/speed.py                  # 10 000 rows, up to 300 epochs
    python benchmarks/speed.py --threads 1      # on a busy machine
    python benchmarks/speed.py --ctgan-epochs 100 --epochs 100
    python benchmarks/speed.py --device cuda

Both tables are printed; the first is written to ``--output`` (default
``benchmarks/results/speed.csv``, a git-ignored folder) and the ratios next to
it (``speed_ratios.csv``). The default run takes about 30 minutes on an idle
2-core machine, nearly all of it ctgan's 300-epoch fits and the per-epoch
validation scoring of the early-stopped fits.
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _harness import (
    load_average,
    log,
    median,
    sampling_speed,
    timed,
    write_csv,
)
from _harness import machine_facts as harness_facts
from _speed_peers import (
    BATCH_SIZE,
    ctgan_name,
    encoded_shape,
    floor_gan_epochs,
    floor_vae_epochs,
    holdout_score,
    late_median,
    make_ctgan,
    time_ctgan,
)
from _speed_report import COLUMNS, TARGETS, format_table, ratios
from _speed_tables import SEED, make_tables
from threadpoolctl import threadpool_limits

import skl_synth.synthesizers as synthesizers
from skl_synth.metrics import metadata_from_schema
from skl_synth.preprocessing import TabularEncoder

TOLERANCE = 0.01  # time-to-quality: first validation_score within this of its best
EARLY_STOPPING = {
    "early_stopping": True,
    "validation_fraction": 0.1,
    "n_iter_no_change": 10,
}
QUICK = {
    "rows": 1_000,
    "holdout": 300,
    "epochs": 4,
    "ctgan_epochs": 4,
    "speed_epochs": 3,
    "sample_rows": 5_000,
}
WARM_UP_ROWS = 200
KINDS = ("ratios", "history")  # the other CSV files, named after --output


# --------------------------------------------------------------------------
# command line and machine facts
# --------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time setup, epochs, sampling and time-to-quality of the "
        "synthesizers against a bare PyTorch floor and ctgan."
    )
    add = parser.add_argument
    add("--rows", type=int, default=10_000, help="training rows of each table")
    add("--holdout", type=int, default=2_000, help="held-out rows for the score")
    add("--epochs", type=int, default=300, help="max epochs of early-stopped fits")
    add("--ctgan-epochs", type=int, default=300, help="epochs of the ctgan fits")
    add("--speed-epochs", type=int, default=20, help="epochs of the timing fits")
    add("--sample-rows", type=int, default=50_000, help="rows sampled for speed")
    add("--device", default="cpu", help="torch device: cpu or cuda")
    add("--threads", type=int, default=None, help="torch and BLAS threads")
    add(
        "--output",
        type=Path,
        default=Path("benchmarks/results/speed.csv"),
        help="CSV file written with the first table",
    )
    add("--quick", action="store_true", help=f"smoke run: {QUICK}")
    args = parser.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    sizes = (args.rows, args.holdout, args.epochs, args.ctgan_epochs)
    if min(*sizes, args.speed_epochs, args.sample_rows) < 1:
        parser.error("row, epoch and sample counts must be positive")
    if args.rows < 2 * BATCH_SIZE and not args.quick:
        parser.error(f"--rows must be at least {2 * BATCH_SIZE}")
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        parser.error("--device cuda but torch sees no CUDA device")
    return args


def machine_facts(args) -> list[str]:
    return harness_facts(
        f"ctgan    {ctgan_version()}", f"device   {device_name(args.device)}"
    )


def ctgan_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ctgan")
    except PackageNotFoundError:
        return "not installed (pip install ctgan)"


def device_name(device: str) -> str:
    if device.startswith("cuda"):
        return f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    return f"{device} ({platform.processor() or platform.machine()})"


# --------------------------------------------------------------------------
# our synthesizers
# --------------------------------------------------------------------------


def our_models() -> dict:
    """Name -> class of the synthesizers to time (the copula when exported)."""
    names = ["GANSynthesizer", "VAESynthesizer", "GaussianCopulaSynthesizer"]
    return {n: getattr(synthesizers, n) for n in names if hasattr(synthesizers, n)}


def make_model(cls, discrete, device, **params):
    accepted = cls().get_params()
    params = {"discrete_columns": discrete, "random_state": SEED, **params}
    if "device" in accepted:
        params["device"] = device
    return cls(**{k: v for k, v in params.items() if k in accepted})


def setup_time(fit_seconds: float, model) -> float:
    """Fit wall time minus the epoch loop's time (``history_["time"]``)."""
    return fit_seconds - float(model.history_["time"].iloc[-1])


def time_epochs(cls, train, discrete, args) -> tuple[dict, object]:
    """Setup, median epoch and sampling speed from a fit without early stopping."""
    model = make_model(
        cls, discrete, args.device, epochs=args.speed_epochs, early_stopping=False
    )
    fit_seconds, _ = timed(model.fit, train)
    epochs = np.diff(np.r_[0.0, model.history_["time"].to_numpy()])
    speed = sampling_speed(model.sample, args.sample_rows)
    row = {
        "setup_s": setup_time(fit_seconds, model),
        "epoch_s": float(np.median(epochs)),
        "sample_rows_per_s": speed,
    }
    return row, model


def time_to_quality(cls, train, holdout, discrete, metadata, args):
    """Early-stopped fit; the time and score at the first near-best epoch.

    Returns the row of results and the fit's ``history_``.
    """
    model = make_model(cls, discrete, args.device, epochs=args.epochs, **EARLY_STOPPING)
    fit_seconds, _ = timed(model.fit, train)
    history = model.history_
    scores = history["validation_score"].to_numpy(dtype=float)  # NaN: not scored
    best_score = np.nanmax(scores)
    ttq_epoch = int(np.argmax(scores >= best_score - TOLERANCE)) + 1
    ttq = setup_time(fit_seconds, model) + history["time"].iloc[ttq_epoch - 1]
    best = holdout_score(holdout, model.sample(len(holdout)), metadata)
    at_ttq, same = best, "best"
    if ttq_epoch != model.best_epoch_:
        refit_args = (cls, train, holdout, discrete, metadata, args)
        at_ttq, same = score_refit(*refit_args, scores[:ttq_epoch])
    durations = np.diff(np.r_[0.0, history["time"]])
    row = {
        "fit_s": fit_seconds,
        "epochs": len(history),
        "late_epoch_s": late_median(durations[np.isnan(scores)]),
        "es_epoch_s": float(history["time"].iloc[-1]) / len(history),
        "scored": int(np.isfinite(scores).sum()),
        "ttq_epoch": ttq_epoch,
        "ttq_s": ttq,
        "val_at_ttq": scores[ttq_epoch - 1],
        "val_best": best_score,
        "score": at_ttq,
        "score_best": best,
        "same": same,
    }
    return row, history


def score_refit(cls, train, holdout, discrete, metadata, args, expected):
    """Holdout score of a refit stopped at the time-to-quality epoch.

    ``expected`` holds the full fit's validation scores up to that epoch.
    Returns the score and whether the refit repeated them (training is
    deterministic on the CPU, not necessarily on CUDA).
    """
    refit = make_model(
        cls, discrete, args.device, epochs=len(expected), **EARLY_STOPPING
    )
    refit.fit(train)
    scores = refit.history_["validation_score"].to_numpy(dtype=float)
    same = np.array_equal(scores, expected, equal_nan=True)
    score = holdout_score(holdout, refit.sample(len(holdout)), metadata)
    return score, "yes" if same else "NO"


def time_copula(cls, train, holdout, discrete, metadata, args) -> dict:
    model = make_model(cls, discrete, args.device)
    fit_seconds, _ = timed(model.fit, train)
    return {
        "fit_s": fit_seconds,
        "ttq_s": fit_seconds,
        "sample_rows_per_s": sampling_speed(model.sample, args.sample_rows),
        "score": holdout_score(holdout, model.sample(len(holdout)), metadata),
    }


# --------------------------------------------------------------------------
# one table
# --------------------------------------------------------------------------


def family_of(name: str) -> str:
    return {"GANSynthesizer": "GAN", "VAESynthesizer": "VAE"}.get(name, "")


def warm_up(train, discrete, metadata, args) -> None:
    """Untimed tiny fits, so that imports and first calls (torch, sklearn,
    sdmetrics, rdt) do not land in the first timed setup."""
    small = train.iloc[:WARM_UP_ROWS]
    for cls in our_models().values():
        model = make_model(cls, discrete, args.device, epochs=1, early_stopping=False)
        model.fit(small).sample(10)
    holdout_score(small, small, metadata)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for family in ("GAN", "VAE"):
            model = make_ctgan(family, 1, args.device)
            model.fit(small, discrete_columns=discrete)
            model.sample(10)


def run_table(table, train, holdout, discrete, args):
    """Rows of results for one table, and the early-stopped fits' histories."""
    metadata = metadata_from_schema(
        TabularEncoder(discrete_columns=discrete).fit(train).schema_
    )
    warm_up(train, discrete, metadata, args)
    rows, histories = [], []
    for name, cls in our_models().items():
        family = family_of(name)
        log(f"{table}: {name}")
        if not family:
            result = time_copula(cls, train, holdout, discrete, metadata, args)
            rows.append(record(table, "", name, result))
            continue
        speed, model = time_epochs(cls, train, discrete, args)
        width, condition = encoded_shape(model)
        floor = floor_gan_epochs if family == "GAN" else floor_vae_epochs
        seconds = floor(width, condition, len(train), args.speed_epochs, args.device)
        floor_row = record(table, family, "floor", {"epoch_s": median(seconds)})
        quality, history = time_to_quality(
            cls, train, holdout, discrete, metadata, args
        )
        histories.append(history.assign(table=table, model=name))
        rows.append(record(table, family, name, {**speed, **quality, "width": width}))
        rows.append({**floor_row, "width": width})
        log(f"{table}: ctgan {family}")
        peer = time_ctgan(family, train, holdout, discrete, metadata, args)
        rows.append(record(table, family, ctgan_name(family), peer))
    return rows, histories


def record(table, family, model, values) -> dict:
    return {
        "table": table,
        "family": family,
        "model": model,
        **values,
        "load": load_average(),
    }


# --------------------------------------------------------------------------


def main(argv=None) -> None:
    args = parse_args(argv)
    start = time.perf_counter()
    with ExitStack() as stack:
        if args.threads:
            torch.set_num_threads(args.threads)
            stack.enter_context(threadpool_limits(limits=args.threads))
        print("\n".join(machine_facts(args)))
        tables = make_tables(args.rows, args.holdout)
        for name, (train, holdout, discrete) in tables.items():
            print(
                f"table    {name}: {len(train):,} training + {len(holdout):,} held-out "
                f"rows x {train.shape[1]} columns; discrete {discrete}"
            )
        print(
            f"epochs   timing fits {args.speed_epochs}, early-stopped fits up to "
            f"{args.epochs}, ctgan {args.ctgan_epochs}; sampling {args.sample_rows:,}\n"
        )
        rows, histories = [], []
        for name, (train, holdout, discrete) in tables.items():
            table_rows, table_histories = run_table(
                name, train, holdout, discrete, args
            )
            rows, histories = rows + table_rows, histories + table_histories
    results = pd.DataFrame(rows).reindex(columns=["family", *COLUMNS])
    summary = ratios(results)
    print(format_table(results[COLUMNS]))
    print(f"\ntargets: {TARGETS} (met: epoch, setup, time-to-quality at >= score)\n")
    print(format_table(summary))
    written = write_results(args.output, results, summary, histories)
    total = time.perf_counter() - start
    print(f"\nwrote {', '.join(map(str, written))}; total {total:.1f} s")


def write_results(output: Path, results, summary, histories) -> list[Path]:
    """The results, ratios (``*_ratios.csv``) and histories (``*_history.csv``)."""
    paths = [output, *(output.with_name(f"{output.stem}_{k}.csv") for k in KINDS)]
    history = pd.concat(histories, ignore_index=True) if histories else pd.DataFrame()
    frames = (results, summary, history)
    return [write_csv(f, p) for f, p in zip(frames, paths, strict=True)]


if __name__ == "__main__":
    main()
