"""The holdout table of ``tsforecast fit``: the model and the baselines scored on the last
``horizon`` values.

Each score is an independent task (fit a clone on the training part, forecast the
holdout, score it) run by :func:`tsforecast.evaluation.executors.run_tasks`: in this
process, on joblib worker processes (``--jobs``) or on a Dask cluster (``--dask``). A task
returns its failure and its warnings instead of raising or printing them, so that the
command reports them the same way wherever the task ran.
"""

import time
import warnings

from tsforecast.cli.common import keep_library_warnings
from tsforecast.cli.output import note

#: Above this many series the holdout skips the statistical baselines (one model each).
SLOW_BASELINE_MAX_SERIES = 20
_SLOW_BASELINES = ("arima", "autoarima", "ets", "theta")
_BASELINE_LABELS = {"snaive": "seasonal naive"}


def holdout_minimum(window, horizon, season):
    """Values per series that a holdout of ``horizon`` needs."""
    return (window or season) + 3 * horizon


def holdout_possible(lengths, window, horizon, season):
    """Whether every series is long enough for a holdout (see :func:`holdout_minimum`)."""
    return min(lengths.values()) >= holdout_minimum(window, horizon, season)


def holdout_split(y, horizon):
    """Training part and last ``horizon`` values (series without training values dropped)."""
    train, test = y.iloc[:-horizon], y.iloc[-horizon:]
    if train.ndim == 2:
        train = train.dropna(axis=1, how="all")
        test = test[train.columns]
    return train, test


class HoldoutTask:
    """The holdout score of one model: what :func:`holdout_score` computes, and for whom."""

    def __init__(self, name, label, forecaster, required, train, test, season, X=None):
        self.name = name
        self.label = label
        self.required = required
        self.args = (forecaster, train, test, season, X)

    def describe(self):
        """What the task computes (for error messages of the executors)."""
        return f"the holdout score of {self.label}"


def holdout_tasks(model_name, label, forecaster, baselines, train, test, season, n_series,
                  X=None, *, longest_period=None):
    """The task of the chosen model (required: its failure fails the command), then one per
    baseline (a failure leaves a blank row). Only the chosen model gets the covariates
    ``X`` (of the training and holdout values): the baselines stay univariate. Seasonal
    naive repeats ``longest_period`` (the longest seasonal period of data with several,
    e.g. the week of hourly data) when given, else ``season``."""
    from tsforecast.defaults import make_forecaster

    horizon = len(test)
    tasks = [HoldoutTask(model_name, label, forecaster, True, train, test, season, X)]
    for name in baselines:
        if name == model_name:
            continue
        if name in _SLOW_BASELINES and n_series > SLOW_BASELINE_MAX_SERIES:
            note(f"  note: {name} left out of the holdout ({n_series} series, one model each); "
                 f"compare it with `tsforecast compare --models {name}`.")
            continue
        m = longest_period if name == "snaive" and longest_period else season
        baseline = make_forecaster(name, season_length=m, horizon=horizon, random_state=0)
        text = _BASELINE_LABELS.get(name, name) + (f" ({m})" if m != season else "")
        tasks.append(HoldoutTask(name, text, baseline, False, train, test, season))
    return tasks


def holdout_score(forecaster, train, test, season, X=None):
    """Score a clone of ``forecaster`` trained on ``train`` (with covariates ``X``) on ``test``.

    Returns ``(scores, error, warning_texts, seconds)``: ``scores`` is ``{"mase", "smape"}``
    (None when the model failed with ``error``).
    """
    started = time.perf_counter()
    scores, error = None, None
    with warnings.catch_warnings(record=True) as caught:
        keep_library_warnings()
        try:
            scores = score(holdout_forecast(forecaster, train, test, X), train, test, season)
        except Exception as exc:  # noqa: BLE001 - returned to the command, which reports it
            error = exc
    texts = list(dict.fromkeys(str(w.message) for w in caught))
    return scores, error, texts, time.perf_counter() - started


def holdout_row(task, outcome):
    """The table row of a finished task; raises the failure of the chosen model."""
    scores, error, texts, seconds = outcome
    for text in texts:
        warnings.warn(text, stacklevel=1)
    if error is not None:
        if task.required:
            raise error
        note(f"  note: {task.label} failed on the holdout ({type(error).__name__}: {error}).")
        scores = {"mase": None, "smape": None}
    return {"model": task.name, "label": task.label, **scores, "fit_seconds": seconds}


def holdout_forecast(forecaster, train, test, X=None):
    """The forecast of ``test`` by a clone fitted on ``train``: a one-fold rolling-origin
    backtest, as in ``tsforecast compare`` (covariates ``X`` known over ``test`` as well,
    as future covariates are)."""
    import pandas as pd

    from tsforecast.evaluation import RollingOriginSplit, backtest

    y = pd.concat([train, test])
    folds = backtest(forecaster, y, RollingOriginSplit(n_folds=1, horizon=len(test)),
                     coverage=None, X=X)
    return forecast_table(folds, test)


def calibration_score(fitted, train, test, season):
    """Holdout scores from the fitted model's latest calibration fold, whose cutoff is the
    end of ``train``; None when it has none there."""
    frame = fitted.calibration_forecasts()
    if frame is None:
        return None
    latest = frame[(frame["fold"] == 0) & (frame["cutoff"] == train.index[-1])]
    if latest.empty:
        return None
    return score(forecast_table(latest, test), train, test, season)


def forecast_table(frame, test):
    """Forecasts of a ``series, step, forecast`` frame shaped like ``test``."""
    import pandas as pd

    wide = frame.pivot(index="step", columns="series", values="forecast")
    if test.ndim == 1:
        return pd.Series(wide.iloc[:, 0].to_numpy(), index=test.index)
    return pd.DataFrame({c: wide[c].to_numpy() for c in test.columns}, index=test.index)


def score(prediction, train, test, season):
    """Mean MASE and sMAPE over the series of ``test``."""
    import numpy as np

    from tsforecast.evaluation import mase, smape

    if train.ndim == 1:
        pairs = [(train.to_numpy(), test.to_numpy(), np.asarray(prediction, dtype=float))]
    else:
        pairs = [
            (train[c].dropna().to_numpy(), test[c].to_numpy(), prediction[c].to_numpy())
            for c in train.columns
        ]
    mases, smapes = [], []
    for history, actual, forecast in pairs:
        m = season if len(history) > season else 1
        mases.append(mase(actual, forecast, y_train=history, season_length=m))
        smapes.append(smape(actual, forecast))
    return {"mase": float(np.mean(mases)), "smape": float(np.mean(smapes))}
