"""The ``skl-synth`` command (also ``python -m skl_synth``).

Subcommands (``skl-synth COMMAND --help`` shows each one's options and an
example):

``demo``
    Fit a synthesizer (an ensemble by default) on 70% of the embedded
    ``student_placements`` table, write synthetic rows to a CSV file and an
    HTML report, and print held-out scores beside reference points.
``fit``
    Fit a synthesizer on a table and write it to a model file.
``sample``
    Generate rows from a model file, optionally under conditions.
``evaluate``
    Print the fidelity, privacy and utility scores of synthetic rows
    (:func:`skl_synth.metrics.evaluate`), optionally as an HTML report.
``oversample``
    Balance a table's classes with generated rows
    (:mod:`skl_synth.over_sampling`).

Tables are read and written as CSV or Parquet, chosen by the file extension
(``.csv``, ``.csv.gz``, ``.parquet``; Parquet needs pyarrow). Text columns
whose values are all dates written in one format (``2020-07-23``,
``31/12/2020 14:05``) are learned as datetimes, as in the Python API, and
written back in that format. Model files are written by :func:`skl_synth.save` and
read by :func:`skl_synth.load`, which runs no code from the file. A user
mistake (a missing file, an unknown column, a bad value) prints one line,
``skl-synth: error: ...``, on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from .. import __version__
from . import _commands as _run
from ._commands import DEEP_EPOCHS, ENSEMBLE_EPOCHS

__all__ = ["main"]

# What a user can get wrong; reported in one line with exit status 2. The
# subcommands (in _cli_commands) import the heavy modules (torch, sdmetrics)
# when they run, so that ``--help`` and usage errors answer at once.
_USER_ERRORS = (ValueError, TypeError, KeyError, OSError, ImportError)
_MODEL_NOTE = (
    "Model files are skl_synth.save files (a zip of JSON, arrays and\n"
    "weights, no pickle): skl_synth.load reads them without running code."
)


def main(argv: list[str] | None = None) -> int:
    """Run the ``skl-synth`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 2 on a user mistake (after printing one line
        ``skl-synth: error: ...`` on stderr).

    Examples
    --------
    >>> import os, tempfile
    >>> from skl_synth.cli import main
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "fake.csv")
    >>> main(["demo", "--model", "copula", "--quiet", "-o", path, "--report", ""])
    0
    >>> os.path.getsize(path) > 0
    True
    >>> main(["sample", os.path.join(folder, "missing.skl"), "-n", "5",
    ...       "-o", path])
    2
    """
    parser = _make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    with warnings.catch_warnings(), _run.torch_threads(getattr(args, "threads", None)):
        warnings.showwarning = _show_warning
        try:
            return args.run(args)
        except _USER_ERRORS as error:
            print(f"skl-synth: error: {_one_line(error)}", file=sys.stderr)
            return 2


def _one_line(error):
    if isinstance(error, KeyError) and error.args:
        message = str(error.args[0])
    else:
        message = str(error)
    return " ".join(message.split()) or type(error).__name__


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"skl-synth: warning: {_one_line(message)}", file=sys.stderr)


# --------------------------------------------------------------------------
# the parser
# --------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line (subcommands' parsers are of this class too)."""

    def error(self, message):
        self.exit(2, f"skl-synth: error: {message} (see '{self.prog} --help')\n")


def _make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="skl-synth",
        description="Synthetic tabular data with scikit-learn estimators.",
        epilog="Run 'skl-synth COMMAND --help' for a command's options and an "
        "example. Tables: .csv, .csv.gz or .parquet (by extension).",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_add_demo, _add_fit, _add_sample, _add_evaluate, _add_oversample):
        add(commands)
    return parser


def _command(commands, name, run, summary, description, example):
    command = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.set_defaults(run=run)
    return command


def _add_common(command, *, seed=0, seed_help="random seed (default 0)", threads=True):
    command.add_argument("--seed", type=int, default=seed, metavar="S", help=seed_help)
    command.add_argument(
        "--quiet", action="store_true", help="no progress bars and no summary"
    )
    if threads:
        command.add_argument(
            "--threads",
            type=_positive_int,
            default=1,
            metavar="N",
            help="torch's CPU threads (default 1: the networks are small, and "
            "more threads make them slower, many times so on a busy machine)",
        )


def _add_demo(commands):
    demo = _command(
        commands,
        "demo",
        _run.demo,
        "fit a synthesizer on the embedded student_placements table",
        "Fit a synthesizer on 70% of the embedded student_placements table\n"
        "(215 students, 16 mixed-type columns), write synthetic rows to a CSV\n"
        "file and an HTML report, and print the score against the 30% held\n"
        "out, beside a Gaussian copula, column-shuffled rows and real rows.",
        "skl-synth demo --model gan --epochs 100 -o fake.csv --report fake.html",
    )
    demo.add_argument(
        "--model",
        choices=["ensemble", "gan", "vae", "diffusion", "copula"],
        default="ensemble",
        help="synthesizer (default ensemble: a VAE and a Gaussian copula for "
        "the placed students, and another two for the others)",
    )
    _add_epochs(demo)
    demo.add_argument(
        "-o",
        "--output",
        default="synthetic_student_placements.csv",
        help="table for the synthetic rows (default %(default)s)",
    )
    demo.add_argument(
        "--report",
        default="report_student_placements.html",
        help="HTML report, '' for none (default %(default)s)",
    )
    _add_common(demo)


def _add_epochs(command):
    command.add_argument(
        "--epochs",
        type=_positive_int,
        metavar="N",
        help="training epochs of the GAN, VAE and diffusion model (default: "
        f"each one's own, {DEEP_EPOCHS!r}; {ENSEMBLE_EPOCHS} for the ensemble's "
        "VAE); ignored by the copula",
    )


def _add_fit(commands):
    fit = _command(
        commands,
        "fit",
        _run.fit,
        "fit a synthesizer on a table and write it to a model file",
        "Fit a synthesizer on every row of DATA and write it to MODEL.\n" + _MODEL_NOTE,
        "skl-synth fit students.csv --model vae --epochs 300 -o vae.skl",
    )
    fit.add_argument("data", metavar="DATA", help="the table to learn")
    fit.add_argument(
        "--model",
        choices=["gan", "vae", "diffusion", "copula", "ensemble"],
        required=True,
        help="synthesizer",
    )
    _add_epochs(fit)
    fit.add_argument(
        "--batch-size",
        type=_positive_int,
        metavar="N",
        help="rows per training step of the GAN and VAE (default 50 for tables "
        "under 5000 rows, else 500; a multiple of 10 for the GAN)",
    )
    fit.add_argument(
        "--discrete",
        metavar="COL,...",
        help="the numeric columns to learn as categories (text and boolean "
        "columns always are; by default, whole-number columns with at most 10 "
        "values are)",
    )
    fit.add_argument(
        "--partition-column",
        metavar="COL",
        help="--model ensemble: fit its VAE and copula on the rows of each value "
        "of this discrete column, weighted by their share (default: both on "
        "all rows, half and half)",
    )
    fit.add_argument("--device", default="auto", help="torch device: auto, cpu or cuda")
    fit.add_argument(
        "-o", "--output", required=True, metavar="MODEL", help="model file to write"
    )
    _add_common(fit)


def _add_sample(commands):
    sample = _command(
        commands,
        "sample",
        _run.sample,
        "generate rows from a model file",
        "Generate N rows from a MODEL written by 'skl-synth fit'. A Parquet OUT\n"
        "is written chunk by chunk (memory bounded by --chunk-size, a progress\n"
        "bar on stderr), under a temporary name until it is complete.\n" + _MODEL_NOTE,
        "skl-synth sample vae.skl -n 1000 -o fake.csv --condition placed=True\n"
        "  skl-synth sample copula.skl --rows 50000000 --out big.parquet",
    )
    sample.add_argument("model", metavar="MODEL", help="a model file")
    sample.add_argument(
        "-n",
        "--n-samples",
        "--rows",
        type=_positive_int,
        required=True,
        metavar="N",
        help="number of rows to generate",
    )
    sample.add_argument(
        "-o", "--output", "--out", required=True, metavar="OUT", help="table to write"
    )
    sample.add_argument(
        "--chunk-size",
        type=_positive_int,
        default=100_000,
        metavar="ROWS",
        help="rows generated at a time for a Parquet OUT (default 100000)",
    )
    sample.add_argument(
        "--force",
        action="store_true",
        help="replace an existing Parquet OUT (otherwise refused)",
    )
    sample.add_argument(
        "--condition",
        action="append",
        default=[],
        metavar="COL=VALUE",
        help="a value every row takes in a discrete column (repeatable); "
        "VALUE is read as the column's type",
    )
    _add_common(
        sample,
        seed=None,
        seed_help="random seed (default: the model's, so that the same call "
        "gives the same rows)",
    )


def _add_evaluate(commands):
    evaluate = _command(
        commands,
        "evaluate",
        _run.evaluate,
        "score synthetic rows against real rows",
        "Print the fidelity, privacy and, with --target and --holdout, utility\n"
        "scores of SYNTH against the REAL rows the synthesizer was fitted on\n"
        "(skl_synth.metrics.evaluate; every score is higher-is-better).",
        "skl-synth evaluate train.csv fake.csv --target placed \\\n"
        "      --holdout test.csv --report report.html",
    )
    evaluate.add_argument("real", metavar="REAL", help="the training rows")
    evaluate.add_argument("synthetic", metavar="SYNTH", help="the synthetic rows")
    evaluate.add_argument("--target", metavar="COL", help="column to predict")
    evaluate.add_argument(
        "--holdout", metavar="FILE", help="real rows not used for fitting"
    )
    evaluate.add_argument("--report", metavar="FILE", help="also write an HTML report")
    evaluate.add_argument(
        "-o", "--output", metavar="FILE", help="also write the scores as a table"
    )
    _add_common(evaluate, threads=False)


def _add_oversample(commands):
    oversample = _command(
        commands,
        "oversample",
        _run.oversample,
        "balance a table's classes with generated rows",
        "Grow the classes of column --target in DATA with generated rows, as\n"
        "imbalanced-learn's samplers do, and write the real rows then the new\n"
        "ones to OUT.",
        "skl-synth oversample loans.csv --target default -o balanced.csv \\\n"
        "      --strategy minority",
    )
    oversample.add_argument("data", metavar="DATA", help="the table to grow")
    oversample.add_argument(
        "--target", required=True, metavar="COL", help="the class column"
    )
    oversample.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="table to write"
    )
    oversample.add_argument(
        "--strategy",
        default="auto",
        help="imbalanced-learn's sampling_strategy: auto, minority, 'not "
        "majority', 'not minority', all, or a float (binary classes: the "
        "minority/majority ratio wanted) (default auto)",
    )
    oversample.add_argument(
        "--model",
        choices=["copula", "vae", "gan", "diffusion", "ensemble"],
        default="copula",
        help="synthesizer: copula = CopulaOverSampler (per class, Gaussian "
        "copulas on clusters of the class's rows and half interpolated rows; "
        "0.1 s on KEEL tables), vae = VAEOverSampler (interpolation between "
        "neighbouring rows of the class in the VAE's latent space; the best of "
        "ours with random forests), or one gan / diffusion / ensemble "
        "conditioned on the class (default copula)",
    )
    _add_epochs(oversample)
    _add_common(oversample)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value
