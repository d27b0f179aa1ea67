"""Sampling frequency of a time index and the season length it implies."""

import warnings

import pandas as pd
from pandas.tseries.frequencies import to_offset

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


def infer_frequency(index):
    """Return the frequency string of a ``DatetimeIndex`` or ``None`` when it is irregular.

    Uses the index's own ``freq`` when set, else ``pandas.infer_freq``.
    """
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
