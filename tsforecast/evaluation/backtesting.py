"""Rolling-origin backtests: refit a clone on every fold, forecast what follows, keep the timings.

This is the one place where a forecaster is evaluated on a fold: :func:`fold_tasks` says
which folds a forecaster is fitted on (each series of a panel on its own span, or the
whole panel at once for a global model), :func:`forecast_fold` fits a clone on a fold's
training part and forecasts its test positions (with an interval when it can), and
:func:`fold_forecasts` lines those forecasts up with the actual values, one column per
series. :func:`backtest` and the tasks of :func:`~tsforecast.evaluation.compare` are both
built from these three functions.
"""

import time
import warnings
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import clone

from tsforecast.evaluation.panels import series_label, training_columns
from tsforecast.evaluation.splitters import FoldPositions
from tsforecast.forecasting import IntervalUnavailableError
from tsforecast.forecasting.layout import align_rows, covariates_for, prepare_input

__all__ = [
    "BACKTEST_COLUMNS",
    "FoldForecasts",
    "FoldTask",
    "IntervalUnavailableWarning",
    "backtest",
    "count_fold_tasks",
    "fold_forecasts",
    "fold_tasks",
    "forecast_fold",
    "is_global",
]


class IntervalUnavailableWarning(RuntimeWarning):
    """A fold was scored on point forecasts only: the model could not give an interval."""


#: Columns of the table returned by :func:`backtest`, in order.
BACKTEST_COLUMNS = (
    "series",
    "fold",
    "cutoff",
    "step",
    "actual",
    "forecast",
    "lower",
    "upper",
    "fit_seconds",
    "predict_ms",
)


def is_global(forecaster):
    """Whether ``forecaster`` is fitted on a whole panel (tag ``"capability:global"``)."""
    get_tag = getattr(forecaster, "get_tag", None)
    return bool(get_tag("capability:global")) if get_tag is not None else False


def _supports_intervals(forecaster):
    get_tag = getattr(forecaster, "get_tag", None)
    return bool(get_tag("capability:pred_int")) if get_tag is not None else False


class FoldTask(NamedTuple):
    """One fit of a forecaster in a rolling-origin evaluation."""

    #: name of the series, or None when a global forecaster is fitted on the whole panel
    series: Any
    #: the series (observed span only) or the panel the positions refer to
    data: Any
    fold: int
    train: np.ndarray
    test: np.ndarray


def fold_tasks(forecaster, y, folds):
    """Every fit of ``forecaster`` in a rolling-origin evaluation of ``y``, in a fixed order.

    Parameters
    ----------
    forecaster : BaseForecaster
    y : pandas.Series or pandas.DataFrame
        A checked series or panel (see :func:`~tsforecast.evaluation.panels.check_panel`).
    folds : FoldPositions
        The folds for a series length (shared between calls, so that each length is split
        once).

    Yields
    ------
    FoldTask
        A global forecaster on a panel: one task per fold of the shared time index.
        Otherwise one task per series (column order) and fold of that series' observed
        span, so that each series' folds are anchored at its own end.
    """
    if isinstance(y, pd.DataFrame) and is_global(forecaster):
        for fold, (train, test) in enumerate(folds(len(y))):
            yield FoldTask(None, y, fold, train, test)
        return
    columns = y.items() if isinstance(y, pd.DataFrame) else [(series_label(y), y)]
    for name, series in columns:
        # one object for all folds of a series: a batch of tasks pickles it once
        series = series.dropna()
        for fold, (train, test) in enumerate(folds(len(series))):
            yield FoldTask(name, series, fold, train, test)


def count_fold_tasks(forecaster, y, folds):
    """Number of tasks :func:`fold_tasks` yields, counted without building them."""
    if isinstance(y, pd.DataFrame) and is_global(forecaster):
        return len(folds(len(y)))
    columns = y.items() if isinstance(y, pd.DataFrame) else [(None, y)]
    return sum(len(folds(int(series.notna().sum()))) for _, series in columns)


def forecast_fold(forecaster, y, train, test, *, coverage=0.9, X=None):
    """Fit a clone of ``forecaster`` on ``y[train]`` and forecast the ``test`` positions.

    Parameters
    ----------
    forecaster : BaseForecaster
        Left untouched; a clone is fitted.
    y : pandas.Series or pandas.DataFrame
        One series, or a wide frame for a global forecaster.
    train, test : numpy.ndarray of int
        Positions in ``y``; every test position comes after the last training position.
    coverage : float or None, default=0.9
        Coverage of the prediction interval; ``None`` skips intervals.
    X : pandas.DataFrame, dict or array-like, optional
        Covariates aligned with ``y`` (tables indexed by time are matched by label); the
        model is given their rows up to the cutoff in ``fit`` and those after it in
        ``predict``.

    Returns
    -------
    point, lower, upper : numpy.ndarray
        Forecasts for the test positions, shape ``(len(test),)`` for a series or
        ``(len(test), n_series)`` for a frame (its columns observed at the cutoff, in
        order: a series that has not started or has already ended is left out of that
        fold); ``lower``/``upper`` are NaN without intervals, and also when the fitted
        model cannot give an interval for this training set (a forecaster too short to
        calibrate its conformal intervals, for instance): that case issues an
        :class:`IntervalUnavailableWarning`, any other error is raised.
    fit_seconds : float
    predict_ms : float
    """
    model = clone(forecaster)
    y_train = y.iloc[train]
    if isinstance(y_train, pd.DataFrame):
        y_train = y_train[training_columns(y_train)]
    steps = test - train[-1]
    horizon = int(steps.max())
    X_train = _rows(X, y.index, train)
    X_future = _rows(X, y.index, np.arange(train[-1] + 1, len(y)))
    started = time.perf_counter()
    model.fit(y_train, X_train)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with_interval = coverage is not None and _supports_intervals(model)
    if with_interval:
        try:
            frame = model.predict_interval(horizon, coverage, X_future)
        except NotImplementedError:
            with_interval = False
        except IntervalUnavailableError as exc:
            warnings.warn(
                f"No {coverage:.0%} interval for the fold with cutoff {y.index[train[-1]]!r} "
                f"({exc}); its point forecast is scored and its interval bounds are NaN.",
                IntervalUnavailableWarning,
                stacklevel=2,
            )
            with_interval = False
    if not with_interval:
        forecast = model.predict(horizon, X_future)
    predict_ms = 1000.0 * (time.perf_counter() - started)
    rows = steps - 1
    if with_interval:
        if isinstance(frame.columns, pd.MultiIndex):
            parts = [
                frame.xs(kind, axis=1, level=1).reindex(columns=y_train.columns).to_numpy()
                for kind in ("forecast", "lower", "upper")
            ]
        else:
            parts = [frame[kind].to_numpy() for kind in ("forecast", "lower", "upper")]
        point, lower, upper = (np.asarray(p, dtype=float)[rows] for p in parts)
    else:
        if isinstance(forecast, pd.DataFrame):
            forecast = forecast.reindex(columns=y_train.columns)
        point = np.asarray(forecast, dtype=float)[rows]
        lower = np.full_like(point, np.nan)
        upper = np.full_like(point, np.nan)
    if isinstance(y, pd.DataFrame) and point.ndim == 1:
        point, lower, upper = point[:, None], lower[:, None], upper[:, None]
    return point, lower, upper, fit_seconds, predict_ms


def _rows(X, index, positions):
    """The covariates at ``positions`` of the data indexed by ``index``: a table with the
    same index or an array by position, any other table (or each table of a dict) by
    label."""
    if X is None:
        return None
    if isinstance(X, dict):
        return {key: _rows(table, index, positions) for key, table in X.items()}
    if not isinstance(X, pd.DataFrame):
        return np.asarray(X)[positions]
    if X.index.equals(index):
        return X.iloc[positions]
    return X.loc[X.index.isin(index[positions])]


class FoldForecasts(NamedTuple):
    """The forecasts of one fold next to the actual values, one column per series."""

    #: names of the forecast series: the series itself, or a panel's columns observed at
    #: the cutoff
    series: list
    #: last training timestamp
    cutoff: Any
    #: lead time of each row (1 = first value after the cutoff)
    step: np.ndarray
    #: arrays of shape (number of steps, number of series); ``actual`` is NaN where a
    #: series of a panel has ended before that step
    actual: np.ndarray
    forecast: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    fit_seconds: float
    predict_ms: float
    #: training values, one column per series (NaN before a series of a panel starts)
    training: np.ndarray


def fold_forecasts(forecaster, y, train, test, *, coverage=0.9, X=None):
    """:func:`forecast_fold`, lined up with the actual values of each series.

    Parameters are those of :func:`forecast_fold`.

    Returns
    -------
    FoldForecasts
    """
    point, lower, upper, fit_seconds, predict_ms = forecast_fold(
        forecaster, y, train, test, coverage=coverage, X=X
    )
    if isinstance(y, pd.Series):
        series = [y.name]
        values = y.to_numpy(dtype=float)[:, None]
    else:
        series = list(training_columns(y.iloc[train]))
        values = y[series].to_numpy(dtype=float)
    if point.ndim == 1:
        point, lower, upper = point[:, None], lower[:, None], upper[:, None]
    return FoldForecasts(
        series=series,
        cutoff=y.index[train[-1]],
        step=(test - train[-1]).astype(int),
        actual=values[test],
        forecast=point,
        lower=lower,
        upper=upper,
        fit_seconds=fit_seconds,
        predict_ms=predict_ms,
        training=values[train],
    )


def _fold_tables(task, outcome):
    """The rows of :func:`backtest` for one fold: one block per series, observed steps only."""
    names = outcome.series if task.series is None else [task.series]
    n = len(outcome.step)
    for j, name in enumerate(names):
        actual = outcome.actual[:, j]
        table = pd.DataFrame(
            {
                "series": [name] * n,
                "fold": np.full(n, task.fold, dtype=int),
                "cutoff": [outcome.cutoff] * n,
                "step": outcome.step,
                "actual": actual,
                "forecast": outcome.forecast[:, j],
                "lower": outcome.lower[:, j],
                "upper": outcome.upper[:, j],
                "fit_seconds": np.full(n, outcome.fit_seconds),
                "predict_ms": np.full(n, outcome.predict_ms),
            }
        )
        yield table[np.isfinite(actual)]


def backtest(forecaster, y, cv, *, coverage=0.9, X=None, n_jobs=None):
    """Rolling-origin backtest: refit a clone of ``forecaster`` on every fold of ``cv``.

    The whole forecaster is cloned and refitted on each training set, so everything it
    learns (target transforms, scalers, network weights) sees the training part only.

    Parameters
    ----------
    forecaster : BaseForecaster
        The forecaster to evaluate; it is not modified.
    y : pandas.Series, pandas.DataFrame or LongPanel
        One series, a wide frame with one column per series, or long data (``unique_id,
        ds, y`` or a :class:`~tsforecast.forecasting.layout.LongPanel`; its other columns
        are covariates). Series may start and end at different times (leading and
        trailing NaN). A local forecaster is
        backtested on each column separately (its own span, folds anchored at its own
        end); a global forecaster (tag ``"capability:global"``) is fitted on all columns
        at once, with folds cut on the shared time index (each fold trains on the series
        observed at its cutoff).
    cv : RollingOriginSplit or scikit-learn splitter
        Yields ``(train, test)`` positions with every test position after the training
        set, e.g. ``RollingOriginSplit(n_folds=3, horizon=12)``.
    coverage : float or None, default=0.9
        Coverage of the prediction intervals, computed when the forecaster supports them
        (tag ``"capability:pred_int"``); ``lower``/``upper`` are NaN otherwise. ``None``
        skips intervals.
    X : pandas.DataFrame, dict or array-like, optional
        Covariates: one table for every series, a dict ``{series: table}`` or long data
        (as in :meth:`~tsforecast.forecasting.BaseForecaster.fit`).
    n_jobs : int, optional
        Folds fitted at the same time, in threads (joblib's ``prefer="threads"``; ``None``
        means 1, ``-1`` all cores). A network's compiled training runs outside Python's
        global interpreter lock, so the folds of a network backtest share the cores; models
        that compute in Python gain little (``compare(n_jobs=...)`` runs those in
        processes). The result is the same as with one job.

    Returns
    -------
    pandas.DataFrame
        One row per series, fold and horizon step with the columns
        ``series, fold, cutoff, step, actual, forecast, lower, upper, fit_seconds,
        predict_ms``. ``cutoff`` is the last training timestamp, ``step`` the lead time
        (1 = first value after the cutoff), ``fit_seconds``/``predict_ms`` the fold's
        fit and predict (or predict_interval) time, repeated on each row of the fold.
        A global forecaster's rows of a series that ends within a test window stop at
        its last value.

    Examples
    --------
    >>> import pandas as pd
    >>> from tsforecast.statistical import Naive
    >>> from tsforecast.evaluation import RollingOriginSplit
    >>> y = pd.Series(range(10), dtype=float)
    >>> table = backtest(Naive(), y, RollingOriginSplit(n_folds=2, horizon=2))
    >>> table[["fold", "step", "actual", "forecast"]].to_numpy().tolist()
    [[0.0, 1.0, 6.0, 5.0], [0.0, 2.0, 7.0, 5.0], [1.0, 1.0, 8.0, 7.0], [1.0, 2.0, 9.0, 7.0]]
    """
    from joblib import Parallel, delayed

    data = prepare_input(y, X, name="backtest")
    y, X = data.y, data.X
    tasks = list(fold_tasks(forecaster, y, FoldPositions(cv)))
    outcomes = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(fold_forecasts)(
            forecaster,
            task.data,
            task.train,
            task.test,
            coverage=coverage,
            X=_task_covariates(X, task),
        )
        for task in tasks
    )
    tables = [
        table for task, outcome in zip(tasks, outcomes) for table in _fold_tables(task, outcome)
    ]
    return pd.concat(tables, ignore_index=True)[list(BACKTEST_COLUMNS)]


def _task_covariates(X, task):
    """The covariates of a task: all of them for a panel, the series' own rows else."""
    if X is None or task.series is None:
        return X
    table = covariates_for(X, task.series, name="backtest")
    return align_rows(table, task.data.index, name="backtest")
