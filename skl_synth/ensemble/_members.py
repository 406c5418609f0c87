"""How an ensemble fits its members: one clone per synthesizer and part, with joblib.

Members get their own seeds, the ensemble's column kinds and, for the deep
ones, a share of ``time_budget``; the refit trains the selected members
again on their part and its held-out rows.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import clone

from ..synthesizers import (
    DiffusionSynthesizer,
    GANSynthesizer,
    GaussianCopulaSynthesizer,
    VAESynthesizer,
)
from ..synthesizers._deep import DeepSynthesizer
from ..utils._messages import preview
from ..utils._random import SEED_MAX

# Shares of the time left of time_budget given to the members' training
# loops: without a refit; before a refit (which gets the rest less the
# reserve, for the calibration, the selection and the sampling).
_FIT_SHARE = 0.85
_FIT_SHARE_REFIT = 0.45
_SELECTION_RESERVE = 0.1


_DEFAULT_NAMES = ("copula", "gan", "vae", "diffusion")


def _default_synthesizers():
    return [
        ("copula", GaussianCopulaSynthesizer()),
        ("gan", GANSynthesizer()),
        ("vae", VAESynthesizer()),
        ("diffusion", DiffusionSynthesizer()),
    ]


class _MemberFitMixin:
    """The member fits of :class:`~skl_synth.ensemble.EnsembleSynthesizer`."""

    def _checked_synthesizers(self):
        synthesizers = self.synthesizers
        if synthesizers is None:
            return _default_synthesizers()
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
        self._validate_names([name for name, _ in synthesizers])
        for name, estimator in synthesizers:
            if isinstance(estimator, type) or not hasattr(estimator, "sample"):
                raise TypeError(
                    f"synthesizer {name!r} must be a synthesizer instance with fit "
                    f"and sample methods; got {estimator!r}."
                )
        return list(synthesizers)

    def _fit_members(self, frame, synthesizers, rng, start):
        missing = frame.isna().to_numpy()
        self._missing_cells = {  # one missing cell per column, dtype and all
            c: frame[c].iloc[[np.argmax(missing[:, i])]].reset_index(drop=True)
            for i, c in enumerate(frame.columns)
            if missing[:, i].any()
        }
        jobs = [
            self._job(frame, name, estimator, p, rows, rng.randint(SEED_MAX))
            for name, estimator in synthesizers
            for p, rows in enumerate(self.parts_)
        ]
        self.member_parts_ = np.array([job[2] for job in jobs], dtype=np.intp)
        self.dropped_columns_ = [job[5] for job in jobs]
        self._synthesizer_names = [job[1] for job in jobs]
        refits = self.refit and self.weighting == "validation"
        share = _FIT_SHARE_REFIT if refits else _FIT_SHARE
        allowances = self._allowances(jobs, share, start)
        fitted = self._run_fits(frame, jobs, allowances, "members")
        self.members_ = [(job[0], f[0]) for job, f in zip(jobs, fitted, strict=True)]
        self.fit_seconds_ = np.array([f[1] for f in fitted])

    def _job(self, frame, name, estimator, part, rows, seed):
        """(member name, synthesizer name, part, unfitted member, rows, dropped
        columns): a member of ``estimator`` to fit on ``rows``."""
        empty = frame.iloc[rows].isna().all(axis=0).to_numpy()
        # identifiers are the ensemble's to generate, unique over all members
        keys = [s.kind == "identifier" for s in self.encoder_.schema_]
        dropped = list(frame.columns[empty | np.array(keys)])
        discrete = [s.name for s in self.encoder_.schema_ if s.is_discrete]
        member = _member(estimator, discrete, dropped, seed, self.column_kinds)
        return (f"{name}_{part}", name, part, member, rows, dropped)

    def _allowances(self, jobs, share, start):
        """Training seconds of each deep member under ``time_budget``.

        ``share`` of the time left of the budget is split among the deep
        members in proportion to their rows, times the workers that train
        at once; other members (a copula) are not limited (None).
        """
        deep = [isinstance(job[3], DeepSynthesizer) for job in jobs]
        if self.time_budget is None or not any(deep):
            return [None] * len(jobs)
        left = self.time_budget - (time.perf_counter() - start)
        rows = np.array(
            [len(job[4]) if d else 0 for job, d in zip(jobs, deep, strict=True)], float
        )
        n_deep = int(sum(deep))  # trained in waves of as many as the workers
        at_once = n_deep / np.ceil(n_deep / max(1, effective_n_jobs(self.n_jobs)))
        seconds = max(0.0, share * left) * at_once * rows / rows.sum()
        return [float(t) if d else None for t, d in zip(seconds, deep, strict=True)]

    def _run_fits(self, frame, jobs, allowances, desc):
        """Fit (name, synthesizer, part, member, rows, dropped) jobs with joblib."""
        from tqdm.auto import tqdm

        results = Parallel(n_jobs=self.n_jobs, return_as="generator")(
            delayed(_fit_member)(
                _limited(member, member_name, allowance, self.verbose),
                frame.iloc[rows].drop(columns=dropped),
                f"member {member_name!r} (synthesizer {name!r}, part {p} of "
                f"{self.n_parts_}: {len(rows)} rows)",
            )
            for (member_name, name, p, member, rows, dropped), allowance in zip(
                jobs, allowances, strict=True
            )
        )
        return list(tqdm(results, total=len(jobs), disable=not self.verbose, desc=desc))

    def _refit_members(self, frame, synthesizers, start):
        """Fit the members with weight again, on their part and its held-out rows."""
        chosen = np.flatnonzero(self.weights_ > 0)
        if not len(self.validation_indices_):
            return
        estimators = dict(synthesizers)
        jobs = []
        for j in chosen:
            p, name = self.member_parts_[j], self._synthesizer_names[j]
            rows = np.sort(np.concatenate([self.parts_[p], self.validation_parts_[p]]))
            seed = self.members_[j][1].get_params(deep=False).get("random_state")
            jobs.append(self._job(frame, name, estimators[name], p, rows, seed))
        allowances = self._allowances(jobs, 1 - _SELECTION_RESERVE, start)
        if any(a is not None and a <= 0 for a in allowances):
            warnings.warn(
                "time_budget was spent before the refit: the members keep their "
                "fit on the rows without the held-out ones.",
                UserWarning,
                stacklevel=5,
            )
            return
        fitted = self._run_fits(frame, jobs, allowances, "refit")
        for j, job, (member, seconds) in zip(chosen, jobs, fitted, strict=True):
            self.members_[j] = (job[0], member)
            self.dropped_columns_[j] = job[5]
            self.fit_seconds_[j] += seconds
            self.refitted_[j] = True


def _member(estimator, discrete, dropped, seed, kinds=None):
    """An unfitted member: a clone with its own seed and the shared column kinds."""
    member = clone(estimator)
    params = member.get_params(deep=False)
    if "random_state" in params and seed is not None:
        member.set_params(random_state=int(seed))
    if "discrete_columns" in params and params["discrete_columns"] is None:
        member.set_params(discrete_columns=[c for c in discrete if c not in dropped])
    if kinds and "column_kinds" in params and params["column_kinds"] is None:
        kept = {c: k for c, k in kinds.items() if c not in dropped}
        member.set_params(column_kinds=kept or None)
    return member


def _limited(member, name, seconds, verbose):
    """``member`` labelled ``name`` in progress bars and limited to ``seconds``.

    Deep members read both before their epoch loop (and forget them after
    the fit); other members are returned as they are.
    """
    if not isinstance(member, DeepSynthesizer):
        return member
    if verbose:
        member.set_params(verbose=verbose)
    member._progress_label, member._time_limit = name, seconds
    return member


def _fit_member(member, X, description):
    """Fit one member (runs in a joblib worker); name it in any error."""
    start = time.perf_counter()
    try:
        member.fit(X)
    except Exception as error:
        raise ValueError(
            f"{description} failed to fit: {type(error).__name__}: {error}"
        ) from error
    finally:
        for name in ("_progress_label", "_time_limit"):
            member.__dict__.pop(name, None)
    return member, time.perf_counter() - start


def _reseeded(member, seed):
    """The fitted ``member`` sampling with ``seed``, sharing its fitted state.

    A shallow copy (the ``__dict__`` is shared, nothing is pickled or copied)
    with ``random_state=seed``, so that each ensemble ``sample`` call gets
    fresh member samples (fixed ones for an int ``random_state``).
    """
    if "random_state" not in member.get_params(deep=False):
        return member
    reseeded = object.__new__(type(member))
    reseeded.__dict__.update(member.__dict__)
    reseeded.random_state = int(seed)
    return reseeded
