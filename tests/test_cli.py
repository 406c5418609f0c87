"""The `skl-synth` command on tiny data.

Commands run in this process through :func:`skl_synth.cli.main`, what the
entry point calls, with their output captured (a subprocess spent most of
its time importing torch); ``test_version`` and ``test_entry_point_runs_a_command``
run the real command in a subprocess.
"""

import os
import re
import subprocess
import sys

import pandas as pd
import pytest

from skl_synth import load, save
from skl_synth.cli import main
from skl_synth.datasets import load_student_placements
from skl_synth.synthesizers import GaussianCopulaSynthesizer
from skl_synth.utils._testing import run_cli

# One torch thread in the commands too (see tests/conftest.py).
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def subprocess_run(*args, cwd=None):
    """The installed command, ``python -m skl_synth ARGS``, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "skl_synth", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        timeout=300,
    )


def run_all(*commands):
    return [run_cli(*command) for command in commands]


def assert_ok(result):
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def placements_csv(tmp_path, placements):
    path = tmp_path / "placements.csv"
    placements.to_csv(path, index=False)
    return path


@pytest.fixture
def has_parquet():
    return pytest.importorskip("pyarrow") is not None


def test_demo_writes_rows_report_and_scores(tmp_path):
    output, report = tmp_path / "fake.csv", tmp_path / "report.html"
    result = run_cli("demo", "--epochs", "2", "-o", output, "--report", report)
    assert_ok(result)
    assert re.search(
        r"^EnsembleSynthesizer on student_placements: fitted on 150 rows",
        result.stdout,
        flags=re.M,
    )
    assert f"wrote 215 synthetic rows to {output}" in result.stdout
    weights = re.search(r"^members' weights: (.+)$", result.stdout, flags=re.M)
    weights = [float(w) for w in re.findall(r" (\d\.\d\d)", " " + weights[1])]
    assert sum(weights) == pytest.approx(1, abs=0.02)
    scores = dict(re.findall(r"^  (.+?)\s+(0\.\d{3})$", result.stdout, flags=re.M))
    assert len(scores) == 4
    # the reference points order as they must: shuffled < real rows
    real = float(scores["real training rows (the ceiling)"])
    shuffled = float(scores["column-shuffled training rows (no structure)"])
    assert shuffled < real - 0.2
    assert re.search(r"^  exact_copies\s+score 1\.000", result.stdout, flags=re.M)
    fake = pd.read_csv(output)
    assert list(fake.columns) == list(load_student_placements().columns)
    assert len(fake) == 215
    page = report.read_text(encoding="utf-8")
    assert "Column distributions" in page
    assert "vae_0" in page  # the ensemble's members


def test_fit_then_sample_with_conditions(tmp_path, placements_csv):
    model, ensemble = tmp_path / "vae.skl", tmp_path / "ensemble.skl"
    vae_fit, ensemble_fit = run_all(
        ("fit", placements_csv, "--model", "vae", "--epochs", 2, "-o", model),
        ("fit", placements_csv, "--model", "ensemble", "--epochs", 2,
         "--partition-column", "placed", "-o", ensemble, "--quiet"),
    )  # fmt: skip
    assert_ok(vae_fit)
    assert_ok(ensemble_fit)
    assert re.match(r"fitted VAESynthesizer on 215 rows x 16 columns", vae_fit.stdout)
    parts = load(ensemble)
    assert parts.part_values_ == [False, True]
    assert [name for name, _ in parts.members_] == [
        "vae_0", "vae_1", "copula_0", "copula_1",
    ]  # fmt: skip
    seeds = [tmp_path / f"seed{i}.csv" for i in range(3)]
    conditioned = tmp_path / "conditioned.csv"
    assert_ok(run_cli(
        "sample", ensemble, "-n", 40, "-o", conditioned,
        "--condition", "placed=false", "--condition", "gender=F",
        "--condition", "high_spec=Arts",
    ))  # fmt: skip
    for out, seed in zip(seeds, (3, 3, 4), strict=True):
        argv = ["sample", model, "-n", 30, "-o", out, "--seed", seed, "--quiet"]
        assert main([str(arg) for arg in argv]) == 0
    first, second, third = (pd.read_csv(path) for path in seeds)
    pd.testing.assert_frame_equal(first, second)  # same seed, same rows
    assert not first.equals(third)
    rows = pd.read_csv(conditioned)
    assert rows.shape == (40, 16)
    assert not rows["placed"].any()
    assert (rows["gender"] == "F").all() and (rows["high_spec"] == "Arts").all()
    assert rows["salary"].isna().all()  # only the members of the unplaced part


def test_parquet_in_and_out_keeps_dtypes(tmp_path, placements, has_parquet):
    data, model = tmp_path / "data.parquet", tmp_path / "copula.skl"
    out = tmp_path / "fake.parquet"
    placements.to_parquet(data, index=False)
    assert (
        main(["fit", str(data), "--model", "copula", "-o", str(model), "--quiet"]) == 0
    )
    result = run_cli("sample", model, "-n", 25, "-o", out, "--condition", "placed=True")
    assert_ok(result)
    assert result.stdout == f"wrote 25 rows from GaussianCopulaSynthesizer to {out}\n"
    rows = pd.read_parquet(out)
    assert rows["placed"].all()
    assert (rows.dtypes == placements.dtypes).all()


def test_evaluate_prints_scores_and_writes_report(tmp_path, placements):
    train, holdout = placements.iloc[:150], placements.iloc[150:]
    fake = GaussianCopulaSynthesizer(random_state=0).fit(train).sample(150)
    paths = {name: tmp_path / f"{name}.csv" for name in ("real", "fake", "holdout")}
    for name, table in zip(paths, (train, fake, holdout), strict=True):
        table.to_csv(paths[name], index=False)
    report, scores = tmp_path / "report.html", tmp_path / "scores.csv"
    result = run_cli(
        "evaluate", paths["real"], paths["fake"], "--target", "placed",
        "--holdout", paths["holdout"], "--report", report, "-o", scores,
    )  # fmt: skip
    assert_ok(result)
    table = pd.read_csv(scores)
    assert set(table["property"]) == {"fidelity", "privacy", "utility"}
    assert table.loc[table["metric"] == "exact_copies", "score"].item() == 1.0
    for metric, prop in zip(table["metric"], table["property"], strict=True):
        assert re.search(rf"^\s*{metric}\s+{prop}\s", result.stdout, flags=re.M)
    assert "Column distributions" in report.read_text(encoding="utf-8")


def test_oversample_balances_the_classes(tmp_path, placements_csv):
    balanced, ratio = tmp_path / "balanced.csv", tmp_path / "ratio.csv"
    copula, vae = run_all(
        ("oversample", placements_csv, "--target", "placed", "-o", balanced,
         "--model", "copula"),
        ("oversample", placements_csv, "--target", "gender", "-o", ratio,
         "--model", "vae", "--epochs", 2, "--strategy", 0.8, "--quiet"),
    )  # fmt: skip
    assert_ok(copula)
    assert_ok(vae)
    assert "wrote 296 rows (81 generated)" in copula.stdout
    rows = pd.read_csv(balanced)
    assert list(rows.columns) == list(load_student_placements().columns)
    assert rows["placed"].value_counts().to_dict() == {True: 148, False: 148}
    # --model copula is CopulaOverSampler: per class, so the generated students
    # who were not placed have no salary, like the real ones
    assert rows.loc[~rows["placed"], "salary"].isna().all()
    counts = pd.read_csv(ratio)["gender"].value_counts()  # 139 M, 76 F
    assert counts.to_dict() == {"M": 139, "F": int(0.8 * 139)}
    assert vae.stdout == ""


@pytest.fixture
def copula_model(tmp_path, placements):
    path = tmp_path / "copula.skl"
    save(GaussianCopulaSynthesizer(random_state=0).fit(placements), path)
    return path


def assert_one_error_line(stderr, message):
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("skl-synth: error: "), lines
    assert message in lines[0], lines


def test_user_mistakes_exit_2_with_one_line(tmp_path, copula_model):
    text, out = tmp_path / "notes.csv", tmp_path / "out.csv"
    text.write_text("just, some\ntext, here\n")
    mistakes = {
        "invalid choice: 'no-such-command'": ("no-such-command",),
        "--epochs: must be a positive integer, got 0": ("demo", "--epochs", "0"),
        f"no such file: {tmp_path / 'missing.csv'}": (
            "fit", tmp_path / "missing.csv", "--model", "vae", "-o", out,
        ),
        f"cannot read {text} as a model file": ("sample", text, "-n", 5, "-o", out),
        "conditions name column 'nope', which was not seen": (
            "sample", copula_model, "-n", 5, "-o", out, "--condition", "nope=1",
        ),
    }  # fmt: skip
    results = run_all(*mistakes.values(), ())
    for message, result in zip(mistakes, results, strict=False):
        assert result.returncode == 2, (message, result.stderr)
        assert "Traceback" not in result.stderr
        assert_one_error_line(result.stderr, message)
    assert results[-1].returncode == 2  # no command: the help, on stderr
    assert "usage: skl-synth" in results[-1].stderr


@pytest.mark.parametrize(
    ("message", "args"),
    [
        ("cannot tell the format of data.txt", ("fit", "data.txt", "--model", "vae")),
        (
            "conditions ask column 'placed' for ['maybe'], never seen",
            ("sample", "MODEL", "-n", "5", "--condition", "placed=maybe"),
        ),
        (
            "--condition 'placed' is not of the form COL=VALUE",
            ("sample", "MODEL", "-n", "5", "--condition", "placed"),
        ),
        (
            "--target 'nope' is not a column of",
            ("oversample", "DATA", "--target", "nope"),
        ),
        (
            "--target needs --holdout FILE",
            ("evaluate", "DATA", "DATA", "--target", "placed"),
        ),
        (
            "discrete_columns names ['nope'], which are not columns of X",
            ("fit", "DATA", "--model", "copula", "--discrete", "nope"),
        ),
    ],
)
def test_more_mistakes_in_process(
    message, args, tmp_path, copula_model, placements_csv, capsys
):
    """The same ``main`` as the command, called in this process (faster)."""
    paths = {"MODEL": copula_model, "DATA": placements_csv}
    argv = [str(paths.get(arg, arg)) for arg in args] + ["-o", str(tmp_path / "o.csv")]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_one_error_line(captured.err, message)


@pytest.mark.parametrize("command", ["demo", "fit", "sample", "evaluate", "oversample"])
def test_help_has_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert f"example:\n  skl-synth {command} " in capsys.readouterr().out


def test_version():
    from skl_synth import __version__

    result = subprocess_run("--version")
    assert result.stdout.strip() == __version__


def test_entry_point_runs_a_command(tmp_path, placements_csv):
    out = tmp_path / "copula.skl"
    result = subprocess_run("fit", placements_csv, "--model", "copula", "-o", out)
    assert_ok(result)
    assert re.match(r"fitted GaussianCopulaSynthesizer on 215 rows", result.stdout)
    missing = subprocess_run(
        "sample", tmp_path / "missing.skl", "-n", "5", "-o", "x.csv"
    )
    assert missing.returncode == 2
    assert missing.stderr.startswith("skl-synth: error: no such file")


def test_fit_diffusion_model(tmp_path, placements_csv):
    out = tmp_path / "diffusion.skl"
    argv = ["fit", placements_csv, "--model", "diffusion", "--epochs", 2, "-o", out]
    assert main([str(arg) for arg in [*argv, "--quiet"]]) == 0
    model = load(out)
    assert type(model).__name__ == "DiffusionSynthesizer"
    assert model.n_epochs_ == 2 and model.sample(5).shape == (5, 16)
