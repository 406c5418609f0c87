"""How an ensemble samples: each row drawn from one member, chosen by weight.

Only members that saw a conditioned value generate rows asking for it;
their rows get back the columns a member's part had no value in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..preprocessing._conversions import column_to_codes
from ..utils._random import SEED_MAX
from ._members import _reseeded


class _MixtureSamplingMixin:
    """The sampling of :class:`~skl_synth.ensemble.EnsembleSynthesizer`."""

    def _sample_table(self, n_samples, conditions, seed):
        rng = np.random.RandomState(seed)
        chosen = self._choose_members(n_samples, conditions, rng)
        seeds = rng.randint(SEED_MAX, size=len(self.members_))
        tables, positions = [], []
        for j in np.unique(chosen):
            rows = np.flatnonzero(chosen == j)
            asked = _restrict(conditions, rows, self._member_columns(j))
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
        table = _reseeded(self.members_[j][1], seed).sample(
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
        seen = {c: _seen_by_members(self.members_, frame[c]) for c in frame.columns}
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


def _seen_by_members(members, values):
    """Per value and member: was the value (or a missing cell) seen in its part?"""
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


def _restrict(conditions, rows, columns):
    """The conditions of ``rows`` on the columns a member has (None if none)."""
    if conditions is None:
        return None
    columns = set(columns)
    if isinstance(conditions, dict):
        return {c: v for c, v in conditions.items() if c in columns} or None
    asked = conditions.iloc[rows].reset_index(drop=True)
    asked = asked[[c for c in asked.columns if c in columns]]
    return asked if asked.shape[1] else None
