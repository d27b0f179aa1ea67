"""``MSTL``: several seasonal cycles removed by an MSTL decomposition, the rest by ARIMA."""

import numpy as np
import pandas as pd
from sklearn.base import clone

from tsforecast.forecasting.base import BaseForecaster
from tsforecast.frequency import seasonal_periods
from tsforecast.statistical._context import statsmodels_context
from tsforecast.statistical.auto_arima import AutoARIMA
from tsforecast.statistical.long_series import fit_window, is_long_series
from tsforecast.statistical.seasonality import detect_seasonal_periods
from tsforecast.validation import InputTypeError, InputValueError, check_int

__all__ = ["MSTL"]


class MSTL(BaseForecaster):
    """Multiple seasonal cycles (a day and a week of hourly data) with an MSTL decomposition.

    1. Periods: ``periods`` when given; otherwise the calendar periods of the training
       frequency that the series covers twice (:func:`tsforecast.frequency.seasonal_periods`:
       24 and 168 for hourly data, 48 and 336 half-hourly, 7 and 365 daily) and
       ``season_length``, kept when the series shows them
       (:func:`~tsforecast.statistical.seasonality.detect_seasonal_periods`).
    2. Decomposition: statsmodels' ``MSTL`` (Bandara, Hyndman & Bergmeir 2021) of the
       most recent ``max(1000, 10 x longest period)`` values (all of a series that is not
       long, see :mod:`~tsforecast.statistical.long_series`) into one seasonal component
       per period, a trend and a remainder.
    3. Forecast: the seasonal components by seasonal naive, each repeating its own last
       cycle; the deseasonalised series (trend + remainder) by ``trend_forecaster``,
       by default a non-seasonal ``AutoARIMA`` (which, on long series, is fitted by
       conditional sum of squares on the most recent values). The forecast is their sum.

    The default trend forecaster was chosen by rolling-origin holdouts on the shipped
    half-hourly electricity series (``taylor``, ``elecdemand``), one day and one week
    ahead: ARIMA, whose AR terms let the remainder's deviations die out, beat the
    non-seasonal ETS that statsforecast's ``MSTL`` uses; pass
    ``trend_forecaster=ETS(seasonal=None)`` for that.

    Prediction intervals are those of the trend forecaster shifted by the seasonal
    forecast: the seasonal components are treated as known.

    Parameters
    ----------
    season_length : int, optional
        A seasonal period to consider besides the calendar ones (``tsforecast fit``
        passes its season length here).
    periods : tuple of int, optional
        The seasonal periods to use, without detection. Each must fit twice in the series.
    trend_forecaster : forecaster, optional
        Forecaster of the deseasonalised series; None is ``AutoARIMA(season_length=1)``.

    Attributes
    ----------
    periods_ : tuple of int
        The seasonal periods removed (empty: the series showed none).
    seasonal_last_ : list of numpy.ndarray
        The last cycle of each seasonal component, repeated as its forecast.
    trend_forecaster_ : forecaster
        The fitted forecaster of the deseasonalised series.
    n_fit_ : int
        Number of (most recent) values decomposed.
    approximation_ : bool
        Whether only the most recent values were decomposed (a long series).

    Examples
    --------
    >>> t = np.arange(24 * 7 * 6)
    >>> y = pd.Series(10 + np.sin(2 * np.pi * t / 24) + ((t // 24) % 7 >= 5),
    ...               index=pd.date_range("2024-01-01", periods=t.size, freq="h"))
    >>> model = MSTL().fit(y)
    >>> model.periods_, model.predict(3).shape
    ((24, 168), (3,))
    """

    def __init__(self, season_length=None, *, periods=None, trend_forecaster=None):
        self.season_length = season_length
        self.periods = periods
        self.trend_forecaster = trend_forecaster

    def _given_periods(self, n_obs):
        if isinstance(self.periods, (str, bytes)) or not hasattr(self.periods, "__iter__"):
            raise InputTypeError(
                f"MSTL: `periods`={self.periods!r} must be a sequence of seasonal periods, "
                "e.g. (24, 168) for hourly data."
            )
        periods = sorted({check_int(p, "periods", minimum=2, example=24) for p in self.periods})
        too_long = [p for p in periods if n_obs < 2 * p]
        if not periods or too_long:
            raise InputValueError(
                f"MSTL: every seasonal period must fit twice in the {n_obs} values, "
                f"{too_long or 'none'} do not; pass shorter `periods` or a longer series."
            )
        return tuple(periods)

    def _candidates(self, n_obs):
        candidates = set(seasonal_periods(getattr(self, "freq_", None), n_obs))
        if self.season_length is not None:
            m = check_int(self.season_length, "season_length", example=24,
                          meaning="a seasonal period to consider, or None")
            if m > 1 and n_obs >= 2 * m:
                candidates.add(m)
        return tuple(sorted(candidates))

    @statsmodels_context()
    def _fit(self, y, X=None):
        from statsmodels.tsa.seasonal import MSTL as Decomposition

        given = self.periods is not None
        candidates = self._given_periods(len(y)) if given else self._candidates(len(y))
        window = fit_window(len(y), max(candidates, default=1))
        recent = np.asarray(y[-window:], dtype=float)
        periods = candidates if given else detect_seasonal_periods(recent, candidates)
        # MSTL needs each period twice in the window it decomposes
        periods = tuple(p for p in periods if len(recent) >= 2 * p)
        if periods:
            seasonal = Decomposition(recent, periods=periods).fit().seasonal
            seasonal = seasonal.reshape(len(recent), -1)
        else:
            seasonal = np.zeros((len(recent), 0))
        deseasonalised = pd.Series(recent - seasonal.sum(axis=1),
                                   index=self._training_index(len(recent)),
                                   name=self.series_names_[0])
        trend = self.trend_forecaster
        if trend is None:
            trend = AutoARIMA(season_length=1)
        self.trend_forecaster_ = clone(trend).fit(deseasonalised)
        self.periods_ = tuple(int(p) for p in periods)
        self.seasonal_last_ = [seasonal[-p:, i].copy() for i, p in enumerate(self.periods_)]
        self.n_fit_ = len(recent)
        self.approximation_ = is_long_series(len(y))
        return self

    def _seasonal_forecast(self, horizon):
        forecast = np.zeros(horizon)
        for last in self.seasonal_last_:
            forecast += np.resize(last, horizon)
        return forecast

    def _predict(self, horizon, X=None):
        trend = self.trend_forecaster_.predict(horizon).to_numpy(dtype=float)
        return trend + self._seasonal_forecast(horizon)

    def _predict_interval(self, horizon, coverage, X=None):
        frame = self.trend_forecaster_.predict_interval(horizon, coverage)
        seasonal = self._seasonal_forecast(horizon)
        return tuple(frame[c].to_numpy(dtype=float) + seasonal
                     for c in ("forecast", "lower", "upper"))
