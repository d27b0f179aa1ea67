"""Turn any scikit-learn regressor into a multi-step forecaster over sliding windows.

:class:`WindowForecaster` cuts the series into (input window, future values) pairs with
:func:`tsforecast.windowing.make_windows`, trains the regressor on them and forecasts
from the last window. Three multi-step strategies:

``"multioutput"``
    one model predicts all ``horizon`` values at once (direct many-to-many);
``"recursive"``
    one one-step model, fed its own predictions;
``"direct"``
    one model per step (``horizon`` clones).

The recurrent regressors of :mod:`tsforecast.regressors` receive windows of shape
``(n, window, 1)``; any other regressor (``Ridge``, a ``Pipeline``) receives ``(n, window)``.

Normalisation (:mod:`~tsforecast.forecasting.normalization`), global training across many
series and seed ensembles are each one parameter away; prediction intervals come from
conformal calibration on rolling-origin residuals (:mod:`~tsforecast.forecasting.conformal`).
"""

import numbers
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone

from tsforecast.forecasting.base import BaseForecaster, IntervalUnavailableError
from tsforecast.forecasting.conformal import calibration_cutoffs, conformal_interval
from tsforecast.forecasting.normalization import NORMALIZE, series_stats, window_stats
from tsforecast.frequency import season_length as _season_length_of
from tsforecast.validation import InputTypeError, InputValueError, check_int
from tsforecast.windowing import make_windows

__all__ = ["WindowForecaster"]

_STRATEGIES = ("multioutput", "recursive", "direct")


class WindowForecaster(BaseForecaster):
    """Forecast with a regressor trained on sliding windows of the series.

    Parameters
    ----------
    regressor : scikit-learn regressor
        Maps an input window to the next value(s): ``Ridge()``, a ``Pipeline``, or a
        recurrent regressor such as ``LSTMRegressor()``. It is cloned, never modified.
    window : int, default=24
        Number of past values the regressor sees.
    horizon : int, default=12
        Number of steps the model is trained to forecast (and the default of
        ``predict``). Longer forecasts feed forecasts back as inputs.
    strategy : {"multioutput", "recursive", "direct"}, default="multioutput"
        Multi-step strategy (see the module documentation).
    normalize : {None, "auto", "window", "mean", "last", "seasonal", "series"}, \
default=None
        How values are scaled before they reach the regressor (and restored after):

        - ``"auto"``: each series standardised with its own training mean and standard
          deviation (as ``"series"``), then ``"seasonal"`` windows when the season
          length (``season_length``, else inferred from the frequency of the training
          index) is above 1 and ``window`` covers at least one season, otherwise
          ``"last"`` windows. The choice made is stored in ``normalize_``. It is the
          default of the recurrent forecasters; for a linear regressor such as
          ``Ridge`` it gains nothing over ``None``;
        - ``None``: as they are (for one series); per-series standardisation for a
          global model;
        - ``"window"``: each window minus its mean, divided by its standard deviation;
        - ``"mean"``: each window minus its mean;
        - ``"last"``: each window minus its last value;
        - ``"seasonal"``: inputs minus the mean of the window's last season; targets
          minus a seasonal base forecast: the seasonal profile averaged over the
          complete seasons of the window, at the level of the last season (with one
          season in the window this is the seasonal naive forecast). The regressor
          learns corrections to it. Needs ``season_length`` and
          ``window >= season_length``;
        - ``"series"``: each series standardised with its own training mean and
          standard deviation.

        Per-window normalisation lets one model serve series of different levels.
    global_model : bool, default=False
        With a wide DataFrame, train one model on the windows of all columns (each
        column windowed separately: no padding; leading NaN dropped). Otherwise one
        model is fitted per column.
    n_ensemble : int, default=1
        Number of models trained with seeds ``random_state + i``; their forecasts are
        combined by the median.
    random_state : int, optional
        Seed of the first ensemble member, passed to every ``random_state`` parameter
        of the regressor. ``None`` draws a random base seed.
    conformal : bool, default=True
        Calibrate conformal prediction intervals at fit time (refits the model on
        ``n_calibration`` earlier cutoffs). ``False`` fits faster and has no intervals.
    n_calibration : int, default=3
        Number of calibration folds for the conformal intervals.
    season_length : int, optional
        Period of the seasonal cycle, used by ``normalize="seasonal"`` and
        ``normalize="auto"`` (which infers it from the training index when omitted).
    n_jobs : int, optional
        Regressors fitted at the same time, in threads (the ensemble members and the
        models of the calibration folds are independent; ``None`` means 1, ``-1`` all
        cores). Worth it for the recurrent regressors, whose compiled training runs
        outside Python's global interpreter lock; the fitted models are the same.

    Attributes
    ----------
    normalize_ : str or None
        The normalisation used: ``normalize``, or what ``"auto"`` resolved to.
    season_length_ : int or None
        The season length used: ``season_length``, or for ``"auto"`` the one inferred
        from the training index (1 for none).
    estimators_ : list of estimators
        Fitted regressors: ``n_ensemble`` blocks of ``horizon`` models for
        ``"direct"``, else one per ensemble member.
    last_windows_ : numpy.ndarray of shape (n_series, window)
        The last ``window`` training values of each series.
    series_loc_, series_scale_ : numpy.ndarray of shape (n_series,)
        Per-series centring and scaling (0 and 1 when unused).
    residuals_ : numpy.ndarray of shape (n_series, n_residuals, horizon) or None
        Out-of-sample calibration residuals per horizon step (NaN where missing).
    calibration_cuts_ : list of int
        How many values before the end of the training data each calibration fold's
        cutoff lies, latest fold first (the first is ``horizon``); empty without
        calibration.
    calibration_forecasts_ : numpy.ndarray of shape (n_folds, n_series, horizon) or None
        The forecast each calibration fold made from its own cutoff, on the scale of the
        training data (see :meth:`calibration_forecasts`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> y = np.arange(40.0)
    >>> f = WindowForecaster(LinearRegression(), window=4, horizon=3).fit(y)
    >>> np.round(f.predict().to_numpy(), 6)
    array([40., 41., 42.])
    """

    def __init__(
        self,
        regressor,
        *,
        window=24,
        horizon=12,
        strategy="multioutput",
        normalize=None,
        global_model=False,
        n_ensemble=1,
        random_state=None,
        conformal=True,
        n_calibration=3,
        season_length=None,
        n_jobs=None,
    ):
        self.regressor = regressor
        self.window = window
        self.horizon = horizon
        self.strategy = strategy
        self.normalize = normalize
        self.global_model = global_model
        self.n_ensemble = n_ensemble
        self.random_state = random_state
        self.conformal = conformal
        self.n_calibration = n_calibration
        self.season_length = season_length
        self.n_jobs = n_jobs

    def _instance_tags(self):
        return {
            "capability:global": bool(self.global_model),
            "capability:pred_int": bool(self.conformal),
        }

    # ---------------------------------------------------------------- params
    def _make_regressor(self):
        return clone(self.regressor)

    def _validate_params(self):
        for name in ("window", "horizon", "n_ensemble"):
            check_int(getattr(self, name), name)
        if self.strategy not in _STRATEGIES:
            raise InputValueError(
                f"`strategy`={self.strategy!r} must be one of {', '.join(_STRATEGIES)}."
            )
        if self.normalize not in NORMALIZE:
            raise InputValueError(
                f"`normalize`={self.normalize!r} must be one of 'auto', None, 'window', "
                "'mean', 'last', 'seasonal' or 'series'."
            )
        if self.normalize == "auto":
            check_int(self.season_length, "season_length", allow_none=True,
                      meaning="None infers it from the index")
        if self.normalize == "seasonal":
            m = self.season_length
            if m is None:
                raise InputValueError(
                    "`normalize='seasonal'` needs `season_length`; pass e.g. "
                    "`season_length=12` for monthly data."
                )
            check_int(m, "season_length")
            if m > self.window:
                raise InputValueError(
                    f"`normalize='seasonal'` needs `window`={self.window} >= "
                    f"`season_length`={m}; pass e.g. `window={2 * m}`."
                )
        if self.random_state is not None and not isinstance(self.random_state, numbers.Integral):
            raise InputTypeError(f"`random_state`={self.random_state!r} must be an int or None.")

    def _resolve_normalize(self):
        """The normalisation and season length used by this fit (resolves ``"auto"``)."""
        if self.normalize != "auto":
            return self.normalize, self.season_length
        m = self.season_length
        if m is None:
            m = _season_length_of(getattr(self, "freq_", None))
        m = int(m)
        if m > 1 and int(self.window) >= m:
            return "seasonal", m
        return "last", m

    def _normalization(self):
        # fitted models carry the resolved values; the parameters are the fallback
        return (
            getattr(self, "normalize_", self.normalize),
            getattr(self, "season_length_", self.season_length),
        )

    def _series_mode(self):
        # used at fit time only: the per-series statistics are fitted attributes
        normalize = self._normalization()[0]
        return (
            self.normalize == "auto"
            or normalize == "series"
            or (normalize is None and bool(self.global_model))
        )

    # ------------------------------------------------------------------- fit
    def _fit(self, y, X=None):
        self._validate_params()
        series = _split_series(y)
        short = [
            (name, len(values))
            for name, values in zip(self.series_names_, series)
            if len(values) < self.window + self._train_horizon()
        ]
        if short:
            name, n = short[0]
            raise InputValueError(
                f"Series {name!r} has {n} values but `window`={self.window} + "
                f"{self._train_horizon()} target step(s) need at least "
                f"{self.window + self._train_horizon()}; pass a shorter `window` or "
                "`horizon`, or a longer series."
            )
        if self.random_state is None:
            self.seed_ = int(np.random.default_rng().integers(0, 2**31 - 1 - self.n_ensemble))
        else:
            self.seed_ = int(self.random_state)
        self.normalize_, self.season_length_ = self._resolve_normalize()
        # the final models and those of the calibration cutoffs are fitted in one batch
        # of independent jobs (in threads with n_jobs)
        cuts = self._calibration_cuts(series) if self.conformal else []
        fitted = self._fit_models(
            [series] + [[values[: len(values) - cut] for values in series] for cut in cuts]
        )
        self.estimators_, loc, scale = fitted[0]
        self.series_loc_, self.series_scale_ = loc, scale
        self.last_windows_ = np.stack([values[-self.window :] for values in series])
        self.residuals_, self.calibration_forecasts_ = None, None
        self.calibration_cuts_ = list(cuts)
        if cuts:
            self.residuals_, self.calibration_forecasts_ = self._calibration_residuals(
                series, cuts, fitted[1:]
            )
        return self

    def _train_horizon(self):
        return 1 if self.strategy == "recursive" else int(self.horizon)

    def _training_windows(self, series):
        """Normalised windows and targets of a list of 1-D series, with the per-series
        centring and scaling: ``(Xw, Yw, loc, scale)``."""
        window, steps = int(self.window), self._train_horizon()
        loc, scale = series_stats(series, self._series_mode())
        inputs, targets, ages = [], [], []
        for values, mu, sd in zip(series, loc, scale):
            Xw, Yw = make_windows((values - mu) / sd, window, steps)
            inputs.append(Xw)
            targets.append(Yw)
            ages.append(np.arange(len(Xw), 0, -1))
        # every series ends at the cutoff: order the rows of all series by time, so that a
        # regressor holding out its last rows for early stopping holds out the latest ones
        order = np.argsort(-np.concatenate(ages), kind="stable")
        Xw, Yw = np.concatenate(inputs)[order], np.concatenate(targets)[order]
        in_loc, wscale, out_loc = window_stats(Xw, steps, *self._normalization())
        Xw, Yw = (Xw - in_loc) / wscale, (Yw - out_loc) / wscale
        return self._shape_inputs(Xw), Yw, loc, scale

    def _fit_models(self, training_sets):
        """Fit the ensemble on each list of 1-D series in ``training_sets``.

        Returns one ``(estimators, loc, scale)`` per training set. All regressors are
        independent jobs, run in ``n_jobs`` threads.
        """
        from joblib import Parallel, delayed

        steps = self._train_horizon()
        prepared = [self._training_windows(series) for series in training_sets]
        jobs = []
        for Xw, Yw, _, _ in prepared:
            if self.strategy == "direct":  # one model per step
                targets = [Yw[:, k] for k in range(steps)]
            else:
                targets = [Yw[:, 0] if steps == 1 else Yw]
            for i in range(int(self.n_ensemble)):
                jobs += [(Xw, target, self.seed_ + i) for target in targets]
        fitted = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(_fit_seeded)(self._make_regressor(), Xw, target, seed)
            for Xw, target, seed in jobs
        )
        per_set = len(fitted) // len(prepared)
        return [
            (fitted[k * per_set : (k + 1) * per_set], loc, scale)
            for k, (_, _, loc, scale) in enumerate(prepared)
        ]

    def _shape_inputs(self, Xw):
        Xw = np.ascontiguousarray(Xw, dtype=float)
        if _takes_sequences(self.regressor):
            return Xw[:, :, None]
        return Xw

    # --------------------------------------------------------------- predict
    def _forecast(self, estimators, windows, steps, loc, scale):
        """Forecast ``steps`` values after each row of ``windows`` (original scale)."""
        window = int(self.window)
        history = (np.asarray(windows, dtype=float) - loc[:, None]) / scale[:, None]
        produced = 0
        while produced < steps:
            block = self._predict_block(estimators, history[:, -window:])
            history = np.concatenate([history, block], axis=1)
            produced += block.shape[1]
        forecast = history[:, window : window + steps]
        return forecast * scale[:, None] + loc[:, None]

    def _predict_block(self, estimators, inputs):
        steps = self._train_horizon()
        in_loc, scale, out_loc = window_stats(inputs, steps, *self._normalization())
        X = self._shape_inputs((inputs - in_loc) / scale)
        n = X.shape[0]
        if self.strategy == "direct":
            members = [
                np.column_stack(
                    [
                        np.asarray(est.predict(X), dtype=float).reshape(n)
                        for est in estimators[i * steps : (i + 1) * steps]
                    ]
                )
                for i in range(len(estimators) // steps)
            ]
        else:
            members = [np.asarray(est.predict(X), dtype=float).reshape(n, -1) for est in estimators]
        block = np.median(np.stack(members), axis=0) if len(members) > 1 else members[0]
        if not np.all(np.isfinite(block)):
            raise InputValueError(
                f"{type(self).__name__}: the regressor produced non-finite forecasts; check "
                "the training data or use `normalize='window'` to keep inputs on a unit scale."
            )
        return block * scale + out_loc

    def _predict(self, horizon, X=None):
        forecast = self._forecast(
            self.estimators_, self.last_windows_, horizon, self.series_loc_, self.series_scale_
        )
        return forecast[0] if forecast.shape[0] == 1 else forecast.T

    def _predict_interval(self, horizon, coverage, X=None):
        if self.residuals_ is None:
            raise IntervalUnavailableError(
                f"{type(self).__name__} has no calibration residuals: the training series "
                f"was too short to calibrate `horizon`={self.horizon} with "
                f"`window`={self.window}; refit with a shorter window or horizon."
            )
        point = self._forecast(
            self.estimators_, self.last_windows_, horizon, self.series_loc_, self.series_scale_
        )
        lower, upper = np.empty_like(point), np.empty_like(point)
        for j in range(point.shape[0]):
            lower[j], upper[j] = conformal_interval(point[j], self.residuals_[j], coverage)
        if point.shape[0] == 1:
            return point[0], lower[0], upper[0]
        return point.T, lower.T, upper.T

    # ----------------------------------------------------------- calibration
    def _calibration_cuts(self, series):
        """How many values before the end each calibration fold cuts every series."""
        horizon, window = int(self.horizon), int(self.window)
        shortest = min(len(values) for values in series)
        offsets = calibration_cutoffs(
            shortest,
            horizon=horizon,
            min_train=window + self._train_horizon() + 1,
            n_folds=int(self.n_calibration),
        )
        if not offsets:
            warnings.warn(
                f"{type(self).__name__}: a series of {shortest} values is too short to "
                f"calibrate intervals for `horizon`={horizon} with `window`={window}; "
                "predict_interval will fail. Use a shorter window or horizon.",
                UserWarning,
                stacklevel=3,
            )
        return [shortest - c for c in offsets]

    def _calibration_residuals(self, series, cuts, fitted):
        """Rolling-origin residuals of the models ``fitted`` on the series shortened by
        ``cuts``, shape (n_series, n_residuals, horizon), and each fold's forecast from its
        own cutoff, shape (n_folds, n_series, horizon)."""
        horizon, window = int(self.horizon), int(self.window)
        per_series = [[] for _ in series]
        at_cutoff = np.full((len(cuts), len(series), horizon), np.nan)
        for k, (cut, (estimators, loc, scale)) in enumerate(zip(cuts, fitted)):
            for j, values in enumerate(series):
                origins = np.arange(len(values) - cut, len(values))
                windows = np.stack([values[o - window : o] for o in origins])
                forecast = self._forecast(
                    estimators, windows, horizon, np.repeat(loc[j], len(origins)),
                    np.repeat(scale[j], len(origins)),
                )
                actual = np.full((len(origins), horizon), np.nan)
                for r, o in enumerate(origins):
                    future = values[o : o + horizon]
                    actual[r, : len(future)] = future
                per_series[j].append(actual - forecast)
                at_cutoff[k, j] = forecast[0]
        stacked = [np.concatenate(blocks) for blocks in per_series]
        return np.stack(stacked), at_cutoff

    def _calibration_forecasts(self):
        if getattr(self, "calibration_forecasts_", None) is None:
            return None
        rows = []
        for k, cut in enumerate(self.calibration_cuts_):
            cutoff = self._training_index(cut + 1)[0]
            for j, name in enumerate(self.series_names_):
                for step, value in enumerate(self.calibration_forecasts_[k, j], start=1):
                    rows.append((name, k, cutoff, step, float(value)))
        return pd.DataFrame(rows, columns=["series", "fold", "cutoff", "step", "forecast"])


def _split_series(y):
    if isinstance(y, pd.DataFrame):
        return [y[name].dropna().to_numpy(dtype=float) for name in y.columns]
    return [np.asarray(y, dtype=float)]


def _seeded(estimator, seed):
    params = estimator.get_params(deep=True)
    seeds = {k: seed for k in params if k == "random_state" or k.endswith("__random_state")}
    return estimator.set_params(**seeds) if seeds else estimator


def _fit_seeded(estimator, X, y, seed):
    return _seeded(estimator, seed).fit(X, y)


def _takes_sequences(regressor):
    """Whether ``regressor`` reads 3-D windows ``(n, window, features)``, as the recurrent
    regressors do (scikit-learn's ``three_d_array`` input tag)."""
    from sklearn.utils import get_tags

    return get_tags(regressor).input_tags.three_d_array
