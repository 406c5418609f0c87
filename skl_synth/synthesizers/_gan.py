"""GANSynthesizer: a conditional WGAN-GP in the style of CTGAN."""

from __future__ import annotations

from numbers import Real

from sklearn.utils._param_validation import Interval

from .._nn.conditions import condition_index
from .._nn.gan import Discriminator, GANTrainer, GANTraining, Generator, generate
from .._nn.init import build
from ..utils._docstrings import fill_doc
from ..utils._state import persistable
from ._conditions import condition_spans
from ._deep import POSITIVE_INT, SHARE, DeepSynthesizer

_POSITIVE = [Interval(Real, 0, None, closed="neither")]
_NON_NEGATIVE = [Interval(Real, 0, None, closed="left")]


@persistable("estimator")
@fill_doc
class GANSynthesizer(DeepSynthesizer):
    """Conditional GAN for mixed-type tables (CTGAN-style).

    A generator of residual blocks maps noise and a condition vector to an
    encoded row (tanh for scalars, Gumbel-softmax for one-hot groups); a
    critic judges packs of ``pac`` rows (PacGAN) with the Wasserstein loss
    and a gradient penalty. Training by sampling: each batch conditions on
    one discrete column and one of its values drawn by log-frequency, real
    rows are drawn to match, and a cross-entropy term makes the generator
    honour the condition, so rare categories are learned too.

    Parameters
    ----------
    embedding_dim : int, default=128
        Size of the noise vector.
    generator_dim : tuple of int, default=(256, 256)
        Widths of the generator's residual blocks.
    discriminator_dim : tuple of int, default=(256, 256)
        Widths of the critic's hidden layers.
    generator_lr : float, default=2e-4
        Adam learning rate of the generator.
    generator_decay : float, default=1e-6
        Weight decay of the generator.
    discriminator_lr : float, default=2e-4
        Adam learning rate of the critic.
    discriminator_decay : float, default=1e-6
        Weight decay of the critic.
    {batch_size} Must be a multiple of ``pac``.
    discriminator_steps : int, default=1
        Critic updates per generator update.
    pac : int, default=10
        Rows the critic sees together.
    ema_decay : float in [0, 1), default=0.99
        The generator that samples is an exponential moving average of the
        trained generator's weights (updated after every generator step,
        warmed up as ``min(ema_decay, (1 + t) / (10 + t))`` after ``t``
        steps). A GAN's generator keeps oscillating around a good solution;
        the average sits near its centre: on the speed benchmark's narrow
        table it reached a held-out score of 0.80 after 75 s of training
        where the generator itself reached 0.78 and fell back to 0.75.
        0 samples from the trained generator.
    unconditional_fraction : float in [0, 1), default=0.5
        Share of each batch trained under the empty (all-zero) condition
        against training rows drawn uniformly, so that the generator also
        learns the table as it is, not only as seen through conditions drawn
        by log-frequency. Unconditional samples mix the empty condition and
        the others with calibrated weights (see ``condition_weights_``). On a
        3 000-row table with a 1.8% category, after 50 epochs that category
        came out at 2.8% of the samples with 0.5 and at 4.9% with 0; the
        missing-value rate at 11.1% and 12.3% (11.3% real).
    {epochs}
    {early_stopping} ``"auto"`` enables it above 10 000 rows, as in
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`.
    {validation_fraction}
    {n_iter_no_change}
    {discrete_columns}
    {continuous_encoding}
    {reject_copies}
    {device}
    {verbose}
    {random_state}

    Attributes
    ----------
    encoder_ : TabularEncoder
        The fitted encoder; its ``layout_`` is what the networks see.
    generator_ : torch.nn.Module
        The generator that samples: the moving average of the trained
        generator's weights (the trained generator itself when
        ``ema_decay=0``).
    discriminator_ : torch.nn.Module
        The trained critic.
    history_ : DataFrame
        One row per epoch: ``generator_loss``, ``discriminator_loss``,
        ``validation_score`` (with early stopping) and elapsed ``time``.
    {training_attributes}
    {copies_attributes}
    {features_in}

    See Also
    --------
    VAESynthesizer : A variational autoencoder; often better on small tables.
    GaussianCopulaSynthesizer : A fast, non-deep baseline.

    Examples
    --------
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.synthesizers import GANSynthesizer
    >>> data = load_student_placements()
    >>> gan = GANSynthesizer(epochs=5, random_state=0).fit(data)
    >>> synthetic = gan.sample(100, conditions={{"high_spec": "Arts"}})
    >>> synthetic.shape, (synthetic["high_spec"] == "Arts").all()
    ((100, 16), np.True_)
    >>> synthetic.dtypes.equals(data.dtypes)
    True
    """

    _module_names = ("generator_", "discriminator_")
    # 300 steps left it worse than a shuffled copy on 150 rows (_planned_steps)
    _min_steps = 2_000

    _parameter_constraints: dict = {
        **DeepSynthesizer._parameter_constraints,
        "embedding_dim": POSITIVE_INT,
        "generator_dim": ["array-like"],
        "discriminator_dim": ["array-like"],
        "generator_lr": _POSITIVE,
        "generator_decay": _NON_NEGATIVE,
        "discriminator_lr": _POSITIVE,
        "discriminator_decay": _NON_NEGATIVE,
        "discriminator_steps": POSITIVE_INT,
        "pac": POSITIVE_INT,
        "ema_decay": SHARE,
        "unconditional_fraction": SHARE,
    }

    def __init__(
        self,
        *,
        embedding_dim=128,
        generator_dim=(256, 256),
        discriminator_dim=(256, 256),
        generator_lr=2e-4,
        generator_decay=1e-6,
        discriminator_lr=2e-4,
        discriminator_decay=1e-6,
        batch_size=500,
        discriminator_steps=1,
        pac=10,
        ema_decay=0.99,
        unconditional_fraction=0.5,
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
        self.embedding_dim = embedding_dim
        self.generator_dim = generator_dim
        self.discriminator_dim = discriminator_dim
        self.generator_lr = generator_lr
        self.generator_decay = generator_decay
        self.discriminator_lr = discriminator_lr
        self.discriminator_decay = discriminator_decay
        self.batch_size = batch_size
        self.discriminator_steps = discriminator_steps
        self.pac = pac
        self.ema_decay = ema_decay
        self.unconditional_fraction = unconditional_fraction
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
        if self.batch_size % self.pac:
            raise ValueError(
                f"batch_size={self.batch_size} must be a multiple of pac={self.pac} "
                "(the critic judges packs of pac rows)."
            )

    def _batch_rows(self, n_rows):
        """``batch_size``, at most the training rows (in whole packs of
        ``pac``): a batch larger than the table draws the same rows several
        times for twice the time. On 150 rows, 2 000 steps took 26 s with
        batches of 150 and 47 s with 500, for the same held-out AUC (0.713
        over seeds 0-2, 0.69-0.73 against 0.61-0.81)."""
        return min(self.batch_size, max(self.pac, n_rows // self.pac * self.pac))

    def _steps_per_pass(self, n_rows):
        """Generator steps of one pass (see ``GANTrainer.train_epoch``)."""
        return max(1, n_rows // self._batch_rows(n_rows))

    def _build(self, data, layout, sampler, init_rng, train_rng, device):
        trained = build(
            lambda: Generator(
                self.embedding_dim, sampler.dim, tuple(self.generator_dim), layout.width
            ),
            init_rng,
            device,
        )
        self.generator_, average = self._averaged(trained)
        self.discriminator_ = build(
            lambda: Discriminator(
                layout.width + sampler.dim, tuple(self.discriminator_dim), self.pac
            ),
            init_rng,
            device,
        )
        training = GANTraining(
            embedding_dim=self.embedding_dim,
            batch_size=self._batch_rows(len(data)),
            discriminator_steps=self.discriminator_steps,
            generator_lr=self.generator_lr,
            generator_decay=self.generator_decay,
            discriminator_lr=self.discriminator_lr,
            discriminator_decay=self.discriminator_decay,
            ema_decay=self.ema_decay,
            unconditional_fraction=self.unconditional_fraction,
        )
        index = condition_index(condition_spans(self.encoder_), device)
        return GANTrainer(
            trained,
            self.discriminator_,
            layout,
            sampler,
            index,
            training,
            train_rng,
            average=average,
        )

    def _generate(self, condition, rng, layout):
        return generate(self.generator_, layout, condition, rng, self.embedding_dim)
