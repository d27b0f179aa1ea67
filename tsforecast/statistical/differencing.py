"""How many differences make a series stationary, as ``forecast::ndiffs`` and ``nsdiffs`` say.

:func:`kpss_ndiffs` counts first differences by repeated KPSS tests; :func:`seasonal_ndiffs`
decides seasonal differencing by the STL strength of seasonality. ``AutoARIMA`` uses both
to fix ``d`` and ``D`` before it searches the ARMA orders.
"""

import numpy as np

from tsforecast.statistical._context import quiet_statsmodels
from tsforecast.statistical.seasonality import seasonal_strength

__all__ = ["kpss_ndiffs", "seasonal_ndiffs"]

#: Seasonal strength above which one seasonal difference is taken (``forecast::nsdiffs``).
SEASONAL_STRENGTH_THRESHOLD = 0.64


def kpss_ndiffs(y, *, alpha=0.05, max_d=2):
    """Number of first differences that make ``y`` level-stationary by repeated KPSS tests.

    As ``forecast::ndiffs``: difference while the KPSS test (level stationarity, Bartlett
    window of ``trunc(3 sqrt(n) / 13)`` lags) rejects at level ``alpha``, at most ``max_d``
    times; a constant series needs no differencing.

    Parameters
    ----------
    y : array-like
        The series.
    alpha : float, default=0.05
        Test level.
    max_d : int, default=2
        Maximum number of differences.

    Returns
    -------
    int
    """
    from statsmodels.tsa.stattools import kpss

    def rejects(x):
        with quiet_statsmodels():
            p_value = kpss(x, regression="c", nlags=int(3 * np.sqrt(len(x)) / 13))[1]
        return p_value < alpha

    x = np.asarray(y, dtype=float)
    d = 0
    while d < max_d and len(x) > 3 and np.ptp(x) > 0 and rejects(x):
        x = np.diff(x)
        d += 1
    return d


def seasonal_ndiffs(y, season_length, *, max_D=1):
    """Number of seasonal differences: 1 when the seasonal strength exceeds 0.64, else 0.

    The default test of ``forecast::nsdiffs`` (and of ``auto.arima`` since version 8), with
    the strength of :func:`~tsforecast.statistical.seasonality.seasonal_strength` of ``y``
    at lag ``season_length``; ``max_D=0`` turns seasonal differencing off.

    Returns
    -------
    int
    """
    return int(max_D > 0 and seasonal_strength(y, season_length) > SEASONAL_STRENGTH_THRESHOLD)
