"""Identifier columns: keys to recognize, and fresh values in their format.

A column of keys (customer ids, order numbers) has nothing to learn, and a
generated row that repeats one leaks it. Such columns are the
``"identifier"`` kind: they take no part in the encoded matrix, and every
generated row gets a new value that no training row has, unique among the
generated rows, in the training values' format:

- integers: drawn among the integers of the training range and just above
  it that no training row holds;
- strings sharing a prefix and a suffix around a number (``u0`` ... ``u499``,
  ``C-0001``): the same prefix and suffix around numbers that no training
  value has, zero-padded to the common width when every number has one;
- other strings (``3f2a-9c``, names): the training lengths and, at each
  position, the characters seen there.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from ..utils._state import persistable

MIN_IDENTIFIER_ROWS = 20
"""Fewer rows than this are never inferred as identifiers: a small table's
unique values are as likely categories that happen to differ."""

_NUMBERED = re.compile(r"^(.*?)(\d+)(\D*)$", re.DOTALL)
_ROUNDS = 20  # rejection rounds before falling back to counting upwards


def looks_like_identifier(series: pd.Series, missing: np.ndarray) -> bool:
    """Whether an unlisted column is a key: strings or consecutive integers,
    every value unique, none missing, at least :data:`MIN_IDENTIFIER_ROWS`."""
    if missing.any() or len(series) < MIN_IDENTIFIER_ROWS:
        return False
    dtype = series.dtype
    if is_integer_column(dtype):
        values = series.to_numpy(dtype=np.int64)
        span = int(values.max()) - int(values.min()) + 1
        return span == len(values) and len(np.unique(values)) == len(values)
    if not (dtype is np.dtype(object) or isinstance(dtype, pd.StringDtype)):
        return False
    values = series.to_numpy(dtype=object)
    return all(isinstance(v, str) for v in values) and series.is_unique


def is_identifier(series: pd.Series, listed: bool, declared) -> bool:
    """Whether a column is taken for keys: declared ``"identifier"``, or not
    declared, not listed in ``discrete_columns`` and looking like keys."""
    if declared is not None or listed:
        return declared == "identifier"
    return looks_like_identifier(series, series.isna().to_numpy())


def warn_inferred(names, stacklevel) -> None:
    """The warning that names the columns inferred as identifiers."""
    warnings.warn(
        f"columns {list(names)!r} look like identifiers (unique strings, or "
        "consecutive integers): generated rows get fresh values in their format, "
        "never training ones. To learn such a column instead, pass "
        "column_kinds={column: 'discrete'} (or 'continuous').",
        UserWarning,
        stacklevel=stacklevel + 1,
    )


def is_integer_column(dtype) -> bool:
    types = pd.api.types
    return types.is_integer_dtype(dtype) and not types.is_bool_dtype(dtype)


def check_identifier_dtype(series: pd.Series) -> None:
    """Raise a ValueError naming the column unless it holds strings or integers."""
    observed = series.dropna().to_numpy(dtype=object)
    dtype = series.dtype
    strings = dtype is np.dtype(object) or isinstance(dtype, pd.StringDtype)
    if is_integer_column(series.dtype) or (
        strings and all(isinstance(v, str) for v in observed)
    ):
        return
    raise ValueError(
        f"Column {series.name!r} is declared an identifier but holds "
        f"{series.dtype} values; identifiers are strings or integers. Declare "
        "it 'discrete' or 'continuous' instead."
    )


@persistable("object")
class IdentifierCodec:
    """Fresh identifiers in the format of a column's training values."""

    def fit(self, series: pd.Series):
        observed = series.dropna()
        self.missing_rate_ = float(series.isna().mean())
        self.integer_ = is_integer_column(series.dtype)
        self.prefix_, self.suffix_, self.width_ = "", "", 0
        if self.integer_:
            self.numbers_ = np.unique(observed.to_numpy(dtype=np.int64))
            return self
        strings = observed.to_numpy(dtype=object).astype(str)
        self.values_ = np.unique(strings)
        matches = [_NUMBERED.match(s) for s in self.values_]
        affixes = {(m.group(1), m.group(3)) for m in matches if m}
        if all(matches) and len(affixes) == 1:
            (self.prefix_, self.suffix_), digits = (
                affixes.pop(),
                [m[2] for m in matches],
            )
            self.numbers_ = np.unique(np.array([int(d) for d in digits]))
            widths = {len(d) for d in digits}
            self.width_ = widths.pop() if len(widths) == 1 else 0
            return self
        self.numbers_ = None
        self.lengths_ = np.array([len(s) for s in self.values_])
        self.alphabets_ = {
            int(n): ["".join(sorted({s[i] for s in self.values_ if len(s) == n}))
                     for i in range(n)]
            for n in np.unique(self.lengths_)
        }  # fmt: skip
        return self

    def sample(self, n_rows: int, rng, offset=None) -> np.ndarray:
        """``n_rows`` values (objects; None where missing), unique, never seen.

        With ``offset`` (rows ``offset`` to ``offset + n_rows`` of a sample
        drawn in parts), numbered identifiers are the numbers above the
        training ones from that offset, shuffled: parts never share one.
        """
        present = rng.random_sample(n_rows) >= self.missing_rate_
        n_new = int(present.sum())
        if self.numbers_ is not None:
            if offset is None:
                numbers = _fresh_integers(self.numbers_, n_new, rng)
            else:
                first = int(self.numbers_[-1]) + 1 + int(offset)
                numbers = first + rng.permutation(n_new).astype(np.int64)
        if self.integer_:
            fresh = numbers
        elif self.numbers_ is not None:
            fresh = np.array(
                [f"{self.prefix_}{k:0{self.width_}d}{self.suffix_}" for k in numbers],
                dtype=object,
            )
        else:
            fresh = self._fresh_strings(n_new, rng)
        out = np.full(n_rows, None, dtype=object)
        out[present] = fresh
        return out

    def _fresh_strings(self, n_rows, rng):
        chosen = np.empty(0, dtype=object)
        for _ in range(_ROUNDS):
            need = n_rows - len(chosen)
            if not need:
                return chosen
            draws = np.concatenate([chosen, self._draw_strings(2 * need + 8, rng)])
            chosen = _first_unique(draws[~np.isin(draws, self.values_)])[:n_rows]
        # a format with few free values: number the last ones
        taken, k = set(self.values_) | set(chosen), 0
        extra = []
        while len(chosen) + len(extra) < n_rows:
            k += 1
            value = f"{self.values_[k % len(self.values_)]}-{k}"
            if value not in taken:
                extra.append(value)
                taken.add(value)
        return np.concatenate([chosen, np.array(extra, dtype=object)])

    def _draw_strings(self, n_rows, rng):
        lengths = self.lengths_[rng.randint(len(self.lengths_), size=n_rows)]
        out = np.empty(n_rows, dtype=object)
        for n in np.unique(lengths):
            rows = np.flatnonzero(lengths == n)
            columns = [
                np.array(list(alphabet))[rng.randint(len(alphabet), size=len(rows))]
                for alphabet in self.alphabets_[int(n)]
            ]
            out[rows] = ["".join(chars) for chars in zip(*columns, strict=True)] or [
                ""
            ] * len(rows)
        return out


def _fresh_integers(taken, n_rows, rng):
    """``n_rows`` distinct integers not in sorted ``taken``, from its range and
    just above it (at least ``n_rows`` of those are free), in random order."""
    if not n_rows:
        return np.empty(0, dtype=np.int64)
    low, high = int(taken[0]), int(taken[-1]) + n_rows
    chosen = np.empty(0, dtype=np.int64)
    for _ in range(_ROUNDS):
        need = n_rows - len(chosen)
        if not need:
            return chosen
        draws = rng.randint(low, high + 1, size=2 * need + 8, dtype=np.int64)
        draws = np.concatenate([chosen, draws[~np.isin(draws, taken)]])
        chosen = _first_unique(draws)[:n_rows]
    free = np.setdiff1d(np.arange(low, high + 1, dtype=np.int64), taken)
    rest = np.setdiff1d(free, chosen)
    return np.concatenate([chosen, rng.permutation(rest)[: n_rows - len(chosen)]])


def _first_unique(values):
    """``values`` without repeats, in the order of their first occurrence."""
    _, first = np.unique(values, return_index=True)
    return values[np.sort(first)]
