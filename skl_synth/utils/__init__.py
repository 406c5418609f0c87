"""Helpers shared by every stage: random states, docstrings, persistence declarations.

Imports nothing of skl_synth, except ``estimator_checks`` and ``_testing`` (tests).
"""
