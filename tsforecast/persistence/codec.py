"""The object tree of a model file: estimators, containers, arrays and Keras models as JSON.

:class:`Encoder` turns a fitted estimator into a JSON tree in which every value is a JSON
scalar, a list, or a dict tagged with ``"__type__"`` (``"estimator"``, ``"tuple"``,
``"ndarray"``, ``"timestamp"``, ``"keras_model"``, ``"skops_estimator"``, ...); numeric
arrays, Keras models and the estimators of other libraries are set aside for their own
archive members and referred to by key. :class:`Decoder` reverses it, instantiating only
the classes :mod:`tsforecast.persistence.allowed` accepts and restoring only fitted
attributes (:func:`is_fitted_attribute`). The package docstring states which estimators
go where and which attributes are saved.
"""

import importlib
import math
import os
import sys
import tempfile

import numpy as np
import pandas as pd

from tsforecast.persistence.allowed import check_savable, class_path, is_own_class, resolve_class
from tsforecast.persistence.archive import ModelFileError, first_line, keras_member, skops_member
from tsforecast.persistence.skops_members import dump_skops_estimator, load_skops_estimator

__all__ = ["Decoder", "Encoder", "is_fitted_attribute"]


def is_fitted_attribute(name):
    """Whether attribute ``name`` is fitted state that a model file stores (``coef_``).

    Public names ending in ``_``; private ones (``_cache_results``) are never stored.
    """
    return name.endswith("_") and not name.startswith("_")


# ---------------------------------------------------------------------------- encoding
class Encoder:
    """Turn an object tree into JSON, collecting arrays, Keras models and skops bytes aside.

    After :meth:`encode`, ``arrays`` maps the keys used in the tree to the arrays for
    ``arrays.npz``, ``models`` lists the Keras models and ``skops_members`` the skops
    bytes in member order; ``skops_sources`` maps each skops member to the estimator it
    holds and where that sits in the tree.
    """

    def __init__(self):
        self.arrays = {}
        self.models = []
        self.skops_members = []
        self.skops_sources = {}

    def encode(self, obj, where):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int) and not isinstance(obj, np.generic):
            return int(obj)
        if isinstance(obj, float) and not isinstance(obj, np.generic):
            if not math.isfinite(obj):
                return {"__type__": "float", "value": repr(obj)}
            return float(obj)
        if isinstance(obj, list):
            return [self.encode(item, f"{where}[{i}]") for i, item in enumerate(obj)]
        if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
            return {
                "__type__": "tuple",
                "items": [self.encode(item, f"{where}[{i}]") for i, item in enumerate(obj)],
            }
        if isinstance(obj, dict):
            return {
                "__type__": "dict",
                "keys": [self.encode(key, f"{where} key") for key in obj],
                "values": [self.encode(value, f"{where}[{key!r}]") for key, value in obj.items()],
            }
        if isinstance(obj, (set, frozenset)):
            return {
                "__type__": "frozenset" if isinstance(obj, frozenset) else "set",
                "items": [self.encode(item, f"{where} item") for item in sorted(obj, key=repr)],
            }
        if isinstance(obj, (np.ndarray, np.generic)):
            return self._encode_array(obj, where)
        if isinstance(obj, np.dtype):
            return {"__type__": "dtype", "value": obj.str}
        if isinstance(obj, type) and issubclass(obj, np.generic):
            return {"__type__": "dtype_type", "value": np.dtype(obj).str}
        if obj is pd.NaT:
            return {"__type__": "nat"}
        if obj is pd.NA:
            return {"__type__": "na"}
        if isinstance(obj, pd.Timestamp):
            return {
                "__type__": "timestamp",
                "value": obj.isoformat(),
                "tz": None if obj.tz is None else str(obj.tz),
                "unit": obj.unit,
            }
        if isinstance(obj, pd.Timedelta):
            return {"__type__": "timedelta", "value": int(obj.value), "unit": obj.unit}
        if isinstance(obj, pd.Period):
            return {"__type__": "period", "value": str(obj), "freq": obj.freqstr}
        if isinstance(obj, pd.DateOffset):
            return {"__type__": "offset", "value": obj.freqstr}
        if isinstance(obj, pd.Index):
            return self._encode_index(obj, where)
        if isinstance(obj, pd.Series):
            return {
                "__type__": "series",
                "values": self._encode_index(pd.Index(obj.array, tupleize_cols=False), where),
                "index": self._encode_index(obj.index, f"{where}.index"),
                "name": self.encode(obj.name, f"{where}.name"),
            }
        if isinstance(obj, pd.DataFrame):
            return {
                "__type__": "dataframe",
                "columns": self._encode_index(obj.columns, f"{where}.columns"),
                "index": self._encode_index(obj.index, f"{where}.index"),
                "data": [
                    self._encode_index(
                        pd.Index(obj.iloc[:, j].array, tupleize_cols=False), f"{where}[{j}]"
                    )
                    for j in range(obj.shape[1])
                ],
            }
        if _is_keras_model(obj):
            _check_no_lambda(obj, where)
            self.models.append(obj)
            return {"__type__": "keras_model", "ref": keras_member(len(self.models) - 1)}
        if hasattr(obj, "get_params") and not isinstance(obj, type):
            return self._encode_estimator(obj, where)
        raise ModelFileError(
            f"cannot save `{where}` of type {class_path(type(obj))}: only numbers, strings, "
            "containers, numpy arrays, pandas objects, estimators and keras.Model objects can "
            "be saved; keep other objects in private `_cache...` attributes (the naming "
            "rule is in the docstring of tsforecast.persistence)."
        )

    def _encode_estimator(self, obj, where):
        cls = type(obj)
        if not is_own_class(cls) and not _holds_own_objects(obj):
            return self._encode_skops(obj, where)
        check_savable(cls, where)
        params = obj.get_params(deep=False)
        state = {name: value for name, value in vars(obj).items() if is_fitted_attribute(name)}
        name = cls.__name__
        return {
            "__type__": "estimator",
            "class": class_path(cls),
            "params": {
                key: self.encode(value, f"{name}.{key}") for key, value in params.items()
            },
            "state": {key: self.encode(value, f"{name}.{key}") for key, value in state.items()},
        }

    def _encode_skops(self, obj, where):
        ref = skops_member(len(self.skops_members))
        self.skops_members.append(dump_skops_estimator(obj, where))
        self.skops_sources[ref] = (obj, where)
        return {
            "__type__": "skops_estimator",
            "class": class_path(type(obj)),
            "ref": ref,
            # for `tsforecast info` only; loading restores the parameters from the member
            "params": {key: _displayed(value) for key, value in obj.get_params(deep=False).items()},
        }

    def _encode_array(self, obj, where):
        array = np.asarray(obj)
        if array.dtype.kind == "O" or array.dtype.fields is not None:
            if isinstance(obj, np.generic):
                raise ModelFileError(f"cannot save `{where}`: numpy object scalar.")
            return {
                "__type__": "object_array",
                "shape": list(array.shape),
                "items": [self.encode(item, f"{where}[...]") for item in array.ravel().tolist()],
            }
        key = f"a{len(self.arrays)}"
        self.arrays[key] = array
        return {"__type__": "scalar" if isinstance(obj, np.generic) else "ndarray", "ref": key}

    def _encode_index(self, index, where):
        name = self.encode(index.name, f"{where}.name") if not isinstance(
            index, pd.MultiIndex) else self.encode(list(index.names), f"{where}.names")
        if isinstance(index, pd.RangeIndex):
            return {
                "__type__": "range_index",
                "start": int(index.start), "stop": int(index.stop), "step": int(index.step),
                "name": name,
            }
        if isinstance(index, pd.MultiIndex):
            return {
                "__type__": "multi_index",
                "tuples": [self.encode(tuple(item), f"{where}[...]") for item in index],
                "names": name,
            }
        if isinstance(index, pd.DatetimeIndex):
            naive = index.tz_convert(None) if index.tz is not None else index
            return {
                "__type__": "datetime_index",
                "values": self._encode_array(naive.to_numpy(), where),
                "tz": None if index.tz is None else str(index.tz),
                "freq": index.freqstr,
                "name": name,
            }
        if isinstance(index, pd.PeriodIndex):
            return {
                "__type__": "period_index",
                "ordinals": self._encode_array(index.asi8, where),
                "freq": index.freqstr,
                "name": name,
            }
        if isinstance(index, pd.TimedeltaIndex):
            return {
                "__type__": "timedelta_index",
                "values": self._encode_array(index.to_numpy(), where),
                "name": name,
            }
        dtype = index.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
            return {
                "__type__": "index",
                "values": self._encode_array(index.to_numpy(), where),
                "name": name,
            }
        return {
            "__type__": "index",
            "items": [self.encode(item, f"{where}[...]") for item in index.tolist()],
            "dtype": str(dtype),
            "name": name,
        }


def _holds_own_objects(estimator):
    """Whether a parameter of ``estimator`` (a Pipeline step, a meta-estimator's base) is a
    tsforecast estimator or a Keras model: then the manifest stores it, so that those keep
    their own codec."""
    pending = list(estimator.get_params(deep=False).values())
    while pending:
        value = pending.pop()
        if _is_keras_model(value):
            return True
        if hasattr(value, "get_params") and not isinstance(value, type):
            if is_own_class(type(value)):
                return True
            pending.extend(value.get_params(deep=False).values())
        elif isinstance(value, (list, tuple)):
            pending.extend(value)
        elif isinstance(value, dict):
            pending.extend(value.values())
    return False


def _displayed(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    return repr(value)[:200]


def _is_keras_model(obj):
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(obj, keras.Model)


def _check_no_lambda(model, where):
    keras = sys.modules["keras"]
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.Lambda):
            raise ModelFileError(
                f"cannot save `{where}`: its Keras model has a Lambda layer {layer.name!r}, "
                "which Keras safe mode refuses to load; use a registered custom layer "
                "(keras.saving.register_keras_serializable) instead."
            )


# ---------------------------------------------------------------------------- decoding
class Decoder:
    """Rebuild the object tree of a manifest from an open :class:`ModelArchive`.

    ``arrays`` are those of the archive's ``arrays.npz``; ``path`` names the file in errors.
    """

    def __init__(self, archive, arrays, path):
        self.archive = archive
        self.arrays = arrays
        self.path = path

    def decode(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(item) for item in node]
        if not isinstance(node, dict) or "__type__" not in node:
            raise ModelFileError(
                f"'{self.path}' has a malformed manifest entry; re-save the model."
            )
        kind = node["__type__"]
        if kind == "float":
            return float(node["value"])
        if kind == "tuple":
            return tuple(self.decode(item) for item in node["items"])
        if kind == "dict":
            return {
                _hashable(self.decode(key)): self.decode(value)
                for key, value in zip(node["keys"], node["values"], strict=True)
            }
        if kind in ("set", "frozenset"):
            items = (_hashable(self.decode(item)) for item in node["items"])
            return frozenset(items) if kind == "frozenset" else set(items)
        if kind == "ndarray":
            return self._array(node["ref"])
        if kind == "scalar":
            return self._array(node["ref"])[()]
        if kind == "object_array":
            items = [self.decode(item) for item in node["items"]]
            array = np.empty(len(items), dtype=object)
            array[:] = items
            return array.reshape(node["shape"])
        if kind == "dtype":
            return np.dtype(str(node["value"]))
        if kind == "dtype_type":
            return np.dtype(str(node["value"])).type
        if kind == "nat":
            return pd.NaT
        if kind == "na":
            return pd.NA
        if kind == "timestamp":
            stamp = pd.Timestamp(str(node["value"])).as_unit(str(node.get("unit", "ns")))
            return stamp.tz_convert(node["tz"]) if node.get("tz") else stamp
        if kind == "timedelta":
            return pd.Timedelta(int(node["value"]), unit="ns").as_unit(str(node["unit"]))
        if kind == "period":
            return pd.Period(str(node["value"]), freq=str(node["freq"]))
        if kind == "offset":
            return pd.tseries.frequencies.to_offset(str(node["value"]))
        if kind in _INDEX_KINDS:
            return self._index(node)
        if kind == "series":
            values = self._index(node["values"])
            return pd.Series(values.array, index=self._index(node["index"]),
                             name=_hashable(self.decode(node["name"])))
        if kind == "dataframe":
            index = self._index(node["index"])
            columns = self._index(node["columns"])
            data = {j: self._index(column).array for j, column in enumerate(node["data"])}
            frame = pd.DataFrame(data, index=index)
            frame.columns = columns
            return frame
        if kind == "keras_model":
            return self._keras_model(str(node["ref"]))
        if kind == "estimator":
            return self._estimator(node)
        if kind == "skops_estimator":
            return self._skops_estimator(node)
        raise ModelFileError(
            f"'{self.path}' contains an unknown entry type {kind!r}; it may have been written "
            "by a newer tsforecast: upgrade tsforecast or re-save the model."
        )

    def _array(self, ref):
        try:
            return self.arrays[ref]
        except (KeyError, TypeError):
            raise ModelFileError(
                f"'{self.path}' refers to a missing array {ref!r}; the file is corrupted."
            ) from None

    def _index(self, node):
        kind = node["__type__"]
        if kind == "range_index":
            return pd.RangeIndex(int(node["start"]), int(node["stop"]), int(node["step"]),
                                 name=_hashable(self.decode(node["name"])))
        if kind == "multi_index":
            tuples = [self.decode(item) for item in node["tuples"]]
            names = self.decode(node["names"])
            if not tuples:
                return pd.MultiIndex.from_arrays([[]] * len(names), names=names)
            return pd.MultiIndex.from_tuples(tuples, names=names)
        name = _hashable(self.decode(node["name"]))
        if kind == "datetime_index":
            index = pd.DatetimeIndex(self.decode(node["values"]), name=name)
            if node.get("tz"):
                index = index.tz_localize("UTC").tz_convert(node["tz"])
            if node.get("freq"):
                try:
                    index = pd.DatetimeIndex(index, freq=node["freq"])
                except ValueError:
                    index.freq = None
            return index
        if kind == "period_index":
            ordinals = self.decode(node["ordinals"])
            return pd.PeriodIndex.from_ordinals(ordinals, freq=node["freq"], name=name)
        if kind == "timedelta_index":
            return pd.TimedeltaIndex(self.decode(node["values"]), name=name)
        if kind == "index":
            if "values" in node:
                return pd.Index(self.decode(node["values"]), name=name, tupleize_cols=False)
            items = [_hashable(self.decode(item)) for item in node["items"]]
            try:
                return pd.Index(items, dtype=str(node["dtype"]), name=name, tupleize_cols=False)
            except (TypeError, ValueError):
                return pd.Index(items, dtype=object, name=name, tupleize_cols=False)
        raise ModelFileError(f"'{self.path}' has a malformed index entry {kind!r}.")

    def _keras_model(self, ref):
        raw = self.archive.keras_model_bytes(ref)
        os.environ.setdefault("KERAS_BACKEND", "jax")
        import keras

        # Custom layers register themselves with Keras when their module is imported.
        try:
            importlib.import_module("tsforecast.networks")
        except ImportError:
            pass
        with tempfile.TemporaryDirectory(prefix="tsforecast-load-") as workdir:
            model_file = os.path.join(workdir, "model.keras")
            with open(model_file, "wb") as handle:
                handle.write(raw)
            try:
                return keras.saving.load_model(model_file, compile=False, safe_mode=True)
            except Exception as exc:  # noqa: BLE001 - any failure means an unusable file
                message = first_line(exc)
                if "Lambda" in message or "safe_mode" in message or "safe mode" in message:
                    raise ModelFileError(
                        f"'{self.path}': the Keras model {ref!r} contains a Lambda layer or "
                        "other arbitrary code, which safe mode refuses to load; rebuild the "
                        "model without Lambda layers."
                    ) from None
                raise ModelFileError(
                    f"'{self.path}': cannot load the Keras model {ref!r} ({message}); "
                    "re-save the model with this version of tsforecast and Keras."
                ) from None

    def _skops_estimator(self, node):
        ref = node["ref"]
        context = f"'{self.path}': member {ref!r}"
        estimator = load_skops_estimator(self.archive.skops_bytes(ref), context)
        if class_path(type(estimator)) != node["class"]:
            raise ModelFileError(
                f"{context} holds a {class_path(type(estimator))}, not the "
                f"{node['class']} the manifest names; the file is corrupted."
            )
        return estimator

    def _estimator(self, node):
        cls = resolve_class(str(node["class"]), self.path)
        params = {str(key): self.decode(value) for key, value in node["params"].items()}
        try:
            obj = cls(**params)
        except TypeError as exc:
            raise ModelFileError(
                f"'{self.path}': {cls.__name__} does not accept the saved parameters "
                f"({first_line(exc)}); the file was written by an incompatible version — "
                "refit and re-save the model."
            ) from None
        for name, value in node["state"].items():
            name = str(name)
            if not is_fitted_attribute(name):
                raise ModelFileError(
                    f"'{self.path}' sets a non-fitted attribute {name!r} of {cls.__name__}; "
                    "refusing to load it."
                )
            vars(obj)[name] = self.decode(value)
        return obj


_INDEX_KINDS = {
    "range_index", "multi_index", "datetime_index", "period_index", "timedelta_index", "index",
}


def _hashable(value):
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    return value
