"""An exponential moving average of a network's weights."""

from __future__ import annotations

import torch


class WeightAverage:
    """Moves ``average``'s weights towards ``trained``'s after every step.

    The decay is warmed up as ``min(decay, (1 + t) / (10 + t))`` after
    ``t`` updates, so that the first steps' random weights are forgotten
    quickly. Buffers are left alone (the GAN recomputes its batch-norm
    statistics for the average; the denoiser's scaling is fixed before the
    copy).

    Parameters
    ----------
    trained, average : torch.nn.Module
        Modules of the same structure; ``average`` is usually a deep copy of
        ``trained`` made before training.
    decay : float in [0, 1)
        The weight of the average at each update once warmed up.
    """

    def __init__(self, trained, average, decay):
        self.trained, self.average, self.decay = trained, average, decay
        self.n_updates = 0

    @torch.no_grad()
    def update(self):
        self.n_updates += 1
        t = self.n_updates
        decay = min(self.decay, (1 + t) / (10 + t))
        torch._foreach_lerp_(
            list(self.average.parameters()),
            list(self.trained.parameters()),
            1 - decay,
        )
