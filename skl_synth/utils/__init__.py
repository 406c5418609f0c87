"""Helpers shared by skl_synth's estimators (validation, random state)."""
