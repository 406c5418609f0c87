"""The epoch loop of the neural synthesizers, which can stop and go on.

:class:`~skl_synth.synthesizers._deep.DeepSynthesizer` runs it to the end in
``fit``; a resumable fit (an ensemble's racing) runs it in pieces.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd


class EpochLoop:
    """A deep synthesizer's epoch loop, which can stop after some seconds and
    go on: early stopping on the validation score, ``history_`` rows, the
    best state. :meth:`run` trains, :meth:`close` ends."""

    def __init__(self, model, data, validation, label):
        self.model, self.data, self.validation, self.label = (
            model,
            data,
            validation,
            label,
        )
        self.rows, self.best_score, self.best_state, self.waited = [], -np.inf, None, 0
        self.epochs = model.planned_epochs_ = model._n_epochs(len(data))
        self.interval = model._evaluation_interval(len(data))
        self.patience = model._patience(len(data))
        self.elapsed, self.done = 0.0, False

    def run(self, limit, pause=False, until=None):
        """Train for ``limit`` seconds (None: no limit) and up to epoch
        ``until`` (None: the planned epochs); whether the loop ended.

        With ``pause``, a loop that did not end leaves the modules ready to
        sample (their current weights) until it runs again."""
        from tqdm.auto import tqdm

        model, trainer = self.model, self.model._trainer
        start, first = time.perf_counter(), len(self.rows)
        stop = self.epochs if until is None else min(self.epochs, max(until, first))
        bar = tqdm(
            range(first, stop),
            disable=not model.verbose,
            desc=self.label,
            initial=first,
            total=self.epochs,
        )
        for epoch in bar:
            losses = trainer.train_epoch(self.data)
            model._check_finite(losses, epoch + 1)
            row = {"epoch": epoch + 1, **losses}
            now = time.perf_counter() - start
            out_of_time = limit is not None and now >= limit
            last = epoch + 1 == self.epochs or out_of_time
            if self.validation is not None and (
                (epoch + 1) % self.interval == 0 or last
            ):
                trainer.prepare_sampling()
                row["validation_score"] = model._validation_score(self.validation)
                if row["validation_score"] > self.best_score:
                    self.best_score = row["validation_score"]
                    self.best_state, self.waited = model._state(), 0
                else:
                    self.waited += 1
            row["time"] = self.elapsed + time.perf_counter() - start
            self.rows.append(row)
            bar.set_postfix(
                {k: round(v, 4) for k, v in row.items() if k not in ("epoch", "time")}
            )
            if self.waited >= self.patience:
                self.done = True
                break
            if out_of_time:
                break
        else:
            self.done = stop == self.epochs
        self.elapsed += time.perf_counter() - start
        model.n_epochs_, model.training_seconds_ = len(self.rows), self.elapsed
        if pause and not self.done:
            trainer.prepare_sampling()
        return self.done

    def close(self):
        """The history; the model left in its best validation state."""
        model = self.model
        history = pd.DataFrame(self.rows)
        if self.best_state is None:
            model._trainer.prepare_sampling()
        else:
            model._load_state(self.best_state)
            model.best_epoch_ = int(
                history["epoch"][history["validation_score"].idxmax()]
            )
        model.n_epochs_ = len(self.rows)
        return history


def compact_rows(rows, kept, chunk=65_536):
    """``rows[kept]`` for sorted ``kept``, moved to the first rows, in place.

    A copy of the training rows would double the memory of a large table.
    Chunk by chunk, row ``j`` receives row ``kept[j] >= j``, which no
    earlier chunk has overwritten.
    """
    for start in range(0, len(kept), chunk):
        part = kept[start : start + chunk]
        rows[start : start + len(part)] = rows[part]
    return rows[: len(kept)]
