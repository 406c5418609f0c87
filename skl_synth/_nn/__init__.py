"""Torch code of skl_synth: modules, span-wise activations, losses, loops, devices.

The bottom stage with preprocessing, and the only one that imports torch; no pandas.
Every random draw uses an explicit ``torch.Generator``, never torch's global one.
"""
