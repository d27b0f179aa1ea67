"""Sampling frequency of a time index: inferred from timestamps, named, and turned into a season.

The one place that knows about frequencies. :func:`infer_frequency` reads the frequency of
timestamps, either of a complete index (the pandas rule) or of timestamps with gaps, as a CSV
file with missing rows has; :func:`frequency_name` and :func:`describe_frequency` give the words
for it, and :func:`season_length` the number of periods in one seasonal cycle.
"""

import re
import warnings

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

__all__ = ["describe_frequency", "frequency_name", "infer_frequency", "season_length"]

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# Offset name prefix -> number of periods in the dominant seasonal cycle.
# Daily data uses the weekly cycle and hourly data the daily one, as forecast::frequency does.
_SEASON_LENGTHS = (
    ("W", 52),
    ("QS", 4),
    ("QE", 4),
    ("Q", 4),
    ("BQ", 4),
    ("MS", 12),
    ("ME", 12),
    ("M", 12),
    ("BM", 12),
    ("SM", 24),
    ("YS", 1),
    ("YE", 1),
    ("Y", 1),
    ("A", 1),
    ("BY", 1),
    ("B", 5),
    ("D", 7),
    ("h", 24),
    ("H", 24),
    ("bh", 8),
    ("min", 60),
    ("T", 60),
    ("s", 60),
    ("S", 60),
)

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


def season_length(freq):
    """Number of periods in one seasonal cycle for the frequency ``freq`` (1 = no season).

    Parameters
    ----------
    freq : str, pandas.DateOffset or None
        A pandas frequency such as ``"MS"``, ``"W-SUN"``, ``"QS-JAN"`` or ``"h"``.
        ``None`` (integer positions) gives 1.

    Returns
    -------
    int

    Examples
    --------
    >>> season_length("MS"), season_length("W-SUN"), season_length("QS-OCT"), season_length(None)
    (12, 52, 4, 1)
    """
    if freq is None:
        return 1
    offset = to_offset(freq)
    name = offset.rule_code
    for prefix, length in _SEASON_LENGTHS:
        if name == prefix or name.startswith(prefix + "-"):
            step = abs(offset.n) or 1
            return length // step if length % step == 0 and length // step > 1 else 1
    return 1
