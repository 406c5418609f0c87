"""GaussianCopulaSynthesizer: a Gaussian copula over the encoded columns."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..preprocessing._codecs import NORMAL_BOUND
from ..preprocessing._conversions import codes_to_column
from ..utils._docstrings import fill_doc
from ..utils._state import persistable
from ._base import BaseSynthesizer

# Uniforms of the frequency encoding are kept this far from 0 and 1, so that
# every latent value is finite.
_U_CLIP = 1e-6
_LATENT_CLIP = (float(ndtri(_U_CLIP)), float(ndtri(1 - _U_CLIP)))
# Smallest eigenvalue kept in the latent correlation matrix (then rescaled to
# a unit diagonal): correlations of duplicated columns stay just below 1.
_EIGEN_FLOOR = 1e-6
# Variances below this (constant columns, one-slot groups) count as zero.
_ZERO_VARIANCE = 1e-12
# Gibbs sweeps over the conditioned latents when a row conditions on several
# columns (one column is drawn exactly, without sweeps).
_GIBBS_SWEEPS = 20


@persistable("estimator")
@fill_doc
class GaussianCopulaSynthesizer(BaseSynthesizer):
    """Gaussian copula over mixed-type columns: the fast, non-deep baseline.

    Every column is turned into standard-normal latent variables, one per
    block of the encoded table, and the rows of latents are modelled as a
    multivariate normal with a correlation matrix estimated from the data:

    - continuous and datetime columns get the normal scores of their
      empirical quantiles (:class:`~skl_synth.preprocessing.TabularEncoder`
      with ``continuous_encoding="quantile"``), so every marginal is
      reproduced;
    - a discrete column, and the missing-value indicator of a continuous
      column, use the frequency encoding of SDV: its values, ordered by
      decreasing training frequency, get consecutive intervals of [0, 1)
      whose widths are their frequencies; a row's latent is the normal
      quantile of a uniform draw within its value's interval.

    The latent value of a missing cell is left out of the correlations
    (they are computed on the rows where both columns are observed).
    Sampling draws latent rows from the normal and maps each latent back:
    through the quantiles for a continuous column, to the value whose
    interval holds its normal CDF for a discrete one.

    Conditions are honoured exactly and without rejection: the latent of a
    conditioned column is drawn from the normal truncated to its required
    value's interval (by inverting the CDF), and the other latents from the
    conditional normal given it, so a 1% category costs no more than a 50%
    one. A row conditioned on several columns draws their latents from the
    multivariate normal truncated to all their intervals, by Gibbs sampling
    (20 sweeps). Rows with different sets of conditioned columns are drawn
    in groups.

    The copula captures pairwise, monotone dependence in latent space, in
    one pass over the data. The uniform draws within intervals weaken the
    latent correlations of discrete columns: two indicators that always
    agree get a correlation of about 0.6, not 1 (on
    ``load_student_placements()``, "salary is missing exactly when placed
    is False" becomes "missing in 56% of the rows where placed is False").
    Such rules, and interactions, are what the deep synthesizers are
    compared on.

    Parameters
    ----------
    {discrete_columns}
    {reject_copies}
    random_state : int, RandomState instance or None, default=None
        Seeds the encoder, the latent draws of discrete columns during fit
        and the sampling. With an int, fitting the same data gives identical
        samples, and each ``sample`` call with the same arguments returns the
        same rows. numpy's global RNG is never used.

    Attributes
    ----------
    encoder_ : TabularEncoder
        The fitted table encoder (quantile encoding); one latent variable
        per span of its ``layout_``.
    correlation_ : ndarray of shape (n_spans, n_spans)
        Positive definite correlation matrix of the latent variables, in the
        order of ``encoder_.layout_``.
    slot_order_ : list of ndarray or None
        For each one-hot span, its slots by decreasing training frequency
        (``None`` for scalar spans).
    cut_points_ : list of ndarray or None
        For each one-hot span, the ``width + 1`` edges in [0, 1] of the
        intervals of the slots in ``slot_order_`` (``None`` for scalar spans).
    history_ : DataFrame
        One row: ``epoch`` (1), ``log_likelihood`` (mean Gaussian
        log-likelihood of the training latents under ``correlation_``, the
        latents of missing cells set to 0) and ``time``, the seconds spent
        fitting the copula after encoding.
    {copies_attributes}
    {features_in}

    See Also
    --------
    GANSynthesizer : A conditional GAN.
    VAESynthesizer : A conditional variational autoencoder.

    Examples
    --------
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> data = load_student_placements()
    >>> copula = GaussianCopulaSynthesizer(random_state=0).fit(data)
    >>> copula.correlation_.shape
    (19, 19)
    >>> synthetic = copula.sample(100, conditions={{"gender": "F"}})
    >>> synthetic.shape, bool((synthetic["gender"] == "F").all())
    ((100, 16), True)
    >>> list(copula.history_.columns)
    ['epoch', 'log_likelihood', 'time']
    """

    _continuous_encoding = "quantile"
    _parameter_constraints: dict = {**BaseSynthesizer._parameter_constraints}

    def __init__(
        self,
        *,
        discrete_columns=None,
        column_kinds=None,
        reject_copies=False,
        random_state=None,
    ):
        self.discrete_columns = discrete_columns
        self.column_kinds = column_kinds
        self.reject_copies = reject_copies
        self.random_state = random_state

    # ------------------------------------------------------------------
    # fit
    # ------------------------------------------------------------------

    def _fit_encoded(self, X, encoded, rng):
        start = time.perf_counter()
        layout = self.encoder_.layout_
        self.slot_order_, self.cut_points_ = [], []
        for span in layout:
            order, cuts = _frequency_intervals(span, encoded)
            self.slot_order_.append(order)
            self.cut_points_.append(cuts)
        latent = self._latent(encoded, rng)
        observed = _observed_mask(layout, encoded)
        self.correlation_ = _nearest_correlation(
            _pairwise_correlation(latent, observed)
        )
        log_likelihood = _mean_log_likelihood(
            np.where(observed, latent, 0.0), self.correlation_
        )
        self.history_ = pd.DataFrame(
            {
                "epoch": [1],
                "log_likelihood": [log_likelihood],
                "time": [time.perf_counter() - start],
            }
        )
        return self

    def _latent(self, encoded, rng):
        """One standard-normal latent column per span of the layout."""
        layout = self.encoder_.layout_
        latent = np.empty((len(encoded), len(layout)))
        for j, span in enumerate(layout):
            block = encoded[:, span.slice]
            if span.kind == "scalar":
                latent[:, j] = block[:, 0].astype(np.float64) * NORMAL_BOUND
                continue
            rank = _rank_of_slot(self.slot_order_[j])[block.argmax(axis=1)]
            low, high = self.cut_points_[j][rank], self.cut_points_[j][rank + 1]
            u = low + (high - low) * rng.uniform(size=len(encoded))
            latent[:, j] = ndtri(np.clip(u, _U_CLIP, 1 - _U_CLIP))
        return latent

    # ------------------------------------------------------------------
    # sample
    # ------------------------------------------------------------------

    def _sample_table(self, n_samples, plan, seed):
        """Latent rows decoded column by column: a discrete column from its
        slots, without the one-hot matrix (the same rows as decoding
        :meth:`_sample_encoded`, about twice as fast)."""
        latent, required = self._latent_rows(n_samples, plan, seed)
        rng = np.random.RandomState(seed)
        columns, j = [], 0
        for codec in self.encoder_.column_codecs_:
            spans = self.encoder_.layout_[j : j + len(codec.parts(""))]
            if codec.schema.is_discrete:
                (span,) = spans
                slots = self._slots(j, span, latent, required)
                codes = codec.codec_.from_slots(slots, rng)
                columns.append(codes_to_column(codes, codec.schema))
            else:
                first = spans[0].start if spans else 0
                width = sum(s.width for s in spans)
                block = np.zeros((n_samples, width), dtype=np.float32)
                for k, span in enumerate(spans, start=j):
                    self._write_span(
                        block, span, span.start - first, k, latent, required
                    )
                columns.append(codec.inverse(block, rng))
            j += len(spans)
        return plan.enforce(self.encoder_.assemble(columns))

    def _sample_encoded(self, n_samples, plan, seed):
        return self._decode_latent(*self._latent_rows(n_samples, plan, seed))

    def _latent_rows(self, n_samples, plan, seed):
        """Latent rows for ``plan`` and the slot each row must take per span."""
        rng = np.random.RandomState(seed)
        layout = self.encoder_.layout_
        index = {
            span.column: j for j, span in enumerate(layout) if span.role == "category"
        }
        columns = list(plan.slots)
        spans = np.array([index[c] for c in columns], dtype=np.int64)
        required = np.full((n_samples, len(layout)), -1, dtype=np.int64)
        for column, j in zip(columns, spans, strict=True):
            required[:, j] = plan.slots[column]
        patterns, group = np.unique(
            required[:, spans] >= 0, axis=0, return_inverse=True
        )
        latent = np.empty((n_samples, len(layout)))
        for g, pattern in enumerate(patterns):
            rows = np.flatnonzero(group.ravel() == g)
            latent[rows] = self._draw_latent(required[rows], spans[pattern], rng)
        return latent, required

    def _draw_latent(self, required, conditioned, rng):
        """Latent rows, with the ``conditioned`` spans in their required slots."""
        n_rows, n_spans = required.shape
        correlation = self.correlation_
        if conditioned.size == 0:
            noise = rng.standard_normal((n_rows, n_spans))
            return noise @ _psd_factor(correlation).T
        free = np.setdiff1d(np.arange(n_spans), conditioned)
        low, high = self._latent_bounds(required, conditioned)
        fixed = _truncated_gibbs(
            correlation[np.ix_(conditioned, conditioned)], low, high, rng
        )
        latent = np.empty((n_rows, n_spans))
        latent[:, conditioned] = fixed
        if free.size:
            sigma_cc = correlation[np.ix_(conditioned, conditioned)]
            sigma_cf = correlation[np.ix_(conditioned, free)]
            weights = np.linalg.solve(sigma_cc, sigma_cf)
            covariance = correlation[np.ix_(free, free)] - sigma_cf.T @ weights
            noise = rng.standard_normal((n_rows, free.size))
            latent[:, free] = fixed @ weights + noise @ _psd_factor(covariance).T
        return latent

    def _latent_bounds(self, required, conditioned):
        """Latent interval of each row's required slot, per conditioned span."""
        low = np.empty((len(required), conditioned.size))
        high = np.empty_like(low)
        for k, j in enumerate(conditioned):
            # clipped as in fit: empty slots get a finite (empty) interval
            cuts = ndtri(np.clip(self.cut_points_[j], _U_CLIP, 1 - _U_CLIP))
            rank = _rank_of_slot(self.slot_order_[j])[required[:, j]]
            low[:, k], high[:, k] = cuts[rank], cuts[rank + 1]
        return low, high

    def _decode_latent(self, latent, required):
        """Encoded rows from latent rows; required slots are written as given."""
        layout = self.encoder_.layout_
        width = sum(span.width for span in layout)
        encoded = np.zeros((len(latent), width), dtype=np.float32)
        for j, span in enumerate(layout):
            self._write_span(encoded, span, span.start, j, latent, required)
        return encoded

    def _write_span(self, out, span, start, j, latent, required):
        """Span ``j`` of the latent rows into ``out``'s columns from ``start``."""
        if span.kind == "scalar":
            out[:, start] = np.clip(latent[:, j] / NORMAL_BOUND, -1, 1)
        else:
            slots = self._slots(j, span, latent, required)
            out[np.arange(len(latent)), start + slots] = 1.0

    def _slots(self, j, span, latent, required):
        """The one-hot slot of span ``j`` in each latent row."""
        # the cut points on the latent scale: no normal CDF of every row
        cuts = ndtri(np.clip(self.cut_points_[j][1:-1], _U_CLIP, 1 - _U_CLIP))
        z = np.clip(latent[:, j], _LATENT_CLIP[0], _LATENT_CLIP[1])
        rank = np.searchsorted(cuts, z, side="right")
        return np.where(required[:, j] >= 0, required[:, j], self.slot_order_[j][rank])


# --------------------------------------------------------------------------
# the latent model, as plain functions
# --------------------------------------------------------------------------


def _frequency_intervals(span, encoded):
    """Slots by decreasing frequency and the edges of their intervals."""
    if span.kind == "scalar":
        return None, None
    block = encoded[:, span.slice]
    counts = np.bincount(block.argmax(axis=1), minlength=span.width)
    order = np.argsort(-counts, kind="stable")
    cuts = np.concatenate([[0.0], np.cumsum(counts[order]) / counts.sum()])
    cuts[-1] = 1.0
    return order, cuts


def _rank_of_slot(order):
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank


def _observed_mask(layout, encoded):
    """False where a value span's column is missing in that row."""
    observed = np.ones((len(encoded), len(layout)), dtype=bool)
    missing = {s.column: s for s in layout if s.role == "missing"}
    for j, span in enumerate(layout):
        if span.role == "value" and span.column in missing:
            observed[:, j] = encoded[:, missing[span.column].start + 1] < 0.5
    return observed


def _pairwise_correlation(latent, observed):
    """Pearson correlations over the rows where both columns are observed.

    Pairs with fewer than two such rows, or a constant column on them, get a
    correlation of 0; the diagonal is 1.
    """
    mask = observed.astype(np.float64)
    values = np.where(observed, latent, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        count = mask.T @ mask
        mean = (values.T @ mask) / count  # mean[i, j]: column i on rows i & j
        second = ((values**2).T @ mask) / count
        variance = second - mean**2
        covariance = (values.T @ values) / count - mean * mean.T
        correlation = covariance / np.sqrt(variance * variance.T)
    valid = (count >= 2) & (variance > _ZERO_VARIANCE) & (variance.T > _ZERO_VARIANCE)
    correlation = np.where(valid, correlation, 0.0)
    np.fill_diagonal(correlation, 1.0)
    return correlation


def _nearest_correlation(correlation):
    """A positive definite correlation matrix close to ``correlation``.

    Eigenvalues are raised to at least :data:`_EIGEN_FLOOR` and the result is
    rescaled to a unit diagonal (pairwise estimates need not be positive
    semi-definite).
    """
    symmetric = np.clip((correlation + correlation.T) / 2, -1.0, 1.0)
    eigenvalues, eigenvectors = np.linalg.eigh(symmetric)
    repaired = (eigenvectors * np.maximum(eigenvalues, _EIGEN_FLOOR)) @ eigenvectors.T
    scale = np.sqrt(np.diag(repaired))
    repaired = repaired / np.outer(scale, scale)
    repaired = (repaired + repaired.T) / 2
    np.fill_diagonal(repaired, 1.0)
    return repaired


def _psd_factor(covariance):
    """``A`` with ``A @ A.T == covariance``, for a positive semi-definite matrix."""
    eigenvalues, eigenvectors = np.linalg.eigh((covariance + covariance.T) / 2)
    return eigenvectors * np.sqrt(np.maximum(eigenvalues, 0.0))


def _mean_log_likelihood(latent, correlation):
    n_dims = correlation.shape[0]
    _, log_det = np.linalg.slogdet(correlation)
    mahalanobis = np.einsum(
        "ij,ij->i", latent, np.linalg.solve(correlation, latent.T).T
    )
    return float(-0.5 * (n_dims * np.log(2 * np.pi) + log_det + mahalanobis.mean()))


def _truncated_normal(mean, sd, low, high, v):
    """Inverse-CDF draws of N(mean, sd²) truncated to [low, high).

    Upper tails are drawn through the survival function, so that intervals
    far from the mean keep their precision.
    """
    a, b = (low - mean) / sd, (high - mean) / sd
    upper = a > 0
    start = np.where(upper, ndtr(-a), ndtr(a))  # survival function in the upper
    end = np.where(upper, ndtr(-b), ndtr(b))  # tail, the CDF elsewhere
    limits = np.finfo(np.float64)
    p = np.clip(start + (end - start) * v, limits.tiny, 1 - limits.eps)
    z = np.where(upper, -ndtri(p), ndtri(p))
    return np.clip(mean + sd * z, low, high)


def _truncated_gibbs(correlation, low, high, rng):
    """Rows of N(0, correlation) truncated to the boxes [low, high).

    One column is drawn exactly; several are drawn by Gibbs sampling, from
    independent truncated draws, with :data:`_GIBBS_SWEEPS` sweeps.
    """
    n_dims = low.shape[1]
    z = _truncated_normal(0.0, 1.0, low, high, rng.uniform(size=low.shape))
    if n_dims == 1:
        return z
    precision = np.linalg.inv(correlation)
    sd = 1.0 / np.sqrt(np.diag(precision))
    for _ in range(_GIBBS_SWEEPS):
        v = rng.uniform(size=low.shape)
        for k in range(n_dims):
            others = precision[k].copy()
            others[k] = 0.0
            mean = -(z @ others) / precision[k, k]
            z[:, k] = _truncated_normal(mean, sd[k], low[:, k], high[:, k], v[:, k])
    return z
