"""``ARIMA``: a seasonal ARIMA model of given orders, with optional exogenous regressors."""

from tsforecast.statistical._context import statsmodels_context
from tsforecast.statistical.css import ArimaSpec, fit_css
from tsforecast.statistical.long_series import approximate_arima, fit_window
from tsforecast.statistical.sarimax import SARIMAXForecaster, check_exog, fit_with_fallback
from tsforecast.statistical.seasonality import resolve_season_length
from tsforecast.validation import InputValueError, check_choice, check_int

__all__ = ["ARIMA"]


def _non_negative_ints(values, length):
    """``values`` as a tuple of ``length`` non-negative ints, or None when it is not one."""
    if not isinstance(values, (tuple, list)) or len(values) != length:
        return None
    try:
        return tuple(check_int(v, "order", minimum=0) for v in values)
    except InputValueError:
        return None


class ARIMA(SARIMAXForecaster):
    """Seasonal ARIMA model with optional exogenous regressors (statsmodels ``SARIMAX``).

    ``phi(L) Phi(L^m) (1 - L)^d (1 - L^m)^D y_t = A(t) + theta(L) Theta(L^m) e_t``, fitted
    by exact maximum likelihood (Kalman filter). Prediction intervals come from
    ``get_forecast(h).summary_frame(alpha=1 - coverage)``.

    Convergence fallback: when the fit does not converge (statsmodels reports
    ``mle_retvals["converged"] == False``) or raises, the fit is retried with the
    derivative-free Nelder-Mead and then Powell optimisers (up to 1000 iterations), then
    with simpler orders (the seasonal ARMA terms dropped, then all ARMA terms dropped,
    keeping the differencing); see :func:`~tsforecast.statistical.sarimax.fit_with_fallback`.
    One ``ConvergenceFallbackWarning`` per fit names the model and the series and says
    every step taken; ``method_``, ``order_`` and ``seasonal_order_`` record what was
    finally fitted. If nothing converges the fit with the best AIC is kept; if every
    attempt raises, an ``InputValueError`` is raised. statsmodels' own warnings about its
    internals (starting parameters, non-convergence, ...) are not shown.

    Long series and long seasons: for series longer than 1000 values and seasons longer
    than 12 (:func:`~tsforecast.statistical.long_series.approximate_arima`) the model is
    fitted by conditional sum of squares (:mod:`~tsforecast.statistical.css`, R's
    ``method="CSS"``) on the most recent
    :func:`~tsforecast.statistical.long_series.fit_window` values (``max(1000, 10 m)``),
    and forecasts from the end of the series with intervals from its psi-weights
    (``method_ == "css"``; ``method``, ``maxiter`` and ``fallback`` then do not apply).
    ``approximation=False`` keeps the exact fit of the whole series. Either way no
    per-step state covariances are kept (see :mod:`~tsforecast.statistical.sarimax`).

    Parameters
    ----------
    order : tuple of int, default=(1, 0, 0)
        Non-seasonal ``(p, d, q)``.
    seasonal_order : tuple, default=(0, 0, 0, 0)
        Seasonal ``(P, D, Q, m)``. ``m=None`` infers the season length from the frequency
        of the training index; ``m`` of 0 or 1 means no seasonal part.
    trend : str or None, default=None
        statsmodels trend: None/"n" (none), "c" (constant; with ``d + D = 1`` it is a drift),
        "t", "ct".
    enforce_stationarity, enforce_invertibility : bool, default=True
        Restrict the AR and MA parameters to the stationary / invertible region.
    method : str, default="lbfgs"
        statsmodels optimiser tried first.
    maxiter : int, default=50
        Iteration budget of the first optimiser.
    fallback : bool, default=True
        Use the convergence fallback described above; if False a non-converged fit is kept
        (with a ``ConvergenceFallbackWarning``).
    approximation : bool, optional
        Fit by conditional sum of squares on the most recent values (see above). None:
        for series longer than 1000 values and seasons longer than 12.

    Attributes
    ----------
    order_, seasonal_order_ : tuple of int
        The orders fitted (different from the requested ones only after a fallback).
    trend_ : str or None
        The trend specification fitted.
    params_ : numpy.ndarray
        Estimated parameters, named by ``param_names_`` (last one ``sigma2``).
    sigma2_ : float
        Innovation variance.
    aic_, aicc_, bic_, loglik_ : float
        Information criteria and log-likelihood of the fit.
    method_ : str
        The optimiser that produced the fit.
    converged_ : bool
        Whether that fit reported convergence.
    y_, exog_ : numpy.ndarray
        Training values (and regressors, or None) kept to rebuild the statsmodels results:
        the ``n_fit_`` most recent ones.
    n_fit_ : int
        Number of (most recent) values the model was fitted on.
    approximation_ : bool
        Whether it was fitted by conditional sum of squares.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y = pd.Series(np.cumsum(np.random.default_rng(0).normal(size=60)))
    >>> model = ARIMA(order=(1, 1, 0)).fit(y)
    >>> model.predict(3).shape
    (3,)
    """

    def __init__(
        self,
        order=(1, 0, 0),
        seasonal_order=(0, 0, 0, 0),
        trend=None,
        *,
        enforce_stationarity=True,
        enforce_invertibility=True,
        method="lbfgs",
        maxiter=50,
        fallback=True,
        approximation=None,
    ):
        self.order = order
        self.seasonal_order = seasonal_order
        self.trend = trend
        self.enforce_stationarity = enforce_stationarity
        self.enforce_invertibility = enforce_invertibility
        self.method = method
        self.maxiter = maxiter
        self.fallback = fallback
        self.approximation = approximation

    def _check_orders(self):
        name = type(self).__name__
        order = _non_negative_ints(self.order, 3)
        if order is None:
            raise InputValueError(
                f"{name}: `order`={self.order!r} must be three non-negative integers (p, d, q), "
                "e.g. (1, 1, 0)."
            )
        seasonal = self.seasonal_order
        seasonal_arma = (
            _non_negative_ints(seasonal[:3], 3)
            if isinstance(seasonal, (tuple, list)) and len(seasonal) == 4
            else None
        )
        if seasonal_arma is None:
            raise InputValueError(
                f"{name}: `seasonal_order`={self.seasonal_order!r} must be (P, D, Q, m) with "
                "non-negative integers, e.g. (0, 1, 1, 12); m=None infers the season length."
            )
        m = 0 if seasonal[3] == 0 else resolve_season_length(self, seasonal[3])
        if m <= 1:
            if any(seasonal_arma):
                raise InputValueError(
                    f"{name}: `seasonal_order`={self.seasonal_order!r} has seasonal terms but "
                    f"the season length is {m} (the index has no seasonal frequency); pass it "
                    "explicitly, e.g. seasonal_order=(0, 1, 1, 12)."
                )
            return order, (0, 0, 0, 0)
        return order, (*seasonal_arma, m)

    def _fit(self, y, X=None):
        order, seasonal_order = self._check_orders()
        check_choice(self.approximation, "approximation", (None, True, False))
        exog, names = check_exog(self, X, len(y), fitting=True)
        m = seasonal_order[3]
        approximate = (
            approximate_arima(len(y), m) if self.approximation is None else self.approximation
        )
        if approximate:
            return self._fit_css(y, exog, names, order, seasonal_order, fit_window(len(y), m))
        with statsmodels_context():
            fit = fit_with_fallback(
                y, exog, order, seasonal_order, self.trend, method=self.method,
                maxiter=self.maxiter, fallback=self.fallback, owner=self._owner(),
                **self._model_options(),
            )
            self._store(fit, y, exog, names, self.trend)
        self._warn_fallback(fit.report)
        return self

    def _fit_css(self, y, exog, names, order, seasonal_order, window):
        if self.trend not in (None, "n", "c"):
            raise InputValueError(
                f"{self._owner()}: the conditional-sum-of-squares fit of long series takes "
                f"trend None or 'c', got {self.trend!r}; pass approximation=False for the "
                "exact fit, or model the trend with exogenous regressors."
            )
        y, exog = y[-window:], None if exog is None else exog[-window:]
        spec = ArimaSpec(order, seasonal_order, self.trend == "c",
                         0 if exog is None else exog.shape[1])
        with statsmodels_context():
            fit = fit_css(y, exog, spec, enforce_stationarity=self.enforce_stationarity,
                          enforce_invertibility=self.enforce_invertibility)
        self._store_css(fit, y, exog, names)
        return self
