"""Normalisation of window-model inputs: per series and per window.

Two levels, applied in this order before values reach a window regressor and undone on its
forecasts:

* per series (:func:`series_stats`): each series standardised with its own training mean
  and standard deviation, so that one global model serves series of any level and scale;
* per window (:func:`window_stats`): each input window centred (and for ``"window"`` also
  scaled) by its own statistics, and the targets expressed relative to a base forecast:
  the window mean, its last value, or for ``"seasonal"`` the seasonal profile of the window
  at the level of its last season. The regressor then learns corrections to that base.
"""

import numpy as np

__all__ = ["NORMALIZE", "series_stats", "window_stats"]

#: The choices of the ``normalize`` parameter of the window forecasters.
NORMALIZE = ("auto", None, "window", "mean", "last", "seasonal", "series")


def series_stats(series, enabled):
    if not enabled:
        return np.zeros(len(series)), np.ones(len(series))
    loc = np.array([np.mean(values) for values in series])
    scale = np.array([_positive(np.std(values), values) for values in series])
    return loc, scale


def _positive(sd, values):
    floor = 1e-8 * max(1.0, float(np.max(np.abs(values))))
    return float(sd) if sd > floor else 1.0


def window_stats(windows, steps, mode, season_length=None):
    """Per-window normalisation: (input centre, scale, target centre).

    Inputs are mapped to ``(x - input centre) / scale`` and targets to
    ``(y - target centre) / scale``; the target centre is ``(n, 1)`` or ``(n, steps)``.
    """
    n, window = windows.shape
    ones = np.ones((n, 1))
    if mode == "window":
        loc = windows.mean(axis=1, keepdims=True)
        sd = windows.std(axis=1, keepdims=True)
        floor = 1e-8 * np.maximum(1.0, np.abs(windows).max(axis=1, keepdims=True))
        return loc, np.where(sd > floor, sd, 1.0), loc
    if mode == "mean":
        loc = windows.mean(axis=1, keepdims=True)
        return loc, ones, loc
    if mode == "last":
        loc = windows[:, -1:].copy()
        return loc, ones, loc
    if mode == "seasonal":
        m = int(season_length)
        n_seasons = window // m
        seasons = windows[:, window - n_seasons * m :].reshape(n, n_seasons, m)
        profile = seasons.mean(axis=1)
        level = seasons[:, -1].mean(axis=1, keepdims=True)
        base = level + profile - profile.mean(axis=1, keepdims=True)
        return level, ones, base[:, np.arange(steps) % m]
    zeros = np.zeros((n, 1))
    return zeros, ones, zeros
