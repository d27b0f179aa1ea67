"""The shapes data come in, and forecasts go back out in the same shape.

Forecasters work on one series (a ``pandas.Series``) or a wide panel (a ``DataFrame``, one
column per series, leading and trailing NaN where a series starts later or ends earlier).
Users also hold long data, one row per series and timestamp (``unique_id, ds, y``, the
convention of Nixtla's libraries), and series indexed by periods. This module converts
both ways:

* :class:`LongPanel` names the columns of long data (``id_col``, ``time_col``, ``target``);
  a plain ``DataFrame`` with the columns ``unique_id``, ``ds`` and ``y`` is recognised
  without it. Its other columns are covariates of each series and timestamp.
* :func:`prepare_input` turns what ``fit``/``predict`` receive into checked wide data and
  covariates in one of the forms the forecasters use (see :func:`covariates_for`), and
  records the layout: :func:`present` puts forecasts back into it (a ``PeriodIndex`` in
  gives a ``PeriodIndex`` out; long in gives long out, with the input's column names).
* :func:`align_rows` and :func:`future_rows` pick the rows of covariates that belong to
  the observations or the forecast timestamps.
"""

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from tsforecast.forecasting.checks import check_panel
from tsforecast.frequency import infer_frequency
from tsforecast.validation import InputTypeError, InputValueError

__all__ = [
    "LongPanel",
    "Prepared",
    "align_rows",
    "as_long_panel",
    "covariates_for",
    "future_rows",
    "prepare_covariates",
    "prepare_input",
    "present",
    "to_long",
    "to_wide",
]

#: Column names of long data that are recognised without a :class:`LongPanel`.
DEFAULT_LONG_COLUMNS = ("unique_id", "ds", "y")


class LongPanel:
    """Long data: one row per series and timestamp, with the names of its columns.

    Pass it wherever a forecaster, :func:`~tsforecast.evaluation.backtest`,
    :func:`~tsforecast.evaluation.compare` or :func:`~tsforecast.evaluation.tune` takes
    data; forecasts come back long, with the same column names. A plain ``DataFrame``
    with the columns ``unique_id``, ``ds`` and ``y`` needs no wrapper.

    Parameters
    ----------
    data : pandas.DataFrame
        The long data. Series may start and end at different times.
    id_col, time_col, target : str
        Names of the series identifier, the time and the value columns. Every other
        column holds covariates (numbers) of that series at that time; they are used by
        forecasters that take ``X`` (see :meth:`covariates`).

    Examples
    --------
    >>> long = pd.DataFrame({"store": ["a", "a", "b", "b"], "date": [1, 2, 1, 2],
    ...                      "sales": [1.0, 2.0, 3.0, 4.0]})
    >>> LongPanel(long, id_col="store", time_col="date", target="sales").to_wide()
         a    b
    1  1.0  3.0
    2  2.0  4.0
    """

    def __init__(self, data, *, id_col="unique_id", time_col="ds", target="y"):
        if not isinstance(data, pd.DataFrame):
            raise InputTypeError(
                f"LongPanel expects a pandas.DataFrame with one row per series and time, got "
                f"{type(data).__name__}."
            )
        missing = [c for c in (id_col, time_col, target) if c not in data.columns]
        if missing:
            raise InputValueError(
                f"Long data needs the columns {id_col!r}, {time_col!r} and {target!r}; "
                f"{missing} not found among {list(data.columns)}. Pass `id_col=`, "
                "`time_col=` and `target=` with the names your data uses."
            )
        self.data = data
        self.id_col, self.time_col, self.target = id_col, time_col, target

    def __repr__(self):
        return (
            f"LongPanel({len(self.data)} rows, id_col={self.id_col!r}, "
            f"time_col={self.time_col!r}, target={self.target!r})"
        )

    @property
    def columns(self):
        """``[id_col, time_col, target]``."""
        return [self.id_col, self.time_col, self.target]

    @property
    def covariate_columns(self):
        """The other columns, in their order."""
        return [c for c in self.data.columns if c not in self.columns]

    def _indexed(self):
        data = self.data
        _check_unique_pairs(data, self.id_col, self.time_col, "Long data")
        return data.assign(**{self.time_col: _parse_times(data[self.time_col], self.time_col)})

    def to_wide(self):
        """The target as a wide frame: one column per series (sorted by identifier),
        indexed by the sorted timestamps, with the frequency of dates set when it can be
        inferred; series that start later or end earlier have leading or trailing NaN."""
        wide = (
            self._indexed()
            .pivot(index=self.time_col, columns=self.id_col, values=self.target)
            .sort_index()
        )
        wide.columns.name = None
        wide.index.name = None
        if isinstance(wide.index, pd.DatetimeIndex):
            freq = infer_frequency(wide.index)
            if freq is not None:
                wide.index = pd.DatetimeIndex(wide.index, freq=freq)
        return wide

    def covariates(self):
        """The covariate columns as ``{series id: DataFrame indexed by time}``, or None
        when there are none."""
        if not self.covariate_columns:
            return None
        return long_covariates(self._indexed().drop(columns=self.target), self.id_col,
                               self.time_col)


def as_long_panel(data):
    """``data`` as a :class:`LongPanel` when it is long data, else None."""
    if isinstance(data, LongPanel):
        return data
    if isinstance(data, pd.DataFrame) and set(DEFAULT_LONG_COLUMNS) <= set(data.columns):
        return LongPanel(data)
    return None


def to_wide(data, *, id_col="unique_id", time_col="ds", target="y"):
    """Pivot long data (one row per series and timestamp) to a wide frame.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data with a series identifier, a time column and a value column.
    id_col, time_col, target : str
        Names of those columns (defaults follow the ``unique_id, ds, y`` convention).

    Returns
    -------
    pandas.DataFrame
        One column per series (sorted by identifier), indexed by the sorted timestamps;
        series that start later have leading NaN. Date-like time values are parsed to a
        ``DatetimeIndex`` with its frequency set when it can be inferred.

    See Also
    --------
    LongPanel, to_long

    Examples
    --------
    >>> long = pd.DataFrame({"unique_id": ["a", "a", "b", "b"], "ds": [1, 2, 1, 2],
    ...                      "y": [1.0, 2.0, 3.0, 4.0]})
    >>> to_wide(long).to_numpy().tolist()
    [[1.0, 3.0], [2.0, 4.0]]
    """
    if isinstance(data, LongPanel):
        return data.to_wide()
    if not isinstance(data, pd.DataFrame):
        raise InputTypeError(
            f"to_wide expects a long pandas.DataFrame, got {type(data).__name__}."
        )
    return LongPanel(data, id_col=id_col, time_col=time_col, target=target).to_wide()


def to_long(result, *, id_col="unique_id", time_col="ds", target="y", parts=False,
            series=None):
    """Forecasts in the wide layout as long data, one row per series and timestamp.

    Parameters
    ----------
    result : pandas.Series or pandas.DataFrame
        A point forecast (a Series named after its series, or one column per series), or
        with ``parts=True`` a table of columns such as ``forecast, lower, upper`` (for
        many series a column MultiIndex ``(series, part)``).
    id_col, time_col : str
        Names of the identifier and time columns of the result.
    target : str
        Name of the value column of a point forecast.
    parts : bool, default=False
        Whether ``result`` holds several columns per series.
    series : object, optional
        The name of the series of a single-series table of parts.

    Returns
    -------
    pandas.DataFrame
        Columns ``id_col, time_col`` then ``target`` (point forecasts) or the parts, rows
        ordered by series then time; timestamps a series has no forecast for are left out.
    """
    if isinstance(result, pd.Series):
        pieces = {result.name: result.to_frame(target)}
    elif not parts:
        pieces = {name: result[name].dropna().to_frame(target) for name in result.columns}
    elif isinstance(result.columns, pd.MultiIndex):
        names = list(dict.fromkeys(result.columns.get_level_values(0)))
        pieces = {name: result[name].dropna(how="all") for name in names}
    else:
        pieces = {series: result}
    frames = []
    for name, piece in pieces.items():
        piece = piece.rename_axis(time_col).reset_index()
        piece.insert(0, id_col, name)
        piece.columns.name = None
        frames.append(piece)
    return pd.concat(frames, ignore_index=True)


def long_covariates(data, id_col, time_col):
    """Covariates in long data (every column but the identifier and the time) as
    ``{series id: DataFrame indexed by time}``."""
    columns = [c for c in data.columns if c not in (id_col, time_col)]
    for column in columns:
        dtype = data[column].dtype
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            raise InputTypeError(
                f"Covariate column {column!r} of the long data has non-numeric dtype {dtype}; "
                "covariates must be numbers: one-hot encode it (pandas.get_dummies) or drop it."
            )
    _check_unique_pairs(data, id_col, time_col, "Long covariate data")
    frames = {}
    for name, group in data.groupby(id_col, sort=True):
        frame = group.set_index(time_col)[columns].sort_index().astype(float)
        frame.index.name = None
        frames[name] = _timestamps(frame)
    return frames


def _check_unique_pairs(data, id_col, time_col, what):
    duplicated = data.duplicated([id_col, time_col])
    if duplicated.any():
        row = data.loc[duplicated, [id_col, time_col]].iloc[0].tolist()
        raise InputValueError(
            f"{what} has {int(duplicated.sum())} duplicate ({id_col}, {time_col}) pair(s), "
            f"first {row}; aggregate them (e.g. groupby([{id_col!r}, {time_col!r}]).mean()) "
            "first."
        )


def _parse_times(times, time_col):
    if (pd.api.types.is_numeric_dtype(times) or pd.api.types.is_datetime64_any_dtype(times)
            or isinstance(times.dtype, pd.PeriodDtype)):
        return times
    try:
        return pd.to_datetime(times)
    except (ValueError, TypeError) as exc:
        raise InputValueError(
            f"The time column {time_col!r} could not be parsed as dates ({exc}); "
            "convert it with pandas.to_datetime(..., format=...) first."
        ) from None


def _timestamps(frame):
    """A frame or series indexed by periods re-indexed by the periods' start times."""
    if isinstance(frame.index, pd.PeriodIndex):
        return frame.set_axis(frame.index.to_timestamp(), axis=0)
    return frame


class Prepared(NamedTuple):
    """What :func:`prepare_input` returns."""

    #: a checked series, or a wide panel (series may start and end at different times)
    y: Any
    #: None, one table for every series (DataFrame or array), or a dict per series name
    X: Any
    #: ``[id_col, time_col, target]`` of long input, else None
    long_columns: Any
    #: frequency of a ``PeriodIndex`` input (e.g. ``"M"``), else None
    period_freq: Any


def prepare_input(y, X=None, *, name, min_length=2):
    """Checked wide data and covariates from any supported input layout.

    Parameters
    ----------
    y : pandas.Series, pandas.DataFrame, LongPanel or array-like
        One series, a wide panel, or long data.
    X : pandas.DataFrame, dict, array-like or None
        Covariates: one table for every series (indexed like ``y``, or by position), a
        dict ``{series name: table}``, or long data with the identifier and time columns
        of ``y`` (``unique_id, ds`` when ``y`` is not long). The covariate columns of long
        ``y`` are added; where both give a value, ``X`` wins.
    name : str
        The caller, for error messages.
    min_length : int, default=2
        Fewest values a series may have.

    Returns
    -------
    Prepared
    """
    long = as_long_panel(y)
    extra = None
    if long is not None:
        extra = long.covariates()
        y = long.to_wide()
    index = getattr(y, "index", None)
    period_freq = index.freqstr if isinstance(index, pd.PeriodIndex) else None
    checked = check_panel(y, name=name, min_length=min_length)
    long_columns = None if long is None else long.columns
    X = _merge(prepare_covariates(X, long_columns=long_columns, name=name), extra)
    if isinstance(checked, pd.Series) and isinstance(X, dict):
        X = covariates_for(X, checked.name, name=name)
    return Prepared(checked, X, long_columns, period_freq)


def prepare_covariates(X, *, long_columns=None, series=None, name):
    """Covariates ``X`` as one table, an array, or ``{series name: table}`` (long data
    with the identifier and time columns of ``long_columns``, default ``unique_id, ds``),
    tables indexed by periods re-indexed by their start times; with ``series``, the
    table of that series."""
    id_col, time_col = (long_columns or DEFAULT_LONG_COLUMNS)[:2]
    X = _covariate_tables(X, id_col, time_col)
    if series is not None and isinstance(X, dict):
        X = covariates_for(X, series, name=name)
    return X


def _covariate_tables(X, id_col, time_col):
    if X is None:
        return None
    if isinstance(X, dict):
        return {key: _covariate_tables(value, id_col, time_col) for key, value in X.items()}
    if isinstance(X, pd.DataFrame) and {id_col, time_col} <= set(X.columns):
        data = X.assign(**{time_col: _parse_times(X[time_col], time_col)})
        return long_covariates(data, id_col, time_col)
    if isinstance(X, pd.Series):
        X = X.to_frame()
    if isinstance(X, pd.DataFrame):
        return _timestamps(X)
    array = np.asarray(X)
    return array[:, None] if array.ndim == 1 else array


def _merge(first, second):
    """Covariate tables of ``first`` completed by those of ``second``."""
    if first is None or second is None:
        return second if first is None else first
    if not isinstance(first, dict):
        first = dict.fromkeys(second, first)
    merged = dict(second)
    for key, table in first.items():
        other = merged.get(key)
        merged[key] = table if other is None else table.combine_first(other)
    return merged


def covariates_for(X, series, *, name):
    """The covariates of one series: its table of a dict, or the shared table."""
    if not isinstance(X, dict):
        return X
    if series not in X:
        raise InputValueError(
            f"{name}: the covariates X have no table for series {series!r} (they have "
            f"{list(X)[:5]}); pass one for every series, or one table shared by all."
        )
    return X[series]


def align_rows(X, index, *, name):
    """The rows of covariates ``X`` that belong to the observations at ``index``.

    A pandas table is matched by label when its index holds every label of ``index``
    (extra rows, such as future ones, are dropped) and by position when it has exactly
    ``len(index)`` rows of another kind; an array must have ``len(index)`` rows.
    """
    if X is None:
        return None
    if not isinstance(X, pd.DataFrame):
        if np.asarray(X).shape[0] != len(index):
            raise InputValueError(
                f"{name}: X has {np.asarray(X).shape[0]} rows but y has {len(index)} values; "
                "pass one row of covariates per observation of y."
            )
        return X
    if X.index.equals(index):
        return X
    if X.index.has_duplicates:
        raise InputValueError(
            f"{name}: the index of X has duplicate labels, first "
            f"{X.index[X.index.duplicated()][0]!r}; pass one row per timestamp."
        )
    missing = index.difference(X.index)
    if len(missing) < len(index) or isinstance(X.index, pd.DatetimeIndex):
        if len(missing):
            raise InputValueError(
                f"{name}: X has no rows for {len(missing)} timestamp(s) of y, first "
                f"{missing[0]!r}; pass one row of covariates per observation of y (X may "
                "hold more rows, such as the future ones)."
            )
        return X.loc[index]
    if len(X) == len(index):
        return X.set_axis(index, axis=0)
    raise InputValueError(
        f"{name}: X has {len(X)} rows whose labels are not those of y ({len(index)} values); "
        "index X like y, or pass one row per observation."
    )


def future_rows(X, index, *, name):
    """The rows of future covariates ``X`` at the forecast timestamps ``index``.

    A table indexed by dates must hold every forecast timestamp (an InputValueError says
    which are missing); a table whose labels hold them all gives those rows; anything
    else is returned unchanged (its rows are read by position: step 1 first).
    """
    if not isinstance(X, pd.DataFrame):
        return X
    missing = index.difference(X.index)
    if not len(missing):
        return X.loc[index]
    if isinstance(X.index, pd.DatetimeIndex):
        raise InputValueError(
            f"{name}: X has no rows for {len(missing)} of the {len(index)} forecast "
            f"timestamps, first {missing[0]!r}; pass at least one row per forecast step, "
            f"for the timestamps {index[0]!r} .. {index[-1]!r}."
        )
    return X


def present(result, *, period_freq=None, long_columns=None, parts=False, series=None):
    """Forecasts in the layout of the input: periods for periods, long for long
    (``series`` names the series of a single-series table of parts)."""
    if period_freq is not None:
        result = result.set_axis(result.index.to_period(period_freq), axis=0)
    if long_columns is not None:
        id_col, time_col, target = long_columns
        result = to_long(result, id_col=id_col, time_col=time_col, target=target, parts=parts,
                         series=series)
    return result
