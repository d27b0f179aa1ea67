"""Panels of series: many series side by side in a wide frame, checked one by one.

The evaluation works on wide frames (one column per series, a shared time index). Series
may start and end at different times: leading and trailing NaN mark a later start or an
earlier end, while a gap inside a series is an error. :func:`to_wide` pivots long data
(``unique_id, ds, y``) to that shape.
"""

import numpy as np
import pandas as pd

from tsforecast.forecasting import check_series
from tsforecast.frequency import infer_frequency
from tsforecast.validation import InputTypeError, InputValueError

__all__ = ["as_panel", "check_panel", "series_label", "to_wide", "training_columns"]


def check_panel(y, *, name):
    """Validate one series or a wide panel whose series may start and end at different times.

    A single series goes through :func:`~tsforecast.forecasting.check_series`. In a panel each
    series is checked on its own span (first to last observed value), so leading and
    trailing NaN mark later starts and earlier ends, while a gap inside a series is
    still an error; the shared index is checked once (sorted, unique, regular).

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Float data with the frequency of a datetime index set.
    """
    if not isinstance(y, pd.DataFrame) or y.shape[1] == 0:
        return check_series(y, name=name)
    y = y.set_axis(check_series(pd.Series(0.0, index=y.index), name=name).index, axis=0)
    for column in y.columns:
        values = y[column]
        observed = np.flatnonzero(values.notna().to_numpy())
        span = values if observed.size == 0 else values.iloc[observed[0] : observed[-1] + 1]
        check_series(span, name=f"{name}: series {column!r}", allow_dataframe=False)
    return y.astype(float)


def training_columns(y_train):
    """Columns of a panel's training part observed at its last row (started, not ended)."""
    return y_train.columns[y_train.iloc[-1].notna().to_numpy()]


def series_label(y):
    """The name of a series in result tables: its own, or ``"y"``."""
    return y.name if y.name is not None else "y"


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

    Examples
    --------
    >>> long = pd.DataFrame({"unique_id": ["a", "a", "b", "b"], "ds": [1, 2, 1, 2],
    ...                      "y": [1.0, 2.0, 3.0, 4.0]})
    >>> to_wide(long).to_numpy().tolist()
    [[1.0, 3.0], [2.0, 4.0]]
    """
    if not isinstance(data, pd.DataFrame):
        raise InputTypeError(
            f"to_wide expects a long pandas.DataFrame, got {type(data).__name__}."
        )
    missing = [c for c in (id_col, time_col, target) if c not in data.columns]
    if missing:
        raise InputValueError(
            f"Long data needs the columns {id_col!r}, {time_col!r} and {target!r}; "
            f"{missing} not found among {list(data.columns)}. Pass `id_col=`, `time_col=` and "
            "`target=` with the names your data uses."
        )
    duplicated = data.duplicated([id_col, time_col])
    if duplicated.any():
        row = data.loc[duplicated, [id_col, time_col]].iloc[0].tolist()
        raise InputValueError(
            f"Long data has {int(duplicated.sum())} duplicate ({id_col}, {time_col}) pair(s), "
            f"first {row}; aggregate them (e.g. groupby([{id_col!r}, {time_col!r}]).mean()) first."
        )
    times = data[time_col]
    if not (pd.api.types.is_numeric_dtype(times) or pd.api.types.is_datetime64_any_dtype(times)):
        try:
            times = pd.to_datetime(times)
        except (ValueError, TypeError) as exc:
            raise InputValueError(
                f"The time column {time_col!r} could not be parsed as dates ({exc}); "
                "convert it with pandas.to_datetime(..., format=...) first."
            ) from None
    wide = (
        data.assign(**{time_col: times})
        .pivot(index=time_col, columns=id_col, values=target)
        .sort_index()
    )
    wide.columns.name = None
    wide.index.name = None
    if isinstance(wide.index, pd.DatetimeIndex):
        freq = infer_frequency(wide.index)
        if freq is not None:
            wide.index = pd.DatetimeIndex(wide.index, freq=freq)
    return wide


def as_panel(data, *, name):
    """One series, a wide frame or long data as a checked wide frame (one column per series).

    ``name`` prefixes the error messages (the calling function).
    """
    if isinstance(data, pd.DataFrame) and {"unique_id", "ds", "y"} <= set(data.columns):
        data = to_wide(data)
    panel = check_panel(data, name=name)
    if isinstance(panel, pd.Series):
        panel = panel.to_frame(name=series_label(panel))
    return panel
