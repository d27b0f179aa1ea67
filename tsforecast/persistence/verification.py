"""Save-time proof that a model file restores what was saved.

A model that saves but cannot be used after loading is the worst outcome (an estimator
whose private state was not stored fails only at ``predict``, maybe on another machine).
:func:`check_reload` therefore rebuilds the object from exactly what will be written (the
manifest after a JSON round trip, the arrays, every skops member through the same type
checks as :func:`~tsforecast.persistence.load`) and compares the rebuilt object's state with
the original's, attribute by attribute, before the file is written. Any difference is a
:class:`ModelFileError` at save time that names the attribute and its estimator.

Why a state comparison and not a probe prediction: it costs one decode and one walk over the
arrays (no model evaluation, no Keras compilation), it needs no input data, and it is
stricter, since it also covers state that a probe would not reach (another horizon, the
interval code). It catches exactly the failure class of private state that the manifest does
not store (``HistGradientBoostingRegressor._loss``, ``KNeighborsRegressor._fit_method``):
such an attribute is missing after the rebuild. Two kinds of state are not compared:

- ``_cache*`` attributes, which the naming rule declares rebuildable caches;
- Keras models, which the rebuild reuses instead of reading back: they are written in
  Keras' own format and loaded in safe mode (a ``Lambda`` layer is refused at save time).
"""

import json
import math
import types

import numpy as np
import pandas as pd

from tsforecast.persistence.archive import ModelFileError
from tsforecast.persistence.codec import Decoder
from tsforecast.persistence.skops_members import load_skops_estimator

__all__ = ["check_reload", "first_difference"]


def check_reload(original, root, encoder):
    """Rebuild ``original`` from its encoding and refuse it if anything differs.

    Parameters
    ----------
    original : estimator
        The object being saved.
    root : dict
        Its encoded tree (``Encoder.encode``).
    encoder : tsforecast.persistence.codec.Encoder
        The encoder that produced ``root``, holding the arrays, Keras models and skops
        bytes.

    Raises
    ------
    ModelFileError
        When the rebuilt object differs from ``original``, or a skops member holds a type
        that loading would refuse.
    """
    manifest_root = json.loads(json.dumps(root, allow_nan=False))
    restored = _ReloadDecoder(encoder).decode(manifest_root)
    name = type(original).__name__
    difference = first_difference(original, restored, name)
    if difference is not None:
        where, owner, what = difference
        raise ModelFileError(
            f"cannot save {owner} faithfully: after loading, `{where}` {what}. The model "
            "file would not restore it; keep such state in public attributes ending in "
            "'_' or in rebuildable `_cache...` attributes (the naming rule is in the "
            "docstring of tsforecast.persistence)."
        )


class _ReloadDecoder(Decoder):
    """A decoder over the encoder's in-memory members instead of an archive."""

    def __init__(self, encoder):
        super().__init__(None, encoder.arrays, "<the model being saved>")
        self._encoder = encoder

    def _keras_model(self, ref):
        index = int(ref.removeprefix("models/m").removesuffix(".keras"))
        return self._encoder.models[index]

    def _skops_estimator(self, node):
        ref = node["ref"]
        estimator, where = self._encoder.skops_sources[ref]
        data = self._encoder.skops_members[int(ref.removeprefix("models/s").removesuffix(".skops"))]
        return load_skops_estimator(data, f"cannot save `{where}` ({type(estimator).__name__}): it")


def first_difference(original, restored, where):
    """The first difference between two object trees, or None when they are equal.

    Returns
    -------
    (where, owner, what) or None
        The dotted path of the differing value, the class of the estimator that holds it
        and what differs.
    """
    return _Comparison().difference(original, restored, where, type(original).__name__)


class _Comparison:
    def __init__(self):
        self._seen = set()
        # the pairs compared stay referenced, so that the ids in `_seen` are not reused by
        # the temporary states of later objects
        self._compared = []

    def difference(self, a, b, where, owner):
        if a is b:
            return None
        if type(a) is not type(b):
            return where, owner, (f"is a {type(b).__name__} instead of a {type(a).__name__}")
        if isinstance(a, (types.FunctionType, types.BuiltinFunctionType, np.ufunc, type)):
            return None if a == b else (where, owner, "refers to another function or class")
        if isinstance(a, (bool, int, str, bytes, bytearray, type(None))):
            return None if a == b else (where, owner, f"is {b!r} instead of {a!r}")
        if isinstance(a, (float, complex)):
            return None if _same_number(a, b) else (where, owner, f"is {b!r} instead of {a!r}")
        key = (id(a), id(b))
        if key in self._seen:
            return None
        self._seen.add(key)
        self._compared.append((a, b))
        if isinstance(a, np.generic):
            return self._arrays(np.asarray(a), np.asarray(b), where, owner)
        if isinstance(a, np.ndarray):
            return self._arrays(a, b, where, owner)
        if isinstance(a, (pd.Index, pd.Series, pd.DataFrame)):
            return None if _same_pandas(a, b) else (where, owner, "holds other values")
        if isinstance(a, (pd.Timestamp, pd.Timedelta, pd.Period, pd.DateOffset)):
            return None if a == b and str(getattr(a, "tz", "")) == str(getattr(b, "tz", "")) \
                else (where, owner, f"is {b!r} instead of {a!r}")
        if isinstance(a, dict):
            return self._mappings(a, b, where, owner)
        if isinstance(a, (list, tuple)):
            if len(a) != len(b):
                return where, owner, f"has {len(b)} items instead of {len(a)}"
            return self._first(zip(a, b), (f"{where}[{i}]" for i in range(len(a))), owner)
        if isinstance(a, (set, frozenset)):
            return None if a == b else (where, owner, "holds other items")
        return self._objects(a, b, where, owner)

    def _first(self, pairs, wheres, owner):
        for (a, b), where in zip(pairs, wheres):
            found = self.difference(a, b, where, owner)
            if found is not None:
                return found
        return None

    def _mappings(self, a, b, where, owner):
        missing = [key for key in a if key not in b]
        extra = [key for key in b if key not in a]
        if missing or extra:
            key = (missing or extra)[0]
            return f"{where}[{key!r}]", owner, "is missing" if missing else "is new"
        return self._first(((a[k], b[k]) for k in a), (f"{where}[{k!r}]" for k in a), owner)

    def _arrays(self, a, b, where, owner):
        if a.dtype != b.dtype or a.shape != b.shape:
            return where, owner, (f"has dtype {b.dtype} and shape {b.shape} instead of "
                                  f"{a.dtype} and {a.shape}")
        if a.dtype.names:
            return self._first(((a[n], b[n]) for n in a.dtype.names),
                               (f"{where}[{n!r}]" for n in a.dtype.names), owner)
        if a.dtype.kind == "O":
            pairs = zip(a.ravel().tolist(), b.ravel().tolist())
            return self._first(pairs, (f"{where}[{i}]" for i in range(a.size)), owner)
        equal_nan = a.dtype.kind in "fc"
        return None if np.array_equal(a, b, equal_nan=equal_nan) else (
            where, owner, "holds other values")

    def _objects(self, a, b, where, owner):
        """Estimators and other objects: by attributes, or by their pickling state."""
        if hasattr(a, "get_params"):
            owner = type(a).__name__
        state_a, state_b = _state(a), _state(b)
        if isinstance(state_a, dict) and isinstance(state_b, dict):
            names_a = {k for k in state_a if not str(k).startswith("_cache")}
            names_b = {k for k in state_b if not str(k).startswith("_cache")}
            if names_a != names_b:
                name = min(names_a - names_b or names_b - names_a)
                what = "is missing" if name in names_a else "appears"
                return f"{where}.{name}", owner, what
            return self._first(((state_a[k], state_b[k]) for k in sorted(names_a)),
                               (f"{where}.{k}" for k in sorted(names_a)), owner)
        return self.difference(state_a, state_b, f"{where}<state>", owner)


def _state(obj):
    """What an object's restoration depends on: its attributes or its pickling state."""
    custom = type(obj).__getstate__ is not object.__getstate__
    if hasattr(obj, "__dict__") and not custom:
        return vars(obj)
    if custom:
        state = obj.__getstate__()
        if state is not None:
            return state
    reduced = obj.__reduce_ex__(2)
    return tuple(reduced[1:]) if isinstance(reduced, tuple) else reduced


def _same_number(a, b):
    if isinstance(a, complex):
        return _same_number(a.real, b.real) and _same_number(a.imag, b.imag)
    return a == b or (math.isnan(a) and math.isnan(b))


def _same_pandas(a, b):
    if not a.equals(b):
        return False
    if isinstance(a, pd.Index):
        return a.names == b.names and a.dtype == b.dtype and getattr(a, "freq", None) == getattr(
            b, "freq", None)
    if isinstance(a, pd.Series):
        return a.name == b.name and _same_pandas(a.index, b.index)
    return _same_pandas(a.index, b.index) and _same_pandas(a.columns, b.columns)
