"""The speed benchmark's tables: its columns, the ratios against the peers, targets."""

from __future__ import annotations

import pandas as pd
from _speed_peers import ctgan_name

TARGETS = {"epoch_vs_floor": 1.15, "setup_speedup": 5.0, "ttq_speedup": 3.0}


COLUMNS = [
    "table",
    "model",
    "width",
    "setup_s",
    "epoch_s",
    "sample_rows_per_s",
    "fit_s",
    "epochs",
    "late_epoch_s",
    "es_epoch_s",
    "scored",
    "ttq_epoch",
    "ttq_s",
    "val_at_ttq",
    "val_best",
    "score",
    "score_best",
    "same",
    "load",
]


def ratios(results: pd.DataFrame) -> pd.DataFrame:
    """Per table and family: our numbers against the floor's and ctgan's."""
    out = []
    for (table, family), group in results[results["family"] != ""].groupby(
        ["table", "family"], sort=False
    ):
        by_model = group.set_index("model")
        ours = by_model.loc[f"{family}Synthesizer"]
        floor, peer = by_model.loc["floor"], by_model.loc[ctgan_name(family)]
        row = {
            "table": table,
            "family": family,
            "epoch_vs_floor": ours["epoch_s"] / floor["epoch_s"],
            "setup_speedup": peer["setup_s"] / ours["setup_s"],
            "ttq_speedup": peer["fit_s"] / ours["ttq_s"],
            "our_score": ours["score"],
            "ctgan_score": peer["score"],
        }
        row["targets_met"] = targets_met(row)
        out.append(row)
    return pd.DataFrame(out)


def targets_met(row: dict) -> str:
    met = [
        row["epoch_vs_floor"] <= TARGETS["epoch_vs_floor"],
        row["setup_speedup"] >= TARGETS["setup_speedup"],
        row["ttq_speedup"] >= TARGETS["ttq_speedup"]
        and row["our_score"] >= row["ctgan_score"],
    ]
    return " ".join("yes" if m else "NO" for m in met)


def format_table(table: pd.DataFrame) -> str:
    """Fixed decimals per kind of column; blanks where a row has no value."""
    shown = table.astype(object).copy()
    for column in table.columns:
        style = column_style(column)
        if style:
            shown[column] = [
                "" if pd.isna(v) else style.format(v) for v in table[column]
            ]
    return shown.where(table.notna(), "").to_string(index=False)


def column_style(column: str) -> str | None:
    if column in ("width", "epochs", "scored", "ttq_epoch"):
        return "{:.0f}"
    if column == "sample_rows_per_s":
        return "{:,.0f}"
    if column.endswith("speedup"):
        return "{:.1f}"
    if column == "epoch_vs_floor":
        return "{:.2f}"
    if column.endswith("_s") or "score" in column or column.startswith("val_"):
        return "{:.3f}"
    return None
