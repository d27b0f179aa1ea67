"""Statistical forecasters: baselines, ARIMA/SARIMA, automatic ARIMA, ETS and Theta.

* :mod:`~tsforecast.statistical.baselines`: :class:`Naive`, :class:`SeasonalNaive`,
  :class:`Drift`, :class:`Mean` and M4's :class:`Naive2`, with normal prediction intervals;
* :mod:`~tsforecast.statistical.arima`: :class:`ARIMA`, a seasonal ARIMA of given orders;
* :mod:`~tsforecast.statistical.auto_arima`: :class:`AutoARIMA`, orders chosen by the
  Hyndman-Khandakar algorithm;
* :mod:`~tsforecast.statistical.sarimax`: the SARIMAX core both share (model, convergence
  fallback with its :class:`ConvergenceFallbackWarning`, fitted state, forecasts);
* :mod:`~tsforecast.statistical.ets`: :class:`ETS`, exponential smoothing chosen by AICc;
* :mod:`~tsforecast.statistical.theta`: :class:`Theta`, the Theta method;
* :mod:`~tsforecast.statistical.mstl`: :class:`MSTL`, several seasonal cycles removed by an
  MSTL decomposition, the rest forecast by ARIMA;
* :mod:`~tsforecast.statistical.seasonality` and :mod:`~tsforecast.statistical.differencing`:
  the season length, seasonality tests and strength, seasonal indices, which candidate
  periods a series shows, and the number of differences a series needs;
* :mod:`~tsforecast.statistical.long_series`, :mod:`~tsforecast.statistical.css` and
  :mod:`~tsforecast.statistical.memory`: when a series is long and how much of it a model
  fits, the conditional-sum-of-squares ARIMA of long series, and the memory each model
  needs.

Every forecaster keeps only plain fitted state, so it pickles and persists without
statsmodels objects; the statsmodels results are rebuilt from that state on first use.
statsmodels is imported only when a model is fitted, and its warnings about its own
internals never reach the user (:mod:`~tsforecast.statistical._context`).
"""

from tsforecast.statistical.arima import ARIMA
from tsforecast.statistical.auto_arima import AutoARIMA
from tsforecast.statistical.baselines import (
    Drift,
    Mean,
    Naive,
    Naive2,
    SeasonalNaive,
    normal_quantile,
)
from tsforecast.statistical.differencing import kpss_ndiffs, seasonal_ndiffs
from tsforecast.statistical.ets import ETS
from tsforecast.statistical.long_series import (
    LONG_SERIES_LENGTH,
    approximate_arima,
    fit_window,
    is_long_series,
)
from tsforecast.statistical.memory import estimate_memory
from tsforecast.statistical.mstl import MSTL
from tsforecast.statistical.sarimax import ConvergenceFallbackWarning
from tsforecast.statistical.seasonality import (
    detect_seasonal_periods,
    multiplicative_seasonal_indices,
    resolve_season_length,
    seasonal_period_strengths,
    seasonal_strength,
    seasonality_test,
)
from tsforecast.statistical.theta import Theta

__all__ = [
    "ARIMA",
    "ETS",
    "LONG_SERIES_LENGTH",
    "MSTL",
    "AutoARIMA",
    "ConvergenceFallbackWarning",
    "Drift",
    "Mean",
    "Naive",
    "Naive2",
    "SeasonalNaive",
    "Theta",
    "approximate_arima",
    "detect_seasonal_periods",
    "estimate_memory",
    "fit_window",
    "is_long_series",
    "kpss_ndiffs",
    "multiplicative_seasonal_indices",
    "normal_quantile",
    "resolve_season_length",
    "seasonal_ndiffs",
    "seasonal_period_strengths",
    "seasonal_strength",
    "seasonality_test",
]
