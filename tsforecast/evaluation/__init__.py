"""Evaluation: accuracy metrics, rolling-origin backtests, comparisons and tuning.

Every evaluation runs through one rolling-origin mechanism: a splitter says where each
fold's training part ends (:mod:`~tsforecast.evaluation.splitters`), a fresh clone of the
forecaster is fitted on it and forecasts what follows
(:mod:`~tsforecast.evaluation.backtesting`), and the forecasts are scored
(:mod:`~tsforecast.evaluation.metrics`, :mod:`~tsforecast.evaluation.scoring`).

* :func:`backtest`: the tidy forecasts of one forecaster, fold by fold;
* :func:`compare`: many forecasters on many series against seasonal naive and naive-2,
  serially, on joblib workers or on Dask (:mod:`~tsforecast.evaluation.executors`),
  summarised in a :class:`Comparison` (:mod:`~tsforecast.evaluation.report`, with plots
  in :mod:`~tsforecast.evaluation.plots`);
* :func:`tune`: a grid or random search scored by rolling-origin backtests.

Long runs report their progress through a ``progress(done, total)`` callback
(:mod:`~tsforecast.evaluation.progress`); :func:`format_table` and :func:`markdown_table`
lay out text tables (:mod:`~tsforecast.evaluation.tables`).
"""

from tsforecast.evaluation.backtesting import (
    BACKTEST_COLUMNS,
    IntervalUnavailableWarning,
    backtest,
    forecast_fold,
)
from tsforecast.evaluation.comparison import DEFAULT_BASELINES, compare
from tsforecast.evaluation.metrics import (
    METRICS,
    coverage,
    interval_score,
    mae,
    mape,
    mase,
    pinball_loss,
    rmse,
    rmsse,
    smape,
)
from tsforecast.evaluation.panels import to_wide
from tsforecast.evaluation.report import Comparison
from tsforecast.evaluation.splitters import RollingOriginSplit
from tsforecast.evaluation.tables import format_table, markdown_table
from tsforecast.evaluation.tuning import TuningResult, tune

__all__ = [
    "BACKTEST_COLUMNS",
    "DEFAULT_BASELINES",
    "METRICS",
    "Comparison",
    "IntervalUnavailableWarning",
    "RollingOriginSplit",
    "TuningResult",
    "backtest",
    "compare",
    "coverage",
    "forecast_fold",
    "format_table",
    "interval_score",
    "mae",
    "mape",
    "markdown_table",
    "mase",
    "pinball_loss",
    "rmse",
    "rmsse",
    "smape",
    "to_wide",
    "tune",
]
