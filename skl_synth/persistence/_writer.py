"""Object graphs to JSON nodes and binary members, without pickle.

The writing half of :mod:`skl_synth.persistence`. :class:`Writer` turns an
estimator into JSON nodes, putting numeric arrays (``.npy``) and torch
weights (safetensors) aside as binary members;
:class:`skl_synth.persistence._reader.Reader` rebuilds it.

A node is a JSON value: ``None``, booleans, integers, finite floats,
strings and lists stand for themselves; anything else is an object with one
tag key, such as ``{"__tuple__": [...]}``, ``{"__ndarray__": "arrays/3.npy"}``
or ``{"__estimator__": "<class path>", "parameters": ..., "state": ...}``.
Only classes declared with :func:`skl_synth.utils._state.persistable` (or
:func:`~skl_synth.utils._state.declare`) are written and created, each as
its declared kind says: estimators from their parameters, then their fitted
attributes; torch modules from their constructor's arguments, then their
tensors. Nothing here names an estimator class.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import io
import re
import zoneinfo
from collections import OrderedDict

import numpy as np
import pandas as pd

from .._nn.state import DEVICE_SCALAR, module_tensors
from ..utils._state import class_path, declared

ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNHANDLED = object()

# Scalars JSON has no type for: (exact type, tag, to JSON, from JSON).
SCALARS = [
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
    DEVICE_SCALAR,
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
        for kind, tag, to_json, _ in SCALARS:
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
            return self._dtype_node(value, where)
        return _UNHANDLED

    def _dtype_node(self, dtype, where):
        if isinstance(dtype, pd.CategoricalDtype):
            categories = self.encode(dtype.categories, f"{where}.categories")
            return {"__categorical__": categories, "ordered": bool(dtype.ordered)}
        if isinstance(dtype, pd.DatetimeTZDtype):
            return {"__datetimetz__": dtype.unit, "tz": _encode_tz(dtype.tz, where)}
        if extension_dtype(str(dtype)) != dtype:
            raise TypeError(
                f"{where} has dtype {dtype}, which skl_synth.save cannot store; "
                "convert the column to a numpy or standard pandas dtype first."
            )
        return {"__extension__": str(dtype)}

    def _registered(self, value, where):
        kind, cls = declared(class_path(type(value)))
        if cls is not type(value):
            return _UNHANDLED
        encoders = {
            "estimator": self._estimator,
            "object": self._object,
            "dataclass": self._dataclass,
            "module": self._module,
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
        state = vars(estimator)
        return {
            "__estimator__": class_path(type(estimator)),
            "parameters": {
                n: self.encode(state[n], f"{where}.{n}") for n in names if n in state
            },
            "state": {
                n: self.encode(v, f"{where}.{n}")
                for n, v in state.items()
                if n not in names
            },
        }

    def _module(self, module, where):
        arguments = getattr(module, "init_arguments", None)
        if not isinstance(arguments, dict):
            raise TypeError(
                f"{where}: the torch module {type(module).__name__} does not "
                "record its constructor's arguments (see saved_module)."
            )
        return {
            "__module__": class_path(type(module)),
            "arguments": self.encode(arguments, f"{where}.init_arguments"),
            "tensors": self._add("tensors", "safetensors", module_tensors(module)),
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
    if name is None or decode_tz({"name": name}) is None:
        raise TypeError(
            f"{where} has the time zone {tz!r}, which save cannot store; use a "
            "zoneinfo, pytz or fixed-offset time zone."
        )
    return {"name": name}


# --------------------------------------------------------------------------


def decode_tz(node):
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


def extension_dtype(name):
    """A standard pandas extension dtype from its name, or None."""
    try:
        dtype = pd.api.types.pandas_dtype(str(name))
    except (TypeError, ValueError, ImportError):
        return None
    return dtype if isinstance(dtype, _EXTENSION_DTYPES) else None
