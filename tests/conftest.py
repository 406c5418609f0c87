"""Shared fixtures: the real datasets that ship offline."""

import pytest

from skl_synth.datasets import load_student_placements


@pytest.fixture(scope="session")
def _placements_frame():
    return load_student_placements()


@pytest.fixture
def placements(_placements_frame):
    """The student placements table (a fresh copy for each test)."""
    return _placements_frame.copy()
