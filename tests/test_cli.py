"""The real `skl-synth` command, run in a subprocess."""

import re
import subprocess
import sys


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "skl_synth", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_round_trips_every_column():
    result = run("demo")
    assert result.returncode == 0, result.stderr
    assert "215 rows x 16 columns -> 70 encoded float32 columns" in result.stdout
    assert "16 of 16 columns decoded identical to the input." in result.stdout
    row = r"salary\s+continuous\s+float64\s+value\[1\] \+ mode\[\d+\] \+ missing\[2\]"
    assert re.search(row, result.stdout)


def test_demo_quiet_prints_nothing():
    result = run("demo", "--quiet")
    assert result.returncode == 0
    assert result.stdout == ""


def test_usage_errors_exit_2_with_one_clear_line():
    result = run("no-such-command")
    assert result.returncode == 2
    assert "invalid choice: 'no-such-command'" in result.stderr
    assert "Traceback" not in result.stderr
    assert run().returncode == 2


def test_version():
    from skl_synth import __version__

    result = run("--version")
    assert result.stdout.strip() == __version__
