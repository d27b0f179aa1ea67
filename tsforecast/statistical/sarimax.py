"""The SARIMAX core of ``ARIMA`` and ``AutoARIMA``: model, convergence fallback, fitted state.

* :func:`make_sarimax` builds statsmodels' ``SARIMAX``;
* :func:`fit_with_fallback` fits it, falling back to derivative-free optimisers and then to
  simpler orders when the fit fails, and says what it did in one report;
* :class:`SARIMAXForecaster` keeps the plain fitted state (parameters, orders, the training
  values), rebuilds the statsmodels results from it (``model.filter(params_)``) and
  forecasts, with exogenous regressors checked by :func:`check_exog`; a model fitted by
  conditional sum of squares (the long-series approximation, :mod:`~tsforecast.statistical.css`)
  forecasts from the same state without statsmodels' state-space model.

Memory: by default statsmodels keeps, for every time step, the state covariance matrices
of the filter and of the smoother that ``fit`` runs at the end, ``k x k`` values each for a
state of ``k`` values (``k`` exceeds the season length of a seasonal model). Every model
here is built with ``conserve_memory=True``: it keeps only the per-step log-likelihood and
forecast-error variance and the last state, so its parameters, likelihood, forecasts and
prediction intervals are the same to the last bit (the regression snapshot checks it) at
a small fraction of the memory; only :meth:`SARIMAXForecaster.get_statsmodels_results`,
which smooths, builds the full model. :mod:`~tsforecast.statistical.memory` estimates what
each way needs.

statsmodels is imported inside the functions that need it.
"""

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd

from tsforecast.forecasting.base import BaseForecaster
from tsforecast.statistical._cached import CachedResultsMixin
from tsforecast.statistical._context import quiet_statsmodels, statsmodels_context
from tsforecast.statistical.baselines import normal_quantile
from tsforecast.validation import InputTypeError, InputValueError

__all__ = [
    "ConvergenceFallbackWarning",
    "SARIMAXFit",
    "SARIMAXForecaster",
    "check_exog",
    "converged",
    "fit_with_fallback",
    "format_order",
    "make_sarimax",
]

# Derivative-free optimisers tried, in order, when the requested one fails to converge.
_FALLBACK_METHODS = ("nm", "powell")
# Iteration budget of the derivative-free fallback optimisers (they need many more
# iterations than quasi-Newton ones).
_FALLBACK_MAXITER = 1000


class ConvergenceFallbackWarning(UserWarning):
    """A model fit did not converge and a fallback (optimiser or simpler model) was used."""


def make_sarimax(y, exog, order, seasonal_order, trend, *, conserve_memory=True, **options):
    """statsmodels ``SARIMAX`` of ``y``; ``options`` such as ``enforce_stationarity`` pass on.

    ``conserve_memory=True`` keeps no per-step state, state covariance, forecast or gain
    arrays, only the per-step log-likelihood (so the likelihood is summed as without it)
    and forecast-error variance (which out-of-sample intervals read); ``fit`` then filters
    instead of smoothing at the end. Estimates, likelihood, forecasts and intervals are
    those of the full model to the last bit. Call it, and use the model, inside
    ``quiet_statsmodels``.
    """
    from statsmodels.tsa.statespace import kalman_filter
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    model = SARIMAX(y, exog=exog, order=order, seasonal_order=seasonal_order, trend=trend,
                    **options)
    if conserve_memory:
        model.ssm.set_conserve_memory(
            kalman_filter.MEMORY_CONSERVE
            ^ kalman_filter.MEMORY_NO_LIKELIHOOD
            ^ kalman_filter.MEMORY_NO_FORECAST_COV
        )
    return model


def converged(results):
    """Whether a statsmodels fit converged to finite values (filtered results count)."""
    retvals = getattr(results, "mle_retvals", None) or {}
    return bool(retvals.get("converged", True)) and bool(
        np.isfinite(results.llf) and np.isfinite(results.params).all()
    )


def format_order(order, seasonal_order):
    """``ARIMA(p,d,q)(P,D,Q)[m]``, the seasonal part only when there is a season."""
    text = f"ARIMA{tuple(order)}".replace(" ", "")
    if seasonal_order[3] > 1:
        text += f"{tuple(seasonal_order[:3])}[{seasonal_order[3]}]".replace(" ", "")
    return text


class SARIMAXFit(NamedTuple):
    """What :func:`fit_with_fallback` fitted, and its report ("" when nothing fell back)."""

    results: object
    order: tuple
    seasonal_order: tuple
    method: str
    report: str


def _attempts(order, seasonal_order, method, maxiter, fallback):
    """(order, seasonal order, optimiser, iterations) to try, in order."""
    orders = [(order, seasonal_order)]
    methods = [(method, maxiter)]
    if fallback:
        P, D, Q, m = seasonal_order
        if P or Q:
            orders.append((order, (0, D, 0, m)))
        if order[0] or order[2]:
            orders.append(((0, order[1], 0), (0, D, 0, m) if m else seasonal_order))
        methods += [
            (alternative, max(maxiter, _FALLBACK_MAXITER))
            for alternative in _FALLBACK_METHODS
            if alternative != method
        ]
    return [(o, s, meth, iterations) for o, s in orders for meth, iterations in methods]


def fit_with_fallback(y, exog, order, seasonal_order, trend, *, method="lbfgs", maxiter=50,
                      fallback=True, owner="ARIMA", **model_options):
    """Fit a SARIMAX by maximum likelihood, falling back when the fit fails.

    When a fit does not converge (statsmodels reports ``mle_retvals["converged"] == False``)
    or raises, it is retried with the derivative-free Nelder-Mead and then Powell
    optimisers (at least 1000 iterations), then with simpler orders (the seasonal ARMA
    terms dropped, then all ARMA terms dropped, keeping the differencing). The first fit
    that converges is returned. If none converges, the one with the best AIC is kept.

    Parameters
    ----------
    y, exog : numpy.ndarray
        The series and its regressors (None when there are none).
    order, seasonal_order : tuple of int
        ``(p, d, q)`` and ``(P, D, Q, m)`` tried first.
    trend : str or None
        statsmodels trend.
    method : str, default="lbfgs"
        Optimiser tried first.
    maxiter : int, default=50
        Its iteration budget.
    fallback : bool, default=True
        Try the fallbacks; if False a failed fit raises and a non-converged one is kept.
    owner : str, default="ARIMA"
        How the error message names the model (and the series).
    **model_options
        Passed to :func:`make_sarimax` (``enforce_stationarity``, ...).

    Returns
    -------
    SARIMAXFit
        ``report`` says, in one sentence, every step taken when the first fit failed.

    Raises
    ------
    InputValueError
        When every attempt raises.
    """
    attempts = _attempts(order, seasonal_order, method, maxiter, fallback)
    steps = []
    kept = []
    last_error = None
    with quiet_statsmodels():
        for i, (o, s, meth, iterations) in enumerate(attempts):
            if i == 0:
                step = f"fitting {format_order(o, s)} with the '{meth}' optimiser"
            elif (o, s) != attempts[i - 1][:2]:
                step = f"falling back to the simpler {format_order(o, s)}"
            else:
                step = f"retrying with the '{meth}' optimiser"
            try:
                model = make_sarimax(y, exog, o, s, trend, **model_options)
                results = model.fit(disp=False, method=meth, maxiter=iterations, cov_type="none")
            except Exception as error:  # noqa: BLE001 - statsmodels raises many types on bad fits
                last_error = error
                steps.append(f"{step} raised {type(error).__name__}: {error}")
                continue
            if converged(results):
                report = "; ".join([*steps, f"{step}: converged."]) if steps else ""
                return SARIMAXFit(results, o, s, meth, report)
            kept.append((results, o, s, meth))
            steps.append(f"{step} did not converge within {iterations} iterations")
        if kept:
            results, o, s, meth = min(
                kept, key=lambda item: np.nan_to_num(item[0].aic, nan=np.inf)
            )
            report = "; ".join(steps) + (
                f"; no fit converged, keeping the non-converged {format_order(o, s)} fit by "
                f"'{meth}' with the best AIC. Check the series (outliers, level shifts) or try "
                "other orders."
            )
            return SARIMAXFit(results, o, s, meth, report)
    raise InputValueError(
        f"{owner}: every fit of {format_order(order, seasonal_order)} and its fallbacks "
        f"failed (last error: {type(last_error).__name__}: {last_error}); check the series "
        "for constant stretches or extreme values, or choose other orders."
    )


def check_exog(forecaster, X, n_rows, *, fitting):
    """Exogenous regressors as a float 2-D array of ``n_rows`` rows, and their names.

    ``(None, None)`` when ``X`` is None. When forecasting, a DataFrame's columns are
    matched by name to those seen in ``fit`` and extra rows are dropped.
    """
    name = type(forecaster).__name__
    if X is None:
        return None, None
    names = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else None
    if not fitting and isinstance(X, pd.DataFrame) and forecaster.exog_names_ is not None:
        missing = [c for c in forecaster.exog_names_ if c not in names]
        if missing:
            raise InputValueError(
                f"{name}: the future exogenous regressors lack column(s) {missing}; pass the "
                f"same columns as in fit: {forecaster.exog_names_}."
            )
        X = X.loc[:, [X.columns[names.index(c)] for c in forecaster.exog_names_]]
    try:
        array = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise InputTypeError(
            f"{name}: exogenous regressors X must be numeric; convert them with "
            "pandas.to_numeric or one-hot encode categories first."
        ) from None
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise InputValueError(
            f"{name}: X must be 2-D (rows = time points), got shape {array.shape}."
        )
    if fitting and array.shape[0] != n_rows:
        raise InputValueError(
            f"{name}: X has {array.shape[0]} rows but y has {n_rows} values; pass one row of "
            "regressors per observation."
        )
    if not fitting:
        if array.shape[0] < n_rows:
            raise InputValueError(
                f"{name}: X has {array.shape[0]} rows of future regressors but the horizon is "
                f"{n_rows}; pass at least one row per forecast step."
            )
        array = array[:n_rows]
        if array.shape[1] != forecaster.exog_.shape[1]:
            raise InputValueError(
                f"{name}: X has {array.shape[1]} columns but the model was fitted with "
                f"{forecaster.exog_.shape[1]}; pass the same regressors as in fit."
            )
    if not np.isfinite(array).all():
        raise InputValueError(
            f"{name}: X contains NaN or infinite values; fill them before fitting or "
            "forecasting."
        )
    return array, names


class SARIMAXForecaster(CachedResultsMixin, BaseForecaster):
    """Shared fitted state, lazy results and forecasting of the SARIMAX-based models.

    Subclasses set the parameters ``enforce_stationarity`` and ``enforce_invertibility``
    and call ``_store`` at the end of ``_fit``.
    """

    _tags = {
        # exogenous regressors X enter the model as a regression with ARIMA errors
        "capability:exogenous": True,
    }

    def _model_options(self):
        return {
            "enforce_stationarity": self.enforce_stationarity,
            "enforce_invertibility": self.enforce_invertibility,
        }

    def _owner(self, detail=""):
        """The model, with ``detail``, and the series it is fitted to when it has a name."""
        text = type(self).__name__ + (f" ({detail})" if detail else "")
        names = getattr(self, "series_names_", None) or [None]
        return text if names[0] is None else f"{text} on series {names[0]!r}"

    def _warn_fallback(self, report, detail=""):
        """One ``ConvergenceFallbackWarning`` per fit, pointing at the caller of ``fit``."""
        if report:
            warnings.warn(
                f"{self._owner(detail)}: {report}", ConvergenceFallbackWarning, stacklevel=4
            )

    def _store(self, fit, y, exog, exog_names, trend):
        results = fit.results
        self.order_ = tuple(int(v) for v in fit.order)
        self.seasonal_order_ = tuple(int(v) for v in fit.seasonal_order)
        self.trend_ = trend
        self.params_ = np.asarray(results.params, dtype=float)
        self.param_names_ = list(results.model.param_names)
        if exog_names is not None:
            # statsmodels names array regressors x1, x2, ...: use the column names
            renamed = dict(zip(results.model.exog_names, exog_names))
            self.param_names_ = [renamed.get(name, name) for name in self.param_names_]
        self.sigma2_ = float(self.params_[self.param_names_.index("sigma2")])
        self.aic_ = float(results.aic)
        self.aicc_ = float(results.aicc)
        self.bic_ = float(results.bic)
        self.loglik_ = float(results.llf)
        self.method_ = fit.method
        self.converged_ = converged(results)
        self.y_ = np.asarray(y, dtype=float)
        self.exog_ = exog
        self.exog_names_ = exog_names
        self.n_fit_ = len(self.y_)
        self.approximation_ = False
        self._cache_results = results

    def _store_css(self, fit, y, exog, exog_names):
        """Keep a conditional-sum-of-squares fit of the most recent values ``y``."""
        spec = fit.spec
        self.order_ = tuple(int(v) for v in spec.order)
        self.seasonal_order_ = tuple(int(v) for v in spec.seasonal_order)
        self.trend_ = "c" if spec.constant else None
        self.params_ = np.asarray(fit.params_with_sigma2(), dtype=float)
        self.param_names_ = spec.param_names(exog_names)
        self.sigma2_ = float(fit.sigma2)
        self.aic_, self.aicc_, self.bic_ = fit.aic, fit.aicc, fit.bic
        self.loglik_ = fit.loglik
        self.method_ = "css"
        self.converged_ = fit.converged
        self.y_ = np.asarray(y, dtype=float)
        self.exog_ = exog
        self.exog_names_ = exog_names
        self.n_fit_ = len(self.y_)
        self.approximation_ = True

    def _css_fit(self):
        """The stored CSS fit as the forecasting code of :mod:`css` takes it."""
        from tsforecast.statistical.css import ArimaSpec, CSSFit

        n_exog = 0 if self.exog_ is None else self.exog_.shape[1]
        spec = ArimaSpec(self.order_, self.seasonal_order_, self.trend_ == "c", n_exog)
        return CSSFit(spec, self.params_[:-1], self.sigma2_, self.loglik_, self.aic_,
                      self.aicc_, self.bic_, self.converged_, self.n_fit_)

    def _fitted_model(self, conserve_memory=True):
        return make_sarimax(
            self.y_, self.exog_, self.order_, self.seasonal_order_, self.trend_,
            conserve_memory=conserve_memory, **self._model_options(),
        )

    def _rebuild_results(self):
        return self._fitted_model().filter(self.params_, cov_type="none")

    def get_statsmodels_results(self, cov_type="approx"):
        """The fitted model as a statsmodels ``SARIMAXResults`` (smoothed, with standard errors).

        Parameters
        ----------
        cov_type : str, default="approx"
            How statsmodels computes parameter standard errors; ``"approx"`` (numerical
            Hessian) matches R's ``arima``, statsmodels' own default is ``"opg"``.

        Returns
        -------
        statsmodels.tsa.statespace.sarimax.SARIMAXResults
            Of the values the model was fitted on (``y_``: the most recent ``n_fit_``
            values of a long series), at the fitted parameters; smoothing keeps every
            per-step covariance (``estimate_memory(..., conserve_memory=False)`` says how
            much that takes).
        """
        self._check_fitted()
        with quiet_statsmodels():
            return self._fitted_model(conserve_memory=False).smooth(
                self.params_, cov_type=cov_type
            )

    def _future_exog(self, horizon, X):
        if self.exog_ is None:
            return None
        if X is None:
            raise InputValueError(
                f"{type(self).__name__} was fitted with {self.exog_.shape[1]} exogenous "
                f"regressor(s); pass their future values: predict(horizon, X=...) with "
                f"{horizon} rows."
            )
        return check_exog(self, X, horizon, fitting=False)[0]

    def _css_forecast(self, horizon, exog):
        from tsforecast.statistical.css import css_forecast

        return css_forecast(self._css_fit(), self.y_, self.exog_, exog, horizon)

    @statsmodels_context()
    def _predict(self, horizon, X=None):
        exog = self._future_exog(horizon, X)
        if getattr(self, "approximation_", False):
            return self._css_forecast(horizon, exog)[0]
        return np.asarray(self._results().forecast(horizon, exog=exog), dtype=float)

    @statsmodels_context()
    def _predict_interval(self, horizon, coverage, X=None):
        exog = self._future_exog(horizon, X)
        if getattr(self, "approximation_", False):
            mean, standard_error = self._css_forecast(horizon, exog)
            half_width = normal_quantile(coverage) * standard_error
            return mean, mean - half_width, mean + half_width
        frame = self._results().get_forecast(horizon, exog=exog).summary_frame(alpha=1 - coverage)
        return (
            frame["mean"].to_numpy(),
            frame["mean_ci_lower"].to_numpy(),
            frame["mean_ci_upper"].to_numpy(),
        )
