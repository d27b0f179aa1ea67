"""Sampling frequency of a time index: inferred from timestamps, named, and turned into a season.

The one place that knows about frequencies. :func:`infer_frequency` reads the frequency of
timestamps, either of a complete index (the pandas rule) or of timestamps with gaps, as a CSV
file with missing rows has; :func:`frequency_name` and :func:`describe_frequency` give the words
for it; :func:`seasonal_periods` the calendar cycles a series of that frequency can show, in
time steps (hourly: a day of 24 and a week of 168), and :func:`season_length` the dominant one.

Seasonal periods by kind of step (``n`` a multiple such as ``"2h"`` divides each; a cycle that
is not a whole number of steps is left out):

=========================================  ====================  ===========================
step                                       periods               example
=========================================  ====================  ===========================
1 second up to 12 hours (``s``, ``min``,   day, week             ``h`` (24, 168);
``h`` and their multiples)                                       ``30min`` (48, 336)
whole days (``D``)                         week, year of 365     ``D`` (7, 365)
business day (``B``, ``C``)                week of 5, year 260   ``B`` (5, 260)
business hour (``bh``, ``cbh``)            business day, week    ``bh`` (8, 40)
week (``W-SUN`` ...)                       year of 52            ``W-SUN`` (52,)
semi-month (``SMS``, ``SME``)              year of 24            ``SMS`` (24,)
month (``MS``, ``ME``, ``BMS``, ``BME``,   year of 12            ``BMS`` (12,)
``CBMS``, ``CBME``, ``WOM-..``, ``LWOM-``)
quarter (``QS``, ``QE``, ``BQS``, ``BQE``,  year of 4             ``BQS`` (4,)
``REQ-..``)
half year (``HYS``, ``HYE``, ``BHYS`` ..)  year of 2             ``HYS`` (2,)
year (``YS``, ``YE``, ``BYS``, ``RE-..``)  none                  ``YS`` ()
below a second (``ms``, ``us``, ``ns``)    none (a day is more than 10^7 steps)
=========================================  ====================  ===========================

Sub-daily data take the daily cycle first, as ``forecast::msts`` does for hourly and
half-hourly data, so ``season_length("30min")`` is 48; the weekly cycle comes second.
"""

import re
import warnings

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

__all__ = [
    "describe_frequency",
    "frequency_name",
    "infer_frequency",
    "season_length",
    "seasonal_periods",
]

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# Offset name (without anchor or multiple) -> the word people use for it.
_FREQUENCY_NAMES = {
    "MS": "monthly", "ME": "monthly", "M": "monthly", "BM": "monthly",
    "QS": "quarterly", "QE": "quarterly", "Q": "quarterly",
    "YS": "yearly", "YE": "yearly", "Y": "yearly", "A": "yearly",
    "W": "weekly", "D": "daily", "B": "business-daily", "h": "hourly", "H": "hourly",
    "min": "minutely", "T": "minutely", "s": "secondly", "S": "secondly",
}


def frequency_name(freq):
    """The everyday word for a frequency (``"MS"`` -> ``"monthly"``), ``None`` if unknown.

    Examples
    --------
    >>> frequency_name("MS"), frequency_name("W-SAT"), frequency_name("2h"), frequency_name(None)
    ('monthly', 'weekly', 'hourly', None)
    """
    if not freq:
        return None
    base = str(freq).split("-")[0].lstrip("0123456789")
    return _FREQUENCY_NAMES.get(base)


def describe_frequency(freq):
    """The frequency as messages show it: its word, ``"<freq>-step"``, or ``"integer"``.

    Multiples and frequencies without a word are named by their alias, and ``None`` (time
    steps that are whole numbers, not dates) is ``"integer"``.

    Examples
    --------
    >>> describe_frequency("MS"), describe_frequency("2D"), describe_frequency("C")
    ('monthly', '2D-step', 'C-step')
    >>> describe_frequency(None)
    'integer'
    """
    if freq is None:
        return "integer"
    if re.match(r"^\d", freq):
        return f"{freq}-step"
    return frequency_name(freq) or f"{freq}-step"


def infer_frequency(index, *, allow_gaps=False):
    """Frequency string of timestamps (``"MS"``, ``"W-SAT"``, ...), ``None`` when irregular.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        The timestamps.
    allow_gaps : bool, default=False
        False: the index must be complete and in order. Its own ``freq`` is used when set,
        else ``pandas.infer_freq`` (which needs at least 3 timestamps); anything that is not
        a ``DatetimeIndex`` gives ``None``. True: timestamps may be missing, repeated or out
        of order, as in a file with gaps. The distinct timestamps are sorted; when the rule
        above finds no frequency, the smallest step between them is taken (calendar aware:
        months, quarters and years of different lengths are recognised), provided the
        timestamps lie on it. Two timestamps are enough.

    Returns
    -------
    str or None

    Examples
    --------
    >>> with_gap = pd.DatetimeIndex(["2020-01-01", "2020-02-01", "2020-05-01", "2020-06-01"])
    >>> infer_frequency(with_gap), infer_frequency(with_gap, allow_gaps=True)
    (None, 'MS')
    """
    if allow_gaps:
        return _infer_with_gaps(pd.DatetimeIndex(index).unique().sort_values())
    return _infer_complete(index)


def _infer_complete(index):
    if not isinstance(index, pd.DatetimeIndex):
        return None
    if index.freq is not None:
        return index.freqstr
    if len(index) < 3:
        return None
    with warnings.catch_warnings():
        # pandas 3 warns that infer_freq will return an offset; accept either form
        warnings.filterwarnings("ignore", message=".*infer_freq.*")
        freq = pd.infer_freq(index)
    if freq is None or isinstance(freq, str):
        return freq
    return to_offset(freq).freqstr


def _infer_with_gaps(unique_times):
    """Frequency of sorted distinct timestamps, tolerating missing ones; None if irregular."""
    if len(unique_times) < 2:
        return None
    freq = _infer_complete(unique_times)
    if freq is not None:
        return to_offset(freq).freqstr
    step = pd.Timedelta(np.diff(unique_times.asi8).min(), unit=str(unique_times.unit))
    days = step / pd.Timedelta(days=1)
    offset = None
    if days == int(days):
        first = unique_times[0]
        starts = bool((unique_times.day == 1).all())
        ends = bool(unique_times.is_month_end.all())
        if 28 <= days <= 31:
            offset = "MS" if starts else "ME" if ends else None
        elif 89 <= days <= 92 and len(set(unique_times.month % 3)) == 1:
            anchor = (first.month - 1) % 3 + 1
            offset = (
                f"QS-{_MONTHS[anchor - 1]}"
                if starts
                else (f"QE-{_MONTHS[(anchor + 9) - 1]}" if ends else None)
            )
        elif 365 <= days <= 366 and len(set(unique_times.month)) == 1:
            offset = (
                f"YS-{_MONTHS[first.month - 1]}"
                if starts
                else (f"YE-{_MONTHS[first.month - 1]}" if ends else None)
            )
        elif days % 7 == 0 and len(set(unique_times.day_of_week)) == 1:
            weeks = int(days // 7)
            offset = f"{weeks if weeks > 1 else ''}W-{first.day_name()[:3].upper()}"
        elif days == 1 and bool((unique_times.day_of_week < 5).all()) and len(unique_times) >= 10:
            offset = "B"
        elif days < 28 and bool((unique_times == unique_times.normalize()).all()):
            offset = f"{int(days)}D" if days > 1 else "D"
    elif days < 1:
        offset = step
    if offset is None:
        return None
    offset = to_offset(offset)
    if not all(offset.is_on_offset(t) for t in unique_times[:3]):
        return None
    return offset.freqstr


#: A seasonal period is useful for a series that covers at least this many of its cycles
#: (fewer give no second look at any phase of the cycle).
MIN_CYCLES = 2

_SECOND_NS = 1_000_000_000
_DAY_NS = 86_400 * _SECOND_NS
_WEEK_NS = 7 * _DAY_NS
#: Days (and business days) in the yearly cycle of daily (business-daily) data.
_DAYS_PER_YEAR = 365
_BUSINESS_DAYS_PER_YEAR = 52 * 5


def _offset_classes(*names):
    """The pandas offset classes of these names that this pandas version has."""
    return tuple(getattr(pd.offsets, name) for name in names if hasattr(pd.offsets, name))


# Offset classes -> their cycles in single steps, most specific first: the business and
# custom-business classes derive from the plain ones or from none of them.
_PER_YEAR = (
    (_offset_classes("SemiMonthBegin", "SemiMonthEnd"), 24),
    (_offset_classes("MonthBegin", "MonthEnd", "BusinessMonthBegin", "BusinessMonthEnd",
                     "CustomBusinessMonthBegin", "CustomBusinessMonthEnd", "WeekOfMonth",
                     "LastWeekOfMonth"), 12),
    (_offset_classes("QuarterBegin", "QuarterEnd", "BQuarterBegin", "BQuarterEnd",
                     "FY5253Quarter"), 4),
    (_offset_classes("HalfYearBegin", "HalfYearEnd", "BHalfYearBegin", "BHalfYearEnd"), 2),
    (_offset_classes("Week"), 52),
)


def _business_hours_per_day(offset):
    """Opening hours per business day of a ``BusinessHour`` offset (8 for 09:00-17:00)."""
    minutes = 0
    for start, end in zip(offset.start, offset.end):
        opening = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        minutes += opening if opening > 0 else opening + 24 * 60  # past midnight
    return minutes / 60


def _cycles_in_steps(offset):
    """The calendar cycles of ``offset``, in steps of it (not necessarily whole numbers)."""
    n = abs(offset.n) or 1
    if isinstance(offset, pd.offsets.Tick) or type(offset) is pd.offsets.Day:
        # pandas 3 made Day a calendar day (not a Tick): n days of 24 hours here
        step = offset.nanos if isinstance(offset, pd.offsets.Tick) else n * _DAY_NS
        if step < _SECOND_NS:
            return ()
        if step < _DAY_NS:
            return (_DAY_NS / step, _WEEK_NS / step)
        return (_WEEK_NS / step, _DAYS_PER_YEAR * _DAY_NS / step)
    if isinstance(offset, pd.offsets.BusinessHour):
        hours = _business_hours_per_day(offset)
        return (hours / n, 5 * hours / n)
    if isinstance(offset, pd.offsets.BusinessDay):
        return (5 / n, _BUSINESS_DAYS_PER_YEAR / n)
    for classes, per_year in _PER_YEAR:
        if isinstance(offset, classes):
            return (per_year / n,)
    return ()  # years, fiscal years, Easter: no cycle within the year


def seasonal_periods(freq, n_obs=None):
    """Every seasonal period, in time steps, that a series of frequency ``freq`` can show.

    The calendar cycles of the step (see the table of the module docstring): hourly
    data have a daily (24) and a weekly (168) cycle, daily data a weekly (7) and a yearly
    (365) one, monthly data a yearly one (12). Only whole numbers of steps count, in
    increasing order.

    Parameters
    ----------
    freq : str, pandas.DateOffset or None
        A pandas frequency such as ``"h"``, ``"30min"``, ``"D"``, ``"BMS"``, ``"W-SUN"``.
        ``None`` (integer positions) has no periods.
    n_obs : int, optional
        Length of the series: a period is kept only when the series covers at least
        ``MIN_CYCLES`` (2) of its cycles. None keeps every period.

    Returns
    -------
    tuple of int

    Examples
    --------
    >>> seasonal_periods("h"), seasonal_periods("30min"), seasonal_periods("D", n_obs=400)
    ((24, 168), (48, 336), (7,))
    >>> seasonal_periods("BMS"), seasonal_periods("YS"), seasonal_periods("h", n_obs=200)
    ((12,), (), (24,))
    """
    if freq is None:
        return ()
    periods = []
    for cycle in _cycles_in_steps(to_offset(freq)):
        period = round(cycle)
        if abs(cycle - period) < 1e-9 and period > 1 and period not in periods:
            periods.append(period)
    if n_obs is not None:
        periods = [p for p in periods if n_obs >= MIN_CYCLES * p]
    return tuple(sorted(periods))


def season_length(freq, n_obs=None):
    """Number of periods in the dominant seasonal cycle of frequency ``freq`` (1 = no season).

    The shortest of :func:`seasonal_periods`: the daily cycle of sub-daily data (24 for
    ``"h"``, 48 for ``"30min"``, 96 for ``"15min"``), the week of daily (7) and business-daily
    (5) data, the year of weekly (52), semi-monthly (24), monthly (12, business and custom
    business months included), quarterly (4) and half-yearly (2) data; 1 for yearly data.

    Parameters
    ----------
    freq : str, pandas.DateOffset or None
        A pandas frequency such as ``"MS"``, ``"W-SUN"``, ``"QS-JAN"``, ``"BQS"`` or ``"h"``.
        ``None`` (integer positions) gives 1.
    n_obs : int, optional
        Length of the series: a cycle the series does not cover twice does not count.

    Returns
    -------
    int

    Examples
    --------
    >>> season_length("MS"), season_length("W-SUN"), season_length("QS-OCT"), season_length(None)
    (12, 52, 4, 1)
    >>> season_length("30min"), season_length("BMS"), season_length("SMS"), season_length("bh")
    (48, 12, 24, 8)
    """
    periods = seasonal_periods(freq, n_obs)
    return periods[0] if periods else 1
