"""Index tensors for span-wise operations on encoded rows.

Spans are grouped by kind and width so that an activation or a loss over the
whole layout is a handful of vectorized calls, whatever the number of columns.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

_EPS = 1e-10


class OutputLayout:
    """Span-wise activations and losses for one encoded layout.

    Parameters
    ----------
    spans : sequence of Span
        The encoder's ``layout_``.
    device : torch.device
        Where the index tensors live.
    """

    def __init__(self, spans, device):
        self.width = spans[-1].stop if spans else 0
        as_index = _index_factory(device)
        self.bounded = as_index(
            [
                i
                for s in spans
                if s.kind == "scalar" and s.bounded
                for i in range(s.start, s.stop)
            ]
        )
        self.unbounded = as_index(
            [
                i
                for s in spans
                if s.kind == "scalar" and not s.bounded
                for i in range(s.start, s.stop)
            ]
        )
        widths = sorted({s.width for s in spans if s.kind == "onehot"})
        # width -> (n_spans, width) column indices of every one-hot group of that width
        self.onehot = {
            w: as_index(
                [
                    list(range(s.start, s.stop))
                    for s in spans
                    if s.kind == "onehot" and s.width == w
                ]
            )
            for w in widths
        }
        order = torch.cat(
            [
                self.bounded,
                self.unbounded,
                *(idx.reshape(-1) for idx in self.onehot.values()),
            ]
        )
        self._inverse_order = torch.empty_like(order)
        self._inverse_order[order] = torch.arange(len(order), device=device)

    def activate(self, raw, *, tau=0.2, generator=None, hard=False):
        """tanh on bounded scalars, identity on others, Gumbel-softmax per group.

        Without a ``generator`` the one-hot groups get a plain softmax.
        """
        parts = [torch.tanh(raw[:, self.bounded]), raw[:, self.unbounded]]
        for idx in self.onehot.values():
            logits = raw[:, idx]  # (batch, n_spans, width)
            if generator is not None:
                logits = logits + gumbel_noise(logits.shape, generator, logits)
            probs = F.softmax(logits / tau, dim=-1)
            if hard:
                probs = F.one_hot(probs.argmax(-1), probs.shape[-1]).to(probs.dtype)
            parts.append(probs.reshape(len(raw), -1))
        return torch.cat(parts, dim=1)[:, self._inverse_order]

    def reconstruction_loss(self, raw, target, log_sigma):
        """Summed span-wise negative log-likelihood (the TVAE loss).

        Scalars: Gaussian with learned ``sigma`` around ``tanh(raw)`` (bounded)
        or ``raw`` (unbounded); one-hot groups: cross-entropy.
        """
        loss = raw.new_zeros(())
        for idx, squash in ((self.bounded, True), (self.unbounded, False)):
            if len(idx):
                mean = torch.tanh(raw[:, idx]) if squash else raw[:, idx]
                sigma = log_sigma[idx].exp()
                loss = loss + (((target[:, idx] - mean) / sigma) ** 2 / 2).sum()
                loss = loss + log_sigma[idx].sum() * len(raw)
        for width, idx in self.onehot.items():
            logits = raw[:, idx].reshape(-1, width)
            labels = target[:, idx].reshape(-1, width).argmax(-1)
            loss = loss + F.cross_entropy(logits, labels, reduction="sum")
        return loss


def gumbel_noise(shape, generator, like):
    """Standard Gumbel noise drawn from ``generator`` (not the global RNG)."""
    u = torch.rand(shape, generator=generator, device=like.device, dtype=like.dtype)
    return -torch.log(-torch.log(u + _EPS) + _EPS)


def _index_factory(device):
    def as_index(values):
        return torch.as_tensor(values, dtype=torch.long, device=device).reshape(
            (len(values), -1) if values and isinstance(values[0], list) else (-1,)
        )

    return as_index
