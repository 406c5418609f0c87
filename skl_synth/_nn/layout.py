"""Span-wise operations on encoded rows.

Masks and a span-membership matrix make an activation or a loss over the
whole layout a handful of dense, vectorized calls, whatever the number of
columns.
"""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable
from torch.nn import functional as F

_EPS = 1e-10


class OutputLayout:
    """Span-wise activations and losses for one encoded layout.

    Everything is dense over the ``(batch, width)`` matrix: per-span sums are
    one matrix product with a (width, n_spans) membership matrix. The shift
    that keeps the exponentials finite is each row's maximum over its one-hot
    columns (a softmax does not depend on it); only when a span lies so far
    below that maximum that its sum would lose float precision (or be 0) is
    the shift taken span by span (one scatter). No gather or scatter with a
    backward pass, whatever the number and widths of the spans, and the
    softmax's backward pass is written out (two small matrix products).

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
        self.bounded = span_columns(
            [s for s in spans if s.kind == "scalar" and s.bounded], device
        )
        self.unbounded = span_columns(
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
        # float masks: activations are sums of masked terms, not where()
        self.bounded_weight = self.bounded_mask.float()
        self.unbounded_weight = (self.scalar_mask & ~self.bounded_mask).float()
        self.scalar_weight = self.scalar_mask.float()
        self.onehot_floor = torch.where(self.onehot_mask, 0.0, -torch.inf)
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
        self.span_of_column = torch.full(
            (self.width,), len(onehot), dtype=torch.long, device=device
        )
        if onehot:
            self.span_of_column[~self.scalar_mask] = self.membership.argmax(1)[
                ~self.scalar_mask
            ]

    def labels(self, rows):
        """The slot set in each one-hot span of encoded rows: (batch, n_spans)."""
        return self._padded(rows).argmax(-1)

    def activate(self, raw, *, tau=0.2, generator=None, hard=False):
        """tanh on bounded scalars, identity on others, Gumbel-softmax per span.

        Without a ``generator`` the one-hot spans get a plain softmax. The soft
        activation is one autograd node whose backward pass is written out.
        """
        noise = None
        if generator is not None and self.membership.shape[1]:
            noise = gumbel_noise(raw.shape, generator, raw)
        if self.membership.shape[1] and not hard:
            return _SoftActivation.apply(raw, noise, self, tau)
        if self.n_bounded == len(self.scalar_columns):
            scalars = torch.tanh(raw)
        else:
            scalars = torch.where(self.bounded_mask, torch.tanh(raw), raw)
        if not self.membership.shape[1]:
            return scalars
        logits = raw if noise is None else raw + noise
        slots = self._padded(logits).argmax(-1)  # (batch, n_spans)
        chosen = self.index.gather(1, slots.T).T  # encoded column per span
        probs = torch.zeros_like(raw).scatter_(1, chosen, 1.0)
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

    def span_softmax(self, raw, *, per_span=False):
        """Softmax of ``raw`` within each one-hot span; 0 on scalar columns.

        ``per_span=True`` shifts each span by its own maximum at once, for
        logits whose spans lie far apart (see :meth:`_span_exp`).
        """
        numerator, sums, _ = self._span_exp(raw, per_span=per_span)
        return numerator / (sums @ self.membership.T + self.scalar_weight)

    def denoising_loss(self, raw, noise, target):
        """The diffusion model's loss: noise MSE plus clean-slot cross-entropy.

        ``raw`` holds, on scalar columns, the noise predicted for them (their
        squared error against ``noise``, averaged over the scalar columns)
        and, on one-hot columns, the logits of the clean slot (the
        cross-entropy against the one-hot ``target``, averaged over the
        spans). The two averages are summed, as TabDDPM sums its Gaussian
        and multinomial losses, and averaged over the rows.
        """
        loss = raw.new_zeros(())
        columns = self.scalar_columns
        n_spans = self.membership.shape[1]
        if len(columns):
            loss = loss + F.mse_loss(raw[:, columns], noise[:, columns])
        if n_spans:
            # the target slot's logit per span, subtracted from the shift
            # first: both are about 1e5 at the first timesteps
            chosen = (raw * (target * self.onehot_mask)) @ self.membership
            _, sums, shift = self._span_exp(raw, per_span=True)
            cross_entropy = (torch.log(sums) + (shift - chosen)).sum()
            loss = loss + cross_entropy / (len(raw) * n_spans)
        return loss

    def _padded(self, values):
        return values[:, self.index].masked_fill(~self.valid, float("-inf"))

    def _span_max(self, values):
        """Per-span maximum (batch, n_spans), by one scatter over the row."""
        n_spans = self.membership.shape[1]
        peak = values.new_full((len(values), n_spans + 1), float("-inf"))
        index = self.span_of_column.expand(len(values), -1)
        return peak.scatter_reduce_(1, index, values, "amax")[:, :n_spans]

    def _span_exp(self, values, per_span=False):
        """Shifted exponentials of the one-hot columns and their span sums.

        Returns ``exp(values - shift)`` (0 on scalar columns), its sum over
        each span (batch, n_spans) and the shift, which broadcasts against
        the sums: each row's maximum over its one-hot columns, (batch, 1),
        or, when that leaves a span's sum too small to keep float precision,
        each span's maximum (at once with ``per_span``).
        """
        masked = values + self.onehot_floor  # -inf on scalar columns
        if not per_span:
            with torch.no_grad():
                shift = masked.amax(1, keepdim=True)
            numerator = torch.exp(masked - shift)
            sums = numerator @ self.membership
            # far below the row's maximum, a span's exponentials are subnormal
            # (few significant bits) or zero: shift span by span (also when
            # NaN came in)
            if bool((sums >= torch.finfo(sums.dtype).tiny * 2**24).all()):
                return numerator, sums, shift
        with torch.no_grad():
            shift = self._span_max(values)
        numerator = torch.exp(masked - shift @ self.membership.T)
        return numerator, numerator @ self.membership, shift

    def _span_log_sum_exp(self, values):
        _, sums, shift = self._span_exp(values)
        return torch.log(sums) + shift


class _SoftActivation(torch.autograd.Function):
    """tanh / identity on scalars, (Gumbel-)softmax within each one-hot span.

    ``forward(raw, noise, layout, tau)``: the softmax is of
    ``(raw + noise) / tau``. The backward pass is written out: the softmax's
    ``p * (g - sum_span(g * p)) / tau`` (two products with the membership
    matrix) plus ``g * (1 - tanh(raw) ** 2)`` on bounded scalars and ``g`` on
    the others. One node instead of autograd's walk back through a dozen
    elementwise operations: on a 500 x 145 batch (the speed benchmark's
    16-column table) forward + backward went from 1.85 to 1.31 ms.
    """

    @staticmethod
    def forward(ctx, raw, noise, layout, tau):
        logits = raw if noise is None else raw + noise
        numerator, sums, _ = layout._span_exp(logits / tau)
        denominator = sums @ layout.membership.T + layout.scalar_weight
        probs = numerator / denominator  # a scalar column's numerator is 0
        scalars = torch.tanh(raw) * layout.bounded_weight
        slope = (1 - scalars * scalars) * layout.bounded_weight
        if layout.n_bounded < len(layout.scalar_columns):
            scalars = scalars + raw * layout.unbounded_weight
            slope = slope + layout.unbounded_weight
        ctx.save_for_backward(probs, slope)
        ctx.membership, ctx.tau = layout.membership, tau
        return probs + scalars

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        probs, slope = ctx.saved_tensors
        weighted = grad * probs
        spans = (weighted @ ctx.membership) @ ctx.membership.T
        return (weighted - probs * spans) / ctx.tau + grad * slope, None, None, None


def gumbel_noise(shape, generator, like):
    """Standard Gumbel noise drawn from ``generator`` (not the global RNG)."""
    u = torch.rand(shape, generator=generator, device=like.device, dtype=like.dtype)
    return -torch.log(-torch.log(u + _EPS) + _EPS)


def span_columns(spans, device):
    """The encoded columns of ``spans``, as a long tensor."""
    columns = [i for s in spans for i in range(s.start, s.stop)]
    return torch.tensor(columns, dtype=torch.long, device=device)
