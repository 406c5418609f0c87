"""Conditional VAE (TVAE with a condition vector): modules and training."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from .batches import ShuffledBatches
from .conditions import ConditionSampler
from .layout import OutputLayout
from .state import saved_module


def _mlp(n_in, hidden):
    layers, width = [], n_in
    for size in hidden:
        layers += [nn.Linear(width, size), nn.ReLU()]
        width = size
    return nn.Sequential(*layers), width


@saved_module
class Encoder(nn.Module):
    """Row and condition -> mean and log-variance of the latent code."""

    def __init__(self, n_in, n_condition, hidden, n_latent):
        super().__init__()
        self.body, width = _mlp(n_in + n_condition, hidden)
        self.mean = nn.Linear(width, n_latent)
        self.log_var = nn.Linear(width, n_latent)

    def forward(self, rows, condition):
        h = self.body(torch.cat([rows, condition], dim=1))
        return self.mean(h), self.log_var(h)


@saved_module
class Decoder(nn.Module):
    """Latent code and condition -> raw row, with a learned sigma per column."""

    def __init__(self, n_latent, n_condition, hidden, n_out):
        super().__init__()
        self.body, width = _mlp(n_latent + n_condition, hidden)
        self.head = nn.Linear(width, n_out)
        self.log_sigma = nn.Parameter(torch.empty(n_out))

    def reset_parameters_(self):
        with torch.no_grad():
            self.log_sigma.fill_(float(torch.log(torch.tensor(0.1))))

    def forward(self, latent, condition):
        return self.head(self.body(torch.cat([latent, condition], dim=1)))


@dataclass(frozen=True)
class VAETraining:
    """How a :class:`VAETrainer` trains: the ``VAESynthesizer`` parameters of
    the same names."""

    batch_size: int
    learning_rate: float
    weight_decay: float
    loss_factor: float


class VAETrainer:
    """Training and sampling of one conditional VAE."""

    SIGMA_RANGE = (0.01, 1.0)
    LOG_SIGMA_RANGE = tuple(math.log(s) for s in SIGMA_RANGE)

    def __init__(self, encoder, decoder, layout, sampler, training, rng):
        self.encoder, self.decoder = encoder, decoder
        self.layout, self.sampler = layout, sampler
        self.training, self.rng = training, rng
        self._batches = None  # the epochs of shuffled batches, on first use
        params = [*encoder.parameters(), *decoder.parameters()]
        self.optimizer = torch.optim.Adam(
            params,
            lr=training.learning_rate,
            weight_decay=training.weight_decay,
            foreach=True,
        )

    def _step(self, rows, condition):
        mean, log_var = self.encoder(rows, condition)
        eps = torch.randn(mean.shape, generator=self.rng, device=mean.device)
        latent = mean + eps * torch.exp(0.5 * log_var)
        raw = self.decoder(latent, condition)
        reconstruction = self.layout.reconstruction_loss(
            raw, rows, self.decoder.log_sigma
        )
        kl = -0.5 * torch.sum(1 + log_var - mean**2 - log_var.exp())
        loss = (self.training.loss_factor * reconstruction + kl) / len(rows)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        with torch.no_grad():
            self.decoder.log_sigma.clamp_(*self.LOG_SIGMA_RANGE)
        return loss.detach()

    def train_epoch(self, data):
        """One epoch of shuffled batches of ``batch_size`` rows (see
        :class:`~skl_synth._nn.batches.ShuffledBatches`)."""
        self.encoder.train()
        self.decoder.train()

        def step(index):
            return self._step(data[index], self.sampler.from_rows(index, self.rng))

        if self._batches is None:
            self._batches = ShuffledBatches(
                len(data), self.training.batch_size, self.rng
            )
        loss = self._batches.epoch(step)
        return {"loss": loss}

    def prepare_sampling(self):
        """Nothing to prepare: the decoder samples as trained."""


@torch.no_grad()
def decode(decoder, layout, condition, rng, n_latent):
    """Decoded rows: scalars with their learned noise, sampled one-hot groups.

    Each one-hot group is drawn from the decoder's softmax (Gumbel-max), the
    categorical distribution the reconstruction loss fits, not set to its
    most probable slot: TVAE's argmax never picks a category whose
    probability stays below the others', so rare categories and missing
    values vanished (a 1.8% category: 0 of 20 000 rows).
    """
    decoder.eval()
    latent = torch.randn(
        (len(condition), n_latent), generator=rng, device=condition.device
    )
    rows = layout.activate(decoder(latent, condition), hard=True, generator=rng)
    noise = torch.randn(rows.shape, generator=rng, device=rows.device)
    rows = torch.where(layout.scalar_mask, rows + noise * decoder.log_sigma.exp(), rows)
    return rows


@torch.no_grad()
def latent_neighbours(latent, k, chunk=2048):
    """Indices of each code's ``k`` nearest other codes (Euclidean), by chunks."""
    out = []
    for start in range(0, len(latent), chunk):
        distances = torch.cdist(latent[start : start + chunk], latent)
        rows = torch.arange(len(distances), device=latent.device)
        distances[rows, rows + start] = torch.inf  # not its own neighbour
        out.append(distances.topk(k, largest=False).indices)
    return torch.cat(out)


@torch.no_grad()
def interpolate(encoder, decoder, layout, data, condition, n_samples, k, rng):
    """Rows between neighbouring real rows, bent by the VAE's latent space.

    SMOTE where the geometry is the VAE's: each real row (``data``,
    encoded, with its ``condition``) is mapped to its latent mean; a new row
    takes a random anchor, one of its ``k`` nearest codes and a uniform
    ``gap``. Its scalars are the point at ``gap`` on the segment between the
    two real rows plus the bend the decoder puts there: the decoded code at
    ``gap`` minus the same interpolation of the two decoded end codes. So
    the new row equals a real row at either end and follows the decoder's
    curve in between, and it keeps the real rows' spread (decoded means
    alone fall back towards the class's centre: less than half the real
    spread on yeast5). One-hot groups are sampled from the decoder's
    softmax at ``gap``, under the anchor's condition. Returns the hard
    rows and their conditions.
    """
    encoder.eval()
    decoder.eval()
    latent, _ = encoder(data, condition)
    neighbours = latent_neighbours(latent, k)
    device = latent.device
    anchor = torch.randint(len(latent), (n_samples,), generator=rng, device=device)
    pick = torch.randint(k, (n_samples,), generator=rng, device=device)
    partner = neighbours[anchor, pick]
    gap = torch.rand((n_samples, 1), generator=rng, device=device)
    codes = latent[anchor] + gap * (latent[partner] - latent[anchor])
    chosen = condition[anchor]
    rows = layout.activate(decoder(codes, chosen), hard=True, generator=rng)
    # only the ends' scalars are used: no sampling of their one-hot groups
    ends = [
        layout.activate(decoder(latent[i], chosen), hard=True)
        for i in (anchor, partner)
    ]
    line = data[anchor] + gap * (data[partner] - data[anchor])
    bend = rows - (ends[0] + gap * (ends[1] - ends[0]))
    rows = torch.where(layout.scalar_mask, line + bend, rows)
    rows = torch.where(layout.bounded_mask, rows.clamp(-1, 1), rows)
    return rows, chosen


def interpolate_encoded(
    encoder,
    decoder,
    layout_spans,
    rows,
    guide,
    spans,
    space,
    columns,
    *,
    n_samples,
    k,
    seed,
    device,
):
    """:func:`interpolate` from encoded numpy ``rows``, to float32 numpy rows.

    Each row is encoded under the condition of flat index ``guide`` when
    every row has one, else under its own value in a random condition span,
    as in training; the generated rows take their segment's condition.
    """
    rng = torch.Generator(device=device).manual_seed(int(seed))
    layout = OutputLayout(layout_spans, device)
    data = torch.as_tensor(rows, dtype=torch.float32, device=device)
    if (guide >= 0).all():
        condition = space.vectors(torch.as_tensor(guide, device=device))
    else:
        index = torch.arange(len(rows), device=device)
        condition = ConditionSampler(data, spans).from_rows(index, rng)
    out, chosen = interpolate(
        encoder, decoder, layout, data, condition, n_samples, k, rng
    )
    return space.enforce(out, chosen, columns).cpu().numpy()
