"""``AutoARIMA``: seasonal ARIMA with its orders chosen by the Hyndman-Khandakar algorithm."""

import inspect
import itertools

import numpy as np
import pandas as pd

from tsforecast.statistical._context import statsmodels_context
from tsforecast.statistical.css import MIN_ROOT_MODULUS, ArimaSpec, fit_css
from tsforecast.statistical.differencing import kpss_ndiffs, seasonal_ndiffs
from tsforecast.statistical.long_series import approximate_arima, fit_window
from tsforecast.statistical.sarimax import (
    SARIMAXFit,
    SARIMAXForecaster,
    check_exog,
    converged,
    fit_with_fallback,
    make_sarimax,
)
from tsforecast.statistical.seasonality import resolve_season_length
from tsforecast.validation import InputValueError, check_choice, check_int, check_probability

__all__ = ["AutoARIMA"]

# Longest season for which AutoARIMA searches seasonal AR/MA terms (P, Q). Beyond it (weekly
# data, m = 52) only seasonal differencing is considered, as R's forecast::auto.arima advises:
# every seasonal ARMA fit has a state of more than m values and takes minutes.
_MAX_SEASONAL_ARMA_PERIOD = 24
# Orders whose bounds and starting values must be non-negative integers.
_ORDER_PARAMETERS = ("max_p", "max_d", "max_q", "max_P", "max_D", "max_Q", "max_order",
                     "start_p", "start_q", "start_P", "start_Q")


class AutoARIMA(SARIMAXForecaster):
    """Automatic (seasonal) ARIMA order selection by the Hyndman-Khandakar algorithm.

    1. Seasonal differencing ``D`` (when None): 1 if the seasonal strength of the series
       (``seasonal_strength``, STL based) exceeds 0.64 (``seasonal_ndiffs``), the default
       test of R's ``forecast::auto.arima`` since version 8.
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

    Long series and long seasons (R's ``approximation``): for series longer than
    ``LONG_SERIES_LENGTH`` (1000) values and for seasons longer than 12
    (:func:`~tsforecast.statistical.long_series.approximate_arima`), every step works on
    the most recent :func:`~tsforecast.statistical.long_series.fit_window` values only
    (``max(1000, 10 m)``: the differencing tests, the search and the fit), and the models
    are fitted by conditional sum of squares (:mod:`~tsforecast.statistical.css`) instead
    of exact likelihood; the selected model keeps its CSS estimates (``method_ == "css"``)
    and forecasts from the end of the series, with intervals from its psi-weights. Time
    and memory then no longer grow with the length of the series. ``approximation=False``
    keeps the exact method on the whole series.

    Memory: no fit keeps per-step state covariances (statsmodels' ``conserve_memory``, see
    :mod:`~tsforecast.statistical.sarimax`; estimates, criteria, forecasts and intervals
    are the same to the last bit).

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
        Iteration budget of each search fit (exact method).
    approximation : bool, optional
        Fit the most recent values by conditional sum of squares (see above). None: for
        series longer than 1000 values and seasons longer than 12.

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
    n_fit_ : int
        Number of (most recent) values the model was fitted on.
    approximation_ : bool
        Whether the long-series approximation (CSS on the most recent values) was used.

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
        approximation=None,
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
        self.approximation = approximation

    # ------------------------------------------------------------ validation
    def _validate(self):
        check_choice(self.information_criterion, "information_criterion", ("aic", "aicc", "bic"))
        defaults = inspect.signature(type(self)).parameters
        for param in _ORDER_PARAMETERS:
            check_int(getattr(self, param), param, minimum=0, example=defaults[param].default)
        for param in ("d", "D"):
            check_int(getattr(self, param), param, minimum=0, allow_none=True, example=1,
                      meaning="None chooses it by a test")
        check_probability(self.alpha, "alpha", example=0.05)
        check_choice(self.approximation, "approximation", (None, True, False))

    # ------------------------------------------------------------------- fit
    def _fit(self, y, X=None):
        self._validate()
        with statsmodels_context():
            report = self._search(y, X)
        self._warn_fallback(report, "final fit of the selected model")
        return self

    def _search(self, y, X):
        """Choose the differencing, search the orders and fit the best; the fallback report."""
        m = resolve_season_length(self, self.season_length)
        exog, names = check_exog(self, X, len(y), fitting=True)
        approximate = (
            approximate_arima(len(y), m) if self.approximation is None else self.approximation
        )
        if approximate:
            window = fit_window(len(y), m)
            y = y[-window:]
            exog = None if exog is None else exog[-window:]
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
            D = seasonal_ndiffs(x, m, max_D=self.max_D)
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

        search_fit = self._css_search_fit if approximate else self._search_fit

        def evaluate(p, q, P, Q, constant):
            key = (p, q, P, Q, constant)
            if key not in cache:
                cache[key] = search_fit(y, exog, (p, d, q), (P, D, Q, m_eff), constant)
            return cache[key][0]

        if self.stepwise:
            best = self._stepwise(evaluate, allow_constant, max_P, max_Q, seasonal)
        else:
            best = self._exhaustive(evaluate, allow_constant, max_P, max_Q)
        if best is None or not np.isfinite(cache[best][0]):
            raise InputValueError(
                f"{self._owner()}: no ARIMA model could be fitted to this series "
                f"(d={d}, D={D}, {len(y)} observations); check it for constant stretches or "
                "extreme values, or fix `d`/`D` and lower the maximum orders."
            )
        p, q, P, Q, constant = best
        order, seasonal_order = (p, d, q), (P, D, Q, m_eff)
        trend = "c" if constant else None
        ic, search_results = cache[best]
        if approximate:
            self._store_css(search_results, y, exog, names)
            report = ""
        else:
            report = self._finalise(y, exog, names, order, seasonal_order, trend, search_results)
        self.ic_ = float(ic)
        self.search_ = pd.DataFrame(
            [
                {"p": k[0], "d": d, "q": k[1], "P": k[2], "D": D, "Q": k[3], "m": m_eff,
                 "constant": k[4], "ic": v[0]}
                for k, v in cache.items()
            ]
        )
        self.n_fits_ = len(cache)
        return report

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
            model = make_sarimax(
                y, exog, order, seasonal_order, "c" if constant else None,
                simple_differencing=True, concentrate_scale=concentrate, **self._model_options(),
            )
            results = model.fit(
                disp=False, method=self.method, maxiter=self.maxiter, cov_type="none"
            )
            ic = float(getattr(results, self.information_criterion))
            roots = [np.abs(r) for r in (results.arroots, results.maroots) if r.size]
        except Exception:  # noqa: BLE001 - a failed candidate is skipped, as in auto.arima
            return np.inf, None
        if not np.isfinite(ic) or any(r.min() < MIN_ROOT_MODULUS for r in roots):
            return np.inf, None
        return ic, results

    def _css_search_fit(self, y, exog, order, seasonal_order, constant):
        """Criterion of one candidate fitted by CSS (inf when it fails or has near-unit roots)."""
        spec = ArimaSpec(order, seasonal_order, bool(constant),
                         0 if exog is None else exog.shape[1])
        try:
            fit = fit_css(y, exog, spec,
                          enforce_stationarity=self.enforce_stationarity,
                          enforce_invertibility=self.enforce_invertibility)
        except InputValueError:  # too few values for these orders: skipped
            return np.inf, None
        ic = float(getattr(fit, self.information_criterion))
        if not (fit.converged and np.isfinite(ic)) or fit.min_root_modulus < MIN_ROOT_MODULUS:
            return np.inf, None
        return ic, fit

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
        goes through the convergence fallback instead, and its report is returned.
        """
        search_converged = converged(search_results)

        def fresh_fit():
            return fit_with_fallback(
                y, exog, order, seasonal_order, trend, method=self.method,
                maxiter=self.maxiter, fallback=not search_converged,
                owner=self._owner("final fit of the selected model"), **self._model_options(),
            )

        if search_converged:
            params = np.asarray(search_results.params, dtype=float)
            if search_results.model.concentrate_scale:
                params = np.r_[params, search_results.scale]
            model = make_sarimax(y, exog, order, seasonal_order, trend, **self._model_options())
            candidates = [
                SARIMAXFit(model.filter(params, cov_type="none"), order, seasonal_order,
                           self.method, "")
            ]
            # The search estimates stand in for a fresh fit that fails: nothing to report.
            try:
                candidates.append(fresh_fit()._replace(report=""))
            except ValueError:
                pass
        else:
            candidates = [fresh_fit()]
        usable = [c for c in candidates if converged(c.results)] or candidates
        best = min(usable, key=lambda c: np.nan_to_num(c.results.aic, nan=np.inf))
        self._store(best, y, exog, names, trend)
        return best.report
