"""An HTML report of synthetic rows against real ones: scores and plots.

Kept at its public path; the code is ``skl_synth.metrics._report``.
"""

from .metrics._report import make_report

__all__ = ["make_report"]
