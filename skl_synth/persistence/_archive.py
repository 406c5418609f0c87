"""Save and load estimators without pickle: :func:`save` and :func:`load`.

A saved estimator is one zip file:

``manifest.json``
    The format version, the versions of skl_synth and its libraries, the
    estimator's class path, its parameters and its fitted state, as JSON.
    Values JSON has no type for are tagged objects, such as
    ``{"__estimator__": "skl_synth.synthesizers._vae.VAESynthesizer", ...}``,
    ``{"__module__": "skl_synth._nn.vae.Decoder", "arguments": ...}``,
    ``{"__ndarray__": "arrays/3.npy"}`` or ``{"__timestamp__": ...}``.
``arrays/<k>.npy``
    Numeric arrays, read with ``numpy.load(allow_pickle=False)``.
``tensors/<k>.safetensors``
    The weights of each torch module, read with safetensors.

Loading runs no code from the file: JSON, ``.npy`` without pickle and
safetensors are data formats, and the only classes created are those that
declared themselves savable (:mod:`skl_synth.utils._state`: skl_synth's
estimators and their parts, and the few scikit-learn classes they hold: the
random forest of the samplers' default filter and its trees, the quantile
transformer of the copula), each rebuilt as its declaration says.

Format versions: 1 was written by skl_synth 0.1 (classes at their paths of
the flat layout, torch modules rebuilt by their synthesizer); 2, since
skl_synth 0.2, names the classes at their paths in the subpackages and
stores each torch module's constructor arguments. A file of another version
is refused with a message naming the skl_synth version that wrote it.
"""

from __future__ import annotations

import json
import re
import warnings
import zipfile

import numpy as np
import pandas as pd

__all__ = ["load", "save"]

FORMAT = "skl_synth.model"
FORMAT_VERSION = 2
"""Version of the file layout; :func:`load` reads files of this version only."""

_MANIFEST = "manifest.json"
_MEMBER = re.compile(r"manifest\.json|arrays/[0-9]+\.npy|tensors/[0-9]+\.safetensors")


def save(estimator, path):
    """Save an estimator to one file that :func:`load` reads without pickle.

    The file is a zip of a JSON manifest (class, parameters, fitted state,
    versions), numpy arrays (``.npy``) and torch weights (safetensors).
    Every skl_synth estimator can be saved, fitted or not: the synthesizers,
    :class:`~skl_synth.ensemble.EnsembleSynthesizer`, the samplers of
    :mod:`skl_synth.over_sampling` and
    :class:`~skl_synth.preprocessing.TabularEncoder`. Torch modules are
    saved from the CPU, so a model fitted on a GPU loads anywhere.

    A saved sampler keeps what ``fit_resample`` learned: ``synthesizers_``
    (which generate more rows of each class, identical to the original's
    for the same calls), ``filter_``, ``sampling_strategy_`` and the counts.
    Its ``fit_resample`` learns again, as any imbalanced-learn sampler does.

    Parameters
    ----------
    estimator : estimator
        The estimator to save. Its parameters and fitted attributes must be
        made of numbers, strings, numpy arrays, pandas objects and other
        savable estimators: a user-defined class (such as a custom filter
        classifier or a callable ``sampling_strategy``) raises a TypeError
        naming the attribute; pickle or joblib can store those.
    path : str, path-like or binary file object
        Where to write the file (conventionally ``*.skl``).

    Raises
    ------
    TypeError
        If part of the estimator cannot be stored without pickle.

    See Also
    --------
    load : Read the file back.

    Examples
    --------
    >>> import os, tempfile
    >>> from skl_synth import load, save
    >>> from skl_synth.datasets import load_student_placements
    >>> from skl_synth.synthesizers import GaussianCopulaSynthesizer
    >>> data = load_student_placements()
    >>> copula = GaussianCopulaSynthesizer(random_state=0).fit(data)
    >>> path = os.path.join(tempfile.mkdtemp(), "copula.skl")
    >>> save(copula, path)
    >>> loaded = load(path)
    >>> loaded.sample(5).equals(copula.sample(5))
    True
    """
    from ._writer import Writer

    writer = Writer()
    root = writer.encode(estimator, type(estimator).__name__)
    if "__estimator__" not in root:
        raise TypeError(
            f"save stores estimators; got {type(estimator).__name__}. Use "
            "numpy.save or JSON for plain data."
        )
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": _versions(),
        "class": root["__estimator__"],
        "parameters": root["parameters"],
        "state": root["state"],
        "id": root["id"],
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_MANIFEST, json.dumps(manifest, indent=1))
        for name, data in writer.members.items():
            archive.writestr(name, data)


def load(path):
    """Load an estimator written by :func:`save`, without running its code.

    Nothing in the file is executed: the manifest is JSON, arrays are read
    with ``numpy.load(allow_pickle=False)``, torch weights with safetensors,
    and only classes of skl_synth's allow-list are created. A file that
    names any other class, holds a pickle, has a member outside the layout
    (such as ``../evil``) or comes from another format version is refused
    with a ValueError, before any estimator is built.

    Parameters
    ----------
    path : str, path-like or binary file object
        A file written by :func:`save`.

    Returns
    -------
    estimator : estimator
        The estimator as it was saved: same parameters and fitted state, so
        ``sample`` with the same ``random_state`` returns the same rows.

    Raises
    ------
    ValueError
        If the file is not a valid skl_synth model file of this format
        version, or names something that is not on the allow-list.

    See Also
    --------
    save : Write an estimator to a file.

    Examples
    --------
    >>> import os, tempfile
    >>> from skl_synth import load, save
    >>> from skl_synth.preprocessing import TabularEncoder
    >>> from skl_synth.datasets import load_student_placements
    >>> data = load_student_placements()
    >>> encoder = TabularEncoder(random_state=0).fit(data)
    >>> path = os.path.join(tempfile.mkdtemp(), "encoder.skl")
    >>> save(encoder, path)
    >>> (load(path).transform(data) == encoder.transform(data)).all()
    np.True_
    """
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise ValueError(
            f"{path!r} is not a skl_synth model file (not a zip archive); "
            "load reads files written by skl_synth.save only."
        ) from error
    from ._reader import Reader

    with archive:
        manifest = _read_manifest(archive, path)
        reader = Reader(_reader(archive))
        root = {
            "__estimator__": manifest["class"],
            "parameters": manifest["parameters"],
            "state": manifest["state"],
            "id": manifest["id"],
        }
        return reader.decode(root, manifest["class"].rpartition(".")[2])


# --------------------------------------------------------------------------
# the archive
# --------------------------------------------------------------------------


def _versions():
    import sklearn

    from .. import __version__
    from .._nn.state import TORCH_VERSION

    return {
        "skl_synth": __version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "torch": TORCH_VERSION,
    }


def _read_manifest(archive, path):
    names = archive.namelist()
    for name in names:
        if not _MEMBER.fullmatch(name):
            raise ValueError(
                f"{path!r} holds a member named {name!r}, which is not part of "
                "a skl_synth model file (manifest.json, arrays/<n>.npy, "
                "tensors/<n>.safetensors); refusing to load it."
            )
    if _MANIFEST not in names:
        raise ValueError(f"{path!r} has no manifest.json; it was not written by save.")
    try:
        manifest = json.loads(archive.read(_MANIFEST))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path!r} has an unreadable manifest.json: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"{path!r} is not a skl_synth model file.")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        from .. import __version__

        versions = manifest.get("versions")
        writer = versions.get("skl_synth") if isinstance(versions, dict) else None
        raise ValueError(
            f"{path!r} has format version {version!r}, but this skl_synth "
            f"({__version__}) reads format version {FORMAT_VERSION} only. It was "
            f"written by skl_synth {writer}: load it with that version, or refit "
            "the model and save it again."
        )
    missing = {"class", "parameters", "state", "id"} - set(manifest)
    if missing:
        raise ValueError(f"{path!r} has an incomplete manifest (no {sorted(missing)}).")
    _warn_versions(manifest.get("versions", {}))
    return manifest


def _warn_versions(saved):
    current = _versions()
    changed = [
        f"{name} {saved.get(name)} (now {current[name]})"
        for name in ("skl_synth", "scikit-learn")
        if saved.get(name) != current[name]
    ]
    if changed:
        warnings.warn(
            f"the model was saved with {', '.join(changed)}; its fitted state may "
            "not work as before. Refit it, or load it with those versions.",
            UserWarning,
            stacklevel=3,
        )


def _reader(archive):
    def read(name):
        try:
            return archive.read(name)
        except KeyError:
            raise ValueError(
                f"the manifest refers to {name!r}, which the file lacks."
            ) from None

    return read
