"""Tiny, fast settings of every public synthesizer, for the test suite.

This is the one place that says how small a synthesizer may be made to keep
the tests fast; ``tests/test_common.py`` and other test files build their
instances with :func:`tiny_synthesizers` / :func:`tiny_synthesizer`.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager

# Keyword arguments of the tiny instance of each public synthesizer, by class
# name. A synthesizer exported by ``skl_synth.synthesizers`` must appear here
# (``tiny_synthesizers`` raises LookupError otherwise), so that no new one
# escapes the common tests; an entry whose class is not exported is ignored.
TINY_PARAMS: dict[str, dict] = {
    "GANSynthesizer": {
        "epochs": 2,
        "batch_size": 20,
        "pac": 2,
        "embedding_dim": 8,
        "generator_dim": (16,),
        "discriminator_dim": (16,),
        "random_state": 0,
    },
    "VAESynthesizer": {
        "epochs": 2,
        "batch_size": 20,
        "embedding_dim": 8,
        "compress_dims": (16,),
        "decompress_dims": (16,),
        "random_state": 0,
    },
    "GaussianCopulaSynthesizer": {"random_state": 0},
}


def public_synthesizer_classes():
    """The concrete synthesizer classes exported by ``skl_synth.synthesizers``.

    Returns
    -------
    classes : list of type
        In the order of ``skl_synth.synthesizers.__all__``.

    Examples
    --------
    >>> from skl_synth.utils._testing import public_synthesizer_classes
    >>> "VAESynthesizer" in [c.__name__ for c in public_synthesizer_classes()]
    True
    """
    from .. import synthesizers

    classes = (getattr(synthesizers, name) for name in synthesizers.__all__)
    return [
        cls
        for cls in classes
        if inspect.isclass(cls)
        and issubclass(cls, synthesizers.BaseSynthesizer)
        and not inspect.isabstract(cls)
        and not cls.__name__.startswith("Base")
    ]


def tiny_synthesizer(synthesizer_class):
    """A new instance of ``synthesizer_class`` with its tiny test settings.

    Parameters
    ----------
    synthesizer_class : type
        A synthesizer class named in ``TINY_PARAMS``.

    Returns
    -------
    synthesizer : BaseSynthesizer
        Unfitted; fits a ~100-row table in about a second.

    Examples
    --------
    >>> from skl_synth.synthesizers import VAESynthesizer
    >>> from skl_synth.utils._testing import tiny_synthesizer
    >>> tiny_synthesizer(VAESynthesizer).epochs
    2
    """
    try:
        params = TINY_PARAMS[synthesizer_class.__name__]
    except KeyError:
        raise LookupError(
            f"{synthesizer_class.__name__} has no tiny test settings; add an entry "
            "for it to TINY_PARAMS in skl_synth/utils/_testing.py."
        ) from None
    return synthesizer_class(**params)


def tiny_synthesizers():
    """Tiny instances of every public synthesizer, one per class.

    Returns
    -------
    synthesizers : list of BaseSynthesizer
        Unfitted instances, in the order of ``skl_synth.synthesizers.__all__``.

    Examples
    --------
    >>> from skl_synth.utils._testing import tiny_synthesizers
    >>> all(s.random_state == 0 for s in tiny_synthesizers())
    True
    """
    return [tiny_synthesizer(cls) for cls in public_synthesizer_classes()]


@contextmanager
def torch_threads(n_threads=1):
    """Run torch's CPU operations on ``n_threads`` threads, then restore.

    The tiny networks of the tests are far too small to gain from several
    threads, and on a busy CI machine torch's spinning worker threads make
    each small operation orders of magnitude slower.

    Parameters
    ----------
    n_threads : int, default=1
        Number of intra-op threads while the context is active.

    Yields
    ------
    None

    Examples
    --------
    >>> import torch
    >>> from skl_synth.utils._testing import torch_threads
    >>> before = torch.get_num_threads()
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
