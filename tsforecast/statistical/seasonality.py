"""Seasonality of a series: the season length to use, whether there is a season, its shape.

* :func:`resolve_season_length`: the season length a forecaster uses (given, or implied by
  the frequency of the training index);
* :func:`seasonality_test`: M4's 90% autocorrelation test (used by ``Naive2``);
* :func:`seasonal_strength`: the STL strength of seasonality (used by ``AutoARIMA`` to
  choose seasonal differencing);
* :func:`multiplicative_seasonal_indices`: the seasonal indices of a classical
  multiplicative decomposition (used by ``Naive2``).
"""

import numpy as np

from tsforecast.frequency import season_length as _season_length_of
from tsforecast.statistical._context import quiet_statsmodels
from tsforecast.validation import check_int

__all__ = [
    "multiplicative_seasonal_indices",
    "resolve_season_length",
    "seasonal_strength",
    "seasonality_test",
]


def resolve_season_length(forecaster, value):
    """Season length to use: ``value`` when given, else the one of the training frequency.

    ``forecaster.freq_`` must already be recorded (the base class does it before ``_fit``).
    """
    if value is None:
        return _season_length_of(getattr(forecaster, "freq_", None))
    return check_int(
        value, "season_length", example=12,
        meaning="e.g. 12 for monthly data, or None to infer it from the index frequency",
    )


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


def seasonal_strength(y, season_length):
    """Strength of seasonality ``max(0, 1 - var(R) / var(S + R))`` from an STL decomposition.

    The measure of Wang, Smith & Hyndman (2006) used by ``forecast::nsdiffs`` (its default
    ``"seas"`` test): remainder ``R`` and seasonal ``S`` of ``statsmodels`` STL with a
    seasonal smoother of 11 (``forecast::mstl``'s first window). 0 for series shorter than
    two seasons or constant.

    Parameters
    ----------
    y : array-like
        The series.
    season_length : int
        Number of periods in a season, at least 2.

    Returns
    -------
    float
        In ``[0, 1]``.
    """
    from statsmodels.tsa.seasonal import STL

    y = np.asarray(y, dtype=float)
    if season_length < 2 or len(y) < 2 * season_length + 1 or np.ptp(y) == 0:
        return 0.0
    with quiet_statsmodels():
        decomposition = STL(y, period=int(season_length), seasonal=11).fit()
    remainder = decomposition.resid
    deseasonalised_variance = np.var(remainder + decomposition.seasonal, ddof=1)
    if deseasonalised_variance == 0:
        return 0.0
    return float(np.clip(1.0 - np.var(remainder, ddof=1) / deseasonalised_variance, 0.0, 1.0))


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
