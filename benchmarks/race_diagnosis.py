"""Why the race picks the diffusion model on placements (issue 29, item 2).

What it measures
----------------
On placements, split 75/25 per seed as in ``benchmarks/ensemble.py``, the
copula, the VAE and the diffusion model (defaults, ``random_state=seed``)
are trained in pieces, as the race trains them, and scored at 1/16, 1/8,
1/4 and 1/2 of their planned epochs and at their end, three ways:

- ``held``: trained on 80% of the training rows, scored on the other 20%
  (about 32 rows), as the race scores them
  (:func:`~skl_synth.metrics.early_stopping_score` of 500 generated rows);
- ``xfit``: cross-fitted, 5 folds of the training rows: each fold's model
  is trained on the other four and scored on its fold as above, and the
  score is the mean over the folds (all training rows score, not a fifth);
- ``test``: trained on all training rows, and
  :func:`~skl_synth.metrics.synthesis_score` of ``len(test)`` generated rows
  against the test rows, averaged over 5 draws (the benchmark's score).

The race decides between the VAE and the diffusion model after its second
round (1/8 of each one's planned epochs). If ``xfit`` ranked them as
``test`` does there where ``held`` does not, scores cross-fitted on all rows
would fix the pick.

How to run
----------
From the repository root::

    python benchmarks/race_diagnosis.py              # 3 seeds, about 10 min
    python benchmarks/race_diagnosis.py --seeds 1    # one seed

Prints the mean over seeds and each seed's scores as Markdown tables and
writes ``benchmarks/results/race_diagnosis.csv``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from _harness import RESULTS, log, machine_facts, markdown, sample_draws, write_csv
from fidelity import load_table, split
from sklearn.model_selection import KFold

from skl_synth.metrics import (
    early_stopping_score,
    metadata_from_schema,
    synthesis_score,
)
from skl_synth.synthesizers import (
    DiffusionSynthesizer,
    GaussianCopulaSynthesizer,
    VAESynthesizer,
)

SYNTHESIZERS = {
    "copula": GaussianCopulaSynthesizer,
    "vae": VAESynthesizer,
    "diffusion": DiffusionSynthesizer,
}
SHARES = (1 / 16, 1 / 8, 1 / 4, 1 / 2, None)  # None: the end of the training
POOL_ROWS, DRAWS, FOLDS, HELD_SHARE = 500, 5, 5, 0.2


def train_to(model, share):
    """Train a resumable ``model`` on to ``share`` of its planned epochs (to
    its end for None); a copula is fitted in full already."""
    if not hasattr(model, "_loop"):
        return
    if share is not None:
        until = max(model.n_epochs_ + 1, round(share * model.planned_epochs_))
        model.resume(None, until_epoch=until)
    elif not model.resume(None):
        model.end_training()


def curve(cls, seed, train, scored, score):
    """Scores at ``SHARES`` of one model of ``cls`` fitted on ``train``."""
    model = cls(random_state=seed)
    if cls is GaussianCopulaSynthesizer:
        model.fit(train)
    else:
        model.fit(train, time_limit=0.0, resumable=True)
    scores = []
    for share in SHARES:
        train_to(model, share)
        scores.append(score(model, scored))
    return scores


def run_seed(frame, seed):
    train, test = split(frame, seed)
    train = train.reset_index(drop=True)
    schema = GaussianCopulaSynthesizer().fit(train).encoder_.schema_
    metadata = metadata_from_schema(schema)

    def held_score(model, real):
        fake = model.sample(POOL_ROWS)
        return early_stopping_score(real, fake, metadata=metadata, random_state=0)

    def test_score(model, real):
        return np.mean(
            [
                synthesis_score(real, draw, metadata=metadata, random_state=0)
                for draw in sample_draws(model, len(real), DRAWS)
            ]
        )

    order = np.random.RandomState(seed).permutation(len(train))
    n_held = round(HELD_SHARE * len(train))
    folds = KFold(FOLDS, shuffle=True, random_state=seed).split(train)
    ways = {
        "held": [(order[n_held:], order[:n_held])],
        "xfit": list(folds),
        "test": [(np.arange(len(train)), None)],
    }
    rows = []
    for name, cls in SYNTHESIZERS.items():
        for way, splits in ways.items():
            curves = []
            for fit_rows, scored_rows in splits:
                fit_on = train.iloc[fit_rows].reset_index(drop=True)
                if scored_rows is None:
                    scored, score = test.reset_index(drop=True), test_score
                else:
                    scored = train.iloc[scored_rows].reset_index(drop=True)
                    score = held_score
                curves.append(curve(cls, seed, fit_on, scored, score))
            for share, value in zip(SHARES, np.mean(curves, axis=0), strict=True):
                rows.append(
                    {
                        "seed": seed,
                        "way": way,
                        "synthesizer": name,
                        "share": "end" if share is None else f"1/{round(1 / share)}",
                        "score": value,
                    }
                )
            log(f"seed {seed} {name} {way} done")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    print("\n".join(machine_facts()))
    frame = load_table("placements", None)
    results = pd.DataFrame(
        [row for seed in range(args.seeds) for row in run_seed(frame, seed)]
    )
    columns = [("1/" + str(d)) for d in (16, 8, 4, 2)] + ["end"]
    table = results.pivot_table(
        index=["way", "synthesizer"], columns="share", values="score"
    )[columns]
    print(f"\nMean over {args.seeds} seeds (higher is better):\n")
    print(markdown(table.round(3)))
    by_seed = results.pivot_table(
        index=["seed", "way", "synthesizer"], columns="share", values="score"
    )[columns]
    print("\nEach seed:\n")
    print(markdown(by_seed.round(3)))
    path = write_csv(results, RESULTS / "race_diagnosis.csv")
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()
