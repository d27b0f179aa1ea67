"""Split-conformal prediction intervals from rolling-origin forecast residuals.

A window forecaster is refitted on a few expanding folds at fit time (cutoffs one horizon
apart before the end of the training series). From each fold's cutoff onwards it forecasts from every
origin whose window lies in the training data, giving out-of-sample residuals for each
horizon step ``k``. The interval at step ``k`` is the point forecast plus or minus the
``coverage`` quantile of the absolute step-``k`` residuals, with the finite-sample
correction of split conformal prediction: the ``ceil((n + 1) * coverage)``-th smallest of
``n`` residuals. It assumes the future errors are exchangeable with the calibration
errors; the fold models see less data than the final model, which errs on the wide side.
"""

import math
import numbers
import warnings

import numpy as np

from tsforecast.validation import InputValueError

__all__ = ["calibration_cutoffs", "conformal_interval", "conformal_quantiles"]


def calibration_cutoffs(n_timepoints, *, horizon, min_train, n_folds=3, step=None):
    """Training lengths of the calibration folds, latest first.

    Fold ``j`` is trained on the first ``n_timepoints - horizon - j * step`` values, so
    the latest fold leaves exactly ``horizon`` values to forecast. Folds that would leave
    fewer than ``min_train`` training values are dropped.

    Parameters
    ----------
    n_timepoints : int
        Length of the training series.
    horizon : int
        Number of forecast steps to calibrate.
    min_train : int
        Fewest training values a fold needs (e.g. ``window + horizon``).
    n_folds : int, default=3
        Number of folds wanted.
    step : int, optional
        Distance between consecutive cutoffs. Defaults to ``horizon`` (so the folds
        see different stretches of the series), or more so that ``n_folds >= 2`` folds
        give at least 20 residuals for the last horizon step (enough for 95% intervals),
        or less when the series is too short for all the folds to fit.

    Returns
    -------
    list of int

    Examples
    --------
    >>> calibration_cutoffs(200, horizon=24, min_train=48, n_folds=3)
    [176, 152, 128]
    >>> calibration_cutoffs(120, horizon=24, min_train=61, n_folds=3)
    [96, 79, 62]
    >>> calibration_cutoffs(60, horizon=6, min_train=20, n_folds=2)
    [54, 36]
    """
    if isinstance(n_folds, bool) or not isinstance(n_folds, numbers.Integral) or n_folds < 1:
        raise InputValueError(
            f"`n_calibration`={n_folds!r} must be a positive integer (number of calibration "
            "folds); pass e.g. 3, or `conformal=False` for no intervals."
        )
    if step is None:
        step = horizon
        if n_folds > 1:
            # fold j gives 1 + j * step residuals for the last step
            step = max(step, math.ceil((20 - n_folds) / (n_folds * (n_folds - 1) / 2)))
            room = (n_timepoints - horizon - min_train) // (n_folds - 1)
            step = max(1, min(step, room))
    cutoffs = [n_timepoints - horizon - j * step for j in range(n_folds)]
    return [c for c in cutoffs if c >= min_train]


def conformal_quantiles(residuals, coverage):
    """Per-step conformal quantile of the absolute residuals.

    Parameters
    ----------
    residuals : array-like of shape (n, horizon)
        Forecast errors (actual minus forecast), one column per horizon step; NaN marks
        a missing residual (an origin too close to the end for that step).
    coverage : float
        Nominal coverage in (0, 1).

    Returns
    -------
    numpy.ndarray of shape (horizon,)
        Half-widths of the intervals. A step with too few residuals for the requested
        coverage (fewer than ``1 / (1 - coverage) - 1``) gets ``inf`` and a warning.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.arange(1.0, 20.0)[:, None]  # 19 residuals for one step
    >>> conformal_quantiles(r, 0.9)
    array([18.])
    """
    if not (isinstance(coverage, numbers.Real) and 0 < coverage < 1):
        raise InputValueError(
            f"`coverage`={coverage!r} must be a probability strictly between 0 and 1."
        )
    residuals = np.abs(np.asarray(residuals, dtype=float))
    if residuals.ndim == 1:
        residuals = residuals[:, None]
    quantiles = np.empty(residuals.shape[1])
    short = []
    for k in range(residuals.shape[1]):
        values = np.sort(residuals[:, k][np.isfinite(residuals[:, k])])
        n = len(values)
        rank = math.ceil((n + 1) * coverage)
        if rank > n:
            quantiles[k] = np.inf
            short.append(k + 1)
        else:
            quantiles[k] = values[rank - 1]
    if short:
        warnings.warn(
            f"Too few calibration residuals for {coverage:.0%} intervals at step(s) {short}: "
            "those intervals are unbounded. Use more calibration folds (`n_calibration`), "
            "a lower coverage or a longer series.",
            UserWarning,
            stacklevel=2,
        )
    return quantiles


def conformal_interval(forecast, residuals, coverage):
    """Lower and upper bounds ``forecast -/+ conformal_quantiles(residuals, coverage)``.

    Parameters
    ----------
    forecast : array-like of shape (horizon,)
        Point forecast.
    residuals : array-like of shape (n, >= horizon)
        Calibration residuals per step (see :func:`conformal_quantiles`).
    coverage : float
        Nominal coverage in (0, 1).

    Returns
    -------
    lower, upper : numpy.ndarray of shape (horizon,)
    """
    forecast = np.asarray(forecast, dtype=float)
    residuals = np.asarray(residuals, dtype=float)
    horizon = forecast.shape[0]
    if residuals.ndim != 2 or residuals.shape[1] < horizon:
        raise InputValueError(
            f"Calibration residuals cover {residuals.shape[-1]} steps but {horizon} were "
            f"asked for; refit with `horizon={horizon}` or predict at most "
            f"{residuals.shape[-1]} steps."
        )
    half = conformal_quantiles(residuals[:, :horizon], coverage)
    return forecast - half, forecast + half
