"""``ETS``: exponential smoothing state-space models, the components chosen by AICc."""

import itertools

import numpy as np
import pandas as pd

from tsforecast.forecasting.base import BaseForecaster
from tsforecast.statistical._cached import CachedResultsMixin
from tsforecast.statistical._context import statsmodels_context
from tsforecast.statistical.long_series import fit_window, is_long_series
from tsforecast.statistical.seasonality import resolve_season_length
from tsforecast.validation import InputValueError, check_choice

__all__ = ["ETS"]


def _ets_label(error, trend, damped, seasonal):
    """Hyndman's ETS(error, trend, season) notation, e.g. ``ETS(M,Ad,M)``."""
    letter = {None: "N", "add": "A", "mul": "M"}
    trend_letter = letter[trend] + ("d" if damped and trend is not None else "")
    return f"ETS({letter[error]},{trend_letter},{letter[seasonal]})"


class ETS(CachedResultsMixin, BaseForecaster):
    """Exponential smoothing state-space model (statsmodels ``ETSModel``), chosen by AICc.

    Each component set to ``"auto"`` is chosen by fitting every admissible combination
    and keeping the lowest ``information_criterion``, as R's ``forecast::ets`` does with
    its default restrictions: multiplicative error or seasonality only for strictly
    positive series; additive error never combined with multiplicative seasonality
    (numerically unstable); no multiplicative trend (statsmodels has none); seasonality
    only when ``2 <= m <= 24`` and there are more than two seasons of data. Prediction
    intervals use statsmodels' closed forms for the models that have them and simulation
    (seeded by ``random_state``) for the others.

    Long series (more than 1000 values, see :mod:`~tsforecast.statistical.long_series`)
    are fitted on their most recent ``max(1000, 10 m)`` values, with the initial states
    set by statsmodels' heuristic (from the first seasons of that window) instead of
    estimated with the smoothing parameters: every candidate then has a handful of
    parameters instead of ``m + 3``, and the cost no longer grows with the length of the
    series. The forecasts start from the end of the series.

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
    n_fit_ : int
        Number of (most recent) values the model was fitted on.
    approximation_ : bool
        Whether the long-series approximation (recent window, heuristic initial states)
        was used.

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
        check_choice(self.error, "error", ("auto", "add", "mul"))
        check_choice(self.trend, "trend", ("auto", None, "add"))
        check_choice(self.damped_trend, "damped_trend", ("auto", True, False))
        check_choice(self.seasonal, "seasonal", ("auto", None, "add", "mul"))
        check_choice(self.information_criterion, "information_criterion", ("aicc", "aic", "bic"))
        positive = bool(np.all(y > 0))
        can_season = 2 <= m <= 24 and len(y) > 2 * m
        errors = ["add", "mul"] if self.error == "auto" else [self.error]
        trends = [None, "add"] if self.trend == "auto" else [self.trend]
        dampings = [False, True] if self.damped_trend == "auto" else [bool(self.damped_trend)]
        seasonals = [None, "add", "mul"] if self.seasonal == "auto" else [self.seasonal]
        if self.seasonal not in ("auto", None) and not can_season:
            raise InputValueError(
                f"{name}: `seasonal`={self.seasonal!r} needs a season length between 2 and 24 "
                f"and more than two seasons of data (season length {m}, {len(y)} values); "
                "pass seasonal=None or a longer series."
            )
        if not positive and ("mul" in (self.error, self.seasonal)):
            raise InputValueError(
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

    def _make_model(self, y, error, trend, damped, seasonal, m, heuristic=False):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        # A Series (not an ndarray): statsmodels' ETS prediction code needs an index.
        return ETSModel(
            pd.Series(y),
            error=error,
            trend=trend,
            damped_trend=bool(damped and trend is not None),
            seasonal=seasonal,
            seasonal_periods=m if seasonal else None,
            initialization_method="heuristic" if heuristic else "estimated",
        )

    @statsmodels_context()
    def _fit(self, y, X=None):
        m = resolve_season_length(self, self.season_length)
        approximate = is_long_series(len(y))
        y = y[-fit_window(len(y), m):]
        rows = []
        best = None
        for error, trend, damped, seasonal in self._candidates(y, m):
            try:
                model = self._make_model(y, error, trend, damped, seasonal, m, approximate)
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
            raise InputValueError(
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
        self.n_fit_ = len(self.y_)
        self.approximation_ = approximate
        self._cache_results = results
        return self

    def _rebuild_results(self):
        model = self._make_model(
            self.y_, self.error_, self.trend_, self.damped_trend_, self.seasonal_,
            self.season_length_, getattr(self, "approximation_", False),
        )
        return model.smooth(self.params_)

    @statsmodels_context()
    def _predict(self, horizon, X=None):
        return np.asarray(self._results().forecast(horizon), dtype=float)

    @statsmodels_context()
    def _predict_interval(self, horizon, coverage, X=None):
        n = len(self.y_)
        prediction = self._results().get_prediction(
            start=n, end=n + horizon - 1, rng=np.random.default_rng(self.random_state)
        )
        frame = prediction.summary_frame(alpha=1 - coverage)
        return (
            frame["mean"].to_numpy(),
            frame["pi_lower"].to_numpy(),
            frame["pi_upper"].to_numpy(),
        )
