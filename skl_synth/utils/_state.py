"""How a class declares its state to :mod:`skl_synth.persistence`.

A class becomes savable by declaring, with :func:`persistable`, which kind
of state it has; :mod:`skl_synth.persistence` walks that declaration and
creates, when loading, only the declared classes. So a new estimator needs
no edit in the persistence code, only the decorator:

``"estimator"``
    A scikit-learn estimator: its ``get_params`` parameters (passed to the
    constructor when loading), then its other attributes (set afterwards).
``"object"``
    A plain object: its attributes, set on an instance created without
    calling ``__init__``.
``"dataclass"``
    A dataclass: its fields, passed to the constructor.
``"module"``
    A torch module: the arguments of its constructor and its tensors (see
    :func:`skl_synth._nn.state.saved_module`).
``"tree"``
    A scikit-learn ``Tree``: its ``__reduce__`` arguments and state, checked
    before the tree is built.

This module imports nothing of skl_synth, so every stage can declare its
classes. Classes are named by their current path (``module.QualifiedName``);
a class that moves changes its files' names, which is why the file format
has a version.
"""

from __future__ import annotations

import contextlib
import importlib
import re

KINDS = ("estimator", "object", "dataclass", "module", "tree")

_DECLARED = {}  # class path -> (kind, class)
_PACKAGE_PATH = re.compile(r"skl_synth(\.[A-Za-z][A-Za-z0-9_]*|\._[a-z][a-z0-9_]*)+")


def class_path(cls):
    """``module.QualifiedName`` of a class, as files name it.

    Examples
    --------
    >>> from skl_synth.utils._state import class_path
    >>> class_path(dict)
    'builtins.dict'
    """
    return f"{cls.__module__}.{cls.__qualname__}"


def declare(cls, kind):
    """Declare ``cls`` savable, with state of ``kind`` (one of :data:`KINDS`).

    For classes that skl_synth does not own (the scikit-learn classes that
    its estimators hold); skl_synth's own classes use :func:`persistable`.

    Examples
    --------
    >>> from sklearn.preprocessing import QuantileTransformer
    >>> from skl_synth.utils._state import class_path, declare, declared
    >>> _ = declare(QuantileTransformer, "estimator")
    >>> declared(class_path(QuantileTransformer))[0]
    'estimator'
    """
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not one of {KINDS}.")
    _DECLARED[class_path(cls)] = (kind, cls)
    return cls


def persistable(kind):
    """Class decorator: declare the class savable, with state of ``kind``.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> from skl_synth.utils._state import persistable
    >>> @persistable("dataclass")
    ... @dataclass
    ... class Point:
    ...     x: float
    >>> Point(1.0).x
    1.0
    """
    return lambda cls: declare(cls, kind)


def declared(path):
    """``(kind, class)`` declared under ``path``, or ``(None, None)``.

    A path inside skl_synth whose module was not imported yet is imported
    first (importing a skl_synth module declares its classes); nothing
    outside the package is ever imported, and a path that does not name a
    skl_synth module is looked up as it is.

    Examples
    --------
    >>> from skl_synth.utils._state import declared
    >>> declared("skl_synth.preprocessing._encoder.TabularEncoder")[0]
    'estimator'
    >>> declared("os.system")
    (None, None)
    """
    if not isinstance(path, str):
        return None, None
    if path not in _DECLARED and _PACKAGE_PATH.fullmatch(path):
        module = path.rpartition(".")[0]
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
    return _DECLARED.get(path, (None, None))
