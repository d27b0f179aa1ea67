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

import numpy as np

from tsforecast.forecasting.base import BaseForecaster, IntervalUnavailableError
from tsforecast.statistical.seasonality import (
    multiplicative_seasonal_indices,
    resolve_season_length,
    seasonality_test,
)
from tsforecast.validation import InputValueError

__all__ = ["Drift", "Mean", "Naive", "Naive2", "SeasonalNaive", "normal_quantile"]


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
            raise IntervalUnavailableError(
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
            raise InputValueError(
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


class Naive2(_NormalIntervalMixin, BaseForecaster):
    """Seasonally adjusted naive forecast (the "Naive 2" benchmark of the M4 competition).

    When the series passes M4's 90% autocorrelation test for seasonality at lag ``m``
    (see :func:`~tsforecast.statistical.seasonality.seasonality_test`) it is divided by the
    seasonal indices of a classical multiplicative decomposition, forecast with the naive
    method, and the forecast is multiplied back by the indices of the future periods.
    Otherwise (non-seasonal, shorter than three seasons, ``m = 1``, or not strictly
    positive, where a multiplicative decomposition is meaningless) it is the plain naive
    forecast.

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
