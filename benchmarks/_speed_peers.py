"""What the speed benchmark compares the synthesizers with: a floor and ctgan.

The floor is bare PyTorch loops with the layer shapes and step counts of the
package's defaults on random tensors of its encoded width; ctgan's ``CTGAN``
and ``TVAE`` are timed with the same dimensions (see speed.py's docstring).
"""

from __future__ import annotations

import math
import time
import warnings
from contextlib import ExitStack
from unittest import mock

import numpy as np
import torch
from _harness import sampling_speed
from _speed_tables import SEED
from torch import nn
from torch.nn import functional as F

from skl_synth.metrics import synthesis_score

BATCH_SIZE = 500
# the package's defaults, which the floor and ctgan copy
GAN_DIMS = {"embedding_dim": 128, "generator_dim": (256, 256), "critic_dim": (256, 256)}
VAE_DIMS = {"embedding_dim": 128, "compress_dims": (128, 128)}
PAC = 10
CTGAN_PARALLEL_ROWS = 500  # ctgan transforms this many rows or more in parallel


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def holdout_score(holdout, synthetic, metadata) -> float:
    synthetic = synthetic.astype(holdout.dtypes.to_dict())
    return synthesis_score(holdout, synthetic, metadata=metadata, random_state=0)


def late_median(durations) -> float:
    """Median epoch time over the last quarter of a fit (at least one epoch)."""
    return float(np.median(durations[-max(1, len(durations) // 4) :]))


# --------------------------------------------------------------------------
# the floor
# --------------------------------------------------------------------------


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


def ctgan_name(family: str) -> str:
    return {"GAN": "ctgan.CTGAN", "VAE": "ctgan.TVAE"}[family]


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
