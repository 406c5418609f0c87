"""Torch modules as data: their constructor's arguments and their tensors.

:func:`saved_module` declares a module class to :mod:`skl_synth.persistence`
and records the arguments each instance was built with;
:func:`module_tensors` and :func:`rebuild_module` are the two halves of its
storage (safetensors bytes, read without pickle). Persistence reaches torch
only through this module.
"""

from __future__ import annotations

import functools
import inspect

import torch

from ..utils._state import persistable

TORCH_VERSION = torch.__version__

# torch.device is a value of the synthesizers' ``device`` parameter:
# (exact type, tag, to JSON, from JSON), as persistence stores scalars.
DEVICE_SCALAR = (torch.device, "__device__", str, lambda v: torch.device(str(v)))


def saved_module(cls):
    """Class decorator: a torch module savable from its arguments and tensors.

    Each instance keeps the arguments of its constructor in
    ``init_arguments``; loading calls the constructor with them (on the meta
    device, so nothing is allocated before the shapes are checked) and loads
    the saved tensors into it.

    Examples
    --------
    >>> from torch import nn
    >>> from skl_synth._nn.state import saved_module
    >>> @saved_module
    ... class Head(nn.Module):
    ...     def __init__(self, n_in, n_out=1):
    ...         super().__init__()
    ...         self.linear = nn.Linear(n_in, n_out)
    >>> Head(3).init_arguments
    {'n_in': 3, 'n_out': 1}
    """
    init = cls.__init__
    signature = inspect.signature(init)

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        init(self, *args, **kwargs)
        self.init_arguments = dict(list(bound.arguments.items())[1:])

    cls.__init__ = __init__
    return persistable("module")(cls)


def module_tensors(module):
    """The module's parameters and buffers as safetensors bytes, from the CPU."""
    from safetensors.torch import save

    state = module.state_dict()
    return save({k: v.detach().cpu().contiguous() for k, v in state.items()})


def rebuild_module(cls, arguments, data, training):
    """``cls(**arguments)`` on the CPU with the tensors of ``data``.

    Raises a ValueError when the tensors are unreadable or do not have the
    names and shapes of the module's parameters and buffers; nothing is
    allocated before that is checked.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load

    try:
        tensors = load(data)
    except SafetensorError as error:
        raise ValueError(f"unreadable weights ({error})") from None
    with torch.device("meta"):
        module = cls(**arguments)
    expected = {k: tuple(v.shape) for k, v in module.state_dict().items()}
    found = {k: tuple(v.shape) for k, v in tensors.items()}
    if expected != found:
        missing = sorted(expected.keys() - found.keys())
        unexpected = sorted(found.keys() - expected.keys())
        reshaped = {
            k: (found[k], expected[k])
            for k in sorted(expected.keys() & found.keys())
            if found[k] != expected[k]
        }
        raise ValueError(
            f"the weights do not fit a {cls.__name__}{arguments}: missing "
            f"{missing}, unexpected {unexpected}, shapes (found, expected) "
            f"{reshaped}; a file written by another version of skl_synth may "
            "hold another module: fit the model again and save it"
        )
    module = module.to_empty(device="cpu")
    module.load_state_dict(tensors, strict=True)
    return module.train(bool(training))
