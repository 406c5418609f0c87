"""EnsembleSynthesizer: generators trained on parts of a table, mixed by weight.

The whole flow is here, top to bottom. ``fit`` holds rows out, splits the
rest into parts (:mod:`._partition`), fits every listed synthesizer on every
part with joblib (:mod:`._members`) or races them (:mod:`._racing`), weights
the members (by greedy selection on the held-out rows, :mod:`._selection`)
and, with ``refit``, fits the chosen ones again on their held-out rows too.
``sample`` draws each row from one member, chosen by weight among those able
to honour its conditions.
"""

from __future__ import annotations

import time
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import _BaseComposition

from ..synthesizers import BaseSynthesizer
from ..utils._docstrings import fill_doc
from ..utils._random import SEED_MAX
from ..utils._state import persistable
from ._members import (
    DEFAULT_NAMES,
    allowances,
    checked_synthesizers,
    default_synthesizers,
    fit_members,
    missing_cells,
    new_member,
    restricted_conditions,
    sampling_with_seed,
    seen_by_members,
)
from ._partition import MIN_PART_ROWS, column_codes, merge_small_parts, split_rows
from ._racing import end_race, left_out, race_on, racing_parts, start_racing
from ._selection import (
    MIN_SELECTION_ROWS,
    SELECTION_MAX_ROWS,
    SELECTION_NOISE,
    SELECTION_POOL_ROWS,
    SELECTION_TOLERANCE,
    SPLITS,
    allocate,
    part_weights,
    pool_scores,
    race_survivors,
    selection_counts,
)
from ._strata import held_out_strata, hold_out, partition_schema, strata_codes

__all__ = ["EnsembleSynthesizer"]

# Shares of the time left of time_budget given to the members' training
# loops: without a refit; before a refit (which gets the rest less the
# reserve, for the calibration, the selection and the sampling).
_FIT_SHARE = 0.85
_FIT_SHARE_REFIT = 0.45
_SELECTION_RESERVE = 0.1
# Racing: the share of each deep synthesizer's planned epochs that it trains
# in the first round (doubling each round), and the share of the seconds left
# of time_budget that a round may take (the winner's training gets the rest).
_RACE_FIRST_SHARE = 1 / 16
_RACE_SHARE = 0.5


@persistable("estimator")
@fill_doc
class EnsembleSynthesizer(BaseSynthesizer, _BaseComposition):
    """Synthesizers fitted on parts of the rows, sampled as a weighted mixture.

    **Default.** ``EnsembleSynthesizer()`` races a Gaussian copula, a GAN, a
    VAE and a diffusion model, each with its defaults (``race``): each
    trains on 80% of the rows for a share of its epochs, is scored on the
    other 20%, and only the better ones train on; the winner is then fitted
    again, from its start, on all the rows (``refit``). So the default is
    the synthesizer that wins, fitted alone on the table, for about the cost
    of that one model. The evidence, from ``benchmarks/ensemble.py`` (five
    tables at full size, 3 seeds, a 2-core CPU; held-out
    :func:`~skl_synth.metrics.synthesis_score`, mean over seeds; see
    ``benchmarks/README.md``):

    - On placements / abalone9-18 / page-blocks0 / txhousing / diamonds
      (161 to 40 455 training rows) it picked the diffusion model in every
      fit: 0.767 / 0.901 / 0.821 / 0.824 / 0.713, and that model alone
      with the same seed (the same model, other draws) 0.774 / 0.895 /
      0.826 / 0.824 / 0.713. The VAE is best on placements (0.810), but the
      race decides at 1/8 of the epochs, where it is still below (0.62 to
      0.80); scores cross-fitted on all rows rank them alike there.
    - It fitted in 16.8 / 17.3 / 62.9 / 139.5 / 133.2 s: 1.12 to 1.51
      times the diffusion model alone (1.12 on diamonds, where the race
      learns 5 000 of the rows), 4.2 times the VAE on placements.
    - With the three larger tables cut to 2 000 rows (placements /
      abalone9-18 / diamonds / txhousing / page-blocks0), the ensemble that
      trains every synthesizer to its end on 80% of the rows and mixes them
      by greedy selection (``race=False``, ``n_jobs=2``) scored 0.753 /
      0.838 / 0.861 / 0.760 / 0.811 in 25.4 / 30.0 / 38.9 / 54.4 / 34.6 s,
      the race 0.781 / 0.891 / 0.847 / 0.777 / 0.862: lower on four tables
      of five. Fitting its chosen members again on all rows
      (``refit=True``) scored no higher and took 1.3 to 2.6 times as long.
    - Other partitions (``race=False``) were each best on some table, none
      on all, at twice the fit time or more (``benchmarks/README.md``).

    **Members.** The rows given to ``fit`` (minus a validation split, see
    ``weighting``) are split into parts by ``partition``, and every listed
    synthesizer is fitted on every part: the members are the cross product,
    ``n_synthesizers * n_parts_`` of them, named ``f"{{name}}_{{part}}"`` and
    ordered synthesizer by synthesizer (``gan_0, gan_1, ..., vae_0, ...``).
    Each member is a clone whose ``random_state`` (where it has one) is an
    independent integer drawn from the ensemble's generator, and whose
    ``discrete_columns``, when None, is set to the discrete columns inferred
    on all rows, so that every member encodes the columns alike even on a
    small part. A column that is entirely missing in a part (``salary`` in
    the part of students not placed) is left out of that part's members,
    and their samples get it back as missing values. A part with fewer than
    2 training rows is pooled with the other such parts (or, if still too
    small, with the smallest part), with a warning that names it. Members
    are fitted with ``joblib.Parallel(n_jobs=n_jobs)``: under
    ``joblib.parallel_config(backend="dask")`` they train on a dask
    cluster. A member that fails to fit stops the fit with a ``ValueError``
    naming it, its part and the error.

    **Sampling.** Each generated row comes from one member drawn with
    probabilities ``weights_`` (i.e. multinomial counts per member, the rows
    in random order); every member samples its share. Under conditions, a
    member whose training part never held a requested value gets weight 0
    for that call and the weights are renormalized (if every member that
    saw it has weight 0, they share the row in proportion to their part
    sizes); with per-row conditions this is decided row by row, each member
    gets its rows' conditions, and the rows come back in the order of the
    conditions.

    Parameters
    ----------
    synthesizers : list of (str, estimator) tuples, default=None
        The synthesizers fitted on every part, as in
        :class:`~sklearn.ensemble.VotingClassifier`; their parameters are
        reachable as ``{{name}}__{{parameter}}`` (``set_params(gan__epochs=10)``),
        so :class:`~sklearn.model_selection.GridSearchCV` tunes them. None
        means ``[("copula", GaussianCopulaSynthesizer()), ("gan",
        GANSynthesizer()), ("vae", VAESynthesizer()), ("diffusion",
        DiffusionSynthesizer())]``; ``set_params(gan__...)`` on it first puts
        that list in place.
    partition : {{"none", "bootstrap", "kfold", "cluster", "column"}}, \
            default="none"
        How the training rows are split into parts:

        - ``"none"``: ``n_partitions`` parts that are all the rows, so the
          members differ only by seed (a deep generative ensemble, DGE,
          ICML 2023);
        - ``"bootstrap"``: ``n_partitions`` resamples of the rows, with
          replacement, of the same size (bagging), each value of
          ``partition_column`` (if given) keeping its count;
        - ``"kfold"``: ``n_partitions`` disjoint shards covering the rows
          (shuffled :class:`~sklearn.model_selection.KFold`, or
          :class:`~sklearn.model_selection.StratifiedKFold` on
          ``partition_column`` if given);
        - ``"cluster"``: k-means with ``n_partitions`` clusters on the rows
          encoded with standardized numbers and one-hot categories, so that
          each member learns one region (a mixture of experts); with
          ``partition_column``, ``n_partitions`` clusters of each of its
          values. Every row is in one cluster; a cluster with fewer than
          ``max(2, 0.1 * n_rows / n_partitions)`` rows, or whose rows are
          missing in every column, is merged into the cluster of the nearest
          centroid, so there may be fewer parts; held-out rows go to the
          nearest cluster (of their value);
        - ``"column"``: one part per value of ``partition_column`` (missing
          values form a part of their own); ``n_partitions`` is ignored.

        ``"none"`` and ``"bootstrap"`` resample the rows: their parts are
        exchangeable, and the weights are chosen across all members. The
        others split the rows: each part keeps its share of the training
        rows, which ``weighting`` only splits among the part's members.
    n_partitions : int, default=1
        Number of parts (clusters at most, for ``"cluster"``); for ``"none"``,
        seeds of each synthesizer on all rows (a race keeps all the winner's).
    partition_column : column label, default=None
        A discrete column, such as the class. With ``partition="column"``,
        its values define the parts (required). With the other partitions
        it stratifies: the held-out rows, the resamples and the folds keep
        each value's share of the rows, and ``"cluster"`` clusters the rows
        of each value apart, so that every part holds one value and keeps
        its share. Without it, a cluster keeps its share of the rows, and
        within it the members keep the column's frequencies only as well as
        they learn them.
    weighting : {{"uniform", "size", "validation"}}, default="validation"
        The mixture weights ``weights_``:

        - ``"uniform"``: equal weights (so, with parts that split the rows,
          not their shares of the rows);
        - ``"size"``: proportional to the member's part size;
        - ``"validation"``: ``validation_fraction`` of the rows are held out
          before partitioning, and the weights come from greedy ensemble
          selection with replacement (Caruana et al., ICML 2004) among
          candidates: starting from an empty mixture, each round adds the
          candidate whose inclusion maximises the score of the mixture
          against the held-out rows (at most 500 of them); it stops after 5
          rounds or when no candidate improves the score by more than
          ``max(0.005, 0.5 / sqrt(n_held_out))`` (0.076 on 43 rows, 0.022
          on 500: gains smaller than that, on a few hundred held-out rows,
          did not hold on test rows), and the
          weights follow the counts. So one candidate can take all the
          weight. Each candidate generates 500 rows once, and a mixture
          takes rows from them in proportion to the counts. The score is
          :func:`~skl_synth.metrics.early_stopping_score`: the formula of
          :func:`~skl_synth.metrics.synthesis_score`, which :meth:`score`
          reports and ``GridSearchCV`` tunes, with the detection AUC out of
          bag, which is half the cost and, on 500 generated rows, spreads
          less over draws. For ``"none"`` and ``"bootstrap"`` the candidates
          are the synthesizers, each the even mix of its members (which
          differ only by seed or resample, so a synthesizer chosen with
          several members is a deep generative ensemble of them), scored
          on all held-out rows. For ``"kfold"``, ``"cluster"`` and
          ``"column"`` the selection runs once per part, among that part's
          members, on the part's held-out rows (all of them for
          ``"kfold"``, whose parts are random shards); the part keeps its
          share of the rows. A part with fewer than 10 held-out rows is not
          scored: its members are mixed as the scored parts' synthesizers
          were, on average. A selection costs at most ``5 *
          n_candidates`` scores of about 0.3-0.5 s each (fewer, as
          identical mixtures are scored once).
    validation_fraction : float, default=0.2
        Fraction of the rows held out with ``weighting="validation"``; no
        rows are held out otherwise.
    refit : bool or "auto", default="auto"
        With ``weighting="validation"``: after the selection, fit each member
        with a positive weight again, from its synthesizer and with the same
        seed, on its part's rows plus the part's held-out rows (for
        ``"none"``, all the rows), so that a member chosen alone is the same
        model as that synthesizer fitted alone on the table (then with the
        ensemble's ``random_state``, where it is an integer). Members with
        weight 0 keep their first fit. Ignored otherwise. With ``race``, see
        there. ``"auto"`` refits after a race only: there it costs about
        the winner's racing epochs and scored higher on four tables of five,
        while after members trained to their ends it doubled the fit for no
        gain.
    race : bool or "auto", default="auto"
        With ``weighting="validation"`` and ``partition="none"`` (where
        ``"auto"`` races): race the synthesizers instead of training each to
        its end (successive halving, as
        :class:`~sklearn.model_selection.HalvingGridSearchCV` does over
        parameters). The deep members train a first round of 1/16 of their
        planned epochs (``planned_epochs_``), the others in full. After each
        round each synthesizer's members (mixed evenly) are scored on the
        held-out rows as the selection scores them. Those still training are
        compared with each other only, being as far in their training: the
        better half (rounded up), less those more than the selection's
        tolerance below their best, train on to twice the share (all of it
        after 5 rounds). A synthesizer whose training has ended (the copula)
        cannot improve: it stays while within the tolerance of the best
        finished one and no racer scores above it. The rounds go on while more
        than one synthesizer is left and one is still training; the weights are
        then selected among those left. One left alone trains to its end, or,
        with ``refit``, is fitted again from its start on all rows (each member
        with its seed; a lone member with the ensemble's ``random_state`` where
        it is an integer): the ensemble is then that synthesizer fitted alone
        on the table, with the same seed. With ``refit``, the racers learn at
        most 5 000 of the training rows, drawn keeping the shares of the
        held-out rows' strata: a race ranks, and its cost stays that of a
        mid-size table however large the table. One that drops out keeps the
        weights it reached, uncalibrated, and weight 0. ``summary_`` reports
        ``race_round`` (after which round it dropped out; 0 if left out by
        ``time_budget``, NaN if it did not), ``epochs`` and ``fit_time``.
        Rounds run one member at a time (``n_jobs`` serves the refit only), and
        their budgets are in epochs: the fit is reproducible (without
        ``time_budget``).
    time_budget : float, default=None
        Seconds for the whole fit, or None for no limit. The neural members
        share it: each gets training seconds in proportion to its part's rows
        (members that train at once, ``n_jobs`` of them, each get theirs in
        full), 85% of the budget left when they start, or 45% if a refit
        follows; the refit gets 90% of what is then left. A member whose
        seconds run out stops after its current epoch, keeps its best
        validation state (with early stopping) and calibrates its conditions as
        usual. The copula is not limited (it fits in well under a second).
        Calibration, selection and sampling come on top, so a fit can overrun
        the budget by a few seconds, and with a budget the number of epochs,
        hence the samples, depend on the machine's speed. ``fit_seconds_``
        reports what each member took; if nothing is left for the refit, it is
        skipped with a warning. With ``race``: each round may take half of the
        seconds left, shared by the members racing in it (a member stops after
        the epoch that spends its share); a synthesizer whose first round would
        need more than that, at the pace of its first epoch, is left out of the
        race with a warning that names it (``race_round`` 0), the copula and
        the cheaper ones racing on (if none is left, the cheapest races); the
        winner then trains on, or is fitted again, within 85% or 90% of what is
        left.
    {discrete_columns}
    {reject_copies} The members' own
        ``reject_copies`` settings apply within each member.
    n_jobs : int, default=None
        Members fitted in parallel by joblib. ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context; -1 uses all processors
        (``joblib.effective_n_jobs``; each process then gets a share of the
        cores for its torch threads, as joblib's loky backend limits them).
    verbose : int, default=0
        0 is silent; 1 or more shows progress bars: one over the member fits
        and the selection rounds, and each neural member's epoch bar,
        labelled with the member's name (``vae_0``).
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split, the parts, the members' seeds, the
        selection pools and the sampling. With an int, fitting the same data
        on the CPU gives identical samples, and each ``sample`` call with the
        same arguments returns the same rows (unless ``time_budget`` stops
        a member). The global RNGs are never used.

    Attributes
    ----------
    encoder_ : TabularEncoder
        Fitted on all rows (standard encoding): the schema that ``sample``
        and ``score`` validate against and that the clusters are computed in.
    members_ : list of (str, estimator) tuples
        The fitted members, in the order described above.
    member_parts_ : ndarray of shape (n_members,)
        The index into ``parts_`` of the part each member was fitted on.
    parts_ : list of ndarray
        The training row positions (into the rows given to ``fit``) of each
        part, held-out rows excluded; bootstrap parts repeat positions.
    n_parts_ : int
        Number of parts.
    dropped_columns_ : list of list
        For each member, the columns entirely missing in its part, left out
        of its fit (and missing in its samples).
    part_values_ : list or None
        With ``partition="column"``: the value of ``partition_column`` in
        each part (None for missing values; a list of values for a part
        pooled from rare ones); None otherwise.
    validation_indices_ : ndarray
        Positions of the held-out rows (empty unless
        ``weighting="validation"``).
    validation_parts_ : list of ndarray
        For each part, the held-out positions it is scored and refitted on.
    weights_ : ndarray of shape (n_members,)
        Mixture weights, non-negative, summing to 1.
    member_scores_ : ndarray of shape (n_members,)
        With ``weighting="validation"``: the validation score of each
        member's candidate alone: the member's own with ``"kfold"``,
        ``"cluster"`` and ``"column"`` (NaN for the members of a part too
        small to score), that of its synthesizer's members mixed with
        ``"none"`` and ``"bootstrap"``. With ``race``: the score when the
        synthesizer dropped out, or, for those left, in the selection (in
        the last round if one synthesizer was left; NaN if it raced alone).
    selection_scores_ : list of ndarray
        With ``weighting="validation"``: for each selection (one, or one per
        part), the mixture's validation score after each round (increasing;
        empty for a part not scored, or for a race that left one
        synthesizer).
    selection_time_ : float
        With ``weighting="validation"``: seconds spent selecting the weights
        (with ``race``, scoring the rounds too).
    race_ : bool
        Whether the fit raced the synthesizers (``race``).
    refitted_ : ndarray of bool of shape (n_members,)
        Which members were fitted again on their held-out rows (``refit``).
    fit_seconds_ : ndarray of shape (n_members,)
        Wall seconds of each member's fit, its refit included.
    summary_ : DataFrame
        One row per member: ``member``, ``synthesizer``, ``part``,
        ``n_rows`` (that its last fit learnt: with a refit, its part's and
        their held-out rows; a racer that dropped out, its racing sample),
        ``fit_time`` (``fit_seconds_``), ``epochs`` (run by a
        neural member, NaN for others), ``weight``, ``refitted`` and, with
        ``weighting="validation"``, ``validation_score``.
    {copies_attributes}
    {features_in}

    See Also
    --------
    skl_synth.synthesizers.GaussianCopulaSynthesizer : A Gaussian copula.
    skl_synth.synthesizers.GANSynthesizer : A conditional GAN.
    skl_synth.synthesizers.VAESynthesizer : A conditional VAE.
    skl_synth.synthesizers.DiffusionSynthesizer : A diffusion model.

    Examples
    --------
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.ensemble import EnsembleSynthesizer
    >>> from skl_synth.synthesizers import (
    ...     GaussianCopulaSynthesizer, VAESynthesizer)
    >>> data = load_student_placements()
    >>> ensemble = EnsembleSynthesizer(
    ...     [("copula", GaussianCopulaSynthesizer()),
    ...      ("vae", VAESynthesizer(epochs=5))],
    ...     partition="column", partition_column="placed",
    ...     weighting="size", random_state=0,
    ... ).fit(data)
    >>> [name for name, _ in ensemble.members_]
    ['copula_0', 'copula_1', 'vae_0', 'vae_1']
    >>> ensemble.part_values_, ensemble.weights_.round(2)
    ([False, True], array([0.16, 0.34, 0.16, 0.34]))
    >>> synthetic = ensemble.sample(100, conditions={{"placed": False}})
    >>> synthetic.shape, bool((~synthetic["placed"]).all())
    ((100, 16), True)
    """

    _continuous_encoding = "standard"
    _parameter_constraints: dict = {
        **BaseSynthesizer._parameter_constraints,
        "synthesizers": [list, None],
        "partition": [StrOptions({"none", "bootstrap", "kfold", "cluster", "column"})],
        "n_partitions": [Interval(Integral, 1, None, closed="left")],
        "partition_column": "no_validation",
        "weighting": [StrOptions({"uniform", "size", "validation"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "refit": ["boolean", StrOptions({"auto"})],
        "race": ["boolean", StrOptions({"auto"})],
        "time_budget": [Interval(Real, 0, None, closed="neither"), None],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        synthesizers=None,
        *,
        partition="none",
        n_partitions=1,
        partition_column=None,
        weighting="validation",
        validation_fraction=0.2,
        refit="auto",
        race="auto",
        time_budget=None,
        discrete_columns=None,
        column_kinds=None,
        reject_copies=False,
        n_jobs=None,
        verbose=0,
        random_state=None,
    ):
        self.synthesizers = synthesizers
        self.partition = partition
        self.n_partitions = n_partitions
        self.partition_column = partition_column
        self.weighting = weighting
        self.validation_fraction = validation_fraction
        self.refit = refit
        self.race = race
        self.time_budget = time_budget
        self.discrete_columns = discrete_columns
        self.column_kinds = column_kinds
        self.reject_copies = reject_copies
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.random_state = random_state

    @_fit_context(
        # the members' parameters are validated when each member fits
        prefer_skip_nested_validation=False
    )
    @fill_doc
    def fit(self, X, y=None):
        """Fit the members on their parts of ``X`` and learn their weights.

        Parameters
        ----------
        {fit_table}

        Returns
        -------
        self : EnsembleSynthesizer
            The fitted ensemble.
        """
        return self._fit_checked(X)

    def get_params(self, deep=True):
        """Get the parameters, with the synthesizers' as ``name__param``.

        Parameters
        ----------
        deep : bool, default=True
            Whether to include the listed synthesizers and their parameters.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return self._get_params("synthesizers", deep=deep)

    def set_params(self, **params):
        """Set parameters, including the synthesizers' (``gan__epochs=10``).

        Parameters
        ----------
        **params : keyword arguments
            Ensemble parameters, ``name=estimator`` to replace a listed
            synthesizer, or ``name__param=value``.

        Returns
        -------
        self : EnsembleSynthesizer
            This ensemble.
        """
        if self.synthesizers is None and any(
            key.partition("__")[0] in DEFAULT_NAMES for key in params
        ):
            self.synthesizers = default_synthesizers()
        return self._set_params("synthesizers", **params)

    # ------------------------------------------------------------------
    # fit

    def _check_params(self):
        asked = self.race != "auto" and self.race
        if asked and (self.weighting, self.partition) != ("validation", "none"):
            raise ValueError(
                f"race=True needs weighting='validation' and partition='none' "
                f"(the candidates race on held-out rows, each on all the other "
                f"rows); got weighting={self.weighting!r}, partition="
                f"{self.partition!r}."
            )
        if self.partition == "kfold" and self.n_partitions < 2:
            raise ValueError(
                f"partition='kfold' needs n_partitions >= 2; got {self.n_partitions}."
                " Use partition='none' for members on all rows."
            )

    def _racing(self):
        """Whether the fit races and whether it refits (``"auto"`` resolved)."""
        race = self.race
        if race == "auto":
            race = (self.weighting, self.partition) == ("validation", "none")
        refit = race if self.refit == "auto" else self.refit
        return bool(race), bool(refit) and self.weighting == "validation"

    def _fit_encoded(self, X, encoded, rng):
        start = time.perf_counter()
        synthesizers = checked_synthesizers(self.synthesizers, self._validate_names)
        # Members learn DataFrames (ndarray columns become labels 0, 1, ...),
        # so that columns can be left out by name.
        frame = self.encoder_.check_frame(X)
        strata = self._strata(frame)
        n_held = self._n_held_out(len(frame))
        schema, column = self.encoder_.schema_, self.partition_column
        kept_shares = held_out_strata(frame, schema, n_held, strata, column)
        held, train = hold_out(len(frame), n_held, kept_shares, rng)
        parts, held_parts = split_rows(
            self.partition,
            self.n_partitions,
            train,
            held,
            strata,
            rng,
            points=encoded,
            observed=frame.notna().any(axis=1).to_numpy(),
        )
        values = self._part_values(strata, train)
        parts, values, held_parts = merge_small_parts(
            parts,
            values,
            held_parts,
            self._describe_part(values),
            f"partition={self.partition!r}",
        )
        self.race_, refits = self._racing()
        race_rows = self.race_ and refits  # a sample of a large table's rows
        learnt = racing_parts(parts, kept_shares, rng) if race_rows else parts
        members = [
            new_member(
                frame,
                self.encoder_.schema_,
                name,
                estimator,
                p,
                rows,
                rng.randint(SEED_MAX),
                self.column_kinds,
            )
            for name, estimator in synthesizers
            for p, rows in enumerate(learnt)
        ]
        # what the ensemble samples its members with, once they are fitted
        self.parts_, self.part_values_, self.n_parts_ = parts, values, len(parts)
        self.validation_indices_, self.validation_parts_ = held, held_parts
        self._array_dtype = (
            None if isinstance(X, pd.DataFrame) else frame.dtypes.iloc[0]
        )
        self._missing_cells = missing_cells(frame)
        dropped_out = {}
        if self.race_:
            weights, dropped_out = self._race(frame, members, held, rng, refits, start)
        else:
            share = _FIT_SHARE_REFIT if refits else _FIT_SHARE
            seconds = self._seconds(members, share, start)
            self._fit_members(frame, members, len(parts), seconds)
            self._keep(members)
            weights = self._weights(frame, members, rng)
        self.weights_ = weights / weights.sum()
        if refits and len(held):
            self._refit(frame, members, synthesizers, start)
            self._keep(members)
        self.summary_ = self._summary(members, dropped_out)

    def _weights(self, frame, members, rng):
        """The mixture weights of the fitted ``members`` (not yet normalized),
        by ``weighting``; with ``"validation"``, the scores too."""
        if self.weighting == "size":
            return np.array([len(m.rows) for m in members], float)
        if self.weighting == "uniform":
            return np.ones(len(members))
        selection_start = time.perf_counter()
        weights, self.member_scores_, self.selection_scores_ = self._selected(
            frame, members, rng
        )
        self.selection_time_ = time.perf_counter() - selection_start
        return weights

    def _race(self, frame, members, held, rng, refits, start):
        """Race the synthesizers of ``members`` (see ``race``): the weights
        and, for each synthesizer that dropped out, by name, the round after
        which it did."""
        self._keep(members)  # the racing samples the members being trained
        groups = {}
        for j, member in enumerate(members):
            groups.setdefault(member.synthesizer, []).append(j)
        finished = {  # a list, not a generator: every member starts
            name: all(
                [
                    start_racing(members[j], frame, self.n_parts_, self.verbose)
                    for j in group
                ]
            )
            for name, group in groups.items()
        }
        if len(held) > SELECTION_MAX_ROWS:
            held = np.sort(rng.choice(held, SELECTION_MAX_ROWS, replace=False))
        real = frame.iloc[held].reset_index(drop=True)
        tolerance = max(SELECTION_TOLERANCE, SELECTION_NOISE / np.sqrt(len(real)))
        alive, share, round_, dropped_out = list(groups), _RACE_FIRST_SHARE, 1, {}
        self.member_scores_ = np.full(len(members), np.nan)
        self.selection_time_ = 0.0
        race = (members, groups, finished)
        if len(alive) > 1:
            alive = self._race_round(race, alive, share, round_, start, dropped_out)
        while len(alive) > 1:
            scoring_start = time.perf_counter()
            pools = [self._pool(groups[name], rng) for name in alive]
            scores = dict(
                zip(alive, pool_scores(real, pools, self.encoder_.schema_), strict=True)
            )
            self.selection_time_ += time.perf_counter() - scoring_start
            for name, score in scores.items():
                self.member_scores_[groups[name]] = score
            survivors = race_survivors(scores, finished, tolerance)
            for name in alive:
                if name not in survivors:
                    dropped_out[name] = round_
                    end_race(members, groups[name], finished[name])
            alive, share, round_ = survivors, 2 * share, round_ + 1
            if len(alive) == 1 or all(finished[name] for name in alive):
                break  # a lone winner trains on (or is refitted) after
            alive = self._race_round(race, alive, share, round_, start, dropped_out)
        weights = self._race_end(frame, race, alive, refits, round_, rng, start)
        self._keep(members)  # their seconds, the rounds' included
        return weights, dropped_out

    def _race_round(self, race, alive, share, round_, start, dropped_out):
        """Train those of ``alive`` still racing to ``share`` of their epochs
        (under ``time_budget``, in half the seconds left, leaving out those
        whose first round needs more: :func:`left_out`); those left."""
        members, groups, finished = race
        left, limit = self._left(start), None
        if left is not None and round_ == 1:
            out = left_out(race, alive, share, _RACE_SHARE * left, self.time_budget)
            dropped_out.update(dict.fromkeys(out, 0))
            alive = [name for name in alive if name not in out]
        if left is not None:
            n_racing = sum(len(groups[n]) for n in alive if not finished[n])
            limit = _RACE_SHARE * left / max(1, n_racing)
        for name in alive:
            if not finished[name]:
                finished[name] = all(
                    [
                        race_on(members[j], share, self.n_parts_, round_, limit)
                        for j in groups[name]
                    ]
                )
        return alive

    def _race_end(self, frame, race, alive, refits, round_, rng, start):
        """The weights among the synthesizers ``alive`` after a race: the
        one left, if still training, trains to its end (unless it is fitted
        again), and several are selected among."""
        members, groups, finished = race
        left, limit = self._left(start), None
        if left is not None:
            limit = _FIT_SHARE * left / sum(len(groups[name]) for name in alive)
        for name in alive:
            if len(alive) == 1 and refits:  # fitted again after
                end_race(members, groups[name], finished[name])
            elif not finished[name]:
                for j in groups[name]:
                    race_on(members[j], None, self.n_parts_, round_, limit)
        if len(alive) == 1:
            weights = np.zeros(len(members))
            weights[groups[alive[0]]] = 1.0
            self.selection_scores_ = [np.array([])]
            return weights
        selection_start = time.perf_counter()
        weights, scores, self.selection_scores_ = self._selected(
            frame, members, rng, among=alive
        )
        self.selection_time_ += time.perf_counter() - selection_start
        self.member_scores_ = np.where(np.isnan(scores), self.member_scores_, scores)
        return weights

    def _keep(self, members):
        """Set the fitted attributes that describe the members."""
        self.members_ = [(m.name, m.estimator) for m in members]
        self.member_parts_ = np.array([m.part for m in members], dtype=np.intp)
        self.dropped_columns_ = [m.dropped for m in members]
        self.fit_seconds_ = np.array([m.seconds for m in members])
        self.refitted_ = np.array([m.refitted for m in members], dtype=bool)

    def _strata(self, frame):
        """Codes of ``partition_column`` per row (missing as -1), or None."""
        if self.partition_column is None and self.partition != "column":
            return None
        schema = partition_schema(self.encoder_.schema_, self.partition_column)
        return strata_codes(frame[self.partition_column], schema)

    def _n_held_out(self, n_rows):
        """Rows held out for the selection (none unless ``"validation"``)."""
        n_held = 0
        if self.weighting == "validation":
            n_held = max(2, round(self.validation_fraction * n_rows))
        if n_rows < n_held + MIN_PART_ROWS:
            raise ValueError(
                f"EnsembleSynthesizer(partition={self.partition!r}, weighting="
                f"{self.weighting!r}) needs at least {n_held + MIN_PART_ROWS} rows "
                f"({n_held} held out, {MIN_PART_ROWS} to train on); got "
                f"n_samples = {n_rows}."
            )
        return n_held

    def _part_values(self, strata, train):
        """With ``partition="column"``, the value of each part; else None."""
        if self.partition != "column":
            return None
        categories = partition_schema(
            self.encoder_.schema_, self.partition_column
        ).categories
        return [categories[c] if c >= 0 else None for c in column_codes(strata[train])]

    def _describe_part(self, values):
        def describe(i):
            if values is None:
                return f"part {i}"
            return f"part {i} ({self.partition_column}={values[i]!r})"

        return describe

    def _seconds(self, members, share, start):
        """Training seconds of each member: ``share`` of the budget left."""
        return allowances(members, share, self._left(start), self.n_jobs)

    def _left(self, start):
        """Seconds left of ``time_budget`` (at least 0), or None."""
        if self.time_budget is not None:
            return max(0.0, self.time_budget - (time.perf_counter() - start))

    def _fit_members(self, frame, members, n_parts, seconds, desc="members"):
        """Fit ``members`` in place, each deep one within its ``seconds``."""
        fitted = fit_members(
            frame,
            members,
            seconds,
            n_parts,
            n_jobs=self.n_jobs,
            verbose=self.verbose,
            desc=desc,
        )
        for member, (estimator, took) in zip(members, fitted, strict=True):
            member.estimator = estimator
            member.seconds += took

    def _refit(self, frame, members, synthesizers, start):
        """Fit the members with weight again, on their part and its held-out rows."""
        estimators = dict(synthesizers)
        chosen = [m for m, w in zip(members, self.weights_, strict=True) if w > 0]
        refits = []
        for member in chosen:
            rows = np.concatenate(
                [self.parts_[member.part], self.validation_parts_[member.part]]
            )
            seed = member.estimator.get_params(deep=False).get("random_state")
            if len(chosen) == 1 and isinstance(self.random_state, Integral):
                seed = self.random_state  # the winner as fitted alone with it
            refits.append(
                new_member(
                    frame,
                    self.encoder_.schema_,
                    member.synthesizer,
                    estimators[member.synthesizer],
                    member.part,
                    np.sort(rows),
                    seed,
                    self.column_kinds,
                )
            )
        seconds = self._seconds(refits, 1 - _SELECTION_RESERVE, start)
        if any(s is not None and s <= 0 for s in seconds):
            warnings.warn(
                "time_budget was spent before the refit: the members keep their "
                "fit on the rows without the held-out ones.",
                UserWarning,
                stacklevel=5,  # the caller of fit
            )
            return
        self._fit_members(frame, refits, self.n_parts_, seconds, "refit")
        for member, refit in zip(chosen, refits, strict=True):
            member.estimator, member.dropped, member.rows = (
                refit.estimator,
                refit.dropped,
                refit.rows,
            )
            member.seconds += refit.seconds
            member.refitted = True

    def _summary(self, members, dropped_out):
        summary = pd.DataFrame(
            {
                "member": [m.name for m in members],
                "synthesizer": [m.synthesizer for m in members],
                "part": self.member_parts_,
                "n_rows": [len(m.rows) for m in members],
                "fit_time": self.fit_seconds_,
                "epochs": [getattr(m.estimator, "n_epochs_", np.nan) for m in members],
                "weight": self.weights_,
            }
        )
        if self.weighting == "validation":
            summary["validation_score"] = self.member_scores_
        summary["refitted"] = self.refitted_
        if self.race_:
            summary["race_round"] = [
                dropped_out.get(m.synthesizer, np.nan) for m in members
            ]
        return summary

    # ------------------------------------------------------------------
    # weights

    def _selected(self, frame, members, rng, among=None):
        """Weights by greedy selection on the held-out rows, each candidate's
        score alone (``member_scores_``) and each selection's trace; with
        ``among``, among those synthesizers only (of a race)."""
        from tqdm.auto import tqdm

        def bar(rounds):
            return tqdm(rounds, disable=not self.verbose, desc="selection")

        if self.partition in SPLITS:  # per part, among its members
            candidates = [
                [[j] for j in np.flatnonzero(self.member_parts_ == p)]
                for p in range(self.n_parts_)
            ]
            held = self.validation_parts_
        else:  # among synthesizers, each the even mix of its members
            names = np.array([m.synthesizer for m in members])
            kept = [n for n in dict.fromkeys(names) if among is None or n in among]
            candidates = [[np.flatnonzero(names == n) for n in kept]]
            held = [self.validation_indices_]
        scores, traces, within = np.full(len(members), np.nan), [], []
        for group, rows in zip(candidates, held, strict=True):
            counts, alone, trace = self._select(frame, group, rows, rng, bar)
            for members_of, value in zip(group, alone, strict=True):
                scores[members_of] = value
            within.append(counts)
            traces.append(trace)
        if self.partition in SPLITS:
            groups = [np.concatenate(c) for c in candidates]
            return part_weights(within, groups, self.parts_), scores, traces
        weights = np.zeros(len(members))
        for group, count in zip(candidates[0], within[0], strict=True):
            weights[group] = count / len(group)
        return weights, scores, traces

    def _select(self, frame, candidates, held, rng, bar):
        """Selection counts of ``candidates`` (lists of members, each mixed
        evenly) on the rows ``held``, their scores alone and the trace;
        None, NaN and an empty trace if the rows are too few."""
        if len(held) > SELECTION_MAX_ROWS:
            held = np.sort(rng.choice(held, SELECTION_MAX_ROWS, replace=False))
        if len(held) < MIN_SELECTION_ROWS:
            return None, np.full(len(candidates), np.nan), np.array([])
        real = frame.iloc[held].reset_index(drop=True)
        pools = [self._pool(group, rng) for group in candidates]
        return selection_counts(real, pools, self.encoder_.schema_, bar)

    def _pool(self, group, rng):
        """Rows of the members ``group`` mixed evenly, in random order."""
        sizes = allocate(SELECTION_POOL_ROWS, np.ones(len(group)))
        seeds = rng.randint(SEED_MAX, size=len(group))
        rows = [
            self._member_sample(j, n, None, seed)
            for j, n, seed in zip(group, sizes, seeds, strict=True)
        ]
        pool = pd.concat(rows, ignore_index=True)
        if len(group) == 1:
            return pool
        return pool.iloc[rng.permutation(len(pool))].reset_index(drop=True)

    # ------------------------------------------------------------------
    # sample

    def _sample_encoded(self, n_samples, plan, seed):
        """The mixture's rows, encoded by ``encoder_`` (its layout)."""
        return self.encoder_.transform(self._sample_table(n_samples, plan, seed))

    def _sample_table(self, n_samples, plan, seed):
        """Each row from one member: the members' tables, in the rows' order."""
        conditions = plan.conditions
        rng = np.random.RandomState(seed)
        chosen = self._choose_members(n_samples, conditions, rng)
        seeds = rng.randint(SEED_MAX, size=len(self.members_))
        tables, positions = [], []
        for j in np.unique(chosen):
            rows = np.flatnonzero(chosen == j)
            asked = restricted_conditions(conditions, rows, self._member_columns(j))
            tables.append(self._member_sample(j, len(rows), asked, seeds[j]))
            positions.append(rows)
        order = np.argsort(np.concatenate(positions))
        table = pd.concat(tables, ignore_index=True).iloc[order]
        table = table.reset_index(drop=True)
        if self._array_dtype is None:
            return table
        return table.to_numpy().astype(self._array_dtype, copy=False)

    def _member_columns(self, j):
        dropped = self.dropped_columns_[j]
        return [s.name for s in self.encoder_.schema_ if s.name not in dropped]

    def _member_sample(self, j, n_samples, conditions, seed):
        """``n_samples`` rows of member ``j`` as a DataFrame with every column."""
        table = sampling_with_seed(self.members_[j][1], seed).sample(
            n_samples, conditions=conditions
        )
        if not isinstance(table, pd.DataFrame):  # a synthesizer fitted on a frame
            table = pd.DataFrame(table, columns=self._member_columns(j))
        if not self.dropped_columns_[j]:
            return table
        every_row = np.zeros(n_samples, dtype=np.intp)
        columns = [
            table[s.name]
            if s.name in table.columns
            # a placeholder: the ensemble draws the identifiers of all rows
            else pd.Series(every_row, name=s.name).astype(s.dtype)
            if s.kind == "identifier"
            else self._missing_cells[s.name].iloc[every_row].reset_index(drop=True)
            for s in self.encoder_.schema_
        ]
        return pd.concat(columns, axis=1)

    def _choose_members(self, n_samples, conditions, rng):
        """The member generating each row, drawn by weight among those able to."""
        eligible = self._eligible(conditions)
        p = eligible * self.weights_
        sizes = np.array([len(self.parts_[i]) for i in self.member_parts_], float)
        unweighted = p.sum(axis=1) == 0
        p[unweighted] = eligible[unweighted] * sizes
        p /= p.sum(axis=1, keepdims=True)
        cumulative = np.cumsum(p, axis=1)
        if len(p) == 1:
            cumulative = np.broadcast_to(cumulative, (n_samples, p.shape[1]))
        chosen = (rng.random_sample(n_samples)[:, None] > cumulative).sum(axis=1)
        last = p.shape[1] - 1 - np.argmax(p[:, ::-1] > 0, axis=1)
        return np.minimum(chosen, last)  # against rounding in the cumulative sum

    def _eligible(self, conditions):
        """Per conditions row and member: can the member honour the row?"""
        if conditions is None:
            return np.ones((1, len(self.members_)), dtype=bool)
        if isinstance(conditions, dict):
            frame = pd.DataFrame({c: [v] for c, v in conditions.items()})
        else:
            frame = conditions
        seen = {c: seen_by_members(self.members_, frame[c]) for c in frame.columns}
        eligible = np.ones((len(frame), len(self.members_)), dtype=bool)
        for column_seen in seen.values():
            eligible &= column_seen
        stuck = np.flatnonzero(~eligible.any(axis=1))
        if len(stuck):
            i = stuck[0]
            asked = {c: v for c, v in frame.iloc[i].items() if not pd.isna(v)}
            unseen = [f"{c}={v!r}" for c, v in asked.items() if not seen[c][i].any()]
            what = ", ".join(unseen) if unseen else f"{asked} together"
            raise ValueError(
                f"conditions row {i}: no member of the ensemble saw {what} in its "
                "training part, so none can generate it. Condition on fewer "
                "columns, or use a partition whose parts hold every value (e.g. "
                "'bootstrap')."
            )
        return eligible
