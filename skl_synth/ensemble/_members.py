"""An ensemble's members: the record of one, and how they are made, fitted and asked.

Plain functions that :class:`~skl_synth.ensemble.EnsembleSynthesizer`
calls: each member is a clone of a listed synthesizer with its own seed,
the ensemble's column kinds and, for the deep ones, a share of
``time_budget``; joblib fits them; at sampling time, a member gets the
conditions of its rows on the columns it learned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import clone

from ..preprocessing._conversions import column_to_codes
from ..synthesizers import (
    DiffusionSynthesizer,
    GANSynthesizer,
    GaussianCopulaSynthesizer,
    VAESynthesizer,
)
from ..synthesizers._deep import DeepSynthesizer
from ..utils._messages import preview

DEFAULT_NAMES = ("copula", "gan", "vae", "diffusion")


@dataclass
class _Member:
    """One member of an ensemble while it is fitted.

    ``estimator`` is the unfitted clone, replaced by the fitted one;
    ``rows`` are the positions it learns from (into the rows given to
    ``fit``), ``dropped`` the columns it leaves out, ``seconds`` its fit
    time (the refit's added) and ``refitted`` whether it was fitted again on
    its part's held-out rows.
    """

    name: str
    synthesizer: str
    part: int
    estimator: object
    rows: np.ndarray
    dropped: list
    seconds: float = 0.0
    refitted: bool = False

    @property
    def is_deep(self):
        return isinstance(self.estimator, DeepSynthesizer)


def default_synthesizers():
    """The default list: a copula, a GAN, a VAE and a diffusion model.

    Examples
    --------
    >>> [name for name, _ in default_synthesizers()]
    ['copula', 'gan', 'vae', 'diffusion']
    """
    return [
        ("copula", GaussianCopulaSynthesizer()),
        ("gan", GANSynthesizer()),
        ("vae", VAESynthesizer()),
        ("diffusion", DiffusionSynthesizer()),
    ]


def checked_synthesizers(synthesizers, validate_names):
    """``synthesizers`` as a list of (name, synthesizer) pairs, checked.

    Parameters
    ----------
    synthesizers : list of (str, estimator) or None
        The ``synthesizers`` parameter; None is :func:`default_synthesizers`.
    validate_names : callable
        Checks the names (``_BaseComposition._validate_names``).

    Returns
    -------
    synthesizers : list of (str, estimator)

    Examples
    --------
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> pairs = [("copula", GaussianCopulaSynthesizer())]
    >>> checked_synthesizers(pairs, lambda names: None) == pairs
    True
    """
    if synthesizers is None:
        return default_synthesizers()
    if not synthesizers:
        raise ValueError(
            "synthesizers is an empty list; pass (name, synthesizer) pairs, "
            "or None for the default members."
        )
    if not all(isinstance(s, tuple | list) and len(s) == 2 for s in synthesizers):
        raise TypeError(
            "synthesizers must be a list of (name, synthesizer) pairs; got "
            f"{preview(synthesizers)}."
        )
    validate_names([name for name, _ in synthesizers])
    for name, estimator in synthesizers:
        if isinstance(estimator, type) or not hasattr(estimator, "sample"):
            raise TypeError(
                f"synthesizer {name!r} must be a synthesizer instance with fit "
                f"and sample methods; got {estimator!r}."
            )
    return list(synthesizers)


def new_member(frame, schema, name, estimator, part, rows, seed, column_kinds):
    """The unfitted member of ``estimator`` learning ``rows`` of ``frame``.

    It leaves out the columns entirely missing in its rows, and the
    identifiers (the ensemble generates those, unique over all members).
    It is a clone with ``random_state=seed`` (where it has one), and the
    ensemble's discrete columns and column kinds where its own are None.

    Parameters
    ----------
    frame : DataFrame
        All rows given to ``fit``.
    schema : list of ColumnSchema
        The ensemble encoder's ``schema_``.
    name : str
        The synthesizer's name.
    estimator : estimator
        The synthesizer, unfitted.
    part : int
        The part's index.
    rows : ndarray
        The positions it learns.
    seed : int or None
        Its ``random_state``; None keeps the synthesizer's.
    column_kinds : dict or None
        The ensemble's ``column_kinds``.

    Returns
    -------
    member : _Member

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skl_synth.preprocessing import TabularEncoder
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [None, None, 1.0]})
    >>> schema = TabularEncoder().fit(frame).schema_
    >>> member = new_member(frame, schema, "copula", GaussianCopulaSynthesizer(),
    ...                     0, np.arange(2), 7, None)
    >>> member.name, member.estimator.random_state, member.dropped
    ('copula_0', 7, ['b'])
    """
    empty = frame.iloc[rows].isna().all(axis=0).to_numpy()
    identifiers = np.array([s.kind == "identifier" for s in schema])
    dropped = list(frame.columns[empty | identifiers])
    member = clone(estimator)
    params = member.get_params(deep=False)
    if "random_state" in params and seed is not None:
        member.set_params(random_state=int(seed))
    if "discrete_columns" in params and params["discrete_columns"] is None:
        discrete = [s.name for s in schema if s.is_discrete and s.name not in dropped]
        member.set_params(discrete_columns=discrete)
    if column_kinds and "column_kinds" in params and params["column_kinds"] is None:
        kept = {c: k for c, k in column_kinds.items() if c not in dropped}
        member.set_params(column_kinds=kept or None)
    return _Member(f"{name}_{part}", name, part, member, rows, dropped)


def allowances(members, share, seconds_left, n_jobs):
    """Training seconds of each deep member under ``time_budget``.

    ``share`` of the seconds left of the budget is split among the deep
    members in proportion to their rows, times the workers that train at
    once; other members (a copula) are not limited (None).

    Parameters
    ----------
    members : list of _Member
    share : float
    seconds_left : float or None
        None: no budget, nobody is limited.
    n_jobs : int or None

    Returns
    -------
    seconds : list of float or None

    Examples
    --------
    >>> import numpy as np
    >>> from skl_synth.synthesizers import VAESynthesizer
    >>> members = [_Member(f"vae_{i}", "vae", i, VAESynthesizer(), np.arange(n), [])
    ...            for i, n in enumerate([10, 30])]
    >>> allowances(members, 0.5, 8.0, 1)
    [1.0, 3.0]
    """
    deep = [member.is_deep for member in members]
    if seconds_left is None or not any(deep):
        return [None] * len(members)
    rows = np.array(
        [len(m.rows) if d else 0 for m, d in zip(members, deep, strict=True)], float
    )
    n_deep = int(sum(deep))  # trained in waves of as many as the workers
    at_once = n_deep / np.ceil(n_deep / max(1, effective_n_jobs(n_jobs)))
    seconds = max(0.0, share * seconds_left) * at_once * rows / rows.sum()
    return [float(t) if d else None for t, d in zip(seconds, deep, strict=True)]


def fit_members(frame, members, seconds, n_parts, *, n_jobs, verbose, desc):
    """Fit ``members`` with joblib, each limited to its ``seconds``.

    Returns
    -------
    fitted : list of (estimator, float)
        Each fitted estimator and its wall seconds, in order.
    """
    from tqdm.auto import tqdm

    if len(members) == 1:  # in this process: a worker's start costs seconds
        n_jobs = 1
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_fit_member)(
            member.estimator,
            frame.iloc[member.rows].drop(columns=member.dropped),
            _description(member, n_parts),
            {"time_limit": limit, "progress_label": member.name}
            if member.is_deep
            else {},
            verbose,
        )
        for member, limit in zip(members, seconds, strict=True)
    )
    return list(tqdm(results, total=len(members), disable=not verbose, desc=desc))


def _description(member, n_parts):
    return (
        f"member {member.name!r} (synthesizer {member.synthesizer!r}, part "
        f"{member.part} of {n_parts}: {len(member.rows)} rows)"
    )


def _fit_member(member, X, description, limits, verbose):
    """Fit one member (runs in a joblib worker); name it in any error."""
    start = time.perf_counter()
    if limits and verbose:
        member.set_params(verbose=verbose)
    try:
        member.fit(X, **limits)
    except Exception as error:
        raise ValueError(
            f"{description} failed to fit: {type(error).__name__}: {error}"
        ) from error
    return member, time.perf_counter() - start


def missing_cells(frame):
    """One missing cell of each column that has one, with its dtype.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = missing_cells(pd.DataFrame({"a": [1.0, None], "b": [1, 2]}))
    >>> list(cells), cells["a"].isna().tolist()
    (['a'], [True])
    """
    missing = frame.isna().to_numpy()
    return {
        c: frame[c].iloc[[np.argmax(missing[:, i])]].reset_index(drop=True)
        for i, c in enumerate(frame.columns)
        if missing[:, i].any()
    }


def sampling_with_seed(member, seed):
    """The fitted ``member``, sampling with ``seed``, sharing its fitted state.

    Not a clone (which would be unfitted, as the over-samplers'
    ``_seeded_clone``): the fitted state is shared.

    A shallow copy (the ``__dict__`` is shared, nothing is pickled or copied)
    with ``random_state=seed``, so that each ensemble ``sample`` call gets
    fresh member samples (fixed ones for an int ``random_state``).

    Examples
    --------
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> sampling_with_seed(GaussianCopulaSynthesizer(random_state=0), 5).random_state
    5
    """
    if "random_state" not in member.get_params(deep=False):
        return member
    copy = object.__new__(type(member))
    copy.__dict__.update(member.__dict__)
    copy.random_state = int(seed)
    return copy


def seen_by_members(members, values):
    """Per value and member: was the value (or a missing cell) seen in its part?

    Parameters
    ----------
    members : list of (str, estimator)
        Fitted members; one that is not a
        :class:`~skl_synth.synthesizers.BaseSynthesizer` decides itself.
    values : Series
        Asked values of one column (missing: no condition).

    Returns
    -------
    seen : ndarray of bool of shape (n_values, n_members)

    Examples
    --------
    >>> import pandas as pd
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> model = GaussianCopulaSynthesizer().fit(pd.DataFrame({"c": ["a", "b"]}))
    >>> seen_by_members([("m", model)], pd.Series(["a", "z"], name="c")).tolist()
    [[True], [False]]
    """
    seen = np.ones((len(values), len(members)), dtype=bool)
    asked = values.notna().to_numpy()
    for j, (_, member) in enumerate(members):
        encoder = getattr(member, "encoder_", None)
        if encoder is None:  # not a BaseSynthesizer: let it decide
            continue
        schema = next((s for s in encoder.schema_ if s.name == values.name), None)
        if schema is None or not schema.is_discrete:
            seen[asked, j] = False
        else:
            seen[:, j] = column_to_codes(values.astype(object), schema) != -2
    return seen


def restricted_conditions(conditions, rows, columns):
    """The conditions of ``rows`` on the ``columns`` a member has (None if none).

    Examples
    --------
    >>> import pandas as pd
    >>> asked = pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]})
    >>> restricted_conditions(asked, [2], ["a"]).to_dict("list")
    {'a': [3]}
    >>> restricted_conditions({"b": 1}, [0], ["a"]) is None
    True
    """
    if conditions is None:
        return None
    columns = set(columns)
    if isinstance(conditions, dict):
        return {c: v for c, v in conditions.items() if c in columns} or None
    asked = conditions.iloc[rows].reset_index(drop=True)
    asked = asked[[c for c in asked.columns if c in columns]]
    return asked if asked.shape[1] else None
