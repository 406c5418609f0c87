"""Samples larger than memory: a Parquet file written chunk by chunk, or dask.

Both cut the sample into parts with seeds drawn from the synthesizer's own
sampling seed (fixed for an int ``random_state``), so that they are
deterministic, and give each part its offset in the whole sample, from which
numbered identifiers take a block of their own.
"""

from __future__ import annotations

import os
from numbers import Integral
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from ..utils._random import SEED_MAX


class _StreamingMixin:
    """``sample_to_parquet`` and ``to_dask`` for every synthesizer."""

    def sample_to_parquet(
        self,
        path,
        n_samples,
        *,
        chunk_size=100_000,
        conditions=None,
        overwrite=False,
        verbose=False,
    ):
        """Write ``n_samples`` generated rows to a Parquet file, chunk by chunk.

        Peak memory is that of one chunk: each is sampled, converted with
        pyarrow and written as a row group before the next. The file has the
        columns and dtypes of :meth:`sample` (string column names), and is
        the same for the same ``random_state``. It is written under a
        temporary name and renamed when complete, so an interrupted call
        leaves no file that looks whole.

        Parameters
        ----------
        path : str or path-like
            The file to write, in an existing folder.
        n_samples : int
            Number of rows to generate.
        chunk_size : int, default=100_000
            Rows generated and written at a time.
        conditions : dict, default=None
            Values every generated row takes, on discrete columns.
        overwrite : bool, default=False
            Whether to replace an existing file.
        verbose : bool, default=False
            Show a progress bar over the chunks.

        Returns
        -------
        path : pathlib.Path
            The file written.

        Examples
        --------
        >>> import os, tempfile
        >>> import pandas as pd
        >>> from skl_synth.datasets import load_student_placements
        >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
        >>> data = load_student_placements()
        >>> model = GaussianCopulaSynthesizer(random_state=0).fit(data)
        >>> path = os.path.join(tempfile.mkdtemp(), "rows.parquet")
        >>> _ = model.sample_to_parquet(path, 2_500, chunk_size=1_000)
        >>> rows = pd.read_parquet(path)
        >>> rows.shape, rows.dtypes.equals(model.sample(1).dtypes)
        ((2500, 16), True)
        """
        check_is_fitted(self)
        path = _checked_path(path, overwrite)
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as error:  # pragma: no cover - pyarrow is a dependency
            raise ImportError(
                "sample_to_parquet needs pyarrow: pip install pyarrow"
            ) from error
        from tqdm.auto import tqdm

        parts = self._parts(n_samples, chunk_size)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        writer = None
        try:
            for n_rows, seed, offset in tqdm(parts, disable=not verbose, unit="chunk"):
                frame = self._part(n_rows, conditions, seed, offset)
                table = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(partial, table.schema)
                writer.write_table(table.cast(writer.schema))
            writer.close()
            os.replace(partial, path)
        except BaseException:
            if writer is not None:
                writer.close()
            partial.unlink(missing_ok=True)
            raise
        return path

    def to_dask(self, n_samples, npartitions=None, *, conditions=None):
        """A dask DataFrame of ``n_samples`` rows, generated where it is computed.

        Each partition is sampled by the worker that computes it, with its
        own seed drawn from this synthesizer's (so the result is fixed for
        an int ``random_state``); the synthesizer is shipped to the workers
        once. Columns keep the dtypes of :meth:`sample` (object strings are
        not converted to pyarrow strings). Needs dask
        (``pip install "skl-synth[dask]"``).

        Parameters
        ----------
        n_samples : int
            Number of rows in all.
        npartitions : int, default=None
            Number of partitions; ``None`` makes partitions of about 100 000
            rows.
        conditions : dict, default=None
            Values every generated row takes, on discrete columns.

        Returns
        -------
        frame : dask.dataframe.DataFrame
            With the columns and dtypes of :meth:`sample` (string column
            names for a synthesizer fitted on an array).

        Examples
        --------
        >>> from skl_synth.datasets import load_student_placements
        >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
        >>> model = GaussianCopulaSynthesizer(random_state=0)
        >>> rows = model.fit(load_student_placements()).to_dask(1_000, 4)
        >>> rows.npartitions, len(rows.compute())
        (4, 1000)
        """
        check_is_fitted(self)
        import dask
        import dask.dataframe as dd

        if npartitions is None:
            chunk_size = 100_000
        elif isinstance(npartitions, Integral) and not isinstance(npartitions, bool):
            if npartitions < 1:
                raise ValueError(
                    f"npartitions must be a positive integer; got {npartitions}."
                )
            chunk_size = max(1, -(-int(n_samples) // int(npartitions)))
        else:
            raise ValueError(
                f"npartitions must be a positive integer or None; got {npartitions!r}."
            )
        parts = self._parts(n_samples, chunk_size)
        meta = self._part(1, conditions, 0, 0).iloc[:0]
        model = dask.delayed(self, pure=True)
        delayed = [
            dask.delayed(_sample_part)(model, n_rows, conditions, seed, offset)
            for n_rows, seed, offset in parts
        ]
        # the dtypes of sample, not dask's default conversion to pyarrow strings
        with dask.config.set({"dataframe.convert-string": False}):
            return dd.from_delayed(delayed, meta=meta, verify_meta=False)

    def _parts(self, n_samples, chunk_size):
        """``(rows, seed, offset)`` of each part of a sample of ``n_samples``."""
        from ._base import check_n_samples

        n_samples = check_n_samples(n_samples)
        integer = isinstance(chunk_size, Integral) and not isinstance(chunk_size, bool)
        if not integer or chunk_size < 1:
            raise ValueError(
                f"chunk_size must be a positive integer; got {chunk_size!r}."
            )
        offsets = range(0, n_samples, int(chunk_size))
        rng = np.random.RandomState(self._sampling_seed())
        seeds = rng.randint(SEED_MAX, size=len(offsets))
        return [
            (min(chunk_size, n_samples - offset), int(seed), offset)
            for offset, seed in zip(offsets, seeds, strict=True)
        ]

    def _part(self, n_rows, conditions, seed, offset):
        """One part of a sample, as a DataFrame with string column names."""
        if conditions is not None and not isinstance(conditions, dict):
            raise TypeError(
                "conditions must be a dict {column: value} when sampling in parts; "
                f"got {type(conditions).__name__}."
            )
        table = self._sample_without_copies(n_rows, conditions, seed, offset)
        frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
        return frame.set_axis([str(c) for c in frame.columns], axis=1)


def _sample_part(model, n_rows, conditions, seed, offset):
    return model._part(n_rows, conditions, seed, offset)


def _checked_path(path, overwrite):
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
