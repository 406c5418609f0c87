"""The real `skl-synth` command, run in a subprocess."""

import re
import subprocess
import sys

import pandas as pd

from skl_synth.datasets import load_student_placements


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "skl_synth", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
    )


def test_demo_writes_synthetic_rows_and_scores(tmp_path):
    output = tmp_path / "fake.csv"
    result = run("demo", "--epochs", "3", "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"VAESynthesizer on student_placements: fitted on 150 rows", result.stdout
    )
    assert f"wrote 215 synthetic rows to {output}" in result.stdout
    scores = dict(re.findall(r"^  (.+?)\s+(0\.\d{3})$", result.stdout, flags=re.M))
    assert len(scores) == 4
    # the reference points order as they must: shuffled < real rows
    real = float(scores["real training rows (the ceiling)"])
    shuffled = float(scores["column-shuffled training rows (no structure)"])
    assert shuffled < real - 0.2
    fake = pd.read_csv(output)
    assert list(fake.columns) == list(load_student_placements().columns)
    assert len(fake) == 215


def test_demo_models_and_quiet(tmp_path):
    output = tmp_path / "copula.csv"
    result = run("demo", "--model", "copula", "--quiet", "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert len(pd.read_csv(output)) == 215


def test_usage_errors_exit_2_with_one_clear_line():
    result = run("no-such-command")
    assert result.returncode == 2
    assert "invalid choice: 'no-such-command'" in result.stderr
    assert "Traceback" not in result.stderr
    assert run().returncode == 2
    result = run("demo", "--epochs", "0")
    assert result.returncode == 2
    assert "must be a positive integer, got 0" in result.stderr


def test_version():
    from skl_synth import __version__

    result = run("--version")
    assert result.stdout.strip() == __version__
