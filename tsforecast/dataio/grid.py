"""Placing the values on a regular time grid: order, duplicates, gaps and how to fill them.

The grid step is the frequency inferred by :func:`tsforecast.frequency.infer_frequency`
with gaps allowed; a timestamp off the grid, a duplicate or a gap is reported with the
line it is on, and gaps are filled only when the user asked for it (``fill``).
"""

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from tsforecast.dataio.checks import DataError
from tsforecast.frequency import describe_frequency as _describe_freq
from tsforecast.frequency import infer_frequency, season_length

#: the values ``fill`` accepts
FILL_METHODS = ("interpolate", "ffill", "zero")
_FILL_HINT = "pass fill='interpolate', 'ffill' or 'zero' (CLI: --fill interpolate)"
#: how many duplicate lines or missing timestamps an error lists
_MAX_SHOWN = 5


def infer_freq(index):
    """Frequency of a ``DatetimeIndex`` that may have gaps, or None when it is irregular.

    The frequency :func:`~tsforecast.dataio.read_csv` puts on the index: the same as
    ``tsforecast.frequency.infer_frequency(index, allow_gaps=True)``.

    Parameters
    ----------
    index : pandas.DatetimeIndex

    Returns
    -------
    str or None

    Examples
    --------
    >>> infer_freq(pd.DatetimeIndex(["2020-01-01", "2020-02-01", "2020-05-01", "2020-06-01"]))
    'MS'
    """
    return infer_frequency(index, allow_gaps=True)


def _infer_offset(unique_times):
    """Grid step of sorted unique timestamps, tolerating missing ones; None if irregular."""
    freq = infer_frequency(unique_times, allow_gaps=True)
    return None if freq is None else to_offset(freq)


def _assemble(values, times, codes, labels, layout, fill, line_numbers, targets, time_col, notes):
    n_rows, k = values.shape
    n_series = len(labels) if layout == "long" else k
    if times is None:
        if layout == "long":
            position = pd.Series(codes).groupby(codes).cumcount().to_numpy()
        else:
            position = np.arange(n_rows)
        length = int(position.max()) + 1
        index = pd.RangeIndex(length)
        freq = None
    else:
        position, index, freq = _place_on_grid(times, codes, line_numbers, notes)
        length = len(index)

    matrix = np.full((length, n_series), np.nan)
    present = np.zeros((length, n_series), dtype=bool)
    if layout == "long":
        matrix[position, codes] = values[:, 0]
        present[position, codes] = True
    else:
        matrix[position] = values
        present[position] = True

    has_value = ~np.isnan(matrix)
    inside = (
        np.maximum.accumulate(has_value, axis=0)
        & np.maximum.accumulate(has_value[::-1], axis=0)[::-1]
    )
    missing_stamps = inside & ~present
    missing_values = inside & present & ~has_value
    if missing_stamps.any() or missing_values.any():
        if fill is None:
            _raise_gaps(
                missing_stamps,
                missing_values,
                index,
                labels,
                layout,
                position,
                codes,
                line_numbers,
                freq,
            )
        frame = pd.DataFrame(matrix)
        if fill == "interpolate":
            frame = frame.interpolate(limit_area="inside")
        elif fill == "ffill":
            frame = frame.ffill().where(inside | has_value)
        else:
            frame = frame.fillna(0.0).where(inside | has_value)
        matrix = frame.to_numpy()
        filled = [
            f"{count} {what}"
            for count, what in (
                (int(missing_stamps.sum()), "missing timestamp(s)"),
                (int(missing_values.sum()), "empty value(s)"),
            )
            if count
        ]
        notes.append(f"Filled {' and '.join(filled)} with fill={fill!r}.")

    keep = ~np.isnan(matrix).all(axis=1)
    first, last = int(np.argmax(keep)), len(keep) - int(np.argmax(keep[::-1]))
    if first > 0 or last < len(keep):
        notes.append(f"Dropped {first + len(keep) - last} leading/trailing row(s) without values.")
    matrix = matrix[first:last]
    index = index[first:last]
    if isinstance(index, pd.DatetimeIndex) and freq is not None:
        index = pd.DatetimeIndex(index, freq=freq, name=time_col)
    if layout == "single":
        return pd.Series(matrix[:, 0], index=index, name=targets[0]), freq
    frame = pd.DataFrame(matrix, index=index, columns=pd.Index(labels))
    return frame, freq


def _place_on_grid(times, codes, line_numbers, notes):
    is_dates = isinstance(times, pd.DatetimeIndex)
    keys = times.asi8 if is_dates else times.to_numpy(dtype=np.int64)
    if codes is None:
        duplicated = times.duplicated(keep=False)
    else:
        duplicated = pd.DataFrame({"id": codes, "t": keys}).duplicated(keep=False).to_numpy()
    if duplicated.any():
        rows = np.flatnonzero(duplicated)
        same = rows[keys[rows] == keys[rows[0]]]
        if codes is not None:
            same = same[codes[same] == codes[rows[0]]]
        shown = ", ".join(str(int(line_numbers[r])) for r in same[:_MAX_SHOWN])
        series = "" if codes is None else " in one series"
        raise DataError(
            f"duplicate timestamp {_stamp(times[rows[0]], None)} appears {len(same)} times{series} (lines {shown}); "
            "remove the duplicate rows or aggregate them (e.g. sum or average per timestamp) first."
        )
    if codes is None:
        order_ok = bool(np.all(np.diff(keys) > 0))
    else:
        order = np.argsort(codes, kind="stable")
        order_ok = bool(np.all(np.diff(keys[order])[np.diff(codes[order]) == 0] > 0))
    if not order_ok:
        notes.append(f"Rows were not in time order; sorted them by {times.name!r}.")
    if not is_dates:
        return _place_on_integer_grid(times, keys)
    unique_times = times.unique().sort_values()
    offset = _infer_offset(unique_times)
    if offset is None and len(unique_times) >= 2:
        unique_times, offset = _normalise_monthly(unique_times, notes)
        if offset is not None:
            times = times.to_period("M").to_timestamp()
    if offset is None:
        if len(unique_times) < 2:
            notes.append("Only one timestamp: the frequency is unknown.")
            return (
                unique_times.get_indexer(times),
                pd.DatetimeIndex(unique_times, name=times.name),
                None,
            )
        steps = pd.Series(np.diff(unique_times.asi8)).value_counts()
        unit = str(unique_times.unit)
        common = pd.Timedelta(int(steps.index[0]), unit=unit)
        odd = int(np.flatnonzero(np.diff(unique_times.asi8) != steps.index[0])[0]) + 1
        raise DataError(
            f"timestamps in {times.name!r} are irregular: most are {common} apart but "
            f"{unique_times[odd - 1]} is followed by {unique_times[odd]}; "
            "resample the data to a regular frequency (e.g. one row per day or month)."
        )
    grid_length = _grid_length(unique_times, offset)
    if grid_length > 20 * len(unique_times) + 1000:
        raise DataError(
            f"timestamps in {times.name!r} are irregular: a step of {offset.freqstr} from {unique_times[0]} to "
            f"{unique_times[-1]} would need {grid_length} rows for {len(unique_times)} timestamps; "
            "resample the data to a regular frequency."
        )
    grid = pd.date_range(unique_times[0], unique_times[-1], freq=offset, name=times.name)
    position = grid.get_indexer(times)
    if (position < 0).any():
        off = times[position < 0][0]
        raise DataError(
            f"timestamps in {times.name!r} are irregular: {off} is not on the {_describe_freq(offset.freqstr)} "
            f"({offset.freqstr}) grid that starts at {grid[0]}; resample the data to a regular frequency."
        )
    freq = offset.freqstr
    notes.append(
        f"Frequency {_describe_freq(freq)} ({freq!r}), season length {season_length(freq)}."
    )
    return position, grid, freq


def _place_on_integer_grid(times, keys):
    unique_keys = np.unique(keys)
    step = int(np.diff(unique_keys).min()) if len(unique_keys) > 1 else 1
    if np.any((unique_keys - unique_keys[0]) % step):
        odd = unique_keys[np.flatnonzero((unique_keys - unique_keys[0]) % step)[0]]
        raise DataError(
            f"time steps in {times.name!r} are irregular: the smallest step is {step} but {odd} is off that grid; "
            "number the rows with a constant step."
        )
    length = (int(unique_keys[-1]) - int(unique_keys[0])) // step + 1
    if length > 20 * len(unique_keys) + 1000:
        raise DataError(
            f"time steps in {times.name!r} are irregular: {len(unique_keys)} values spread over {length} steps "
            f"of {step}; number the rows with a constant step."
        )
    grid = pd.RangeIndex(int(unique_keys[0]), int(unique_keys[-1]) + step, step, name=times.name)
    return (keys - unique_keys[0]) // step, grid, None


def _grid_length(unique_times, offset):
    try:
        span = unique_times[-1] - unique_times[0]
        nominal = pd.Timedelta(offset.nanos, unit="ns")
        return int(span / nominal) + 1
    except ValueError:
        return len(unique_times)


def _normalise_monthly(unique_times, notes):
    steps = np.diff(unique_times.asi8) / (
        pd.Timedelta(days=1) / pd.Timedelta(1, unit=str(unique_times.unit))
    )
    if (
        unique_times.tz is None
        and len(set(unique_times.day)) == 1
        and 28 <= steps.min() <= 31
        and (unique_times == unique_times.normalize()).all()
    ):
        day = unique_times[0].day
        notes.append(f"Monthly timestamps on day {day} were moved to the first of each month.")
        return unique_times.to_period("M").to_timestamp().rename(unique_times.name), to_offset("MS")
    return unique_times, None


def _raise_gaps(
    missing_stamps, missing_values, index, labels, layout, position, codes, line_numbers, freq
):
    if missing_stamps.any():
        rows = np.flatnonzero(missing_stamps.any(axis=1))
        shown = ", ".join(_stamp(index[r], freq) for r in rows[:_MAX_SHOWN])
        more = f" (first {_MAX_SHOWN} of {len(rows)})" if len(rows) > _MAX_SHOWN else ""
        series = ""
        if layout == "long":
            columns = np.flatnonzero(missing_stamps.any(axis=0))
            series = f" in {len(columns)} series (first {labels[columns[0]]!r})"
        raise DataError(
            f"{len(rows)} missing timestamp(s){series} in the {_describe_freq(freq)} sequence: {shown}{more}; "
            f"add the rows or {_FILL_HINT}."
        )
    row, column = np.argwhere(missing_values)[0]
    if layout == "long":
        line = line_numbers[(position == row) & (codes == column)][0]
    else:
        line = line_numbers[position == row][0]
    total = int(missing_values.sum())
    name = labels[column]
    where = f"series {name!r}" if layout == "long" else f"column {name!r}"
    raise DataError(
        f"{where} has {total} empty value(s) inside the series, first on line {int(line)}"
        f" ({_stamp(index[row], freq)}); fill the cells or {_FILL_HINT}."
    )


def _stamp(value, freq):
    if isinstance(value, pd.Timestamp):
        if freq is not None and (freq.startswith(("MS", "ME", "Q", "Y"))):
            return value.strftime("%Y-%m")
        return str(value.date()) if value == value.normalize() else str(value)
    return str(value)
