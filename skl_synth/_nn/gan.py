"""Conditional WGAN-GP with PacGAN (CTGAN): modules and training steps."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from .averaging import WeightAverage
from .batches import epoch_steps
from .state import saved_module


class Residual(nn.Module):
    """Linear -> BatchNorm -> ReLU, concatenated with its input."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)
        self.norm = nn.BatchNorm1d(n_out)

    def forward(self, x):
        return torch.cat([F.relu(self.norm(self.linear(x))), x], dim=1)


@saved_module
class Generator(nn.Module):
    """Noise and condition vector -> raw (pre-activation) encoded row."""

    def __init__(self, n_noise, n_condition, hidden, n_out):
        super().__init__()
        layers, width = [], n_noise + n_condition
        for size in hidden:
            layers.append(Residual(width, size))
            width += size
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, n_out)

    def forward(self, noise, condition):
        return self.head(self.body(torch.cat([noise, condition], dim=1)))


@saved_module
class Discriminator(nn.Module):
    """Critic over packs of ``pac`` rows (PacGAN), with seeded dropout."""

    def __init__(self, n_in, hidden, pac, dropout=0.5):
        super().__init__()
        self.pac, self.dropout = pac, dropout
        sizes = [n_in * pac, *hidden]
        self.hidden = nn.ModuleList(
            nn.Linear(a, b) for a, b in itertools.pairwise(sizes)
        )
        self.head = nn.Linear(sizes[-1], 1)

    def forward(self, rows, generator=None):
        x = rows.reshape(-1, rows.shape[1] * self.pac)
        for layer in self.hidden:
            x = F.leaky_relu(layer(x), 0.2)
            if generator is not None and self.dropout:
                # the mask (0 or 1 / (1 - dropout)) is built in place: one
                # multiplication for autograd to record
                keep = torch.rand(x.shape, generator=generator, device=x.device)
                x = x * keep.ge_(self.dropout).mul_(1 / (1 - self.dropout))
        return self.head(x)


def gradient_penalty(critic, real, fake, generator, weight=10.0):
    """WGAN-GP penalty on interpolates, one mixing weight per pack."""
    pac = critic.pac
    alpha = torch.rand(
        (len(real) // pac, 1, 1), generator=generator, device=real.device
    )
    alpha = alpha.expand(-1, pac, real.shape[1]).reshape(real.shape)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grads,) = torch.autograd.grad(
        critic(mixed, generator).sum(), mixed, create_graph=True
    )
    norms = grads.reshape(-1, pac * real.shape[1]).norm(2, dim=1)
    return weight * ((norms - 1) ** 2).mean()


def condition_loss(raw, layout_index, span, category):
    """Cross-entropy of the generator's logits for the conditioned span.

    ``layout_index`` is a (n_spans, max_width) column index with -1 padding;
    rows of category -100 (unconditioned) do not count.
    """
    if layout_index.numel() == 0:
        return raw.new_zeros(())
    index = layout_index[span]  # (batch, max_width)
    logits = raw.gather(1, index.clamp_min(0)).masked_fill(index < 0, float("-inf"))
    total = F.cross_entropy(logits, category, reduction="sum")
    return total / (category >= 0).sum().clamp_min(1)


@dataclass(frozen=True)
class GANTraining:
    """How a :class:`GANTrainer` trains: the ``GANSynthesizer`` parameters of
    the same names (``batch_size`` at most the training rows)."""

    embedding_dim: int
    batch_size: int
    discriminator_steps: int
    generator_lr: float
    generator_decay: float
    discriminator_lr: float
    discriminator_decay: float
    ema_decay: float
    unconditional_fraction: float


class GANTrainer:
    """One conditional WGAN-GP: the modules, optimizers and epoch loop.

    With an ``average`` module (a copy of ``generator``), its weights follow
    an exponential moving average of the trained generator's after every
    generator step (decay ``training.ema_decay``, see
    :class:`~skl_synth._nn.averaging.WeightAverage`). The average is
    what samples; ``prepare_sampling`` gives it batch-norm statistics of its
    own activations (the trained generator's running statistics describe
    other weights: measured, 0.77 -> 0.80 held-out score after 60 s on the
    speed benchmark's narrow table).
    """

    def __init__(
        self,
        generator,
        critic,
        layout,
        sampler,
        condition_index,
        training,
        rng,
        average=None,
    ):
        self.generator, self.critic = generator, critic
        self.average = average
        self._averaging = None
        if average is not None:
            self._averaging = WeightAverage(generator, average, training.ema_decay)
        self.layout, self.sampler = layout, sampler
        self.condition_index = condition_index
        self.training, self.rng = training, rng
        self.opt_g = torch.optim.Adam(
            generator.parameters(),
            lr=training.generator_lr,
            betas=(0.5, 0.9),
            weight_decay=training.generator_decay,
            foreach=True,
        )
        self.opt_d = torch.optim.Adam(
            critic.parameters(),
            lr=training.discriminator_lr,
            betas=(0.5, 0.9),
            weight_decay=training.discriminator_decay,
            foreach=True,
        )

    def _noise(self, n):
        dev = next(self.generator.parameters()).device
        return torch.randn(
            (n, self.training.embedding_dim), generator=self.rng, device=dev
        )

    def _discriminator_step(self, data, batch):
        condition, _, _, rows = self.sampler.sample_training(
            batch, self.rng, self.training.unconditional_fraction
        )
        with torch.no_grad():
            raw = self.generator(self._noise(batch), condition)
        fake = self.layout.activate(raw, generator=self.rng)
        real = torch.cat([data[rows], condition], dim=1)
        fake = torch.cat([fake, condition], dim=1)
        loss = self.critic(fake, self.rng).mean() - self.critic(real, self.rng).mean()
        penalty = gradient_penalty(self.critic, real, fake, self.rng)
        self.opt_d.zero_grad(set_to_none=True)
        (loss + penalty).backward()
        self.opt_d.step()
        return loss.detach()

    def _generator_step(self, batch):
        condition, span, category, _ = self.sampler.sample_training(
            batch, self.rng, self.training.unconditional_fraction
        )
        raw = self.generator(self._noise(batch), condition)
        fake = self.layout.activate(raw, generator=self.rng)
        score = self.critic(torch.cat([fake, condition], dim=1), self.rng).mean()
        loss = -score + condition_loss(raw, self.condition_index, span, category)
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        if self._averaging is not None:
            self._averaging.update()
        return loss.detach()

    @torch.no_grad()
    def prepare_sampling(self, n_batches=10):
        """Batch-norm statistics of the average, over ``n_batches`` batches.

        The conditions are drawn as in training (by log-frequency, and the
        empty condition for ``training.unconditional_fraction`` of the rows): the
        calibrated weights that sample later are found for these statistics.
        Nothing to do without an average.
        """
        if self.average is None:
            return
        norms = [m for m in self.average.modules() if isinstance(m, nn.BatchNorm1d)]
        momenta = [norm.momentum for norm in norms]
        for norm in norms:
            norm.reset_running_stats()
            norm.momentum = None  # a cumulative average over the batches
        self.average.train()
        batch = self.training.batch_size
        for _ in range(n_batches):
            condition, *_ = self.sampler.sample_training(
                batch, self.rng, self.training.unconditional_fraction
            )
            self.average(self._noise(batch), condition)
        for norm, momentum in zip(norms, momenta, strict=True):
            norm.momentum = momentum

    def train_epoch(self, data):
        """One epoch: ``len(data) // batch_size`` generator steps (at least
        one), at most :data:`~skl_synth._nn.batches.MAX_EPOCH_STEPS` (an
        equal part of that many; see :func:`~skl_synth._nn.batches.epoch_steps`)."""
        self.generator.train()
        batch = self.training.batch_size
        steps = epoch_steps(max(1, len(data) // batch))
        loss_d = loss_g = data.new_zeros(())
        for _ in range(steps):
            for _ in range(self.training.discriminator_steps):
                loss_d = (
                    loss_d
                    + self._discriminator_step(data, batch)
                    / self.training.discriminator_steps
                )
            loss_g = loss_g + self._generator_step(batch)
        return {
            "generator_loss": float(loss_g) / steps,
            "discriminator_loss": float(loss_d) / steps,
        }


@torch.no_grad()
def generate(generator, layout, condition, rng, n_noise):
    """Encoded rows (hard one-hot groups) for the given condition vectors."""
    generator.eval()
    noise = torch.randn(
        (len(condition), n_noise), generator=rng, device=condition.device
    )
    return layout.activate(generator(noise, condition), generator=rng, hard=True)
