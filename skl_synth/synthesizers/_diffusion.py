"""DiffusionSynthesizer: Gaussian diffusion over encoded rows (TabDDPM-style)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from .._nn.diffusion import (
    Denoiser,
    DiffusionTrainer,
    DiffusionTraining,
    sample_rows,
)
from .._nn.init import build
from ..utils._docstrings import fill_doc
from ..utils._state import persistable
from ._deep import _CALIBRATION_ROWS, POSITIVE_INT, SHARE, DeepSynthesizer


@persistable("estimator")
@fill_doc
class DiffusionSynthesizer(DeepSynthesizer):
    """Denoising diffusion model for mixed-type tables (TabDDPM-style).

    Rows are encoded (continuous columns in copula space by default: each
    through its empirical CDF to a standard normal), scaled so that every
    encoded column has unit spread (one-hot columns to {{-1, 1}}), and
    noised by a Gaussian diffusion of ``n_timesteps`` steps with a cosine
    schedule. An MLP denoiser with a timestep embedding predicts the noise
    of the scalar columns and, for each one-hot group, which category the
    clean row holds (cross-entropy; the group's Gaussian likelihood given
    the noised values is added to its logits, so the network learns what
    the other columns and the timestep add to it). One-hot groups are
    diffused as Gaussian values, not by multinomial diffusion as in
    TabDDPM; while sampling, a group's denoised value is its expected
    one-hot under the predicted probabilities (Dieleman et al.'s score
    interpolation), and the clean row takes its largest slot. Sampling
    runs DDIM over ``sampling_steps`` evenly spaced timesteps, from pure
    noise to a clean row.

    Conditions use a condition vector as in the VAE: each training row gets
    its own category in one randomly chosen discrete column (or the empty
    condition, for ``unconditional_fraction`` of the rows), so that
    ``sample(conditions=...)`` denoises directly towards the requested
    value.

    Parameters
    ----------
    hidden_dims : tuple of int, default=(256, 256, 256)
        Widths of the denoiser's ReLU layers (TabDDPM tunes 2 to 6 layers of
        128 to 1 024 units).
    dim_t : int, default=128
        Width of the timestep embedding, the projected row and condition.
    dropout : float in [0, 1), default=0.0
        Dropout after each hidden layer.
    n_timesteps : int, default=1000
        Diffusion steps of the training process (TabDDPM's default).
    sampling_steps : int, default=50
        DDIM steps when sampling, between 1 and ``n_timesteps``: fewer is
        faster (the cost of sampling is proportional) and coarser. On the
        five tables of ``benchmarks/diffusion_steps.py`` (2 seeds, one
        thread) 50 steps made 4 200 to 6 300 rows/s; 20 steps 2.4 times as
        many, scoring 0.007 lower on average (within the noise); 10 steps
        20 000 to 30 000 rows/s, 0.035 lower. It may be set after ``fit``.
    eta : float in [0, 1], default=1.0
        Noise of each sampling step: 0 is deterministic DDIM (given the
        starting noise), 1 adds the noise of DDPM's reverse process. 0
        spreads continuous columns wider: on three tables of
        ``benchmarks/fidelity.py`` (3 seeds) the two-sample AUC was 0.04 to
        0.15 worse with 0.
    learning_rate : float, default=1e-3
        AdamW learning rate.
    weight_decay : float, default=1e-5
        AdamW weight decay.
    ema_decay : float in [0, 1), default=0.999
        The denoiser that samples is an exponential moving average of the
        trained one's weights, updated after every step (warmed up as
        ``min(ema_decay, (1 + t) / (10 + t))`` after ``t`` steps), as
        TabDDPM samples. 0 samples from the trained denoiser.
    unconditional_fraction : float in [0, 1), default=0.2
        Share of the training rows given the empty condition, so that the
        denoiser also learns the table unconditioned; unconditional samples
        mix it and the conditions with calibrated weights (see
        ``condition_weights_``).
    guidance_scale : float >= 0, default=1.0
        Classifier-free guidance when sampling under a condition: the
        predicted noise is ``eps_free + guidance_scale * (eps_cond -
        eps_free)``, so values above 1 push rows towards what sets the
        requested value apart from the rest of the table (sharper classes,
        fewer rows that look like another class), at the cost of a second
        denoiser pass per step; 1 is plain conditional sampling, 0 ignores
        the condition's guidance (the conditioned cells are still set).
        Needs ``unconditional_fraction > 0``. Applies to ``sample`` calls,
        including the calibration at the end of ``fit``.
    {batch_size}
    epochs : int or "auto", default="auto"
        Training epochs (at most, with early stopping): passes over the
        training rows, cut into equal epochs of at most 200 batches where a
        pass is longer. ``"auto"``: 1 000 passes, and on tables too small
        to make 3 000 optimizer steps in 1 000 passes, as many passes as
        make them; above 10 000 rows, the steps made at 10 000 rows times
        the cube root of the rows' growth. A denoiser learns every timestep
        from the same rows, so it needs more steps than the GAN or the VAE
        (TabDDPM trains for 30 000 steps) and each step is cheaper.
    {early_stopping} ``"auto"`` enables it above 1 000 rows (100 held-out
        rows to score): without it, a denoiser trained for the default
        passes learns the training rows' details, and its continuous columns
        come out too narrow (on the 20- and 60-column mixed tables of
        ``benchmarks/width.py``, 3 000 rows, the two-sample AUC was 0.675
        and 0.756 without early stopping, 0.594 and 0.618 with it). On 150
        rows it changed nothing (0.691 either way, 5 seeds).
    {validation_fraction}
    {n_iter_no_change}
    {discrete_columns}
    continuous_encoding : {{"quantile", "mode_specific"}}, default="quantile"
        How the model sees continuous (and datetime) columns: ``"quantile"``
        through their empirical CDF to a standard normal (the Gaussian
        copula's transform, as TabDDPM's quantile normalization), or
        ``"mode_specific"`` as CTGAN (see
        :class:`~skl_synth.preprocessing.TabularEncoder`).
    {reject_copies}
    {device}
    {verbose}
    {random_state}

    Attributes
    ----------
    encoder_ : TabularEncoder
        The fitted encoder; its ``layout_`` is what the denoiser sees.
    denoiser_ : torch.nn.Module
        The denoiser that samples (the moving average of the trained
        weights, see ``ema_decay``), with the model-space scaling as
        buffers.
    history_ : DataFrame
        One row per epoch: ``loss`` (mean squared error of the predicted
        noise over the scalar columns plus the mean cross-entropy of the
        one-hot groups), ``validation_score`` (with early stopping) and
        elapsed ``time``.
    {training_attributes}
    {copies_attributes}
    {features_in}

    See Also
    --------
    GANSynthesizer : A conditional GAN.
    VAESynthesizer : A conditional variational autoencoder.
    GaussianCopulaSynthesizer : A fast, non-deep baseline.

    References
    ----------
    Kotelnikov, Baranchuk, Rubachev and Babenko, "TabDDPM: Modelling
    Tabular Data with Diffusion Models", ICML 2023.

    Dieleman et al., "Continuous diffusion for categorical data",
    arXiv:2211.15089, 2022.

    Examples
    --------
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.synthesizers import DiffusionSynthesizer
    >>> data = load_student_placements()
    >>> model = DiffusionSynthesizer(epochs=5, sampling_steps=10, random_state=0)
    >>> synthetic = model.fit(data).sample(100, conditions={{"placed": False}})
    >>> synthetic.shape, bool((~synthetic["placed"]).all())
    ((100, 16), True)
    >>> synthetic.dtypes.equals(data.dtypes)
    True
    """

    _module_names = ("denoiser_",)
    _auto_epochs = 1_000
    _min_steps = 3_000
    _early_stopping_above = 1_000
    _parameter_constraints: dict = {
        **DeepSynthesizer._parameter_constraints,
        "hidden_dims": ["array-like"],
        "dim_t": POSITIVE_INT,
        "dropout": SHARE,
        "n_timesteps": [Interval(Integral, 2, None, closed="left")],
        "sampling_steps": [Interval(Integral, None, None, closed="neither")],
        "eta": [Interval(Real, 0, 1, closed="both")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "ema_decay": SHARE,
        "unconditional_fraction": SHARE,
        "guidance_scale": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        hidden_dims=(256, 256, 256),
        dim_t=128,
        dropout=0.0,
        n_timesteps=1000,
        sampling_steps=50,
        eta=1.0,
        learning_rate=1e-3,
        weight_decay=1e-5,
        ema_decay=0.999,
        unconditional_fraction=0.2,
        guidance_scale=1.0,
        batch_size=256,
        epochs="auto",
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=10,
        discrete_columns=None,
        column_kinds=None,
        continuous_encoding="quantile",
        reject_copies=False,
        device="auto",
        verbose=0,
        random_state=None,
    ):
        self.hidden_dims = hidden_dims
        self.dim_t = dim_t
        self.dropout = dropout
        self.n_timesteps = n_timesteps
        self.sampling_steps = sampling_steps
        self.eta = eta
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.ema_decay = ema_decay
        self.unconditional_fraction = unconditional_fraction
        self.guidance_scale = guidance_scale
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.discrete_columns = discrete_columns
        self.column_kinds = column_kinds
        self.continuous_encoding = continuous_encoding
        self.reject_copies = reject_copies
        self.device = device
        self.verbose = verbose
        self.random_state = random_state

    def _check_params(self):
        if not 1 <= self.sampling_steps <= self.n_timesteps:
            raise ValueError(
                f"sampling_steps={self.sampling_steps} must be in [1, n_timesteps="
                f"{self.n_timesteps}]: sampling takes a subset of the training "
                "timesteps."
            )
        if self.guidance_scale != 1 and self.unconditional_fraction == 0:
            raise ValueError(
                f"guidance_scale={self.guidance_scale} needs a denoiser that also "
                "learned the table unconditioned; set unconditional_fraction > 0 "
                "(e.g. 0.2), or guidance_scale=1."
            )

    def _build(self, data, layout, sampler, init_rng, train_rng, device):
        trained = build(
            lambda: Denoiser(
                layout.width,
                sampler.dim,
                tuple(self.hidden_dims),
                self.dim_t,
                self.dropout,
            ),
            init_rng,
            device,
        )
        trained.fit_scaling(data, layout)
        self.denoiser_, average = self._averaged(trained)
        training = DiffusionTraining(
            batch_size=self.batch_size,
            n_timesteps=self.n_timesteps,
            learning_rate=self.learning_rate,
            weight_decay=self.weight_decay,
            unconditional_fraction=self.unconditional_fraction,
            ema_decay=self.ema_decay,
        )
        return DiffusionTrainer(
            trained, layout, sampler, training, train_rng, average=average
        )

    def _calibration_rows(self, n_rows):
        """8 per training row, from 4 096 to 32 768.

        Each row costs ``sampling_steps`` denoiser passes: 32 768 rows took
        10 s on a 161-row table, most of the fit (1.4 s with 4 096).
        """
        return int(np.clip(8 * n_rows, 2**12, _CALIBRATION_ROWS))

    def _generate(self, condition, rng, layout):
        self._check_params()  # sampling_steps may have been set after fit
        _, space, columns = self._condition_space(condition.device)
        return sample_rows(
            self.denoiser_,
            layout,
            condition,
            rng,
            self.n_timesteps,
            self.sampling_steps,
            self.eta,
            self.guidance_scale,
            known=(space, columns),
        )
