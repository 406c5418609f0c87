"""Build torch modules whose initial weights come from a given generator."""

from __future__ import annotations

import math

import torch
from torch import nn


def build(factory, generator, device):
    """Call ``factory()`` without touching the global RNG, then seed its weights.

    The module is created on the meta device (no memory, no random draws),
    materialized on the CPU, initialized with ``generator`` exactly as torch
    would initialize it, and moved to ``device``.
    """
    with torch.device("meta"):
        module = factory()
    module = module.to_empty(device="cpu")
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
            bound = 1 / math.sqrt(layer.in_features) if layer.in_features else 0
            nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
        elif isinstance(layer, nn.BatchNorm1d):
            layer.reset_parameters()
        elif hasattr(layer, "reset_parameters_"):
            layer.reset_parameters_()
    return module.to(device)
