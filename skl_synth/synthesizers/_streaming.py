"""Samples larger than memory: a Parquet file written chunk by chunk, or dask.

The bodies of :meth:`BaseSynthesizer.sample_to_parquet` and
:meth:`BaseSynthesizer.to_dask`. Both cut the sample into parts with seeds
drawn from the synthesizer's own sampling seed (fixed for an int
``random_state``), so that they are deterministic, and give each part its
offset in the whole sample, from which numbered identifiers take a block of
their own.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..utils._random import SEED_MAX


def write_parquet(model, path, parts, conditions, overwrite, verbose):
    """Write ``model``'s ``parts`` of a sample to ``path`` as Parquet row groups.

    The body of :meth:`BaseSynthesizer.sample_to_parquet`: the file is
    written under a temporary name and renamed when complete; an error or
    an interruption removes it.
    """
    path = checked_path(path, overwrite)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as error:  # pragma: no cover - pyarrow is a dependency
        raise ImportError(
            "sample_to_parquet needs pyarrow: pip install pyarrow"
        ) from error
    from tqdm.auto import tqdm

    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    file = _ChunkWriter(partial, pa, pq)
    try:
        # a chunk is converted and written in a thread while the next one
        # is generated (pyarrow releases the GIL): the same file, written
        # while the copula computes its next chunk
        with ThreadPoolExecutor(1) as writing:
            pending = None
            for n_rows, seed, offset in tqdm(parts, disable=not verbose, unit="chunk"):
                frame = model._chunk(n_rows, conditions, seed, offset)
                if pending is not None:
                    pending.result()
                pending = writing.submit(file.write, frame)
            pending.result()
        file.close()
        os.replace(partial, path)
    except BaseException:
        file.close()
        partial.unlink(missing_ok=True)
        raise
    return path


class _ChunkWriter:
    """Tables appended to one Parquet file, its schema that of the first."""

    def __init__(self, path, pa, pq):
        self.path, self.pa, self.pq, self.writer = path, pa, pq, None

    def write(self, frame):
        table = self.pa.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            self.writer = self.pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table.cast(self.writer.schema))

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def dask_frame(model, parts, conditions):
    """A dask DataFrame whose partitions are ``model``'s ``parts`` of a sample.

    The body of :meth:`BaseSynthesizer.to_dask`: each partition is sampled
    where it is computed, from ``model`` shipped once.
    """
    import dask
    import dask.dataframe as dd

    meta = model._chunk(1, conditions, 0, 0).iloc[:0]
    shipped = dask.delayed(model, pure=True)
    delayed = [
        dask.delayed(_sample_chunk)(shipped, n_rows, conditions, seed, offset)
        for n_rows, seed, offset in parts
    ]
    # the dtypes of sample, not dask's default conversion to pyarrow strings
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_delayed(delayed, meta=meta, verify_meta=False)


def chunks(n_samples, chunk_size, seed):
    """``(rows, seed, offset)`` of each part of a sample of ``n_samples``.

    Examples
    --------
    >>> [(n, offset) for n, _, offset in chunks(5, 2, 0)]
    [(2, 0), (2, 2), (1, 4)]
    """
    offsets = range(0, n_samples, chunk_size)
    seeds = np.random.RandomState(seed).randint(SEED_MAX, size=len(offsets))
    return [
        (min(chunk_size, n_samples - offset), int(seed), offset)
        for offset, seed in zip(offsets, seeds, strict=True)
    ]


def _sample_chunk(model, n_rows, conditions, seed, offset):
    return model._chunk(n_rows, conditions, seed, offset)


def checked_path(path, overwrite):
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"the folder {str(path.parent)!r} does not exist; create it, or "
            "choose another path. Nothing was written."
        )
    if path.exists() and not overwrite:
        raise FileExistsError(
            f"{str(path)!r} exists; pass overwrite=True to replace it. Nothing was "
            "written."
        )
    return path
