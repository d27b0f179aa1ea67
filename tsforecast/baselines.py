"""Simple benchmark forecasters: naive, seasonal naive, drift, mean and M4's naive 2.

Every forecaster here has native Gaussian prediction intervals with the standard errors
of Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed., section
5.5), where ``sigma`` is the residual standard deviation of the in-sample one-step
(or one-season) forecasts and ``T`` the number of observations:

* ``Naive``: the last value; ``se = sigma * sqrt(h)``.
* ``SeasonalNaive``: the value one season (``m`` steps) earlier;
  ``se = sigma * sqrt(k + 1)`` with ``k = (h - 1) // m`` complete seasons ahead.
* ``Drift``: the last value plus ``h`` times the mean change;
  ``se = sigma * sqrt(h * (1 + h / (T - 1)))``.
* ``Mean``: the sample mean; ``se = sigma * sqrt(1 + 1 / T)``.
* ``Naive2``: naive on the seasonally adjusted series (see its docstring).

The interval is ``forecast -/+ z * se`` with ``z`` the normal quantile of the requested
coverage. The season length ``m`` defaults to the one implied by the frequency of the
training index (12 for monthly data, 4 for quarterly, ...; see
``tsforecast.frequency.season_length``).
"""

import numbers

import numpy as np

from tsforecast.base import BaseForecaster
from tsforecast.frequency import season_length as _season_length_of

__all__ = ["Drift", "Mean", "Naive", "Naive2", "SeasonalNaive"]


def resolve_season_length(forecaster, value):
    """Season length to use: ``value`` when given, else the one of the training frequency.

    ``forecaster.freq_`` must already be recorded (the base class does it before ``_fit``).
    """
    if value is None:
        return _season_length_of(getattr(forecaster, "freq_", None))
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(
            f"{type(forecaster).__name__}: `season_length`={value!r} must be a positive "
            "integer (e.g. 12 for monthly data) or None to infer it from the index frequency."
        )
    return int(value)


def normal_quantile(coverage):
    """Two-sided standard-normal quantile of a central interval of ``coverage``."""
    from scipy.stats import norm  # imported here: scipy.stats is slow to import

    return float(norm.ppf(0.5 + coverage / 2.0))


def _rms(residuals):
    """Root mean square of the residuals; NaN when there are none."""
    return float(np.sqrt(np.mean(residuals**2))) if residuals.size else float("nan")


class _NormalIntervalMixin:
    """``_predict_interval`` from ``_predict`` and a ``_standard_errors(horizon)`` method."""

    def _predict_interval(self, horizon, coverage, X=None):
        point = self._predict(horizon, X)
        se = self._standard_errors(horizon)
        if not np.isfinite(se).all():
            raise ValueError(
                f"{type(self).__name__} cannot estimate the forecast variance from "
                f"{self.n_timepoints_} observations; fit it on a longer series to get "
                "prediction intervals."
            )
        half_width = normal_quantile(coverage) * se
        return point, point - half_width, point + half_width


class Naive(_NormalIntervalMixin, BaseForecaster):
    """Naive (random walk) forecast: every future value equals the last observation.

    Attributes
    ----------
    last_ : float
        The last training value (the point forecast at every step).
    sigma_ : float
        Root mean square of the in-sample one-step naive errors ``y_t - y_{t-1}``.

    See Also
    --------
    SeasonalNaive, Drift, Naive2

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1.0, 3.0, 2.0, 4.0])
    >>> Naive().fit(y).predict(2).tolist()
    [4.0, 4.0]
    """

    def _fit(self, y, X=None):
        self.last_ = float(y[-1])
        self.sigma_ = _rms(np.diff(y))
        return self

    def _predict(self, horizon, X=None):
        return np.full(horizon, self.last_)

    def _standard_errors(self, horizon):
        return self.sigma_ * np.sqrt(np.arange(1, horizon + 1))


class SeasonalNaive(_NormalIntervalMixin, BaseForecaster):
    """Seasonal naive forecast: each future value equals the value one season earlier.

    Parameters
    ----------
    season_length : int, optional
        Number of periods in a season. Inferred from the frequency of the training
        index when None (12 for monthly data); 1 gives the naive forecast.

    Attributes
    ----------
    season_length_ : int
        The season length used.
    last_season_ : numpy.ndarray
        The last ``season_length_`` training values, repeated as the forecast.
    sigma_ : float
        Root mean square of the in-sample errors ``y_t - y_{t-m}``.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> SeasonalNaive(season_length=2).fit(y).predict(3).tolist()
    [4.0, 5.0, 4.0]
    """

    def __init__(self, season_length=None):
        self.season_length = season_length

    def _fit(self, y, X=None):
        m = resolve_season_length(self, self.season_length)
        if len(y) < m:
            raise ValueError(
                f"SeasonalNaive needs at least one full season ({m} values), got {len(y)}; "
                "pass a longer series or a smaller `season_length`."
            )
        self.season_length_ = m
        self.last_season_ = np.array(y[-m:], dtype=float)
        self.sigma_ = _rms(y[m:] - y[:-m])
        return self

    def _predict(self, horizon, X=None):
        return np.resize(self.last_season_, horizon)

    def _standard_errors(self, horizon):
        full_seasons = np.arange(horizon) // self.season_length_
        return self.sigma_ * np.sqrt(full_seasons + 1)


class Drift(_NormalIntervalMixin, BaseForecaster):
    """Drift forecast: the line from the first to the last observation, extended.

    Equivalent to a random walk with drift whose drift is the mean first difference.

    Attributes
    ----------
    last_ : float
        The last training value.
    slope_ : float
        The average change per step, ``(y_T - y_1) / (T - 1)``.
    sigma_ : float
        Standard deviation (``ddof=1``) of the first differences around ``slope_``;
        NaN with only two observations.

    Examples
    --------
    >>> import pandas as pd
    >>> Drift().fit(pd.Series([1.0, 2.0, 4.0, 7.0])).predict(2).tolist()
    [9.0, 11.0]
    """

    def _fit(self, y, X=None):
        differences = np.diff(y)
        self.last_ = float(y[-1])
        self.slope_ = float(differences.mean())
        self.sigma_ = float(differences.std(ddof=1)) if differences.size > 1 else float("nan")
        return self

    def _predict(self, horizon, X=None):
        return self.last_ + self.slope_ * np.arange(1, horizon + 1)

    def _standard_errors(self, horizon):
        h = np.arange(1, horizon + 1)
        return self.sigma_ * np.sqrt(h * (1.0 + h / (self.n_timepoints_ - 1)))


class Mean(_NormalIntervalMixin, BaseForecaster):
    """Mean forecast: every future value equals the average of the training series.

    Attributes
    ----------
    mean_ : float
        The training mean.
    sigma_ : float
        The training standard deviation (``ddof=1``).

    Examples
    --------
    >>> import pandas as pd
    >>> Mean().fit(pd.Series([1.0, 2.0, 6.0])).predict(2).tolist()
    [3.0, 3.0]
    """

    def _fit(self, y, X=None):
        self.mean_ = float(y.mean())
        self.sigma_ = float(y.std(ddof=1))
        return self

    def _predict(self, horizon, X=None):
        return np.full(horizon, self.mean_)

    def _standard_errors(self, horizon):
        return np.full(horizon, self.sigma_ * np.sqrt(1.0 + 1.0 / self.n_timepoints_))


def seasonality_test(y, season_length):
    """M4's 90% autocorrelation test for seasonality at lag ``season_length``.

    The series is called seasonal when ``|r_m| > 1.645 * sqrt((1 + 2 sum_{k<m} r_k^2) / n)``
    (``r_k`` the sample autocorrelations); series shorter than three seasons, or constant,
    are never called seasonal. This is the test of the M4 competition's benchmark code.

    Parameters
    ----------
    y : array-like
        The series.
    season_length : int
        The lag ``m`` to test.

    Returns
    -------
    bool
    """
    y = np.asarray(y, dtype=float)
    m = int(season_length)
    n = len(y)
    if m < 2 or n < 3 * m:
        return False
    centred = y - y.mean()
    denominator = float(centred @ centred)
    if denominator == 0:
        return False
    acf = np.array([centred[:-k] @ centred[k:] for k in range(1, m + 1)]) / denominator
    limit = 1.645 * np.sqrt((1.0 + 2.0 * np.sum(acf[:-1] ** 2)) / n)
    return bool(abs(acf[-1]) > limit)


def multiplicative_seasonal_indices(y, season_length):
    """Seasonal indices of a classical multiplicative decomposition (R's ``decompose``).

    The trend is a centred moving average of order ``m`` (``2 x m`` for even ``m``); the
    index of each phase is the mean ratio of the series to its trend, normalised to
    average 1. Element ``i`` belongs to positions ``i, i + m, i + 2m, ...`` of ``y``.

    Parameters
    ----------
    y : array-like
        A strictly positive series at least two seasons long.
    season_length : int
        Number of periods in a season, at least 2.

    Returns
    -------
    numpy.ndarray
        Shape ``(season_length,)``.
    """
    y = np.asarray(y, dtype=float)
    m = int(season_length)
    if m % 2 == 0:
        weights = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        weights = np.ones(m) / m
    trend = np.full(len(y), np.nan)
    half = len(weights) // 2
    trend[half : len(y) - half] = np.convolve(y, weights, mode="valid")
    ratio = y / trend
    indices = np.array([np.nanmean(ratio[phase::m]) for phase in range(m)])
    return indices / indices.mean()


class Naive2(_NormalIntervalMixin, BaseForecaster):
    """Seasonally adjusted naive forecast (the "Naive 2" benchmark of the M4 competition).

    When the series passes M4's 90% autocorrelation test for seasonality at lag ``m``
    (see ``seasonality_test``) it is divided by the seasonal indices of a classical
    multiplicative decomposition, forecast with the naive method, and the forecast is
    multiplied back by the indices of the future periods. Otherwise (non-seasonal,
    shorter than three seasons, ``m = 1``, or not strictly positive, where a multiplicative
    decomposition is meaningless) it is the plain naive forecast.

    Prediction intervals are the naive intervals of the adjusted series, ``sigma * sqrt(h)``,
    multiplied by the seasonal index of each future period.

    Parameters
    ----------
    season_length : int, optional
        Number of periods in a season; inferred from the index frequency when None.

    Attributes
    ----------
    season_length_ : int
        The season length used.
    seasonal_ : bool
        Whether the seasonality test found seasonality (and the series was adjusted).
    seasonal_indices_ : numpy.ndarray
        Multiplicative index per phase (all ones when not seasonal); element ``i`` applies
        to training positions ``i, i + m, ...``.
    last_adjusted_ : float
        The last seasonally adjusted value (the adjusted forecast).
    sigma_ : float
        Root mean square of the naive errors of the adjusted series.

    Examples
    --------
    >>> import pandas as pd
    >>> Naive2(season_length=1).fit(pd.Series([5.0, 6.0, 7.0])).predict(2).tolist()
    [7.0, 7.0]
    """

    def __init__(self, season_length=None):
        self.season_length = season_length

    def _fit(self, y, X=None):
        m = resolve_season_length(self, self.season_length)
        self.season_length_ = m
        self.seasonal_ = bool(np.all(y > 0) and seasonality_test(y, m))
        if self.seasonal_:
            self.seasonal_indices_ = multiplicative_seasonal_indices(y, m)
        else:
            self.seasonal_indices_ = np.ones(m)
        adjusted = y / self._indices_at(np.arange(len(y)))
        self.last_adjusted_ = float(adjusted[-1])
        self.sigma_ = _rms(np.diff(adjusted))
        return self

    def _indices_at(self, positions):
        return self.seasonal_indices_[positions % self.season_length_]

    def _future_indices(self, horizon):
        return self._indices_at(self.n_timepoints_ + np.arange(horizon))

    def _predict(self, horizon, X=None):
        return self.last_adjusted_ * self._future_indices(horizon)

    def _standard_errors(self, horizon):
        return self.sigma_ * np.sqrt(np.arange(1, horizon + 1)) * self._future_indices(horizon)
