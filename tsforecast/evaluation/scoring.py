"""Scores of forecasts: which metrics, per series and fold, and per lead time.

A metric is a name of :data:`~tsforecast.evaluation.metrics.METRICS` or a function; its
:class:`MetricSpec` says how to call it: on the point forecasts, on the interval bounds,
or scaled by the training series (MASE-like). A metric that is undefined for a series
and fold (the scale of a constant series, MAPE at a zero) scores NaN there, with a note,
and is left out of the means rather than stopping the comparison.
"""

import inspect
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from tsforecast.evaluation.metrics import METRICS, mase, rmsse
from tsforecast.validation import InputTypeError, InputValueError

__all__ = ["MetricSpec", "horizon_scores", "metric_specs", "score_series"]


class MetricSpec(NamedTuple):
    """A metric and how to call it."""

    name: str
    func: Callable
    #: "point" (actual, forecast), "interval" (actual, lower, upper) or "scaled" (point
    #: metrics that also take ``y_train`` and ``season_length``)
    kind: str
    #: whether it takes the nominal ``coverage`` (``interval_score``)
    wants_coverage: bool


def metric_specs(metrics):
    """The :class:`MetricSpec` of each metric name or function; checks the list.

    Raises
    ------
    InputValueError
        For an unknown name, a single-quantile metric, an empty list or a duplicate name.
    InputTypeError
        For something that is neither a name nor a function.
    """
    if isinstance(metrics, str) or callable(metrics):
        metrics = (metrics,)
    specs = []
    for metric in metrics:
        if isinstance(metric, str):
            if metric not in METRICS:
                raise InputValueError(
                    f"Unknown metric {metric!r}; choose from {sorted(METRICS)} or pass a "
                    "function f(y_true, y_pred)."
                )
            name, func = metric, METRICS[metric]
        elif callable(metric):
            name, func = getattr(metric, "__name__", repr(metric)), metric
        else:
            raise InputTypeError(
                f"Metrics are names or functions, got {metric!r}; pass e.g. ('mase', 'smape')."
            )
        parameters = inspect.signature(func).parameters
        if "lower" in parameters:
            kind = "interval"
        elif "quantile" in parameters:
            raise InputValueError(
                f"Metric {name!r} scores a single quantile forecast and cannot rank point "
                "forecasts; use 'interval_score' or 'coverage' for intervals."
            )
        elif "y_train" in parameters:
            kind = "scaled"
        else:
            kind = "point"
        specs.append(MetricSpec(name, func, kind, "coverage" in parameters))
    if not specs:
        raise InputValueError(
            "`metrics` is empty; pass at least one, e.g. metrics=('mase', 'smape')."
        )
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise InputValueError(f"`metrics` has duplicate names {names}; pass each metric once.")
    return specs


def _score(specs, actual, point, lower, upper, y_train, season_length, coverage, errors):
    """Each metric on one series and fold; NaN (and a note in ``errors``) when undefined."""
    values = np.full(len(specs), np.nan)
    for k, (name, func, kind, wants_coverage) in enumerate(specs):
        try:
            if kind == "interval":
                if coverage is None or not np.isfinite(lower).all():
                    continue
                options = {"coverage": coverage} if wants_coverage else {}
                values[k] = func(actual, lower, upper, **options)
            elif kind == "scaled":
                values[k] = func(
                    actual, point, y_train=y_train, season_length=_scale_lag(y_train, season_length)
                )
            else:
                values[k] = func(actual, point)
        except ValueError as exc:
            errors.append(f"{name}: {exc}")
    return values


def score_series(specs, outcome, season_length, coverage):
    """Each metric of each series of a fold whose whole test window was observed.

    Parameters
    ----------
    specs : list of MetricSpec
    outcome : FoldForecasts
        The forecasts of the fold, see
        :func:`~tsforecast.evaluation.backtesting.fold_forecasts`.
    season_length : int
        Lag of the scale of scaled errors.
    coverage : float or None
        Nominal coverage of the intervals; ``None``: interval metrics are NaN.

    Returns
    -------
    kept : numpy.ndarray of int
        Columns of ``outcome`` that are scored (the others end inside the test window).
    scores : numpy.ndarray of shape (len(kept), len(specs))
    step_scores : numpy.ndarray of shape (len(kept), n_steps, len(specs))
        Each scaled metric of each single forecast (NaN for the other metrics).
    errors : list of str
        Why a value is NaN, one line per undefined value.
    """
    kept = np.flatnonzero(np.isfinite(outcome.actual).all(axis=0))
    scores, step_scores, errors = [], [], []
    for j in kept:
        y_train = outcome.training[:, j]
        y_train = y_train[np.isfinite(y_train)]
        actual, point = outcome.actual[:, j], outcome.forecast[:, j]
        bounds = (outcome.lower[:, j], outcome.upper[:, j])
        scores.append(
            _score(specs, actual, point, *bounds, y_train, season_length, coverage, errors)
        )
        step_scores.append(_scaled_steps(specs, actual, point, y_train, season_length))
    n_steps = len(outcome.step)
    return (
        kept,
        np.asarray(scores, dtype=float).reshape(-1, len(specs)),
        np.asarray(step_scores, dtype=float).reshape(-1, n_steps, len(specs)),
        errors,
    )


def _scale_lag(y_train, season_length):
    # A training series shorter than one season is scaled by the naive (lag-1) error.
    return season_length if len(y_train) > season_length else 1


def _scaled_steps(specs, actual, point, y_train, season_length):
    """Each scaled metric of each single forecast value (its own training scale); NaN else.

    A scaled error depends on the training series of its forecast, so it is computed
    here, per series and fold; :func:`horizon_scores` combines these values per step.
    """
    table = np.full((len(actual), len(specs)), np.nan)
    lag = _scale_lag(y_train, season_length)
    for k, (_, func, kind, _) in enumerate(specs):
        if kind != "scaled":
            continue
        try:
            if func in (mase, rmsse):
                # |error| / scale on one value: the metric of a unit error gives 1 / scale
                unit = func([1.0], [0.0], y_train=y_train, season_length=lag)
                table[:, k] = np.abs(actual - point) * unit
                continue
            for t in range(len(actual)):
                table[t, k] = func(
                    actual[t : t + 1], point[t : t + 1], y_train=y_train, season_length=lag
                )
        except ValueError:
            table[:, k] = np.nan  # undefined scale: the same for every step
    return table


def horizon_scores(specs, results, scores, scaled, coverage):
    """Each metric at each lead time, over all the series and folds of each model.

    Point and interval metrics are evaluated on all the forecasts of a model at that
    step (so ``rmse`` is the root of the mean squared error of that step). Scaled metrics
    divide each forecast by its own training scale: the step value is the mean of the
    per-forecast scaled errors, or their root mean square for ``rmsse``. Forecasts of a
    series and fold where a metric is undefined (NaN score) are left out of it, as in
    the leaderboard.

    Returns
    -------
    pandas.DataFrame
        Columns ``model``, ``step`` and one per metric.
    """
    actual = results["actual"].to_numpy(dtype=float)
    columns = {
        "forecast": results["forecast"].to_numpy(dtype=float),
        "lower": results["lower"].to_numpy(dtype=float),
        "upper": results["upper"].to_numpy(dtype=float),
    }
    bounded = np.isfinite(columns["lower"]) & np.isfinite(columns["upper"])
    rows = []
    for (model, step), where in results.groupby(["model", "step"], sort=False).indices.items():
        values = []
        for k, (_, func, kind, wants_coverage) in enumerate(specs):
            where_k = where[np.isfinite(scores[where, k])]
            value = np.nan
            if kind == "scaled":
                scaled_k = scaled[where_k, k]
                if where_k.size:
                    mean_square = func is rmsse
                    value = (
                        float(np.sqrt(np.mean(scaled_k**2)))
                        if mean_square
                        else float(np.mean(scaled_k))
                    )
            elif kind == "interval":
                where_k = where_k[bounded[where_k]]
                if coverage is not None and where_k.size:
                    options = {"coverage": coverage} if wants_coverage else {}
                    value = _safe(
                        func,
                        actual[where_k],
                        columns["lower"][where_k],
                        columns["upper"][where_k],
                        **options,
                    )
            elif where_k.size:
                value = _safe(func, actual[where_k], columns["forecast"][where_k])
            values.append(value)
        rows.append((model, int(step), *values))
    return pd.DataFrame(rows, columns=["model", "step", *(spec.name for spec in specs)])


def _safe(func, *args, **options):
    try:
        return float(func(*args, **options))
    except ValueError:
        return np.nan
