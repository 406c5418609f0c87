"""Torch code of skl_synth: modules, span-wise activations, losses, loops.

Nothing here knows about pandas. The encoded layout arrives as
:class:`~skl_synth.preprocessing.Span` records (plain dataclasses) and every
random draw uses an explicit ``torch.Generator``; the global torch RNG is
never used.
"""
