"""What the benchmarks share: machine facts, timing, logging and result files.

Each benchmark prints its tables and writes its results under ``RESULTS``
(a git-ignored folder); these helpers keep those parts the same everywhere.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from threadpoolctl import threadpool_info

RESULTS = Path(__file__).parent / "results"
"""Where the benchmarks write their CSV and Markdown files (git-ignored)."""


def thread_pools() -> str:
    """The BLAS / OpenMP libraries loaded and their thread counts."""
    pools = [f"{p['prefix']} x{p['num_threads']}" for p in threadpool_info()]
    return ", ".join(pools) or "none loaded"


def machine_facts(*extra: str) -> list[str]:
    """Versions, cores, threads, load and platform, then the ``extra`` lines.

    torch is reported when the benchmark has imported it, and not imported
    here otherwise (the encoder benchmark runs without it).
    """
    torch = sys.modules.get("torch")
    threads = thread_pools()
    if torch is not None:
        threads = f"torch {torch.get_num_threads()}; {threads}"
    return [
        f"python   {platform.python_version()} ({sys.executable})",
        f"numpy    {np.__version__}",
        f"pandas   {pd.__version__}",
        f"sklearn  {sklearn.__version__}",
        f"torch    {torch.__version__ if torch is not None else 'not imported'}",
        f"cpus     {os.cpu_count()}",
        f"threads  {threads}",
        f"load     {load_average():.2f} (1-minute average at start)",
        f"platform {platform.platform()} ({platform.machine()})",
        *extra,
    ]


def load_average() -> float:
    """The 1-minute load average: above the core count, timings are slowed."""
    return round(os.getloadavg()[0], 2)


def timed(function, *args, **kwargs):
    """``(seconds, result)`` of one call, wall clock."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def sampling_speed(sample, n_rows: int) -> float:
    """Rows per second of ``sample(n_rows)``, after a small warm-up call."""
    sample(1_000)
    seconds, _ = timed(sample, n_rows)
    return n_rows / seconds


def sample_draws(model, size: int, n_draws: int) -> list[pd.DataFrame]:
    """``n_draws`` tables of ``size`` generated rows: one ``sample`` call cut
    in pieces (our synthesizers give the same rows at every call under an
    integer ``random_state``, so repeated calls would repeat the rows)."""
    rows = model.sample(n_draws * size)
    return [
        rows.iloc[i * size : (i + 1) * size].reset_index(drop=True)
        for i in range(n_draws)
    ]


def median(values) -> float:
    return float(statistics.median(values))


def log(message: str) -> None:
    """A time-stamped progress line on stderr (the tables go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def markdown(frame: pd.DataFrame) -> str:
    """A table as Markdown, index included (for benchmarks/README.md)."""
    frame = frame.reset_index()
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |"]
    lines.append("|" + "---|" * len(frame.columns))
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in frame.to_numpy()]
    return "\n".join(lines)


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """``frame`` to ``path`` (its folder made), 6 significant digits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, float_format="%.6g")
    return path
