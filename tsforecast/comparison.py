"""Compare forecasters fairly: rolling-origin backtests over many series, with baselines.

:func:`compare` backtests every forecaster on every series and fold, always alongside the
seasonal naive and naive-2 baselines, and summarises the errors in a :class:`Comparison`:
a leaderboard (mean and median of each metric, rank, skill relative to seasonal naive,
an OWA-style score relative to naive-2, timings), errors by horizon step, the tidy
forecasts, exports (CSV, JSON, Markdown) and plots.

The work is split into independent tasks, one per model, series and fold (one per model
and fold for a global model, which needs the whole panel). Each task receives only its
own series (and its fold positions), so no task carries a copy of the panel.
Tasks run serially, on joblib workers (``n_jobs``) or on a Dask cluster
(``backend="dask"``); results are collected in task order, so every backend gives the
same tables (timings aside).
"""

import inspect
import json
import math
import numbers
import os
import sys
import time
import uuid
import warnings

import numpy as np
import pandas as pd

from tsforecast.frequency import infer_frequency
from tsforecast.frequency import season_length as season_length_of
from tsforecast.model_selection import (
    BACKTEST_COLUMNS,
    IntervalUnavailableWarning,
    _check_panel,
    _folds,
    _training_columns,
    forecast_fold,
)

__all__ = ["DEFAULT_BASELINES", "Comparison", "compare", "to_wide"]

#: Names under which the default baselines appear in every comparison.
DEFAULT_BASELINES = ("snaive", "naive2")
_SKILL_REFERENCE = "snaive"
_OWA_REFERENCE = "naive2"
_DASK_RETRIES = 2


# ----------------------------------------------------------------------------- data
def to_wide(data, *, id_col="unique_id", time_col="ds", target="y"):
    """Pivot long data (one row per series and timestamp) to a wide frame.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data with a series identifier, a time column and a value column.
    id_col, time_col, target : str
        Names of those columns (defaults follow the ``unique_id, ds, y`` convention).

    Returns
    -------
    pandas.DataFrame
        One column per series (sorted by identifier), indexed by the sorted timestamps;
        series that start later have leading NaN. Date-like time values are parsed to a
        ``DatetimeIndex`` with its frequency set when it can be inferred.

    Examples
    --------
    >>> long = pd.DataFrame({"unique_id": ["a", "a", "b", "b"], "ds": [1, 2, 1, 2],
    ...                      "y": [1.0, 2.0, 3.0, 4.0]})
    >>> to_wide(long).to_numpy().tolist()
    [[1.0, 3.0], [2.0, 4.0]]
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"to_wide expects a long pandas.DataFrame, got {type(data).__name__}.")
    missing = [c for c in (id_col, time_col, target) if c not in data.columns]
    if missing:
        raise ValueError(
            f"Long data needs the columns {id_col!r}, {time_col!r} and {target!r}; "
            f"{missing} not found among {list(data.columns)}. Pass `id_col=`, `time_col=` and "
            "`target=` with the names your data uses."
        )
    duplicated = data.duplicated([id_col, time_col])
    if duplicated.any():
        row = data.loc[duplicated, [id_col, time_col]].iloc[0].tolist()
        raise ValueError(
            f"Long data has {int(duplicated.sum())} duplicate ({id_col}, {time_col}) pair(s), "
            f"first {row}; aggregate them (e.g. groupby([{id_col!r}, {time_col!r}]).mean()) first."
        )
    times = data[time_col]
    if not (pd.api.types.is_numeric_dtype(times) or pd.api.types.is_datetime64_any_dtype(times)):
        try:
            times = pd.to_datetime(times)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"The time column {time_col!r} could not be parsed as dates ({exc}); "
                "convert it with pandas.to_datetime(..., format=...) first."
            ) from None
    wide = (
        data.assign(**{time_col: times})
        .pivot(index=time_col, columns=id_col, values=target)
        .sort_index()
    )
    wide.columns.name = None
    wide.index.name = None
    if isinstance(wide.index, pd.DatetimeIndex):
        freq = infer_frequency(wide.index)
        if freq is not None:
            wide.index = pd.DatetimeIndex(wide.index, freq=freq)
    return wide


def _as_panel(data):
    if isinstance(data, pd.DataFrame) and {"unique_id", "ds", "y"} <= set(data.columns):
        data = to_wide(data)
    panel = _check_panel(data, name="compare")
    if isinstance(panel, pd.Series):
        panel = panel.to_frame(name=panel.name if panel.name is not None else "y")
    return panel


# -------------------------------------------------------------------------- metrics
def _metric_specs(metrics):
    from tsforecast.metrics import METRICS

    if isinstance(metrics, str) or callable(metrics):
        metrics = (metrics,)
    specs = []
    for metric in metrics:
        if isinstance(metric, str):
            if metric not in METRICS:
                raise ValueError(
                    f"Unknown metric {metric!r}; choose from {sorted(METRICS)} or pass a "
                    "function f(y_true, y_pred)."
                )
            name, func = metric, METRICS[metric]
        elif callable(metric):
            name, func = getattr(metric, "__name__", repr(metric)), metric
        else:
            raise TypeError(
                f"Metrics are names or functions, got {metric!r}; pass e.g. ('mase', 'smape')."
            )
        parameters = inspect.signature(func).parameters
        if "lower" in parameters:
            kind = "interval"
        elif "quantile" in parameters:
            raise ValueError(
                f"Metric {name!r} scores a single quantile forecast and cannot rank point "
                "forecasts; use 'interval_score' or 'coverage' for intervals."
            )
        elif "y_train" in parameters:
            kind = "scaled"
        else:
            kind = "point"
        specs.append((name, func, kind, "coverage" in parameters))
    if not specs:
        raise ValueError("`metrics` is empty; pass at least one, e.g. metrics=('mase', 'smape').")
    names = [spec[0] for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"`metrics` has duplicate names {names}; pass each metric once.")
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


def _scale_lag(y_train, season_length):
    # A training series shorter than one season is scaled by the naive (lag-1) error.
    return season_length if len(y_train) > season_length else 1


def _scaled_steps(specs, actual, point, y_train, season_length):
    """Each scaled metric of each single forecast value (its own training scale); NaN else.

    A scaled error depends on the training series of its forecast, so it is computed
    here, per series and fold; :func:`_horizon_scores` combines these values per step.
    """
    from tsforecast import metrics as builtin

    table = np.full((len(actual), len(specs)), np.nan)
    lag = _scale_lag(y_train, season_length)
    for k, (_, func, kind, _) in enumerate(specs):
        if kind != "scaled":
            continue
        try:
            if func in (builtin.mase, builtin.rmsse):
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


def _horizon_scores(specs, results, scores, scaled, coverage):
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
    from tsforecast import metrics as builtin

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
                    mean_square = func is builtin.rmsse
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
    return pd.DataFrame(rows, columns=["model", "step", *(spec[0] for spec in specs)])


def _safe(func, *args, **options):
    try:
        return float(func(*args, **options))
    except ValueError:
        return np.nan


# ---------------------------------------------------------------------------- tasks
def _run_task(model, forecaster, y, train, test, fold, specs, season_length, coverage):
    """One model on one series (or one global model on the panel) for one fold.

    Returns plain numpy data so results travel cheaply between processes.
    """
    label = y.name if isinstance(y, pd.Series) else "all series"
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", IntervalUnavailableWarning)
            point, lower, upper, fit_seconds, predict_ms = forecast_fold(
                forecaster, y, train, test, coverage=coverage
            )
    except Exception as exc:
        raise RuntimeError(
            f"Model {model!r} failed on series {label!r}, fold {fold}: {type(exc).__name__}: {exc}"
        ) from exc
    notes = []
    for caught_warning in caught:
        if issubclass(caught_warning.category, IntervalUnavailableWarning):
            notes.append(str(caught_warning.message))
        else:
            warnings.warn_explicit(
                caught_warning.message,
                caught_warning.category,
                caught_warning.filename,
                caught_warning.lineno,
            )
    if isinstance(y, pd.Series):
        columns = [y.name]
        values = y.to_numpy(dtype=float)[:, None]
    else:
        columns = list(_training_columns(y.iloc[train]))
        values = y[columns].to_numpy(dtype=float)
    if point.ndim == 1:
        point, lower, upper = point[:, None], lower[:, None], upper[:, None]
    actual = values[test]
    keep = np.isfinite(actual).all(axis=0)
    scores, step_scores, errors = [], [], []
    for j in np.flatnonzero(keep):
        y_train = values[train, j]
        y_train = y_train[np.isfinite(y_train)]
        parts = (actual[:, j], point[:, j], lower[:, j], upper[:, j], y_train, season_length)
        scores.append(_score(specs, *parts, coverage, errors))
        step_scores.append(_scaled_steps(specs, actual[:, j], point[:, j], y_train, season_length))
    return {
        "series": [columns[j] for j in np.flatnonzero(keep)],
        "cutoff": y.index[train[-1]],
        "step": (test - train[-1]).astype(int),
        "actual": actual[:, keep],
        "forecast": point[:, keep],
        "lower": lower[:, keep],
        "upper": upper[:, keep],
        "fit_seconds": fit_seconds,
        "predict_ms": predict_ms,
        "scores": np.asarray(scores, dtype=float).reshape(-1, len(specs)),
        "step_scores": np.asarray(step_scores, dtype=float).reshape(-1, len(test), len(specs)),
        "errors": errors[:3],
        "n_errors": len(errors),
        "notes": notes,
    }


class _Task:
    __slots__ = ("args", "fold", "model", "series")

    def __init__(self, model, series, fold, args):
        self.model, self.series, self.fold, self.args = model, series, fold, args

    def describe(self):
        where = "all series" if self.series is None else f"series {self.series!r}"
        return f"model {self.model!r} on {where}, fold {self.fold}"


def _is_global(forecaster):
    get_tag = getattr(forecaster, "get_tag", None)
    return bool(get_tag("capability:global")) if get_tag is not None else False


def _count_tasks(models, panel, cv):
    n_local = 0
    split_counts = {}
    for name in panel.columns:
        n = int(panel[name].notna().sum())
        if n not in split_counts:
            split_counts[n] = sum(1 for _ in _folds(cv, n))
        n_local += split_counts[n]
    n_global = sum(1 for _ in _folds(cv, len(panel)))
    return sum(n_global if _is_global(f) else n_local for f in models.values())


def _iter_tasks(models, panel, cv, specs, season_length, coverage):
    """Tasks in a fixed order: model, then series (column order), then fold."""
    fold_cache = {}
    for model, forecaster in models.items():
        if _is_global(forecaster):
            for fold, (train, test) in enumerate(_folds(cv, len(panel))):
                args = (model, forecaster, panel, train, test, fold, specs, season_length, coverage)
                yield _Task(model, None, fold, args)
            continue
        for name in panel.columns:
            # One object for all folds of a series: a batch of tasks pickles it once.
            series = panel[name].dropna()
            n = len(series)
            if n not in fold_cache:
                fold_cache[n] = list(_folds(cv, n))
            for fold, (train, test) in enumerate(fold_cache[n]):
                args = (
                    model,
                    forecaster,
                    series,
                    train,
                    test,
                    fold,
                    specs,
                    season_length,
                    coverage,
                )
                yield _Task(model, name, fold, args)


def _n_workers(n_jobs):
    """Number of worker processes for ``n_jobs`` (joblib convention: -1 = all cores)."""
    return n_jobs if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + n_jobs)


def _run_serial(tasks):
    for task in tasks:
        yield task, _run_task(*task.args)


def _run_joblib(tasks, n_jobs, backend, total):
    from joblib import Parallel, delayed

    pending = []

    def calls():
        for task in tasks:
            pending.append(task)
            yield delayed(_run_task)(*task.args)

    # Baseline tasks take about a millisecond: joblib's adaptive batching stays far too
    # small for them (2 workers ran slower than 1), fixed batches of up to 256 tasks,
    # about 16 per worker over the run, keep the workers busy and heavy models balanced.
    n_workers = _n_workers(n_jobs)
    batch_size = max(1, min(256, total // (16 * n_workers)))
    results = Parallel(
        n_jobs=n_jobs,
        backend=backend,
        return_as="generator",
        batch_size=batch_size,
        pre_dispatch="4 * n_jobs",
    )(calls())
    for k, result in enumerate(results):
        yield pending[k], result
        pending[k] = None


def _run_dask(tasks, n_jobs, address):
    from dask.distributed import Client, LocalCluster, as_completed
    from distributed.scheduler import KilledWorker

    closers = []
    if isinstance(address, Client):
        client = address
    elif address is None:
        n_workers = _n_workers(n_jobs)
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
        closers = [client.close, cluster.close]
    else:
        client = Client(address)
        closers = [client.close]
    try:
        n_threads = max(1, sum(client.nthreads().values()))
        in_flight = max(32, 8 * n_threads)
        prefix = f"tsforecast-{uuid.uuid4().hex[:8]}"
        tasks = enumerate(tasks)
        submitted, done = {}, {}
        futures = as_completed()

        def submit(k, task, attempt):
            future = client.submit(
                _run_task,
                *task.args,
                key=f"{prefix}-{k}-{attempt}",
                retries=_DASK_RETRIES,
                pure=False,
            )
            submitted[future.key] = (k, task, attempt)
            futures.add(future)

        def submit_next():
            item = next(tasks, None)
            if item is not None:
                submit(*item, 0)

        for _ in range(in_flight):
            submit_next()
        next_out = 0
        for future in futures:
            k, task, attempt = submitted.pop(future.key)
            try:
                result = future.result()
            except KilledWorker as exc:
                # The scheduler already moved the task after each lost worker; a fresh
                # submission gives it a new allowance, as `retries` does for exceptions.
                if attempt < _DASK_RETRIES:
                    future.release()
                    submit(k, task, attempt + 1)
                    continue
                _cancel(futures)
                raise RuntimeError(
                    f"The comparison task for {task.describe()} was lost with its Dask worker "
                    f"{attempt + 1} times (the worker process died: {exc}). A worker that dies "
                    "usually ran out of memory or crashed in native code: give workers more "
                    "memory, use fewer of them, or run this model with backend='loky'."
                ) from exc
            except Exception as exc:
                _cancel(futures)
                raise RuntimeError(
                    f"The comparison task for {task.describe()} failed on the Dask cluster "
                    f"after {_DASK_RETRIES} retries: {type(exc).__name__}: {exc}"
                ) from exc
            future.release()
            done[k] = (task, result)
            submit_next()
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for close in closers:
            close()


def _cancel(futures):
    for future in list(futures.futures):
        future.cancel()


class _ProgressBar:
    """A dependency-free progress bar on stderr over the comparison tasks.

    On a terminal it redraws one line (at most ten times a second); in a log file it
    writes one line per tenth of the work.
    """

    def __init__(self, total, label="Backtesting", stream=None, width=30):
        self.total = max(int(total), 1)
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.done = 0
        self.started = time.perf_counter()
        self.last_draw = 0.0
        self.last_decile = -1
        isatty = getattr(self.stream, "isatty", None)
        self.interactive = bool(isatty and isatty())

    def _line(self):
        filled = int(self.width * self.done / self.total)
        elapsed = int(time.perf_counter() - self.started)
        return (
            f"{self.label}  [{'#' * filled}{'-' * (self.width - filled)}]  "
            f"{self.done}/{self.total} tasks  {elapsed // 60:02d}:{elapsed % 60:02d}"
        )

    def update(self, n=1):
        self.done += n
        now = time.perf_counter()
        if self.interactive:
            if now - self.last_draw >= 0.1 or self.done >= self.total:
                self.stream.write("\r" + self._line())
                self.stream.flush()
                self.last_draw = now
        else:
            decile = 10 * self.done // self.total
            if decile > self.last_decile:
                self.stream.write(self._line() + "\n")
                self.stream.flush()
                self.last_decile = decile

    def close(self):
        if self.interactive:
            self.stream.write("\r" + self._line() + "\n")
            self.stream.flush()


# --------------------------------------------------------------------------- compare
def compare(
    forecasters,
    data,
    cv,
    metrics=("mase", "smape"),
    *,
    n_jobs=1,
    backend="loky",
    address=None,
    progress=False,
    coverage=0.9,
    season_length=None,
    baselines=True,
):
    """Backtest forecasters on one or many series and rank them against baselines.

    Parameters
    ----------
    forecasters : dict of str -> forecaster
        The models to compare, by display name. The default baselines ``"snaive"``
        (:class:`~tsforecast.baselines.SeasonalNaive`) and ``"naive2"``
        (:class:`~tsforecast.baselines.Naive2`) are added unless a model already uses
        that name.
    data : pandas.Series or pandas.DataFrame
        One series, a wide frame (one column per series, leading NaN for later starts,
        trailing NaN for earlier ends), or long data with the columns ``unique_id, ds, y``
        (see :func:`to_wide`). Each series is checked on its own span; a gap inside a
        series is an error.
    cv : RollingOriginSplit or scikit-learn splitter
        The folds of every series, e.g. ``RollingOriginSplit(n_folds=3, horizon=12)``.
        Local models are split on each series' own span (folds anchored at its own
        end); global models on the shared time index, each fold trained on the series
        observed at its cutoff and scored on those observed over its whole test window.
    metrics : sequence of str or callable, default=("mase", "smape")
        Names from :data:`tsforecast.metrics.METRICS` or functions
        ``f(y_true, y_pred)`` (with ``y_train=``/``season_length=`` for scaled errors,
        ``f(y_true, lower, upper)`` for interval scores). All are "lower is better"
        except ``coverage``, which is best at the nominal ``coverage``. The first one
        ranks the models.
    n_jobs : int, default=1
        Parallel workers (joblib processes; ``-1`` = all cores). With
        ``backend="dask"`` and no ``address``, the number of local Dask workers.
    backend : {"loky", "threading", "multiprocessing", "dask"}, default="loky"
        ``"dask"`` runs the tasks on a ``dask.distributed`` cluster: the scheduler at
        ``address`` (or an existing ``Client``), else a ``LocalCluster`` with ``n_jobs``
        single-threaded worker processes, started and closed here. A task whose worker
        dies is retried (twice); if it still fails, a ``RuntimeError`` names the model,
        series and fold.
    address : str or dask.distributed.Client, optional
        Scheduler address such as ``"tcp://10.0.0.5:8786"`` (``backend="dask"`` only).
    progress : bool, default=False
        Show a progress bar over the tasks (model x series x fold) on stderr.
    coverage : float or None, default=0.9
        Coverage of the prediction intervals recorded in ``results`` (and scored by
        interval metrics); ``None`` skips intervals. A fold for which a model cannot give
        an interval (too short to calibrate) keeps its point forecast with NaN bounds and
        is left out of the interval metrics, with an
        :class:`~tsforecast.model_selection.IntervalUnavailableWarning`.
    season_length : int, optional
        Seasonal period for the baselines and the MASE scale; inferred from the index
        frequency by default (12 for monthly data, 1 without a frequency).
    baselines : bool, default=True
        Add the default baselines. Skill and OWA columns need them.

    Returns
    -------
    Comparison

    Notes
    -----
    Tasks are generated lazily in a fixed order (model, series, fold) and their results
    are put back in that order whatever the backend, so serial, joblib and Dask runs give
    identical tables (only the timings differ). Each task carries its own series only;
    at most a bounded number of Dask tasks are in flight, so memory does not grow with
    copies of the panel.

    A script that starts a local Dask cluster (``backend="dask"`` without ``address``)
    must protect its entry point with ``if __name__ == "__main__":``: the Dask workers
    are spawned processes that import the main module.

    Examples
    --------
    >>> from tsforecast.baselines import Naive
    >>> from tsforecast.datasets import load_air_passengers
    >>> from tsforecast.model_selection import RollingOriginSplit
    >>> result = compare({"naive": Naive()}, load_air_passengers(),
    ...                  RollingOriginSplit(n_folds=2, horizon=12))
    >>> sorted(result.leaderboard.index)
    ['naive', 'naive2', 'snaive']
    """
    models = _check_forecasters(forecasters)
    panel = _as_panel(data)
    specs = _metric_specs(metrics)
    if season_length is None:
        season_length = season_length_of(infer_frequency(panel.index))
    elif (
        isinstance(season_length, bool)
        or not isinstance(season_length, numbers.Integral)
        or (season_length < 1)
    ):
        raise ValueError(
            f"`season_length`={season_length!r} must be a positive integer (12 for monthly "
            "data, 1 for none)."
        )
    season_length = int(season_length)
    if coverage is not None and not (isinstance(coverage, numbers.Real) and 0 < coverage < 1):
        raise ValueError(
            f"`coverage`={coverage!r} must be strictly between 0 and 1 (e.g. 0.9), or None."
        )
    if baselines:
        models = {
            **models,
            **{k: v for k, v in _default_baselines(season_length).items() if k not in models},
        }
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(
            f"`n_jobs`={n_jobs!r} must be a non-zero integer (1 = serial, -1 = all cores)."
        )
    if backend not in ("loky", "threading", "multiprocessing", "dask"):
        raise ValueError(
            f"`backend`={backend!r} must be 'loky', 'threading', 'multiprocessing' or 'dask'."
        )
    if address is not None and backend != "dask":
        raise ValueError("`address` is a Dask scheduler; pass it with `backend='dask'`.")

    total = _count_tasks(models, panel, cv)
    tasks = _iter_tasks(models, panel, cv, specs, season_length, coverage)
    if backend == "dask":
        outcomes = _run_dask(tasks, int(n_jobs), address)
    elif n_jobs == 1:
        outcomes = _run_serial(tasks)
    else:
        outcomes = _run_joblib(tasks, int(n_jobs), backend, total)
    bar = _ProgressBar(total) if progress else None
    collector = _Collector(specs)
    try:
        for task, result in outcomes:
            collector.add(task, result)
            if bar is not None:
                bar.update()
    finally:
        if bar is not None:
            bar.close()
    return collector.comparison(
        panel,
        list(models),
        season_length,
        coverage,
        cv,
        global_models=[n for n, f in models.items() if _is_global(f)],
    )


def _check_forecasters(forecasters):
    if not isinstance(forecasters, dict):
        raise TypeError(
            "`forecasters` must be a dict mapping a display name to a forecaster, e.g. "
            "{'lstm': LSTMForecaster(...)}; got " + type(forecasters).__name__ + "."
        )
    for name, forecaster in forecasters.items():
        if not isinstance(name, str):
            raise TypeError(f"Forecaster names must be strings, got {name!r}.")
        if not (hasattr(forecaster, "fit") and hasattr(forecaster, "predict")):
            raise TypeError(
                f"Forecaster {name!r} is a {type(forecaster).__name__}, which has no "
                "fit/predict; pass a tsforecast forecaster."
            )
    return dict(forecasters)


def _default_baselines(season_length):
    from tsforecast.baselines import Naive2, SeasonalNaive

    return {
        "snaive": SeasonalNaive(season_length=season_length),
        "naive2": Naive2(season_length=season_length),
    }


class _Collector:
    """Accumulates task results (in task order) into columns, then builds the tables."""

    def __init__(self, specs):
        self.specs = specs
        self.metric_names = [spec[0] for spec in specs]
        self.columns = {name: [] for name in ("model",) + BACKTEST_COLUMNS}
        self.score_keys = []
        self.scores = []
        self.row_scores = []
        self.row_scaled = []
        self.timings = []
        self.errors = []
        self.n_errors = 0
        self.notes = []

    def add(self, task, result):
        n_steps, n_series = result["actual"].shape
        n_rows = n_steps * n_series
        c = self.columns
        c["model"].extend([task.model] * n_rows)
        c["series"].extend(np.repeat(np.array(result["series"], dtype=object), n_steps).tolist())
        c["fold"].append(np.full(n_rows, task.fold, dtype=int))
        c["cutoff"].extend([result["cutoff"]] * n_rows)
        c["step"].append(np.tile(result["step"], n_series))
        for key in ("actual", "forecast", "lower", "upper"):
            c[key].append(result[key].T.reshape(-1))
        c["fit_seconds"].append(np.full(n_rows, result["fit_seconds"]))
        c["predict_ms"].append(np.full(n_rows, result["predict_ms"]))
        for series in result["series"]:
            self.score_keys.append((task.model, series, task.fold))
        self.scores.append(result["scores"])
        # one row per forecast, in the order of the results columns (series, then step)
        self.row_scores.append(np.repeat(result["scores"], n_steps, axis=0))
        self.row_scaled.append(result["step_scores"].reshape(-1, len(self.metric_names)))
        self.timings.append(
            (task.model, task.series, task.fold, result["fit_seconds"], result["predict_ms"])
        )
        if result["n_errors"]:
            self.n_errors += result["n_errors"]
            self.errors.extend(f"{task.describe()}: {e}" for e in result["errors"])
        self.notes.extend(f"{task.describe()}: {note}" for note in result["notes"])

    def comparison(self, panel, models, season_length, coverage, cv, global_models):
        c = self.columns
        results = pd.DataFrame(
            {
                name: (
                    np.concatenate(values)
                    if values and isinstance(values[0], np.ndarray)
                    else values
                )
                for name, values in c.items()
            }
        )
        m = len(self.metric_names)
        scores = pd.DataFrame(self.score_keys, columns=["model", "series", "fold"])
        score_values = np.concatenate(self.scores).reshape(-1, m)
        for k, name in enumerate(self.metric_names):
            scores[name] = score_values[:, k]
        horizon_scores = _horizon_scores(
            self.specs,
            results,
            np.concatenate(self.row_scores).reshape(-1, m),
            np.concatenate(self.row_scaled).reshape(-1, m),
            coverage,
        )
        timings = pd.DataFrame(
            self.timings, columns=["model", "series", "fold", "fit_seconds", "predict_ms"]
        )
        if self.n_errors:
            warnings.warn(
                f"{self.n_errors} metric value(s) could not be computed and are left out of "
                f"the means (first: {self.errors[0]}).",
                RuntimeWarning,
                stacklevel=3,
            )
        if self.notes:
            warnings.warn(
                f"{len(self.notes)} fold(s) have point forecasts without prediction intervals, "
                "left out of the interval metrics; use a longer series or a shorter window "
                f"or horizon to get them (first: {self.notes[0]}).",
                IntervalUnavailableWarning,
                stacklevel=3,
            )
        return Comparison(
            results=results,
            scores=scores,
            horizon_scores=horizon_scores,
            timings=timings,
            models=models,
            metrics=self.metric_names,
            season_length=season_length,
            coverage=coverage,
            cv=cv,
            data=panel,
            global_models=global_models,
        )


# ------------------------------------------------------------------------ Comparison
class Comparison:
    """The outcome of :func:`compare`: leaderboard, errors by horizon, forecasts, exports.

    Attributes
    ----------
    leaderboard : pandas.DataFrame
        One row per model (index ``model``), best first: for each metric ``m``,
        ``m_mean`` and ``m_median`` over all series and folds; ``rank`` (by the mean of
        the first metric, lowest first, 1 = best; for ``coverage`` by its distance to
        the nominal coverage); ``skill_m`` = ``1 - mean(m) / mean(m of snaive)``
        (positive = better than seasonal naive); ``owa`` = the mean over the metrics of
        ``mean(m) / mean(m of naive2)`` (with ``("mase", "smape")`` this is the M4 overall
        weighted average; below 1 = better than naive-2; coverage is left out of skill and
        OWA); ``n_series``,
        ``n_folds``; ``fit_seconds`` (total fitting time over all series and folds) and
        ``predict_ms`` (mean time of one predict call).
    by_horizon : pandas.DataFrame
        Each metric for each lead time over all series and folds: index ``step``,
        columns ``(metric, model)``. Point and interval metrics are computed on all
        forecasts of that step (``rmse`` is the root of their mean squared error);
        scaled metrics average each forecast's scaled error (``rmsse``: root of the mean
        squared scaled error).
    results : pandas.DataFrame
        The tidy forecasts: ``model`` plus the columns of
        :func:`~tsforecast.model_selection.backtest`.
    scores : pandas.DataFrame
        Each metric per model, series and fold.
    timings : pandas.DataFrame
        One row per fit: model, series (None for a global model), fold, fit_seconds,
        predict_ms.
    data : pandas.DataFrame
        The compared panel (wide, one column per series).
    """

    def __init__(
        self,
        *,
        results,
        scores,
        horizon_scores,
        timings,
        models,
        metrics,
        season_length,
        coverage,
        cv,
        data,
        global_models,
    ):
        self.results = results
        self.scores = scores
        self.timings = timings
        self.models = models
        self.metrics = metrics
        self.season_length = season_length
        self.coverage = coverage
        self.cv = cv
        self.global_models = global_models
        self.data = data
        self.by_horizon = self._by_horizon(horizon_scores)
        self.leaderboard = self._leaderboard()

    def __repr__(self):
        return (
            f"Comparison({len(self.models)} models, {self.scores['series'].nunique()} series, "
            f"metrics={self.metrics})\n{self.leaderboard}"
        )

    def _by_horizon(self, horizon_scores):
        table = horizon_scores.set_index(["model", "step"])[list(self.metrics)]
        wide = table.unstack("model")
        order = [model for model in self.models if model in wide.columns.get_level_values(1)]
        wide = wide.reindex(columns=pd.MultiIndex.from_product([self.metrics, order]))
        wide.columns.names = ["metric", "model"]
        return wide.sort_index()

    def _leaderboard(self):
        grouped = self.scores.groupby("model", sort=False)
        board = pd.DataFrame(index=pd.Index(self.models, name="model"))
        for name in self.metrics:
            board[f"{name}_mean"] = grouped[name].mean()
            board[f"{name}_median"] = grouped[name].median()
        key = board[f"{self.metrics[0]}_mean"]
        if self.metrics[0] == "coverage":
            # neither wider nor narrower than promised: closest to the nominal coverage
            nominal = np.nan if self.coverage is None else self.coverage
            key = (key - nominal).abs()
        board["rank"] = key.rank(method="min").astype("Int64")
        if _SKILL_REFERENCE in board.index:
            for name in self.metrics:
                if name == "coverage":
                    continue
                reference = board.loc[_SKILL_REFERENCE, f"{name}_mean"]
                board[f"skill_{name}"] = 1.0 - board[f"{name}_mean"] / reference
        if _OWA_REFERENCE in board.index:
            relative = [
                board[f"{name}_mean"] / board.loc[_OWA_REFERENCE, f"{name}_mean"]
                for name in self.metrics
                if name != "coverage"
            ]
            if relative:
                board["owa"] = sum(relative) / len(relative)
        board["n_series"] = grouped["series"].nunique()
        board["n_folds"] = grouped["fold"].nunique()
        timing = self.timings.groupby("model", sort=False)
        board["fit_seconds"] = timing["fit_seconds"].sum()
        board["predict_ms"] = timing["predict_ms"].mean()
        board["_order"] = np.arange(len(board))
        board = board.sort_values(["rank", "_order"], na_position="last").drop(columns="_order")
        return board

    # ---------------------------------------------------------------- exports
    def _table(self, what):
        tables = {
            "leaderboard": lambda: self.leaderboard.reset_index(),
            "by_horizon": lambda: _flat_columns(self.by_horizon).reset_index(),
            "results": lambda: self.results,
            "scores": lambda: self.scores,
        }
        if what not in tables:
            raise ValueError(f"`what`={what!r} must be one of {sorted(tables)}.")
        return tables[what]()

    def to_csv(self, path=None, *, what="leaderboard"):
        """Write one table as CSV (``what`` in leaderboard, by_horizon, results, scores).

        Returns the CSV text when ``path`` is None, like ``DataFrame.to_csv``.
        """
        return self._table(what).to_csv(path, index=False)

    def to_json(self, path=None):
        """Write the leaderboard, the errors by horizon and the settings as one JSON object.

        Returns the JSON text when ``path`` is None. NaN values become ``null``.
        """
        document = {
            "metrics": list(self.metrics),
            "season_length": self.season_length,
            "coverage": self.coverage,
            "cv": repr(self.cv),
            "leaderboard": json.loads(self._table("leaderboard").to_json(orient="records")),
            "by_horizon": json.loads(self._table("by_horizon").to_json(orient="records")),
        }
        text = json.dumps(document, indent=2)
        if path is None:
            return text
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        return None

    def to_markdown(self, path=None, *, what="leaderboard", digits=3):
        """Format one table as a GitHub-flavoured Markdown table.

        Parameters
        ----------
        path : str or path-like, optional
            File to write; the text is returned when None.
        what : {"leaderboard", "by_horizon", "results", "scores"}, default="leaderboard"
        digits : int, default=3
            Decimal places of floating-point values.
        """
        text = markdown_table(self._table(what), digits=digits)
        if path is None:
            return text
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        return None

    # ------------------------------------------------------------------ plots
    def plot(self, kind="horizon", path=None, *, metric=None, series=None, fold=None, models=None):
        """Plot errors by horizon step, or forecasts against actuals for one series.

        Parameters
        ----------
        kind : {"horizon", "forecast"}, default="horizon"
            ``"horizon"``: the mean of ``metric`` at each lead time, one line per model.
            ``"forecast"``: the history, the actual values and each model's forecast (with
            the interval of the best model) for one series and fold.
        path : str or path-like, optional
            Save the figure there (format from the extension, e.g. ``.png``, ``.svg``).
        metric : str, optional
            Metric of the horizon plot; defaults to the first metric.
        series : optional
            Series of the forecast plot; defaults to the first one.
        fold : int, optional
            Fold of the forecast plot; defaults to the last one.
        models : list of str, optional
            Models to draw; defaults to all.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        models = list(self.models if models is None else models)
        unknown = [m for m in models if m not in self.models]
        if unknown:
            raise ValueError(f"Unknown model(s) {unknown}; choose from {self.models}.")
        figure = Figure(figsize=(8, 4.5), layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        if kind == "horizon":
            metric = self.metrics[0] if metric is None else metric
            if metric not in self.metrics:
                raise ValueError(
                    f"`metric`={metric!r} was not computed; choose from {self.metrics}."
                )
            table = self.by_horizon[metric]
            for model in models:
                axes.plot(table.index, table[model], marker="o", label=model)
            axes.set_xlabel("horizon step")
            axes.set_ylabel(f"mean {metric}")
            axes.set_title(f"{metric} by forecast horizon")
        elif kind == "forecast":
            self._plot_forecast(axes, series, fold, models)
        else:
            raise ValueError(f"`kind`={kind!r} must be 'horizon' or 'forecast'.")
        axes.legend(loc="best", fontsize="small")
        axes.grid(alpha=0.3)
        if path is not None:
            figure.savefig(path)
        return figure

    def _plot_forecast(self, axes, series, fold, models):
        results = self.results
        names = list(dict.fromkeys(results["series"]))
        series = names[0] if series is None else series
        if series not in names:
            raise ValueError(
                f"`series`={series!r} is not in the comparison; choose from {names[:10]}."
            )
        rows = results[results["series"] == series]
        fold = int(rows["fold"].max()) if fold is None else fold
        rows = rows[rows["fold"] == fold]
        if rows.empty:
            raise ValueError(f"`fold`={fold!r} has no forecasts for series {series!r}.")
        cutoff = rows["cutoff"].iloc[0]
        history = self.data[series].dropna()
        position = history.index.get_loc(cutoff)
        horizon = int(rows["step"].max())
        start = max(0, position + 1 - 3 * max(horizon, self.season_length))
        shown = history.iloc[start : position + 1 + horizon]
        axes.plot(shown.index, shown.to_numpy(), color="black", label="actual")
        best = next((m for m in self.leaderboard.index if m in models), None)
        for model in models:
            part = rows[rows["model"] == model]
            times = history.index[position + part["step"].to_numpy()]
            axes.plot(times, part["forecast"].to_numpy(), label=model)
            if model == best and part["lower"].notna().all():
                axes.fill_between(
                    times,
                    part["lower"].to_numpy(),
                    part["upper"].to_numpy(),
                    alpha=0.2,
                    label=f"{model} {self.coverage:.0%} interval",
                )
        axes.axvline(cutoff, color="grey", linestyle="--", linewidth=1)
        shown_cutoff = cutoff
        if isinstance(cutoff, pd.Timestamp) and cutoff == cutoff.normalize():
            shown_cutoff = cutoff.date()
        axes.set_title(f"series {series!r}, fold {fold} (cutoff {shown_cutoff})")


def _flat_columns(frame):
    frame = frame.copy()
    frame.columns = [f"{metric}_{model}" for metric, model in frame.columns]
    return frame


def markdown_table(frame, *, digits=3):
    """Format a DataFrame as a GitHub-flavoured Markdown table (no extra dependency).

    Numbers are right-aligned, floats shown with ``digits`` decimals, NaN as an empty cell.

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"model": ["a"], "mase": [0.51234]})))
    | model |  mase |
    |:------|------:|
    | a     | 0.512 |
    """
    headers = [str(c) for c in frame.columns]
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in frame.columns
    ]

    def cell(value):
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return ""
        if isinstance(value, (float, np.floating)):
            return f"{value:.{digits}f}"
        return str(value).replace("|", "\\|")

    body = [[cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    widths = [max([len(h)] + [len(r[k]) for r in body]) for k, h in enumerate(headers)]

    def line(cells):
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric)]
        return "| " + " | ".join(parts) + " |"

    rule = (
        "|"
        + "|".join(
            (("-" * (w + 1)) + ":") if num else (":" + "-" * (w + 1))
            for w, num in zip(widths, numeric)
        )
        + "|"
    )
    return "\n".join([line(headers), rule] + [line(r) for r in body])
