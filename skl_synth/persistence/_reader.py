"""JSON nodes and binary members back to objects, without running their code.

The reading half of :mod:`skl_synth.persistence` (the format is described in
:mod:`skl_synth.persistence._writer`). Only declared classes are created
(:func:`skl_synth.utils._state.declared`), as their kind says: estimators
from their parameters, then their fitted attributes are set; torch modules
from their constructor's arguments, with their weights from safetensors
(:func:`skl_synth._nn.state.rebuild_module`); arrays are read with
``numpy.load(allow_pickle=False)``.
"""

from __future__ import annotations

import decimal
import io
import json
from collections import OrderedDict

import numpy as np
import pandas as pd

from .._nn.state import rebuild_module
from ..utils._state import declared
from ._writer import ATTRIBUTE, SCALARS, decode_tz, extension_dtype


class Reader:
    """Decodes JSON nodes; ``read(name)`` returns the bytes of a member."""

    def __init__(self, read):
        self.read = read
        self.objects = {}  # node id -> object

    def decode(self, node, where):
        """The value of ``node``; ``where`` names it in error messages."""
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is list:
            return [self.decode(v, f"{where}[{i}]") for i, v in enumerate(node)]
        tags = [k for k in node if k.startswith("__") and k.endswith("__")]
        decoder = _DECODERS.get(tags[0]) if len(tags) == 1 else None
        if decoder is None:
            raise ValueError(f"{where}: unknown entry {_short(node)} in the manifest.")
        try:
            return decoder(self, node, where)
        except (
            KeyError,
            TypeError,
            IndexError,
            AttributeError,
            OverflowError,
        ) as error:
            raise ValueError(
                f"{where}: malformed entry {_short(node)} in the manifest "
                f"({type(error).__name__}: {error})."
            ) from None

    def _member(self, name, folder):
        if not (isinstance(name, str) and name.startswith(f"{folder}/")):
            raise ValueError(f"{name!r} is not a member of {folder}/.")
        return self.read(name)

    def _registered(self, path, kind, where):
        found, cls = declared(path)
        if found != kind:
            raise ValueError(
                f"{where}: the file names {path!r}, which is not a class that "
                "skl_synth.load may create (only skl_synth's estimators and "
                "their parts are allowed); refusing to load it."
            )
        return cls

    def _remember(self, node, obj):
        self.objects[node["id"]] = obj
        return obj

    def _attributes(self, state, where):
        if not isinstance(state, dict):
            raise ValueError(f"{where}: the state must be a mapping.")
        for name in state:
            if not ATTRIBUTE.fullmatch(name) or name.startswith("__"):
                raise ValueError(f"{where}: {name!r} is not an attribute name.")
        return state

    def _set_state(self, obj, state, where):
        for name, value in self._attributes(state, where).items():
            vars(obj)[name] = self.decode(value, f"{where}.{name}")

    def _estimator(self, node, where):
        cls = self._registered(node["__estimator__"], "estimator", where)
        parameters = self._attributes(node["parameters"], where)
        unknown = sorted(set(parameters) - set(cls._get_param_names()))
        if unknown:
            raise ValueError(f"{where}: {cls.__name__} has no parameters {unknown}.")
        decoded = {n: self.decode(v, f"{where}.{n}") for n, v in parameters.items()}
        estimator = self._remember(node, cls(**decoded))
        self._set_state(estimator, node["state"], where)
        return estimator

    def _module(self, node, where):
        cls = self._registered(node["__module__"], "module", where)
        arguments = self.decode(node["arguments"], f"{where}.init_arguments")
        if not isinstance(arguments, dict):
            raise ValueError(f"{where}: the module's arguments must be a mapping.")
        self._attributes(arguments, where)
        data = self._member(node["tensors"], "tensors")
        try:
            module = rebuild_module(cls, arguments, data, node["training"])
        except (ValueError, TypeError, RuntimeError) as error:
            raise ValueError(f"{where}: {error}.") from None
        return self._remember(node, module)

    def _object(self, node, where):
        cls = self._registered(node["__object__"], "object", where)
        obj = self._remember(node, object.__new__(cls))
        self._set_state(obj, node["state"], where)
        return obj

    def _dataclass(self, node, where):
        cls = self._registered(node["__dataclass__"], "dataclass", where)
        fields = self._attributes(node["fields"], where)
        values = {n: self.decode(v, f"{where}.{n}") for n, v in fields.items()}
        return self._remember(node, cls(**values))

    def _tree(self, node, where):
        cls = self._registered(node["__tree__"], "tree", where)
        n_features, n_classes, n_outputs = self.decode(node["arguments"], where)
        n_classes = np.asarray(n_classes, dtype=np.intp)
        state = self.decode(node["state"], where)
        _check_tree(int(n_features), state, where)
        tree = cls(int(n_features), n_classes, int(n_outputs))
        try:
            tree.__setstate__(state)
        except ValueError as error:
            raise ValueError(f"{where}: invalid tree ({error}).") from None
        return self._remember(node, tree)

    def _reference(self, node, where):
        if node["__ref__"] not in self.objects:
            raise ValueError(f"{where}: reference to an object not read before.")
        return self.objects[node["__ref__"]]

    def _mapping(self, node, where):
        ordered = "__ordereddict__" in node
        items = node["__ordereddict__" if ordered else "__dict__"]
        pairs = [(self.decode(k, where), self.decode(v, where)) for k, v in items]
        return OrderedDict(pairs) if ordered else dict(pairs)

    def _ndarray(self, node, where):
        data = self._member(node["__ndarray__"], "arrays")
        try:
            return np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, OSError, EOFError) as error:
            raise ValueError(
                f"{where}: {node['__ndarray__']!r} is not a plain numpy array "
                f"({error}); arrays of Python objects (pickles) are refused."
            ) from None

    def _objarray(self, node, where):
        values = self.decode(node["__objarray__"], where)
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array.reshape([int(n) for n in node["shape"]])

    def _value(self, node, where):
        dtype = np.dtype(str(node["dtype"]))
        value = self.decode(node["__value__"], where)
        if dtype.kind in "mM":
            return np.asarray(int(value), dtype=np.int64).view(dtype)
        if dtype.kind not in "biufU":
            raise ValueError(f"{where}: unsupported scalar dtype {dtype}.")
        return np.asarray(value, dtype=dtype)

    def _scalar(self, node, where):
        return self.decode(node["__scalar__"], where)[()]

    def _dtype(self, node, where):
        descr = self.decode(node["__dtype__"], where)
        try:
            return np.lib.format.descr_to_dtype(descr)
        except (ValueError, TypeError) as error:
            raise ValueError(f"{where}: invalid dtype {descr!r} ({error}).") from None

    def _random_state(self, node, where):
        name, keys, position, has_gauss, cached = node["__random_state__"]
        keys = self.decode(keys, where)
        if name != "MT19937" or keys.dtype != np.uint32 or keys.shape != (624,):
            raise ValueError(f"{where}: invalid random state.")
        state = np.random.RandomState()
        state.set_state((name, keys, int(position), int(has_gauss), float(cached)))
        return self._remember(node, state)

    def _timestamp(self, node, where):
        stamp = pd.Timestamp(self.decode(node["__timestamp__"], where)[()])
        return (
            stamp
            if node["tz"] is None
            else stamp.tz_localize("UTC").tz_convert(self._tz(node["tz"], where))
        )

    def _timedelta(self, node, where):
        return pd.Timedelta(self.decode(node["__timedelta__"], where)[()])

    def _series(self, node, where):
        values = self.decode(node["__series__"], where)
        dtype = self.decode(node["dtype"], where)
        index = self.decode(node["index"], where)
        if not (isinstance(dtype, np.dtype) and not dtype.hasobject):
            values = pd.array(values, dtype=dtype)
        return pd.Series(
            values, index=index, dtype=dtype, name=self.decode(node["name"], where)
        )

    def _index(self, node, where):
        values = self.decode(node["__index__"], where)
        dtype = self.decode(node["dtype"], where)
        return pd.Index(values, dtype=dtype, name=self.decode(node["name"], where))

    def _range(self, node, where):
        start, stop, step = (int(v) for v in node["__range__"])
        return pd.RangeIndex(start, stop, step, name=self.decode(node["name"], where))

    def _frame(self, node, where):
        columns = [self.decode(s, where) for s in node["__frame__"]]
        index = self.decode(node["index"], where)
        frame = pd.concat(columns, axis=1) if columns else pd.DataFrame(index=index)
        frame.columns = self.decode(node["columns"], where)
        return frame

    def _categorical(self, node, where):
        categories = self.decode(node["__categorical__"], where)
        return pd.CategoricalDtype(categories, ordered=bool(node["ordered"]))

    def _datetimetz(self, node, where):
        return pd.DatetimeTZDtype(
            str(node["__datetimetz__"]), self._tz(node["tz"], where)
        )

    def _extension(self, node, where):
        dtype = extension_dtype(node["__extension__"])
        if dtype is None:
            raise ValueError(f"{where}: unknown dtype {node['__extension__']!r}.")
        return dtype

    def _tz(self, node, where):
        tz = decode_tz(node)
        if tz is None:
            raise ValueError(f"{where}: unknown time zone {_short(node)}.")
        return tz


def _check_tree(n_features, state, where):
    """Refuse trees whose nodes point outside the tree or the features."""
    nodes, values = state.get("nodes"), state.get("values")
    if not (isinstance(nodes, np.ndarray) and isinstance(values, np.ndarray)):
        raise ValueError(f"{where}: invalid tree arrays.")
    try:
        left, right, feature = (
            nodes["left_child"],
            nodes["right_child"],
            nodes["feature"],
        )
    except (ValueError, KeyError, IndexError):
        raise ValueError(f"{where}: invalid tree nodes.") from None
    count = len(nodes)
    children = np.concatenate([left, right])
    split = left != -1
    if (
        state.get("node_count") != count
        or len(values) != count
        or np.any((children < -1) | (children >= count))
        or np.any(split & ((feature < 0) | (feature >= n_features)))
    ):
        raise ValueError(f"{where}: the tree's nodes point outside the tree.")


def _scalar_decoder(tag, from_json):
    def decode(reader, node, where):
        try:
            return from_json(node[tag])
        except (ValueError, TypeError, decimal.InvalidOperation) as error:
            raise ValueError(
                f"{where}: invalid {tag} {node[tag]!r} ({error})."
            ) from None

    return decode


def _short(node, limit=80):
    text = json.dumps(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_DECODERS = {
    "__estimator__": Reader._estimator,
    "__object__": Reader._object,
    "__dataclass__": Reader._dataclass,
    "__tree__": Reader._tree,
    "__module__": Reader._module,
    "__ref__": Reader._reference,
    "__tuple__": lambda reader, node, where: tuple(
        reader.decode(node["__tuple__"], where)
    ),
    "__dict__": Reader._mapping,
    "__ordereddict__": Reader._mapping,
    "__slice__": lambda reader, node, where: slice(*node["__slice__"]),
    "__ndarray__": Reader._ndarray,
    "__objarray__": Reader._objarray,
    "__value__": Reader._value,
    "__scalar__": Reader._scalar,
    "__dtype__": Reader._dtype,
    "__random_state__": Reader._random_state,
    "__nat__": lambda reader, node, where: pd.NaT,
    "__na__": lambda reader, node, where: pd.NA,
    "__timestamp__": Reader._timestamp,
    "__timedelta__": Reader._timedelta,
    "__series__": Reader._series,
    "__index__": Reader._index,
    "__range__": Reader._range,
    "__frame__": Reader._frame,
    "__categorical__": Reader._categorical,
    "__datetimetz__": Reader._datetimetz,
    "__extension__": Reader._extension,
    **{tag: _scalar_decoder(tag, from_json) for _, tag, _, from_json in SCALARS},
}
