"""Conditions of ``sample``: which one-hot slot each generated row must take.

:class:`ConditionPlan` turns ``conditions`` (a dict or a DataFrame on
discrete columns) into per-row slots, and a guide for condition-vector
models; :func:`condition_spans` names the spans a condition vector covers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..preprocessing._conversions import column_to_codes
from ..utils._messages import preview


class ConditionPlan:
    """Per-row conditions: which one-hot slot each conditioned column takes.

    ``slots[column]`` holds, for each generated row, the slot within the
    column's one-hot span (-1: free). ``guide`` is, per row, the flat index of
    one condition for a condition-vector model (the rarest of the row's
    conditions), -1 for free rows. ``conditions`` are those asked for (a
    dict, a DataFrame indexed from 0, or None), for synthesizers that pass
    them on (an ensemble, to its members).
    """

    def __init__(self, encoder, n_samples, values, slots, conditions=None):
        self.encoder, self.n_samples = encoder, n_samples
        self.values, self.slots = values, slots
        self.conditions = conditions
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
            frame = conditions = conditions.reset_index(drop=True)
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
                    f"fit; the columns are {preview(schemas)}."
                )
            schema, codec = schemas[column]
            if schema.kind == "identifier":
                raise ValueError(
                    f"conditions name column {column!r}, an identifier: its values "
                    "are generated fresh, never a training one, so they cannot be "
                    "asked for. Condition on discrete columns."
                )
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
                    f"{preview(pd.unique(series[unseen]))}, never seen in training; "
                    f"its values are {preview(schema.categories)}."
                )
            free = codes < 0
            slots[column] = np.where(
                free, -1, codec.codec_.slot_of_code_[np.maximum(codes, 0)]
            )
            values[column] = (series, free)
        return cls(encoder, n_samples, values, slots, conditions)

    def of_rows(self, rows):
        """The plan of the rows at positions ``rows`` only."""
        conditions = self.conditions
        if isinstance(conditions, pd.DataFrame):
            conditions = conditions.iloc[rows]
        return ConditionPlan.from_conditions(self.encoder, len(rows), conditions)

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
