"""The forecaster interface shared by every model: series in, future out.

Public ``fit`` / ``predict`` / ``predict_interval`` / ``predict_quantiles`` validate and
convert, then call the private ``_fit`` / ``_predict`` / ``_predict_interval`` that each
forecaster implements (the template-method pattern of sktime). Forecasters are
scikit-learn estimators: ``get_params``, ``set_params`` and ``clone`` work, nested
parameters included.

Data conventions
----------------
* One series: a ``pandas.Series`` with a ``DatetimeIndex`` (regular frequency), a
  ``PeriodIndex`` or an integer index; a 1-D array is a series with a ``RangeIndex``.
* Many series: a wide ``pandas.DataFrame``, one column per series, sharing the index.
  Series may start later (leading NaN) and end earlier (trailing NaN; each series is
  then forecast from its own end), but have no gaps and are never zero-padded. A
  forecaster that is not global fits one clone per column (``forecasters_``); a global
  forecaster (tag ``"capability:global"``) sees the whole frame in ``_fit``.
* Long data: one row per series and timestamp, a ``DataFrame`` with the columns
  ``unique_id, ds, y`` or any names given by a
  :class:`~tsforecast.forecasting.layout.LongPanel`; its other columns are covariates.
* Forecasts come back in the layout that went in: periods for a ``PeriodIndex``, long
  data (same column names) for long data.
* Covariates ``X``: one table for every series (rows matched to ``y`` by label, or by
  position when its index is of another kind), a dict ``{series name: table}``, or long
  data with the identifier and time columns. Only forecasters with the tag
  ``"capability:exogenous"`` use them; the others warn that ``X`` is ignored.
* Horizons: a number of steps, a list of steps ahead (``[1, 3, 12]``) or future
  timestamps (see :func:`~tsforecast.forecasting.horizons.forecast_steps`).
"""

import copy
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from tsforecast.forecasting.checks import check_series
from tsforecast.forecasting.future_index import ForecastIndexMixin, longest
from tsforecast.forecasting.horizons import (
    coverage_levels,
    interval_parts,
    quantile_coverages,
    quantile_levels,
    quantile_parts,
)
from tsforecast.forecasting.layout import (
    Prepared,
    align_rows,
    covariates_for,
    future_rows,
    prepare_covariates,
    prepare_input,
)
from tsforecast.frequency import describe_frequency
from tsforecast.validation import InputValueError

__all__ = ["BaseForecaster", "IntervalUnavailableError", "check_series"]


class IntervalUnavailableError(InputValueError):
    """A fitted forecaster cannot give an interval, e.g. its series was too short to calibrate."""


class BaseForecaster(ForecastIndexMixin, BaseEstimator):
    """Base class of every tsforecast forecaster.

    Subclasses implement ``_fit(y, X)`` and ``_predict(horizon, X)``, and
    ``_predict_interval(horizon, coverage, X)`` when they have native intervals.
    ``_fit`` receives a float ``numpy`` array of shape ``(n_timepoints,)`` (one series) or,
    for global forecasters, the wide ``DataFrame``; ``_predict`` returns an array of shape
    ``(horizon,)`` (or ``(horizon, n_series)`` for global forecasters). ``X`` reaches
    ``_fit`` with its rows matched to the observations (a dict per series for a global
    forecaster) and ``_predict`` with the rows of the forecast timestamps when it is
    indexed by dates. Optional hooks: ``_adopt_history`` (``predict(y=...)``, tag
    ``"capability:new_data"``) and ``_update`` (:meth:`update`).
    """

    _tags = {
        # predict_interval is available (natively or by conformal calibration)
        "capability:pred_int": True,
        # one model is trained across all columns of a wide DataFrame
        "capability:global": False,
        # exogenous regressors X are used (otherwise X is ignored, with a warning)
        "capability:exogenous": False,
        # predict(y=...) forecasts from new data without refitting
        "capability:new_data": False,
    }

    def get_tag(self, name):
        """Return the value of capability tag ``name``.

        Class tags are merged along the class hierarchy, then overridden by
        ``_instance_tags()`` for tags that depend on parameters (e.g. a window
        forecaster that is global only when asked to be).
        """
        tags = {}
        for klass in reversed(type(self).__mro__):
            tags.update(getattr(klass, "_tags", {}))
        tags.update(self._instance_tags())
        return tags[name]

    def _instance_tags(self):
        return {}

    # ------------------------------------------------------------------ fit
    def fit(self, y, X=None):
        """Fit the forecaster to the series ``y``.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame, LongPanel or array-like
            One series, a wide frame with one column per series, or long data (see the
            module documentation).
        X : pandas.DataFrame, dict or array-like, optional
            Covariates (exogenous regressors) aligned with ``y``; used only by
            forecasters with the ``"capability:exogenous"`` tag (the others warn).

        Returns
        -------
        self : object
            The fitted forecaster.
        """
        name = type(self).__name__
        data = prepare_input(y, X, name=name)
        y, X = data.y, self._usable_covariates(data.X)
        self._record_layout(data)
        self._record_index(y)
        if isinstance(y, pd.DataFrame) and not self.get_tag("capability:global"):
            self.forecasters_ = {}
            for column in y.columns:
                series = y[column].dropna()
                covariates = align_rows(covariates_for(X, column, name=name), series.index,
                                        name=name)
                self.forecasters_[column] = clone(self).fit(series, covariates)
            return self
        if isinstance(y, pd.DataFrame):
            if X is not None:
                X = {column: align_rows(covariates_for(X, column, name=name),
                                        y[column].dropna().index, name=name)
                     for column in y.columns}
            self._fit(y, X)
        else:
            self._fit(y.to_numpy(dtype=float), align_rows(X, y.index, name=name))
        return self

    def _fit(self, y, X=None):
        raise NotImplementedError

    def _usable_covariates(self, X):
        if X is not None and not self.get_tag("capability:exogenous"):
            warnings.warn(
                f"{type(self).__name__} does not use covariates (exogenous regressors): X is "
                "ignored. WindowForecaster, the recurrent forecasters, ARIMA and AutoARIMA "
                "use them.",
                UserWarning,
                stacklevel=3,
            )
            return None
        return X

    # -------------------------------------------------------------- predict
    def predict(self, horizon=None, X=None, *, y=None):
        """Forecast the values after the end of the training series (or of ``y``).

        Parameters
        ----------
        horizon : int, list of int or timestamps, optional
            Number of steps ahead, steps ahead such as ``[1, 3, 12]``, or future
            timestamps (``DatetimeIndex``, ``PeriodIndex``, list of dates). Defaults to
            the forecaster's ``horizon`` parameter when it has one.
        X : pandas.DataFrame, dict or array-like, optional
            Future values of the covariates: rows for the forecast timestamps (a table
            indexed by dates may hold other rows too), or the first rows by position.
        y : pandas.Series, pandas.DataFrame or LongPanel, optional
            New history to forecast from without refitting (forecasters with the tag
            ``"capability:new_data"``): an updated series, or series the model has
            never seen.

        Returns
        -------
        forecast : pandas.Series or pandas.DataFrame
            Indexed by the future timestamps (or integer positions); a DataFrame with one
            column per series when fitted on many series; long data for long input.
        """
        model, X = self._forecast_origin(y, X)
        steps = model._steps(horizon)
        values = model._point_values(longest(steps), X)
        return model._present(model._point_table(values, steps))

    def _predict(self, horizon, X=None):
        raise NotImplementedError

    def predict_interval(self, horizon=None, coverage=0.9, X=None, *, y=None):
        """Forecast with prediction intervals of the given ``coverage``.

        Parameters
        ----------
        horizon : int, list of int or timestamps, optional
            The steps to forecast (see ``predict``).
        coverage : float or list of float, default=0.9
            Nominal probability that the interval contains the future value, in (0, 1);
            a list gives one interval per level.
        X : pandas.DataFrame, dict or array-like, optional
            Future values of the covariates (see ``predict``).
        y : pandas.Series, pandas.DataFrame or LongPanel, optional
            New history to forecast from without refitting (see ``predict``).

        Returns
        -------
        interval : pandas.DataFrame
            Indexed by the future timestamps. For one coverage the columns are
            ``forecast``, ``lower`` and ``upper``; for a list, ``forecast`` then
            ``lower_<pct>``, ``upper_<pct>`` per level in increasing order (``lower_80``,
            ``upper_80``, ``lower_95``, ``upper_95`` for ``[0.8, 0.95]``). For many series
            the columns are a MultiIndex ``(series, part)``; for long input, long data
            with those parts as columns.
        """
        model, X = self._forecast_origin(y, X)
        if not model.get_tag("capability:pred_int"):
            raise NotImplementedError(
                f"{type(self).__name__} does not produce prediction intervals."
            )
        levels, several = coverage_levels(coverage)
        steps = model._steps(horizon)
        point, bounds = model._interval_values(longest(steps), levels, X)
        return model._present(
            model._parts_table(interval_parts(point, bounds, levels, several), steps), parts=True
        )

    def predict_quantiles(self, horizon=None, quantiles=(0.1, 0.5, 0.9), X=None, *, y=None):
        """Forecast quantiles of the future values.

        The quantile ``q`` is the lower bound of the central prediction interval of
        coverage ``1 - 2q`` (below the median) or the upper bound of coverage ``2q - 1``
        (above it); ``q = 0.5`` is the point forecast. Conformal intervals are symmetric
        quantiles of the calibration residuals; the statistical models use their native
        intervals.

        Parameters
        ----------
        horizon : int, list of int or timestamps, optional
            The steps to forecast (see ``predict``).
        quantiles : float or sequence of float, default=(0.1, 0.5, 0.9)
            Levels strictly between 0 and 1.
        X, y
            As in ``predict``.

        Returns
        -------
        pandas.DataFrame
            One column per level in increasing order, named ``q<level>`` (``q0.1``,
            ``q0.5``, ``q0.9``), indexed by the future timestamps; for many series a
            column MultiIndex ``(series, q<level>)``; for long input, long data.
        """
        model, X = self._forecast_origin(y, X)
        if not model.get_tag("capability:pred_int"):
            raise NotImplementedError(
                f"{type(self).__name__} does not produce prediction intervals, so no quantiles."
            )
        levels = quantile_levels(quantiles)
        steps = model._steps(horizon)
        point, bounds = model._interval_values(longest(steps), quantile_coverages(levels), X)
        return model._present(
            model._parts_table(quantile_parts(point, bounds, levels), steps), parts=True
        )

    def _predict_interval(self, horizon, coverage, X=None):
        raise NotImplementedError

    def _predict_intervals(self, horizon, levels, X=None):
        """Point forecast and ``{coverage: (lower, upper)}`` for several coverages."""
        point, bounds = None, {}
        for level in levels:
            values = self._predict_interval(horizon, level, X)
            forecast, lower, upper = (np.asarray(a, dtype=float) for a in values)
            point = forecast if point is None else point
            bounds[level] = (lower, upper)
        if point is None:  # no interval asked for: the median only
            point = np.asarray(self._predict(horizon, X), dtype=float)
        return point, bounds

    def _point_values(self, horizon, X):
        """Point forecasts of ``horizon`` steps, ``(horizon,)`` or ``(horizon, n_series)``."""
        if hasattr(self, "forecasters_"):
            return np.column_stack([
                f._point_values(horizon, covariates_for(X, name, name=type(self).__name__))
                for name, f in self.forecasters_.items()
            ])
        X = self._future_covariates(self._predict_covariates(X), horizon)
        return np.asarray(self._predict(horizon, X), dtype=float)

    def _interval_values(self, horizon, levels, X):
        """``(point, {coverage: (lower, upper)})`` of ``horizon`` steps."""
        if hasattr(self, "forecasters_"):
            results = [
                f._interval_values(horizon, levels, covariates_for(X, name, name=type(self).__name__))
                for name, f in self.forecasters_.items()
            ]
            point = np.column_stack([point for point, _ in results])
            bounds = {
                level: tuple(np.column_stack([b[level][k] for _, b in results]) for k in (0, 1))
                for level in levels
            }
            return point, bounds
        X = self._future_covariates(self._predict_covariates(X), horizon)
        return self._predict_intervals(horizon, levels, X)

    def _predict_covariates(self, X):
        if X is not None and not self.get_tag("capability:exogenous"):
            return self._usable_covariates(X)
        return X

    def _future_covariates(self, X, horizon):
        """The rows of the covariates at the ``horizon`` forecast timestamps (tables
        indexed by dates; others are read by position)."""
        name = type(self).__name__
        if isinstance(X, dict):
            return {
                key: future_rows(table, self._future_index(horizon, self.series_names_.index(key)),
                                 name=name)
                for key, table in X.items() if key in self.series_names_
            }
        return future_rows(X, self._future_index(horizon), name=name)

    # ------------------------------------------------------------- new data
    def _forecast_origin(self, y, X):
        """The model to forecast with (itself, or a copy that continues ``y``) and ``X``."""
        self._check_fitted()
        name = type(self).__name__
        if y is None:
            single = not hasattr(self, "forecasters_") and self.n_series_ == 1
            X = prepare_covariates(X, long_columns=getattr(self, "long_columns_", None),
                                   series=self.series_names_[0] if single else None, name=name)
            return self, X
        if not self.get_tag("capability:new_data"):
            raise NotImplementedError(
                f"{name} cannot forecast from new data without refitting; refit it on them "
                "(clone(model).fit(y)), or use a window forecaster (WindowForecaster, "
                "LSTMForecaster, ...), which forecasts any series from its last window."
            )
        data = prepare_input(y, X, name=name)
        return self._with_history(data), data.X

    def _with_history(self, data):
        """A shallow copy of this fitted forecaster that forecasts from the end of
        ``data.y``: the learned parameters are shared, the state of the series is new."""
        name = type(self).__name__
        y, X = data.y, data.X
        new_freq = y.index.freqstr if isinstance(y.index, pd.DatetimeIndex) else None
        if new_freq != self.freq_:
            raise InputValueError(
                f"{name} was fitted on {describe_frequency(self.freq_)} data but the new data "
                f"are {describe_frequency(new_freq)}; pass data of the training frequency, or "
                "refit."
            )
        if isinstance(y, pd.Series) and hasattr(self, "forecasters_"):
            return self._fitted_for(y.name)._with_history(data)
        model = copy.copy(self)
        model._record_layout(data)
        model._record_index(y)
        if isinstance(y, pd.DataFrame) and not self.get_tag("capability:global"):
            model.forecasters_ = {}
            for column in y.columns:
                source = self._fitted_for(column) if hasattr(self, "forecasters_") else self
                series = y[column].dropna()
                model.forecasters_[column] = source._with_history(
                    Prepared(series, covariates_for(X, column, name=name), None, None)
                )
            return model
        values = y if isinstance(y, pd.DataFrame) else y.to_numpy(dtype=float)
        model._adopt_history(values, X, trained=self)
        return model

    def _fitted_for(self, series):
        if series not in self.forecasters_:
            raise InputValueError(
                f"{type(self).__name__} has a model per training series and none for series "
                f"{series!r} (it has {list(self.forecasters_)[:5]}); fit a global model "
                "(e.g. global_model=True) to forecast series it was not trained on."
            )
        return self.forecasters_[series]

    def _adopt_history(self, y, X, *, trained):
        """Set the state of the series ``y`` (as ``_fit`` receives them) on this copy of
        ``trained``, keeping its learned parameters."""
        raise NotImplementedError

    def update(self, y, X=None):
        """Add observations that follow the cutoff, without a full refit.

        Parameters
        ----------
        y : pandas.Series or pandas.DataFrame
            The values after ``cutoff_`` (the first one step after it), in the layout of
            the training data.
        X : pandas.DataFrame, optional
            Covariates of those values.

        Returns
        -------
        self : object

        Notes
        -----
        A forecaster supports it by implementing ``_update(y, X)``, which receives the new
        values as ``_fit`` receives a series; the base class checks that they continue the
        training data and moves ``cutoff_`` afterwards. The others raise
        ``NotImplementedError``.
        """
        self._check_fitted()
        name = type(self).__name__
        index = getattr(y, "index", None)
        if isinstance(index, pd.DatetimeIndex) and index.freq is None and self.freq_:
            # a few new values are too few to infer the frequency: they continue the training's
            try:
                y = y.set_axis(pd.DatetimeIndex(index, freq=self.freq_), axis=0)
            except ValueError:
                raise InputValueError(
                    f"{name}.update: the new timestamps are not on the {self.freq_!r} grid of "
                    "the training data."
                ) from None
        data = prepare_input(y, X, name=name, min_length=1)
        new = data.y.to_frame() if isinstance(data.y, pd.Series) else data.y
        expected = self._future_index(1)[0]
        if new.index[0] != expected:
            raise InputValueError(
                f"{name}.update expects the observations after the cutoff {self.cutoff_!r}, "
                f"starting at {expected!r}; got {new.index[0]!r}."
            )
        if hasattr(self, "forecasters_"):
            for column in new.columns:
                self._fitted_for(column).update(new[column], covariates_for(data.X, column, name=name))
        else:
            values = data.y if isinstance(data.y, pd.DataFrame) else data.y.to_numpy(dtype=float)
            self._update(values, align_rows(data.X, new.index, name=name))
        self.cutoff_ = new.index[-1]
        self.n_timepoints_ += len(new)
        if getattr(self, "series_cutoffs_", None) is not None:
            self.series_cutoffs_ = [self.cutoff_] * len(self.series_cutoffs_)
        return self

    def _update(self, y, X=None):
        raise NotImplementedError(
            f"{type(self).__name__} cannot add observations without refitting; refit it on "
            "the whole history with fit(y), or forecast from new data with a window "
            "forecaster: predict(horizon, y=history)."
        )

    # ---------------------------------------------------------- calibration
    def calibration_forecasts(self):
        """Out-of-sample forecasts that ``fit`` already made from earlier cutoffs.

        Forecasters that calibrate conformal intervals (the window forecasters) refit on a
        few earlier cutoffs during ``fit``. The forecast each of those folds made from its
        own cutoff is a rolling-origin backtest of the same configuration, at no extra cost:
        the command line scores its holdout with the latest one (``fold`` 0, whose cutoff
        lies ``horizon`` values before the end).

        Returns
        -------
        pandas.DataFrame or None
            Columns ``series``, ``fold`` (0 = latest cutoff), ``cutoff`` (last training
            timestamp of the fold), ``step`` (1 = first value after the cutoff) and
            ``forecast``, on the scale of the data passed to ``fit``; ``None`` when the
            forecaster made no such forecasts.
        """
        self._check_fitted()
        if hasattr(self, "forecasters_"):
            frames = [f.calibration_forecasts() for f in self.forecasters_.values()]
            if any(frame is None for frame in frames):
                return None
            return pd.concat(frames, ignore_index=True)
        return self._calibration_forecasts()

    def _calibration_forecasts(self):
        return None

    # --------------------------------------------------------------- helpers
    def _default_horizon(self):
        return getattr(self, "horizon", None)

    def _check_fitted(self):
        if not hasattr(self, "cutoff_"):
            raise InputValueError(
                f"This {type(self).__name__} instance is not fitted yet; call `fit(y)` first."
            )
