"""Shuffled batches of the training rows, in epochs of bounded length."""

from __future__ import annotations

import math

import torch

#: Optimizer steps of one epoch at most: a pass over a table of more batches
#: is cut into epochs of equal parts, so that early stopping scores, time
#: limits and progress come at the same pace on any table size.
MAX_EPOCH_STEPS = 200


def epoch_steps(pass_steps):
    """Steps of one epoch when a pass over the rows makes ``pass_steps``.

    A pass of at most :data:`MAX_EPOCH_STEPS` steps is one epoch; a longer
    one is cut into the fewest equal epochs that keep under it.

    Examples
    --------
    >>> epoch_steps(150), epoch_steps(2_000), epoch_steps(201)
    (150, 200, 101)
    """
    parts = math.ceil(pass_steps / MAX_EPOCH_STEPS)
    return math.ceil(pass_steps / parts)


class ShuffledBatches:
    """Epochs of shuffled batches: one pass, or an equal part of one.

    Each pass permutes the rows with ``rng`` and cuts them into batches of
    ``batch_size`` (the last may be smaller). A pass of at most
    :data:`MAX_EPOCH_STEPS` batches is one epoch; a longer one is cut into
    epochs of :func:`epoch_steps` batches, the next epoch going on where the
    last stopped, so that each row is still seen once per pass.

    Parameters
    ----------
    n_rows : int
        Rows of the table.
    batch_size : int
        Rows per batch.
    rng : torch.Generator
        Draws the permutations.

    Examples
    --------
    >>> import torch
    >>> data = torch.arange(10.0)[:, None]
    >>> batches = ShuffledBatches(10, 4, torch.Generator().manual_seed(0))
    >>> batches.epoch(lambda index: data[index].sum())  # 45 / 3 batches
    15.0
    """

    def __init__(self, n_rows, batch_size, rng):
        self.n_rows, self.batch_size, self.rng = n_rows, batch_size, rng
        pass_steps = math.ceil(n_rows / batch_size)
        self.steps = epoch_steps(pass_steps)
        self._starts = range(0, n_rows, batch_size)
        self._order, self._next = None, len(self._starts)

    def epoch(self, step):
        """Mean of ``step(index)`` over the batches of the next epoch.

        ``step`` takes a batch's row indices (on the generator's device)
        and returns its loss as a 0-d tensor, kept on the device until the
        end so that the epoch does not wait on each step.
        """
        if self._next >= len(self._starts):
            self._order = torch.randperm(
                self.n_rows, generator=self.rng, device=self.rng.device
            )
            self._next = 0
        starts = self._starts[self._next : self._next + self.steps]
        self._next += len(starts)
        total = None
        for start in starts:
            loss = step(self._order[start : start + self.batch_size])
            total = loss if total is None else total + loss
        return float(total) / len(starts)
