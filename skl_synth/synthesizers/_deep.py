"""DeepSynthesizer: what the neural synthesizers share.

The epoch loop with early stopping on a held-out score, ``history_``, the
non-finite-loss guard, progress bars, devices, the calibration of the
condition weights and chunked sampling; the torch side of each lives in
:mod:`skl_synth._nn.runtime`.
"""

from __future__ import annotations

import copy
from abc import abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing, metadata_routing
from sklearn.utils._param_validation import Interval, StrOptions

from .._nn.batches import epoch_steps
from .._nn.conditions import ConditionSampler
from .._nn.layout import OutputLayout
from .._nn.numerics import flush_denormals
from .._nn.runtime import (
    DEVICE_TYPES,
    calibrate_conditions,
    condition_space,
    move_to_usable_device,
    resolve_device,
    restore,
    sample_chunk,
    sample_encoded,
    seeded_generator,
    snapshot,
    to_tensor,
)
from ..metrics import early_stopping_score
from ..utils._docstrings import fill_doc
from ..utils._random import SEED_MAX
from ._base import BaseSynthesizer
from ._conditions import ConditionPlan, condition_spans, span_counts
from ._training import EpochLoop
from ._training import compact_rows as _compact

_STEPS_PER_EVALUATION = 200  # optimizer steps between early-stopping scores
_MAX_SCORED_ROWS = 5_000  # held-out rows that early stopping scores against
_PASSES_UP_TO = 10_000  # epochs='auto' plans passes up to here (_planned_steps)
# rows generated to calibrate the condition weights (see _calibration_rows),
# shared by the conditions' expected weights, at least _CALIBRATION_MIN_ROWS each
_CALIBRATION_ROWS = 2**15
_CALIBRATION_MIN_ROWS = 64

POSITIVE_INT = [Interval(Integral, 1, None, closed="left")]
SHARE = [Interval(Real, 0, 1, closed="left")]  # in [0, 1)


class DeepSynthesizer(BaseSynthesizer):
    """Epoch loop, early stopping and devices for the neural synthesizers.

    Subclasses name their fitted torch modules in ``_module_names`` and
    implement two hooks: ``_build(data, layout, sampler, init_rng,
    train_rng, device)``, which creates the modules from the training rows'
    :class:`~skl_synth._nn.layout.OutputLayout` and
    :class:`~skl_synth._nn.conditions.ConditionSampler` and returns a trainer
    with ``train_epoch(data) -> dict of losses`` and ``prepare_sampling()``
    (called before the modules sample), and ``_generate(condition, rng,
    layout)``, which returns encoded rows. A synthesizer with
    ``unconditional_fraction`` or ``ema_decay`` parameters declares them in
    ``__init__``; the others get the defaults below (none).
    """

    _parameter_constraints: dict = {
        **BaseSynthesizer._parameter_constraints,
        "epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": POSITIVE_INT,
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": POSITIVE_INT,
        "continuous_encoding": [StrOptions({"mode_specific", "quantile"})],
        "device": [*DEVICE_TYPES],
        "verbose": ["verbose"],
    }
    # fit's time_limit and progress_label are settings, not metadata to route
    # (as DecisionTreeClassifier's check_input): no set_fit_request
    __metadata_request__fit = {
        "time_limit": metadata_routing.UNUSED,
        "progress_label": metadata_routing.UNUSED,
        "resumable": metadata_routing.UNUSED,
    }
    # the fitted torch modules, by attribute name
    _module_names: tuple = ()
    # share of rows trained under the all-zero condition, and the decay of the
    # weights' moving average, for synthesizers without these parameters
    unconditional_fraction = 0.0
    ema_decay = 0.0
    # epochs="auto": this many passes, and at least _min_steps optimizer
    # steps (see _planned_steps)
    _auto_epochs = 300
    _min_steps = 1_000
    # early_stopping="auto" holds rows out on tables above this many rows
    _early_stopping_above = 10_000

    @abstractmethod
    def _build(self, data, layout, sampler, init_rng, train_rng, device):
        """Create the modules (initialized from ``init_rng``) and return their
        trainer (drawing from ``train_rng``)."""

    @abstractmethod
    def _generate(self, condition, rng, layout):
        """Encoded rows (a tensor) for the rows of ``condition``."""

    @property
    def _trains_unconditioned(self):
        """Whether the networks also learn rows under the all-zero condition."""
        return self.unconditional_fraction > 0

    @_fit_context(prefer_skip_nested_validation=True)
    @fill_doc
    def fit(self, X, y=None, *, time_limit=None, progress_label=None, resumable=False):
        """Fit the synthesizer on the rows of ``X``.

        Parameters
        ----------
        {fit_table}
        time_limit : float, default=None
            Training seconds: the epoch loop stops after the epoch that
            reaches them, and keeps its best validation state (with early
            stopping). None trains the planned epochs. An ensemble passes
            its members' shares of ``time_budget``.
        progress_label : str, default=None
            The label of the epoch progress bar (``verbose``); the class
            name if None. An ensemble passes the member's name.
        resumable : bool, default=False
            Whether to keep the training state (the rows, the optimizers)
            after ``time_limit``, so that :meth:`resume` trains on; the
            condition weights are then calibrated by ``resume``.

        Returns
        -------
        self : object
            The fitted synthesizer.
        """
        return self._fit_checked(
            X,
            time_limit=time_limit,
            progress_label=progress_label,
            resumable=resumable,
        )

    def _encoding(self):
        return self.continuous_encoding

    def _fit_encoded(
        self, X, encoded, rng, *, time_limit=None, progress_label=None, resumable=False
    ):
        self.device_ = resolve_device(self.device)
        seed = rng.randint(SEED_MAX)
        init_rng = seeded_generator(seed)
        train_rng = seeded_generator(seed + 1, self.device_)
        train, validation = self._validation_split(X, encoded, rng)
        data = to_tensor(train, self.device_)
        self.condition_weights_ = None  # until calibrated, after training
        layout = OutputLayout(self.encoder_.layout_, self.device_)
        sampler = ConditionSampler(data, condition_spans(self.encoder_))
        self._trainer = self._build(
            data, layout, sampler, init_rng, train_rng, self.device_
        )
        label = progress_label or type(self).__name__
        if resumable:
            self._loop = EpochLoop(self, data, validation, label)
            with flush_denormals():
                done = self._loop.run(time_limit, pause=True)
            self._loop.calibration_seed = rng.randint(SEED_MAX)
            if done:
                self.end_training()
            return self
        try:
            with flush_denormals():
                self.history_ = self._train(data, validation, time_limit, label)
                del data
                seed = rng.randint(SEED_MAX)
                self.condition_weights_ = self._calibrate_conditions(seed)
        finally:
            del self._trainer  # optimizers are not needed to sample
        return self

    def resume(self, time_limit=None, *, until_epoch=None):
        """Train a synthesizer fitted with ``resumable=True`` for longer.

        Racing candidates (``EnsembleSynthesizer(race=True)``) train this
        way: a short ``fit``, a score, and more training for those that can
        still win. The epoch loop goes on where it stopped (the optimizers'
        state included) for ``time_limit`` more seconds; it ends when its
        planned epochs are run or early stopping stops it, or, with
        ``time_limit=None``, then in any case. When it ends, the best
        validation state is loaded, the condition weights are calibrated
        and the training state is dropped, as ``fit`` would have done.
        Until then the synthesizer samples from its current weights with
        uncalibrated condition weights.

        Parameters
        ----------
        time_limit : float or None, default=None
            More training seconds; None trains to the end (or to
            ``until_epoch``).
        until_epoch : int, default=None
            Stop after this epoch (counted from the first), whatever the
            time; a deterministic budget.

        Returns
        -------
        finished : bool
            Whether the training ended (the synthesizer is then as if
            fitted in one go).

        Examples
        --------
        >>> from skl_synth.datasets import load_student_placements
        >>> from skl_synth.synthesizers import VAESynthesizer
        >>> data = load_student_placements()
        >>> vae = VAESynthesizer(epochs=4, random_state=0)
        >>> vae = vae.fit(data, time_limit=0.0, resumable=True)
        >>> vae.n_epochs_, vae.resume(), vae.n_epochs_
        (1, True, 4)
        """
        loop = self._open_loop()
        with flush_denormals():
            done = loop.done or loop.run(time_limit, pause=True, until=until_epoch)
        if not done and (time_limit is not None or until_epoch is not None):
            return False
        self.end_training()
        return True

    def end_training(self, *, calibrate=True):
        """End a fit with ``resumable=True`` where it is, without training more.

        The best validation state is loaded (with early stopping), the
        training state dropped and, with ``calibrate``, the condition
        weights calibrated. A racing candidate that cannot win ends this way,
        uncalibrated (it gets no weight).

        Parameters
        ----------
        calibrate : bool, default=True
            Whether to calibrate the condition weights (a few seconds).

        Returns
        -------
        self : object
            The synthesizer, fitted.

        Examples
        --------
        >>> from skl_synth.datasets import load_student_placements
        >>> from skl_synth.synthesizers import VAESynthesizer
        >>> vae = VAESynthesizer(epochs=4, random_state=0).fit(
        ...     load_student_placements(), time_limit=0.0, resumable=True)
        >>> vae.end_training().n_epochs_, vae.condition_weights_ is not None
        (1, True)
        """
        loop = self._open_loop()
        with flush_denormals():
            self.history_ = loop.close()
            loop.data = None  # the training rows are not needed to calibrate
            del self._loop, self._trainer
            if calibrate:
                seed = loop.calibration_seed
                self.condition_weights_ = self._calibrate_conditions(seed)
        return self

    def _open_loop(self):
        loop = getattr(self, "_loop", None)
        if loop is None:
            raise ValueError(
                f"{type(self).__name__} has no training to resume; fit it with "
                "resumable=True first."
            )
        return loop

    def _condition_space(self, device):
        """The condition spans, their :class:`ConditionSpace` and their
        encoded columns (in the space's flat order), on ``device``."""
        spans = condition_spans(self.encoder_)
        counts = [span_counts(self.encoder_, s) for s in spans]
        return spans, *condition_space(spans, counts, device)

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
        :func:`~skl_synth._nn.conditions.calibrated_weights`, run by
        :func:`~skl_synth._nn.runtime.calibrate_conditions`). Unconditional
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
        return calibrate_conditions(
            self._generate,
            spans,
            space,
            columns,
            self.encoder_.layout_,
            trains_unconditioned=self._trains_unconditioned,
            calibration_rows=self._calibration_rows,
            min_rows=_CALIBRATION_MIN_ROWS,
            chunk=sample_chunk(self.encoder_.layout_),
            seed=seed,
            device=device,
        )

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
            stop = len(encoded) > self._early_stopping_above
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
        real = self.encoder_.check_frame(_safe_indexing(X, held))
        return _compact(encoded, kept), real.reset_index(drop=True)

    def _n_epochs(self, n_rows):
        """The epochs to run: ``epochs``, or for ``"auto"`` those that make
        :meth:`_planned_steps` optimizer steps."""
        if self.epochs != "auto":
            return self.epochs
        return -(-self._planned_steps(n_rows) // self._steps_per_epoch(n_rows))

    def _planned_steps(self, n_rows):
        """Optimizer steps of ``epochs="auto"`` on ``n_rows`` training rows.

        Up to :data:`_PASSES_UP_TO` rows, the class's default passes, raised
        to make at least ``_min_steps`` steps. A pass over a table smaller
        than a batch is one step, so 300 passes over 150 rows were 300
        steps, and the GAN ended worse than a column-shuffled copy of its
        rows. On placements read from the CSV (150 training rows, 65 held
        out, seeds 0-2; two-sample AUC, lower is better, the shuffled copy
        0.914): the GAN 0.986 after 300 steps, 0.75 after 1 000 (seeds 0-1),
        0.713 after 2 000; the VAE 0.727 / 0.681 / 0.727 after 300 / 1 000 /
        3 000; the diffusion model 0.741 / 0.737 / 0.678 after 300 / 1 000 /
        3 000.

        Above that size, the steps grow with the cube root of the rows
        (10 times the rows, 2.15 times the steps): 300 passes of 40 000
        diamonds made the GAN plan 24 000 steps (783 s, one thread).
        """
        passes = self._auto_epochs * self._steps_per_pass(n_rows)
        if n_rows > _PASSES_UP_TO:
            at_reference = self._auto_epochs * self._steps_per_pass(_PASSES_UP_TO)
            passes = min(passes, round(at_reference * _growth(n_rows)))
        return int(max(passes, self._min_steps))

    def _steps_per_pass(self, n_rows):
        """Optimizer steps of one pass: shuffled batches, the last smaller."""
        return max(1, -(-n_rows // self.batch_size))

    def _steps_per_epoch(self, n_rows):
        """Optimizer steps of one epoch: a pass, or an equal part of a pass
        of more than :data:`~skl_synth._nn.batches.MAX_EPOCH_STEPS` steps."""
        return epoch_steps(self._steps_per_pass(n_rows))

    def _train(self, data, validation, limit, label):
        """The epoch loop, stopped early, or after ``limit`` seconds."""
        training = EpochLoop(self, data, validation, label)
        training.run(limit)
        return training.close()

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

        Above :data:`_PASSES_UP_TO` rows the steps between scores grow as
        the planned steps do (:meth:`_planned_steps`, the cube root of the
        rows), so that a fit makes as many scores at any size (the VAE's 70
        scores on 100 000 rows took 56 of its 125 s, ``benchmarks/scaling.py``).
        """
        every = _STEPS_PER_EVALUATION * _growth(n_rows)
        return int(np.ceil(every / self._evaluation_steps(n_rows)))

    def _patience(self, n_rows):
        """``n_iter_no_change``, fewer where scores come less often than every
        200 steps: the patience stays about as many steps."""
        steps = self._evaluation_steps(n_rows)
        at_200 = np.ceil(_STEPS_PER_EVALUATION / steps)
        ratio = at_200 / self._evaluation_interval(n_rows)
        return max(1, round(self.n_iter_no_change * ratio))

    def _evaluation_steps(self, n_rows):
        """Steps of an epoch, as the evaluation schedule counts them."""
        return max(1, min(n_rows // self.batch_size, self._steps_per_epoch(n_rows)))

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

    def _modules(self):
        """The fitted torch modules, by attribute name."""
        return {name: getattr(self, name) for name in self._module_names}

    def _averaged(self, trained):
        """The module to sample from, and the moving average to keep of
        ``trained`` (None without ``ema_decay``): the average if there is one."""
        average = copy.deepcopy(trained) if self.ema_decay > 0 else None
        return (trained if average is None else average), average

    def _state(self):
        return snapshot(self._modules())

    def _load_state(self, state):
        restore(self._modules(), state)

    def _sample_encoded(self, n_samples, plan, seed):
        device = self._sampling_device()
        _, space, columns = self._condition_space(device)
        return sample_encoded(
            self._generate,
            space,
            columns,
            self.encoder_.layout_,
            self.condition_weights_,
            plan.guide,
            chunk=sample_chunk(self.encoder_.layout_),
            seed=seed,
            device=device,
        )

    def _sampling_device(self):
        """The fitting device, or the CPU where that device is unavailable."""
        return move_to_usable_device(self.device_, self._modules().values())

    def __getstate__(self):
        """Pickle torch modules on the CPU, so that CUDA-fitted models load anywhere."""
        state = self.__dict__.copy()
        for name in self._module_names:
            if name in state:
                state[name] = copy.deepcopy(state[name]).to("cpu")
        return state


def _growth(n_rows):
    """The cube root of the rows' growth beyond :data:`_PASSES_UP_TO`."""
    return max(1.0, n_rows / _PASSES_UP_TO) ** (1 / 3)
