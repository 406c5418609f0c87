"""The ``skl-synth`` command (also ``python -m skl_synth``).

Subcommands:

``demo``
    Fit a synthesizer (VAE by default) on 70% of the embedded
    ``student_placements`` table, write synthetic rows to a CSV, and print
    the held-out score beside a Gaussian copula, a column-shuffled copy and
    real rows.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from sklearn.model_selection import train_test_split

from . import __version__
from .datasets import load_student_placements
from .synthesizers import GANSynthesizer, GaussianCopulaSynthesizer, VAESynthesizer

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the ``skl-synth`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 2 on a usage error.

    Examples
    --------
    >>> import os, tempfile
    >>> from skl_synth.cli import main
    >>> path = os.path.join(tempfile.mkdtemp(), "fake.csv")
    >>> main(["demo", "--epochs", "2", "--quiet", "-o", path])
    0
    >>> os.path.getsize(path) > 0
    True
    """
    parser = _make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    return args.run(args)


def _make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skl-synth",
        description="Synthetic tabular data with scikit-learn estimators.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="fit a synthesizer on the embedded student_placements table",
        description="Fit a synthesizer on 70%% of the embedded student_placements "
        "table, write synthetic rows to a CSV, and score them against the 30%% "
        "held out, beside reference points.",
        epilog="example: skl-synth demo --model gan --epochs 100 -o fake.csv",
    )
    demo.add_argument(
        "--model",
        choices=sorted(_MODELS),
        default="vae",
        help="synthesizer (default vae)",
    )
    demo.add_argument(
        "--epochs",
        type=_positive_int,
        default=300,
        help="training epochs (default 300)",
    )
    demo.add_argument(
        "-o",
        "--output",
        default="synthetic_student_placements.csv",
        help="CSV file for the synthetic rows",
    )
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--quiet", action="store_true", help="print nothing")
    demo.set_defaults(run=_demo)
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _demo(args) -> int:
    data = load_student_placements()
    train, held_out = train_test_split(data, test_size=0.3, random_state=args.seed)
    model = _MODELS[args.model](args)
    start = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - start
    synthetic = model.sample(len(data))
    synthetic.to_csv(args.output, index=False)
    if args.quiet:
        return 0
    epochs = f", {model.n_epochs_} epochs" if hasattr(model, "n_epochs_") else ""
    print(
        f"{type(model).__name__} on student_placements: fitted on {len(train)} rows "
        f"in {seconds:.1f} s{epochs}; wrote {len(synthetic)} synthetic rows to "
        f"{args.output}\n"
    )
    print("held-out score (skl_synth.metrics.synthesis_score, higher is better)")
    for label, score in _reference_scores(model, train, held_out, args.seed):
        print(f"  {label:<46} {score:.3f}")
    return 0


def _reference_scores(model, train, held_out, seed):
    rng = np.random.default_rng(seed)
    copula = GaussianCopulaSynthesizer(random_state=seed).fit(train)
    shuffled = train.apply(lambda column: rng.permutation(column.to_numpy()))
    real = train.sample(len(held_out), random_state=seed)
    return [
        (type(model).__name__, model.score(held_out)),
        ("GaussianCopulaSynthesizer (the baseline)", copula.score(held_out)),
        (
            "column-shuffled training rows (no structure)",
            model._score_frames(held_out, shuffled),
        ),
        ("real training rows (the ceiling)", model._score_frames(held_out, real)),
    ]


_MODELS = {
    "vae": lambda a: VAESynthesizer(
        epochs=a.epochs, batch_size=50, random_state=a.seed
    ),
    "gan": lambda a: GANSynthesizer(
        epochs=a.epochs, batch_size=50, random_state=a.seed
    ),
    "copula": lambda a: GaussianCopulaSynthesizer(random_state=a.seed),
}
