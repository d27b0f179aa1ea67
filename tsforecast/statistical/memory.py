"""Peak memory of the statistical models, estimated from the series length and the model size.

:func:`estimate_memory` tells, before a fit, how much memory a model will add on top of the
imported libraries, from the length of the series, the season length and the size of the
model's state: the length a long series is fitted on (:mod:`~tsforecast.statistical.long_series`),
and for the state-space ARIMA models the state dimension ``k`` (:func:`sarimax_state_dimension`).

statsmodels' Kalman filter keeps, unless told to conserve memory, about a dozen ``k x k``
matrices per time step (predicted and filtered state covariances, and the smoother's
covariances that ``fit`` computes at the end): ``12 * 8 * k^2 * n`` bytes, measured on
SARIMAX fits of several lengths and state sizes. A seasonal ARIMA of hourly data
(``k`` about 50 with its seasonal differences) on 100,000 values would need 24 GB that way,
and the automatic search used to keep such results for every candidate it fitted. The
models of this package conserve memory in every fit
(:func:`~tsforecast.statistical.sarimax.make_sarimax`): it changes none of their results,
so it needs no threshold; ``conserve_memory=False`` estimates the full mode (what
``get_statsmodels_results``, which smooths, needs).

The constants below come from measured peak resident memory (``tests/benchmarks/bench_long.py``
compares estimates and measurements); they are estimates, good to a factor of about two.
"""

from tsforecast.statistical.long_series import approximate_arima, fit_window
from tsforecast.validation import InputValueError, check_int

__all__ = ["estimate_memory", "sarimax_state_dimension"]

_FLOAT = 8
#: ``k x k`` matrices per step that statsmodels keeps when it filters and smooths in full.
_FULL_MATRICES_PER_STEP = 12
#: Bytes per step a conserving filter still keeps (per-step likelihood, data, work arrays).
_CONSERVING_BYTES_PER_STEP = 1500
#: Copies of the series that a fit makes (validation, float conversion, differences).
_SERIES_COPIES = 4
#: Work arrays per value and seasonal period of an MSTL decomposition (statsmodels' STL).
_STL_ARRAYS_PER_PERIOD = 12

_ALIASES = {
    "seasonalnaive": "snaive",
    "autoarima": "autoarima",
    "arima": "arima",
}
_MODELS = ("naive", "snaive", "drift", "mean", "naive2", "arima", "autoarima", "ets", "theta",
           "mstl")


def sarimax_state_dimension(order, seasonal_order, simple_differencing=False):
    """State dimension of statsmodels' ``SARIMAX`` of these orders.

    ``max(p + P m, q + Q m + 1)`` for the ARMA part, plus ``d + D m`` for the differences
    unless the series is differenced before (``simple_differencing=True``).

    Examples
    --------
    >>> sarimax_state_dimension((2, 0, 1), (1, 1, 1, 24))
    50
    >>> sarimax_state_dimension((2, 0, 1), (1, 1, 1, 24), simple_differencing=True)
    26
    """
    p, d, q = (int(v) for v in order)
    P, D, Q, m = (int(v) for v in seasonal_order)
    m = m if m > 1 else 0
    arma = max(p + P * m, q + Q * m + 1)
    return arma + (0 if simple_differencing else d + D * m)


def _state_space_bytes(n_obs, k_states, conserve):
    if conserve:
        return _CONSERVING_BYTES_PER_STEP * n_obs + _FLOAT * k_states**2 * 8
    return _FULL_MATRICES_PER_STEP * _FLOAT * k_states**2 * n_obs


def _model_name(model):
    if isinstance(model, str):
        key = model.strip().lower().replace("-", "").replace("_", "")
    else:
        key = type(model).__name__.lower()
    key = _ALIASES.get(key, key)
    if key not in _MODELS:
        raise InputValueError(
            f"estimate_memory knows the statistical models {', '.join(_MODELS)}; got "
            f"{model!r}."
        )
    return key


def _arima_orders(model, m):
    """Orders of the largest model an ARIMA (or AutoARIMA search) can end up fitting."""
    params = model.get_params() if not isinstance(model, str) else {}
    if "order" in params:
        seasonal = params["seasonal_order"]
        return tuple(params["order"]), (*seasonal[:3], m if seasonal[3] is None else seasonal[3])
    max_seasonal = 1 if m <= 24 else 0
    p, q = params.get("max_p", 5), params.get("max_q", 5)
    P = min(params.get("max_P", 2), max_seasonal)
    Q = min(params.get("max_Q", 2), max_seasonal)
    return (p, 1, q), (P, 1 if m > 1 else 0, Q, m)


def _approximation(model, n_obs, m):
    setting = None if isinstance(model, str) else model.get_params().get("approximation")
    return approximate_arima(n_obs, m) if setting is None else bool(setting)


def estimate_memory(model, n_obs, season_length=1, *, conserve_memory=True):
    """Expected peak memory, in bytes, that fitting and forecasting ``model`` adds.

    Parameters
    ----------
    model : str or forecaster
        A statistical model by registry name (``"autoarima"``, ``"ets"``, ``"mstl"``,
        ``"snaive"``, ...) or class name, or an unfitted forecaster (its orders and its
        ``approximation`` setting are used).
    n_obs : int
        Length of the series.
    season_length : int, default=1
        Season length (for ``mstl``: the longest seasonal period).
    conserve_memory : bool, default=True
        For exact state-space fits: whether the Kalman filter conserves memory, as every
        fit of this package does (False: statsmodels' default, kept per time step).

    Returns
    -------
    int
        Bytes above what the process uses with the libraries imported and the series
        loaded.

    Examples
    --------
    >>> estimate_memory("autoarima", 100_000, 24) < 100 * 2**20
    True
    """
    name = _model_name(model)
    n_obs = check_int(n_obs, "n_obs")
    m = check_int(season_length, "season_length")
    series = _SERIES_COPIES * _FLOAT * n_obs
    if name in ("naive", "snaive", "drift", "mean", "naive2"):
        return series
    if name in ("arima", "autoarima"):
        order, seasonal_order = _arima_orders(model, m)
        if _approximation(model, n_obs, m):
            # conditional sum of squares: a few arrays of the window and its Jacobian
            n_fit = fit_window(n_obs, m)
            n_params = sum(order) + sum(seasonal_order[:3]) + 2
            return series + _FLOAT * n_fit * (n_params + 10)
        k_states = sarimax_state_dimension(order, seasonal_order)
        # the search's models (differenced) are smaller than the final, integrated one
        return series + _state_space_bytes(n_obs, k_states, conserve_memory)
    n_fit = fit_window(n_obs, m)
    if name == "ets":
        seasonal_states = m if 2 <= m <= 24 else 0
        # the best and the current candidate's results: states and a dozen series each
        return series + 2 * _FLOAT * (n_fit + 1) * (seasonal_states + 14)
    if name == "theta":
        return series + 20 * _FLOAT * n_fit
    # mstl (two periods, the longest m): the decomposition of the window, then ETS on the
    # deseasonalised window
    decomposition = _FLOAT * n_fit * (10 + 2 * _STL_ARRAYS_PER_PERIOD)
    return series + decomposition + estimate_memory("ets", n_fit, 1)
