"""Gaussian diffusion over encoded rows (TabDDPM-style): denoiser and steps.

Rows are diffused in a model space where every encoded column is on a unit
scale: scalar columns standardized by their training mean and standard
deviation, one-hot columns mapped from {0, 1} to {-1, 1}, under a cosine
schedule (Nichol and Dhariwal, 2021). On scalar columns the denoiser
predicts the noise (the DDPM loss of Ho et al., 2020). On each one-hot span
it predicts the clean slot, as logits trained by cross-entropy, to which
the slot's Gaussian log-likelihood given the noised values is added (see
:meth:`Denoiser.with_likelihood`); the expected clean one-hot under those
probabilities is the denoised value (the "score interpolation" of Dieleman
et al., 2022). Sampling follows DDIM (Song et al., 2021) over a subset of
the training timesteps, so that it can take far fewer steps than training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from .averaging import WeightAverage
from .batches import ShuffledBatches
from .state import saved_module


def cosine_schedule(n_timesteps, max_beta=0.999):
    """Cumulative signal fractions ``alpha_bar[t]`` for ``t = 0 .. T - 1``.

    ``alpha_bar(t) = cos(((t / T) + s) / (1 + s) * pi / 2) ** 2`` with
    ``s = 0.008``, each step's ``beta`` capped at ``max_beta``; float64.
    """
    steps = torch.arange(n_timesteps + 1, dtype=torch.float64) / n_timesteps
    f = torch.cos((steps + 0.008) / 1.008 * math.pi / 2) ** 2
    betas = (1 - f[1:] / f[:-1]).clamp(max=max_beta)
    return torch.cumprod(1 - betas, 0)


def timestep_embedding(t, dim):
    """Sinusoidal embedding of integer timesteps, (len(t), dim)."""
    half = dim // 2
    freqs = torch.exp(
        -math.log(10_000)
        * torch.arange(half, device=t.device, dtype=torch.float32)
        / half
    )
    args = t.float()[:, None] * freqs[None, :]
    embedding = torch.cat([torch.cos(args), torch.sin(args)], dim=1)
    if dim % 2:
        embedding = F.pad(embedding, (0, 1))
    return embedding


@saved_module
class Denoiser(nn.Module):
    """MLP that denoises a row, given its timestep and condition.

    As TabDDPM's ``MLPDiffusion``: the row is projected to ``dim_t`` units
    and added to the timestep embedding (sinusoidal, then Linear-SiLU-Linear)
    and to a projection of the condition vector; an MLP of ``hidden`` ReLU
    layers (with dropout) maps the sum to one output per encoded column: the
    predicted noise on scalar columns, the clean slot's logits (before
    :meth:`with_likelihood`) on one-hot columns. The buffers ``center`` and
    ``scale`` map encoded rows to the model space, ``onehot`` marks the
    one-hot columns.
    """

    def __init__(self, n_features, n_condition, hidden, dim_t=128, dropout=0.0):
        super().__init__()
        self.dim_t = dim_t
        self.project = nn.Linear(n_features, dim_t)
        self.time = nn.Sequential(
            nn.Linear(dim_t, dim_t), nn.SiLU(), nn.Linear(dim_t, dim_t)
        )
        # a table without discrete columns or missing values has no condition
        self.condition = nn.Linear(n_condition, dim_t) if n_condition else None
        layers, width = [], dim_t
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(inplace=True)]
            layers += [nn.Dropout(dropout)]
            width = size
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, n_features)
        self.register_buffer("center", torch.zeros(n_features))
        self.register_buffer("scale", torch.ones(n_features))
        self.register_buffer("low", torch.full((n_features,), -1.0))
        self.register_buffer("high", torch.ones(n_features))
        self.register_buffer("onehot", torch.zeros(n_features))

    def reset_parameters_(self):
        with torch.no_grad():
            self.center.zero_()
            self.scale.fill_(1.0)
            self.low.fill_(-1.0)
            self.high.fill_(1.0)
            self.onehot.zero_()

    def forward(self, x, t, condition):
        return self.predict(x, self.embed_time(t), self.embed_condition(condition))

    def embed_time(self, t):
        """The timesteps' embedding, (len(t), dim_t)."""
        return self.time(timestep_embedding(t, self.dim_t))

    def embed_condition(self, condition):
        """The condition vectors' projection, or 0 without conditions."""
        return 0.0 if self.condition is None else self.condition(condition)

    def predict(self, x, time, condition):
        """The noise predicted from rows and their embedded time and condition.

        Sampling embeds each step's one timestep once, and the conditions
        once for all steps, and broadcasts them over the rows.
        """
        return self.head(self.body(self.project(x) + time + condition))

    @torch.no_grad()
    def fit_scaling(self, data, layout):
        """Set ``center`` / ``scale`` (and the clip range) from training rows."""
        scalar = layout.scalar_mask
        center = torch.where(scalar, data.mean(0), 0.5)
        spread = data.std(0) if len(data) > 1 else torch.ones_like(center)
        scale = torch.where(scalar, spread.clamp_min(1e-3), 0.5)
        self.center.copy_(center)
        self.scale.copy_(scale)
        modelled = (data - center) / scale
        self.low.copy_(torch.where(scalar, modelled.amin(0), -1.0))
        self.high.copy_(torch.where(scalar, modelled.amax(0), 1.0))
        self.onehot.copy_((~scalar).float())

    def with_likelihood(self, out, x, signal, variance):
        """The one-hot outputs plus each slot's log-likelihood given ``x``.

        A noised one-hot span is ``x = signal * e + sqrt(variance) * noise``
        with ``e`` the clean slot's vector in the model space (1 on the
        slot, -1 elsewhere), so ``log p(x | slot k)`` is ``2 * signal *
        x[k] / variance`` plus what all slots share. Added to the network's
        logits, it makes their softmax the exact posterior of a column on
        its own when the network outputs the log of its frequencies; the
        network then learns only what the timestep's prior and the other
        columns add. Without it, the network had to read every slot back
        through its ``dim_t``-unit projection: on 20 independent columns of
        7 values (140 one-hot slots into 128 units), after 60 passes over
        3 000 rows, cross-entropy alone left 0.16 nats per column on
        noise-free rows, and the generated categories drifted towards
        uniform (issue 35). Scalar columns are
        unchanged: their noise prediction already is a skip connection.
        ``signal`` and ``variance`` broadcast against ``x``.
        """
        return out + (2 * signal / variance) * x * self.onehot

    def to_model(self, rows):
        return (rows - self.center) / self.scale

    def from_model(self, x):
        return x * self.scale + self.center


@dataclass(frozen=True)
class DiffusionTraining:
    """How a :class:`DiffusionTrainer` trains: the ``DiffusionSynthesizer``
    parameters of the same names."""

    batch_size: int
    n_timesteps: int
    learning_rate: float
    weight_decay: float
    unconditional_fraction: float
    ema_decay: float


class DiffusionTrainer:
    """Training of one denoiser: random timesteps, noised rows, and the loss
    of :meth:`~skl_synth._nn.layout.OutputLayout.denoising_loss`.

    With an ``average`` module (a copy of ``denoiser``), its weights follow
    an exponential moving average of the trained ones (decay
    ``training.ema_decay``, see
    :class:`~skl_synth._nn.averaging.WeightAverage`).
    """

    def __init__(self, denoiser, layout, sampler, training, rng, average=None):
        self.denoiser, self.layout, self.sampler = denoiser, layout, sampler
        self.training, self.rng = training, rng
        self._batches = None  # the epochs of shuffled batches, on first use
        self._averaging = None
        if average is not None:
            self._averaging = WeightAverage(denoiser, average, training.ema_decay)
        device = next(denoiser.parameters()).device
        alpha_bar = cosine_schedule(training.n_timesteps).to(device)
        self.signal = alpha_bar.sqrt().float()
        self.noise_level = (1 - alpha_bar).sqrt().float()
        self.optimizer = torch.optim.AdamW(
            denoiser.parameters(),
            lr=training.learning_rate,
            weight_decay=training.weight_decay,
            foreach=True,
        )

    def _step(self, rows, condition):
        n, device = len(rows), rows.device
        t = torch.randint(
            self.training.n_timesteps, (n,), generator=self.rng, device=device
        )
        noise = torch.randn(rows.shape, generator=self.rng, device=device)
        x0 = self.denoiser.to_model(rows)
        xt = self.signal[t, None] * x0 + self.noise_level[t, None] * noise
        out = self.denoiser(xt, t, condition)
        out = self.denoiser.with_likelihood(
            out, xt, self.signal[t, None], self.noise_level[t, None] ** 2
        )
        loss = self.layout.denoising_loss(out, noise, rows)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        if self._averaging is not None:
            self._averaging.update()
        return loss.detach()

    def _conditions(self, index):
        """Each row's own category in a random span; the empty condition for
        ``training.unconditional_fraction`` of the rows."""
        condition = self.sampler.from_rows(index, self.rng)
        share = self.training.unconditional_fraction
        if share > 0 and condition.shape[1]:
            u = torch.rand(len(index), generator=self.rng, device=index.device)
            condition.mul_((u >= share)[:, None])
        return condition

    def train_epoch(self, data):
        """One epoch of shuffled batches of ``batch_size`` rows (see
        :class:`~skl_synth._nn.batches.ShuffledBatches`)."""
        self.denoiser.train()

        def step(index):
            return self._step(data[index], self._conditions(index))

        if self._batches is None:
            self._batches = ShuffledBatches(
                len(data), self.training.batch_size, self.rng
            )
        loss = self._batches.epoch(step)
        return {"loss": loss}

    def prepare_sampling(self):
        """Nothing to prepare: the denoiser samples as trained."""


def sampling_timesteps(n_timesteps, n_steps):
    """``n_steps`` training timesteps, evenly spaced from ``T - 1`` down to 0."""
    grid = torch.linspace(n_timesteps - 1, 0, n_steps, dtype=torch.float64)
    return torch.unique(grid.round().long(), sorted=True).flip(0)


@torch.no_grad()
def sample_rows(
    denoiser,
    layout,
    condition,
    rng,
    n_timesteps,
    n_steps,
    eta=0.0,
    guidance=1.0,
    known=None,
):
    """Encoded rows by DDIM over ``n_steps`` of the ``n_timesteps`` steps.

    With ``guidance != 1``, classifier-free guidance (Ho and Salimans, 2022):
    the noise predicted under each row's condition is pushed away from the
    one predicted unconditioned, ``eps_u + guidance * (eps_c - eps_u)``, for
    a denoiser trained with empty conditions; rows with the empty condition
    are unchanged. It costs a second denoiser pass per step.

    ``known = (space, columns)``, the condition's
    :class:`~skl_synth._nn.conditions.ConditionSpace` and the encoded
    columns of its slots, holds each row's conditioned span at its value:
    at every step its denoised value is the condition's one-hot, so that
    the other columns are denoised beside the value the row will have (the
    posterior of a known cell is a point mass). Without it, a network that
    learned little from its condition input follows the condition only in
    the end, when the cells are set: on a 20-column table (14 discrete
    columns, 6 continuous ones each depending on one), 17% of the rows
    conditioned on a category of a 15%-column held it before being set,
    and the continuous columns lost a third of their dependence on it.

    Starts from standard normal noise; at each step the predicted clean row
    (on one-hot spans, the expected one-hot under the predicted slot
    probabilities) is clipped to the training range of the model space.
    ``eta=0`` is deterministic DDIM, ``eta=1`` DDPM-like noise. Scalars
    come back in the encoder's scale, one-hot groups as the slot of their
    largest value.
    """
    denoiser.eval()
    device = condition.device
    if not condition.shape[1]:
        known = None  # nothing is conditioned on
    if known is not None:
        space, columns = known
        fixed = space.conditioned_slots(condition)
        clean = (condition - denoiser.center[columns]) / denoiser.scale[columns]
    # the schedule's scalars in float64 on the host; the rows stay float32
    alpha_bar = [*cosine_schedule(n_timesteps).tolist(), 1.0]
    times = sampling_timesteps(n_timesteps, n_steps).tolist()
    n, width = len(condition), len(denoiser.center)
    x = torch.randn((n, width), generator=rng, device=device)
    embedded = denoiser.embed_condition(condition)
    guided = guidance != 1.0 and condition.shape[1] > 0
    if guided:
        free = denoiser.embed_condition(torch.zeros_like(condition[:1]))
    for i, t in enumerate(times):
        a_t = alpha_bar[t]
        a_next = alpha_bar[times[i + 1] if i + 1 < len(times) else -1]
        step = torch.full((1,), t, device=device)
        time = denoiser.embed_time(step)
        out = denoiser.predict(x, time, embedded)
        if guided:
            out_free = denoiser.predict(x, time, free)
            out = out_free.add_(out - out_free, alpha=guidance)
        x0 = (x - math.sqrt(1 - a_t) * out).div_(math.sqrt(a_t))
        if layout.membership.shape[1]:
            out = denoiser.with_likelihood(out, x, math.sqrt(a_t), 1 - a_t)
            probs = denoiser.to_model(layout.span_softmax(out, per_span=True))
            x0 = torch.where(layout.onehot_mask, probs, x0)
        x0 = torch.clamp_(x0, denoiser.low, denoiser.high)
        if known is not None:
            x0[:, columns] = torch.where(fixed, clean, x0[:, columns])
        eps = (x - math.sqrt(a_t) * x0).div_(math.sqrt(1 - a_t))
        sigma = eta * math.sqrt((1 - a_next) / (1 - a_t) * (1 - a_t / a_next))
        x = x0.mul_(math.sqrt(a_next))
        x.add_(eps, alpha=math.sqrt(max(1 - a_next - sigma**2, 0.0)))
        if sigma > 0 and i + 1 < len(times):
            x.add_(torch.randn(x.shape, generator=rng, device=device), alpha=sigma)
    rows = denoiser.from_model(x)
    hard = layout.activate(rows, hard=True)  # one-hot groups: their argmax
    return torch.where(layout.scalar_mask, rows, hard)
