"""Forecast accuracy metrics: point errors, scaled errors, interval and quantile scores.

Every metric takes array-likes (lists, numpy arrays, pandas Series/DataFrames, compared
by position, not by index label) and returns a Python ``float``. Inputs are checked: a
shape mismatch, an empty input or a NaN/inf value raises an
:class:`~tsforecast.validation.InputValueError` (a ``ValueError``) that names the argument and
says how to fix it.

Conventions
-----------
* ``mape`` and ``smape`` are *fractions*, not percentages: ``mape`` 0.05 means 5%, and
  ``smape`` lies in ``[0, 2]`` (the M4 definition ``2|e| / (|y| + |yhat|)``).
* ``mase`` and ``rmsse`` divide by the in-sample error of the seasonal naive forecast
  on ``y_train`` (``season_length=1``: the naive forecast), as in Hyndman & Koehler (2006)
  and the M4/M5 competitions. A training series whose seasonal differences are all zero
  (a constant series, for instance) has no scale: those metrics raise a ``ValueError``
  rather than return ``inf``.
* ``interval_score`` is the Winkler / Gneiting-Raftery interval score (lower is better).

``METRICS`` maps each metric's name to its function.
"""

import numpy as np

from tsforecast.validation import InputValueError, check_int, check_probability

__all__ = [
    "METRICS",
    "coverage",
    "interval_score",
    "mae",
    "mape",
    "mase",
    "pinball_loss",
    "rmse",
    "rmsse",
    "smape",
]

#: Docstring sections shared by the metrics, put where a docstring says ``{point}`` or
#: ``{scaled}`` (see :func:`_document`).
_SECTIONS = {
    "point": """Parameters
    ----------
    y_true, y_pred : array-like of the same shape
        Actual values and forecasts.

    Returns
    -------
    float""",
    "scaled": """Parameters
    ----------
    y_true, y_pred : array-like of the same shape
        Actual values and forecasts.
    y_train : array-like
        The training series the forecast was made from.
    season_length : int, default=1
        Lag of the scaling naive forecast (1: naive, 12: seasonal naive for monthly data).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        When ``y_train`` is not longer than ``season_length`` or has zero scale.""",
}


def _document(func):
    """Fill the shared sections into ``func``'s docstring (absent under ``python -OO``)."""
    for name, section in _SECTIONS.items():
        if func.__doc__:
            func.__doc__ = func.__doc__.replace("{" + name + "}", section)
    return func


def _as_array(values, name):
    """Float array of ``values``; InputValueError for empty, non-numeric or non-finite input."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise InputValueError(
            f"`{name}` must contain numbers only; convert it with pandas.to_numeric first "
            f"({error})."
        ) from None
    if array.ndim == 0:
        array = array.reshape(1)
    if array.size == 0:
        raise InputValueError(f"`{name}` is empty; pass at least one value.")
    if not np.isfinite(array).all():
        count = int((~np.isfinite(array)).sum())
        raise InputValueError(
            f"`{name}` contains {count} NaN or infinite value(s); drop or fill them before "
            "scoring."
        )
    return array


def _pair(y_true, y_pred, pred_name="y_pred"):
    y_true = _as_array(y_true, "y_true")
    y_pred = _as_array(y_pred, pred_name)
    if y_true.shape != y_pred.shape:
        raise InputValueError(
            f"`y_true` has shape {y_true.shape} but `{pred_name}` has shape {y_pred.shape}; "
            "pass arrays of the same shape (one forecast per actual value)."
        )
    return y_true, y_pred


@_document
def mae(y_true, y_pred):
    """Mean absolute error.

    {point}

    Examples
    --------
    >>> mae([1.0, 2.0, 3.0], [2.0, 2.0, 1.0])
    1.0
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


@_document
def rmse(y_true, y_pred):
    """Root mean squared error.

    {point}

    Examples
    --------
    >>> rmse([0.0, 0.0], [3.0, -3.0])
    3.0
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


@_document
def mape(y_true, y_pred):
    """Mean absolute percentage error, as a fraction (0.05 means 5%).

    ``mean(|y - yhat| / |y|)``. Undefined when an actual value is zero: that raises a
    ``ValueError`` (use ``smape`` or ``mase`` for series that touch zero).

    {point}

    Examples
    --------
    >>> mape([100.0, 200.0], [110.0, 180.0])
    0.1
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if np.any(y_true == 0):
        raise InputValueError(
            f"`y_true` contains {int((y_true == 0).sum())} zero(s), where MAPE is undefined; "
            "use `smape` or `mase` instead."
        )
    return float(np.mean(np.abs(y_true - y_pred) / np.abs(y_true)))


@_document
def smape(y_true, y_pred):
    """Symmetric mean absolute percentage error, as a fraction in ``[0, 2]``.

    ``mean(2 |y - yhat| / (|y| + |yhat|))`` (the M4 definition, without the factor 100);
    a term where both the actual and the forecast are zero counts as 0.

    {point}

    Examples
    --------
    >>> smape([100.0, 0.0], [100.0, 5.0])
    1.0
    """
    y_true, y_pred = _pair(y_true, y_pred)
    denominator = np.abs(y_true) + np.abs(y_pred)
    numerator = 2.0 * np.abs(y_true - y_pred)
    ratio = np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)
    return float(np.mean(ratio))


def _seasonal_scale(y_train, season_length, y_true, power):
    """Mean of |seasonal difference| ** power of ``y_train`` (per column for 2-D input)."""
    season_length = check_int(season_length, "season_length", meaning="1 = naive scaling")
    y_train = _as_array(y_train, "y_train")
    if y_train.ndim != y_true.ndim or y_train.shape[1:] != y_true.shape[1:]:
        raise InputValueError(
            f"`y_train` has shape {y_train.shape}, which does not match `y_true` "
            f"{y_true.shape}: pass the training series of the same series (same number "
            "of columns)."
        )
    if y_train.shape[0] <= season_length:
        raise InputValueError(
            f"`y_train` has {y_train.shape[0]} values, too few for `season_length`="
            f"{season_length}; pass at least {season_length + 1} training values or a "
            "smaller season length."
        )
    differences = np.abs(y_train[season_length:] - y_train[:-season_length]) ** power
    scale = differences.mean(axis=0)
    if np.any(scale == 0):
        raise InputValueError(
            f"`y_train` has no variation at lag {season_length} (e.g. a constant series), so "
            "the scaled error is undefined; use `mae` or `rmse` for this series."
        )
    return scale


@_document
def mase(y_true, y_pred, *, y_train, season_length=1):
    """Mean absolute scaled error.

    The MAE of the forecast divided by the in-sample MAE of the seasonal naive forecast
    on ``y_train`` (lag ``season_length``). Below 1 means better than seasonal naive did
    in-sample. For 2-D input (one column per series) each column is scaled by its own
    training column and the scaled errors are averaged.

    {scaled}

    Examples
    --------
    >>> mase([5.0, 6.0], [5.5, 5.5], y_train=[1.0, 2.0, 3.0, 4.0])
    0.5
    """
    y_true, y_pred = _pair(y_true, y_pred)
    scale = _seasonal_scale(y_train, season_length, y_true, power=1)
    return float(np.mean(np.abs(y_true - y_pred).mean(axis=0) / scale))


@_document
def rmsse(y_true, y_pred, *, y_train, season_length=1):
    """Root mean squared scaled error (the M5 accuracy measure).

    ``sqrt(mean((y - yhat)^2) / mean((y_t - y_{t-m})^2 over y_train))``; per column for
    2-D input, then averaged.

    {scaled}

    Examples
    --------
    >>> rmsse([5.0, 6.0], [4.0, 7.0], y_train=[1.0, 3.0, 5.0])
    0.5
    """
    y_true, y_pred = _pair(y_true, y_pred)
    scale = _seasonal_scale(y_train, season_length, y_true, power=2)
    return float(np.mean(np.sqrt(((y_true - y_pred) ** 2).mean(axis=0) / scale)))


def _interval(y_true, lower, upper):
    y_true, lower = _pair(y_true, lower, "lower")
    _, upper = _pair(y_true, upper, "upper")
    if np.any(lower > upper):
        raise InputValueError(
            f"`lower` exceeds `upper` at {int((lower > upper).sum())} position(s); pass the "
            "interval bounds in the order (lower, upper)."
        )
    return y_true, lower, upper


def coverage(y_true, lower, upper):
    """Fraction of actual values inside their prediction interval (bounds included).

    Parameters
    ----------
    y_true, lower, upper : array-like of the same shape
        Actual values and the interval bounds.

    Returns
    -------
    float
        In ``[0, 1]``; compare with the nominal coverage of the intervals.

    Examples
    --------
    >>> coverage([1.0, 5.0, 3.0, 9.0], [0.0, 0.0, 3.0, 0.0], [2.0, 2.0, 4.0, 8.0])
    0.5
    """
    y_true, lower, upper = _interval(y_true, lower, upper)
    return float(np.mean((y_true >= lower) & (y_true <= upper)))


def interval_score(y_true, lower, upper, *, coverage):
    """Mean interval (Winkler) score of central prediction intervals; lower is better.

    For ``alpha = 1 - coverage``:
    ``(u - l) + 2/alpha * (l - y) * [y < l] + 2/alpha * (y - u) * [y > u]``
    (Gneiting & Raftery 2007), averaged over all values.

    Parameters
    ----------
    y_true, lower, upper : array-like of the same shape
        Actual values and the interval bounds.
    coverage : float
        Nominal coverage of the intervals, in (0, 1), e.g. 0.9.

    Returns
    -------
    float

    Examples
    --------
    >>> interval_score([1.0, 4.0], [0.0, 0.0], [2.0, 2.0], coverage=0.5)
    6.0
    """
    alpha = 1.0 - check_probability(coverage, "coverage")
    y_true, lower, upper = _interval(y_true, lower, upper)
    below = np.clip(lower - y_true, 0.0, None)
    above = np.clip(y_true - upper, 0.0, None)
    return float(np.mean((upper - lower) + 2.0 / alpha * (below + above)))


def pinball_loss(y_true, y_quantile, *, quantile):
    """Mean pinball (quantile) loss of a forecast of the ``quantile`` level.

    ``max(q (y - f), (q - 1) (y - f))`` averaged; at ``quantile=0.5`` it is half the MAE.

    Parameters
    ----------
    y_true, y_quantile : array-like of the same shape
        Actual values and the forecast quantiles.
    quantile : float
        Quantile level in (0, 1).

    Returns
    -------
    float

    Examples
    --------
    >>> pinball_loss([10.0, 10.0], [8.0, 12.0], quantile=0.9)
    1.0
    """
    q = check_probability(quantile, "quantile")
    y_true, y_quantile = _pair(y_true, y_quantile, "y_quantile")
    error = y_true - y_quantile
    return float(np.mean(np.maximum(q * error, (q - 1.0) * error)))


METRICS = {
    "mae": mae,
    "rmse": rmse,
    "mape": mape,
    "smape": smape,
    "mase": mase,
    "rmsse": rmsse,
    "coverage": coverage,
    "interval_score": interval_score,
    "pinball_loss": pinball_loss,
}
