"""What the subcommands of ``skl-synth`` do (the parser is in :mod:`skl_synth.cli`).

Each command takes the parsed arguments and returns the exit status; a user
mistake raises ValueError, TypeError, KeyError, OSError or ImportError with a
message that :func:`skl_synth.cli.main` prints in one line. The heavy modules
are imported inside the commands, so that ``--help`` answers at once.
"""

from __future__ import annotations

import contextlib
import numbers
import os
import time
import warnings
from pathlib import Path

_FORMATS = {".csv": "csv", ".csv.gz": "csv", ".parquet": "parquet", ".pq": "parquet"}
_TRUE, _FALSE = {"true", "t", "yes", "y", "1"}, {"false", "f", "no", "n", "0"}
DEEP_EPOCHS = "auto"  # the synthesizers' default
# --model ensemble: a VAE (of ENSEMBLE_EPOCHS) and a Gaussian copula, on one
# part per value of a partition column (the demo: "placed"), weighted by part
# size; without a partition column, both on all rows, mixed half and half.
# Measured on student_placements (70/30 splits, seeds 0-2, held-out
# synthesis_score): this 0.84 in 5 s (one torch thread); one copula per value
# 0.73, the VAE alone 0.69, the copula 0.62; 1000 to 4000 epochs 0.81 to
# 0.79; a GAN member 0.68; validation weighting 0.72 (bootstrap parts 0.71);
# without a partition column 0.75.
ENSEMBLE_EPOCHS = 600
_DEMO_PARTITION_COLUMN = "placed"
_DEMO_METRICS = ["quality", "detection", "exact_copies", "dcr_holdout_ratio", "tstr"]


@contextlib.contextmanager
def torch_threads(n_threads):
    """Run with ``n_threads`` torch CPU threads (None: leave as is), then restore.

    One thread is the default of the commands: on student_placements, the
    demo's ensemble fits in 5 s on one thread, and took 350 s on torch's
    default two threads while another process kept one of the two cores busy.
    """
    from .._nn.numerics import torch_threads as threads  # imports torch: not at start

    with threads(n_threads):
        yield


# --------------------------------------------------------------------------
# the subcommands
# --------------------------------------------------------------------------


def demo(args) -> int:
    from sklearn.model_selection import train_test_split

    from ..datasets import load_student_placements

    data = load_student_placements()
    train, held_out = train_test_split(data, test_size=0.3, random_state=args.seed)
    model = _synthesizer(
        args.model, args, batch_size=50, partition_column=_DEMO_PARTITION_COLUMN
    )
    start = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - start
    synthetic = model.sample(len(data))
    _write_table(synthetic, args.output)
    if not args.quiet:
        epochs = f", {model.n_epochs_} epochs" if hasattr(model, "n_epochs_") else ""
        print(
            f"{type(model).__name__} on student_placements: fitted on {len(train)} "
            f"rows in {seconds:.1f} s{epochs}; wrote {len(synthetic)} synthetic rows "
            f"to {args.output}"
        )
        if hasattr(model, "weights_"):
            weights = zip(model.summary_["member"], model.weights_, strict=True)
            print("members' weights: " + ", ".join(f"{m} {w:.2f}" for m, w in weights))
    report = _demo_report(args, train, synthetic, held_out, model)
    if args.quiet:
        return 0
    print("\nheld-out score (skl_synth.metrics.synthesis_score, higher is better)")
    for label, score in _reference_scores(model, train, held_out, args.seed):
        print(f"  {label:<46} {score:.3f}")
    if report is not None:
        print(f"\nreport: {args.report}; from its table:")
        shown = report.set_index("metric").reindex(_DEMO_METRICS).dropna(how="all")
        for metric, row in shown.iterrows():
            print(f"  {metric:<26} score {row['score']:.3f}  ({row['good']})")
    return 0


def _demo_report(args, train, synthetic, held_out, model):
    if not args.report:
        return None
    from importlib.util import find_spec

    if find_spec("matplotlib") is None:
        warnings.warn(
            "no report: it needs matplotlib (pip install 'skl-synth[report]')",
            stacklevel=2,
        )
        return None
    from ..report import make_report

    return make_report(
        train,
        synthetic,
        args.report,
        synthesizer=model,
        target="placed",
        holdout=held_out,
        random_state=args.seed,
    )


def _reference_scores(model, train, held_out, seed):
    import numpy as np

    from ..metrics import metadata_from_schema, synthesis_score
    from ..synthesizers import GaussianCopulaSynthesizer

    metadata = metadata_from_schema(model.encoder_.schema_)

    def score(rows):
        return synthesis_score(held_out, rows, metadata=metadata, random_state=0)

    rng = np.random.default_rng(seed)
    copula = GaussianCopulaSynthesizer(random_state=seed).fit(train)
    shuffled = train.apply(lambda column: rng.permutation(column.to_numpy()))
    return [
        (f"{type(model).__name__} (this model)", model.score(held_out)),
        ("GaussianCopulaSynthesizer (the baseline)", copula.score(held_out)),
        ("column-shuffled training rows (no structure)", score(shuffled)),
        (
            "real training rows (the ceiling)",
            score(train.sample(len(held_out), random_state=seed)),
        ),
    ]


def fit(args) -> int:
    data = _read_table(args.data)
    discrete = None
    if args.discrete is not None:
        discrete = [c.strip() for c in args.discrete.split(",") if c.strip()]
    batch_size = args.batch_size or (50 if len(data) < 5000 else 500)
    model = _synthesizer(
        args.model,
        args,
        batch_size=batch_size,
        discrete=discrete,
        device=args.device,
        partition_column=args.partition_column,
    )
    start = time.perf_counter()
    model.fit(data)
    seconds = time.perf_counter() - start
    _save_model(model, args.output)
    if not args.quiet:
        print(
            f"fitted {type(model).__name__} on {len(data)} rows x {data.shape[1]} "
            f"columns in {seconds:.1f} s; wrote {args.output}"
        )
    return 0


def sample(args) -> int:
    model = _load_model(args.model)
    if args.seed is not None and "random_state" in model.get_params(deep=False):
        model.set_params(random_state=args.seed)
    conditions = _conditions(model, args.condition)
    if _format(args.output) == "parquet":
        _check_parquet("parquet")
        if os.path.exists(args.output) and not args.force:
            raise FileExistsError(
                f"{args.output} exists; pass --force to replace it. Nothing was "
                "written."
            )
        model.sample_to_parquet(
            args.output,
            args.n_samples,
            chunk_size=args.chunk_size,
            conditions=conditions,
            overwrite=args.force,
            verbose=not args.quiet,
        )
    else:
        _write_table(model.sample(args.n_samples, conditions=conditions), args.output)
    if not args.quiet:
        print(
            f"wrote {args.n_samples} rows from {type(model).__name__} to {args.output}"
        )
    return 0


def evaluate(args) -> int:
    if args.target is not None and args.holdout is None:
        raise ValueError(
            "--target needs --holdout FILE: the utility scores test models on "
            "real rows not used for fitting the synthesizer."
        )
    real, synthetic = _read_table(args.real), _read_table(args.synthetic)
    holdout = None if args.holdout is None else _read_table(args.holdout)
    options = {"target": args.target, "holdout": holdout, "random_state": args.seed}
    if args.report:
        from ..report import make_report

        scores = make_report(real, synthetic, args.report, **options)
    else:
        from ..metrics import evaluate

        scores = evaluate(real, synthetic, **options)
    if args.output:
        _write_table(scores, args.output)
    if not args.quiet:
        import pandas as pd

        with pd.option_context("display.width", 120, "display.max_colwidth", 40):
            print(scores.drop(columns="description").to_string(index=False))
        if args.report:
            print(f"\nreport: {args.report}")
    return 0


def oversample(args) -> int:
    import pandas as pd

    from ..over_sampling import (
        CopulaOverSampler,
        GenerativeOverSampler,
        VAEOverSampler,
    )

    data = _read_table(args.data)
    if args.target not in data.columns:
        raise ValueError(
            f"--target {args.target!r} is not a column of {args.data}; the "
            f"columns are {', '.join(map(str, data.columns))}."
        )
    X, y = data.drop(columns=args.target), data[args.target]
    strategy = _strategy(args.strategy)
    if args.model == "copula":  # per class, copulas on clusters and interpolation
        sampler = CopulaOverSampler(sampling_strategy=strategy, random_state=args.seed)
    else:  # the VAE interpolates in latent space, the others sample their prior
        synthesizer = _synthesizer(args.model, args, batch_size=100)
        sampler_class = VAEOverSampler if args.model == "vae" else GenerativeOverSampler
        sampler = sampler_class(
            synthesizer, sampling_strategy=strategy, random_state=args.seed
        )
    X_res, y_res = sampler.fit_resample(X, y)
    # by position: the rows of X_res and y_res correspond, their indexes may not
    X_res.insert(data.columns.get_loc(args.target), args.target, pd.Series(y_res).array)
    _write_table(X_res, args.output)
    if not args.quiet:
        before, after = y.value_counts(), pd.Series(y_res).value_counts()
        print(
            f"wrote {len(X_res)} rows ({len(X_res) - len(X)} generated) to "
            f"{args.output}; rows per class of {args.target!r}:"
        )
        for label in after.index:
            print(f"  {label!s:<24} {before.get(label, 0):>8} -> {after[label]}")
    return 0


def _strategy(text):
    try:
        return float(text)
    except ValueError:
        return text


# --------------------------------------------------------------------------
# synthesizers, model files, conditions
# --------------------------------------------------------------------------


def _synthesizer(
    name, args, *, batch_size, discrete=None, device="auto", partition_column=None
):
    """The synthesizer ``--model name`` with the command's options."""
    from ..synthesizers import (
        DiffusionSynthesizer,
        GANSynthesizer,
        GaussianCopulaSynthesizer,
        VAESynthesizer,
    )

    if name == "copula":
        return GaussianCopulaSynthesizer(
            discrete_columns=discrete, random_state=args.seed
        )
    verbose = int(not args.quiet)
    deep = {"batch_size": batch_size, "device": device, "random_state": args.seed}
    if name != "ensemble":
        deep["epochs"] = args.epochs or DEEP_EPOCHS
        deep.update(discrete_columns=discrete, verbose=verbose)
        classes = {
            "gan": GANSynthesizer,
            "vae": VAESynthesizer,
            "diffusion": DiffusionSynthesizer,
        }
        return classes[name](**deep)
    from ..ensemble import EnsembleSynthesizer

    deep["epochs"] = args.epochs or ENSEMBLE_EPOCHS
    members = [("vae", VAESynthesizer(**deep)), ("copula", GaussianCopulaSynthesizer())]
    if partition_column is None:
        parts = {"partition": "none", "n_partitions": 1, "weighting": "uniform"}
    else:
        parts = {"partition": "column", "partition_column": partition_column}
        parts["weighting"] = "size"
    return EnsembleSynthesizer(
        members,
        **parts,
        discrete_columns=discrete,
        verbose=verbose,
        random_state=args.seed,
    )


def _save_model(model, path):
    from ..persistence import save

    save(model, path)


def _load_model(path):
    _check_exists(path)
    from ..persistence import load

    try:
        model = load(path)
    except (ValueError, OSError) as error:
        raise ValueError(
            f"cannot read {path} as a model file written by 'skl-synth fit': {error}"
        ) from error
    if not (hasattr(model, "sample") and hasattr(model, "encoder_")):
        raise ValueError(
            f"{path} holds a {type(model).__name__}, not a fitted synthesizer; "
            "write one with 'skl-synth fit'."
        )
    return model


def _conditions(model, pairs):
    """``{column: value}`` from ``COL=VALUE`` texts, read as the columns' types."""
    if not pairs:
        return None
    schemas = {str(schema.name): schema for schema in model.encoder_.schema_}
    conditions = {}
    for pair in pairs:
        column, equals, text = pair.partition("=")
        if not equals or not column:
            raise ValueError(f"--condition {pair!r} is not of the form COL=VALUE.")
        schema = schemas.get(column)
        if schema is None:  # the synthesizer names the columns it knows
            conditions[column] = text
        else:
            conditions[schema.name] = _condition_value(text, schema.categories or ())
    return conditions


def _condition_value(text, categories):
    """The category that ``text`` spells, else ``text`` (for the library to refuse)."""
    for value in categories:
        if str(value) == text:
            return value
    import numpy as np

    lowered = text.strip().lower()
    for value in categories:
        if isinstance(value, bool | np.bool_):
            if lowered in (_TRUE if value else _FALSE):
                return value
        elif isinstance(value, numbers.Number):
            try:
                if float(text) == value:
                    return value
            except ValueError:
                pass
    return text


# --------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------


def _format(path):
    name = str(path).lower()
    for suffix, kind in _FORMATS.items():
        if name.endswith(suffix):
            return kind
    raise ValueError(
        f"cannot tell the format of {path} from its extension; use .csv, .csv.gz "
        "or .parquet."
    )


def _check_exists(path):
    if not Path(path).is_file():
        raise FileNotFoundError(f"no such file: {path}")


def _check_parquet(kind):
    from importlib.util import find_spec

    if kind == "parquet" and find_spec("pyarrow") is None:
        raise ImportError(
            "reading or writing .parquet needs pyarrow: pip install pyarrow"
        )


def _read_table(path):
    """A CSV or Parquet file as a DataFrame, as ``pd.read_csv`` gives it: the
    encoder reads dates written as text (one rule for the API and the CLI)."""
    import pandas as pd

    kind = _format(path)
    _check_exists(path)
    _check_parquet(kind)
    if kind == "parquet":
        return pd.read_parquet(path)
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path} is empty; it needs a header and rows.") from None
    return frame


def _write_table(frame, path):
    kind = _format(path)
    _check_parquet(kind)
    if kind == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
