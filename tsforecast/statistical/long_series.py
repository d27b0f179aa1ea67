"""When a statistical model treats a series as long, and how much of it the model then fits.

Exact fits cost more than linear time on long series: a state-space likelihood costs
``n * k^2`` or more per evaluation (``k`` the state dimension, which grows with the season
length), the automatic searches fit tens of models, and the optimisers need more
iterations when there are more initial states to estimate. Forecasters of long series
therefore make the approximations that forecasting practice makes (R's ``auto.arima``
switches to its approximation above 150 values or for seasons longer than 12):

* **the most recent values only**: a long series is fitted on its last
  :func:`fit_window` values (at least :data:`LONG_SERIES_LENGTH` of them and at least
  :data:`WINDOW_SEASONS` seasons); forecasts start from the end of the series, so the
  model describes the series as it is now, and the cost of a fit no longer depends on
  the length of the series;
* **ARIMA by conditional sum of squares** (:mod:`~tsforecast.statistical.css`), with the
  stepwise search of ``AutoARIMA`` scored by the CSS criterion, for long series and for
  seasons longer than :data:`EXACT_MAX_SEASON` (:func:`approximate_arima`);
* **ETS with heuristic initial states** (the first seasons give them) instead of
  estimating them with the smoothing parameters.

Series of at most :data:`LONG_SERIES_LENGTH` values (with seasons of at most 12 for ARIMA)
are fitted exactly as before: their forecasts do not change.
"""

__all__ = [
    "EXACT_MAX_SEASON",
    "LONG_SERIES_LENGTH",
    "WINDOW_SEASONS",
    "approximate_arima",
    "fit_window",
    "is_long_series",
]

#: Series longer than this are long: fitted on their most recent values, approximately.
LONG_SERIES_LENGTH = 1000
#: Fewest seasons in the window a long series is fitted on.
WINDOW_SEASONS = 10
#: Longest season that ARIMA models fit by exact likelihood (R's ``auto.arima`` rule):
#: longer seasons have state-space models of more than ``m`` states even on short series.
EXACT_MAX_SEASON = 12


def is_long_series(n_obs):
    """Whether a series of ``n_obs`` values is long (more than ``LONG_SERIES_LENGTH``)."""
    return int(n_obs) > LONG_SERIES_LENGTH


def fit_window(n_obs, season_length=1):
    """How many of the most recent values a model fits on a series of ``n_obs`` values.

    All of them for a series that is not long; otherwise ``max(LONG_SERIES_LENGTH,
    WINDOW_SEASONS * season_length)`` (or all, if fewer).

    Examples
    --------
    >>> fit_window(144, 12), fit_window(100_000, 24), fit_window(100_000, 168)
    (144, 1000, 1680)
    """
    n_obs = int(n_obs)
    if not is_long_series(n_obs):
        return n_obs
    return min(n_obs, max(LONG_SERIES_LENGTH, WINDOW_SEASONS * max(int(season_length), 1)))


def approximate_arima(n_obs, season_length):
    """Whether an ARIMA model of this series is fitted by conditional sum of squares.

    For long series and for seasons longer than ``EXACT_MAX_SEASON``.

    Examples
    --------
    >>> approximate_arima(144, 12), approximate_arima(500, 24), approximate_arima(5000, 1)
    (False, True, True)
    """
    return is_long_series(n_obs) or int(season_length) > EXACT_MAX_SEASON
