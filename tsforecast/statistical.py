"""Statistical forecasters on statsmodels: ARIMA/SARIMA, automatic ARIMA, ETS and Theta.

All four are ``BaseForecaster`` subclasses with native prediction intervals. They keep
only plain fitted state (parameter arrays, orders, the training values); the statsmodels
results object is rebuilt from the stored parameters on first use after loading or
unpickling (``model.filter(params_)``), so a fitted forecaster persists without pickle.

statsmodels is imported inside the methods that need it, so importing this module is cheap.
"""

import contextlib
import functools
import itertools
import numbers
import warnings

import numpy as np
import pandas as pd

from tsforecast.base import BaseForecaster
from tsforecast.baselines import resolve_season_length

__all__ = ["ARIMA", "ETS", "AutoARIMA", "ConvergenceFallbackWarning", "Theta"]

# Derivative-free optimisers tried, in order, when the requested one fails to converge.
_FALLBACK_METHODS = ("nm", "powell")
# Iteration budget of the derivative-free fallback optimisers (they need many more
# iterations than quasi-Newton ones).
_FALLBACK_MAXITER = 1000
# Longest season for which AutoARIMA searches seasonal AR/MA terms (P, Q). Beyond it (weekly
# data, m = 52) only seasonal differencing is considered, as R's forecast::auto.arima advises:
# every seasonal ARMA fit has a state of more than m values and takes minutes.
_MAX_SEASONAL_ARMA_PERIOD = 24


def _single_threaded_blas():
    """Context limiting BLAS to one thread while fitting.

    The state-space matrices are tiny (tens of rows): a multi-threaded BLAS only adds
    synchronisation, and on a busy machine its spinning threads made an ``AutoARIMA`` fit
    on AirPassengers ten times slower (47 s instead of 3 s wall time, 2 cores, load 10).
    threadpoolctl ships with scikit-learn.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn always installs it
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _blas_single_thread(method):
    """Run ``method`` under ``_single_threaded_blas``."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with _single_threaded_blas():
            return method(*args, **kwargs)

    return wrapper


class ConvergenceFallbackWarning(UserWarning):
    """A model fit did not converge and a fallback (optimiser or simpler model) was used."""


class _CachedResultsMixin:
    """Drop ``_cache*`` attributes (statsmodels results) when pickling or copying."""

    def __getstate__(self):
        state = super().__getstate__()
        return {key: value for key, value in state.items() if not key.startswith("_cache")}


def _check_exog(forecaster, X, n_rows, *, fitting):
    """Exogenous regressors as a float 2-D array of ``n_rows`` rows (None when absent)."""
    name = type(forecaster).__name__
    if X is None:
        return None, None
    names = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else None
    if not fitting and isinstance(X, pd.DataFrame) and forecaster.exog_names_ is not None:
        missing = [c for c in forecaster.exog_names_ if c not in names]
        if missing:
            raise ValueError(
                f"{name}: the future exogenous regressors lack column(s) {missing}; pass the "
                f"same columns as in fit: {forecaster.exog_names_}."
            )
        X = X.loc[:, [X.columns[names.index(c)] for c in forecaster.exog_names_]]
    try:
        array = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name}: exogenous regressors X must be numeric; convert them with "
            "pandas.to_numeric or one-hot encode categories first."
        ) from None
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(f"{name}: X must be 2-D (rows = time points), got shape {array.shape}.")
    if fitting and array.shape[0] != n_rows:
        raise ValueError(
            f"{name}: X has {array.shape[0]} rows but y has {n_rows} values; pass one row of "
            "regressors per observation."
        )
    if not fitting:
        if array.shape[0] < n_rows:
            raise ValueError(
                f"{name}: X has {array.shape[0]} rows of future regressors but the horizon is "
                f"{n_rows}; pass at least one row per forecast step."
            )
        array = array[:n_rows]
        if array.shape[1] != forecaster.exog_.shape[1]:
            raise ValueError(
                f"{name}: X has {array.shape[1]} columns but the model was fitted with "
                f"{forecaster.exog_.shape[1]}; pass the same regressors as in fit."
            )
    if not np.isfinite(array).all():
        raise ValueError(
            f"{name}: X contains NaN or infinite values; fill them before fitting or "
            "forecasting."
        )
    return array, names


def _format_order(order, seasonal_order):
    text = f"ARIMA{tuple(order)}".replace(" ", "")
    if seasonal_order[3] > 1:
        text += f"{tuple(seasonal_order[:3])}[{seasonal_order[3]}]".replace(" ", "")
    return text


def _normalise_seasonal_order(seasonal_order, season_length):
    P, D, Q = (int(v) for v in seasonal_order[:3])
    m = int(season_length)
    if m <= 1:
        return (0, 0, 0, 0)
    return (P, D, Q, m)


class _SARIMAXForecaster(_CachedResultsMixin, BaseForecaster):
    """Shared fitted state, lazy results and forecasting of the SARIMAX-based models."""

    _tags = {
        # exogenous regressors X enter the model as a regression with ARIMA errors
        "capability:exogenous": True,
    }

    def _make_model(self, y, exog, order, seasonal_order, trend, **kwargs):
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        return SARIMAX(
            y,
            exog=exog,
            order=order,
            seasonal_order=seasonal_order,
            trend=trend,
            enforce_stationarity=self.enforce_stationarity,
            enforce_invertibility=self.enforce_invertibility,
            **kwargs,
        )

    def _store(self, results, y, exog, exog_names, order, seasonal_order, trend, method, converged):
        self.order_ = tuple(int(v) for v in order)
        self.seasonal_order_ = tuple(int(v) for v in seasonal_order)
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
        self.method_ = method
        self.converged_ = bool(converged)
        self.y_ = np.asarray(y, dtype=float)
        self.exog_ = exog
        self.exog_names_ = exog_names
        self._cache_results = results

    def _results(self):
        results = getattr(self, "_cache_results", None)
        if results is None:
            model = self._make_model(
                self.y_, self.exog_, self.order_, self.seasonal_order_, self.trend_
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results = model.filter(self.params_, cov_type="none")
            self._cache_results = results
        return results

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
        """
        self._check_fitted()
        model = self._make_model(
            self.y_, self.exog_, self.order_, self.seasonal_order_, self.trend_
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.smooth(self.params_, cov_type=cov_type)

    def _future_exog(self, horizon, X):
        if self.exog_ is None:
            return None
        if X is None:
            raise ValueError(
                f"{type(self).__name__} was fitted with {self.exog_.shape[1]} exogenous "
                f"regressor(s); pass their future values: predict(horizon, X=...) with "
                f"{horizon} rows."
            )
        return _check_exog(self, X, horizon, fitting=False)[0]

    @_blas_single_thread
    def _predict(self, horizon, X=None):
        exog = self._future_exog(horizon, X)
        return np.asarray(self._results().forecast(horizon, exog=exog), dtype=float)

    @_blas_single_thread
    def _predict_interval(self, horizon, coverage, X=None):
        exog = self._future_exog(horizon, X)
        frame = self._results().get_forecast(horizon, exog=exog).summary_frame(alpha=1 - coverage)
        return (
            frame["mean"].to_numpy(),
            frame["mean_ci_lower"].to_numpy(),
            frame["mean_ci_upper"].to_numpy(),
        )


def _converged(results):
    """Whether a statsmodels fit converged to finite values (filtered results count)."""
    retvals = getattr(results, "mle_retvals", None) or {}
    return bool(retvals.get("converged", True)) and bool(
        np.isfinite(results.llf) and np.isfinite(results.params).all()
    )


class ARIMA(_SARIMAXForecaster):
    """Seasonal ARIMA model with optional exogenous regressors (statsmodels ``SARIMAX``).

    ``phi(L) Phi(L^m) (1 - L)^d (1 - L^m)^D y_t = A(t) + theta(L) Theta(L^m) e_t``, fitted
    by exact maximum likelihood (Kalman filter). Prediction intervals come from
    ``get_forecast(h).summary_frame(alpha=1 - coverage)``.

    Convergence fallback: when the fit does not converge (statsmodels reports
    ``mle_retvals["converged"] == False``) or raises, the fit is retried with the
    derivative-free Nelder-Mead and then Powell optimisers (up to 1000 iterations), then
    with simpler orders (the seasonal ARMA terms dropped, then all ARMA terms dropped,
    keeping the differencing). Each step issues a ``ConvergenceFallbackWarning`` that says
    what failed and what is tried next; ``method_``, ``order_`` and ``seasonal_order_`` record
    what was finally fitted. If nothing converges the fit with the best AIC is kept (with a
    warning); if every attempt raises, a ``ValueError`` is raised.

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
        Training values (and regressors, or None) kept to rebuild the statsmodels results.

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
    ):
        self.order = order
        self.seasonal_order = seasonal_order
        self.trend = trend
        self.enforce_stationarity = enforce_stationarity
        self.enforce_invertibility = enforce_invertibility
        self.method = method
        self.maxiter = maxiter
        self.fallback = fallback

    def _check_orders(self):
        name = type(self).__name__

        def valid(values, length):
            return (
                isinstance(values, (tuple, list))
                and len(values) == length
                and all(
                    isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0
                    for v in values
                )
            )

        if not valid(self.order, 3):
            raise ValueError(
                f"{name}: `order`={self.order!r} must be three non-negative integers (p, d, q), "
                "e.g. (1, 1, 0)."
            )
        seasonal = tuple(self.seasonal_order) if isinstance(
            self.seasonal_order, (tuple, list)
        ) else None
        if seasonal is None or len(seasonal) != 4 or not valid(seasonal[:3], 3):
            raise ValueError(
                f"{name}: `seasonal_order`={self.seasonal_order!r} must be (P, D, Q, m) with "
                "non-negative integers, e.g. (0, 1, 1, 12); m=None infers the season length."
            )
        m = 0 if seasonal[3] == 0 else resolve_season_length(self, seasonal[3])
        if m <= 1 and any(seasonal[:3]):
            raise ValueError(
                f"{name}: `seasonal_order`={self.seasonal_order!r} has seasonal terms but the "
                f"season length is {m} (the index has no seasonal frequency); pass it "
                "explicitly, e.g. seasonal_order=(0, 1, 1, 12)."
            )
        return tuple(int(v) for v in self.order), _normalise_seasonal_order(seasonal, m)

    def _fit(self, y, X=None):
        order, seasonal_order = self._check_orders()
        exog, names = _check_exog(self, X, len(y), fitting=True)
        with _single_threaded_blas():
            results, order, seasonal_order, method = self._fit_with_fallback(
                y, exog, order, seasonal_order
            )
        self._store(
            results, y, exog, names, order, seasonal_order, self.trend, method,
            _converged(results),
        )
        return self

    def _attempts(self, order, seasonal_order):
        orders = [(order, seasonal_order)]
        if self.fallback:
            P, D, Q, m = seasonal_order
            if P or Q:
                orders.append((order, (0, D, 0, m)))
            if order[0] or order[2]:
                orders.append(((0, order[1], 0), (0, D, 0, m) if m else seasonal_order))
        methods = [(self.method, self.maxiter)]
        if self.fallback:
            methods += [
                (alt, max(self.maxiter, _FALLBACK_MAXITER))
                for alt in _FALLBACK_METHODS
                if alt != self.method
            ]
        return [(o, s, meth, it) for o, s in orders for meth, it in methods]

    def _fit_with_fallback(self, y, exog, order, seasonal_order, *, owner=None):
        owner = owner or type(self).__name__
        attempts = self._attempts(order, seasonal_order)
        kept = []
        last_error = None
        for i, (o, s, method, maxiter) in enumerate(attempts):
            label = _format_order(o, s)
            try:
                model = self._make_model(y, exog, o, s, self.trend)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    results = model.fit(disp=False, method=method, maxiter=maxiter, cov_type="none")
            except Exception as error:  # noqa: BLE001 - statsmodels raises many types on bad fits
                last_error = error
                problem = f"raised {type(error).__name__}: {error}"
                results = None
            else:
                if _converged(results):
                    return results, o, s, method
                kept.append((results, o, s, method))
                problem = f"did not converge within {maxiter} iterations"
            if i + 1 < len(attempts):
                next_o, next_s, next_method, _ = attempts[i + 1]
                if (next_o, next_s) != (o, s):
                    step = f"falling back to the simpler {_format_order(next_o, next_s)}"
                else:
                    step = f"retrying with the '{next_method}' optimiser"
                warnings.warn(
                    f"{owner}: fitting {label} with the '{method}' optimiser "
                    f"{problem}; {step}.",
                    ConvergenceFallbackWarning,
                    stacklevel=4,
                )
        if kept:
            results, o, s, method = min(
                kept, key=lambda item: np.nan_to_num(item[0].aic, nan=np.inf)
            )
            warnings.warn(
                f"{owner}: no fit converged; keeping the non-converged "
                f"{_format_order(o, s)} fit by '{method}' with the best AIC. Check the series "
                "(outliers, level shifts) or try other orders.",
                ConvergenceFallbackWarning,
                stacklevel=4,
            )
            return results, o, s, method
        raise ValueError(
            f"{owner}: every fit of {_format_order(order, seasonal_order)} and its "
            f"fallbacks failed (last error: {type(last_error).__name__}: {last_error}); check the "
            "series for constant stretches or extreme values, or choose other orders."
        )


# --------------------------------------------------------------------- AutoARIMA
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
    from statsmodels.tools.sm_exceptions import InterpolationWarning
    from statsmodels.tsa.stattools import kpss

    def rejects(x):
        with warnings.catch_warnings():
            # InterpolationWarning: p-value clipped to the table; FutureWarning: return type
            warnings.simplefilter("ignore", InterpolationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            p_value = kpss(x, regression="c", nlags=int(3 * np.sqrt(len(x)) / 13))[1]
        return p_value < alpha

    x = np.asarray(y, dtype=float)
    d = 0
    while d < max_d and len(x) > 3 and np.ptp(x) > 0 and rejects(x):
        x = np.diff(x)
        d += 1
    return d


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
    decomposition = STL(y, period=int(season_length), seasonal=11).fit()
    remainder = decomposition.resid
    deseasonalised_variance = np.var(remainder + decomposition.seasonal, ddof=1)
    if deseasonalised_variance == 0:
        return 0.0
    return float(np.clip(1.0 - np.var(remainder, ddof=1) / deseasonalised_variance, 0.0, 1.0))


class AutoARIMA(_SARIMAXForecaster):
    """Automatic (seasonal) ARIMA order selection by the Hyndman-Khandakar algorithm.

    1. Seasonal differencing ``D`` (when None): 1 if the seasonal strength of the series
       (``seasonal_strength``, STL based) exceeds 0.64, the default test of R's
       ``forecast::auto.arima`` since version 8.
    2. Differencing ``d`` (when None): repeated KPSS tests at level ``alpha`` on the
       seasonally differenced series (``kpss_ndiffs``), as ``auto.arima`` and pmdarima do.
    3. Orders: the stepwise search of Hyndman & Khandakar (2008) over ``(p, q, P, Q)`` and the
       constant (allowed when ``d + D <= 1``; a drift when it is 1), or an exhaustive search
       with ``stepwise=False``, minimising ``information_criterion``. As in
       ``auto.arima``, models with AR or MA roots within 1.01 of the unit circle are
       rejected.

    The search fits statsmodels SARIMAX by exact maximum likelihood on the differenced
    series (``simple_differencing=True``, scale concentrated out, no standard errors,
    single-threaded BLAS), several times faster than fitting the integrated state-space
    model. The chosen model is then fitted as an integrated SARIMAX on the full sample
    (the better of a fresh fit and the search estimates), so ``aic_`` is on the same scale
    as statsmodels' and pmdarima's. Exogenous regressors
    ``X`` enter as a regression with ARIMA errors (the tests use the residuals of a least
    squares fit on ``X``, as ``auto.arima`` does).

    Long seasons: for ``season_length > 24`` (weekly data, ``m = 52``) no seasonal AR or
    MA terms are searched (``max_P`` and ``max_Q`` are treated as 0), since every such fit
    has a state of more than ``m`` values and the search would take minutes. Seasonal
    differencing ``D`` is still chosen by the test of step 1 and applied. To model a
    long season more finely, pass Fourier terms as exogenous regressors ``X`` (Hyndman's
    advice for weekly data) with ``season_length=1``, or fit ``ARIMA`` with the seasonal
    order of your choice.

    Parameters
    ----------
    season_length : int, optional
        Season length ``m``; inferred from the index frequency when None; 1 disables the
        seasonal part.
    d, D : int, optional
        Fixed orders of differencing (None: chosen by the tests above).
    max_p, max_q, max_P, max_Q : int, default=5, 5, 2, 2
        Upper bounds of the orders searched (``max_P`` and ``max_Q`` apply only when
        ``season_length <= 24``, see above).
    max_d, max_D : int, default=2, 1
        Upper bounds of the differencing chosen by the tests.
    max_order : int, default=5
        Upper bound of ``p + q + P + Q`` in the exhaustive search (``stepwise=False``);
        the stepwise search is bounded by the individual maxima only, as in ``auto.arima``.
    start_p, start_q, start_P, start_Q : int, default=2, 2, 1, 1
        First model of the stepwise search.
    stepwise : bool, default=True
        Stepwise search (False: every admissible order).
    information_criterion : {"aic", "aicc", "bic"}, default="aic"
        Criterion minimised.
    alpha : float, default=0.05
        Level of the KPSS tests.
    max_models : int, default=94
        Maximum number of models fitted by the stepwise search.
    enforce_stationarity, enforce_invertibility : bool, default=True
        Passed to SARIMAX.
    method : str, default="lbfgs"
        Optimiser of the search fits.
    maxiter : int, default=50
        Iteration budget of each search fit.

    Attributes
    ----------
    order_, seasonal_order_ : tuple of int
        The selected orders.
    trend_ : str or None
        "c" when a constant (mean or drift) was selected, else None.
    aic_, aicc_, bic_, loglik_, params_, sigma2_, method_, converged_ :
        As for ``ARIMA``.
    ic_ : float
        The minimised criterion of the selected model (from the search fit).
    search_ : pandas.DataFrame
        Every model fitted: columns p, d, q, P, D, Q, m, constant, ic.
    n_fits_ : int
        Number of models fitted during the search.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y = pd.Series(np.cumsum(np.random.default_rng(0).normal(size=60)))
    >>> AutoARIMA(season_length=1, max_p=2, max_q=2).fit(y).order_[1]
    1
    """

    def __init__(
        self,
        season_length=None,
        *,
        d=None,
        D=None,
        max_p=5,
        max_d=2,
        max_q=5,
        max_P=2,
        max_D=1,
        max_Q=2,
        max_order=5,
        start_p=2,
        start_q=2,
        start_P=1,
        start_Q=1,
        stepwise=True,
        information_criterion="aic",
        alpha=0.05,
        max_models=94,
        enforce_stationarity=True,
        enforce_invertibility=True,
        method="lbfgs",
        maxiter=50,
    ):
        self.season_length = season_length
        self.d = d
        self.D = D
        self.max_p = max_p
        self.max_d = max_d
        self.max_q = max_q
        self.max_P = max_P
        self.max_D = max_D
        self.max_Q = max_Q
        self.max_order = max_order
        self.start_p = start_p
        self.start_q = start_q
        self.start_P = start_P
        self.start_Q = start_Q
        self.stepwise = stepwise
        self.information_criterion = information_criterion
        self.alpha = alpha
        self.max_models = max_models
        self.enforce_stationarity = enforce_stationarity
        self.enforce_invertibility = enforce_invertibility
        self.method = method
        self.maxiter = maxiter

    # ------------------------------------------------------------ validation
    def _validate(self):
        name = type(self).__name__
        if self.information_criterion not in ("aic", "aicc", "bic"):
            raise ValueError(
                f"{name}: `information_criterion`={self.information_criterion!r} must be one "
                "of 'aic', 'aicc', 'bic'."
            )
        for param in ("max_p", "max_d", "max_q", "max_P", "max_D", "max_Q", "max_order",
                      "start_p", "start_q", "start_P", "start_Q"):
            value = getattr(self, param)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise ValueError(f"{name}: `{param}`={value!r} must be a non-negative integer.")
        for param in ("d", "D"):
            value = getattr(self, param)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0
            ):
                raise ValueError(
                    f"{name}: `{param}`={value!r} must be None (chosen by a test) or a "
                    "non-negative integer."
                )
        if not 0 < self.alpha < 1:
            raise ValueError(f"{name}: `alpha`={self.alpha!r} must be in (0, 1), e.g. 0.05.")

    # ------------------------------------------------------------------- fit
    def _fit(self, y, X=None):
        self._validate()
        with _single_threaded_blas():
            return self._search(y, X)

    def _search(self, y, X):
        m = resolve_season_length(self, self.season_length)
        exog, names = _check_exog(self, X, len(y), fitting=True)
        x = y
        if exog is not None:
            design = np.column_stack([np.ones(len(y)), exog])
            x = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]

        seasonal = m > 1 and len(y) > m
        if not seasonal:
            D = 0
        elif self.D is not None:
            D = int(self.D)
        else:
            D = int(self.max_D > 0 and seasonal_strength(x, m) > 0.64)
        differenced = x
        for _ in range(D):
            differenced = differenced[m:] - differenced[:-m]
        d = int(self.d) if self.d is not None else kpss_ndiffs(
            differenced, alpha=self.alpha, max_d=self.max_d
        )
        m_eff = m if seasonal else 0
        seasonal_arma = seasonal and m <= _MAX_SEASONAL_ARMA_PERIOD
        max_P = self.max_P if seasonal_arma else 0
        max_Q = self.max_Q if seasonal_arma else 0
        allow_constant = d + D <= 1

        cache = {}

        def evaluate(p, q, P, Q, constant):
            key = (p, q, P, Q, constant)
            if key not in cache:
                cache[key] = self._search_fit(y, exog, (p, d, q), (P, D, Q, m_eff), constant)
            return cache[key][0]

        if self.stepwise:
            best = self._stepwise(evaluate, allow_constant, max_P, max_Q, seasonal)
        else:
            best = self._exhaustive(evaluate, allow_constant, max_P, max_Q)
        if best is None or not np.isfinite(cache[best][0]):
            raise ValueError(
                f"{type(self).__name__}: no ARIMA model could be fitted to this series "
                f"(d={d}, D={D}, {len(y)} observations); check it for constant stretches or "
                "extreme values, or fix `d`/`D` and lower the maximum orders."
            )
        p, q, P, Q, constant = best
        order, seasonal_order = (p, d, q), (P, D, Q, m_eff)
        trend = "c" if constant else None
        ic, search_results = cache[best]
        self._finalise(y, exog, names, order, seasonal_order, trend, search_results)
        self.ic_ = float(ic)
        self.search_ = pd.DataFrame(
            [
                {"p": k[0], "d": d, "q": k[1], "P": k[2], "D": D, "Q": k[3], "m": m_eff,
                 "constant": k[4], "ic": v[0]}
                for k, v in cache.items()
            ]
        )
        self.n_fits_ = len(cache)
        return self

    def _search_fit(self, y, exog, order, seasonal_order, constant):
        """Criterion of one candidate (inf when it fails or has near-unit roots)."""
        n_params = order[0] + order[2] + seasonal_order[0] + seasonal_order[2] + constant + 1
        n_effective = len(y) - order[1] - seasonal_order[1] * seasonal_order[3]
        if n_effective <= n_params + 1:
            return np.inf, None
        # With nothing but the variance to estimate, concentrating it out would leave
        # the optimiser without parameters.
        concentrate = n_params > 1 or exog is not None
        try:
            model = self._make_model(
                y, exog, order, seasonal_order, "c" if constant else None,
                simple_differencing=True, concentrate_scale=concentrate,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results = model.fit(
                    disp=False, method=self.method, maxiter=self.maxiter, cov_type="none"
                )
                ic = float(getattr(results, self.information_criterion))
                roots = [np.abs(r) for r in (results.arroots, results.maroots) if r.size]
        except Exception:  # noqa: BLE001 - a failed candidate is skipped, as in auto.arima
            return np.inf, None
        if not np.isfinite(ic) or any(r.min() < 1.01 for r in roots):
            return np.inf, None
        return ic, results

    def _stepwise(self, evaluate, allow_constant, max_P, max_Q, seasonal):
        max_p, max_q = self.max_p, self.max_q
        p, q = min(self.start_p, max_p), min(self.start_q, max_q)
        P, Q = min(self.start_P, max_P), min(self.start_Q, max_Q)
        constant = allow_constant
        tried = []

        def admissible(cp, cq, cP, cQ):
            return 0 <= cp <= max_p and 0 <= cq <= max_q and 0 <= cP <= max_P and 0 <= cQ <= max_Q

        def ic_of(cand):
            if cand not in tried:
                tried.append(cand)
            return evaluate(*cand)

        # Starting models of Hyndman & Khandakar: (start orders), null, AR(1)-ish, MA(1)-ish.
        starts = [
            (p, q, P, Q, constant),
            (0, 0, 0, 0, constant),
            (int(max_p > 0), 0, int(seasonal and max_P > 0), 0, constant),
            (0, int(max_q > 0), 0, int(seasonal and max_Q > 0), constant),
        ]
        if constant:
            starts.append((0, 0, 0, 0, False))
        best, best_ic = None, np.inf
        for cand in starts:
            if not admissible(*cand[:4]) or cand in tried:
                continue
            ic = ic_of(cand)
            if ic < best_ic:
                best, best_ic = cand, ic
        if best is None:
            return tried[0] if tried else None

        moves = [
            (0, 0, -1, 0), (0, 0, 1, 0), (0, 0, 0, -1), (0, 0, 0, 1),
            (0, 0, -1, -1), (0, 0, -1, 1), (0, 0, 1, -1), (0, 0, 1, 1),
            (-1, 0, 0, 0), (1, 0, 0, 0), (0, -1, 0, 0), (0, 1, 0, 0),
            (-1, -1, 0, 0), (-1, 1, 0, 0), (1, -1, 0, 0), (1, 1, 0, 0),
        ]
        improved = True
        while improved and len(tried) < self.max_models:
            improved = False
            neighbours = [
                (best[0] + dp, best[1] + dq, best[2] + dP, best[3] + dQ, best[4])
                for dp, dq, dP, dQ in moves
            ]
            if allow_constant:
                neighbours.append((*best[:4], not best[4]))
            for cand in neighbours:
                if cand in tried or not admissible(*cand[:4]):
                    continue
                if len(tried) >= self.max_models:
                    break
                ic = ic_of(cand)
                if ic < best_ic:
                    best, best_ic = cand, ic
                    improved = True
                    break
        return best

    def _exhaustive(self, evaluate, allow_constant, max_P, max_Q):
        best, best_ic = None, np.inf
        constants = (True, False) if allow_constant else (False,)
        grid = itertools.product(
            range(self.max_p + 1), range(self.max_q + 1), range(max_P + 1), range(max_Q + 1),
            constants,
        )
        for cand in grid:
            if sum(cand[:4]) > self.max_order:
                continue
            ic = evaluate(*cand)
            if ic < best_ic or best is None:
                best, best_ic = cand, ic
        return best

    def _finalise(self, y, exog, names, order, seasonal_order, trend, search_results):
        """Fit the chosen model as an integrated SARIMAX (full sample, exact likelihood).

        Two candidates are compared and the lower AIC kept: the integrated model evaluated
        at the search estimates, and a fresh maximum-likelihood fit of it (the final
        refit of ``auto.arima``). When the search fit had not converged, the fresh fit
        goes through ``ARIMA``'s convergence fallback instead.
        """
        owner = f"{type(self).__name__} (final fit of the selected model)"
        fitter = ARIMA(
            order, seasonal_order, trend,
            enforce_stationarity=self.enforce_stationarity,
            enforce_invertibility=self.enforce_invertibility,
            method=self.method, maxiter=self.maxiter, fallback=not _converged(search_results),
        )
        candidates = []
        if _converged(search_results):
            params = np.asarray(search_results.params, dtype=float)
            if search_results.model.concentrate_scale:
                params = np.r_[params, search_results.scale]
            model = self._make_model(y, exog, order, seasonal_order, trend)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                candidates.append(
                    (model.filter(params, cov_type="none"), order, seasonal_order, self.method)
                )
                try:
                    candidates.append(
                        fitter._fit_with_fallback(y, exog, order, seasonal_order, owner=owner)
                    )
                except ValueError:
                    pass
        else:
            candidates.append(
                fitter._fit_with_fallback(y, exog, order, seasonal_order, owner=owner)
            )
        usable = [c for c in candidates if _converged(c[0])] or candidates
        results, order, seasonal_order, method = min(
            usable, key=lambda c: np.nan_to_num(c[0].aic, nan=np.inf)
        )
        self._store(
            results, y, exog, names, order, seasonal_order, trend, method, _converged(results)
        )


# --------------------------------------------------------------------------- ETS
def _ets_label(error, trend, damped, seasonal):
    """Hyndman's ETS(error, trend, season) notation, e.g. ``ETS(M,Ad,M)``."""
    letter = {None: "N", "add": "A", "mul": "M"}
    trend_letter = letter[trend] + ("d" if damped and trend is not None else "")
    return f"ETS({letter[error]},{trend_letter},{letter[seasonal]})"


class ETS(_CachedResultsMixin, BaseForecaster):
    """Exponential smoothing state-space model (statsmodels ``ETSModel``), chosen by AICc.

    Each component set to ``"auto"`` is chosen by fitting every admissible combination
    and keeping the lowest ``information_criterion``, as R's ``forecast::ets`` does with
    its default restrictions: multiplicative error or seasonality only for strictly
    positive series; additive error never combined with multiplicative seasonality
    (numerically unstable); no multiplicative trend (statsmodels has none); seasonality
    only when ``2 <= m <= 24`` and there are more than two seasons of data. Prediction
    intervals use statsmodels' closed forms for the models that have them and simulation
    (seeded by ``random_state``) for the others.

    Parameters
    ----------
    error : {"auto", "add", "mul"}, default="auto"
        Error type.
    trend : {"auto", None, "add"}, default="auto"
        Trend type.
    damped_trend : {"auto", True, False}, default="auto"
        Damping of the trend (ignored without trend).
    seasonal : {"auto", None, "add", "mul"}, default="auto"
        Seasonal type.
    season_length : int, optional
        Season length; inferred from the index frequency when None.
    information_criterion : {"aicc", "aic", "bic"}, default="aicc"
        Criterion of the automatic choice.
    maxiter : int, default=1000
        Optimiser iterations per fit.
    random_state : int, default=0
        Seed of the simulated prediction intervals.

    Attributes
    ----------
    error_, trend_, seasonal_ : str or None
        The chosen components.
    damped_trend_ : bool
        Whether the trend is damped.
    season_length_ : int
        Season length used (1 when not seasonal).
    params_ : numpy.ndarray
        Estimated smoothing parameters and initial states.
    aic_, aicc_, bic_ : float
        Information criteria of the chosen model.
    candidates_ : pandas.DataFrame
        The models compared and their criterion.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y = pd.Series(10 + np.random.default_rng(0).normal(size=40))
    >>> ETS(trend=None, seasonal=None).fit(y).predict(2).shape
    (2,)
    """

    def __init__(
        self,
        error="auto",
        trend="auto",
        damped_trend="auto",
        seasonal="auto",
        season_length=None,
        *,
        information_criterion="aicc",
        maxiter=1000,
        random_state=0,
    ):
        self.error = error
        self.trend = trend
        self.damped_trend = damped_trend
        self.seasonal = seasonal
        self.season_length = season_length
        self.information_criterion = information_criterion
        self.maxiter = maxiter
        self.random_state = random_state

    def _candidates(self, y, m):
        name = type(self).__name__
        checks = (
            ("error", self.error, ("auto", "add", "mul")),
            ("trend", self.trend, ("auto", None, "add")),
            ("damped_trend", self.damped_trend, ("auto", True, False)),
            ("seasonal", self.seasonal, ("auto", None, "add", "mul")),
            ("information_criterion", self.information_criterion, ("aicc", "aic", "bic")),
        )
        for param, value, allowed in checks:
            if value not in allowed:
                raise ValueError(f"{name}: `{param}`={value!r} must be one of {allowed}.")
        positive = bool(np.all(y > 0))
        can_season = 2 <= m <= 24 and len(y) > 2 * m
        errors = ["add", "mul"] if self.error == "auto" else [self.error]
        trends = [None, "add"] if self.trend == "auto" else [self.trend]
        dampings = [False, True] if self.damped_trend == "auto" else [bool(self.damped_trend)]
        seasonals = [None, "add", "mul"] if self.seasonal == "auto" else [self.seasonal]
        if self.seasonal not in ("auto", None) and not can_season:
            raise ValueError(
                f"{name}: `seasonal`={self.seasonal!r} needs a season length between 2 and 24 "
                f"and more than two seasons of data (season length {m}, {len(y)} values); "
                "pass seasonal=None or a longer series."
            )
        if not positive and ("mul" in (self.error, self.seasonal)):
            raise ValueError(
                f"{name}: multiplicative components need a strictly positive series; pass "
                "'add' or 'auto'."
            )
        candidates = []
        for error, trend, damped, seasonal in itertools.product(
            errors, trends, dampings, seasonals
        ):
            if trend is None and damped:
                continue
            if seasonal is not None and not can_season:
                continue
            if not positive and "mul" in (error, seasonal):
                continue
            if self.error == "auto" and error == "add" and seasonal == "mul":
                continue
            candidates.append((error, trend, damped, seasonal))
        return candidates

    def _make_model(self, y, error, trend, damped, seasonal, m):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        # A Series (not an ndarray): statsmodels' ETS prediction code needs an index.
        return ETSModel(
            pd.Series(y),
            error=error,
            trend=trend,
            damped_trend=bool(damped and trend is not None),
            seasonal=seasonal,
            seasonal_periods=m if seasonal else None,
        )

    def _fit(self, y, X=None):
        m = resolve_season_length(self, self.season_length)
        with _single_threaded_blas():
            return self._select(y, m)

    def _select(self, y, m):
        rows = []
        best = None
        for error, trend, damped, seasonal in self._candidates(y, m):
            try:
                model = self._make_model(y, error, trend, damped, seasonal, m)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    results = model.fit(disp=False, maxiter=self.maxiter)
                ic = float(getattr(results, self.information_criterion))
            except Exception:  # noqa: BLE001 - an unfittable candidate is skipped (forecast::ets)
                results, ic = None, np.inf
            if not np.isfinite(ic):
                ic = np.inf
            rows.append({"model": _ets_label(error, trend, damped, seasonal), "error": error,
                         "trend": trend, "damped_trend": damped, "seasonal": seasonal,
                         self.information_criterion: ic})
            if results is not None and (best is None or ic < best[0]):
                best = (ic, results, error, trend, damped, seasonal)
        if best is None:
            raise ValueError(
                f"{type(self).__name__}: no exponential smoothing model could be fitted to "
                f"these {len(y)} values; pass a longer series or fix the components."
            )
        _, results, error, trend, damped, seasonal = best
        self.error_, self.trend_, self.seasonal_ = error, trend, seasonal
        self.damped_trend_ = bool(damped and trend is not None)
        self.season_length_ = m if seasonal else 1
        self.params_ = np.asarray(results.params, dtype=float)
        self.aic_, self.aicc_, self.bic_ = (
            float(results.aic), float(results.aicc), float(results.bic)
        )
        self.candidates_ = pd.DataFrame(rows)
        self.y_ = np.asarray(y, dtype=float)
        self._cache_results = results
        return self

    def _results(self):
        results = getattr(self, "_cache_results", None)
        if results is None:
            model = self._make_model(
                self.y_, self.error_, self.trend_, self.damped_trend_, self.seasonal_,
                self.season_length_,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results = model.smooth(self.params_)
            self._cache_results = results
        return results

    @_blas_single_thread
    def _predict(self, horizon, X=None):
        return np.asarray(self._results().forecast(horizon), dtype=float)

    @_blas_single_thread
    def _predict_interval(self, horizon, coverage, X=None):
        n = len(self.y_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prediction = self._results().get_prediction(
                start=n, end=n + horizon - 1, rng=np.random.default_rng(self.random_state)
            )
            frame = prediction.summary_frame(alpha=1 - coverage)
        return (
            frame["mean"].to_numpy(),
            frame["pi_lower"].to_numpy(),
            frame["pi_upper"].to_numpy(),
        )


# ------------------------------------------------------------------------- Theta
class Theta(_CachedResultsMixin, BaseForecaster):
    """The Theta method (Assimakopoulos & Nikolopoulos 2000) via statsmodels ``ThetaModel``.

    The series is seasonally adjusted (multiplicatively when strictly positive) if it
    passes the 90% autocorrelation test at lag ``m``; the forecast combines the linear
    trend (theta = 0 line) with simple exponential smoothing, as in Hyndman & Billah's
    state-space formulation. Intervals from ``ThetaModelResults.prediction_intervals``.

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
        One-step residual variance of the SES.
    y_ : numpy.ndarray
        Training values; the model is refitted from them (deterministically) when the
        statsmodels results are needed after loading.

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

        if self.method not in ("auto", "additive", "multiplicative"):
            raise ValueError(
                f"{type(self).__name__}: `method`={self.method!r} must be 'auto', 'additive' or "
                "'multiplicative'."
            )
        if self.method == "multiplicative" and np.any(y <= 0):
            raise ValueError(
                f"{type(self).__name__}: multiplicative seasonal adjustment needs a strictly "
                "positive series; pass method='additive' or 'auto'."
            )
        deseasonalize = bool(self.deseasonalize and m > 1 and len(y) >= 2 * m)
        model = ThetaModel(
            y,
            period=m if deseasonalize else 1,
            deseasonalize=deseasonalize,
            use_test=self.use_test,
            method=self.method,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit()

    @_blas_single_thread
    def _fit(self, y, X=None):
        m = resolve_season_length(self, self.season_length)
        results = self._fit_results(np.asarray(y, dtype=float), m)
        self.season_length_ = m
        self.b0_ = float(results.params["b0"])
        self.alpha_ = float(results.params["alpha"])
        self.sigma2_ = float(results.sigma2)
        self.y_ = np.asarray(y, dtype=float)
        self._cache_results = results
        return self

    def _results(self):
        results = getattr(self, "_cache_results", None)
        if results is None:
            results = self._fit_results(self.y_, self.season_length_)
            self._cache_results = results
        return results

    @_blas_single_thread
    def _predict(self, horizon, X=None):
        return np.asarray(self._results().forecast(horizon, theta=self.theta), dtype=float)

    @_blas_single_thread
    def _predict_interval(self, horizon, coverage, X=None):
        results = self._results()
        point = np.asarray(results.forecast(horizon, theta=self.theta), dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bounds = results.prediction_intervals(horizon, theta=self.theta, alpha=1 - coverage)
        return point, bounds["lower"].to_numpy(), bounds["upper"].to_numpy()
