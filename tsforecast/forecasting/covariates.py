"""Covariates of the window forecasters: their columns, rows, scaling and model inputs.

A window forecaster reads two kinds of covariates next to the target:

* **past covariates** (a related series, a price that is only known once it happened) are
  known up to the forecast origin. Each training row sees them at the positions of its
  input window.
* **future covariates** (calendar features, planned promotions, holidays) are known in
  advance. Each training row sees them over its input window and its target steps, so
  ``predict`` needs their values for the steps it forecasts.

Rows are built by :func:`~tsforecast.windowing.covariate_windows` (views, aligned with
:func:`~tsforecast.windowing.make_windows`); :func:`model_inputs` lays them out for the
regressor. A 2-D regressor (``Ridge``) gets one row per window::

    [target window (window values) | each past covariate over the window (window values)
     | each future covariate over the window and the target steps (window + horizon values)]

and a recurrent regressor gets channels ``(n, window, 1 + k)``: the target, the past
covariates, then the future covariates shifted ``horizon`` steps ahead (the last
``horizon`` positions of the window hold their values at the target steps).

At prediction time a *timeline* per series holds the covariates from the start of the last
window to the end of the steps the model forecasts (NaN where unknown);
:func:`unknown_entries` says which of the values the forecast needs are missing.
:class:`WindowCovariatesMixin` gives the window forecaster its covariate steps: which
columns, their rows at fit time, the timelines of a forecast and its error messages.
"""

import math
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone

from tsforecast.forecasting.calendar import CalendarFeatures
from tsforecast.forecasting.layout import covariates_for
from tsforecast.validation import InputTypeError, InputValueError

__all__ = [
    "WindowCovariatesMixin",
    "covariate_columns",
    "covariate_rows",
    "covariate_stats",
    "model_inputs",
    "unknown_entries",
]


def _columns_of(table):
    if isinstance(table, pd.DataFrame):
        return list(table.columns)
    return [f"x{j}" for j in range(np.asarray(table).shape[1])]


def covariate_columns(X, future_covariates, *, owner):
    """``(past, future)``: the columns of ``X`` that are past and future covariates.

    Every column is a past covariate unless ``future_covariates`` names it (``"all"``:
    every column). Arrays have the columns ``x0, x1, ...``.
    """
    if future_covariates is None:
        future = []
    elif isinstance(future_covariates, str) and future_covariates != "all":
        future = [future_covariates]
    elif future_covariates == "all":
        future = None
    else:
        future = list(future_covariates)
    if X is None:
        if future:
            raise InputValueError(
                f"{owner}: `future_covariates`={future} names columns of X, but fit got no X; "
                "pass the covariates as fit(y, X)."
            )
        return [], []
    table = next(iter(X.values())) if isinstance(X, dict) else X
    columns = _columns_of(table)
    if future is None:
        return [], columns
    unknown = [c for c in future if c not in columns]
    if unknown:
        raise InputValueError(
            f"{owner}: `future_covariates` names {unknown}, which X does not have; its "
            f"columns are {columns}."
        )
    return [c for c in columns if c not in future], [c for c in columns if c in future]


def covariate_rows(table, index, names, *, owner, series, required=()):
    """The covariates ``names`` of ``table`` at the timestamps ``index``, as floats.

    A DataFrame is read by label when its index is of dates or shares labels with
    ``index`` (rows it lacks are NaN), otherwise by position, as an array is (row ``i``
    belongs to ``index[i]``; missing rows are NaN). Columns of ``required`` must be
    present; the others are NaN when absent.

    Returns
    -------
    numpy.ndarray of shape (len(index), len(names))
    """
    out = np.full((len(index), len(names)), np.nan)
    if table is None:
        missing = list(required)
    elif isinstance(table, pd.DataFrame):
        if table.index.has_duplicates:
            raise InputValueError(
                f"{owner}: the covariates of series {series!r} have duplicate timestamps, "
                f"first {table.index[table.index.duplicated()][0]!r}; pass one row per time."
            )
        missing = [c for c in required if c not in table.columns]
        present = [c for c in names if c in table.columns]
        by_label = isinstance(table.index, pd.DatetimeIndex) or table.index.isin(index).any()
        part = table[present]
        part = part.reindex(index) if by_label else part.iloc[: len(index)]
        out[: len(part), [names.index(c) for c in present]] = _floats(part, owner)
    else:
        array = _floats(table, owner)
        array = array[:, None] if array.ndim == 1 else array
        if array.shape[1] != len(names):
            raise InputValueError(
                f"{owner}: X has {array.shape[1]} columns but the model was fitted with "
                f"{len(names)} covariates {names}; pass the same columns."
            )
        out[: min(len(index), len(array))] = array[: len(index)]
        missing = []
    if missing:
        raise InputValueError(
            f"{owner}: the covariates of series {series!r} lack the column(s) {missing}; pass "
            f"the columns seen in fit: {names}."
        )
    return out


def _floats(values, owner):
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputTypeError(
            f"{owner}: covariates X must be numeric; convert them with pandas.to_numeric or "
            "one-hot encode categories first."
        ) from None


def covariate_stats(arrays):
    """Mean and standard deviation of each covariate over the rows of all series (0 and 1
    for a constant covariate), to put covariates on a unit scale."""
    rows = np.concatenate(arrays)
    loc = rows.mean(axis=0)
    scale = rows.std(axis=0)
    floor = 1e-8 * np.maximum(1.0, np.abs(rows).max(axis=0))
    return loc, np.where(scale > floor, scale, 1.0)


def unknown_entries(timelines, *, window, n_past, n_blocks, block):
    """Which values a forecast needs but the timelines lack (NaN).

    A forecast of ``n_blocks`` blocks of ``block`` steps reads future covariates up to the
    end of its last block, and past covariates up to the start of it (the inputs of block
    ``b`` end ``b * block`` steps after the origin).

    Parameters
    ----------
    timelines : numpy.ndarray of shape (n, window + n_blocks * block, k)
        Covariates from the start of the input window on, past covariates first.

    Returns
    -------
    numpy.ndarray of bool, same shape
    """
    needed = np.zeros(timelines.shape, dtype=bool)
    needed[:, window:, n_past:] = True
    needed[:, window : window + (n_blocks - 1) * block, :n_past] = True
    return needed & ~np.isfinite(timelines)


def model_inputs(Xw, past=None, future=None, *, sequences):
    """The regressor's input rows from normalised target windows and covariate windows.

    Parameters
    ----------
    Xw : numpy.ndarray of shape (n, window)
        Target windows.
    past : numpy.ndarray of shape (n, window, p) or None
        Past covariates at the window positions.
    future : numpy.ndarray of shape (n, window + horizon, f) or None
        Future covariates over the window and the target steps.
    sequences : bool
        Whether the regressor reads 3-D sequences (the recurrent regressors).

    Returns
    -------
    numpy.ndarray
        ``(n, window * (1 + p) + (window + horizon) * f)``, each covariate's values in
        time order after the target window, or ``(n, window, 1 + p + f)`` with the future
        covariates shifted ``horizon`` steps ahead.
    """
    Xw = np.ascontiguousarray(Xw, dtype=float)
    if past is None and future is None:
        return Xw[:, :, None] if sequences else Xw
    n, window = Xw.shape
    if sequences:
        channels = [Xw[:, :, None]]
        if past is not None:
            channels.append(past)
        if future is not None:
            channels.append(future[:, future.shape[1] - window :, :])
        return np.concatenate(channels, axis=2)
    blocks = [Xw]
    for windows in (past, future):
        if windows is not None:
            blocks.append(windows.transpose(0, 2, 1).reshape(n, -1))
    return np.concatenate(blocks, axis=1)


class WindowCovariatesMixin:
    """Covariates of :class:`~tsforecast.forecasting.window.WindowForecaster`.

    Uses the forecaster's ``window``, ``future_covariates``, ``calendar``, its fitted
    index (``_training_index``, ``_future_index``) and ``_train_horizon``/``_strategy``.
    """

    def _training_covariates(self, y, X):
        """The covariates of each series (past ones first), rows aligned with its values;
        None without covariates. Records their names and the calendar features."""
        owner = type(self).__name__
        past, future = covariate_columns(X, getattr(self, "future_covariates", None), owner=owner)
        calendar = getattr(self, "calendar", False)
        self.calendar_ = None
        if calendar is True:
            calendar = CalendarFeatures()
        if calendar not in (False, None):
            if not isinstance(calendar, CalendarFeatures):
                raise InputTypeError(
                    f"`calendar`={calendar!r} must be True, False or a CalendarFeatures(...)."
                )
            index = y.index if isinstance(y, pd.DataFrame) else self._training_index(len(y))
            self.calendar_ = clone(calendar).fit(index)
        self.past_covariates_ = past
        self.future_covariates_ = future + self._calendar_names()
        if not (self.past_covariates_ or self.future_covariates_):
            return None
        arrays = []
        for name, index in zip(self.series_names_, self._series_indexes(y)):
            table = covariates_for(X, name, name=owner)
            values = covariate_rows(table, index, past + future, owner=owner, series=name,
                                    required=past + future)
            if self.calendar_ is not None:
                values = np.hstack([values, self.calendar_.transform(index).to_numpy(dtype=float)])
            bad = ~np.isfinite(values)
            if bad.any():
                row, column = np.argwhere(bad)[0]
                raise InputValueError(
                    f"{owner}: covariate {(past + future)[column]!r} of series {name!r} is "
                    f"missing or infinite at {index[row]!r}; fill it (e.g. X.interpolate())."
                )
            arrays.append(values)
        return arrays

    def _calendar_names(self):
        calendar = getattr(self, "calendar_", None)
        return [] if calendar is None else list(calendar.feature_names_out_)

    def _uses_covariates(self):
        return bool(getattr(self, "past_covariates_", None) or getattr(self, "future_covariates_", None))

    def _prediction_timelines(self, horizon, X):
        """Standardised covariates of each series from its last window to the end of the
        forecast; an InputValueError when the forecast needs values that X lacks."""
        owner = type(self).__name__
        if not self._uses_covariates():
            if X is not None:
                warnings.warn(f"{owner} was fitted without covariates: X is ignored.",
                              UserWarning, stacklevel=5)
            return None
        block = self._train_horizon()
        n_blocks = math.ceil(horizon / block)
        timelines = np.stack([
            np.vstack([self.last_covariates_[j],
                       self._covariates_at(covariates_for(X, name, name=owner),
                                           self._future_index(n_blocks * block, j), name)])
            for j, name in enumerate(self.series_names_)
        ])
        missing = unknown_entries(timelines, window=int(self.window),
                                  n_past=len(self.past_covariates_), n_blocks=n_blocks,
                                  block=block)
        if missing.any():
            self._raise_missing(missing, horizon, n_blocks * block)
        return (timelines - self.covariate_loc_) / self.covariate_scale_

    def _covariates_at(self, table, index, series):
        """The covariates at ``index`` (NaN where ``table`` has none; calendar computed).
        A table must have the columns of the future covariates."""
        names = self.past_covariates_ + self.future_covariates_
        users = names[: len(names) - len(self._calendar_names())]
        required = () if table is None else users[len(self.past_covariates_):]
        values = covariate_rows(table, index, users, owner=type(self).__name__, series=series,
                                required=required)
        if self.calendar_ is None:
            return values
        return np.hstack([values, self.calendar_.transform(index).to_numpy(dtype=float)])

    def _raise_missing(self, missing, horizon, rows):
        owner, window, n_past = type(self).__name__, int(self.window), len(self.past_covariates_)
        names = self.past_covariates_ + self.future_covariates_
        j, row, column = np.argwhere(missing)[0]
        step = row - window + 1
        when = self._future_index(rows, j)[step - 1]
        where = f"step {step} ({when!r}) of series {self.series_names_[j]!r}"
        if column >= n_past:
            blocks = f" (the model forecasts {self._train_horizon()} steps at a time)" if (
                rows > horizon) else ""
            raise InputValueError(
                f"{owner}: the future covariate {names[column]!r} is needed for the {rows} "
                f"steps after the cutoff{blocks}, but X has no value for {where}; pass X "
                "with rows for those timestamps."
            )
        limit = 1 if self._strategy() == "recursive" else self._train_horizon()
        raise InputValueError(
            f"{owner}: past covariates are known only up to the cutoff, and forecasting "
            f"{horizon} steps feeds forecasts back, which needs {names[column]!r} at {where}. "
            f"Predict at most {limit} step(s), pass its future values (e.g. forecasts of it) "
            "in X, or name it in `future_covariates` if it is known in advance."
        )

    def _history_covariates(self, table, index, series):
        owner = type(self).__name__
        if table is not None and not isinstance(table, pd.DataFrame):
            raise InputTypeError(
                f"{owner}: with new data y, pass the covariates X as a DataFrame indexed like "
                "y (their rows are matched by timestamp)."
            )
        values = self._covariates_at(table, index, series)
        if not np.isfinite(values).all():
            raise InputValueError(
                f"{owner}: forecasting series {series!r} needs its covariates over its last "
                f"`window`={self.window} values ({index[0]!r} .. {index[-1]!r}); pass them in X."
            )
        return values
