"""tsforecast: recurrent-network forecasting behind scikit-learn estimators.

Keras runs on JAX unless the user already chose a backend (``KERAS_BACKEND``).
Public names are imported lazily so that ``import tsforecast`` (and the CLI's
``--help``) stays cheap and never loads Keras or JAX.
"""

import importlib
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

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
    "BaseForecaster": "base",
    "Naive": "baselines",
    "SeasonalNaive": "baselines",
    "Drift": "baselines",
    "Mean": "baselines",
    "Naive2": "baselines",
    "ARIMA": "statistical",
    "AutoARIMA": "statistical",
    "ETS": "statistical",
    "Theta": "statistical",
    "ConvergenceFallbackWarning": "statistical",
    "LogTransform": "transforms",
    "BoxCox": "transforms",
    "Difference": "transforms",
    "StandardScale": "transforms",
    "MinMaxScale": "transforms",
    "RobustScale": "transforms",
    "TransformedForecaster": "transforms",
    "parse_transforms": "transforms",
    "WindowForecaster": "window_forecaster",
    "LSTMForecaster": "window_forecaster",
    "GRUForecaster": "window_forecaster",
    "SimpleRNNForecaster": "window_forecaster",
    "default_forecaster": "window_forecaster",
    "make_forecaster": "registry",
    "read_csv": "io",
    "RollingOriginSplit": "model_selection",
    "backtest": "model_selection",
    "compare": "comparison",
    "Comparison": "comparison",
    "to_wide": "comparison",
    "tune": "tuning",
    "TuningResult": "tuning",
    "IntervalUnavailableError": "base",
    "IntervalUnavailableWarning": "model_selection",
    "default_window": "window_forecaster",
}

__all__ = sorted(_PUBLIC)  # noqa: PLE0605 (a list built from the lazy-export map)


def __getattr__(name):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'tsforecast' has no attribute {name!r}")
    return getattr(importlib.import_module(f"tsforecast.{module}"), name)


def __dir__():
    return sorted(list(globals()) + __all__)
