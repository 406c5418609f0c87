"""The two tables of the speed benchmark: ``narrow`` (5 columns) and ``wide`` (16).

Deterministic numpy draws; most columns follow a hidden cluster, so the
tables have joint structure for the detection half of the score to see.
Missing values are in discrete columns only (ctgan refuses NaN elsewhere).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 0


def mixture_column(rng, cluster: np.ndarray) -> np.ndarray:
    """Normal modes with distinct means and scales, one per hidden cluster."""
    n_clusters = cluster.max() + 1
    means = rng.uniform(-100, 100, n_clusters)
    stds = rng.uniform(0.5, 10, n_clusters)
    return np.round(rng.normal(means[cluster], stds[cluster]), 3)


def amount_column(rng, cluster: np.ndarray) -> np.ndarray:
    """Log-normal amounts (long right tail) whose scale follows the cluster."""
    return np.round(rng.lognormal(3 + 0.5 * cluster, 0.6), 2)


def categorical_column(rng, cluster, n_categories: int, missing: float):
    """Zipf-like strings, shifted by the cluster; ``missing`` of them None."""
    labels = np.array([f"c{k:02d}" for k in range(n_categories)], dtype=object)
    weights = 1.0 / np.arange(1, n_categories + 1)
    draw = rng.choice(n_categories, size=len(cluster), p=weights / weights.sum())
    values = labels[(draw + 2 * cluster) % n_categories]
    values[rng.random(len(cluster)) < missing] = None
    return values


def boolean_column(rng, cluster) -> np.ndarray:
    rates = rng.uniform(0.1, 0.9, cluster.max() + 1)
    return rng.random(len(cluster)) < rates[cluster]


def narrow_table(rng, n_rows: int) -> pd.DataFrame:
    cluster = rng.choice(4, size=n_rows, p=[0.4, 0.3, 0.2, 0.1])
    return pd.DataFrame(
        {
            "x0": mixture_column(rng, cluster),
            "x1": mixture_column(rng, cluster),
            "amount": amount_column(rng, cluster),
            "kind": categorical_column(rng, cluster, 6, missing=0.05),
            "flag": boolean_column(rng, cluster),
        }
    )


def wide_table(rng, n_rows: int) -> pd.DataFrame:
    cluster = rng.choice(5, size=n_rows, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    columns = {f"x{i}": mixture_column(rng, cluster) for i in range(6)}
    columns["amount"] = amount_column(rng, cluster)
    columns["count"] = rng.poisson(100 + 80 * cluster).astype(np.int64)
    for i, (n_categories, missing) in enumerate(
        [(3, 0.0), (5, 0.03), (8, 0.0), (12, 0.03), (30, 0.0)]
    ):
        columns[f"cat{i}"] = categorical_column(rng, cluster, n_categories, missing)
    columns["flag0"] = boolean_column(rng, cluster)
    columns["flag1"] = boolean_column(rng, cluster)
    columns["level"] = np.minimum(rng.poisson(1 + cluster / 2), 6).astype(np.int64)
    return pd.DataFrame(columns)


def make_tables(n_rows: int, n_holdout: int) -> dict:
    """name -> (training rows, held-out rows, discrete columns)."""
    tables = {}
    for name, build in (("narrow", narrow_table), ("wide", wide_table)):
        rng = np.random.default_rng(SEED)
        frame = build(rng, n_rows + n_holdout)
        discrete = [
            c
            for c in frame.columns
            if frame[c].dtype == object or frame[c].dtype == bool or c == "level"
        ]
        train = frame.iloc[:n_rows].reset_index(drop=True)
        holdout = frame.iloc[n_rows:].reset_index(drop=True)
        tables[name] = (train, holdout, discrete)
    return tables
