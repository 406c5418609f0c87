"""Speed benchmark of :class:`skl_synth.preprocessing.TabularEncoder`.

What it measures
----------------
On one deterministic synthetic mixed-type table (about half continuous float
columns drawn from multi-modal mixtures, some with ~10% NaN; a few integer
columns with many values; a few string columns with 5-50 categories; one bool
column; one datetime64[ns] column at day resolution with some NaT), the wall
time (``time.perf_counter``, best and median of ``--repeats``) of

- ``fit``, ``transform`` and ``inverse_transform`` on the full table,

for each ``continuous_encoding`` ("mode_specific", "quantile", "standard"),
for ``n_jobs`` 1 and 2 with "mode_specific", and for "mode_specific" with
``max_fit_rows=None`` (mixtures fitted on every row instead of the default
10 000), which shows what the default bound saves. Each row also reports the
encoded width and the transform throughput (rows per second, from the best
time). Every ``fit`` starts from a fresh encoder; ``transform`` and
``inverse_transform`` use the encoder of the last ``fit``, after one untimed
call of each (the first calls are up to twice as slow). With ``n_jobs=2``
the first ``fit`` also starts joblib's worker processes, which the best and
median times usually leave out.

The ``max_fit_rows=None`` fit is slow (about 10 times the default one at
100 000 rows: 80 s on an idle 2-core machine, twice that on a busy one), so
it is timed ``--all-rows-repeats`` times (default 1, so best = median there;
0 leaves the row out); the ``fits`` column says how many fits each row timed.
The default run takes about 2.5 minutes on an idle 2-core machine, 1 without
that row. The ``threads`` line lists the BLAS pools: on full-size mixtures
OpenBLAS may run one thread per core, so an ``n_jobs=1`` fit can keep every
core busy (and slows down a lot when other processes compete for them).

How to run
----------
From the repository root, with the package installed::

    python benchmarks/encoder.py              # 100 000 rows x 20 columns
    python benchmarks/encoder.py --quick      # smoke run: 5 000 rows
    python benchmarks/encoder.py --rows 50000 --columns 40 --repeats 5
    python benchmarks/encoder.py --all-rows-repeats 0   # about 1 minute

The table is printed and written to ``--output`` (a CSV, by default
``benchmarks/results/encoder.csv``; that folder is git-ignored). With
``--quick`` (or any ``--rows`` up to 10 000) the ``max_fit_rows=None`` row
fits on the same rows as the default one.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import machine_facts, timed

from skl_synth.preprocessing import TabularEncoder

SEED = 0
DEFAULT_FIT_ROWS = TabularEncoder().max_fit_rows
ENCODINGS = ("mode_specific", "quantile", "standard")
QUICK_ROWS, QUICK_REPEATS = 5_000, 3
MIN_COLUMNS = 5  # one of each kind, two continuous


# --------------------------------------------------------------------------
# command line and machine facts
# --------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time TabularEncoder fit / transform / inverse_transform."
    )
    parser.add_argument("--rows", type=int, default=100_000, help="table rows")
    parser.add_argument("--columns", type=int, default=20, help="table columns")
    parser.add_argument("--repeats", type=int, default=3, help="timings per step")
    parser.add_argument(
        "--all-rows-repeats",
        type=int,
        default=1,
        help="timed fits with max_fit_rows=None (slow; 0 leaves the row out)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("benchmarks/results/encoder.csv"),
        help="CSV file written with the table",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {QUICK_ROWS} rows, {QUICK_REPEATS} repeats",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.repeats = QUICK_ROWS, QUICK_REPEATS
    if args.rows < 1 or args.repeats < 1 or args.all_rows_repeats < 0:
        parser.error("--rows and --repeats must be positive, --all-rows-repeats >= 0")
    if args.columns < MIN_COLUMNS:
        parser.error(f"--columns must be at least {MIN_COLUMNS}")
    return args


# --------------------------------------------------------------------------
# the synthetic table
# --------------------------------------------------------------------------


def column_counts(n_columns: int) -> dict[str, int]:
    """Split ``n_columns`` into kinds: half continuous, one bool, one date."""
    n_continuous = n_columns // 2
    rest = n_columns - n_continuous - 2
    n_categorical = (rest + 1) // 2
    return {
        "continuous": n_continuous,
        "integer": rest - n_categorical,
        "categorical": n_categorical,
        "boolean": 1,
        "datetime": 1,
    }


def continuous_column(rng, n_rows: int, with_nan: bool) -> np.ndarray:
    """A mixture of 2-5 normals with distinct scales; ~10% NaN if asked."""
    n_modes = rng.integers(2, 6)
    means = rng.uniform(-100, 100, n_modes)
    stds = rng.uniform(0.5, 10, n_modes)
    mode = rng.choice(n_modes, size=n_rows, p=rng.dirichlet(np.ones(n_modes)))
    values = rng.normal(means[mode], stds[mode])
    if with_nan:
        values[rng.random(n_rows) < 0.1] = np.nan
    return values


def integer_column(rng, n_rows: int) -> np.ndarray:
    """Many-valued Poisson integers (hundreds of distinct values)."""
    return rng.poisson(rng.uniform(50, 2_000), size=n_rows).astype(np.int64)


def categorical_column(rng, n_rows: int) -> np.ndarray:
    """Object strings with 5-50 categories of unequal frequencies."""
    n_categories = rng.integers(5, 51)
    labels = np.array([f"cat_{k:02d}" for k in range(n_categories)], dtype=object)
    weights = 1.0 / np.arange(1, n_categories + 1)  # Zipf-like
    return rng.choice(labels, size=n_rows, p=weights / weights.sum())


def datetime_column(rng, n_rows: int) -> pd.Series:
    """Days over ten years from 2015, ~5% NaT."""
    days = rng.integers(0, 3_650, size=n_rows)
    dates = pd.Timestamp("2015-01-01") + pd.to_timedelta(days, unit="D")
    series = pd.Series(dates, dtype="datetime64[ns]")
    series[rng.random(n_rows) < 0.05] = pd.NaT
    return series


def make_frame(n_rows: int, n_columns: int, seed: int = SEED) -> pd.DataFrame:
    """The benchmark table: ``n_rows`` x ``n_columns``, same for a given seed."""
    rng = np.random.default_rng(seed)
    counts = column_counts(n_columns)
    columns = {}
    for i in range(counts["continuous"]):
        columns[f"cont_{i}"] = continuous_column(rng, n_rows, with_nan=i % 3 == 0)
    for i in range(counts["integer"]):
        columns[f"int_{i}"] = integer_column(rng, n_rows)
    for i in range(counts["categorical"]):
        columns[f"cat_{i}"] = categorical_column(rng, n_rows)
    columns["flag"] = rng.random(n_rows) < 0.3
    columns["date"] = datetime_column(rng, n_rows)
    return pd.DataFrame(columns)


# --------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------


def configurations(repeats: int, all_rows_repeats: int) -> list[tuple[dict, int]]:
    """Encoder parameters of each table row, with its number of timed fits."""
    configs = [({"continuous_encoding": e, "n_jobs": 1}, repeats) for e in ENCODINGS]
    configs.append(({"continuous_encoding": "mode_specific", "n_jobs": 2}, repeats))
    if all_rows_repeats:
        every_row = {"continuous_encoding": "mode_specific", "n_jobs": 1}
        configs.append(({**every_row, "max_fit_rows": None}, all_rows_repeats))
    return configs


def time_steps(frame: pd.DataFrame, params: dict, fits: int, repeats: int) -> dict:
    """Seconds of each repeat of fit, transform and inverse_transform."""
    times = {"fit": [], "transform": [], "inverse": []}
    for _ in range(fits):
        encoder = TabularEncoder(random_state=SEED, **params)
        seconds, _ = timed(encoder.fit, frame)
        times["fit"].append(seconds)
    encoded = encoder.transform(frame)  # warm-up: first calls page in memory
    encoder.inverse_transform(encoded)
    for _ in range(repeats):
        seconds, encoded = timed(encoder.transform, frame)
        times["transform"].append(seconds)
    for _ in range(repeats):
        seconds, _ = timed(encoder.inverse_transform, encoded)
        times["inverse"].append(seconds)
    return {"times": times, "width": encoded.shape[1]}


def result_row(frame: pd.DataFrame, params: dict, fits: int, repeats: int) -> dict:
    measured = time_steps(frame, params, fits, repeats)
    fit_rows = params.get("max_fit_rows", DEFAULT_FIT_ROWS)
    row = {
        "encoding": params["continuous_encoding"],
        "n_jobs": params["n_jobs"],
        "max_fit_rows": "all" if fit_rows is None else fit_rows,
        "width": measured["width"],
        "fits": fits,
    }
    for step, seconds in measured["times"].items():
        row[f"{step}_best_s"] = min(seconds)
        row[f"{step}_median_s"] = statistics.median(seconds)
    row["transform_rows_per_s"] = round(len(frame) / row["transform_best_s"])
    return row


def format_table(table: pd.DataFrame) -> str:
    formatters = {c: "{:.3f}".format for c in table.columns if c.endswith("_s")}
    formatters["transform_rows_per_s"] = "{:,.0f}".format
    return table.to_string(index=False, formatters=formatters)


# --------------------------------------------------------------------------


def main(argv=None) -> None:
    args = parse_args(argv)
    start = time.perf_counter()
    print("\n".join(machine_facts()))
    frame = make_frame(args.rows, args.columns)
    kinds = ", ".join(f"{n} {k}" for k, n in column_counts(args.columns).items())
    print(f"table    {args.rows:,} rows x {args.columns} columns ({kinds})")
    print(f"repeats  {args.repeats}\n")
    configs = configurations(args.repeats, args.all_rows_repeats)
    rows = [result_row(frame, p, fits, args.repeats) for p, fits in configs]
    table = pd.DataFrame(rows)
    print(format_table(table))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.output, index=False, float_format="%.6g")
    print(f"\nwrote {args.output}; total {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
