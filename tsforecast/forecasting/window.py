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
``(n, window, channels)``; any other regressor (``Ridge``, a ``Pipeline``) receives
``(n, features)``. Covariates (:mod:`~tsforecast.forecasting.covariates`) are windowed
alongside the target: past covariates over the input window, future covariates (known in
advance, e.g. :class:`~tsforecast.forecasting.calendar.CalendarFeatures`) also over the
target steps.

Long series: ``max_windows`` trains each model on a fixed budget of windows sampled from
the whole series, the newest always among them (:func:`~tsforecast.windowing.sample_windows`;
each ensemble member draws its own sample), so time and memory grow with the budget, not with
the length of the series: the windows are views on one copy of the series, and only the
sampled rows are copied for the regressor. Under a
:func:`~tsforecast.forecasting.budget.training_budget` (a deadline, or a stop request) the
models not started when it runs out are not trained: the forecaster keeps the ensemble
members that finished (at least one), and its intervals when every calibration fold has one.

Normalisation (:mod:`~tsforecast.forecasting.normalization`), global training across many
series and seed ensembles are each one parameter away; prediction intervals come from
conformal calibration on rolling-origin residuals (:mod:`~tsforecast.forecasting.conformal`).
A fitted model forecasts any series from its last window (``predict(y=...)``), also one it
was not trained on.
"""

import numbers
import warnings
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import clone

from tsforecast.forecasting.base import BaseForecaster, IntervalUnavailableError
from tsforecast.forecasting.budget import current_budget
from tsforecast.forecasting.conformal import conformal_interval
from tsforecast.forecasting.covariates import (
    WindowCovariatesMixin,
    covariate_stats,
    model_inputs,
)
from tsforecast.forecasting.layout import covariates_for
from tsforecast.forecasting.normalization import NORMALIZE, series_stats, window_stats
from tsforecast.forecasting.window_calibration import ConformalCalibrationMixin
from tsforecast.frequency import season_length as _season_length_of
from tsforecast.validation import InputTypeError, InputValueError, check_int
from tsforecast.windowing import (
    covariate_windows,
    make_windows,
    sample_windows,
    time_ordered_windows,
)

__all__ = ["WindowForecaster"]

_STRATEGIES = ("multioutput", "recursive", "direct")


class _Fitted(NamedTuple):
    """The models of one training set and the scaling they were trained with."""

    estimators: list
    loc: np.ndarray
    scale: np.ndarray
    covariate_loc: Any
    covariate_scale: Any


class _WindowSource(NamedTuple):
    """Every training window of a list of series, as views, in time order across series.

    ``inputs[j]``, ``targets[j]``, ``pasts[j]`` and ``futures[j]`` are the window views of
    series ``j``, ``counts[j]`` of them; the rows of all series are ordered by time
    (:func:`~tsforecast.windowing.time_ordered_windows`; ``counts`` is None for one series:
    its rows are already in time order).
    """

    n_rows: int
    inputs: list
    targets: list
    pasts: list
    futures: list
    counts: Any
    loc: np.ndarray
    scale: np.ndarray
    covariate_loc: Any
    covariate_scale: Any


class WindowForecaster(WindowCovariatesMixin, ConformalCalibrationMixin, BaseForecaster):
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
        Multi-step strategy (see the module documentation). A regressor that predicts
        one output only (scikit-learn tag ``target_tags.multi_output`` false, e.g.
        ``HistGradientBoostingRegressor``, ``SVR``) gets ``"direct"`` instead of
        ``"multioutput"``; ``strategy_`` says which was used.
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
        Covariates are standardised with their training mean and standard deviation.
    global_model : bool, default=False
        With a wide DataFrame, train one model on the windows of all columns (each
        column windowed separately: no padding; leading NaN dropped). Otherwise one
        model is fitted per column. A global model standardises each series with its own
        training mean and standard deviation before any window normalisation, so that
        series of every scale weigh alike in its training loss.
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
    future_covariates : list of str, "all" or None, default=None
        The columns of ``X`` whose future values are known in advance (planned
        promotions, holidays, prices set ahead): the regressor sees them over the input
        window and the steps it forecasts, and ``predict`` needs ``X`` with their values
        for those steps. Every other column of ``X`` is a past covariate (a related
        series), seen over the input window only: forecasts that feed forecasts back
        (``"recursive"`` beyond one step, or more than ``horizon`` steps) need its
        future values in ``X`` too, else an ``InputValueError`` says so.
    calendar : bool or CalendarFeatures, default=False
        Add calendar features of the timestamps as future covariates: ``True`` for
        :class:`~tsforecast.forecasting.calendar.CalendarFeatures` with its defaults
        (the month for monthly data, the day of the week for daily data, ...), or a
        configured ``CalendarFeatures``. They need no ``X``.
    max_windows : int, optional
        Budget of training windows per model. A series (or, for a global model, all
        series together) with more windows trains each model on ``max_windows`` of them:
        the newest quarter of the budget always, the rest sampled uniformly from all
        older windows, a new sample for each ensemble member
        (:func:`~tsforecast.windowing.sample_windows`). Training time and memory then stay
        the same however long the series. None trains on every window.

    Attributes
    ----------
    strategy_ : str
        The multi-step strategy used (``"direct"`` for a single-output regressor).
    normalize_ : str or None
        The normalisation used: ``normalize``, or what ``"auto"`` resolved to.
    season_length_ : int or None
        The season length used: ``season_length``, or for ``"auto"`` the one inferred
        from the training index (1 for none).
    estimators_ : list of estimators
        Fitted regressors: ``n_ensemble_`` blocks of ``horizon`` models for
        ``"direct"``, else one per ensemble member.
    n_ensemble_ : int
        Ensemble members trained: ``n_ensemble``, or fewer when a training budget ran out.
    n_windows_ : int
        Training windows each model of the final fit was trained on (at most
        ``max_windows``).
    n_windows_available_ : int
        Training windows the series offered.
    training_stopped_ : str or None
        Why training stopped before every model was trained (``"time budget"``,
        ``"interrupted"``), or None.
    last_windows_ : numpy.ndarray of shape (n_series, window)
        The last ``window`` training values of each series.
    series_loc_, series_scale_ : numpy.ndarray of shape (n_series,)
        Per-series centring and scaling (0 and 1 when unused).
    past_covariates_, future_covariates_ : list
        Names of the covariates, in the order the regressor reads them (the calendar
        features last).
    calendar_ : CalendarFeatures or None
        The fitted calendar features.
    covariate_loc_, covariate_scale_ : numpy.ndarray of shape (n_covariates,) or None
        Training mean and standard deviation of each covariate.
    last_covariates_ : numpy.ndarray of shape (n_series, window, n_covariates) or None
        The covariates of the last window of each series.
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

    A series it was not trained on, from its last window:

    >>> np.round(f.predict(y=np.arange(100.0, 110.0)).to_numpy(), 6)
    array([110., 111., 112.])
    """

    _tags = {
        # X: past covariates over the input window, future ones also over the horizon
        "capability:exogenous": True,
        # predict(y=...) forecasts any series from its last window, without refitting
        "capability:new_data": True,
    }

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
        future_covariates=None,
        calendar=False,
        max_windows=None,
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
        self.future_covariates = future_covariates
        self.calendar = calendar
        self.max_windows = max_windows

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
        check_int(self.max_windows, "max_windows", allow_none=True, example=10_000,
                  meaning="the number of training windows per model, or None for all")
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

    def _resolve_strategy(self):
        """The strategy of this fit: a single-output regressor forecasts step by step."""
        if self.strategy != "multioutput" or int(self.horizon) == 1:
            return self.strategy
        from sklearn.utils import get_tags

        if get_tags(self._make_regressor()).target_tags.multi_output:
            return "multioutput"
        return "direct"

    def _strategy(self):
        return getattr(self, "strategy_", self.strategy)

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
        normalize = self._normalization()[0]
        # a global model's loss would otherwise be ruled by its largest series: on half
        # of the monthly Tourism series, a global ridge on "seasonal" windows forecast the
        # other half at MASE 2.99 unstandardised and 1.53 standardised
        return self.normalize == "auto" or normalize == "series" or bool(self.global_model)

    def _train_horizon(self):
        return 1 if self._strategy() == "recursive" else int(self.horizon)

    # ------------------------------------------------------------------- fit
    def _fit(self, y, X=None):
        self._validate_params()
        self.strategy_ = self._resolve_strategy()
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
        covariates = self._training_covariates(y, X)
        # the final models and those of the calibration cutoffs are fitted in one batch
        # of independent jobs (in threads with n_jobs)
        cuts = self._calibration_cuts(series) if self.conformal else []
        sets = [(series, covariates)] + [
            ([values[: len(values) - cut] for values in series],
             None if covariates is None else [c[: len(c) - cut] for c in covariates])
            for cut in cuts
        ]
        fitted = self._fit_models(sets)
        if len(fitted) < len(sets):  # a training budget ran out before the calibration
            warnings.warn(
                f"{type(self).__name__}: training stopped ({self.training_stopped_}) before "
                "every calibration fold had a model; the forecaster has no prediction "
                "intervals.", UserWarning, stacklevel=3,
            )
            cuts = []
        self.estimators_, self.series_loc_, self.series_scale_ = fitted[0][:3]
        self.covariate_loc_, self.covariate_scale_ = fitted[0][3:]
        self.last_windows_ = np.stack([values[-self.window :] for values in series])
        self.last_covariates_ = (
            None if covariates is None else np.stack([c[-self.window :] for c in covariates])
        )
        self.residuals_, self.calibration_forecasts_ = None, None
        self.calibration_cuts_ = list(cuts)
        if cuts:
            self.residuals_, self.calibration_forecasts_ = self._calibration_residuals(
                series, cuts, fitted[1:], covariates
            )
        return self

    def _series_indexes(self, y):
        if isinstance(y, pd.DataFrame):
            return [y[name].dropna().index for name in y.columns]
        return [self._training_index(len(y))]

    def _window_source(self, series, covariates):
        """The training windows of a list of 1-D series (and their covariates) as views,
        with the scaling used."""
        window, steps = int(self.window), self._train_horizon()
        loc, scale = series_stats(series, self._series_mode())
        cov_loc = cov_scale = None
        if covariates is not None:
            cov_loc, cov_scale = covariate_stats(covariates)
        n_past = len(self.past_covariates_) if covariates is not None else 0
        n_future = len(self.future_covariates_) if covariates is not None else 0
        inputs, targets, pasts, futures = [], [], [], []
        for j, (values, mu, sd) in enumerate(zip(series, loc, scale)):
            # one standardised copy of the series; its windows are views on it
            Xw, Yw = make_windows((values - mu) / sd, window, steps)
            inputs.append(Xw)
            targets.append(Yw)
            if covariates is not None:
                unit = (covariates[j] - cov_loc) / cov_scale
                if n_past:
                    pasts.append(covariate_windows(unit[:, :n_past], window, steps))
                if n_future:
                    futures.append(covariate_windows(unit[:, n_past:], window, steps,
                                                     known_ahead=True))
        n_rows = sum(len(Xw) for Xw in inputs)
        # every series ends at the cutoff: the rows of all series are taken in time order,
        # so that a regressor holding out its last rows for early stopping holds out the
        # latest
        counts = np.array([len(Xw) for Xw in inputs]) if len(inputs) > 1 else None
        return _WindowSource(n_rows, inputs, targets, pasts, futures, counts,
                             loc, scale, cov_loc, cov_scale)

    def _training_windows(self, source, seed):
        """Model inputs and targets of the windows of ``source`` that a model trains on:
        all of them, or the sample of ``max_windows`` drawn with ``seed``."""
        rows = sample_windows(source.n_rows, self.max_windows, random_state=seed)
        owner, local = ((None, rows) if source.counts is None
                        else time_ordered_windows(source.counts, rows))
        Xw, Yw = _gather(source.inputs, owner, local), _gather(source.targets, owner, local)
        in_loc, wscale, out_loc = window_stats(Xw, Yw.shape[1], *self._normalization())
        Xw, Yw = (Xw - in_loc) / wscale, (Yw - out_loc) / wscale
        past = _gather(source.pasts, owner, local) if source.pasts else None
        future = _gather(source.futures, owner, local) if source.futures else None
        return self._shape_inputs(Xw, past, future), Yw

    def _fit_models(self, training_sets):
        """Fit the ensemble on each ``(series, covariates)`` of ``training_sets``.

        Returns one :class:`_Fitted` per training set whose models were all trained
        (fewer than the sets when a training budget ran out). All regressors are
        independent jobs, run in ``n_jobs`` threads, ensemble member by ensemble member:
        each builds its own training windows when it starts, so that only the windows of
        the models in training are held at a time.
        """
        from joblib import Parallel, delayed

        steps = self._train_horizon()
        sources = [self._window_source(*training_set) for training_set in training_sets]
        n_models = steps if self._strategy() == "direct" else 1  # per member and set
        jobs = [
            (k, i, step)
            for i in range(int(self.n_ensemble))
            for k in range(len(sources))
            for step in range(n_models)
        ]
        budget = current_budget()

        def run(k, i, step):
            # the first member of the final fit always trains: the forecaster needs it
            if budget is not None and (k, i) != (0, 0) and budget.exhausted():
                return None
            Xw, Yw = self._training_windows(sources[k], self.seed_ + i)
            if self._strategy() == "direct":
                target = Yw[:, step]
            else:
                target = Yw[:, 0] if steps == 1 else Yw
            return _fit_seeded(self._make_regressor(), Xw, target, self.seed_ + i), len(Xw)

        outcomes = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(run)(*job) for job in jobs
        )
        models = {job: outcome for job, outcome in zip(jobs, outcomes)}
        self.n_windows_available_ = sources[0].n_rows
        self.n_windows_ = models[0, 0, 0][1]
        # every set keeps its members whose models all finished, in seed order
        members = [
            next((i for i in range(int(self.n_ensemble))
                  if any(models[k, i, step] is None for step in range(n_models))),
                 int(self.n_ensemble))
            for k in range(len(sources))
        ]
        self.training_stopped_ = None
        if min(members) < int(self.n_ensemble):
            self.training_stopped_ = budget.reason()
        self.n_ensemble_ = members[0]
        calibrated = len(sources) if min(members[1:], default=1) > 0 else 1
        return [
            _Fitted(
                [models[k, i, step][0] for i in range(members[k]) for step in range(n_models)],
                source.loc, source.scale, source.covariate_loc, source.covariate_scale,
            )
            for k, source in enumerate(sources[:calibrated])
        ]

    def _shape_inputs(self, Xw, past=None, future=None):
        return model_inputs(Xw, past, future, sequences=_takes_sequences(self.regressor))

    # --------------------------------------------------------------- predict
    def _forecast(self, estimators, windows, steps, loc, scale, timelines=None):
        """Forecast ``steps`` values after each row of ``windows`` (original scale);
        ``timelines`` holds the standardised covariates from each window's start on."""
        window, block = int(self.window), self._train_horizon()
        n_past = len(getattr(self, "past_covariates_", []))
        history = (np.asarray(windows, dtype=float) - loc[:, None]) / scale[:, None]
        produced = 0
        while produced < steps:
            past = future = None
            if timelines is not None:
                span = timelines[:, produced : produced + window + block]
                past = span[:, :window, :n_past] if n_past else None
                future = span[:, :, n_past:] if self.future_covariates_ else None
            out = self._predict_block(estimators, history[:, -window:], past, future)
            history = np.concatenate([history, out], axis=1)
            produced += out.shape[1]
        forecast = history[:, window : window + steps]
        return forecast * scale[:, None] + loc[:, None]

    def _predict_block(self, estimators, inputs, past=None, future=None):
        steps = self._train_horizon()
        in_loc, scale, out_loc = window_stats(inputs, steps, *self._normalization())
        X = self._shape_inputs((inputs - in_loc) / scale, past, future)
        n = X.shape[0]
        if self._strategy() == "direct":
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

    def _future_covariates(self, X, horizon):
        return X  # the timelines pick the rows the forecast needs

    def _point_forecast(self, horizon, X):
        """Forecasts of every series, shape (n_series, horizon)."""
        return self._forecast(
            self.estimators_, self.last_windows_, horizon, self.series_loc_, self.series_scale_,
            self._prediction_timelines(horizon, X),
        )

    def _predict(self, horizon, X=None):
        forecast = self._point_forecast(horizon, X)
        return forecast[0] if forecast.shape[0] == 1 else forecast.T

    def _predict_intervals(self, horizon, levels, X=None):
        if levels and self.residuals_ is None and getattr(self, "training_stopped_", None):
            raise IntervalUnavailableError(
                f"{type(self).__name__} has no calibration residuals: its training stopped "
                f"({self.training_stopped_}) before the calibration folds; refit with more "
                "time, or with `conformal=False` to train the final models only."
            )
        if levels and self.residuals_ is None:
            raise IntervalUnavailableError(
                f"{type(self).__name__} has no calibration residuals: the training series "
                f"was too short to calibrate `horizon`={self.horizon} with "
                f"`window`={self.window}; refit with a shorter window or horizon."
            )
        point = self._point_forecast(horizon, X)
        bounds = {}
        for level in levels:
            lower, upper = np.empty_like(point), np.empty_like(point)
            for j in range(point.shape[0]):
                lower[j], upper[j] = conformal_interval(point[j], self.residuals_[j], level)
            bounds[level] = (lower[0], upper[0]) if point.shape[0] == 1 else (lower.T, upper.T)
        return (point[0] if point.shape[0] == 1 else point.T), bounds

    def _predict_interval(self, horizon, coverage, X=None):
        point, bounds = self._predict_intervals(horizon, [coverage], X)
        return (point, *bounds[coverage])

    # -------------------------------------------------------------- new data
    def _adopt_history(self, y, X, *, trained):
        owner, window = type(self).__name__, int(self.window)
        series = _split_series(y)
        for name, values in zip(self.series_names_, series):
            if len(values) < window:
                raise InputValueError(
                    f"{owner}: series {name!r} has {len(values)} values; forecasting needs its "
                    f"last `window`={window}."
                )
        self.series_loc_, self.series_scale_ = series_stats(series, self._series_mode())
        self.last_windows_ = np.stack([values[-window:] for values in series])
        if self._uses_covariates():
            self.last_covariates_ = np.stack([
                self._history_covariates(covariates_for(X, name, name=owner), index[-window:], name)
                for name, index in zip(self.series_names_, self._series_indexes(y))
            ])
        self.residuals_ = trained._residuals_for(self.series_names_, self.series_scale_,
                                                 self._series_mode())
        self.calibration_forecasts_, self.calibration_cuts_ = None, []


def _gather(views, owner, local):
    """Rows ``local`` of the arrays ``views[owner]``, in that order (a copy of those rows
    only)."""
    if owner is None:
        return views[0][local]
    rows = np.empty((len(local), *views[0].shape[1:]), dtype=views[0].dtype)
    for j, view in enumerate(views):
        mine = owner == j
        rows[mine] = view[local[mine]]
    return rows


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
