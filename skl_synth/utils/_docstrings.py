"""Parameter descriptions shared by several estimators, written once."""

_SHARED = {
    "epochs": """epochs : int or "auto", default="auto"
        Training epochs (at most, with early stopping). An epoch is a pass
        over the training rows in batches; a pass of more than 200 batches
        is cut into equal epochs of at most 200, each going on where the
        last stopped. ``"auto"``: 300 passes, and on tables too small to
        make enough optimizer steps in 300 passes (1 000 for the VAE, 2 000
        for the GAN; a pass over a table smaller than a batch is one step),
        as many passes as make them. Above 10 000 rows, the steps made at
        10 000 rows times the cube root of the rows' growth (10 times the
        rows, 2.15 times the steps), not 300 passes.""",
    "batch_size": """batch_size : int, default=500
        Rows per optimization step.""",
    "early_stopping": """early_stopping : "auto" or bool, default="auto"
        Hold out ``validation_fraction`` of the rows, score a sample against
        them (:func:`~skl_synth.metrics.early_stopping_score`: the formula of
        :meth:`score` with a 4x cheaper out-of-bag detection test) after
        every epoch that completes a round of about 200 optimizer steps
        (above 10 000 rows, 200 times the cube root of the rows' growth, as
        the planned steps), and after the last epoch; stop when the
        score has not improved for ``n_iter_no_change`` evaluations and keep
        the best weights.""",
    "validation_fraction": """validation_fraction : float, default=0.1
        Fraction of rows held out for early stopping (never trained on). The
        score uses at most 5 000 of them, drawn at random, so that its cost
        stays bounded on large tables.""",
    "n_iter_no_change": """n_iter_no_change : int, default=10
        Evaluations without improvement of the validation score before
        stopping. Above 10 000 rows, where the scores come less often than
        every 200 steps, proportionally fewer, so that the patience stays
        about ``n_iter_no_change`` x 200 optimizer steps.""",
    "discrete_columns": """discrete_columns : list of column labels, default=None
        Numeric columns to treat as discrete; ``None`` infers them (see
        :class:`~skl_synth.preprocessing.TabularEncoder`).

    column_kinds : dict, default=None
        ``{column: "identifier" | "discrete" | "continuous" | "datetime"}``
        overriding the inference for the named columns. Identifier columns
        (keys such as customer ids; columns of unique strings or consecutive
        integers are inferred as such, with a warning) are not learned:
        sampled rows get fresh values in their format, unique and never a
        training value, under conditions too. Text columns of dates in one
        format are inferred as datetimes (with a warning) and sampled as
        strings in that format; declare them ``"discrete"`` to learn the
        strings as categories.""",
    "continuous_encoding": """continuous_encoding : {"quantile", "mode_specific"}, \
            default="quantile"
        How the networks see continuous (and datetime) columns:
        ``"quantile"`` in copula space (each column through its empirical CDF
        to a standard normal, the Gaussian copula's own transform),
        ``"mode_specific"`` as CTGAN (a Gaussian mixture per column, a value
        becomes its mode's one-hot and a scalar within the mode). Missing
        values keep their indicator either way (see
        :class:`~skl_synth.preprocessing.TabularEncoder`). ``"quantile"`` is
        the default because it scored higher in ``benchmarks/fidelity.py``
        (held-out ``synthesis_score``, 3 seeds): for the VAE on all five
        tables (+0.04 to +0.14), for the GAN on four of five (+0.02 to +0.04;
        on the 215-row placements table mode-specific scored 0.07 higher).""",
    "reject_copies": """reject_copies : bool, default=False
        Privacy guard: ``sample`` rejects every generated row equal to a
        training row and draws a replacement with the same conditions, in up
        to 10 rounds, so that it still returns ``n_samples`` rows (and raises
        a ValueError if it cannot: a table with few possible rows);
        ``n_copies_rejected_`` counts the rejected rows. Rows are compared by
        64-bit hashes of the training rows, as given and as encoded then
        decoded, computed in ``fit``; the rows themselves are not kept.""",
    "device": """device : "auto", "cpu", "cuda" or torch.device, default="auto"
        Where the networks train. ``"auto"`` uses CUDA when available. A
        model fitted on a GPU samples on a CPU-only machine after
        unpickling.""",
    "verbose": """verbose : int, default=0
        0 is silent; 1 or more shows a progress bar with the current losses.""",
    "random_state": """random_state : int, RandomState instance or None, default=None
        Seeds the encoder, the weights, the batches and the sampling. With an
        int, fitting the same data on the CPU gives bit-identical samples, and
        each ``sample`` call with the same arguments returns the same rows.
        The global RNGs of torch, numpy and ``random`` are never used.""",
}


_SHARED["features_in"] = """n_features_in_ : int
        Number of columns seen during fit.
    feature_names_in_ : ndarray of str
        Column names seen during fit, when they are all strings."""

_SHARED["training_attributes"] = """n_epochs_ : int
        Epochs run.
    planned_epochs_ : int
        Epochs planned: ``epochs``, or what ``"auto"`` made of it for these
        rows; early stopping or ``time_limit`` can end the fit before.
    training_seconds_ : float
        Seconds spent in the epoch loop (the encoder's fit and the
        calibration of the conditions excluded).
    best_epoch_ : int
        With early stopping: the epoch whose weights were kept.
    early_stopping_ : bool
        Whether early stopping was used.
    device_ : str
        The device the networks were trained on.
    condition_weights_ : ndarray of shape (n_conditions,) or None
        The probabilities with which unconditional rows are drawn under each
        condition vector (one per category of a discrete column and per
        missing-value indicator, then the empty condition where the networks
        learned it), calibrated after training so that the generated
        category shares and missing-value rates match the training table;
        ``None`` for a table without discrete or missing values."""

_SHARED["copies_attributes"] = """n_copies_rejected_ : int
        With ``reject_copies=True``: the generated rows rejected as copies of
        a training row by the last ``sample`` call (0 after ``fit``)."""

_SHARED["fit_table"] = """X : DataFrame or array-like of shape (n_samples, n_features)
            The table to learn: any mix of numeric, boolean, categorical,
            string and datetime columns, with missing values.
        y : None
            Ignored."""

_SHARED["check_parameters"] = """Parameters
    ----------
    name : str
        Name of the synthesizer, used in failure messages.
    synthesizer : estimator
        An unfitted synthesizer; the check works on a clone."""


_SHARED["score_parameters"] = """Parameters
    ----------
    real : DataFrame or ndarray
        Real rows, preferably not used to fit the synthesizer.
    synthetic : DataFrame or ndarray
        Synthetic rows with the same columns.
    metadata : dict, default=None
        The sdmetrics metadata; inferred from ``real`` when None.
    random_state : int, RandomState instance or None, default=None
        Seeds the random forest of the two-sample test."""


def fill_doc(obj):
    """Substitute ``{name}`` placeholders in ``obj.__doc__`` with shared texts."""
    obj.__doc__ = obj.__doc__.format(**_SHARED)
    return obj
