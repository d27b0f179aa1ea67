"""tsforecast: recurrent-network forecasting behind scikit-learn estimators.

Keras runs on JAX unless the user already chose a backend (``KERAS_BACKEND``).
Public names are imported lazily so that ``import tsforecast`` (and the CLI's
``--help``) stays cheap and never loads Keras or JAX.
"""

import importlib
import os

from tsforecast import _moved

os.environ.setdefault("KERAS_BACKEND", "jax")
_moved.install()

__version__ = "0.1.0"

# public name -> module that defines it
_PUBLIC = {
    "make_windows": "windowing",
    "LagTransformer": "windowing",
    "build_rnn": "networks",
    "count_rnn_parameters": "networks",
    "SimpleRNNRegressor": "regressors",
    "LSTMRegressor": "regressors",
    "GRURegressor": "regressors",
    "BaseForecaster": "forecasting",
    "IntervalUnavailableError": "forecasting",
    "WindowForecaster": "forecasting",
    "LSTMForecaster": "forecasting",
    "GRUForecaster": "forecasting",
    "SimpleRNNForecaster": "forecasting",
    "PretrainedRNNForecaster": "forecasting",
    "LogTransform": "forecasting",
    "BoxCox": "forecasting",
    "Difference": "forecasting",
    "StandardScale": "forecasting",
    "MinMaxScale": "forecasting",
    "RobustScale": "forecasting",
    "TransformedForecaster": "forecasting",
    "parse_transforms": "forecasting",
    "CalendarFeatures": "forecasting",
    "LongPanel": "forecasting",
    "to_long": "forecasting",
    "SklearnTransform": "forecasting",
    "Naive": "statistical",
    "SeasonalNaive": "statistical",
    "Drift": "statistical",
    "Mean": "statistical",
    "Naive2": "statistical",
    "ARIMA": "statistical",
    "AutoARIMA": "statistical",
    "ETS": "statistical",
    "Theta": "statistical",
    "ConvergenceFallbackWarning": "statistical",
    "RollingOriginSplit": "evaluation",
    "backtest": "evaluation",
    "compare": "evaluation",
    "Comparison": "evaluation",
    "to_wide": "evaluation",
    "tune": "evaluation",
    "TuningResult": "evaluation",
    "IntervalUnavailableWarning": "evaluation",
    "read_csv": "dataio",
    "DataError": "dataio",
    "InputError": "validation",
    "default_forecaster": "defaults",
    "default_window": "defaults",
    "default_horizon": "defaults",
    "make_forecaster": "defaults",
}

__all__ = sorted(_PUBLIC)  # noqa: PLE0605 (a list built from the lazy-export map)


def __getattr__(name):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'tsforecast' has no attribute {name!r}")
    return getattr(importlib.import_module(f"tsforecast.{module}"), name)


def __dir__():
    return sorted(list(globals()) + __all__)
