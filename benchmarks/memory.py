"""Peak memory of fitting skl_synth on 1 000 000 rows x 20 mixed columns.

What it measures
----------------
One deterministic table of ``--rows`` rows and 20 columns: 8 float columns
(normal, log-normal, bimodal, uniform; 5% NaN in half of them), 3 integer
columns with many values, 4 string columns (``--categories``: 5, 20, 50
and 200 categories by default), 2 bool columns, 1 ``category`` column, 1
nullable ``Int64`` column with missing values and 1 datetime column. Each
stage runs in a fresh Python process, which builds the table and then does
one thing:

- ``table``: nothing more (the baseline: the table itself, the imports);
- ``encoder``: ``TabularEncoder().fit(X).transform(X)`` (mode-specific);
- ``vae`` / ``gan``: ``fit`` of the synthesizer, ``--epochs`` epochs
  (default 1), no early stopping, batches of 500 rows;
- ``vae-early-stopping``: the same with ``early_stopping="auto"`` (on above
  10 000 rows: a 10% validation split, scored after each epoch);
- ``copula``: ``GaussianCopulaSynthesizer().fit(X)``;
- ``sample``: a VAE fitted for one epoch on the table, then
  ``sample(n_rows)``;
- ``stream-copula`` / ``stream-vae``: a copula (or a VAE, one epoch) fitted
  on the first 20 000 rows of the table, then
  ``sample_to_parquet(path, --stream-rows, chunk_size=--chunk-size)`` (10
  million rows of 100 000 by default) into a temporary folder. These rows
  report the resident memory after the fit (``model_rss_mb``), the peak
  above it while streaming (``stream_above_mb``; target: at most 500 MB)
  and the rows written per second (``rows_per_s``; target for the copula:
  at least 500 000).

Each row reports the process's peak resident memory (``ru_maxrss``), the
peak above the ``table`` stage's, the encoded matrix's size
(``rows x width x 4`` bytes) and the seconds the stage took. torch runs on
one thread.

The encoded matrix is float32 and one-hot: it takes 4 bytes per row per
category of each discrete column (and per mixture mode of each continuous
one), so its size is set by the categories, not by the 20 columns: a
1000-category column alone adds 4 GB per million rows
(``--categories 5 20 100 1000``). The peak above the table should stay
close to that matrix.

How to run
----------
From the repository root::

    python benchmarks/memory.py               # 1 000 000 rows; ~5 minutes
    python benchmarks/memory.py --quick       # 50 000 rows, a smoke run
    python benchmarks/memory.py --stages table encoder vae

The table is printed and written to ``--output`` (by default
``benchmarks/results/memory.csv``).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

STAGES = ["table", "encoder", "copula", "vae", "gan", "vae-early-stopping", "sample"]
STREAM_STAGES = ["stream-copula", "stream-vae"]
STREAM_FIT_ROWS = 20_000
DEFAULT_OUTPUT = Path(__file__).parent / "results" / "memory.csv"


def make_table(n_rows, categories=(5, 20, 50, 200), seed=0):
    """The 20-column mixed table (deterministic)."""
    rng = np.random.default_rng(seed)

    def holes(values):
        values[rng.random(n_rows) < 0.05] = np.nan
        return values

    pools = [
        np.array([f"v{i:04d}" for i in range(k)], dtype=object) for k in categories
    ]
    columns = {
        "normal": rng.normal(50, 10, n_rows),
        "lognormal": holes(rng.lognormal(3, 1, n_rows)),
        "bimodal": np.where(
            rng.random(n_rows) < 0.3,
            rng.normal(-5, 1, n_rows),
            rng.normal(5, 2, n_rows),
        ),
        "uniform": holes(rng.uniform(0, 1, n_rows)),
        "price": np.round(rng.gamma(2, 30, n_rows), 2),
        "ratio": holes(rng.beta(2, 5, n_rows)),
        "score": rng.normal(0, 1, n_rows) * 100,
        "zero_inflated": holes(
            np.where(rng.random(n_rows) < 0.4, 0.0, rng.exponential(10, n_rows))
        ),
        "age": rng.integers(18, 90, n_rows),
        "income": rng.integers(10_000, 200_000, n_rows),
        "visits": rng.poisson(30, n_rows),
        **{
            f"text_{j}": pool[rng.integers(0, len(pool), n_rows)]
            for j, pool in enumerate(pools)
        },
        "flag": rng.random(n_rows) < 0.3,
        "active": rng.random(n_rows) < 0.7,
        "grade": pd.Categorical(
            rng.choice(list("ABCDE"), n_rows), categories=list("ABCDEF")
        ),
        "rooms": pd.array(
            np.where(rng.random(n_rows) < 0.1, None, rng.integers(1, 8, n_rows)),
            dtype="Int64",
        ),
        "date": pd.Timestamp("2020-01-01")
        + pd.to_timedelta(rng.integers(0, 1500, n_rows), unit="D"),
    }
    return pd.DataFrame(columns)


def peak_mb():
    """Peak resident memory of this process so far, in MiB (Linux: KiB units)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def rss_mb():
    """Resident memory of this process now, in MiB (Linux)."""
    with open("/proc/self/status") as status:
        line = next(row for row in status if row.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def run_stream(stage, stream_rows, chunk_size, epochs, categories):
    """Fit on a small table, stream ``stream_rows`` rows to Parquet (in the child)."""
    import tempfile

    import torch

    from skl_synth.synthesizers import GaussianCopulaSynthesizer, VAESynthesizer

    torch.set_num_threads(1)
    X = make_table(STREAM_FIT_ROWS, categories)
    if stage == "stream-copula":
        model = GaussianCopulaSynthesizer(random_state=0).fit(X)
    else:
        model = VAESynthesizer(
            epochs=epochs, batch_size=500, early_stopping=False, random_state=0
        ).fit(X)
    del X
    model.sample(1_000)  # warm-up: first calls, imports
    model_mb = rss_mb()
    before = peak_mb()
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        path = model.sample_to_parquet(
            Path(folder) / "rows.parquet", stream_rows, chunk_size=chunk_size
        )
        seconds = time.perf_counter() - start
        file_mb = path.stat().st_size / 2**20
    peak = peak_mb()
    return {
        "stage": stage,
        "rows": stream_rows,
        "columns": 20,
        "epochs": epochs if stage == "stream-vae" else "",
        "encoded_width": model.encoder_.layout_[-1].stop,
        "table_peak_mb": "",
        "peak_rss_mb": round(peak, 1),
        "seconds": round(seconds, 2),
        "model_rss_mb": round(model_mb, 1),
        "stream_above_mb": round(max(peak, before) - model_mb, 1),
        "rows_per_s": round(stream_rows / seconds),
        "file_mb": round(file_mb, 1),
    }


def run_stage(stage, n_rows, epochs, categories):
    """Build the table, run one stage, return its measurements (in the child)."""
    import torch

    from skl_synth.preprocessing import TabularEncoder
    from skl_synth.synthesizers import (
        GANSynthesizer,
        GaussianCopulaSynthesizer,
        VAESynthesizer,
    )

    torch.set_num_threads(1)
    X = make_table(n_rows, categories)
    table_mb = peak_mb()
    deep = {
        "epochs": epochs,
        "batch_size": 500,
        "early_stopping": False,
        "random_state": 0,
    }
    start = time.perf_counter()
    width = None
    if stage == "encoder":
        encoder = TabularEncoder(random_state=0).fit(X)
        width = encoder.transform(X).shape[1]
    elif stage == "copula":
        model = GaussianCopulaSynthesizer(random_state=0).fit(X)
        width = model.encoder_.layout_[-1].stop
    elif stage in ("vae", "gan", "vae-early-stopping", "sample"):
        cls = GANSynthesizer if stage == "gan" else VAESynthesizer
        if stage == "vae-early-stopping":
            deep["early_stopping"] = "auto"
        model = cls(**deep).fit(X)
        width = model.encoder_.layout_[-1].stop
        if stage == "sample":
            start = time.perf_counter()
            model.sample(n_rows)
    seconds = time.perf_counter() - start
    return {
        "stage": stage,
        "rows": n_rows,
        "columns": X.shape[1],
        "epochs": epochs
        if stage in ("vae", "gan", "vae-early-stopping", "sample")
        else "",
        "encoded_width": width or "",
        "encoded_mb": round(n_rows * width * 4 / 2**20, 1) if width else "",
        "table_peak_mb": round(table_mb, 1),
        "peak_rss_mb": round(peak_mb(), 1),
        "seconds": round(seconds, 2),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="50 000 rows")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument(
        "--categories",
        type=int,
        nargs=4,
        default=[5, 20, 50, 200],
        help="categories of the 4 string columns",
    )
    every = STAGES + STREAM_STAGES
    parser.add_argument("--stages", nargs="+", choices=every, default=every)
    parser.add_argument(
        "--stream-rows", type=int, default=10_000_000, help="rows streamed"
    )
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--stage", choices=every, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n_rows = 50_000 if args.quick else args.rows
    stream_rows = 200_000 if args.quick else args.stream_rows
    if args.stage in STREAM_STAGES:  # in a child process: JSON on stdout
        result = run_stream(
            args.stage, stream_rows, args.chunk_size, args.epochs, args.categories
        )
        print(json.dumps(result))
        return 0
    if args.stage:
        result = run_stage(args.stage, n_rows, args.epochs, args.categories)
        print(json.dumps(result))
        return 0
    rows = []
    for stage in args.stages:
        command = [sys.executable, __file__, "--stage", stage, "--rows", str(n_rows)]
        command += ["--stream-rows", str(stream_rows)]
        command += ["--chunk-size", str(args.chunk_size)]
        command += ["--epochs", str(args.epochs), "--categories"]
        command += [str(k) for k in args.categories]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            raise SystemExit(f"stage {stage!r} failed")
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(
            f"{stage}: {rows[-1]['peak_rss_mb']} MiB in {rows[-1]['seconds']} s",
            flush=True,
        )
    results = pd.DataFrame(rows)
    baseline = results.loc[results["stage"] == "table", "peak_rss_mb"]
    tabled = pd.to_numeric(results["table_peak_mb"], errors="coerce")
    base = float(baseline.iloc[0]) if len(baseline) else tabled.min()
    results["above_table_mb"] = (results["peak_rss_mb"] - base).round(1)
    streamed = results["stage"].isin(STREAM_STAGES)
    results.loc[streamed, "above_table_mb"] = np.nan  # not built on the table
    versions = f"numpy {np.__version__}, pandas {pd.__version__}"
    print(f"\n{platform.machine()}, Python {platform.python_version()}, {versions}")
    print(results.to_string(index=False))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    results.to_csv(args.output, index=False)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
