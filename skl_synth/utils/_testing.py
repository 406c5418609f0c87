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
    "DiffusionSynthesizer": {
        "epochs": 2,
        "batch_size": 20,
        "hidden_dims": (16,),
        "dim_t": 8,
        "n_timesteps": 20,
        "sampling_steps": 4,
        "random_state": 0,
    },
    # skl_synth.ensemble; members named by class, each with its tiny settings.
    # "size" weighting: "validation" would score mixtures in every check fit
    # (tests/test_ensemble.py covers it).
    "EnsembleSynthesizer": {
        "synthesizers": [
            ("copula", "GaussianCopulaSynthesizer"),
            ("vae", "VAESynthesizer"),
        ],
        "partition": "bootstrap",
        "n_partitions": 2,
        "weighting": "size",
        "random_state": 0,
    },
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
    if "synthesizers" in params:  # an ensemble: fresh tiny members
        from .. import synthesizers

        members = [
            (name, tiny_synthesizer(getattr(synthesizers, member_class)))
            for name, member_class in params["synthesizers"]
        ]
        params = {**params, "synthesizers": members}
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


# The synthesizer of the tiny instance of each public sampler, by class name:
# (synthesizer class name, settings over its TINY_PARAMS). The samplers'
# estimator checks fit 1000-row tables, where batches of 20 rows would cost
# 50 steps an epoch; one epoch of 200-row batches exercises the same code.
TINY_SAMPLER_SYNTHESIZERS: dict[str, tuple[str | None, dict]] = {
    "GenerativeOverSampler": ("GaussianCopulaSynthesizer", {}),
    "GANOverSampler": ("GANSynthesizer", {"batch_size": 200, "epochs": 1}),
    "VAEOverSampler": ("VAESynthesizer", {"batch_size": 200, "epochs": 1}),
    "DiffusionOverSampler": (
        "DiffusionSynthesizer",
        {"batch_size": 200, "epochs": 1},
    ),
    "EnsembleOverSampler": (
        "EnsembleSynthesizer",
        {"vae__batch_size": 200, "vae__epochs": 1},
    ),
    "GenerativeAugmenter": ("GaussianCopulaSynthesizer", {}),
    # None: the sampler's own default synthesizer (copulas: fast as it is)
    "CopulaOverSampler": (None, {}),
}


def public_sampler_classes():
    """The sampler classes exported by ``skl_synth.over_sampling``.

    ``EnsembleOverSampler`` and ``CopulaOverSampler`` are left out while
    ``skl_synth.ensemble`` (their default synthesizer) cannot be imported.

    Returns
    -------
    classes : list of type
        In the order of ``skl_synth.over_sampling.__all__``.

    Examples
    --------
    >>> from skl_synth.utils._testing import public_sampler_classes
    >>> "GANOverSampler" in [c.__name__ for c in public_sampler_classes()]
    True
    """
    from .. import over_sampling

    classes = [getattr(over_sampling, name) for name in over_sampling.__all__]
    try:
        from .. import ensemble  # noqa: F401
    except ImportError:
        needs = {"EnsembleOverSampler", "CopulaOverSampler"}
        classes = [c for c in classes if c.__name__ not in needs]
    return classes


def tiny_sampler(sampler_class):
    """A new instance of ``sampler_class`` with a tiny synthesizer.

    Parameters
    ----------
    sampler_class : type
        A sampler class named in ``TINY_SAMPLER_SYNTHESIZERS``.

    Returns
    -------
    sampler : GenerativeOverSampler or GenerativeAugmenter
        Unfitted, with ``random_state=0``.

    Examples
    --------
    >>> from skl_synth.over_sampling import VAEOverSampler
    >>> from skl_synth.utils._testing import tiny_sampler
    >>> tiny_sampler(VAEOverSampler).synthesizer.epochs
    1
    """
    try:
        name, settings = TINY_SAMPLER_SYNTHESIZERS[sampler_class.__name__]
    except KeyError:
        raise LookupError(
            f"{sampler_class.__name__} has no tiny test settings; add an entry for "
            "it to TINY_SAMPLER_SYNTHESIZERS in skl_synth/utils/_testing.py."
        ) from None
    if name is None:
        return sampler_class(random_state=0)
    from .. import synthesizers

    if hasattr(synthesizers, name):
        synthesizer_class = getattr(synthesizers, name)
    else:
        from .. import ensemble

        synthesizer_class = getattr(ensemble, name)
    synthesizer = tiny_synthesizer(synthesizer_class).set_params(**settings)
    return sampler_class(synthesizer, random_state=0)


def tiny_samplers():
    """Tiny instances of every public sampler, one per class.

    Returns
    -------
    samplers : list of estimators
        Unfitted instances, in the order of ``skl_synth.over_sampling.__all__``.

    Examples
    --------
    >>> from skl_synth.utils._testing import tiny_samplers
    >>> all(s.random_state == 0 for s in tiny_samplers())
    True
    """
    return [tiny_sampler(cls) for cls in public_sampler_classes()]


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
    from .._nn.numerics import torch_threads as threads

    with threads(n_threads):
        yield


def run_cli(*args, cwd=None):
    """``skl-synth ARGS`` in this process: its exit status and its output.

    What the entry point runs (:func:`skl_synth.cli.main`), in the folder
    ``cwd``, with stdout and stderr captured and warnings ignored (as the
    command's users see them): the tests of the command line, without a
    subprocess that spends seconds importing torch.

    Returns
    -------
    result : subprocess.CompletedProcess
        ``returncode``, ``stdout`` and ``stderr`` of the command.

    Examples
    --------
    >>> from skl_synth.utils._testing import run_cli
    >>> result = run_cli("--version")
    >>> result.returncode, result.stdout.strip() != ""
    (0, True)
    """
    import io
    import os
    import subprocess
    import warnings
    from contextlib import redirect_stderr, redirect_stdout

    from ..cli import main

    out, err, before = io.StringIO(), io.StringIO(), os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                status = main([str(arg) for arg in args])
            except SystemExit as exit_:  # --help, --version, argparse's errors
                status = exit_.code
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())
