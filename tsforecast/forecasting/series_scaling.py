"""Per-series scaling of a pretrained network's inputs: seasonality and level taken out.

A network trained on a corpus forecasts series of any level, scale and frequency when it
sees them on a common scale, the idea of ES-RNN (the M4 winner): each series is
deseasonalised with the multiplicative seasonal indices of a classical decomposition (when
its autocorrelation at the season length is significant, M4's 90% test), divided by its
level (the mean of its last season), and taken to the log scale, so the network reads and
forecasts relative changes. Forecasts are mapped back with the same level and indices.
Series with zeros or negative values are standardised instead (mean and standard
deviation of their last values), with no seasonal adjustment.

Everything is estimated from the history before the forecast origin: nothing leaks from
the future, in pretraining as in use.
"""

import numpy as np

__all__ = ["SeriesScaling", "seasonal_indices"]

#: Smallest value of the log-scale inputs and targets (a fall to 0.1% of the level).
_LOG_FLOOR = np.log(1e-3)


def _significant_season(values, m):
    """M4's 90% autocorrelation test for seasonality at lag ``m``."""
    n = len(values)
    if m < 2 or n < 3 * m:
        return False
    centred = values - values.mean()
    denominator = float(centred @ centred)
    if denominator == 0:
        return False
    acf = np.array([centred[:-k] @ centred[k:] for k in range(1, m + 1)]) / denominator
    limit = 1.645 * np.sqrt((1.0 + 2.0 * np.sum(acf[:-1] ** 2)) / n)
    return bool(abs(acf[-1]) > limit)


def seasonal_indices(values, m):
    """Multiplicative seasonal indices of a classical decomposition, one per phase.

    Phase ``k`` is the position ``t % m`` counted from the start of ``values``. The trend is
    the centred moving average of order ``m`` (``2 x m`` for even ``m``); the indices are
    the mean ratios of the values to the trend per phase, normalised to average 1. All ones
    when ``m < 2``, the series is shorter than three seasons, not positive, or its
    seasonality is not significant.

    Examples
    --------
    >>> t = np.arange(48)
    >>> idx = seasonal_indices(10 * (1 + 0.2 * np.sin(2 * np.pi * t / 12)), 12)
    >>> bool(abs(idx.mean() - 1) < 1e-12), bool(idx.max() > 1.15)
    (True, True)
    """
    values = np.asarray(values, dtype=float)
    m = int(m)
    if m < 2 or np.any(values <= 0) or not _significant_season(values, m):
        return np.ones(max(m, 1))
    if m % 2:
        weights = np.full(m, 1.0 / m)
    else:
        weights = np.r_[0.5, np.ones(m - 1), 0.5] / m
    trend = np.convolve(values, weights, mode="valid")
    start = (len(weights) - 1) // 2
    ratios = values[start : start + len(trend)] / trend
    phases = (np.arange(len(trend)) + start) % m
    indices = np.array([ratios[phases == k].mean() for k in range(m)])
    return indices / indices.mean()


class SeriesScaling:
    """The scaling of one series at one forecast origin (see the module docstring).

    Parameters
    ----------
    history : array-like of shape (n,)
        Values up to the forecast origin.
    season_length : int
        Period of the seasonal cycle (1 for none).

    Attributes
    ----------
    positive : bool
        Whether the multiplicative (log) scale is used.
    indices : numpy.ndarray of shape (season_length,)
        Seasonal index per phase (all ones without a significant season).
    level, spread : float
        The level (and, for a standardised series, the standard deviation) divided out.
    """

    def __init__(self, history, season_length):
        values = np.asarray(history, dtype=float)
        self.n = len(values)
        self.m = max(int(season_length), 1)
        self.positive = bool(np.all(values > 0))
        recent = values[-max(self.m, min(self.n, 4)) :]
        if self.positive:
            self.indices = seasonal_indices(values, self.m)
            adjusted = recent / self._index(np.arange(self.n - len(recent), self.n))
            self.level = float(np.mean(adjusted))
            self.spread = 1.0
        else:
            self.indices = np.ones(self.m)
            tail = values[-min(self.n, max(2 * self.m, 12)) :]
            self.level = float(np.mean(tail))
            spread = float(np.std(tail))
            self.spread = spread if spread > 1e-8 * max(1.0, abs(self.level)) else 1.0

    def _index(self, positions):
        return self.indices[np.asarray(positions) % self.m]

    def transform(self, values, start=None):
        """Scaled values of ``values`` (positions ``start, start+1, ...``, default: the last
        ``len(values)`` positions of the history)."""
        values = np.asarray(values, dtype=float)
        if start is None:
            start = self.n - len(values)
        if not self.positive:
            return (values - self.level) / self.spread
        adjusted = values / self._index(np.arange(start, start + len(values)))
        return np.maximum(np.log(np.maximum(adjusted, 1e-300) / self.level), _LOG_FLOOR)

    def inverse(self, scaled, start=None):
        """Values of scaled forecasts for positions ``start, start+1, ...`` (default: the
        steps right after the history)."""
        scaled = np.asarray(scaled, dtype=float)
        if start is None:
            start = self.n
        if not self.positive:
            return scaled * self.spread + self.level
        positions = np.arange(start, start + scaled.shape[-1])
        return np.exp(scaled) * self.level * self._index(positions)
