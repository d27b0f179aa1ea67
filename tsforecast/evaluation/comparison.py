"""Compare forecasters fairly: rolling-origin backtests over many series, with baselines.

:func:`compare` backtests every forecaster on every series and fold, always alongside the
seasonal naive and naive-2 baselines, and summarises the errors in a
:class:`~tsforecast.evaluation.report.Comparison`.

The work is split into independent tasks, one per model, series and fold (one per model
and fold for a global model, which needs the whole panel): the fits of
:func:`~tsforecast.evaluation.backtesting.fold_tasks`, each forecast by
:func:`~tsforecast.evaluation.backtesting.fold_forecasts` and scored in the task. Each task
receives only its own series (and its fold positions), so no task carries a copy of the
panel. Tasks run serially, on joblib workers (``n_jobs``) or on a Dask cluster
(``backend="dask"``); results are collected in task order, so every backend gives the
same tables (timings aside).
"""

import warnings

import pandas as pd

from tsforecast.evaluation.backtesting import (
    IntervalUnavailableWarning,
    count_fold_tasks,
    fold_forecasts,
    fold_tasks,
    is_global,
)
from tsforecast.evaluation.executors import check_backend, run_tasks
from tsforecast.evaluation.panels import as_panel
from tsforecast.evaluation.progress import progress_callback
from tsforecast.evaluation.report import Collector
from tsforecast.evaluation.scoring import metric_specs, score_series
from tsforecast.evaluation.splitters import FoldPositions
from tsforecast.frequency import infer_frequency
from tsforecast.frequency import season_length as season_length_of
from tsforecast.validation import InputTypeError, check_int, check_probability

__all__ = ["DEFAULT_BASELINES", "compare"]

#: Names under which the default baselines appear in every comparison.
DEFAULT_BASELINES = ("snaive", "naive2")


def compare(forecasters, data, cv, metrics=("mase", "smape"), *, n_jobs=1, backend="loky",
            address=None, progress=None, coverage=0.9, season_length=None, baselines=True):
    """Backtest forecasters on one or many series and rank them against baselines.

    Parameters
    ----------
    forecasters : dict of str -> forecaster
        The models to compare, by display name. The default baselines ``"snaive"``
        (:class:`~tsforecast.statistical.SeasonalNaive`) and ``"naive2"``
        (:class:`~tsforecast.statistical.Naive2`) are added unless a model already uses
        that name.
    data : pandas.Series, pandas.DataFrame or LongPanel
        One series, a wide frame (one column per series, leading NaN for later starts,
        trailing NaN for earlier ends), or long data with the columns ``unique_id, ds, y``
        or those named by a :class:`~tsforecast.forecasting.layout.LongPanel` (see
        :func:`~tsforecast.evaluation.to_wide`; other columns are ignored, with a warning).
        Each series is checked on its own span; a gap inside a series is an error.
    cv : RollingOriginSplit or scikit-learn splitter
        The folds of every series, e.g. ``RollingOriginSplit(n_folds=3, horizon=12)``.
        Local models are split on each series' own span (folds anchored at its own
        end); global models on the shared time index, each fold trained on the series
        observed at its cutoff and scored on those observed over its whole test window.
    metrics : sequence of str or callable, default=("mase", "smape")
        Names from :data:`~tsforecast.evaluation.metrics.METRICS` or functions
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
        series and fold (see :func:`~tsforecast.evaluation.executors.run_tasks`).
    address : str or dask.distributed.Client, optional
        Scheduler address such as ``"tcp://10.0.0.5:8786"`` (``backend="dask"`` only).
    progress : callable or bool, optional
        A function ``progress(done, total)`` called before the first task and after
        each task (model x series x fold), e.g. to draw a progress bar; ``True`` draws a
        plain text bar on standard error.
    coverage : float or None, default=0.9
        Coverage of the prediction intervals recorded in ``results`` (and scored by
        interval metrics); ``None`` skips intervals. A fold for which a model cannot give
        an interval (too short to calibrate) keeps its point forecast with NaN bounds and
        is left out of the interval metrics, with an
        :class:`~tsforecast.evaluation.IntervalUnavailableWarning`.
    season_length : int, optional
        Seasonal period for the baselines and the MASE scale; inferred from the index
        frequency by default (12 for monthly data, 1 without a frequency).
    baselines : bool, default=True
        Add the default baselines. Skill and OWA columns need them.

    Returns
    -------
    ~tsforecast.evaluation.Comparison

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
    >>> from tsforecast.statistical import Naive
    >>> from tsforecast.datasets import load_air_passengers
    >>> from tsforecast.evaluation import RollingOriginSplit
    >>> result = compare({"naive": Naive()}, load_air_passengers(),
    ...                  RollingOriginSplit(n_folds=2, horizon=12))
    >>> sorted(result.leaderboard.index)
    ['naive', 'naive2', 'snaive']
    """
    models = _check_forecasters(forecasters)
    panel = as_panel(data, name="compare")
    specs = metric_specs(metrics)
    season_length = check_int(
        season_length, "season_length", allow_none=True,
        meaning="12 for monthly data, 1 for none; None: from the frequency",
    )
    if season_length is None:
        season_length = int(season_length_of(infer_frequency(panel.index)))
    if coverage is not None:
        coverage = check_probability(coverage, "coverage")
    if baselines:
        models = {
            **models,
            **{k: v for k, v in _default_baselines(season_length).items() if k not in models},
        }
    n_jobs = check_backend(n_jobs, backend, address)
    report = progress_callback(progress)

    folds = FoldPositions(cv)
    total = sum(count_fold_tasks(forecaster, panel, folds) for forecaster in models.values())
    tasks = _tasks(models, panel, folds, specs, season_length, coverage)
    outcomes = run_tasks(
        run_task, tasks, total=total, n_jobs=n_jobs, backend=backend, address=address
    )
    collector = Collector(specs)
    if report is not None:
        report(0, total)
    for done, (task, result) in enumerate(outcomes, 1):
        collector.add(task, result)
        if report is not None:
            report(done, total)
    return collector.comparison(
        panel,
        list(models),
        season_length,
        coverage,
        cv,
        global_models=[n for n, f in models.items() if is_global(f)],
    )


def _check_forecasters(forecasters):
    if not isinstance(forecasters, dict):
        raise InputTypeError(
            "`forecasters` must be a dict mapping a display name to a forecaster, e.g. "
            "{'lstm': LSTMForecaster(...)}; got " + type(forecasters).__name__ + "."
        )
    for name, forecaster in forecasters.items():
        if not isinstance(name, str):
            raise InputTypeError(f"Forecaster names must be strings, got {name!r}.")
        if not (hasattr(forecaster, "fit") and hasattr(forecaster, "predict")):
            raise InputTypeError(
                f"Forecaster {name!r} is a {type(forecaster).__name__}, which has no "
                "fit/predict; pass a tsforecast forecaster."
            )
    return dict(forecasters)


def _default_baselines(season_length):
    from tsforecast.statistical import Naive2, SeasonalNaive

    return {
        "snaive": SeasonalNaive(season_length=season_length),
        "naive2": Naive2(season_length=season_length),
    }


class _Task:
    __slots__ = ("args", "fold", "model", "series")

    def __init__(self, model, series, fold, args):
        self.model, self.series, self.fold, self.args = model, series, fold, args

    def describe(self):
        where = "all series" if self.series is None else f"series {self.series!r}"
        return f"model {self.model!r} on {where}, fold {self.fold}"


def _tasks(models, panel, folds, specs, season_length, coverage):
    """Tasks in a fixed order: model, then series (column order), then fold."""
    for model, forecaster in models.items():
        for task in fold_tasks(forecaster, panel, folds):
            args = (model, forecaster, task.data, task.train, task.test, task.fold, specs,
                    season_length, coverage)
            yield _Task(model, task.series, task.fold, args)


def run_task(model, forecaster, y, train, test, fold, specs, season_length, coverage):
    """One model on one series (or one global model on the panel) for one fold, scored.

    Returns plain numpy data so results travel cheaply between processes.
    """
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", IntervalUnavailableWarning)
            outcome = fold_forecasts(forecaster, y, train, test, coverage=coverage)
    except Exception as exc:
        label = "all series" if isinstance(y, pd.DataFrame) else y.name
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
    kept, scores, step_scores, errors = score_series(specs, outcome, season_length, coverage)
    return {
        "series": [outcome.series[j] for j in kept],
        "cutoff": outcome.cutoff,
        "step": outcome.step,
        "actual": outcome.actual[:, kept],
        "forecast": outcome.forecast[:, kept],
        "lower": outcome.lower[:, kept],
        "upper": outcome.upper[:, kept],
        "fit_seconds": outcome.fit_seconds,
        "predict_ms": outcome.predict_ms,
        "scores": scores,
        "step_scores": step_scores,
        "errors": errors[:3],
        "n_errors": len(errors),
        "notes": notes,
    }
