"""The ``skl-synth`` command (also ``python -m skl_synth``): demo, fit, sample, ...

The top stage: imports every other one, each when its subcommand runs.
"""

from ._parser import main

__all__ = ["main"]
