"""Identifier columns in the samplers: not learned, fresh for every new row.

The samplers find the identifier columns of ``X`` as the synthesizer's
encoder would, learn the other columns, and give all new rows (generated,
interpolated or jittered) fresh identifiers at once, unique over them and
none a value of ``X``. A target that is itself a column of keys is refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..preprocessing._codecs import ColumnCodec
from ..preprocessing._identifiers import (
    is_identifier,
    looks_like_identifier,
    warn_inferred,
)
from ..preprocessing._schema import ColumnSchema


def for_columns(synthesizer, columns):
    """``synthesizer`` with a ``column_kinds`` naming only ``columns`` (the
    identifiers it named were taken out of the table)."""
    kinds = synthesizer.get_params(deep=False).get("column_kinds")
    if not kinds:
        return synthesizer
    kept = {c: k for c, k in kinds.items() if c in set(columns)}
    if kept == kinds:
        return synthesizer
    return clone(synthesizer).set_params(column_kinds=kept or None)


def identifier_columns(frame, synthesizer):
    """The columns of ``frame`` that ``synthesizer`` would take for identifiers:
    declared in its ``column_kinds``, or inferred (with the warning the
    encoder gives) unless listed in ``discrete_columns`` or ``column_kinds``."""
    params = synthesizer.get_params(deep=False)
    kinds = params.get("column_kinds") or {}
    listed = set(params.get("discrete_columns") or ())
    keys = [
        c for c in frame.columns if is_identifier(frame[c], c in listed, kinds.get(c))
    ]
    inferred = [c for c in keys if c not in kinds]
    if inferred:
        warn_inferred(inferred, stacklevel=4)
    return keys


def _with_fresh_keys(full, new, seed):
    """The new rows with fresh identifiers, in ``full``'s column order: unique
    over all new rows, none a value of ``full``."""
    rng = np.random.RandomState(seed)
    columns = {}
    for name in full.columns:
        if name in new.columns:
            columns[name] = new[name]
        else:
            codec = ColumnCodec(
                ColumnSchema(
                    name, "identifier", full[name].dtype, bool(full[name].isna().any())
                ),
                {},
                None,
            )
            columns[name] = codec.fit(full[name]).fresh(len(new), rng)
    return pd.DataFrame(columns, index=new.index)


def _check_not_identifier(y, synthesizer):
    """A ValueError for a target that is a column of keys, not of classes."""
    series = pd.Series(np.asarray(y).ravel()) if not isinstance(y, pd.Series) else y
    kinds = synthesizer.get_params(deep=False).get("column_kinds") or {}
    declared = series.name is not None and kinds.get(series.name) == "identifier"
    if declared or looks_like_identifier(series, series.isna().to_numpy()):
        raise ValueError(
            f"y{'' if series.name is None else f' ({series.name!r})'} is an "
            f"identifier column (its {len(series)} values are all different keys, "
            "or column_kinds declares it one), not class labels: a sampler grows "
            "classes. Pass the class column as y."
        )
