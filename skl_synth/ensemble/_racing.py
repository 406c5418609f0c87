"""Racing an ensemble's synthesizers: short resumable fits, rounds that
train the candidates on, time estimates under a budget, and the end of the
training of those that drop out (``EnsembleSynthesizer(race=True)``).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ._members import _description, _fit_member, _Member  # noqa: F401 (doctests)
from ._strata import stratified_choice

# The rows a racer learns at most (the winner is fitted again on all rows).
RACE_MAX_ROWS = 5_000


def racing_parts(parts, strata, rng, max_rows=None):
    """The rows the racers learn: each part's, or where it has more than
    ``max_rows`` (None: ``RACE_MAX_ROWS``), that many of them keeping the
    shares of ``strata`` (codes per row, or None), drawn once for equal
    parts.

    A race only ranks the synthesizers and its winner is fitted again on all
    rows, so on a large table it races on a sample of the rows, as
    :class:`~sklearn.model_selection.HalvingGridSearchCV` spends samples.

    Examples
    --------
    >>> import numpy as np
    >>> rows = np.arange(10)
    >>> strata = np.array([0] * 8 + [1] * 2)
    >>> parts = racing_parts([rows, rows], strata, np.random.RandomState(0), 5)
    >>> len(parts[0]), np.bincount(strata[parts[0]]).tolist(), parts[1] is parts[0]
    (5, [4, 1], True)
    """
    drawn, max_rows = {}, max_rows or RACE_MAX_ROWS
    for rows in parts:
        if id(rows) not in drawn:
            if len(rows) <= max_rows:
                drawn[id(rows)] = rows
            elif strata is None:
                drawn[id(rows)] = np.sort(rng.choice(rows, max_rows, replace=False))
            else:
                drawn[id(rows)] = rows[stratified_choice(strata[rows], max_rows, rng)]
    return [drawn[id(rows)] for rows in parts]


def start_racing(member, frame, n_parts, verbose):
    """Fit ``member`` for its first racing epoch (a deep one, resumably) or
    in full (any other); whether its training ended.

    Examples
    --------
    >>> import numpy as np
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.synthesizers import VAESynthesizer
    >>> frame = load_student_placements()
    >>> vae = VAESynthesizer(epochs=5)
    >>> member = _Member("vae_0", "vae", 0, vae, np.arange(100), [])
    >>> start_racing(member, frame, 1, 0), member.estimator.n_epochs_
    (False, 1)
    """
    limits = {}
    if member.is_deep:
        limits = {"time_limit": 0.0, "progress_label": member.name, "resumable": True}
    estimator, seconds = _fit_member(
        member.estimator,
        frame.iloc[member.rows].drop(columns=member.dropped),
        _description(member, n_parts),
        limits,
        verbose,
    )
    member.estimator, member.seconds = estimator, member.seconds + seconds
    return not hasattr(estimator, "_loop")


def race_on(member, share, n_parts, round_, time_limit=None):
    """Train a racing ``member`` on to ``share`` of its planned epochs (at
    least one more), or to its end if ``share`` is None, within
    ``time_limit`` seconds (None: no limit); whether its training ended.
    With ``share`` None the training ends in any case. An error names the
    member, its part and the round.

    Examples
    --------
    >>> import numpy as np
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.synthesizers import VAESynthesizer
    >>> frame = load_student_placements()
    >>> vae = VAESynthesizer(epochs=8)
    >>> member = _Member("vae_0", "vae", 0, vae, np.arange(100), [])
    >>> start_racing(member, frame, 1, 0)
    False
    >>> race_on(member, 0.5, 1, 2), member.estimator.n_epochs_
    (False, 4)
    >>> race_on(member, None, 1, 3, time_limit=0.0), member.estimator.n_epochs_
    (True, 5)
    """
    estimator, start = member.estimator, time.perf_counter()
    try:
        if share is None:
            if not estimator.resume(time_limit):
                estimator.end_training()
            done = True
        else:
            until = max(
                estimator.n_epochs_ + 1, round(share * estimator.planned_epochs_)
            )
            done = estimator.resume(time_limit, until_epoch=until)
    except Exception as error:
        raise ValueError(
            f"{_description(member, n_parts)} failed in racing round {round_}: "
            f"{type(error).__name__}: {error}"
        ) from error
    member.seconds += time.perf_counter() - start
    return done


def round_seconds(member, share):
    """The seconds a racing ``member`` needs to reach ``share`` of its
    planned epochs, at the pace of its epochs so far (``training_seconds_``,
    the encoder's fit excluded).

    Examples
    --------
    >>> import numpy as np
    >>> from skl_synth.synthesizers import VAESynthesizer
    >>> vae = VAESynthesizer(epochs=80)
    >>> vae.n_epochs_, vae.planned_epochs_, vae.training_seconds_ = 2, 80, 1.0
    >>> member = _Member("vae_0", "vae", 0, vae, np.arange(100), [])
    >>> round_seconds(member, 1 / 4)
    9.0
    """
    estimator = member.estimator
    epochs = max(1, round(share * estimator.planned_epochs_) - estimator.n_epochs_)
    return estimator.training_seconds_ / max(1, estimator.n_epochs_) * epochs


def end_race(members, group, finished):
    """End the training of the members ``group`` (positions into
    ``members``) of a synthesizer out of a race, where it is, uncalibrated
    (they get weight 0); nothing if ``finished``."""
    if not finished:
        for j in group:
            members[j].estimator.end_training(calibrate=False)


def left_out(race, alive, share, seconds, time_budget):
    """The synthesizers of ``alive`` whose first racing round, to ``share``
    of their planned epochs, needs more than ``seconds`` (at the pace of
    their first epoch, :func:`round_seconds`); each is named in a warning
    and its training ended. The cheapest races if no other is left.

    ``race`` is ``(members, groups, finished)``: the members, each
    synthesizer's positions into them, and whether its training ended.

    Examples
    --------
    >>> import numpy as np
    >>> from skl_synth.synthesizers import VAESynthesizer
    >>> vae = VAESynthesizer(epochs=80)
    >>> vae.n_epochs_, vae.planned_epochs_, vae.training_seconds_ = 1, 80, 1.0
    >>> member = _Member("vae_0", "vae", 0, vae, np.arange(100), [])
    >>> race = ([member], {"vae": [0]}, {"vae": False})
    >>> left_out(race, ["vae"], 1 / 16, 10.0, 20.0)  # 4 epochs, 4 s
    []
    """
    members, groups, finished = race
    needs = {
        name: sum(round_seconds(members[j], share) for j in groups[name])
        for name in alive
        if not finished[name]
    }
    out = [name for name, need in needs.items() if need > seconds]
    if len(out) == len(alive):  # nothing else: the cheapest races
        out.remove(min(out, key=needs.get))
    kept = [name for name in alive if name not in out]
    for name in out:
        warnings.warn(
            f"time_budget={time_budget}: the first racing round of {name!r} "
            f"needs about {needs[name]:.1f} s, more than the {seconds:.1f} s it "
            f"may take; {name!r} is left out of the race (kept: {kept}). Raise "
            "time_budget to race it.",
            UserWarning,
            stacklevel=9,  # the caller of fit
        )
        end_race(members, groups[name], False)
    return out
