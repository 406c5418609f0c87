"""BaseSynthesizer: the template every synthesizer follows.

``fit`` validates and encodes the table with a
:class:`~skl_synth.preprocessing.TabularEncoder`, then calls ``_fit_encoded``;
``sample`` plans the conditions, calls ``_sample_encoded`` and decodes; a new
synthesizer implements those two methods. ``DeepSynthesizer`` adds the epoch
loop shared by the neural synthesizers: early stopping, ``history_``, the
non-finite-loss guard, progress bars and devices.
"""

from __future__ import annotations

import copy
import time
from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._nn.conditions import (
    ConditionSpace,
    calibrated_weights,
    condition_confusion,
    prior_weights,
)
from .._nn.layout import OutputLayout, span_columns
from .._nn.numerics import flush_denormals
from ..metrics import early_stopping_score, metadata_from_schema, synthesis_score
from ..preprocessing import TabularEncoder
from ..preprocessing._schema import _preview, column_to_codes
from ..utils._random import local_random_state

_SEED_MAX = np.iinfo(np.int32).max
_SAMPLE_CHUNK = 8192  # rows generated per forward pass when sampling (at most)
# Hard one-hot outputs pad every one-hot span to the widest one: a chunk
# holds at most this many padded values (fewer rows for very wide columns).
_SAMPLE_PADDED_VALUES = 2**23
_STEPS_PER_EVALUATION = 200  # optimizer steps between early-stopping scores
_MAX_SCORED_ROWS = 5_000  # held-out rows that early stopping scores against
_COPY_ROUNDS = 10  # rounds redrawing the rows that copy a training row
# rows generated to calibrate the condition weights (see _calibration_rows),
# shared by the conditions' expected weights, at least _CALIBRATION_MIN_ROWS each
_CALIBRATION_ROWS = 2**15
_CALIBRATION_MIN_ROWS = 64


class BaseSynthesizer(BaseEstimator):
    """Base class of synthesizers: ``fit``, ``sample`` and ``score``.

    Subclasses implement ``_fit_encoded(X, encoded, rng)`` and
    ``_sample_encoded(n_samples, plan, seed)`` on the float32 matrix laid out
    as ``self.encoder_.layout_``; everything about containers, dtypes,
    validation and conditions is done here. ``plan.slots`` maps each
    conditioned column to the one-hot slot every row must take (-1: free);
    the conditioned cells are also set exactly after decoding.

    See Also
    --------
    skl_synth.utils.estimator_checks.check_synthesizer : The contract checks.

    Examples
    --------
    A (privacy-free) synthesizer that resamples training rows:

    >>> import numpy as np
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.synthesizers import BaseSynthesizer
    >>> class Bootstrap(BaseSynthesizer):
    ...     _parameter_constraints = {
    ...         "discrete_columns": ["array-like", None],
    ...         "random_state": ["random_state"],
    ...     }
    ...
    ...     def __init__(self, *, discrete_columns=None, random_state=None):
    ...         self.discrete_columns = discrete_columns
    ...         self.random_state = random_state
    ...
    ...     def _fit_encoded(self, X, encoded, rng):
    ...         self.rows_ = encoded
    ...
    ...     def _sample_encoded(self, n_samples, plan, seed):
    ...         rng = np.random.RandomState(seed)
    ...         return self.rows_[rng.randint(len(self.rows_), size=n_samples)]
    >>> data = load_student_placements()
    >>> model = Bootstrap(random_state=0).fit(data)
    >>> sample = model.sample(4, conditions={"gender": "F"})
    >>> sample.shape, list(sample["gender"])
    ((4, 16), ['F', 'F', 'F', 'F'])
    """

    # TabularEncoder.continuous_encoding used by this synthesizer
    _continuous_encoding = "mode_specific"

    def fit(self, X, y=None):
        """Fit the synthesizer on the rows of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The table to learn: any mix of numeric, boolean, categorical,
            string and datetime columns, with missing values.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted synthesizer.
        """
        self._validate_params()
        self._check_params()
        try:
            self._fit(X)
        except Exception:
            self._forget_fit()  # a failed fit leaves nothing half-trained
            raise
        return self

    def _fit(self, X):
        rng = local_random_state(self.random_state)
        self.encoder_ = TabularEncoder(
            discrete_columns=self.discrete_columns,
            continuous_encoding=self._encoding(),
            random_state=rng.randint(_SEED_MAX),
        ).fit(X)
        self.n_features_in_ = self.encoder_.n_features_in_
        if hasattr(self.encoder_, "feature_names_in_"):
            self.feature_names_in_ = self.encoder_.feature_names_in_
        encoded = self.encoder_.transform(X)
        self._copy_hashes = None
        if getattr(self, "reject_copies", False):
            decoded = self.encoder_.inverse_transform(encoded)
            self._copy_hashes = np.union1d(row_hashes(X), row_hashes(decoded))
            self.n_copies_rejected_ = 0
            del decoded
        self._fit_encoded(X, encoded, rng)

    def _encoding(self):
        """The ``continuous_encoding`` of this synthesizer's TabularEncoder."""
        return self._continuous_encoding

    def _forget_fit(self):
        """Remove the fitted attributes: ``check_is_fitted`` fails again."""
        for name in [n for n in vars(self) if n.endswith("_") and n[:2] != "__"]:
            delattr(self, name)

    def sample(self, n_samples, *, conditions=None):
        """Generate ``n_samples`` rows like the training table.

        Parameters
        ----------
        n_samples : int
            Number of rows to generate.
        conditions : dict or DataFrame, default=None
            Values that generated rows must take, on discrete columns: a dict
            ``{column: value}`` for every row, or a DataFrame with one row of
            conditions per generated row (``n_samples`` rows; a missing cell
            leaves that row free in that column). Generated rows satisfy them
            exactly.

        Returns
        -------
        X_synthetic : DataFrame or ndarray of shape (n_samples, n_features)
            The container type, columns and dtypes seen during fit.
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        return self._sample_without_copies(n_samples, conditions)

    def _sample_table(self, n_samples, conditions, seed):
        """``n_samples`` decoded rows that satisfy ``conditions``."""
        plan = ConditionPlan.from_conditions(self.encoder_, n_samples, conditions)
        encoded = self._sample_encoded(n_samples, plan, seed)
        return plan.enforce(self.encoder_.inverse_transform(encoded))

    def _sample_without_copies(self, n_samples, conditions):
        """Sample; with ``reject_copies``, redraw rows equal to a training row.

        Rejected rows are redrawn with their own conditions, in up to
        :data:`_COPY_ROUNDS` rounds; ``n_copies_rejected_`` counts them.
        """
        seed = self._sampling_seed()
        table = self._sample_table(n_samples, conditions, seed)
        hashes = getattr(self, "_copy_hashes", None)
        if hashes is None:
            return table
        rng = np.random.RandomState(seed)
        copies = np.isin(row_hashes(table), hashes)
        self.n_copies_rejected_ = int(copies.sum())
        for _ in range(_COPY_ROUNDS):
            if not copies.any():
                return table
            rows = np.flatnonzero(copies)
            asked = conditions
            if isinstance(conditions, pd.DataFrame):
                asked = conditions.iloc[rows].reset_index(drop=True)
            new = self._sample_table(len(rows), asked, rng.randint(_SEED_MAX))
            table = _replace_rows(table, rows, new)
            copies[rows] = np.isin(row_hashes(new), hashes)
            self.n_copies_rejected_ += int(copies.sum())
        if copies.any():
            raise ValueError(
                f"{type(self).__name__}(reject_copies=True): after {_COPY_ROUNDS} "
                f"rounds, {int(copies.sum())} of {n_samples} generated rows still "
                "copy a training row; this table (or these conditions) leaves few "
                "rows that are not training rows. Set reject_copies=False."
            )
        return table

    def score(self, X, y=None):
        """Score a fresh sample of ``len(X)`` rows against real rows ``X``.

        The score is :func:`skl_synth.metrics.synthesis_score`: the mean of
        sdmetrics' QualityReport score and of a random-forest detection
        score. Higher is better, so ``GridSearchCV`` can tune synthesizers
        without ``scoring=``. Pass rows not used for fitting.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Held-out real rows with the columns seen during fit.
        y : None
            Ignored.

        Returns
        -------
        score : float
            In [0, 1]; about 0.9 for a second sample of the real data.
        """
        check_is_fitted(self)
        real = self.encoder_._check_input(X, reset=False)
        synthetic = self.sample(len(real))
        return self._score_frames(real, synthetic)

    def _score_frames(self, real, synthetic, score=synthesis_score):
        if not isinstance(synthetic, pd.DataFrame):
            synthetic = pd.DataFrame(synthetic, columns=real.columns)
        metadata = metadata_from_schema(self.encoder_.schema_)
        return score(real, synthetic, metadata=metadata, random_state=0)

    def _sampling_seed(self):
        """A seed for one ``sample`` call: fixed for an int ``random_state``."""
        return int(local_random_state(self.random_state).randint(_SEED_MAX))

    def _check_params(self):
        """Cross-parameter checks beyond ``_parameter_constraints``."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.non_deterministic = self.random_state is None
        return tags


class ConditionPlan:
    """Per-row conditions: which one-hot slot each conditioned column takes.

    ``slots[column]`` holds, for each generated row, the slot within the
    column's one-hot span (-1: free). ``guide`` is, per row, the flat index of
    one condition for a condition-vector model (the rarest of the row's
    conditions), -1 for free rows.
    """

    def __init__(self, encoder, n_samples, values, slots):
        self.encoder, self.n_samples = encoder, n_samples
        self.values, self.slots = values, slots
        spans = condition_spans(encoder)
        self.span_index = {
            s.column: j for j, s in enumerate(spans) if s.role == "category"
        }
        offsets = np.cumsum([0] + [s.width for s in spans])[:-1]
        self.guide = np.full(n_samples, -1, dtype=np.int64)
        best = np.full(n_samples, np.inf)
        for column, slot in slots.items():
            counts = span_counts(encoder, spans[self.span_index[column]])
            frequency = np.where(slot >= 0, counts[np.maximum(slot, 0)], np.inf)
            rarer = frequency < best
            self.guide[rarer] = offsets[self.span_index[column]] + slot[rarer]
            best = np.minimum(best, frequency)

    @classmethod
    def from_conditions(cls, encoder, n_samples, conditions):
        if conditions is None:
            return cls(encoder, n_samples, {}, {})
        if isinstance(conditions, dict):
            frame = pd.DataFrame({c: [v] * n_samples for c, v in conditions.items()})
        elif isinstance(conditions, pd.DataFrame):
            if len(conditions) != n_samples:
                raise ValueError(
                    f"conditions has {len(conditions)} rows but n_samples is "
                    f"{n_samples}; pass one row of conditions per generated row, or "
                    "a dict."
                )
            frame = conditions.reset_index(drop=True)
        else:
            raise TypeError(
                "conditions must be a dict {column: value} or a DataFrame; got "
                f"{type(conditions).__name__}."
            )
        values, slots = {}, {}
        schemas = {
            s.name: (s, c)
            for s, c in zip(encoder.schema_, encoder.column_codecs_, strict=True)
        }
        for column in frame.columns:
            if column not in schemas:
                raise ValueError(
                    f"conditions name column {column!r}, which was not seen during "
                    f"fit; the columns are {_preview(schemas)}."
                )
            schema, codec = schemas[column]
            if not schema.is_discrete:
                raise ValueError(
                    f"conditions are supported on discrete columns only; column "
                    f"{column!r} is {schema.kind}. Pass it in discrete_columns to "
                    "condition on it."
                )
            series = frame[column].astype(object)
            codes = column_to_codes(series, schema)
            unseen = codes == -2
            if unseen.any():
                raise ValueError(
                    f"conditions ask column {column!r} for "
                    f"{_preview(pd.unique(series[unseen]))}, never seen in training; "
                    f"its values are {_preview(schema.categories)}."
                )
            free = codes < 0
            slots[column] = np.where(
                free, -1, codec.codec_.slot_of_code_[np.maximum(codes, 0)]
            )
            values[column] = (series, free)
        return cls(encoder, n_samples, values, slots)

    def enforce(self, table):
        """Set the conditioned cells of a decoded table to their values."""
        for column, (series, free) in self.values.items():
            fixed = ~free
            if isinstance(table, pd.DataFrame):
                dtype = table[column].dtype
                column_values = table[column].astype(object).to_numpy()
                column_values[fixed] = series.to_numpy()[fixed]
                table[column] = pd.Series(column_values, index=table.index).astype(
                    dtype
                )
            else:
                table[fixed, column] = series.to_numpy()[fixed].astype(table.dtype)
        return table


def row_hashes(table):
    """One 64-bit hash per row of a table (DataFrame or array), index ignored."""
    frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def _replace_rows(table, rows, new):
    """``table`` with the rows at positions ``rows`` replaced by ``new``'s."""
    if not isinstance(table, pd.DataFrame):
        table[rows] = new
        return table
    kept = np.setdiff1d(np.arange(len(table)), rows)
    merged = pd.concat([table.iloc[kept], new.set_axis(rows)]).sort_index()
    return merged.reset_index(drop=True)


def check_n_samples(n_samples):
    """``n_samples`` as an int, or a ValueError if it is not a positive integer."""
    integer = isinstance(n_samples, Integral) and not isinstance(n_samples, bool)
    if not integer or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
    return int(n_samples)


def condition_spans(encoder):
    """The one-hot spans a condition vector covers.

    The categories of discrete columns (what users condition on) and the
    missing-value indicators of continuous columns, so that training by
    sampling also teaches the networks when values are missing.
    """
    return [s for s in encoder.layout_ if s.role in ("category", "missing")]


def span_counts(encoder, span):
    """Training rows per slot of a condition span."""
    names = [schema.name for schema in encoder.schema_]
    codec = encoder.column_codecs_[names.index(span.column)]
    return (
        codec.codec_.slot_counts_ if span.role == "category" else codec.missing_counts_
    )


# --------------------------------------------------------------------------
# the neural synthesizers
# --------------------------------------------------------------------------

_DEEP_CONSTRAINTS = {
    "epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "early_stopping": [StrOptions({"auto"}), "boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "discrete_columns": ["array-like", None],
    "continuous_encoding": [StrOptions({"mode_specific", "quantile"})],
    "reject_copies": ["boolean"],
    "device": [str, torch.device],
    "verbose": ["verbose"],
    "random_state": ["random_state"],
}


class DeepSynthesizer(BaseSynthesizer):
    """Epoch loop, early stopping and devices for the neural synthesizers.

    Subclasses implement ``_build(data, init_rng, train_rng, device)``
    returning a trainer with ``train_epoch(data) -> dict of losses`` and
    ``prepare_sampling()`` (called before the modules sample),
    ``_generate(condition, rng, layout)`` returning encoded rows, and
    ``_modules()`` naming the fitted torch modules.
    """

    # whether the networks also learn rows under the all-zero condition
    _trains_unconditioned = False

    def _encoding(self):
        return self.continuous_encoding

    def _fit_encoded(self, X, encoded, rng):
        self.device_ = resolve_device(self.device)
        seed = rng.randint(_SEED_MAX)
        init_rng = torch.Generator().manual_seed(seed)
        train_rng = torch.Generator(device=self.device_).manual_seed(seed + 1)
        train, validation = self._validation_split(X, encoded, rng)
        data = torch.as_tensor(train, device=self.device_)
        self._trainer = self._build(data, init_rng, train_rng, self.device_)
        try:
            with flush_denormals():
                self.history_ = self._train(data, validation)
                del data
                seed = rng.randint(_SEED_MAX)
                self.condition_weights_ = self._calibrate_conditions(seed)
        finally:
            del self._trainer  # optimizers are not needed to sample
        return self

    def _condition_space(self, device):
        """The condition spans, their :class:`ConditionSpace` and their
        encoded columns (in the space's flat order), on ``device``."""
        spans = condition_spans(self.encoder_)
        counts = [span_counts(self.encoder_, s) for s in spans]
        counts = torch.as_tensor(
            np.concatenate(counts) if counts else [], device=device
        )
        space = ConditionSpace([s.width for s in spans], counts)
        return spans, space, span_columns(spans, device)

    def _calibrate_conditions(self, seed):
        """Condition weights under which the generated marginals match the data.

        A network trained by sampling sees rare categories (and missing
        values) far more often than the data holds them, under conditions
        drawn by log-frequency, and carries part of that into the other
        spans: sampled with the data's own condition frequencies, a 3.7%
        class came out at 5.0% of a GAN's rows, and a VAE, which decodes
        towards the common values, left a 1.8% category out. The outputs'
        marginals are linear in the weights of the conditions, so the
        weights that best match every condition span's training frequencies
        are found from a table of what each condition generates (see
        :func:`~skl_synth._nn.conditions.calibrated_weights`). Unconditional
        rows are then drawn with these weights; rows given conditions keep
        them exactly.

        Each condition's rows are as many as its expected weight asks for
        (at least :data:`_CALIBRATION_MIN_ROWS`): a marginal is mostly made
        by the heavy conditions (a column's values being present), and with
        512 rows under every condition, the calibration fitted their
        sampling noise. On txhousing (46 cities of 2.2% each), a city came
        out 26 to 30% off its share in 100 000 rows. How many rows in all is
        :meth:`_calibration_rows`.
        """
        device = self._sampling_device()
        spans, space, columns = self._condition_space(device)
        if not spans:
            return None
        rng = torch.Generator(device=device).manual_seed(seed)
        layout = OutputLayout(self.encoder_.layout_, device)
        n_rows = float(space.counts[: spans[0].width].sum())
        target = space.counts.double() / n_rows
        prior = prior_weights(target, len(spans), self._trains_unconditioned)
        per_condition = (prior * self._calibration_rows(n_rows)).round().long()
        confusion = condition_confusion(
            lambda condition: space.enforce(
                self._generate(condition, rng, layout), condition, columns
            ),
            space,
            columns,
            per_condition.clamp_min(_CALIBRATION_MIN_ROWS),
            _sample_chunk(self.encoder_.layout_),
        )
        weights = calibrated_weights(confusion, target, len(spans))
        return weights.cpu().numpy()

    def _calibration_rows(self, n_rows):
        """Rows generated to calibrate the condition weights: 32 768.

        With 4 096 on a 161-row table, the GAN's and the VAE's rare
        categories came out up to 25% off their share and a missing-value
        rate 0.02 off; generating 32 768 rows takes them under a second.
        """
        return _CALIBRATION_ROWS

    def _validation_split(self, X, encoded, rng):
        stop = self.early_stopping
        if stop == "auto":
            stop = len(encoded) > 10_000
        self.early_stopping_ = bool(stop)
        if not stop:
            return encoded, None
        n_validation = max(2, round(self.validation_fraction * len(encoded)))
        if len(encoded) - n_validation < 2:
            raise ValueError(
                f"early_stopping needs at least 4 rows; got {len(encoded)}. Set "
                "early_stopping=False for such small tables."
            )
        order = rng.permutation(len(encoded))
        held, kept = np.sort(order[:n_validation]), np.sort(order[n_validation:])
        if len(held) > _MAX_SCORED_ROWS:  # the score's cost grows with its rows
            held = np.sort(rng.choice(held, _MAX_SCORED_ROWS, replace=False))
        real = self.encoder_._check_input(_safe_indexing(X, held), reset=False)
        return _compact(encoded, kept), real.reset_index(drop=True)

    def _train(self, data, validation):
        from tqdm.auto import tqdm

        rows, best_score, best_state, waited = [], -np.inf, None, 0
        interval = self._evaluation_interval(len(data))
        # set by an ensemble on its members: a time allowance, and a label
        limit = getattr(self, "_time_limit", None)
        label = getattr(self, "_progress_label", type(self).__name__)
        start = time.perf_counter()
        bar = tqdm(range(self.epochs), disable=not self.verbose, desc=label)
        for epoch in bar:
            losses = self._trainer.train_epoch(data)
            self._check_finite(losses, epoch + 1)
            row = {"epoch": epoch + 1, **losses}
            out_of_time = limit is not None and time.perf_counter() - start >= limit
            last = epoch + 1 == self.epochs or out_of_time
            if validation is not None and ((epoch + 1) % interval == 0 or last):
                self._trainer.prepare_sampling()
                row["validation_score"] = self._validation_score(validation)
                if row["validation_score"] > best_score:
                    best_score, best_state, waited = (
                        row["validation_score"],
                        self._state(),
                        0,
                    )
                else:
                    waited += 1
            row["time"] = time.perf_counter() - start
            rows.append(row)
            bar.set_postfix(
                {k: round(v, 4) for k, v in row.items() if k not in ("epoch", "time")}
            )
            if waited >= self.n_iter_no_change or out_of_time:
                break
        history = pd.DataFrame(rows)
        if best_state is None:
            self._trainer.prepare_sampling()
        else:
            self._load_state(best_state)
            self.best_epoch_ = int(
                history["epoch"][history["validation_score"].idxmax()]
            )
        self.n_epochs_ = len(rows)
        return history

    def _evaluation_interval(self, n_rows):
        """Epochs between validation scores: about every 200 optimizer steps.

        Scoring costs 0.3 to 0.6 s on 1 000 held-out rows (a sample,
        sdmetrics' QualityReport and an out-of-bag forest), more than an
        epoch of a small table, so it runs after whole epochs totalling at
        least 200 steps: every 100 steps it still took 30 to 45% of the
        early-stopped loop on the speed benchmark's tables, and the GAN's
        averaged weights change too smoothly for the extra scores to pay.
        The schedule depends on the data size only, so fits stay
        reproducible.
        """
        steps = max(1, n_rows // self.batch_size)
        return int(np.ceil(_STEPS_PER_EVALUATION / steps))

    def _validation_score(self, validation):
        plan = ConditionPlan(self.encoder_, len(validation), {}, {})
        encoded = self._sample_encoded(len(validation), plan, 0)
        synthetic = self.encoder_.inverse_transform(encoded)
        return self._score_frames(validation, synthetic, early_stopping_score)

    def _check_finite(self, losses, epoch):
        bad = {k: v for k, v in losses.items() if not np.isfinite(v)}
        if bad:
            names = ", ".join(f"{k}={v}" for k, v in bad.items())
            raise FloatingPointError(
                f"{type(self).__name__} training diverged at epoch {epoch} ({names}); "
                "nothing usable was learned. Lower the learning rates, or check "
                "the data for extreme values."
            )

    def _state(self):
        return {
            name: {k: v.detach().clone() for k, v in module.state_dict().items()}
            for name, module in self._modules().items()
        }

    def _load_state(self, state):
        for name, module in self._modules().items():
            module.load_state_dict(state[name])

    def _sample_encoded(self, n_samples, plan, seed):
        device = self._sampling_device()
        rng = torch.Generator(device=device).manual_seed(seed)
        layout = OutputLayout(self.encoder_.layout_, device)
        _, space, columns = self._condition_space(device)
        weights = getattr(self, "condition_weights_", None)
        if weights is not None:
            cdf = _cdf(weights, device)
        # chunk by chunk, conditions included: drawing n_samples conditions at
        # once takes n_samples x (widest span) doubles
        out = np.empty((n_samples, layout.width), dtype=np.float32)
        step = _sample_chunk(self.encoder_.layout_)
        for start in range(0, n_samples, step):
            stop = min(start + step, n_samples)
            if weights is None:
                condition = space.sample_original(stop - start, rng)
            else:
                condition = space.sample_weighted(stop - start, cdf, rng)
            guide = plan.guide[start:stop]
            guided = np.flatnonzero(guide >= 0)
            if len(guided):
                flat = torch.as_tensor(guide[guided], device=device)
                condition[torch.as_tensor(guided, device=device)] = space.vectors(flat)
            rows = self._generate(condition, rng, layout)
            out[start:stop] = space.enforce(rows, condition, columns).cpu().numpy()
        return out

    def _sampling_device(self):
        """The fitting device, or the CPU where that device is unavailable."""
        device = torch.device(self.device_)
        if device.type == "cuda" and not torch.cuda.is_available():
            device = torch.device("cpu")
        for module in self._modules().values():
            module.to(device)
        return device

    def __getstate__(self):
        """Pickle torch modules on the CPU, so that CUDA-fitted models load anywhere."""
        state = self.__dict__.copy()
        for name in getattr(self, "_module_names", ()):
            if name in state:
                state[name] = copy.deepcopy(state[name]).to("cpu")
        return state


def _cdf(weights, device):
    """The cumulative sums of probabilities ``weights``, ending at exactly 1."""
    cdf = torch.as_tensor(np.cumsum(weights), device=device)
    cdf[-1] = 1.0
    return cdf


def _sample_chunk(layout):
    """Rows per forward pass: :data:`_SAMPLE_CHUNK`, fewer for wide one-hots."""
    widths = [span.width for span in layout if span.kind == "onehot"]
    padded = len(widths) * max(widths, default=1)
    return int(np.clip(_SAMPLE_PADDED_VALUES // max(padded, 1), 256, _SAMPLE_CHUNK))


def _compact(rows, kept, chunk=65_536):
    """``rows[kept]`` for sorted ``kept``, moved to the first rows, in place.

    A copy of the training rows would double the memory of a large table.
    Chunk by chunk, row ``j`` receives row ``kept[j] >= j``, which no
    earlier chunk has overwritten.
    """
    for start in range(0, len(kept), chunk):
        part = kept[start : start + chunk]
        rows[start : start + len(part)] = rows[part]
    return rows[: len(kept)]


def resolve_device(device):
    """``"auto"`` -> CUDA when available, else CPU; check that CUDA exists."""
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'auto', 'cpu' or 'cuda'."
        ) from error
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but CUDA is not available here; use device='auto' "
            "or 'cpu'."
        )
    return str(resolved)
