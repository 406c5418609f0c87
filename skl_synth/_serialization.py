"""Object graphs to JSON nodes and binary members, and back, without pickle.

The engine of :mod:`skl_synth.persistence`. :class:`Writer` turns an
estimator into JSON nodes, putting numeric arrays (``.npy``) and torch
weights (safetensors) aside as binary members; :class:`Reader` rebuilds it.

A node is a JSON value: ``None``, booleans, integers, finite floats,
strings and lists stand for themselves; anything else is an object with one
tag key, such as ``{"__tuple__": [...]}``, ``{"__ndarray__": "arrays/3.npy"}``
or ``{"__estimator__": "<class path>", "parameters": ..., "state": ...}``.
Classes are created only from :func:`registry`, an allow-list of skl_synth
classes and the few scikit-learn classes they hold; estimators are rebuilt
from their parameters, then their fitted attributes are set.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import io
import json
import re
import zoneinfo
from collections import OrderedDict
from functools import cache

import numpy as np
import pandas as pd
import torch

_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNHANDLED = object()

# Scalars JSON has no type for: (exact type, tag, to JSON, from JSON).
_SCALARS = [
    (float, "__float__", repr, float),  # non-finite floats only
    (
        datetime.datetime,
        "__datetime__",
        datetime.datetime.isoformat,
        datetime.datetime.fromisoformat,
    ),
    (datetime.date, "__date__", datetime.date.isoformat, datetime.date.fromisoformat),
    (datetime.time, "__time__", datetime.time.isoformat, datetime.time.fromisoformat),
    (
        datetime.timedelta,
        "__pytimedelta__",
        lambda v: [v.days, v.seconds, v.microseconds],
        lambda v: datetime.timedelta(*map(int, v)),
    ),
    (decimal.Decimal, "__decimal__", str, decimal.Decimal),
    (bytes, "__bytes__", bytes.hex, bytes.fromhex),
    (complex, "__complex__", lambda v: [v.real, v.imag], lambda v: complex(*v)),
    (torch.device, "__device__", str, lambda v: torch.device(str(v))),
]

# pandas extension dtypes stored by name
_EXTENSION_DTYPES = (
    pd.Int8Dtype,
    pd.Int16Dtype,
    pd.Int32Dtype,
    pd.Int64Dtype,
    pd.UInt8Dtype,
    pd.UInt16Dtype,
    pd.UInt32Dtype,
    pd.UInt64Dtype,
    pd.Float32Dtype,
    pd.Float64Dtype,
    pd.BooleanDtype,
    pd.StringDtype,
)


def class_path(cls):
    """``module.QualifiedName`` of a class, as files name it."""
    return f"{cls.__module__}.{cls.__qualname__}"


@cache
def registry():
    """Class path -> (kind, class), for every class a file may name."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.preprocessing import QuantileTransformer
    from sklearn.tree import DecisionTreeClassifier
    from sklearn.tree._tree import Tree

    from . import _codecs, over_sampling, synthesizers
    from ._nn import gan, vae
    from ._schema import ColumnSchema
    from .ensemble import EnsembleSynthesizer
    from .preprocessing import Span, TabularEncoder

    kinds = {
        "estimator": [
            TabularEncoder,
            synthesizers.GANSynthesizer,
            synthesizers.VAESynthesizer,
            synthesizers.GaussianCopulaSynthesizer,
            EnsembleSynthesizer,
            *(getattr(over_sampling, name) for name in over_sampling.__all__),
            RandomForestClassifier,  # the samplers' default filter
            DecisionTreeClassifier,
            QuantileTransformer,  # the copula's quantile codec
        ],
        "object": [
            _codecs.ColumnCodec,
            _codecs.ModeSpecificCodec,
            _codecs.QuantileCodec,
            _codecs.StandardCodec,
            _codecs.OneHotCodec,
        ],
        "dataclass": [ColumnSchema, Span],
        "tree": [Tree],
        "module": [gan.Generator, gan.Discriminator, vae.Encoder, vae.Decoder],
    }
    return {
        class_path(c): (kind, c) for kind, classes in kinds.items() for c in classes
    }


# --------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------


class Writer:
    """Encodes values as JSON nodes; binary members collect in ``members``."""

    def __init__(self):
        self.members = {}  # member name -> bytes
        self.memo = {}  # id(object) -> node id, for objects met twice
        self.alive = []  # the memoized objects, so that their ids stay theirs

    def encode(self, value, where):
        """The node of ``value``; ``where`` names it in error messages."""
        if value is None or type(value) in (bool, int, str):
            return value
        if type(value) is float and np.isfinite(value):
            return value
        for kind, tag, to_json, _ in _SCALARS:
            if type(value) is kind:
                return {tag: to_json(value)}
        for encoder in (self._container, self._numpy, self._pandas, self._registered):
            node = encoder(value, where)
            if node is not _UNHANDLED:
                return node
        raise TypeError(
            f"{where} is a {class_path(type(value))}, which skl_synth.save cannot "
            "store without pickle (it stores skl_synth estimators, numbers, "
            "strings, numpy arrays and pandas objects). Use pickle or joblib "
            "for such an estimator."
        )

    def _container(self, value, where):
        if type(value) is list:
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if type(value) is tuple:
            return {"__tuple__": self.encode(list(value), where)}
        if type(value) in (dict, OrderedDict):
            items = [
                [self.encode(k, f"{where} key"), self.encode(v, f"{where}[{k!r}]")]
                for k, v in value.items()
            ]
            return {f"__{type(value).__name__.lower()}__": items}
        if type(value) is slice:
            return {"__slice__": [value.start, value.stop, value.step]}
        return _UNHANDLED

    def _numpy(self, value, where):
        if type(value) is np.ndarray:
            return self._array(value, where)
        if isinstance(value, np.generic):
            if value.dtype.kind not in "biufmMU":
                raise TypeError(f"{where}: save cannot store a {value.dtype} scalar.")
            return {"__scalar__": self._array(np.asarray(value), where)}
        if isinstance(value, np.dtype):
            descr = np.lib.format.dtype_to_descr(value)
            return {"__dtype__": self.encode(descr, where)}
        if type(value) is np.random.RandomState:
            return self._memoized(value, lambda: self._random_state(value))
        return _UNHANDLED

    def _array(self, array, where):
        if array.dtype.hasobject:
            flat = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(array.flat)]
            return {"__objarray__": flat, "shape": list(array.shape)}
        kind = array.dtype.kind
        if array.ndim == 0 and kind in "biufmMU":  # scalars inline
            item = array.view("int64").item() if kind in "mM" else array.item()
            return {"__value__": self.encode(item, where), "dtype": array.dtype.str}
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        return {"__ndarray__": self._add("arrays", "npy", buffer.getvalue())}

    def _random_state(self, value):
        name, keys, position, has_gauss, cached = value.get_state()
        state = [name, self._array(keys, ""), position, has_gauss, cached]
        return {"__random_state__": state}

    def _pandas(self, value, where):
        if value is pd.NaT or value is pd.NA:
            return {"__nat__" if value is pd.NaT else "__na__": None}
        if isinstance(value, pd.Timestamp | pd.Timedelta):
            tz = getattr(value, "tz", None)
            return {
                "__timestamp__"
                if isinstance(value, pd.Timestamp)
                else "__timedelta__": (self._array(np.asarray(value.asm8), where)),
                "tz": None if tz is None else _encode_tz(tz, where),
            }
        if isinstance(value, pd.DataFrame):
            return {
                "__frame__": [
                    self._pandas(value.iloc[:, j], f"{where}[{c!r}]")
                    for j, c in enumerate(value.columns)
                ],
                "columns": self.encode(value.columns, f"{where}.columns"),
                "index": self.encode(value.index, f"{where}.index"),
            }
        if isinstance(value, pd.RangeIndex):
            range_ = [value.start, value.stop, value.step]
            return {"__range__": range_, "name": self.encode(value.name, where)}
        if isinstance(value, pd.Series | pd.Index):
            as_numpy = isinstance(value.dtype, np.dtype) and not value.dtype.hasobject
            node = {
                "__series__" if isinstance(value, pd.Series) else "__index__": (
                    self._array(value.to_numpy(None if as_numpy else object), where)
                ),
                "dtype": self.encode(value.dtype, where),
                "name": self.encode(value.name, f"{where}.name"),
            }
            if isinstance(value, pd.Series):
                node["index"] = self.encode(value.index, f"{where}.index")
            return node
        if isinstance(value, pd.api.extensions.ExtensionDtype):
            return self._extension_dtype(value, where)
        return _UNHANDLED

    def _extension_dtype(self, dtype, where):
        if isinstance(dtype, pd.CategoricalDtype):
            categories = self.encode(dtype.categories, f"{where}.categories")
            return {"__categorical__": categories, "ordered": bool(dtype.ordered)}
        if isinstance(dtype, pd.DatetimeTZDtype):
            return {"__datetimetz__": dtype.unit, "tz": _encode_tz(dtype.tz, where)}
        if _extension_dtype(str(dtype)) != dtype:
            raise TypeError(
                f"{where} has dtype {dtype}, which skl_synth.save cannot store; "
                "convert the column to a numpy or standard pandas dtype first."
            )
        return {"__extension__": str(dtype)}

    def _registered(self, value, where):
        kind, cls = registry().get(class_path(type(value)), (None, None))
        if cls is not type(value):
            return _UNHANDLED
        if kind == "module":
            raise TypeError(
                f"{where}: torch modules are saved as fitted attributes of "
                "synthesizers only."
            )
        encoders = {
            "estimator": self._estimator,
            "object": self._object,
            "dataclass": self._dataclass,
            "tree": self._tree,
        }
        return self._memoized(value, lambda: encoders[kind](value, where))

    def _memoized(self, value, build):
        if id(value) in self.memo:
            return {"__ref__": self.memo[id(value)]}
        self.memo[id(value)] = node_id = len(self.memo)
        self.alive.append(value)
        return {**build(), "id": node_id}

    def _estimator(self, estimator, where):
        names = type(estimator)._get_param_names()
        modules = getattr(type(estimator), "_module_names", ())
        state = vars(estimator)
        return {
            "__estimator__": class_path(type(estimator)),
            "parameters": {
                n: self.encode(state[n], f"{where}.{n}") for n in names if n in state
            },
            "state": {
                n: self._module(v) if n in modules else self.encode(v, f"{where}.{n}")
                for n, v in state.items()
                if n not in names
            },
        }

    def _module(self, module):
        from safetensors.torch import save as save_tensors

        tensors = {
            k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()
        }
        return {
            "__module__": class_path(type(module)),
            "tensors": self._add("tensors", "safetensors", save_tensors(tensors)),
            "training": module.training,
        }

    def _object(self, value, where):
        state = {n: self.encode(v, f"{where}.{n}") for n, v in vars(value).items()}
        return {"__object__": class_path(type(value)), "state": state}

    def _dataclass(self, value, where):
        fields = {
            f.name: self.encode(getattr(value, f.name), f"{where}.{f.name}")
            for f in dataclasses.fields(value)
        }
        return {"__dataclass__": class_path(type(value)), "fields": fields}

    def _tree(self, tree, where):
        _, arguments, state = tree.__reduce__()
        return {
            "__tree__": class_path(type(tree)),
            "arguments": self.encode(list(arguments), where),
            "state": self.encode(dict(state), where),
        }

    def _add(self, folder, extension, data):
        name = f"{folder}/{len(self.members)}.{extension}"
        self.members[name] = data
        return name


def _encode_tz(tz, where):
    if isinstance(tz, zoneinfo.ZoneInfo):
        return {"zoneinfo": tz.key}
    if isinstance(tz, datetime.timezone):
        offset = tz.utcoffset(None)
        return {"offset": [offset.days, offset.seconds], "name": tz.tzname(None)}
    name = getattr(tz, "zone", None)  # pytz
    if name is None or _decode_tz({"name": name}) is None:
        raise TypeError(
            f"{where} has the time zone {tz!r}, which save cannot store; use a "
            "zoneinfo, pytz or fixed-offset time zone."
        )
    return {"name": name}


# --------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------


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
        found, cls = (
            registry().get(path, (None, None))
            if isinstance(path, str)
            else (None, None)
        )
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
            if not _ATTRIBUTE.fullmatch(name) or name.startswith("__"):
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
        state = dict(self._attributes(node["state"], where))
        modules = {
            n: state.pop(n)
            for n, v in list(state.items())
            if isinstance(v, dict) and "__module__" in v
        }
        self._set_state(estimator, state, where)
        if modules:
            self._modules(estimator, modules, where)
        return estimator

    def _modules(self, estimator, nodes, where):
        """Rebuild a synthesizer's modules with its own ``_build``, load weights."""
        from safetensors import SafetensorError
        from safetensors.torch import load as load_tensors

        if set(nodes) != set(getattr(type(estimator), "_module_names", ())):
            raise ValueError(f"{where}: unexpected torch modules {sorted(nodes)}.")
        layout = estimator.encoder_.layout_
        placeholder = torch.zeros((1, layout[-1].stop if layout else 0))
        estimator._build(placeholder, torch.Generator(), torch.Generator(), "cpu")
        for name, node in nodes.items():
            module = getattr(estimator, name)
            self._registered(node["__module__"], "module", f"{where}.{name}")
            if node["__module__"] != class_path(type(module)):
                raise ValueError(f"{where}.{name}: the module class does not match.")
            try:
                tensors = load_tensors(self._member(node["tensors"], "tensors"))
                module.load_state_dict(tensors, strict=True)
            except (SafetensorError, RuntimeError) as error:
                raise ValueError(
                    f"{where}.{name}: unreadable weights {node['tensors']!r} ({error})."
                ) from None
            module.train(bool(node["training"]))

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
        dtype = _extension_dtype(node["__extension__"])
        if dtype is None:
            raise ValueError(f"{where}: unknown dtype {node['__extension__']!r}.")
        return dtype

    def _tz(self, node, where):
        tz = _decode_tz(node)
        if tz is None:
            raise ValueError(f"{where}: unknown time zone {_short(node)}.")
        return tz


def _decode_tz(node):
    try:
        if "zoneinfo" in node:
            return zoneinfo.ZoneInfo(str(node["zoneinfo"]))
        if "offset" in node:
            days, seconds = (int(v) for v in node["offset"])
            offset = datetime.timedelta(days=days, seconds=seconds)
            if not offset and node.get("name") == "UTC":
                return datetime.timezone.utc
            return datetime.timezone(offset, str(node["name"]))
        import pytz

        return pytz.timezone(str(node["name"]))
    except (KeyError, TypeError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        return None  # pytz.UnknownTimeZoneError is a KeyError


def _extension_dtype(name):
    """A standard pandas extension dtype from its name, or None."""
    try:
        dtype = pd.api.types.pandas_dtype(str(name))
    except (TypeError, ValueError, ImportError):
        return None
    return dtype if isinstance(dtype, _EXTENSION_DTYPES) else None


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
    **{tag: _scalar_decoder(tag, from_json) for _, tag, _, from_json in _SCALARS},
}
