"""Checks of the series a forecaster is given: numbers, no gaps, a regular time index.

:func:`check_series` validates one series, or a wide panel whose series share their end;
:func:`check_panel` validates a wide panel whose series may start and end at different
times (each series is checked on its own span). Both return float pandas data whose
``DatetimeIndex`` has its frequency set; a ``PeriodIndex`` becomes the ``DatetimeIndex`` of
the periods' starts (forecasters turn their forecasts back into periods).
"""

import numpy as np
import pandas as pd

from tsforecast.frequency import infer_frequency
from tsforecast.validation import InputTypeError, InputValueError

__all__ = ["check_panel", "check_series"]

_LONG_HINT = (
    "a frame with one row per series and time is long data: pass it as "
    "LongPanel(data, id_col=..., time_col=..., target=...) (the columns unique_id, ds and y "
    "are recognised by themselves)"
)


def check_series(y, *, name="forecaster", allow_dataframe=True, min_length=2):
    """Validate a series (or wide frame) and return it as float pandas data.

    Raises a ``ValueError`` or ``TypeError`` that says what is wrong and how to fix it:
    non-numeric values, NaN/inf inside a series, fewer than ``min_length`` values,
    duplicate or unsorted timestamps, or a datetime index without a regular frequency.
    The series of a wide frame may start at different times (leading NaN) but must share
    their end.
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
    if y.shape[0] < min_length:
        raise InputValueError(
            f"{name} needs at least {min_length} observations, got {y.shape[0]}."
        )
    _check_numeric(y, name)
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


def check_panel(y, *, name, min_length=2):
    """Validate one series or a wide panel whose series may start and end at different times.

    A single series goes through :func:`check_series`. In a panel each series is checked
    on its own span (first to last observed value), so leading and trailing NaN mark
    later starts and earlier ends, while a gap inside a series is still an error; the
    shared index is checked once (sorted, unique, regular).

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Float data with the frequency of a datetime index set.
    """
    if not isinstance(y, pd.DataFrame) or y.shape[1] == 0:
        return check_series(y, name=name, min_length=min_length)
    _check_numeric(y, name)
    index = check_series(pd.Series(0.0, index=y.index), name=name, min_length=min_length).index
    y = y.set_axis(index, axis=0)
    for column in y.columns:
        values = y[column]
        observed = np.flatnonzero(values.notna().to_numpy())
        span = values if observed.size == 0 else values.iloc[observed[0] : observed[-1] + 1]
        check_series(span, name=f"{name}: series {column!r}", allow_dataframe=False,
                     min_length=min_length)
    return y.astype(float)


def _check_numeric(y, name):
    values = y if isinstance(y, pd.DataFrame) else y.to_frame()
    for column in values.columns:
        dtype = values[column].dtype
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            continue
        if isinstance(y, pd.DataFrame):
            raise InputTypeError(
                f"{name}: column {column!r} has non-numeric dtype {dtype}; {_LONG_HINT}; "
                "otherwise convert the column with pandas.to_numeric(...) first."
            )
        raise InputTypeError(
            f"{name}: series {column!r} has non-numeric dtype {dtype}; "
            "convert it with pandas.to_numeric(...) first."
        )


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
