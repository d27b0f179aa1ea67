"""Inputs and targets of the pretrained recurrent forecaster, shared by use and pretraining.

A window of a series ending at a forecast origin becomes a sequence of feature vectors:

* the scaled value (:class:`~tsforecast.forecasting.series_scaling.SeriesScaling`);
* the phase of the seasonal cycle, as sine and cosine (zeros without a season);
* the season length, as ``log(1 + m) / log(1 + 365)`` (the same at every step), so the
  network can tell yearly from monthly from hourly data.

Next to the window, the network reads a base forecast for every step ahead: the seasonal
naive forecast on the scaled values (the last value for data without a season). Its output
is added to that base, so it learns corrections to it.

The window is the last ``L`` values before the origin, ``L`` the longest of
:data:`LENGTHS` that the history holds (a few input lengths mean a few compiled programs;
no padding). The targets are the scaled next :data:`MAX_HORIZON` values, NaN past the end
of a series (left out of the loss).
"""

import numpy as np

from tsforecast.forecasting.series_scaling import SeriesScaling

__all__ = [
    "LENGTHS",
    "MAX_HORIZON",
    "N_FEATURES",
    "base_forecast",
    "input_length",
    "origin_example",
    "window_features",
]

#: Input lengths of the network.
LENGTHS = (4, 6, 9, 12, 18, 24, 36, 48, 72, 96)
#: Steps forecast by one forward pass; longer horizons feed forecasts back.
MAX_HORIZON = 24
#: Features per time step.
N_FEATURES = 4


def input_length(n_history):
    """The input length for a history of ``n_history`` values: the longest of
    :data:`LENGTHS` it holds (its own length when shorter than all of them)."""
    fitting = [length for length in LENGTHS if length <= n_history]
    return fitting[-1] if fitting else int(n_history)


def window_features(scaled, start, season_length):
    """Feature sequence ``(len(scaled), N_FEATURES)`` of scaled values at positions
    ``start, start+1, ...``."""
    scaled = np.asarray(scaled, dtype=float)
    m = max(int(season_length), 1)
    features = np.zeros((len(scaled), N_FEATURES), dtype=np.float32)
    features[:, 0] = scaled
    if m > 1:
        angle = 2 * np.pi * (np.arange(start, start + len(scaled)) % m) / m
        features[:, 1] = np.sin(angle)
        features[:, 2] = np.cos(angle)
    features[:, 3] = np.log1p(m) / np.log1p(365)
    return features


def base_forecast(scaled_history, season_length, horizon=MAX_HORIZON):
    """The seasonal naive forecast of ``horizon`` steps on scaled values (naive when the
    history is shorter than a season)."""
    scaled_history = np.asarray(scaled_history, dtype=float)
    m = max(int(season_length), 1)
    if len(scaled_history) < m:
        m = 1
    last_season = scaled_history[-m:]
    return last_season[np.arange(horizon) % m].astype(np.float32)


def origin_example(values, origin, season_length, horizon=MAX_HORIZON):
    """Features of the window before ``origin``, its base forecast and the scaled targets.

    Returns
    -------
    features : numpy.ndarray of shape (L, N_FEATURES)
    base : numpy.ndarray of shape (horizon,)
    targets : numpy.ndarray of shape (horizon,)
        NaN where the series ends before the step.
    scaling : SeriesScaling
    """
    values = np.asarray(values, dtype=float)
    history = values[:origin]
    scaling = SeriesScaling(history, season_length)
    length = input_length(origin)
    start = origin - length
    m = max(int(season_length), 1)
    recent = history[-max(length, m):]
    scaled = scaling.transform(recent, origin - len(recent))
    features = window_features(scaled[-length:], start, season_length)
    future = values[origin : origin + horizon]
    targets = np.full(horizon, np.nan)
    if len(future):
        targets[: len(future)] = scaling.transform(future, origin)
    return features, base_forecast(scaled, m, horizon), targets, scaling
