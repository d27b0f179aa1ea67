"""The forecaster interface shared by every model: series in, future out.

Public ``fit`` / ``predict`` / ``predict_interval`` validate and convert, then call the
private ``_fit`` / ``_predict`` / ``_predict_interval`` that each forecaster implements
(the template-method pattern of sktime). Forecasters are scikit-learn estimators:
``get_params``, ``set_params`` and ``clone`` work, nested parameters included.

Data conventions
----------------
* One series: a ``pandas.Series`` with a ``DatetimeIndex`` (regular frequency) or an
  integer index; a 1-D array is treated as a series with a ``RangeIndex``.
* Many series: a wide ``pandas.DataFrame``, one column per series, sharing the index.
  Shorter series start later: their leading values are NaN (never zero-padded).
  A forecaster that is not global fits one clone per column (``forecasters_``);
  a global forecaster (tag ``"capability:global"``) sees the whole frame in ``_fit``.
"""

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from tsforecast.frequency import infer_frequency
from tsforecast.validation import InputTypeError, InputValueError


class IntervalUnavailableError(InputValueError):
    """A fitted forecaster cannot give an interval, e.g. its series was too short to calibrate."""


class BaseForecaster(BaseEstimator):
    """Base class of every tsforecast forecaster.

    Subclasses implement ``_fit(y, X)`` and ``_predict(horizon, X)``, and
    ``_predict_interval(horizon, coverage, X)`` when they have native intervals.
    ``_fit`` receives a float ``numpy`` array of shape ``(n_timepoints,)`` (one series) or,
    for global forecasters, the wide ``DataFrame``; ``_predict`` returns an array of shape
    ``(horizon,)`` (or ``(horizon, n_series)`` for global forecasters).
    """

    _tags = {
        # predict_interval is available (natively or by conformal calibration)
        "capability:pred_int": True,
        # one model is trained across all columns of a wide DataFrame
        "capability:global": False,
        # exogenous regressors X are used (otherwise X is ignored)
        "capability:exogenous": False,
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
        y : pandas.Series, pandas.DataFrame or array-like
            One series, or a wide frame with one column per series.
        X : pandas.DataFrame, optional
            Exogenous regressors aligned with ``y`` (used only by forecasters with the
            ``"capability:exogenous"`` tag).

        Returns
        -------
        self : object
            The fitted forecaster.
        """
        y = check_series(y, name=type(self).__name__)
        self._record_index(y)
        if isinstance(y, pd.DataFrame) and not self.get_tag("capability:global"):
            self.forecasters_ = {}
            for column in y.columns:
                series = y[column].dropna()
                forecaster = clone(self)
                forecaster.fit(series, None if X is None else X.loc[series.index])
                self.forecasters_[column] = forecaster
            return self
        data = y if isinstance(y, pd.DataFrame) else y.to_numpy(dtype=float)
        self._fit(data, X)
        return self

    def _fit(self, y, X=None):
        raise NotImplementedError

    # -------------------------------------------------------------- predict
    def predict(self, horizon=None, X=None):
        """Forecast the next ``horizon`` values after the end of the training series.

        Parameters
        ----------
        horizon : int, optional
            Number of steps ahead. Defaults to the forecaster's ``horizon`` parameter
            when it has one.
        X : pandas.DataFrame, optional
            Future values of the exogenous regressors, ``horizon`` rows.

        Returns
        -------
        forecast : pandas.Series or pandas.DataFrame
            Indexed by the future timestamps (or integer positions); a DataFrame with one
            column per series when fitted on many series.
        """
        self._check_fitted()
        horizon = self._resolve_horizon(horizon)
        if hasattr(self, "forecasters_"):
            columns = {
                name: f.predict(horizon, None if X is None else X).to_numpy()
                for name, f in self.forecasters_.items()
            }
            return pd.DataFrame(columns, index=self._future_index(horizon))
        values = np.asarray(self._predict(horizon, X), dtype=float)
        return self._wrap(values, horizon)

    def _predict(self, horizon, X=None):
        raise NotImplementedError

    def predict_interval(self, horizon=None, coverage=0.9, X=None):
        """Forecast with a prediction interval of the given ``coverage``.

        Parameters
        ----------
        horizon : int, optional
            Number of steps ahead (see ``predict``).
        coverage : float, default=0.9
            Nominal probability that the interval contains the future value, in (0, 1).
        X : pandas.DataFrame, optional
            Future values of the exogenous regressors.

        Returns
        -------
        interval : pandas.DataFrame
            Columns ``forecast``, ``lower`` and ``upper`` indexed by the future timestamps;
            for many series the columns are a MultiIndex ``(series, {forecast, lower, upper})``.
        """
        self._check_fitted()
        if not self.get_tag("capability:pred_int"):
            raise NotImplementedError(
                f"{type(self).__name__} does not produce prediction intervals."
            )
        if not (isinstance(coverage, numbers.Real) and 0 < coverage < 1):
            raise InputValueError(
                f"`coverage`={coverage!r} must be a probability strictly between 0 and 1, "
                "e.g. 0.9 for a 90% interval."
            )
        horizon = self._resolve_horizon(horizon)
        index = self._future_index(horizon)
        if hasattr(self, "forecasters_"):
            frames = {
                name: f.predict_interval(horizon, coverage, X).set_axis(index)
                for name, f in self.forecasters_.items()
            }
            return pd.concat(frames, axis=1)
        point, lower, upper = (
            np.asarray(a, dtype=float) for a in self._predict_interval(horizon, coverage, X)
        )
        if point.ndim == 1:
            return pd.DataFrame({"forecast": point, "lower": lower, "upper": upper}, index=index)
        frames = {
            name: pd.DataFrame(
                {"forecast": point[:, j], "lower": lower[:, j], "upper": upper[:, j]}, index=index
            )
            for j, name in enumerate(self.series_names_)
        }
        return pd.concat(frames, axis=1)

    def _predict_interval(self, horizon, coverage, X=None):
        raise NotImplementedError

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
    def _record_index(self, y):
        index = y.index
        self.series_names_ = list(y.columns) if isinstance(y, pd.DataFrame) else [y.name]
        self.n_series_ = len(self.series_names_)
        self.cutoff_ = index[-1]
        self.freq_ = index.freqstr if isinstance(index, pd.DatetimeIndex) else None
        # spacing of integer positions (e.g. 0, 2, 4, ...); 1 for timestamps
        self.index_step_ = 1 if self.freq_ is not None else int(index[-1] - index[-2])
        self.n_timepoints_ = len(index)

    def _future_index(self, horizon):
        if self.freq_ is not None:
            return pd.date_range(self.cutoff_, periods=horizon + 1, freq=self.freq_)[1:]
        step = getattr(self, "index_step_", 1)
        start = int(self.cutoff_) + step
        return pd.RangeIndex(start, start + horizon * step, step)

    def _training_index(self, n):
        """Index of the last ``n`` training timepoints (for models that refit on derived series)."""
        if self.freq_ is not None:
            return pd.date_range(end=self.cutoff_, periods=n, freq=self.freq_)
        step = getattr(self, "index_step_", 1)
        end = int(self.cutoff_) + step
        return pd.RangeIndex(end - n * step, end, step)

    def _wrap(self, values, horizon):
        index = self._future_index(horizon)
        if values.ndim == 1:
            return pd.Series(values, index=index, name=self.series_names_[0])
        return pd.DataFrame(values, index=index, columns=self.series_names_)

    def _resolve_horizon(self, horizon):
        if horizon is None:
            horizon = getattr(self, "horizon", None)
            if horizon is None:
                raise InputValueError(
                    f"{type(self).__name__}.predict needs a horizon; pass e.g. `horizon=12`."
                )
        if isinstance(horizon, bool) or not isinstance(horizon, numbers.Integral) or horizon < 1:
            raise InputValueError(
                f"`horizon`={horizon!r} must be a positive integer (the number of steps ahead)."
            )
        return int(horizon)

    def _check_fitted(self):
        if not hasattr(self, "cutoff_"):
            raise InputValueError(
                f"This {type(self).__name__} instance is not fitted yet; call `fit(y)` first."
            )


def check_series(y, *, name="forecaster", allow_dataframe=True):
    """Validate a series (or wide frame) and return it as float pandas data.

    Raises a ``ValueError`` or ``TypeError`` that says what is wrong and how to fix it:
    non-numeric values, NaN/inf inside a series, too few values, duplicate or unsorted
    timestamps, or a datetime index without a regular frequency.
    """
    if isinstance(y, pd.DataFrame):
        if not allow_dataframe:
            raise InputTypeError(f"{name} expects one series (pandas.Series), got a DataFrame.")
        if y.shape[1] == 1:
            y = y.iloc[:, 0]
    elif not isinstance(y, pd.Series):
        array = np.asarray(y)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim == 2:
            y = pd.DataFrame(array)
        elif array.ndim == 1:
            y = pd.Series(array)
        else:
            raise InputValueError(f"{name} expects a 1-D series or a 2-D wide panel, got shape {array.shape}.")
    if y.shape[0] < 2:
        raise InputValueError(f"{name} needs at least 2 observations, got {y.shape[0]}.")
    values = y if isinstance(y, pd.DataFrame) else y.to_frame()
    for column in values.columns:
        if not pd.api.types.is_numeric_dtype(values[column]) or pd.api.types.is_bool_dtype(values[column]):
            raise InputTypeError(
                f"{name}: series {column!r} has non-numeric dtype {values[column].dtype}; "
                "convert it with pandas.to_numeric(...) first."
            )
    y = y.astype(float)
    values = y if isinstance(y, pd.DataFrame) else y.to_frame()
    for column in values.columns:
        finite = np.isfinite(values[column].to_numpy())
        if not finite.any():
            raise InputValueError(f"{name}: series {column!r} has no finite values.")
        first = int(np.argmax(finite))
        last = len(finite) - int(np.argmax(finite[::-1]))
        if first and not isinstance(y, pd.DataFrame):
            raise InputValueError(
                f"{name}: the series starts with {first} missing value(s); drop them first."
            )
        if last < len(finite) and isinstance(y, pd.DataFrame):
            raise InputValueError(
                f"{name}: series {column!r} ends at {values.index[last - 1]}, before the "
                f"panel's end {values.index[-1]}; forecasts of a panel start after a common "
                "end: trim the panel to the last time every series has, or forecast that "
                "series on its own."
            )
        if not finite[first:].all():
            bad = values.index[first:][~finite[first:]]
            raise InputValueError(
                f"{name}: series {column!r} has {len(bad)} missing or infinite value(s), "
                f"first at {bad[0]!r}; fill them (e.g. y.interpolate()) or drop them before fitting."
            )
    return _check_index(y, name)


def _check_index(y, name):
    index = y.index
    if index.has_duplicates:
        duplicated = index[index.duplicated()][0]
        raise InputValueError(
            f"{name}: duplicate timestamp {duplicated!r} in the index; aggregate duplicates "
            "(e.g. y.groupby(level=0).mean()) before fitting."
        )
    if not index.is_monotonic_increasing:
        raise InputValueError(f"{name}: the index is not sorted; call y.sort_index() first.")
    if isinstance(index, pd.DatetimeIndex):
        if index.freq is None:
            freq = infer_frequency(index)
            if freq is None:
                raise InputValueError(
                    f"{name}: the timestamps are irregular (no frequency can be inferred); "
                    "resample to a regular grid, e.g. y.asfreq('MS') and fill the gaps."
                )
            y = y.copy()
            y.index = pd.DatetimeIndex(index, freq=freq)
        return y
    if isinstance(index, pd.PeriodIndex):
        y = y.copy()
        y.index = index.to_timestamp()
        return _check_index(y, name)
    if not pd.api.types.is_integer_dtype(index):
        raise InputTypeError(
            f"{name}: the index must be a DatetimeIndex or integer positions, got "
            f"{index.dtype}; parse dates with pandas.to_datetime or reset the index."
        )
    steps = np.diff(index.to_numpy())
    if len(steps) and (steps != steps[0]).any():
        gap = int(index[1:][steps != steps[0]][0])
        raise InputValueError(
            f"{name}: the integer index is irregular (step {steps[0]} at the start, a different "
            f"step before position {gap!r}); use evenly spaced positions or reset the index."
        )
    return y
