"""One pass over the training rows in shuffled batches."""

from __future__ import annotations

import torch


def shuffled_pass(data, batch_size, rng, step):
    """Mean of ``step(index)`` over the rows of ``data`` in shuffled batches.

    The rows are permuted with ``rng`` and cut into batches of
    ``batch_size`` (the last may be smaller); ``step`` takes a batch's row
    indices and returns its loss as a 0-d tensor, kept on the device until
    the end so that the pass does not wait on each step.

    Examples
    --------
    >>> import torch
    >>> data = torch.arange(10.0)[:, None]
    >>> rng = torch.Generator().manual_seed(0)
    >>> shuffled_pass(data, 4, rng, lambda index: data[index].sum())  # 45 / 3
    15.0
    """
    order = torch.randperm(len(data), generator=rng, device=data.device)
    total, steps = data.new_zeros(()), 0
    for start in range(0, len(data), batch_size):
        total = total + step(order[start : start + batch_size])
        steps += 1
    return float(total) / steps
