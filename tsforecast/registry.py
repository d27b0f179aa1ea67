"""Forecasters by short name, as used by the command line (``--model``, ``--models``).

The registry maps names to classes and nothing else; what a name builds by default (season
length, horizon, window, orders) is decided in :mod:`tsforecast.defaults`, whose
:func:`~tsforecast.defaults.make_forecaster` builds a forecaster from its name.

This module imports nothing heavy: a forecaster class (and with it statsmodels or Keras) is
imported only when :func:`forecaster_class` asks for it.
"""

import difflib
import importlib

from tsforecast.validation import InputTypeError, InputValueError

__all__ = ["FORECASTERS", "NEURAL", "NO_TRAINING", "forecaster_class", "names", "resolve_name"]

# name -> (module, class, one-line description)
FORECASTERS = {
    "naive": ("statistical", "Naive", "last value repeated"),
    "snaive": ("statistical", "SeasonalNaive", "value one season ago repeated"),
    "drift": ("statistical", "Drift", "line through the first and last values"),
    "mean": ("statistical", "Mean", "mean of the training values"),
    "naive2": ("statistical", "Naive2", "naive on the seasonally adjusted series (M4 benchmark)"),
    "arima": ("statistical", "ARIMA", "ARIMA(1,1,1), with a seasonal (0,1,1) part when seasonal"),
    "autoarima": ("statistical", "AutoARIMA", "ARIMA with orders chosen by stepwise AIC"),
    "ets": ("statistical", "ETS", "exponential smoothing (error, trend, season)"),
    "theta": ("statistical", "Theta", "Theta method (M3 winner)"),
    "mstl": ("statistical", "MSTL", "daily, weekly, ... cycles removed by MSTL, the rest by ARIMA"),
    "auto": ("defaults", "default_forecaster",
             "the default network: LSTM ensemble correcting a seasonal base, log scale"),
    "pretrained": ("forecasting", "PretrainedRNNForecaster",
                   "recurrent network pretrained on thousands of series: no training"),
    "simple": ("forecasting", "SimpleRNNForecaster", "simple recurrent network"),
    "lstm": ("forecasting", "LSTMForecaster", "LSTM network"),
    "gru": ("forecasting", "GRUForecaster", "GRU network"),
    "global-simple": ("forecasting", "SimpleRNNForecaster",
                      "one simple RNN trained across all series"),
    "global-lstm": ("forecasting", "LSTMForecaster", "one LSTM trained across all series"),
    "global-gru": ("forecasting", "GRUForecaster", "one GRU trained across all series"),
}

#: Names of the recurrent-network forecasters (they take the network settings).
NEURAL = ("auto", "simple", "lstm", "gru", "global-simple", "global-lstm", "global-gru")
#: Names of the forecasters with nothing to train: their forecast is a direct function of
#: the data (last values, mean, drift line), so fitting one on new data just reads them.
NO_TRAINING = ("naive", "snaive", "drift", "mean", "naive2", "pretrained")

_ALIASES = {
    "seasonal-naive": "snaive",
    "seasonalnaive": "snaive",
    "auto-arima": "autoarima",
    "rnn": "simple",
    "simplernn": "simple",
    "lstm-global": "global-lstm",
    "gru-global": "global-gru",
    "simple-global": "global-simple",
}


def names():
    """Return the forecaster names, in display order."""
    return list(FORECASTERS)


def resolve_name(name):
    """Return the canonical name for ``name`` (case, ``_`` and aliases are tolerated).

    Raises
    ------
    InputValueError
        For an unknown name; the message lists the valid names and the closest match.
    """
    if not isinstance(name, str):
        raise InputTypeError(
            f"The forecaster name must be a string such as 'lstm', got {name!r}."
        )
    key = name.strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key in FORECASTERS:
        return key
    close = difflib.get_close_matches(key, list(FORECASTERS) + list(_ALIASES), n=1)
    hint = f"did you mean {_ALIASES.get(close[0], close[0])!r}? " if close else ""
    raise InputValueError(
        f"Unknown forecaster {name!r}; {hint}choose one of: {', '.join(FORECASTERS)}."
    )


def forecaster_class(name):
    """The class (for ``auto``: the function) that ``name`` stands for."""
    module, attribute, _ = FORECASTERS[resolve_name(name)]
    return getattr(importlib.import_module(f"tsforecast.{module}"), attribute)


def __getattr__(name):
    # make_forecaster lived here in earlier releases; it applies defaults, so it moved
    if name == "make_forecaster":
        from tsforecast.defaults import make_forecaster

        return make_forecaster
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
