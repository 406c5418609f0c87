"""Per-column encoders behind :class:`~skl_synth.preprocessing.TabularEncoder`.

Each codec turns one column's values into a float block of fixed width and
back, and describes that block as parts (spans without a position). The encoder lays the
blocks side by side; nothing else keeps offsets.

Continuous codecs see float64 values without missing values; discrete codecs
see integer codes (``-1`` missing). Missing values of continuous columns are
handled by :class:`ColumnCodec`, which adds a two-slot indicator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import ndtr
from sklearn.preprocessing import QuantileTransformer
from sklearn.preprocessing._data import BOUNDS_THRESHOLD as _BOUNDS_THRESHOLD
from sklearn.utils import check_random_state

from ..utils._messages import preview
from ..utils._state import declare, persistable
from ._conversions import (
    MISSING_CODE,
    UNKNOWN_CODE,
    codes_to_column,
    column_to_codes,
    column_to_float,
    float_to_column,
)
from ._identifiers import IdentifierCodec
from ._interpolation import _interp_even
from ._mixture import fit_dp_mixture
from ._schema import ColumnSchema

declare(QuantileTransformer, "estimator")  # the quantile codec's transformer

# Mixture components lighter than this are dropped (as in CTGAN).
MODE_WEIGHT_THRESHOLD = 0.005
# Variational EM iterations of the mixture, started from a k-means partition
# as in CTGAN, which runs up to 100: as many as fit in MODE_ITER_BUDGET
# row-iterations, between MODE_MIN_ITER and MODE_MAX_ITER. With the
# Dirichlet-process prior it rarely converges in 100 either. On the speed
# benchmark's 5- and 16-column tables (10 000 rows), 30 iterations separate
# the modes that 100 find (keeping one to three more components per column)
# and the encoder's fit takes 0.16 / 0.51 s instead of 0.46 / 1.62 s. On
# small tables the extra iterations cost little and matter: they switch off
# the components that k-means split a unimodal column into (student
# placements, 161 rows: 72 encoded columns after 30 iterations, 61 after 100).
MODE_MIN_ITER = 30
MODE_MAX_ITER = 100
MODE_ITER_BUDGET = 300_000
# A mode's scalar is (x - mean) / (MODE_SCALE * std), clipped to [-1, 1].
MODE_SCALE = 4.0
# max_categories="auto": a discrete column keeps at most this many one-hot
# slots per AUTO_ROWS_PER_SLOT training rows, between AUTO_MIN_SLOTS and
# AUTO_MAX_SLOTS (see auto_max_categories).
AUTO_ROWS_PER_SLOT = 10
AUTO_MIN_SLOTS = 10
AUTO_MAX_SLOTS = 100
# Normal scores of QuantileTransformer lie within +-NORMAL_BOUND; dividing by
# it puts them in [-1, 1].
NORMAL_BOUND = float(stats.norm.ppf(1 - 1e-7))


@dataclass(frozen=True)
class _Part:
    """A span without its position: width, kind, role, bounded, names."""

    width: int
    kind: str
    role: str
    names: tuple[str, ...]
    bounded: bool = True


# --------------------------------------------------------------------------
# continuous codecs: float64 values (no NaN) <-> block
# --------------------------------------------------------------------------


@persistable("object")
class ModeSpecificCodec:
    """Mode-specific normalization (CTGAN): a scalar plus a one-hot mode.

    A Bayesian Gaussian mixture with a Dirichlet-process prior is fitted on at
    most ``max_fit_rows`` values; components lighter than
    :data:`MODE_WEIGHT_THRESHOLD` are dropped. A value is assigned to its most
    probable mode ``k`` and encoded as ``(x - mean_k) / (4 std_k)`` clipped to
    [-1, 1], so values further than four standard deviations from their mode
    are clipped.
    """

    def __init__(self, max_modes, max_fit_rows, random_state):
        self.max_modes = max_modes
        self.max_fit_rows = max_fit_rows
        self.random_state = random_state

    def fit(self, values):
        rng = check_random_state(self.random_state)
        sample = _subsample(values, self.max_fit_rows, rng)
        self.n_fit_rows_ = len(sample)
        center, scale = _center_scale(sample)
        z = (sample - center) / scale
        n_components = int(min(self.max_modes, len(np.unique(z))))
        if n_components == 1:  # one value (maybe one row): one mode, no mixture
            self.means_, self.stds_ = np.array([center]), np.array([scale])
            self.log_weights_ = np.zeros(1)
            return self
        max_iter = min(MODE_MAX_ITER, max(MODE_MIN_ITER, MODE_ITER_BUDGET // len(z)))
        mixture_weights, means, variances = fit_dp_mixture(
            z, n_components, max_iter=max_iter, random_state=rng
        )
        keep = mixture_weights > MODE_WEIGHT_THRESHOLD
        keep[np.argmax(mixture_weights)] = True
        weights = mixture_weights[keep] / mixture_weights[keep].sum()
        self.means_ = means[keep] * scale + center
        stds = np.sqrt(variances[keep]) * scale
        self.stds_ = np.maximum(stds, np.finfo(np.float64).tiny)
        self.log_weights_ = np.log(weights)
        return self

    def parts(self, name):
        modes = tuple(f"{name}_mode{k}" for k in range(len(self.means_)))
        return (
            _Part(1, "scalar", "value", (f"{name}_value",)),
            _Part(len(modes), "onehot", "mode", modes),
        )

    def transform(self, values):
        log_density = (
            self.log_weights_
            - np.log(self.stds_)
            - 0.5 * ((values[:, None] - self.means_) / self.stds_) ** 2
        )
        mode = log_density.argmax(axis=1)
        block = np.zeros((len(values), 1 + len(self.means_)), dtype=np.float32)
        scalar = (values - self.means_[mode]) / (MODE_SCALE * self.stds_[mode])
        block[:, 0] = np.clip(scalar, -1.0, 1.0)
        block[np.arange(len(values)), 1 + mode] = 1.0
        return block

    def inverse(self, block):
        mode = block[:, 1:].argmax(axis=1)
        scalar = np.clip(block[:, 0].astype("float64"), -1.0, 1.0)
        return scalar * MODE_SCALE * self.stds_[mode] + self.means_[mode]


@persistable("object")
class QuantileCodec:
    """Quantile transform to a standard normal, divided by :data:`NORMAL_BOUND`."""

    def __init__(self, max_fit_rows, random_state):
        self.max_fit_rows = max_fit_rows
        self.random_state = random_state

    def fit(self, values):
        rng = check_random_state(self.random_state)
        sample = _subsample(values, self.max_fit_rows, rng)
        self.n_fit_rows_ = len(sample)
        # standardized first, so that extreme magnitudes stay representable
        self.center_, self.scale_ = _center_scale(sample)
        self.quantiles_ = QuantileTransformer(
            n_quantiles=min(1000, len(sample)),
            output_distribution="normal",
            subsample=None,
        ).fit(self._standardize(sample))
        return self

    def _standardize(self, values):
        return ((values - self.center_) / self.scale_)[:, None]

    def parts(self, name):
        return (_Part(1, "scalar", "value", (f"{name}_value",)),)

    def transform(self, values):
        scores = self.quantiles_.transform(self._standardize(values))
        return (scores / NORMAL_BOUND).astype(np.float32)

    def inverse(self, block):
        """``QuantileTransformer.inverse_transform`` of the scores, computed as
        it does (the normal CDF, then the quantiles interpolated, the bounds
        set exactly) without its input validation: 3x faster on 100 000 rows.
        The references are evenly spaced, so the interpolation indexes them
        instead of searching (:func:`_interp_even`)."""
        scores = np.clip(block[:, 0].astype("float64"), -1.0, 1.0) * NORMAL_BOUND
        u = ndtr(scores)
        quantiles = self.quantiles_.quantiles_[:, 0]
        z = _interp_even(u, quantiles)
        z[u + _BOUNDS_THRESHOLD > 1] = quantiles[-1]
        z[u - _BOUNDS_THRESHOLD < 0] = quantiles[0]
        return z * self.scale_ + self.center_


@persistable("object")
class StandardCodec:
    """Standardization to zero mean and unit variance (unbounded scalar)."""

    def __init__(self, max_fit_rows, random_state):
        self.max_fit_rows = max_fit_rows
        self.random_state = random_state

    def fit(self, values):
        self.n_fit_rows_ = len(values)
        self.mean_, self.std_ = _center_scale(values)
        return self

    def parts(self, name):
        return (_Part(1, "scalar", "value", (f"{name}_value",), bounded=False),)

    def transform(self, values):
        return ((values - self.mean_) / self.std_).astype(np.float32)[:, None]

    def inverse(self, block):
        return block[:, 0].astype("float64") * self.std_ + self.mean_


CONTINUOUS_CODECS = {
    "mode_specific": ModeSpecificCodec,
    "quantile": QuantileCodec,
    "standard": StandardCodec,
}


# --------------------------------------------------------------------------
# discrete codec: integer codes <-> one-hot block
# --------------------------------------------------------------------------


@persistable("object")
class OneHotCodec:
    """One-hot slots: frequent categories, an infrequent bucket, a missing slot.

    Infrequent categories follow :class:`sklearn.preprocessing.OneHotEncoder`:
    those seen fewer than ``min_frequency`` times, then, when more than
    ``max_categories`` remain, all but the ``max_categories - 1`` most frequent
    share one slot. On the way back that slot becomes one of its categories,
    drawn with their training frequencies.
    """

    def __init__(self, n_categories, has_missing, min_frequency, max_categories):
        self.n_categories = n_categories
        self.has_missing = has_missing
        self.min_frequency = min_frequency
        self.max_categories = max_categories

    def fit(self, codes):
        counts = np.bincount(codes[codes >= 0], minlength=self.n_categories)
        max_categories = self.max_categories
        if max_categories == "auto":
            max_categories = auto_max_categories(len(codes))
        infrequent = np.zeros(self.n_categories, dtype=bool)
        if self.min_frequency is not None:
            threshold = self.min_frequency
            if isinstance(threshold, float):
                threshold = np.ceil(threshold * len(codes))
            infrequent |= counts < threshold
        if max_categories is not None:
            frequent = np.flatnonzero(~infrequent)
            if len(frequent) > max_categories:
                order = frequent[np.argsort(-counts[frequent], kind="stable")]
                infrequent[order[max_categories - 1 :]] = True
        if infrequent.all():  # keep the most frequent category on its own
            infrequent[np.argmax(counts)] = False
        frequent = np.flatnonzero(~infrequent)
        self.slot_of_code_ = np.full(self.n_categories, len(frequent), dtype=np.int64)
        self.slot_of_code_[frequent] = np.arange(len(frequent))
        self.frequent_codes_ = frequent
        self.infrequent_codes_ = np.flatnonzero(infrequent)
        # slots directly: a one-hot block of every training row may be GBs
        self.slot_counts_ = np.bincount(self._slots(codes), minlength=self.width)
        weights = counts[self.infrequent_codes_].astype("float64")
        self.infrequent_probabilities_ = (
            weights / weights.sum() if weights.size else weights
        )
        return self

    @property
    def has_infrequent(self):
        return self.infrequent_codes_.size > 0

    @property
    def width(self):
        return len(self.frequent_codes_) + self.has_infrequent + self.has_missing

    def parts(self, name, categories):
        names = [f"{name}_{categories[c]}" for c in self.frequent_codes_]
        names += [f"{name}_infrequent"] * self.has_infrequent
        names += [f"{name}_missing"] * self.has_missing
        return (_Part(self.width, "onehot", "category", tuple(names)),)

    def _slots(self, codes):
        slots = np.where(codes >= 0, self.slot_of_code_[np.maximum(codes, 0)], 0)
        return np.where(codes == MISSING_CODE, self.width - 1, slots)

    def transform(self, codes, out=None):
        """The one-hot block, written into ``out`` (n_rows, width) when given."""
        block = np.zeros((len(codes), self.width), dtype=np.float32)
        if out is not None:
            block = out
            block[:] = 0.0
        block[np.arange(len(codes)), self._slots(codes)] = 1.0
        return block

    def inverse(self, block, rng):
        return self.from_slots(block.argmax(axis=1), rng)

    def from_slots(self, slots, rng):
        """Codes of the slots (an infrequent slot drawn from its categories)."""
        codes = np.full(len(slots), MISSING_CODE, dtype=np.int64)
        n_frequent = len(self.frequent_codes_)
        is_frequent = slots < n_frequent
        codes[is_frequent] = self.frequent_codes_[slots[is_frequent]]
        if self.has_infrequent:
            drawn = slots == n_frequent
            codes[drawn] = rng.choice(
                self.infrequent_codes_,
                size=int(drawn.sum()),
                p=self.infrequent_probabilities_,
            )
        return codes


def auto_max_categories(n_rows: int) -> int:
    """The one-hot slots of a discrete column under ``max_categories="auto"``.

    One slot per :data:`AUTO_ROWS_PER_SLOT` rows, at least
    :data:`AUTO_MIN_SLOTS` and at most :data:`AUTO_MAX_SLOTS`: a category
    seen in fewer rows than that gives a network too little to learn its
    rows from, and every slot widens the encoded matrix (a column of 5 000
    distinct values would be 5 000 columns). Columns with fewer categories
    than this limit are left as they are; wider ones keep their most
    frequent categories and draw the rest from one tail slot, with their
    training frequencies, so that every category keeps its share.
    """
    return int(min(AUTO_MAX_SLOTS, max(AUTO_MIN_SLOTS, n_rows // AUTO_ROWS_PER_SLOT)))


# --------------------------------------------------------------------------
# one column: schema + value codec + missing indicator
# --------------------------------------------------------------------------


@persistable("object")
class ColumnCodec:
    """Everything needed to encode and decode one input column."""

    def __init__(self, schema: ColumnSchema, params: dict, random_state):
        self.schema = schema
        self.params = params
        self.random_state = random_state

    def fit(self, series: pd.Series):
        schema, params = self.schema, self.params
        if schema.kind == "identifier":
            self.codec_ = IdentifierCodec().fit(series)
            return self
        if schema.is_discrete:
            self.codec_ = OneHotCodec(
                len(schema.categories),
                schema.has_missing,
                params["min_frequency"],
                params["max_categories"],
            ).fit(column_to_codes(series, schema))
            return self
        values = column_to_float(series, schema)
        observed = values[~np.isnan(values)]
        self.missing_counts_ = np.array([len(observed), len(values) - len(observed)])
        self.fill_value_ = float(np.median(observed))
        encoding = params["continuous_encoding"]
        kwargs = {
            "max_fit_rows": params["max_fit_rows"],
            "random_state": self.random_state,
        }
        if encoding == "mode_specific":
            kwargs["max_modes"] = params["max_modes"]
        self.codec_ = CONTINUOUS_CODECS[encoding](**kwargs).fit(observed)
        self._value_width = sum(part.width for part in self.codec_.parts(""))
        return self

    def parts(self, name: str) -> tuple[_Part, ...]:
        if self.schema.kind == "identifier":  # not learned: no columns
            return ()
        if self.schema.is_discrete:
            return self.codec_.parts(name, self.schema.categories)
        parts = self.codec_.parts(name)
        if self.schema.has_missing:
            names = (f"{name}_observed", f"{name}_missing")
            parts += (_Part(2, "onehot", "missing", names),)
        return parts

    def transform(self, series: pd.Series, handle_unknown: str, out=None) -> np.ndarray:
        """The column's block; one-hot blocks are written into ``out`` if given."""
        schema = self.schema
        if schema.kind == "identifier":
            return np.empty((len(series), 0), dtype=np.float32)
        if schema.is_discrete:
            codes = column_to_codes(series, schema)
            self._check_missing(codes == MISSING_CODE)
            return self.codec_.transform(
                self._resolve_unknown(series, codes, handle_unknown), out
            )
        values = column_to_float(series, schema)
        missing = np.isnan(values)
        self._check_missing(missing)
        block = self.codec_.transform(np.where(missing, self.fill_value_, values))
        if schema.has_missing:
            indicator = np.zeros((len(values), 2), dtype=np.float32)
            indicator[np.arange(len(values)), missing.astype(np.int64)] = 1.0
            block = np.hstack([block, indicator])
        return block

    def inverse(self, block: np.ndarray, rng) -> pd.Series:
        schema = self.schema
        if schema.kind == "identifier":
            return self.fresh(len(block), rng)
        if schema.is_discrete:
            return codes_to_column(self.codec_.inverse(block, rng), schema)
        values = self.codec_.inverse(block[:, : self._value_width])
        if schema.has_missing:
            values = np.where(block[:, -2:].argmax(axis=1) == 1, np.nan, values)
        return float_to_column(values, schema)

    def fresh(self, n_rows: int, rng, offset=None) -> pd.Series:
        """An identifier column of ``n_rows`` new values, none a training one."""
        values = self.codec_.sample(n_rows, rng, offset)
        missing = pd.isna(values)
        if missing.any():
            values[missing] = self.schema.missing_value
        return pd.Series(values, name=self.schema.name).astype(self.schema.dtype)

    def _check_missing(self, missing):
        if missing.any() and not self.schema.has_missing:
            raise ValueError(
                f"Column {self.schema.name!r} has {int(missing.sum())} missing "
                "value(s), but had none during fit, so they cannot be encoded; "
                "impute them, or refit on data in which this column has missing "
                "values."
            )

    def _resolve_unknown(self, series, codes, handle_unknown):
        unknown = codes == UNKNOWN_CODE
        if not unknown.any():
            return codes
        if handle_unknown == "infrequent_if_exist" and self.codec_.has_infrequent:
            # Any infrequent code maps to the shared slot.
            return np.where(unknown, self.codec_.infrequent_codes_[0], codes)
        values = pd.unique(series[unknown].to_numpy(dtype=object))
        hint = (
            "refit with min_frequency / max_categories so that the column has an "
            "infrequent bucket, and set handle_unknown='infrequent_if_exist'"
            if not self.codec_.has_infrequent
            else "set handle_unknown='infrequent_if_exist' to map them to the "
            "infrequent bucket"
        )
        raise ValueError(
            f"Column {self.schema.name!r} has categories unseen during fit: "
            f"{preview(values)}; {hint}, or remove those rows."
        )


def _subsample(values, max_rows, rng):
    if max_rows is None or len(values) <= max_rows:
        return values
    return values[rng.choice(len(values), size=max_rows, replace=False)]


def _center_scale(values):
    """Mean and standard deviation that neither overflow nor underflow.

    Squaring 1e200 overflows and squaring 1e-200 underflows, so the moments
    are computed on values divided by their largest magnitude. A constant
    column gets a scale of 1.
    """
    peak = float(np.max(np.abs(values)))
    if peak == 0 or not np.isfinite(peak):
        return 0.0, 1.0
    unit = values / peak
    center = float(unit.mean())
    spread = float((unit - center).std())
    return center * peak, (spread * peak if spread * peak > 0 else 1.0)
