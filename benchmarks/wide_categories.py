"""A discrete column of 5 000 distinct values in 20 000 rows: width and time.

What it measures
----------------
Issue 28's wide-category case: a table of 20 000 rows with a string column
``c`` of 5 000 categories, each seen once and 15 000 rows more drawn with
Zipf-like shares (the first about 8% of the rows, most seen once or twice),
and a numeric column ``x`` that depends on it. For
``TabularEncoder(max_categories=...)`` with ``"auto"`` (the default) and
``None`` (one slot per category, the former default): the encoded width,
``fit`` and ``transform`` seconds. For the Gaussian copula and the VAE (5
epochs; both use the default encoder): fit seconds, and in 20 000 sampled
rows the largest relative error of the share of a category that holds at
least 1% of the rows (the issue's bound: 25%).

How to run
----------
From the repository root::

    python benchmarks/wide_categories.py    # about a minute

Prints a Markdown table and writes ``benchmarks/results/wide_categories.csv``.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _harness import machine_facts, markdown, write_csv

from skl_synth.preprocessing import TabularEncoder
from skl_synth.synthesizers import GaussianCopulaSynthesizer, VAESynthesizer

RESULTS = Path("benchmarks/results/wide_categories.csv")


def wide_table(n_rows=20_000, n_categories=5_000, seed=0):
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_categories + 1)
    drawn = rng.choice(n_categories, n_rows - n_categories, p=weights / weights.sum())
    codes = rng.permutation(np.r_[np.arange(n_categories), drawn])  # each seen
    return pd.DataFrame(
        {
            "c": pd.Series(codes).map("v{:04d}".format),
            "x": np.log1p(codes) + rng.normal(0, 0.3, n_rows),
        }
    )


def share_error(real, fake):
    """Largest relative error of the share of a category of >= 1% of rows."""
    p = real.value_counts(normalize=True)
    q = fake.value_counts(normalize=True).reindex(p.index, fill_value=0)
    common = p >= 0.01
    return float((np.abs(q - p) / p)[common].max())


def main():
    torch.set_num_threads(1)
    frame = wide_table()
    rows = []
    for setting in ("auto", None):
        encoder = TabularEncoder(max_categories=setting, random_state=0)
        start = time.perf_counter()
        encoder.fit(frame)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        encoded = encoder.transform(frame)
        rows.append(
            {
                "model": f"TabularEncoder(max_categories={setting!r})",
                "width": encoded.shape[1],
                "fit_s": fit_s,
                "transform_s": time.perf_counter() - start,
            }
        )
    for name, model in [
        ("GaussianCopulaSynthesizer()", GaussianCopulaSynthesizer(random_state=0)),
        ("VAESynthesizer(epochs=5)", VAESynthesizer(epochs=5, random_state=0)),
    ]:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            model.fit(frame)
        fit_s = time.perf_counter() - start
        fake = model.sample(len(frame))
        rows.append(
            {
                "model": name,
                "width": model.encoder_.transform(frame.iloc[:1]).shape[1],
                "fit_s": fit_s,
                "share_err": share_error(frame["c"], fake["c"]),
            }
        )
    results = pd.DataFrame(rows).set_index("model").round(3)
    print("\n".join(machine_facts()))
    print(markdown(results))
    path = write_csv(results.reset_index(), RESULTS)
    print(f"rows written to {path}")


if __name__ == "__main__":
    main()
