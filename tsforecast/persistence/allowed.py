"""Which classes a model file may name, and how a saved class path becomes a class again.

Only scikit-learn estimators defined in ``tsforecast`` or ``sklearn`` modules are saved and
instantiated on loading; anything else a file names (``os.system``, ``subprocess.Popen``, a
class defined inside a function) is refused before it is imported.

A file names a class by the module that defined it when it was saved. Classes that have
since moved keep loading: the old module path is served by :mod:`tsforecast._moved`, whose
stand-in returns the class from its new module, and that class passes the same check.
"""

import importlib
import re

from tsforecast.persistence.archive import ModelFileError

__all__ = ["check_savable", "class_path", "resolve_class"]

_ALLOWED_PACKAGES = ("tsforecast", "sklearn")
_CLASS_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def class_path(cls):
    """``module.QualifiedName`` of ``cls``, the name a model file records."""
    return f"{cls.__module__}.{cls.__qualname__}"


def _is_allowed_module(module):
    return any(module == name or module.startswith(name + ".") for name in _ALLOWED_PACKAGES)


def check_savable(cls, where):
    """Refuse to save an estimator whose class could not be loaded back."""
    if not _is_allowed_module(cls.__module__) or "<locals>" in cls.__qualname__:
        raise ModelFileError(
            f"cannot save `{where}` of class {class_path(cls)}: only estimators defined "
            "in tsforecast or scikit-learn modules can be saved and loaded safely."
        )


def resolve_class(path_of_class, path):
    """The estimator class named ``path_of_class`` in the model file ``path``.

    Parameters
    ----------
    path_of_class : str
        ``module.ClassName`` as recorded in the file; an old module path served by
        :mod:`tsforecast._moved` resolves to the class's new home.
    path : str or os.PathLike
        The model file, for the error messages.

    Returns
    -------
    type
        A subclass of ``sklearn.base.BaseEstimator`` defined in tsforecast or scikit-learn.

    Raises
    ------
    ModelFileError
        When the name is outside tsforecast/scikit-learn, is not an estimator, or does not
        exist in this installation.
    """
    from sklearn.base import BaseEstimator

    module_name, _, qualname = path_of_class.rpartition(".")
    refusal = ModelFileError(
        f"'{path}' refers to class {path_of_class!r}, which is not a tsforecast or "
        "scikit-learn estimator; refusing to load it. Use only model files written by "
        "tsforecast."
    )
    if not module_name or not _is_allowed_module(module_name) or "<" in path_of_class:
        raise refusal
    if not _CLASS_PATH.match(path_of_class):
        raise refusal
    try:
        module = importlib.import_module(module_name)
        # On a moved module's stand-in this lookup imports the modules that hold its names.
        cls = getattr(module, qualname, None)
    except ImportError:
        raise ModelFileError(
            f"'{path}' refers to class {path_of_class!r}, which does not exist in this "
            "installation; install the tsforecast/scikit-learn version it was saved with "
            "or refit the model."
        ) from None
    if not isinstance(cls, type):
        raise ModelFileError(
            f"'{path}' refers to class {path_of_class!r}, which does not exist in this "
            "installation; refit the model with this version of tsforecast."
        )
    # The class the path leads to, not the path itself, must be allowed: a stand-in or a
    # re-export could hand back a class from anywhere.
    if not issubclass(cls, BaseEstimator) or not _is_allowed_module(cls.__module__):
        raise refusal
    return cls
