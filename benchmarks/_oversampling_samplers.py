"""The resamplers and classifiers of the over-sampling benchmark, by name.

A resampler's name is a kind and options (see :func:`parse_name`); the
classifiers are logistic regression, a random forest and LightGBM, each
optionally with a tuned decision threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CLASSIC = {"random", "smote", "adasyn", "borderline"}
GENERATIVE = {"gan", "vae", "ensemble", "diffusion"}
RATIO_GRID = [0.25, 0.5, 0.75, 1.0]
BATCH_SIZE = 100


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
    if name == "ensemble_default":  # the racing default (issue 29)
        return EnsembleOverSampler(random_state=seed)
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
