"""Seasonal ARIMA by conditional sum of squares: the long-series fit of ``ARIMA`` and ``AutoARIMA``.

The model is statsmodels' ``SARIMAX`` with ``simple_differencing=True`` (same parameters,
same order, same names): the regression residual ``eta = y - X beta`` is differenced,
``u = (1 - L)^d (1 - L^m)^D eta``, and ``phi(L) Phi(L^m) u_t = c + theta(L) Theta(L^m) e_t``.
Instead of the exact likelihood of a Kalman filter, whose state has ``p + P m`` or
``q + Q m + 1`` values and whose cost per evaluation is ``n`` times the square of that (or
more), the innovations are computed by two linear filters conditional on the first values
(``scipy.signal.lfilter``, cost ``n (p + P m + q + Q m)``) and their sum of squares is
minimised by Levenberg-Marquardt over parameters transformed to the stationary and
invertible region (the transformation of ``SARIMAX``). This is R's ``method = "CSS"``.

Criteria: ``loglik = -n*/2 (log(2 pi sigma2) + 1)`` with ``sigma2`` the mean squared
innovation and ``n*`` the number of differenced values, the same for every ARMA order of
the same differencing (as R's ``auto.arima`` does in its approximation), so that the
criteria of candidate orders compare; ``aic = -2 loglik + 2 k`` with ``k`` the number of
coefficients plus one for ``sigma2``, as statsmodels counts.

Forecasts continue the two filters with zero future innovations and undo the
differencing; the forecast variance is ``sigma2`` times the cumulated squared
psi-weights of the integrated model (``statsmodels.tsa.arima_process.arma2ma``).
"""

from typing import NamedTuple

import numpy as np

from tsforecast.validation import InputValueError

__all__ = [
    "MIN_ROOT_MODULUS",
    "ArimaSpec",
    "CSSFit",
    "css_forecast",
    "fit_css",
    "reduced_polynomials",
]

#: Smallest modulus of an AR or MA root that a search accepts (R's ``auto.arima`` rule).
MIN_ROOT_MODULUS = 1.01


class ArimaSpec(NamedTuple):
    """Orders of a seasonal ARIMA with ``n_exog`` regressors and an optional constant."""

    order: tuple
    seasonal_order: tuple
    constant: bool
    n_exog: int = 0

    @property
    def n_coefficients(self):
        p, _, q = self.order
        P, _, Q, _ = self.seasonal_order
        return int(self.constant) + self.n_exog + p + q + P + Q

    def param_names(self, exog_names=None):
        """Parameter names in ``SARIMAX`` order, ``sigma2`` last."""
        p, _, q = self.order
        P, _, Q, m = self.seasonal_order
        exog_names = list(exog_names or [f"x{i + 1}" for i in range(self.n_exog)])
        return (
            (["intercept"] if self.constant else [])
            + exog_names
            + [f"ar.L{i}" for i in range(1, p + 1)]
            + [f"ma.L{i}" for i in range(1, q + 1)]
            + [f"ar.S.L{m * i}" for i in range(1, P + 1)]
            + [f"ma.S.L{m * i}" for i in range(1, Q + 1)]
            + ["sigma2"]
        )

    def blocks(self):
        """Slices of the intercept, beta, ar, ma, seasonal ar and seasonal ma coefficients."""
        p, _, q = self.order
        P, _, Q, _ = self.seasonal_order
        slices, start = [], 0
        for size in (int(self.constant), self.n_exog, p, q, P, Q):
            slices.append(slice(start, start + size))
            start += size
        return slices

    def split(self, params):
        """``(intercept, beta, ar, ma, seasonal ar, seasonal ma)`` of a coefficient vector."""
        parts = [params[block] for block in self.blocks()]
        intercept = float(parts[0][0]) if self.constant else 0.0
        return (intercept, *parts[1:])

    def differencing_polynomial(self):
        """Coefficients of ``(1 - L)^d (1 - L^m)^D``, lag 0 first."""
        d, (_, D, _, m) = self.order[1], self.seasonal_order
        polynomial = np.ones(1)
        for _ in range(d):
            polynomial = np.convolve(polynomial, [1.0, -1.0])
        for _ in range(D):
            polynomial = np.convolve(polynomial, np.r_[1.0, np.zeros(m - 1), -1.0])
        return polynomial


def _seasonal(coefficients, m, sign):
    """``1 + sign * (c_1 L^m + c_2 L^2m + ...)`` as lag coefficients."""
    polynomial = np.zeros(len(coefficients) * m + 1)
    polynomial[0] = 1.0
    polynomial[m::m] = sign * np.asarray(coefficients)
    return polynomial


def reduced_polynomials(spec, params):
    """``phi(L) Phi(L^m)`` and ``theta(L) Theta(L^m)`` as lag coefficients (lag 0 first)."""
    _, _, ar, ma, seasonal_ar, seasonal_ma = spec.split(params)
    m = max(spec.seasonal_order[3], 1)
    ar_polynomial = np.convolve(np.r_[1.0, -ar], _seasonal(seasonal_ar, m, -1.0))
    ma_polynomial = np.convolve(np.r_[1.0, ma], _seasonal(seasonal_ma, m, 1.0))
    return ar_polynomial, ma_polynomial


def _difference(values, polynomial):
    """``polynomial(L) values`` on the positions where every lag exists (axis 0)."""
    lags = len(polynomial) - 1
    out = polynomial[0] * values[lags:]
    for lag in range(1, lags + 1):
        if polynomial[lag] != 0:
            out = out + polynomial[lag] * values[lags - lag : len(values) - lag]
    return out


def _innovations(spec, u, params):
    """Conditional innovations of the differenced residual ``u`` (zeros before the start)."""
    from scipy.signal import lfilter

    intercept = spec.split(params)[0]
    ar_polynomial, ma_polynomial = reduced_polynomials(spec, params)
    ar_part = _difference(u, ar_polynomial) - intercept
    return lfilter([1.0], ma_polynomial, ar_part)


class _Problem:
    """The sum of squares of one ARIMA specification on one series, and its transforms."""

    def __init__(self, spec, y, exog, enforce_stationarity, enforce_invertibility):
        self.spec = spec
        self.delta = spec.differencing_polynomial()
        self.u_y = _difference(np.asarray(y, dtype=float), self.delta)
        self.u_x = None if exog is None else _difference(np.asarray(exog, dtype=float), self.delta)
        _, _, ar, ma, seasonal_ar, seasonal_ma = spec.blocks()
        self.constrained_blocks = [
            (block, is_ar)
            for block, is_ar, enforce in (
                (ar, True, enforce_stationarity), (ma, False, enforce_invertibility),
                (seasonal_ar, True, enforce_stationarity),
                (seasonal_ma, False, enforce_invertibility),
            )
            if enforce and block.stop > block.start
        ]

    def u(self, params):
        beta = self.spec.split(params)[1]
        return self.u_y if self.u_x is None else self.u_y - self.u_x @ beta

    def constrain(self, z):
        from statsmodels.tsa.statespace.tools import constrain_stationary_univariate

        params = np.array(z, dtype=float)
        for block, is_ar in self.constrained_blocks:
            constrained = constrain_stationary_univariate(params[block])
            # SARIMAX's MA polynomial is 1 + theta L: invertible when -theta is stationary
            params[block] = constrained if is_ar else -constrained
        return params

    def residuals(self, z):
        params = self.constrain(z)
        return _innovations(self.spec, self.u(params), params)

    def start(self):
        z = np.zeros(self.spec.n_coefficients)
        beta = np.zeros(self.spec.n_exog)
        if self.u_x is not None:
            beta = np.linalg.lstsq(self.u_x, self.u_y, rcond=None)[0]
            z[int(self.spec.constant) : int(self.spec.constant) + self.spec.n_exog] = beta
        if self.spec.constant:
            z[0] = float(np.mean(self.u_y if self.u_x is None else self.u_y - self.u_x @ beta))
        return z


class CSSFit(NamedTuple):
    """A CSS fit: coefficients (SARIMAX order, without ``sigma2``), criteria, diagnostics."""

    spec: ArimaSpec
    params: np.ndarray
    sigma2: float
    loglik: float
    aic: float
    aicc: float
    bic: float
    converged: bool
    n_used: int

    @property
    def min_root_modulus(self):
        """Smallest modulus of the roots of the reduced AR and MA polynomials (inf: none)."""
        moduli = [np.inf]
        for polynomial in reduced_polynomials(self.spec, self.params):
            nonzero = np.flatnonzero(polynomial)
            if nonzero[-1] > 0:
                # np.roots wants the highest power first
                moduli.append(float(np.abs(np.roots(polynomial[: nonzero[-1] + 1][::-1])).min()))
        return min(moduli)

    def params_with_sigma2(self):
        return np.r_[self.params, self.sigma2]


def fit_css(y, exog, spec, *, enforce_stationarity=True, enforce_invertibility=True,
            maxiter=200):
    """Fit a seasonal ARIMA by conditional sum of squares.

    Parameters
    ----------
    y : numpy.ndarray
        The series.
    exog : numpy.ndarray or None
        Regressors, one row per value of ``y``.
    spec : ArimaSpec
        Orders, constant and number of regressors.
    enforce_stationarity, enforce_invertibility : bool, default=True
        Keep the AR (MA) polynomials stationary (invertible) by the SARIMAX transformation.
    maxiter : int, default=200
        Levenberg-Marquardt iterations (each costs one evaluation per parameter).

    Returns
    -------
    CSSFit

    Raises
    ------
    InputValueError
        When the series has too few values for the orders.
    """
    from scipy.optimize import least_squares

    problem = _Problem(spec, y, exog, enforce_stationarity, enforce_invertibility)
    ar_lags = len(reduced_polynomials(spec, np.zeros(spec.n_coefficients))[0]) - 1
    n_star = len(problem.u_y)
    n_used = n_star - ar_lags
    n_params = spec.n_coefficients + 1
    if n_used <= n_params + 1:
        raise InputValueError(
            f"ARIMA{spec.order}{spec.seasonal_order} needs more than {n_params + 1 + ar_lags} "
            f"differenced values for its conditional sum of squares, got {n_star}; pass a "
            "longer series or lower orders."
        )
    z0 = problem.start()
    if spec.n_coefficients:
        solution = least_squares(problem.residuals, z0, method="lm",
                                 max_nfev=maxiter * (len(z0) + 1))
        z, converged = solution.x, bool(solution.status > 0)
    else:
        z, converged = z0, True
    params = problem.constrain(z)
    innovations = _innovations(spec, problem.u(params), params)
    sigma2 = float(innovations @ innovations) / n_used
    if not (np.isfinite(sigma2) and sigma2 > 0 and np.isfinite(params).all()):
        converged = False
        sigma2 = float("nan")
    loglik = -0.5 * n_star * (np.log(2 * np.pi * sigma2) + 1.0)
    aic = -2.0 * loglik + 2.0 * n_params
    aicc = aic + 2.0 * n_params * (n_params + 1) / max(n_star - n_params - 1, 1)
    bic = -2.0 * loglik + n_params * np.log(n_star)
    return CSSFit(spec, params, sigma2, float(loglik), float(aic), float(aicc), float(bic),
                  converged, int(n_used))


def css_forecast(fit, y, exog, future_exog, horizon):
    """Point forecasts and their standard errors, ``horizon`` steps after ``y``.

    Parameters
    ----------
    fit : CSSFit
        The fitted model.
    y, exog : numpy.ndarray
        The values the model was fitted on (and their regressors, or None).
    future_exog : numpy.ndarray or None
        Regressors of the ``horizon`` future steps.
    horizon : int
        Steps ahead.

    Returns
    -------
    mean, standard_error : numpy.ndarray
    """
    from statsmodels.tsa.arima_process import arma2ma

    spec, params = fit.spec, fit.params
    intercept, beta = spec.split(params)[:2]
    eta = np.asarray(y, dtype=float) - (0.0 if exog is None else np.asarray(exog) @ beta)
    delta = spec.differencing_polynomial()
    u = _difference(eta, delta)
    innovations = _innovations(spec, u, params)
    ar_polynomial, ma_polynomial = reduced_polynomials(spec, params)
    ar_lags, ma_lags, diff_lags = len(ar_polynomial) - 1, len(ma_polynomial) - 1, len(delta) - 1
    u_path = np.r_[u, np.zeros(horizon)]
    e_path = np.r_[np.zeros(max(ma_lags - len(innovations), 0)), innovations, np.zeros(horizon)]
    eta_path = np.r_[eta, np.zeros(horizon)]
    n_u, n_e, n_eta = len(u), len(e_path) - horizon, len(eta)
    for step in range(horizon):
        t_u, t_e, t_eta = n_u + step, n_e + step, n_eta + step
        value = intercept
        if ar_lags:
            value -= ar_polynomial[1:] @ u_path[t_u - ar_lags : t_u][::-1]
        if ma_lags:
            value += ma_polynomial[1:] @ e_path[t_e - ma_lags : t_e][::-1]
        u_path[t_u] = value
        level = -(delta[1:] @ eta_path[t_eta - diff_lags : t_eta][::-1]) if diff_lags else 0.0
        eta_path[t_eta] = value + level
    mean = eta_path[n_eta:]
    if future_exog is not None:
        mean = mean + np.asarray(future_exog) @ beta
    psi = arma2ma(np.convolve(ar_polynomial, delta), ma_polynomial, lags=horizon)
    standard_error = np.sqrt(fit.sigma2 * np.cumsum(psi**2))
    return mean, standard_error
