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
import math
import os
import platform
import statistics
import sys
import time
import warnings
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import sklearn
import torch
from threadpoolctl import threadpool_info, threadpool_limits
from torch import nn
from torch.nn import functional as F

import skl_synth.synthesizers as synthesizers
from skl_synth.metrics import metadata_from_schema, synthesis_score
from skl_synth.preprocessing import TabularEncoder

SEED = 0
BATCH_SIZE = 500
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
TARGETS = {"epoch_vs_floor": 1.15, "setup_speedup": 5.0, "ttq_speedup": 3.0}
# the package's defaults, which the floor and ctgan copy
GAN_DIMS = {"embedding_dim": 128, "generator_dim": (256, 256), "critic_dim": (256, 256)}
VAE_DIMS = {"embedding_dim": 128, "compress_dims": (128, 128)}
PAC = 10
WARM_UP_ROWS = 200
KINDS = ("ratios", "history")  # the other CSV files, named after --output
CTGAN_PARALLEL_ROWS = 500  # ctgan transforms this many rows or more in parallel


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
    pools = ", ".join(f"{p['prefix']} x{p['num_threads']}" for p in threadpool_info())
    return [
        f"python   {platform.python_version()} ({sys.executable})",
        f"torch    {torch.__version__}",
        f"sklearn  {sklearn.__version__}",
        f"ctgan    {ctgan_version()}",
        f"cpus     {os.cpu_count()}",
        f"threads  torch {torch.get_num_threads()}; {pools}",
        f"device   {device_name(args.device)}",
        f"load     {os.getloadavg()[0]:.2f} (1-minute average at start)",
        f"platform {platform.platform()} ({platform.machine()})",
    ]


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
# the tables
# --------------------------------------------------------------------------


def mixture_column(rng, cluster: np.ndarray) -> np.ndarray:
    """Normal modes with distinct means and scales, one per hidden cluster."""
    n_clusters = cluster.max() + 1
    means = rng.uniform(-100, 100, n_clusters)
    stds = rng.uniform(0.5, 10, n_clusters)
    return np.round(rng.normal(means[cluster], stds[cluster]), 3)


def amount_column(rng, cluster: np.ndarray) -> np.ndarray:
    """Log-normal amounts (long right tail) whose scale follows the cluster."""
    return np.round(rng.lognormal(3 + 0.5 * cluster, 0.6), 2)


def categorical_column(rng, cluster, n_categories: int, missing: float):
    """Zipf-like strings, shifted by the cluster; ``missing`` of them None."""
    labels = np.array([f"c{k:02d}" for k in range(n_categories)], dtype=object)
    weights = 1.0 / np.arange(1, n_categories + 1)
    draw = rng.choice(n_categories, size=len(cluster), p=weights / weights.sum())
    values = labels[(draw + 2 * cluster) % n_categories]
    values[rng.random(len(cluster)) < missing] = None
    return values


def boolean_column(rng, cluster) -> np.ndarray:
    rates = rng.uniform(0.1, 0.9, cluster.max() + 1)
    return rng.random(len(cluster)) < rates[cluster]


def narrow_table(rng, n_rows: int) -> pd.DataFrame:
    cluster = rng.choice(4, size=n_rows, p=[0.4, 0.3, 0.2, 0.1])
    return pd.DataFrame(
        {
            "x0": mixture_column(rng, cluster),
            "x1": mixture_column(rng, cluster),
            "amount": amount_column(rng, cluster),
            "kind": categorical_column(rng, cluster, 6, missing=0.05),
            "flag": boolean_column(rng, cluster),
        }
    )


def wide_table(rng, n_rows: int) -> pd.DataFrame:
    cluster = rng.choice(5, size=n_rows, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    columns = {f"x{i}": mixture_column(rng, cluster) for i in range(6)}
    columns["amount"] = amount_column(rng, cluster)
    columns["count"] = rng.poisson(100 + 80 * cluster).astype(np.int64)
    for i, (n_categories, missing) in enumerate(
        [(3, 0.0), (5, 0.03), (8, 0.0), (12, 0.03), (30, 0.0)]
    ):
        columns[f"cat{i}"] = categorical_column(rng, cluster, n_categories, missing)
    columns["flag0"] = boolean_column(rng, cluster)
    columns["flag1"] = boolean_column(rng, cluster)
    columns["level"] = np.minimum(rng.poisson(1 + cluster / 2), 6).astype(np.int64)
    return pd.DataFrame(columns)


def make_tables(n_rows: int, n_holdout: int) -> dict:
    """name -> (training rows, held-out rows, discrete columns)."""
    tables = {}
    for name, build in (("narrow", narrow_table), ("wide", wide_table)):
        rng = np.random.default_rng(SEED)
        frame = build(rng, n_rows + n_holdout)
        discrete = [
            c
            for c in frame.columns
            if frame[c].dtype == object or frame[c].dtype == bool or c == "level"
        ]
        train = frame.iloc[:n_rows].reset_index(drop=True)
        holdout = frame.iloc[n_rows:].reset_index(drop=True)
        tables[name] = (train, holdout, discrete)
    return tables


# --------------------------------------------------------------------------
# timing helpers
# --------------------------------------------------------------------------


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def sampling_speed(sample, n_rows: int) -> float:
    """Rows per second of ``sample(n_rows)``, after a small warm-up call."""
    sample(1_000)
    seconds, _ = timed(sample, n_rows)
    return n_rows / seconds


def holdout_score(holdout, synthetic, metadata) -> float:
    synthetic = synthetic.astype(holdout.dtypes.to_dict())
    return synthesis_score(holdout, synthetic, metadata=metadata, random_state=0)


def load() -> float:
    return round(os.getloadavg()[0], 2)


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


def late_median(durations) -> float:
    """Median epoch time over the last quarter of a fit (at least one epoch)."""
    return float(np.median(durations[-max(1, len(durations) // 4) :]))


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


def encoded_shape(model) -> tuple[int, int]:
    """Encoded width and condition width (one-hot groups of discrete columns)."""
    layout = model.encoder_.layout_
    condition = sum(s.width for s in layout if s.role == "category")
    return layout[-1].stop, condition


# --------------------------------------------------------------------------
# the floor: bare PyTorch loops with the same shapes and step counts
# --------------------------------------------------------------------------


class FloorResidual(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.fc, self.bn = nn.Linear(n_in, n_out), nn.BatchNorm1d(n_out)

    def forward(self, x):
        return torch.cat([F.relu(self.bn(self.fc(x))), x], dim=1)


def floor_gan_modules(width, condition):
    n_in = GAN_DIMS["embedding_dim"] + condition
    blocks = []
    for size in GAN_DIMS["generator_dim"]:
        blocks.append(FloorResidual(n_in, size))
        n_in += size
    generator = nn.Sequential(*blocks, nn.Linear(n_in, width))
    layers, n_in = [], (width + condition) * PAC
    for size in GAN_DIMS["critic_dim"]:
        layers += [nn.Linear(n_in, size), nn.LeakyReLU(0.2), nn.Dropout(0.5)]
        n_in = size
    critic = nn.Sequential(*layers, nn.Linear(n_in, 1))
    return generator, critic


def floor_penalty(critic, real, fake):
    alpha = torch.rand(len(real) // PAC, 1, 1, device=real.device)
    alpha = alpha.expand(-1, PAC, real.shape[1]).reshape(real.shape)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    out = critic(mixed.reshape(-1, PAC * real.shape[1]))
    (grads,) = torch.autograd.grad(out.sum(), mixed, create_graph=True)
    norms = grads.reshape(-1, PAC * real.shape[1]).norm(2, dim=1)
    return 10.0 * ((norms - 1) ** 2).mean()


def floor_gan_step(nets, opts, data, conditions):
    generator, critic = nets
    opt_g, opt_d = opts
    packed = (-1, PAC * (data.shape[1] + conditions.shape[1]))
    rows = torch.randint(len(data), (BATCH_SIZE,), device=data.device)
    noise = torch.randn(BATCH_SIZE, GAN_DIMS["embedding_dim"], device=data.device)
    condition = conditions[rows]
    with torch.no_grad():
        fake = torch.tanh(generator(torch.cat([noise, condition], dim=1)))
    real = torch.cat([data[rows], condition], dim=1)
    fake = torch.cat([fake, condition], dim=1)
    loss_d = critic(fake.reshape(packed)).mean() - critic(real.reshape(packed)).mean()
    penalty = floor_penalty(critic, real, fake)
    opt_d.zero_grad(set_to_none=True)
    (loss_d + penalty).backward()
    opt_d.step()
    noise = torch.randn(BATCH_SIZE, GAN_DIMS["embedding_dim"], device=data.device)
    fake = torch.tanh(generator(torch.cat([noise, condition], dim=1)))
    loss_g = -critic(torch.cat([fake, condition], dim=1).reshape(packed)).mean()
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_g.step()
    return loss_d.detach() + loss_g.detach()


def floor_gan_epochs(width, condition, n_rows, n_epochs, device) -> list[float]:
    """Seconds of each epoch of the bare GAN loop (``n_rows // 500`` steps)."""
    data, conditions = floor_data(width, condition, n_rows, device)
    nets = [m.to(device) for m in floor_gan_modules(width, condition)]
    opts = [
        torch.optim.Adam(m.parameters(), lr=2e-4, betas=(0.5, 0.9), weight_decay=1e-6)
        for m in nets
    ]
    steps = max(1, n_rows // BATCH_SIZE)
    return floor_epochs(
        lambda: [floor_gan_step(nets, opts, data, conditions) for _ in range(steps)],
        n_epochs,
        device,
    )


def floor_vae_modules(width, condition):
    latent, hidden = VAE_DIMS["embedding_dim"], VAE_DIMS["compress_dims"]
    encoder = floor_mlp(width + condition, hidden)
    heads = nn.Linear(hidden[-1], 2 * latent)  # mean and log-variance
    decoder = nn.Sequential(
        floor_mlp(latent + condition, hidden), nn.Linear(hidden[-1], width)
    )
    return encoder, heads, decoder


def floor_mlp(n_in, hidden):
    layers = []
    for size in hidden:
        layers += [nn.Linear(n_in, size), nn.ReLU()]
        n_in = size
    return nn.Sequential(*layers)


def floor_vae_step(nets, log_sigma, optimizer, rows, condition):
    encoder, heads, decoder = nets
    mean, log_var = heads(encoder(torch.cat([rows, condition], dim=1))).chunk(2, 1)
    latent = mean + torch.randn_like(mean) * torch.exp(0.5 * log_var)
    raw = decoder(torch.cat([latent, condition], dim=1))
    error = (rows - torch.tanh(raw)) / log_sigma.exp()
    reconstruction = (error**2 / 2).sum() + log_sigma.sum() * len(rows)
    kl = -0.5 * torch.sum(1 + log_var - mean**2 - log_var.exp())
    loss = (2.0 * reconstruction + kl) / len(rows)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        log_sigma.clamp_(math.log(0.01), 0.0)
    return loss.detach()


def floor_vae_epochs(width, condition, n_rows, n_epochs, device) -> list[float]:
    """Seconds of each epoch of the bare VAE loop (one pass in batches of 500)."""
    data, conditions = floor_data(width, condition, n_rows, device)
    nets = [m.to(device) for m in floor_vae_modules(width, condition)]
    log_sigma = nn.Parameter(torch.full((width,), math.log(0.1), device=device))
    params = [p for m in nets for p in m.parameters()] + [log_sigma]
    optimizer = torch.optim.Adam(params, lr=1e-3, weight_decay=1e-5)

    def epoch():
        order = torch.randperm(n_rows, device=device)
        return [
            floor_vae_step(nets, log_sigma, optimizer, data[index], conditions[index])
            for index in order.split(BATCH_SIZE)
        ]

    return floor_epochs(epoch, n_epochs, device)


def floor_data(width, condition, n_rows, device):
    """Random rows of the encoded width and random one-hot conditions."""
    generator = torch.Generator().manual_seed(SEED)
    data = torch.rand(n_rows, width, generator=generator) * 2 - 1
    slots = torch.randint(max(condition, 1), (n_rows,), generator=generator)
    conditions = F.one_hot(slots, max(condition, 1)).float()[:, :condition]
    return data.to(device), conditions.to(device)


def floor_epochs(run_epoch, n_epochs, device) -> list[float]:
    seconds = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        for _ in range(n_epochs):
            start = time.perf_counter()
            losses = run_epoch()
            float(torch.stack(losses).sum())  # one host sync per epoch, as ours
            sync(device)
            seconds.append(time.perf_counter() - start)
    return seconds


# --------------------------------------------------------------------------
# ctgan
# --------------------------------------------------------------------------


class EpochClock:
    """Stands in for ``tqdm`` in ctgan's modules: notes when each epoch starts."""

    def __init__(self):
        self.starts = []

    def __call__(self, iterable, **kwargs):
        return _Ticking(iterable, self.starts)


class _Ticking:
    def __init__(self, iterable, starts):
        self.iterable, self.starts = iterable, starts

    def __iter__(self):
        for item in self.iterable:
            self.starts.append(time.perf_counter())
            yield item

    def set_description(self, *args, **kwargs):
        pass


def make_ctgan(family: str, epochs: int, device: str):
    import ctgan

    gpu = device.startswith("cuda")
    if family == "GAN":
        return ctgan.CTGAN(
            embedding_dim=GAN_DIMS["embedding_dim"],
            generator_dim=GAN_DIMS["generator_dim"],
            discriminator_dim=GAN_DIMS["critic_dim"],
            batch_size=BATCH_SIZE,
            pac=PAC,
            epochs=epochs,
            enable_gpu=gpu,
        )
    return ctgan.TVAE(
        embedding_dim=VAE_DIMS["embedding_dim"],
        compress_dims=VAE_DIMS["compress_dims"],
        decompress_dims=VAE_DIMS["compress_dims"],
        batch_size=BATCH_SIZE,
        epochs=epochs,
        enable_gpu=gpu,
    )


def start_ctgan_workers(train, discrete) -> None:
    """Untimed: start the joblib worker processes ctgan's transform uses.

    ``DataTransformer.transform`` runs column by column in
    ``joblib.Parallel(n_jobs=-1)`` from 500 rows on; the processes take
    seconds to start and stop after minutes idle. Starting them here keeps
    that one-off cost out of ctgan's setup time (in its favour).
    """
    from ctgan.data_transformer import DataTransformer

    rows = train.iloc[:CTGAN_PARALLEL_ROWS]
    transformer = DataTransformer()
    transformer.fit(rows, discrete)
    transformer.transform(rows)


def time_ctgan(family, train, holdout, discrete, metadata, args) -> dict:
    """Setup, epochs, sampling and score of one ctgan fit of ``--ctgan-epochs``."""
    model = make_ctgan(family, args.ctgan_epochs, args.device)
    model.set_random_state(SEED)
    clock = EpochClock()
    with ExitStack() as stack:
        stack.enter_context(mock.patch(f"{type(model).__module__}.tqdm", clock))
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")  # rdt's and pandas' deprecations
        start_ctgan_workers(train, discrete)
        start = time.perf_counter()
        model.fit(train, discrete_columns=discrete)
        end = time.perf_counter()
        speed = sampling_speed(model.sample, args.sample_rows)
        synthetic = model.sample(len(holdout))
    epochs = np.diff([*clock.starts, end])
    return {
        "setup_s": clock.starts[0] - start,
        "epoch_s": float(np.median(epochs)),
        "sample_rows_per_s": speed,
        "fit_s": end - start,
        "epochs": len(epochs),
        "late_epoch_s": late_median(epochs),
        "ttq_s": end - start,
        "score": holdout_score(holdout, synthetic, metadata),
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


def ctgan_name(family: str) -> str:
    return {"GAN": "ctgan.CTGAN", "VAE": "ctgan.TVAE"}[family]


def record(table, family, model, values) -> dict:
    return {"table": table, "family": family, "model": model, **values, "load": load()}


def median(values) -> float:
    return float(statistics.median(values))


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# tables of results
# --------------------------------------------------------------------------

COLUMNS = [
    "table",
    "model",
    "width",
    "setup_s",
    "epoch_s",
    "sample_rows_per_s",
    "fit_s",
    "epochs",
    "late_epoch_s",
    "es_epoch_s",
    "scored",
    "ttq_epoch",
    "ttq_s",
    "val_at_ttq",
    "val_best",
    "score",
    "score_best",
    "same",
    "load",
]


def ratios(results: pd.DataFrame) -> pd.DataFrame:
    """Per table and family: our numbers against the floor's and ctgan's."""
    out = []
    for (table, family), group in results[results["family"] != ""].groupby(
        ["table", "family"], sort=False
    ):
        by_model = group.set_index("model")
        ours = by_model.loc[f"{family}Synthesizer"]
        floor, peer = by_model.loc["floor"], by_model.loc[ctgan_name(family)]
        row = {
            "table": table,
            "family": family,
            "epoch_vs_floor": ours["epoch_s"] / floor["epoch_s"],
            "setup_speedup": peer["setup_s"] / ours["setup_s"],
            "ttq_speedup": peer["fit_s"] / ours["ttq_s"],
            "our_score": ours["score"],
            "ctgan_score": peer["score"],
        }
        row["targets_met"] = targets_met(row)
        out.append(row)
    return pd.DataFrame(out)


def targets_met(row: dict) -> str:
    met = [
        row["epoch_vs_floor"] <= TARGETS["epoch_vs_floor"],
        row["setup_speedup"] >= TARGETS["setup_speedup"],
        row["ttq_speedup"] >= TARGETS["ttq_speedup"]
        and row["our_score"] >= row["ctgan_score"],
    ]
    return " ".join("yes" if m else "NO" for m in met)


def format_table(table: pd.DataFrame) -> str:
    """Fixed decimals per kind of column; blanks where a row has no value."""
    shown = table.astype(object).copy()
    for column in table.columns:
        style = column_style(column)
        if style:
            shown[column] = [
                "" if pd.isna(v) else style.format(v) for v in table[column]
            ]
    return shown.where(table.notna(), "").to_string(index=False)


def column_style(column: str) -> str | None:
    if column in ("width", "epochs", "scored", "ttq_epoch"):
        return "{:.0f}"
    if column == "sample_rows_per_s":
        return "{:,.0f}"
    if column.endswith("speedup"):
        return "{:.1f}"
    if column == "epoch_vs_floor":
        return "{:.2f}"
    if column.endswith("_s") or "score" in column or column.startswith("val_"):
        return "{:.3f}"
    return None


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
    output.parent.mkdir(parents=True, exist_ok=True)
    paths = [output, *(output.with_name(f"{output.stem}_{k}.csv") for k in KINDS)]
    history = pd.concat(histories, ignore_index=True) if histories else pd.DataFrame()
    for path, frame in zip(paths, (results, summary, history), strict=True):
        frame.to_csv(path, index=False, float_format="%.6g")
    return paths


if __name__ == "__main__":
    main()
