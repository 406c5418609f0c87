"""Index tensors for span-wise operations on encoded rows.

Spans are grouped by kind and width so that an activation or a loss over the
whole layout is a handful of vectorized calls, whatever the number of columns.
"""

from __future__ import annotations

import torch

_EPS = 1e-10


class OutputLayout:
    """Span-wise activations and losses for one encoded layout.

    Everything is dense over the ``(batch, width)`` matrix: per-span sums are
    one matrix product with a (width, n_spans) membership matrix, and the
    per-span maximum that keeps the exponentials finite is taken without
    gradient (a softmax does not depend on it). No gather or scatter with a
    backward pass, whatever the number and widths of the spans.

    Parameters
    ----------
    spans : sequence of Span
        The encoder's ``layout_``.
    device : torch.device
        Where the index tensors live.
    """

    def __init__(self, spans, device):
        self.width = spans[-1].stop if spans else 0
        onehot = [s for s in spans if s.kind == "onehot"]
        self.bounded = _columns(
            [s for s in spans if s.kind == "scalar" and s.bounded], device
        )
        self.unbounded = _columns(
            [s for s in spans if s.kind == "scalar" and not s.bounded], device
        )
        self.scalar_mask = torch.zeros(self.width, dtype=torch.bool, device=device)
        self.scalar_mask[torch.cat([self.bounded, self.unbounded])] = True
        self.bounded_mask = torch.zeros_like(self.scalar_mask)
        self.bounded_mask[self.bounded] = True
        self.onehot_mask = ~self.scalar_mask
        self.scalar_columns = torch.cat([self.bounded, self.unbounded]).sort().values
        self.bounded_of_scalars = self.bounded_mask[self.scalar_columns]
        self.n_bounded = len(self.bounded)
        self.membership = torch.zeros((self.width, len(onehot)), device=device)
        for j, span in enumerate(onehot):
            self.membership[span.start : span.stop, j] = 1.0
        # padded (n_spans, max_width) view of the one-hot spans, for argmax
        max_width = max((s.width for s in onehot), default=0)
        slot = torch.arange(max_width, device=device)
        starts = torch.tensor(
            [s.start for s in onehot], dtype=torch.long, device=device
        )
        widths = torch.tensor(
            [s.width for s in onehot], dtype=torch.long, device=device
        )
        self.valid = slot[None, :] < widths[:, None]
        self.index = torch.where(self.valid, starts[:, None] + slot[None, :], 0)
        # span of each encoded column; scalars go to an extra, discarded span
        self.span_of_column = self.membership.argmax(1)
        self.span_of_column[self.scalar_mask] = len(onehot)

    def labels(self, rows):
        """The slot set in each one-hot span of encoded rows: (batch, n_spans)."""
        return self._padded(rows).argmax(-1)

    def activate(self, raw, *, tau=0.2, generator=None, hard=False):
        """tanh on bounded scalars, identity on others, Gumbel-softmax per span.

        Without a ``generator`` the one-hot spans get a plain softmax.
        """
        if self.n_bounded == len(self.scalar_columns):
            scalars = torch.tanh(raw)
        else:
            scalars = torch.where(self.bounded_mask, torch.tanh(raw), raw)
        if not self.membership.shape[1]:
            return scalars
        logits = (
            raw if generator is None else raw + gumbel_noise(raw.shape, generator, raw)
        )
        if hard:
            slots = self._padded(logits).argmax(-1)  # (batch, n_spans)
            chosen = self.index.gather(1, slots.T).T  # encoded column per span
            probs = torch.zeros_like(raw).scatter_(1, chosen, 1.0)
        else:
            probs = self._span_softmax(logits / tau)
        return torch.where(self.onehot_mask, probs, scalars)

    def reconstruction_loss(self, raw, target, log_sigma):
        """Summed span-wise negative log-likelihood (the TVAE loss).

        Scalars: Gaussian with learned ``sigma`` around ``tanh(raw)`` (bounded)
        or ``raw`` (unbounded); one-hot spans: cross-entropy against the
        one-hot ``target``. The scalar part works on the scalar columns only
        (a few of the encoded width).
        """
        columns = self.scalar_columns
        mean = raw[:, columns]
        if self.n_bounded == len(columns):
            mean = torch.tanh(mean)
        elif self.n_bounded:
            mean = torch.where(self.bounded_of_scalars, torch.tanh(mean), mean)
        scale = log_sigma[columns]
        loss = (((target[:, columns] - mean) / scale.exp()) ** 2).sum() / 2
        loss = loss + scale.sum() * len(raw)
        if self.membership.shape[1]:
            with torch.no_grad():
                chosen = target * self.onehot_mask  # the target's one-hot slots
            loss = loss + self._span_log_sum_exp(raw).sum() - (raw * chosen).sum()
        return loss

    def _padded(self, values):
        return values[:, self.index].masked_fill(~self.valid, float("-inf"))

    def _span_max(self, values):
        """Per-span maximum (batch, n_spans), by one scatter over the row."""
        with torch.no_grad():
            n_spans = self.membership.shape[1]
            peak = values.new_full((len(values), n_spans + 1), float("-inf"))
            index = self.span_of_column.expand(len(values), -1)
            return peak.scatter_reduce_(1, index, values, "amax")[:, :n_spans]

    def _shifted_exp(self, values):
        peak = self._span_max(values)
        shifted = values - peak @ self.membership.T
        return torch.exp(torch.where(self.onehot_mask, shifted, float("-inf"))), peak

    def _span_softmax(self, values):
        numerator, _ = self._shifted_exp(values)
        denominator = (numerator @ self.membership) @ self.membership.T
        return numerator / denominator.clamp_min(1e-30)  # 0 on scalar columns

    def _span_log_sum_exp(self, values):
        numerator, peak = self._shifted_exp(values)
        return torch.log(numerator @ self.membership) + peak


def gumbel_noise(shape, generator, like):
    """Standard Gumbel noise drawn from ``generator`` (not the global RNG)."""
    u = torch.rand(shape, generator=generator, device=like.device, dtype=like.dtype)
    return -torch.log(-torch.log(u + _EPS) + _EPS)


def _columns(spans, device):
    """The encoded columns of ``spans``, as a long tensor."""
    columns = [i for s in spans for i in range(s.start, s.stop)]
    return torch.tensor(columns, dtype=torch.long, device=device)
