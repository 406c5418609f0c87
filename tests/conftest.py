"""Shared fixtures: the real datasets that ship offline."""

import pytest
import torch

from skl_synth.datasets import load_student_placements

# One torch thread: tiny networks are several times faster without thread
# hand-offs (and far faster on a loaded machine); thresholds in the tests were
# measured this way.
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def _placements_frame():
    return load_student_placements()


@pytest.fixture
def placements(_placements_frame):
    """The student placements table (a fresh copy for each test)."""
    return _placements_frame.copy()
