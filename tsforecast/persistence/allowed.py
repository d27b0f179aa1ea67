"""Which classes and functions a model file may name, and how a name becomes an object again.

The manifest names estimators of ``tsforecast`` and ``sklearn`` modules only; anything else
it names (``os.system``, ``subprocess.Popen``, a class defined inside a function) is refused
before it is imported. A file names a class by the module that defined it when it was
saved. Classes that have since moved keep loading: the old module path is served by
:mod:`tsforecast._moved`, whose stand-in returns the class from its new module, and that
class passes the same check.

The skops members (estimators of other libraries) name more types: skops trusts its own
list (scikit-learn estimators, numpy ufuncs and dtypes, Python containers) and reports every
other type it would import. :func:`check_skops_type` accepts those only when the name leads
to an object *defined* where it says (no re-export from another module) that is:

- a class of scikit-learn, except its dataset, test, vendored and utility-function modules
  (restoring a scikit-learn object only assigns data; its index arrays are checked by
  :mod:`tsforecast.persistence.index_checks`);
- a function of scikit-learn outside ``sklearn.datasets``, ``sklearn.utils``,
  ``sklearn.externals`` and test modules (score functions such as ``f_regression``,
  pooling functions): they compute on the arrays they are given;
- a numpy scalar, dtype, array (not ``numpy.memmap``, which opens files) or random
  generator type; a numpy reduction such as ``numpy.mean``;
- a scipy sparse matrix or array type;
- one of the named types of :data:`EXTRA_SKOPS_TYPES` (each with its reason).

Everything else (a lambda, ``functools.partial``, ``builtins.eval``, a class of the user's
own module) is refused with a :class:`ModelFileError` that names it.
"""

import importlib
import re

from tsforecast.persistence.archive import ModelFileError

__all__ = [
    "EXTRA_SKOPS_TYPES",
    "check_savable",
    "check_skops_type",
    "class_path",
    "is_own_class",
    "resolve_class",
]

_ALLOWED_PACKAGES = ("tsforecast", "sklearn")
_CLASS_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def class_path(cls):
    """``module.QualifiedName`` of ``cls``, the name a model file records."""
    return f"{cls.__module__}.{cls.__qualname__}"


def _is_allowed_module(module):
    return _in_package(module, _ALLOWED_PACKAGES)


def _in_package(module, packages):
    return any(module == name or module.startswith(name + ".") for name in packages)


def is_own_class(cls):
    """Whether ``cls`` is defined in tsforecast (stored in the manifest, not by skops)."""
    return _in_package(cls.__module__, ("tsforecast",))


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


# ------------------------------------------------------------------------ skops members
#: Types outside the rules of the module docstring that a skops member may name, with why
#: they are safe to restore.
EXTRA_SKOPS_TYPES = {
    "collections.OrderedDict": "a plain container (LightGBM keeps its parameters in one)",
    "scipy.interpolate._bsplines.BSpline": (
        "SplineTransformer's fitted splines: knots, coefficients and degree, re-validated "
        "by scipy after loading"
    ),
    "scipy._lib.array_api_compat.numpy._aliases.asarray": (
        "the array conversion function a scipy BSpline keeps"
    ),
    "lightgbm.sklearn.LGBMRegressor": "LightGBM's scikit-learn regressor",
    "lightgbm.basic.Booster": "restored from LightGBM's own model text",
    "xgboost.sklearn.XGBRegressor": "XGBoost's scikit-learn regressor",
    "xgboost.sklearn.XGBRFRegressor": "XGBoost's random-forest regressor",
    "xgboost.core.Booster": "restored from XGBoost's own model format",
}

# scikit-learn modules whose functions or classes a model file may not name: they read or
# download data (datasets), run scripts (utils._testing), or are not scikit-learn's own code.
_SKLEARN_CLASS_EXCLUDED = (
    "sklearn.datasets", "sklearn.externals", "sklearn.utils._testing", "sklearn._build_utils",
    "sklearn.__check_build", "sklearn.tests", "sklearn.experimental",
)
_SKLEARN_FUNCTION_EXCLUDED = _SKLEARN_CLASS_EXCLUDED + ("sklearn.utils", "sklearn._config")

#: numpy functions (besides ufuncs, which skops trusts) that estimators take as parameters,
#: e.g. FeatureAgglomeration's ``pooling_func=numpy.mean``: reductions over arrays.
_NUMPY_FUNCTIONS = frozenset({
    "mean", "median", "average", "sum", "prod", "min", "max", "amin", "amax", "ptp",
    "std", "var", "percentile", "quantile", "nanmean", "nanmedian", "nansum", "nanprod",
    "nanmin", "nanmax", "nanstd", "nanvar", "nanpercentile", "nanquantile", "cumsum",
    "cumprod", "diff", "clip", "round",
})


def check_skops_type(name, context):
    """Refuse a type reported by :func:`skops.io.get_untrusted_types` unless it is allowed.

    Parameters
    ----------
    name : str
        ``module.name`` as recorded in the skops member.
    context : str
        Start of the error message: what is being saved or loaded.

    Raises
    ------
    ModelFileError
        When ``name`` is not allowed (see the module docstring), or does not lead to the
        object it names.
    """
    reason = _skops_refusal(name)
    if reason is not None:
        raise ModelFileError(
            f"{context} holds {name!r}, which a tsforecast model file does not load "
            f"({reason}). Allowed are scikit-learn classes and functions, numpy and scipy "
            "sparse types, numpy reductions and LightGBM/XGBoost regressors; only estimators "
            "defined in tsforecast or scikit-learn (and LightGBM, XGBoost) can be saved and "
            "loaded safely."
        )


def _skops_refusal(name):
    """Why ``name`` may not be loaded, or None when it may."""
    module_name, _, attribute = str(name).rpartition(".")
    if not module_name or not _CLASS_PATH.match(str(name)):
        return "a lambda or a function or class defined inside another, which has no name to load"
    package = module_name.split(".")[0]
    extra = name in EXTRA_SKOPS_TYPES
    if not extra and package not in ("sklearn", "numpy", "scipy"):
        return f"{package} is not a library whose types a model file may hold"
    if ".tests" in f"{module_name}." or _in_package(module_name, _SKLEARN_CLASS_EXCLUDED):
        return "a module a model file may not refer to"
    try:
        obj = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError):
        return "it does not exist in this installation"
    # A name must lead to an object defined where it says: a module that merely imported
    # `system` from `os` must not make `os.system` loadable.
    defined_in = getattr(obj, "__module__", None)
    if getattr(obj, "__name__", None) != attribute or defined_in is None:
        return "it is not a class or function defined under that name"
    if extra:
        return None if defined_in == module_name else "it is defined elsewhere"
    if not (defined_in == module_name or _in_package(defined_in, (package,))):
        return "it is defined in another library"
    if isinstance(obj, type):
        return _class_refusal(obj, package)
    if package == "sklearn" and not _in_package(defined_in, _SKLEARN_FUNCTION_EXCLUDED):
        return None
    if package == "numpy" and attribute in _NUMPY_FUNCTIONS and module_name == "numpy":
        return None
    return "a function that is not on the list of array functions a model may call"


def _class_refusal(cls, package):
    import numpy as np

    if package == "sklearn":
        return None if not _in_package(cls.__module__, _SKLEARN_CLASS_EXCLUDED) else (
            "a class of a scikit-learn module a model file may not refer to")
    if package == "numpy":
        if issubclass(cls, np.memmap):
            return "numpy.memmap opens files"
        data_types = (np.generic, np.dtype, np.ndarray, np.random.RandomState,
                      np.random.Generator, np.random.BitGenerator, np.random.SeedSequence)
        return None if issubclass(cls, data_types) else "not a numpy data or random type"
    from scipy import sparse

    if issubclass(cls, (sparse.spmatrix, sparse.sparray)):
        return None
    return "not a scipy sparse matrix or array type"
