"""Save and load fitted forecasters as one file, without pickle.

A model file (suffix ``.tsf`` by convention) is a zip archive with:

``manifest.json``
    Format name and version, the versions of tsforecast and its main dependencies, the
    creation time, the class of the saved object, caller-supplied ``metadata`` (what the
    model was trained on) and the object tree: every estimator as its class path,
    ``get_params(deep=False)`` and fitted attributes (public names ending in ``_``), with
    references into the two members below for arrays and Keras models.
``arrays.npz``
    Every numpy array of the tree, written with :func:`numpy.savez` and read back with
    ``allow_pickle=False``.
``models/<n>.keras``
    Every ``keras.Model`` of the tree in the native Keras format, loaded with
    ``safe_mode=True`` (a ``Lambda`` layer, i.e. arbitrary code, is refused).

Loading never executes code from the file: only classes defined in ``tsforecast`` and
``sklearn`` modules that are scikit-learn estimators are instantiated, with ``cls(**params)``
followed by setting the fitted attributes. Writing is atomic: the archive is written to a
temporary file in the destination directory, flushed to disk and renamed over the target,
so an existing model is replaced only by a complete new one.
"""

import datetime
import importlib
import io
import json
import math
import os
import posixpath
import re
import sys
import tempfile
import zipfile
import zlib
from importlib import metadata as _metadata

FORMAT = "tsforecast.model"
FORMAT_VERSION = 1

#: Largest uncompressed size accepted for one archive member (zip-bomb guard), in bytes.
MAX_MEMBER_BYTES = 2 * 1024**3
#: Largest accepted ``manifest.json``, in bytes.
MAX_MANIFEST_BYTES = 64 * 1024**2

_ALLOWED_MODULES = ("tsforecast", "sklearn")
_MEMBER_PATTERN = re.compile(r"^(manifest\.json|arrays\.npz|models/m[0-9]+\.keras)$")
_VERSIONED_PACKAGES = (
    "tsforecast", "keras", "jax", "numpy", "pandas", "scikit-learn", "statsmodels", "scipy",
)


class ModelFileError(ValueError):
    """A model file cannot be written or read: corrupted, foreign, unsafe or unsupported."""


# ---------------------------------------------------------------------------- saving
def save(forecaster, path, *, metadata=None):
    """Save a (fitted) forecaster or any scikit-learn estimator to one file, atomically.

    Parameters
    ----------
    forecaster : estimator
        A tsforecast forecaster or scikit-learn estimator whose fitted state follows the
        persistence rule (numbers, strings, containers, numpy arrays, pandas objects,
        nested estimators and ``keras.Model`` objects).
    path : str or os.PathLike
        Destination file. Its directory must exist; an existing file is replaced only once
        the new one has been completely written.
    metadata : dict, optional
        JSON-serialisable information stored in the manifest (e.g. what the model was
        trained on); returned by :func:`read_metadata`.

    Returns
    -------
    path : pathlib.Path
        The written file.

    Raises
    ------
    ModelFileError
        When the object holds something that cannot be saved safely (a lambda, an object
        of a class outside tsforecast/scikit-learn, an object array).
    OSError
        When the file cannot be written (missing or read-only directory, full disk); the
        previous file, if any, is left untouched.
    """
    import pathlib

    path = pathlib.Path(path)
    if metadata is not None:
        try:
            json.dumps(metadata, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ModelFileError(
                f"`metadata` must be JSON-serialisable ({exc}); pass only dicts, lists, "
                "strings, finite numbers, booleans and None."
            ) from None
    encoder = _Encoder()
    try:
        root = encoder.encode(forecaster, type(forecaster).__name__)
    except RecursionError:
        raise ModelFileError(
            f"cannot save {type(forecaster).__name__}: its state is nested too deeply "
            "or refers to itself."
        ) from None
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "versions": _versions(),
        "class": _class_path(type(forecaster)),
        "metadata": metadata or {},
        "root": root,
    }
    manifest_bytes = json.dumps(manifest, indent=1, allow_nan=False).encode("utf-8")
    arrays_bytes = _npz_bytes(encoder.arrays)
    with tempfile.TemporaryDirectory(prefix="tsforecast-save-") as workdir:
        keras_members = []
        for index, model in enumerate(encoder.models):
            member = f"models/m{index}.keras"
            model_file = os.path.join(workdir, f"m{index}.keras")
            model.save(model_file)
            keras_members.append((member, model_file))
        _write_atomically(path, manifest_bytes, arrays_bytes, keras_members)
    return path


def _write_atomically(path, manifest_bytes, arrays_bytes, keras_members):
    directory = path.parent if str(path.parent) else "."
    temp_path = None
    try:
        temp_fd, temp_path = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        # mkstemp creates the file with mode 0600; give it the usual umask-derived mode.
        os.chmod(temp_path, 0o666 & ~_umask())
        with os.fdopen(temp_fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("manifest.json", manifest_bytes)
                archive.writestr("arrays.npz", arrays_bytes)
                for member, model_file in keras_members:
                    archive.write(model_file, member)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_path, path)
        temp_path = None
        _fsync_directory(directory)
    finally:
        if temp_path is not None:
            try:
                os.unlink(temp_path)
            except OSError:
                pass


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_directory(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _npz_bytes(arrays):
    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _versions():
    versions = {"python": sys.version.split()[0]}
    for package in _VERSIONED_PACKAGES:
        try:
            versions[package] = _metadata.version(package)
        except _metadata.PackageNotFoundError:
            continue
    versions["keras_backend"] = os.environ.get("KERAS_BACKEND", "jax")
    return versions


def _class_path(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _is_allowed_module(module):
    return any(module == name or module.startswith(name + ".") for name in _ALLOWED_MODULES)


class _Encoder:
    """Turn an object tree into JSON, collecting numpy arrays and Keras models aside."""

    def __init__(self):
        self.arrays = {}
        self.models = []

    def encode(self, obj, where):
        import numpy as np
        import pandas as pd

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
            return {"__type__": "keras_model", "ref": f"models/m{len(self.models) - 1}.keras"}
        if hasattr(obj, "get_params") and not isinstance(obj, type):
            return self._encode_estimator(obj, where)
        raise ModelFileError(
            f"cannot save `{where}` of type {_class_path(type(obj))}: only numbers, strings, "
            "containers, numpy arrays, pandas objects, estimators and keras.Model objects can "
            "be saved; keep other objects in private `_cache...` attributes."
        )

    def _encode_estimator(self, obj, where):
        cls = type(obj)
        if not _is_allowed_module(cls.__module__) or "<locals>" in cls.__qualname__:
            raise ModelFileError(
                f"cannot save `{where}` of class {_class_path(cls)}: only estimators defined "
                "in tsforecast or scikit-learn modules can be saved and loaded safely."
            )
        params = obj.get_params(deep=False)
        state = {
            name: value
            for name, value in vars(obj).items()
            if name.endswith("_") and not name.startswith("_")
        }
        name = cls.__name__
        return {
            "__type__": "estimator",
            "class": _class_path(cls),
            "params": {
                key: self.encode(value, f"{name}.{key}") for key, value in params.items()
            },
            "state": {key: self.encode(value, f"{name}.{key}") for key, value in state.items()},
        }

    def _encode_array(self, obj, where):
        import numpy as np

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
        import numpy as np
        import pandas as pd

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


# ---------------------------------------------------------------------------- loading
def read_metadata(path):
    """Return the manifest of a model file without loading the model (or Keras).

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.

    Returns
    -------
    manifest : dict
        Keys ``format``, ``format_version``, ``created``, ``versions``, ``class``,
        ``metadata`` (what :func:`save` was given) and ``root`` (the encoded object tree:
        estimators as ``{"__type__": "estimator", "class", "params", "state"}``).

    Raises
    ------
    ModelFileError
        When the file is not a valid model file (see :func:`load`).
    """
    with _open_archive(path) as archive:
        return _read_manifest(archive, path)


def load(path):
    """Load a forecaster saved with :func:`save`, without executing code from the file.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.

    Returns
    -------
    forecaster : estimator
        The saved object, with its fitted state.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ModelFileError
        When the file is not a zip archive, is truncated or corrupted, lacks a manifest,
        has an unsupported format version, contains unsafe member names or oversized
        members, refers to classes outside tsforecast/scikit-learn, or holds a Keras model
        that safe mode refuses (e.g. a ``Lambda`` layer).
    """
    with _open_archive(path) as archive:
        manifest = _read_manifest(archive, path)
        names = set(archive.namelist())
        arrays = _read_arrays(archive, path) if "arrays.npz" in names else {}
        decoder = _Decoder(archive, arrays, path)
        try:
            return decoder.decode(manifest["root"])
        except ModelFileError:
            raise
        except RecursionError:
            raise ModelFileError(f"'{path}' has a manifest nested too deeply; refusing it.") from None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise ModelFileError(
                f"'{path}' has a malformed manifest ({type(exc).__name__}: "
                f"{_first_line(exc)}); re-save the model with this version of tsforecast."
            ) from None


class _Archive:
    """A validated zip archive: member names are safe and sizes are within limits."""

    def __init__(self, path):
        self.path = path
        self._zip = None

    def __enter__(self):
        path = self.path
        if not os.path.exists(path):
            raise FileNotFoundError(f"model file '{path}' does not exist; check the path.")
        if os.path.isdir(path):
            raise ModelFileError(f"'{path}' is a directory, not a model file; pass the .tsf file.")
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise ModelFileError(
                f"'{path}' is not a tsforecast model file (not a zip archive, or truncated); "
                "pass a file written by `tsforecast fit` or tsforecast.persistence.save."
            ) from None
        except OSError as exc:
            raise ModelFileError(f"cannot read '{path}': {exc.strerror or exc}.") from None
        try:
            _check_members(self._zip, path, "")
        except BaseException:
            self._zip.close()
            raise
        return self

    def __exit__(self, *exc_info):
        self._zip.close()

    def namelist(self):
        return self._zip.namelist()

    def read(self, name):
        try:
            return self._zip.read(name)
        except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, OSError) as exc:
            raise ModelFileError(
                f"'{self.path}' is corrupted or truncated (member {name!r}: "
                f"{_first_line(exc)}); re-save the model."
            ) from None
        except zlib.error as exc:
            raise ModelFileError(
                f"'{self.path}' is corrupted (member {name!r}: {_first_line(exc)}); "
                "re-save the model."
            ) from None


def _open_archive(path):
    return _Archive(path)


def _check_members(archive, path, inside):
    total = 0
    for info in archive.infolist():
        name = info.filename
        if _is_unsafe_name(name):
            raise ModelFileError(
                f"'{path}' contains an unsafe member name {name!r}{inside} (absolute path or "
                "'..'); refusing to open it. Use only model files written by tsforecast."
            )
        if info.file_size > MAX_MEMBER_BYTES:
            raise ModelFileError(
                f"'{path}': member {name!r}{inside} would expand to {info.file_size:,} bytes, "
                f"above the {MAX_MEMBER_BYTES:,}-byte limit; refusing to open it (possible "
                "zip bomb). Use only model files written by tsforecast."
            )
        total += info.file_size
        if total > 4 * MAX_MEMBER_BYTES:
            raise ModelFileError(
                f"'{path}'{inside}: members would expand to more than "
                f"{4 * MAX_MEMBER_BYTES:,} bytes; refusing to open it (possible zip bomb)."
            )


def _is_unsafe_name(name):
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return True
    if re.match(r"^[A-Za-z]:", name):
        return True
    parts = posixpath.normpath(name).split("/")
    return ".." in name.split("/") or parts[0] == ".."


def _read_manifest(archive, path):
    if "manifest.json" not in archive.namelist():
        raise ModelFileError(
            f"'{path}' has no manifest.json: it is not a tsforecast model file; pass a file "
            "written by `tsforecast fit` or tsforecast.persistence.save."
        )
    for name in archive.namelist():
        if not _MEMBER_PATTERN.match(name):
            raise ModelFileError(
                f"'{path}' contains an unexpected member {name!r}; it is not a tsforecast "
                "model file (or was tampered with)."
            )
    info = archive._zip.getinfo("manifest.json")
    if info.file_size > MAX_MANIFEST_BYTES:
        raise ModelFileError(
            f"'{path}': manifest.json is {info.file_size:,} bytes, above the "
            f"{MAX_MANIFEST_BYTES:,}-byte limit; refusing to open it."
        )
    raw = archive.read("manifest.json")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelFileError(
            f"'{path}' has an unreadable manifest.json ({_first_line(exc)}); re-save the model."
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(
            f"'{path}' is not a tsforecast model file (its manifest does not declare format "
            f"{FORMAT!r}); pass a file written by `tsforecast fit` or persistence.save."
        )
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(
            f"'{path}' declares an invalid format version {version!r}; re-save the model."
        )
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"'{path}' uses model format version {version}, newer than the version "
            f"{FORMAT_VERSION} this tsforecast reads; upgrade tsforecast to load it."
        )
    if "root" not in manifest or "class" not in manifest:
        raise ModelFileError(f"'{path}' has an incomplete manifest.json; re-save the model.")
    return manifest


def _read_arrays(archive, path):
    import numpy as np

    raw = archive.read("arrays.npz")
    buffer = io.BytesIO(raw)
    try:
        with zipfile.ZipFile(buffer) as inner:
            _check_members(inner, path, " inside arrays.npz")
        buffer.seek(0)
        with np.load(buffer, allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ModelFileError(
            f"'{path}' has a corrupted arrays.npz ({_first_line(exc)}); re-save the model."
        ) from None


def _first_line(exc):
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


class _Decoder:
    def __init__(self, archive, arrays, path):
        self.archive = archive
        self.arrays = arrays
        self.path = path

    def decode(self, node):
        import numpy as np
        import pandas as pd

        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(item) for item in node]
        if not isinstance(node, dict) or "__type__" not in node:
            raise ModelFileError(f"'{self.path}' has a malformed manifest entry; re-save the model.")
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
        import pandas as pd

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
        if not _MEMBER_PATTERN.match(ref) or ref not in self.archive.namelist():
            raise ModelFileError(
                f"'{self.path}' refers to a missing Keras model {ref!r}; the file is corrupted."
            )
        raw = self.archive.read(ref)
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as inner:
                _check_members(inner, self.path, f" inside {ref}")
        except zipfile.BadZipFile:
            raise ModelFileError(
                f"'{self.path}': member {ref!r} is not a valid Keras file; re-save the model."
            ) from None
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
                message = _first_line(exc)
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

    def _estimator(self, node):
        cls = _resolve_class(str(node["class"]), self.path)
        params = {str(key): self.decode(value) for key, value in node["params"].items()}
        try:
            obj = cls(**params)
        except TypeError as exc:
            raise ModelFileError(
                f"'{self.path}': {cls.__name__} does not accept the saved parameters "
                f"({_first_line(exc)}); the file was written by an incompatible version — "
                "refit and re-save the model."
            ) from None
        for name, value in node["state"].items():
            name = str(name)
            if not name.endswith("_") or name.startswith("_"):
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


def _resolve_class(class_path, path):
    module_name, _, qualname = class_path.rpartition(".")
    refusal = ModelFileError(
        f"'{path}' refers to class {class_path!r}, which is not a tsforecast or scikit-learn "
        "estimator; refusing to load it. Use only model files written by tsforecast."
    )
    if not module_name or not _is_allowed_module(module_name) or "<" in class_path:
        raise refusal
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_.]*$", class_path):
        raise refusal
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise ModelFileError(
            f"'{path}' refers to class {class_path!r}, which does not exist in this "
            "installation; install the tsforecast/scikit-learn version it was saved with "
            "or refit the model."
        ) from None
    cls = getattr(module, qualname, None)
    if not isinstance(cls, type):
        raise ModelFileError(
            f"'{path}' refers to class {class_path!r}, which does not exist in this "
            "installation; refit the model with this version of tsforecast."
        )
    from sklearn.base import BaseEstimator

    if not issubclass(cls, BaseEstimator) or not _is_allowed_module(cls.__module__):
        raise refusal
    return cls
