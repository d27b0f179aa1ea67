"""Save and load fitted forecasters as one file, without pickle.

A model file (suffix ``.tsf`` by convention) is a zip archive with:

``manifest.json``
    Format name and version, the versions of tsforecast and its main dependencies, the
    creation time, the class of the saved object, caller-supplied ``metadata`` (what the
    model was trained on) and the object tree, with references into the two members below.
``arrays.npz``
    Every numeric numpy array of the tree, written with :func:`numpy.savez` and read back
    with ``allow_pickle=False``.
``models/m<n>.keras``
    Every ``keras.Model`` of the tree in the native Keras format, loaded with
    ``safe_mode=True`` (a ``Lambda`` layer, i.e. arbitrary code, is refused, and refused
    already when saving).
``models/s<n>.skops``
    Every estimator of another library (scikit-learn, LightGBM, XGBoost: the regressor of
    a window forecaster, a Pipeline) with its complete state, written by
    :func:`skops.io.dumps` (format version 2; version-1 files, which have no such members,
    keep loading).

Which estimator goes where
--------------------------
tsforecast's own estimators are stored in the manifest, and so is a scikit-learn
meta-estimator that holds one of them or a Keras model (a Pipeline ending in an
``LSTMRegressor``). Every other estimator goes to a skops member, whole: scikit-learn keeps
fitted state in private attributes (``_loss``, ``_fit_method``) that the naming rule below
would not store.

What the manifest saves of an estimator (the naming rule)
---------------------------------------------------------
An estimator is stored as its class path, its parameters and its fitted state:

- **parameters**: ``get_params(deep=False)``, given back to the class on loading as
  ``cls(**params)``;
- **fitted state**: every attribute whose public name ends in ``_`` (``coef_``,
  ``cutoff_``, ``model_``), set on the new instance afterwards;
- **never saved**: attributes whose name starts with ``_``. Objects that cannot be
  stored safely (statsmodels results, compiled predict functions) belong in private
  ``_cache*`` attributes, which the estimator rebuilds when it needs them after loading.

Parameters and fitted attributes may hold numbers (non-finite floats included), strings,
``None``, lists, tuples, dicts, sets, numpy arrays, scalars and dtypes, pandas
timestamps, periods, offsets, indexes, Series and DataFrames, nested estimators and
``keras.Model`` objects. Numeric arrays go to ``arrays.npz``; arrays of Python objects
(strings) are written element by element into the manifest. Anything else (a function,
an open file, an object of another library) is refused with a :class:`ModelFileError`
that names the attribute.

Saving is verified
------------------
Before anything is written, :func:`save` rebuilds the object from what the file will hold
and compares its state with the original's (:mod:`tsforecast.persistence.verification`):
a model that could not be restored faithfully is refused at save time, with a
:class:`ModelFileError` naming the estimator and the attribute, never at load time.

Safety
------
Loading never unpickles and never executes code from the file. The manifest may name only
estimators defined in ``tsforecast`` and ``sklearn`` modules
(:mod:`tsforecast.persistence.allowed`; class paths of modules that have moved keep
working) and may set fitted attributes only. A skops member is loaded only after every type
it names that skops does not trust by itself has passed the allow-list of
:func:`~tsforecast.persistence.allowed.check_skops_type` (scikit-learn classes and
functions, numpy and scipy sparse types, a few named others), and its trees only after
their index arrays are checked (:mod:`tsforecast.persistence.index_checks`). Member names,
sizes and nesting are checked before anything is read
(:mod:`tsforecast.persistence.archive`). Writing goes through
:func:`tsforecast.files.atomic_path`: an existing model file is replaced only by a
complete new one.
"""

import datetime
import json
import os
import pathlib
import sys
from importlib import metadata as _metadata

from tsforecast.persistence.archive import (
    FORMAT,
    FORMAT_VERSION,
    ModelArchive,
    ModelFileError,
    first_line,
    write_archive,
)

__all__ = ["FORMAT", "FORMAT_VERSION", "ModelFileError", "load", "read_metadata", "save"]

_VERSIONED_PACKAGES = (
    "tsforecast", "keras", "jax", "numpy", "pandas", "scikit-learn", "statsmodels", "scipy",
    "skops", "lightgbm", "xgboost",
)


def save(forecaster, path, *, metadata=None):
    """Save a (fitted) forecaster or any scikit-learn estimator to one file, atomically.

    Parameters
    ----------
    forecaster : estimator
        A tsforecast forecaster or scikit-learn estimator whose parameters and fitted
        state follow the naming rule of :mod:`tsforecast.persistence`.
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
        of a class outside tsforecast/scikit-learn/LightGBM/XGBoost, a Keras ``Lambda``
        layer), or state that loading would not restore (checked before writing).
    OSError
        When the file cannot be written (missing or read-only directory, full disk); the
        previous file, if any, is left untouched.
    """
    from tsforecast.persistence.allowed import class_path
    from tsforecast.persistence.codec import Encoder
    from tsforecast.persistence.verification import check_reload

    path = pathlib.Path(path)
    if metadata is not None:
        try:
            json.dumps(metadata, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ModelFileError(
                f"`metadata` must be JSON-serialisable ({exc}); pass only dicts, lists, "
                "strings, finite numbers, booleans and None."
            ) from None
    encoder = Encoder()
    try:
        root = encoder.encode(forecaster, type(forecaster).__name__)
    except RecursionError:
        raise ModelFileError(
            f"cannot save {type(forecaster).__name__}: its state is nested too deeply "
            "or refers to itself."
        ) from None
    check_reload(forecaster, root, encoder)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "versions": _versions(),
        "class": class_path(type(forecaster)),
        "metadata": metadata or {},
        "root": root,
    }
    write_archive(path, manifest, encoder.arrays, encoder.models, encoder.skops_members)
    return path


def _versions():
    versions = {"python": sys.version.split()[0]}
    for package in _VERSIONED_PACKAGES:
        try:
            versions[package] = _metadata.version(package)
        except _metadata.PackageNotFoundError:
            continue
    versions["keras_backend"] = os.environ.get("KERAS_BACKEND", "jax")
    return versions


def read_metadata(path):
    """Return the manifest of a model file without loading the model (or Keras).

    Parameters
    ----------
    path : str or os.PathLike
        A model file; checked as by :func:`load` up to its manifest.

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
    with ModelArchive(path) as archive:
        return archive.manifest()


def load(path):
    """Load a forecaster saved with :func:`save`, without executing code from the file.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`, by this or an earlier tsforecast.

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
        members, refers to classes outside tsforecast/scikit-learn, holds a skops member
        with a type outside the allow-list or trees with out-of-range indices, or holds a
        Keras model that safe mode refuses (e.g. a ``Lambda`` layer).
    """
    from tsforecast.persistence.codec import Decoder

    with ModelArchive(path) as archive:
        manifest = archive.manifest()
        decoder = Decoder(archive, archive.arrays(), path)
        try:
            return decoder.decode(manifest["root"])
        except ModelFileError:
            raise
        except RecursionError:
            raise ModelFileError(
                f"'{path}' has a manifest nested too deeply; refusing it."
            ) from None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise ModelFileError(
                f"'{path}' has a malformed manifest ({type(exc).__name__}: "
                f"{first_line(exc)}); re-save the model with this version of tsforecast."
            ) from None
