"""``Theta``: the Theta method of Assimakopoulos & Nikolopoulos on statsmodels' ``ThetaModel``."""

import numpy as np

from tsforecast.forecasting.base import BaseForecaster
from tsforecast.statistical._cached import CachedResultsMixin
from tsforecast.statistical._context import quiet_statsmodels, statsmodels_context
from tsforecast.statistical.long_series import fit_window, is_long_series
from tsforecast.statistical.seasonality import resolve_season_length
from tsforecast.validation import InputValueError, check_choice

__all__ = ["Theta"]


class Theta(CachedResultsMixin, BaseForecaster):
    """The Theta method (Assimakopoulos & Nikolopoulos 2000) via statsmodels ``ThetaModel``.

    The series is seasonally adjusted (multiplicatively when strictly positive) if it
    passes the 90% autocorrelation test at lag ``m``; the forecast combines the linear
    trend (theta = 0 line) with simple exponential smoothing, as in Hyndman & Billah's
    state-space formulation. Intervals from ``ThetaModelResults.prediction_intervals``.

    Long series (more than 1000 values, see :mod:`~tsforecast.statistical.long_series`)
    are fitted on their most recent ``max(1000, 10 m)`` values: the trend line and the
    smoothing describe the series as it is now, and the cost no longer grows with its
    length.

    Parameters
    ----------
    season_length : int, optional
        Season length; inferred from the index frequency when None.
    deseasonalize : bool, default=True
        Seasonally adjust (subject to the test when ``use_test`` is True).
    use_test : bool, default=True
        Test for seasonality before adjusting.
    method : {"auto", "additive", "multiplicative"}, default="auto"
        Decomposition used for the seasonal adjustment.
    theta : float, default=2.0
        Weight of the trend line in the combination (2 is the classical Theta method).

    Attributes
    ----------
    season_length_ : int
        Season length used.
    b0_, alpha_ : float
        Drift of the theta line and SES smoothing parameter.
    sigma2_ : float
        One-step residual variance of the SES (computed on first access).
    y_ : numpy.ndarray
        Training values (the ``n_fit_`` most recent ones); the model is refitted from them
        (deterministically) when the statsmodels results are needed after loading.
    n_fit_ : int
        Number of (most recent) values the model was fitted on.
    approximation_ : bool
        Whether only the most recent values were fitted (a long series).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y = pd.Series(np.arange(1.0, 31.0) + np.random.default_rng(0).normal(size=30))
    >>> Theta(season_length=1).fit(y).predict(2).shape
    (2,)
    """

    def __init__(
        self, season_length=None, *, deseasonalize=True, use_test=True, method="auto", theta=2.0
    ):
        self.season_length = season_length
        self.deseasonalize = deseasonalize
        self.use_test = use_test
        self.method = method
        self.theta = theta

    def _fit_results(self, y, m):
        from statsmodels.tsa.forecasting.theta import ThetaModel

        check_choice(self.method, "method", ("auto", "additive", "multiplicative"))
        if self.method == "multiplicative" and np.any(y <= 0):
            raise InputValueError(
                f"{type(self).__name__}: multiplicative seasonal adjustment needs a strictly "
                "positive series; pass method='additive' or 'auto'."
            )
        deseasonalize = bool(self.deseasonalize and m > 1 and len(y) >= 2 * m)
        with quiet_statsmodels():
            model = ThetaModel(
                y,
                period=m if deseasonalize else 1,
                deseasonalize=deseasonalize,
                use_test=self.use_test,
                method=self.method,
            )
            return model.fit()

    @statsmodels_context()
    def _fit(self, y, X=None):
        m = resolve_season_length(self, self.season_length)
        self.approximation_ = is_long_series(len(y))
        y = np.asarray(y[-fit_window(len(y), m):], dtype=float)
        results = self._fit_results(y, m)
        self.season_length_ = m
        self.b0_ = float(results.params["b0"])
        self.alpha_ = float(results.params["alpha"])
        self.y_ = y
        self.n_fit_ = len(y)
        self._cache_results = results
        return self

    @property
    def sigma2_(self):
        # statsmodels fits a state-space model for it (three quarters of a fit's time), and
        # only intervals need it: computed when asked
        results = self._results()
        with quiet_statsmodels():
            return float(results.sigma2)

    def _rebuild_results(self):
        # Theta's fit is deterministic and cheap: refit rather than store its internals.
        return self._fit_results(self.y_, self.season_length_)

    @statsmodels_context()
    def _predict(self, horizon, X=None):
        return np.asarray(self._results().forecast(horizon, theta=self.theta), dtype=float)

    @statsmodels_context()
    def _predict_interval(self, horizon, coverage, X=None):
        results = self._results()
        point = np.asarray(results.forecast(horizon, theta=self.theta), dtype=float)
        bounds = results.prediction_intervals(horizon, theta=self.theta, alpha=1 - coverage)
        return point, bounds["lower"].to_numpy(), bounds["upper"].to_numpy()
