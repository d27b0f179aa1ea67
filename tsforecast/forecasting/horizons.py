"""Horizons, interval coverages and quantile levels as users write them.

A horizon is a number of steps (``12``), a list of steps ahead (``[1, 3, 12]``) or future
timestamps (a ``DatetimeIndex``, a ``PeriodIndex``, a list of dates after the cutoff);
:func:`forecast_steps` turns each into the sorted steps ahead. A coverage is one
probability (``0.9``) or several (``[0.8, 0.95]``); quantile levels are probabilities.
:func:`interval_parts` and :func:`quantile_parts` name the columns of the tables that
``predict_interval`` and ``predict_quantiles`` return.
"""

import datetime
import numbers

import numpy as np
import pandas as pd

from tsforecast.validation import InputTypeError, InputValueError

__all__ = [
    "coverage_levels",
    "forecast_steps",
    "interval_label",
    "interval_parts",
    "quantile_coverages",
    "quantile_label",
    "quantile_levels",
    "quantile_parts",
]

_DATE_TYPES = (pd.Timestamp, pd.Period, datetime.date, np.datetime64, str)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def forecast_steps(horizon, *, cutoff, freq):
    """The steps ahead (1 = the first value after ``cutoff``) that ``horizon`` asks for.

    Parameters
    ----------
    horizon : int, sequence of int, or timestamps
        A number of steps ``h`` (steps ``1..h``); steps ahead such as ``[1, 3, 12]``; or
        future timestamps: a ``DatetimeIndex``, a ``PeriodIndex``, or a list of dates
        (``Timestamp``, ``Period``, ``datetime`` or text such as ``"2021-03"``) on the
        grid of the series after ``cutoff``.
    cutoff : pandas.Timestamp or int
        The last observed time.
    freq : str or None
        Frequency of the series (None for integer positions, which take steps only).

    Returns
    -------
    numpy.ndarray of int
        Sorted, distinct, positive steps.

    Examples
    --------
    >>> cutoff = pd.Timestamp("2020-12-01")
    >>> forecast_steps(3, cutoff=cutoff, freq="MS").tolist()
    [1, 2, 3]
    >>> forecast_steps([12, 1, 3], cutoff=cutoff, freq="MS").tolist()
    [1, 3, 12]
    >>> forecast_steps(["2021-02-01", "2021-06-01"], cutoff=cutoff, freq="MS").tolist()
    [2, 6]
    """
    if _is_int(horizon):
        if horizon < 1:
            raise _horizon_error(horizon)
        return np.arange(1, int(horizon) + 1)
    if isinstance(horizon, (pd.DatetimeIndex, pd.PeriodIndex) + _DATE_TYPES):
        return _steps_of_times(horizon, cutoff, freq)
    if not isinstance(horizon, (list, tuple, range, np.ndarray, pd.Index)):
        raise _horizon_error(horizon)
    values = list(horizon)
    if not values:
        raise InputValueError("`horizon` is empty; pass e.g. `horizon=12` or `[1, 3, 12]`.")
    if all(isinstance(v, _DATE_TYPES) for v in values):
        return _steps_of_times(values, cutoff, freq)
    if not all(_is_int(v) and v >= 1 for v in values):
        raise InputValueError(
            f"`horizon`={horizon!r} must hold positive integer steps ahead (e.g. [1, 3, 12]) "
            "or future timestamps (e.g. ['2021-01-01', '2021-02-01']), not a mix."
        )
    return np.unique(np.asarray(values, dtype=int))


def _horizon_error(horizon):
    return InputValueError(
        f"`horizon`={horizon!r} must be a positive integer (the number of steps ahead), a "
        "list of steps such as [1, 3, 12], or future timestamps."
    )


def _steps_of_times(times, cutoff, freq):
    if freq is None:
        raise InputValueError(
            "The series is indexed by integer positions, so the horizon is counted in steps; "
            "pass e.g. `horizon=12` or `horizon=[1, 3, 12]` instead of timestamps."
        )
    if isinstance(times, _DATE_TYPES):
        times = [times]
    if isinstance(times, list) and all(isinstance(t, pd.Period) for t in times):
        times = pd.PeriodIndex(times)
    if isinstance(times, pd.PeriodIndex):
        # a series indexed by periods is fitted on the periods' start times
        times = times.to_timestamp()
    try:
        times = pd.DatetimeIndex(pd.to_datetime(times))
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            f"The horizon's timestamps could not be read as dates ({exc}); pass a "
            "DatetimeIndex, a PeriodIndex or a list of dates."
        ) from None
    early = times[times <= cutoff]
    if len(early):
        raise InputValueError(
            f"The horizon's timestamp {early[0]!r} is not after the cutoff {cutoff!r} (the "
            "last observed time); forecasts start after it."
        )
    grid = pd.date_range(cutoff, end=times.max(), freq=freq)
    positions = grid.get_indexer(times)
    off = times[positions < 0]
    if len(off):
        raise InputValueError(
            f"The horizon's timestamp {off[0]!r} is not on the {freq!r} grid of the series "
            f"(after the cutoff {cutoff!r} come {grid[1:3].tolist()}, ...)."
        )
    return np.unique(positions)


def coverage_levels(coverage):
    """``(levels, several)``: the coverages asked for, and whether a list was passed.

    One probability gives the table ``forecast, lower, upper``; a list gives labelled
    bounds for each level (see :func:`interval_parts`).
    """
    several = isinstance(coverage, (list, tuple, np.ndarray, pd.Index))
    levels = _probabilities(
        list(coverage) if several else [coverage], empty="`coverage` is empty; pass e.g. "
        "`coverage=[0.8, 0.95]`.", wrong="`coverage`={!r} must be a probability strictly "
        "between 0 and 1, e.g. 0.9 for a 90% interval.",
    )
    return levels, several


def quantile_levels(quantiles):
    """The quantile levels asked for, sorted and distinct."""
    return _probabilities(
        [quantiles] if isinstance(quantiles, numbers.Real) else list(quantiles),
        empty="`quantiles` is empty; pass e.g. `quantiles=[0.1, 0.5, 0.9]`.",
        wrong="Quantile level {!r} must be strictly between 0 and 1; pass e.g. "
        "`quantiles=[0.1, 0.5, 0.9]`.",
    )


def _probabilities(levels, *, empty, wrong):
    """``levels`` sorted and distinct, each strictly between 0 and 1 (else ``wrong``)."""
    if not levels:
        raise InputValueError(empty)
    for level in levels:
        if not (isinstance(level, numbers.Real) and not isinstance(level, bool)
                and 0 < level < 1):
            raise InputValueError(wrong.format(level))
    return sorted({float(level) for level in levels})


def quantile_coverages(quantiles):
    """Coverages of the central intervals whose bounds are the quantiles (0.1 -> 0.8)."""
    return sorted({round(abs(2 * q - 1), 12) for q in quantiles if q != 0.5})


def interval_label(part, level):
    """Column of a bound at one coverage: ``interval_label("lower", 0.8) == "lower_80"``."""
    return f"{part}_{100 * level:g}"


def quantile_label(level):
    """Column of a quantile: ``quantile_label(0.1) == "q0.1"``."""
    return f"q{level:g}"


def interval_parts(point, bounds, levels, several):
    """Columns of an interval table: ``forecast``, then ``lower``/``upper`` (one level) or
    ``lower_<pct>``/``upper_<pct>`` per level, as ``{label: array}``."""
    if not several:
        lower, upper = bounds[levels[0]]
        return {"forecast": point, "lower": lower, "upper": upper}
    parts = {"forecast": point}
    for level in levels:
        lower, upper = bounds[level]
        parts[interval_label("lower", level)] = lower
        parts[interval_label("upper", level)] = upper
    return parts


def quantile_parts(point, bounds, quantiles):
    """Columns of a quantile table, ``{quantile_label(q): array}``: the lower bound of the
    central interval of coverage ``1 - 2q`` below the median, the upper bound of coverage
    ``2q - 1`` above, the point forecast at ``q = 0.5``."""
    parts = {}
    for q in quantiles:
        if q == 0.5:
            parts[quantile_label(q)] = point
        else:
            lower, upper = bounds[round(abs(2 * q - 1), 12)]
            parts[quantile_label(q)] = lower if q < 0.5 else upper
    return parts
