"""Estimators of other libraries as ``models/s<n>.skops`` members, written and read by skops.

scikit-learn (and LightGBM, XGBoost) estimators keep much of their fitted state in private
attributes (``_loss``, ``_fit_method``, ``_tree``), which the manifest's naming rule does not
store. :func:`skops.io.dumps` stores an estimator's whole state without pickle;
:func:`load_skops_estimator` reads it back only after every type that skops does not trust
by itself has passed :func:`tsforecast.persistence.allowed.check_skops_type`, and checks
the index arrays of the restored trees before anything can use them
(:mod:`tsforecast.persistence.index_checks`).
"""

from tsforecast.persistence.allowed import check_skops_type, class_path
from tsforecast.persistence.archive import ModelFileError, first_line

__all__ = ["dump_skops_estimator", "load_skops_estimator"]


def dump_skops_estimator(estimator, where):
    """The skops bytes of ``estimator``; refused when its own class could not be loaded.

    The types it holds are checked when the saved estimator is loaded back before the
    file is written (:mod:`tsforecast.persistence.verification`).
    """
    import skops.io

    check_skops_type(class_path(type(estimator)), f"cannot save `{where}`: it")
    try:
        return skops.io.dumps(estimator)
    except Exception as exc:  # noqa: BLE001 - skops raises many types for one meaning
        raise ModelFileError(
            f"cannot save `{where}` ({type(estimator).__name__}): skops cannot serialise it "
            f"({type(exc).__name__}: {first_line(exc)})."
        ) from None


def load_skops_estimator(data, context):
    """Load skops bytes, refusing every type that is not allowed.

    Parameters
    ----------
    data : bytes
        A skops archive.
    context : str
        What is being loaded, for the error messages (``"'m.tsf': member 'models/s0.skops'"``).

    Returns
    -------
    object
        The restored estimator.

    Raises
    ------
    ModelFileError
        When the member names a type that is not allowed, cannot be restored with this
        installation, or holds trees whose indices point outside their arrays.
    """
    import skops.io

    from tsforecast.persistence.index_checks import check_indices

    try:
        untrusted = skops.io.get_untrusted_types(data=data)
    except Exception as exc:  # noqa: BLE001 - any failure means an unreadable member
        raise ModelFileError(
            f"{context} is not a readable skops archive ({first_line(exc)}); re-save the model."
        ) from None
    for name in untrusted:
        check_skops_type(name, context)
    try:
        estimator = skops.io.loads(data, trusted=untrusted)
    except Exception as exc:  # noqa: BLE001 - any failure means an unusable member
        raise ModelFileError(
            f"{context} cannot be restored ({type(exc).__name__}: {first_line(exc)}); "
            "install the library versions listed by `tsforecast info` or refit the model."
        ) from None
    check_indices(estimator, context)
    return estimator
