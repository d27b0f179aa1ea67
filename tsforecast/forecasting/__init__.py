"""Forecasters: series in, future out.

* :mod:`~tsforecast.forecasting.base`: the interface every forecaster shares
  (:class:`BaseForecaster`, ``fit``/``predict``/``predict_interval``) and series checks;
* :mod:`~tsforecast.forecasting.window`: :class:`WindowForecaster`, any scikit-learn
  regressor over sliding windows, with its multi-step strategies;
* :mod:`~tsforecast.forecasting.normalization`: per-series and per-window normalisation;
* :mod:`~tsforecast.forecasting.recurrent`: :class:`LSTMForecaster`, :class:`GRUForecaster`,
  :class:`SimpleRNNForecaster`;
* :mod:`~tsforecast.forecasting.conformal`: conformal prediction intervals;
* :mod:`~tsforecast.forecasting.budget`: :class:`TrainingBudget`, a deadline or stop request
  that the window forecasters obey between models;
* :mod:`~tsforecast.forecasting.transforms` and :mod:`~tsforecast.forecasting.transformed`:
  invertible target transforms and :class:`TransformedForecaster`.

The statistical models and baselines live in :mod:`tsforecast.statistical`.
"""

from tsforecast.forecasting.base import BaseForecaster, IntervalUnavailableError, check_series
from tsforecast.forecasting.budget import TrainingBudget, current_budget, training_budget
from tsforecast.forecasting.calendar import CalendarFeatures
from tsforecast.forecasting.conformal import (
    calibration_cutoffs,
    conformal_interval,
    conformal_quantiles,
)
from tsforecast.forecasting.layout import LongPanel, to_long, to_wide
from tsforecast.forecasting.pretrained import PretrainedRNNForecaster
from tsforecast.forecasting.recurrent import GRUForecaster, LSTMForecaster, SimpleRNNForecaster
from tsforecast.forecasting.sklearn_transforms import SklearnTransform
from tsforecast.forecasting.transformed import TransformedForecaster
from tsforecast.forecasting.transforms import (
    BoxCox,
    Difference,
    LogTransform,
    MinMaxScale,
    RobustScale,
    StandardScale,
    parse_transforms,
)
from tsforecast.forecasting.window import WindowForecaster

__all__ = [
    "BaseForecaster",
    "BoxCox",
    "CalendarFeatures",
    "Difference",
    "GRUForecaster",
    "IntervalUnavailableError",
    "LSTMForecaster",
    "LogTransform",
    "LongPanel",
    "MinMaxScale",
    "PretrainedRNNForecaster",
    "RobustScale",
    "SimpleRNNForecaster",
    "SklearnTransform",
    "StandardScale",
    "TrainingBudget",
    "TransformedForecaster",
    "WindowForecaster",
    "calibration_cutoffs",
    "check_series",
    "conformal_interval",
    "conformal_quantiles",
    "current_budget",
    "parse_transforms",
    "to_long",
    "to_wide",
    "training_budget",
]
