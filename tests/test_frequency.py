import inspect

import pandas as pd
import pytest
from pandas.tseries import offsets
from pandas.tseries.frequencies import to_offset

from tsforecast.frequency import infer_frequency, season_length, seasonal_periods


@pytest.mark.parametrize(
    ("freq", "expected"),
    [
        ("MS", 12),
        ("ME", 12),
        ("W-SUN", 52),
        ("W-SAT", 52),
        ("QS-OCT", 4),
        ("QE-DEC", 4),
        ("YS", 1),
        ("D", 7),
        ("B", 5),
        ("h", 24),
        ("min", 1440),  # minutes: the daily cycle, as for every sub-daily step
        ("30min", 48),
        ("15min", 96),
        ("2MS", 6),
        ("5MS", 1),
        (None, 1),
    ],
)
def test_season_length(freq, expected):
    assert season_length(freq) == expected


# Seasonal periods of one step of each pandas offset, by its alias prefix.
EXPECTED_PERIODS = {
    "ns": (), "us": (), "ms": (),  # below a second: no calendar cycle
    "s": (86_400, 604_800), "min": (1440, 10_080), "h": (24, 168),
    "D": (7, 365),
    "B": (5, 260), "C": (5, 260),
    "bh": (8, 40), "cbh": (8, 40),
    "W": (52,),
    "SMS": (24,), "SME": (24,),
    "MS": (12,), "ME": (12,), "BMS": (12,), "BME": (12,), "CBMS": (12,), "CBME": (12,),
    "WOM": (12,), "LWOM": (12,),
    "QS": (4,), "QE": (4,), "BQS": (4,), "BQE": (4,), "REQ": (4,),
    "HYS": (2,), "HYE": (2,), "BHYS": (2,), "BHYE": (2,),
    "YS": (), "YE": (), "BYS": (), "BYE": (), "RE": (),
}
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_SUFFIXES = (
    "", *(f"-{month}" for month in _MONTHS),
    *(f"-{day}" for day in ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")),
    "-1MON", "-4FRI", "-N-DEC-MON", "-L-JUN-FRI", "-N-DEC-MON-1", "-15", "-28",
)


def _pandas_aliases():
    """Every alias pandas accepts for each offset class of ``pandas.tseries.offsets``."""
    aliases = {}
    for cls in dict(inspect.getmembers(offsets, inspect.isclass)).values():
        prefix = getattr(cls, "_prefix", None)
        if not isinstance(prefix, str):
            continue  # DateOffset, Easter, Tick: no alias of their own
        for suffix in _SUFFIXES:
            try:
                parsed = to_offset(prefix + suffix)
            except ValueError:
                continue
            if type(parsed) is cls:
                aliases.setdefault(prefix, set()).add(prefix + suffix)
    return aliases


PANDAS_ALIASES = _pandas_aliases()


def test_every_pandas_offset_has_an_expected_season():
    # a new offset in a future pandas fails here until its season is decided
    assert set(PANDAS_ALIASES) == set(EXPECTED_PERIODS)
    assert sum(len(v) for v in PANDAS_ALIASES.values()) > 100


@pytest.mark.parametrize("prefix", sorted(EXPECTED_PERIODS))
def test_every_alias_pandas_accepts_has_its_season_length(prefix):
    expected = EXPECTED_PERIODS[prefix]
    for alias in sorted(PANDAS_ALIASES[prefix]):
        assert seasonal_periods(alias) == expected, alias
        assert season_length(alias) == (expected[0] if expected else 1), alias
        assert seasonal_periods(to_offset(alias)) == expected, alias  # offsets work too


@pytest.mark.parametrize(
    ("freq", "expected"),
    [("2h", (12, 84)), ("7h", (24,)), ("90min", (16, 112)), ("5h", ()), ("12h", (2, 14)),
     ("2D", ()), ("2W", (26,)), ("3W", ()), ("2SMS", (12,)), ("2BMS", (6,)), ("3BQS", ()),
     ("2B", (130,)), ("2bh", (4, 20)), ("10s", (8640, 60_480))],
)
def test_multiples_keep_the_cycles_that_are_whole_numbers_of_steps(freq, expected):
    assert seasonal_periods(freq) == expected


def test_business_hours_of_a_custom_opening_time():
    assert seasonal_periods(pd.offsets.BusinessHour(start="08:00", end="18:00")) == (10, 50)


def test_seasonal_periods_keep_the_cycles_the_series_covers_twice():
    assert seasonal_periods("h", n_obs=335) == (24,)
    assert seasonal_periods("h", n_obs=336) == (24, 168)
    assert seasonal_periods("30min", n_obs=10_000) == (48, 336)
    assert seasonal_periods("15min", n_obs=10_000) == (96, 672)
    assert seasonal_periods("D", n_obs=729) == (7,) and seasonal_periods("D", 730) == (7, 365)
    assert seasonal_periods("W-SUN", n_obs=104) == (52,)
    assert seasonal_periods("MS", n_obs=23) == ()
    assert seasonal_periods(None) == () and seasonal_periods(None, n_obs=500) == ()
    assert season_length("h", n_obs=30) == 1 and season_length("h", n_obs=48) == 24


def test_infer_frequency_uses_index_freq_or_infers_it():
    index = pd.date_range("2020-01-01", periods=6, freq="MS")
    assert infer_frequency(index) == "MS"
    assert infer_frequency(pd.DatetimeIndex(list(index))) == "MS"


def test_infer_frequency_irregular_or_not_datetime():
    irregular = pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-05"])
    assert infer_frequency(irregular) is None
    assert infer_frequency(pd.RangeIndex(5)) is None
    assert infer_frequency(pd.DatetimeIndex(["2020-01-01", "2020-01-02"])) is None


@pytest.mark.parametrize(
    ("freq", "expected"),
    [("MS", "monthly"), ("QS-OCT", "quarterly"), ("W-SAT", "weekly"), ("YS-JAN", "yearly"),
     ("2h", "hourly"), ("D", "daily"), ("C", None), (None, None)],
)
def test_frequency_name(freq, expected):
    from tsforecast.frequency import frequency_name

    assert frequency_name(freq) == expected


def test_infer_frequency_with_gaps_takes_the_smallest_calendar_step():
    with_gap = pd.DatetimeIndex(["2020-01-01", "2020-02-01", "2020-05-01", "2020-06-01"])
    assert infer_frequency(with_gap) is None
    assert infer_frequency(with_gap, allow_gaps=True) == "MS"
    unsorted_repeated = pd.DatetimeIndex(["2021-03-31", "2020-12-31", "2021-06-30", "2021-03-31"])
    assert infer_frequency(unsorted_repeated, allow_gaps=True) == "QE-DEC"
    assert infer_frequency(pd.DatetimeIndex(["2020-01-01", "2020-01-03"]), allow_gaps=True) == "2D"
    assert infer_frequency(pd.DatetimeIndex(["2020-01-01"]), allow_gaps=True) is None


def test_infer_frequency_with_gaps_agrees_with_a_complete_index():
    index = pd.date_range("2020-01-05", periods=8, freq="W-SUN")
    assert infer_frequency(index, allow_gaps=True) == infer_frequency(index) == "W-SUN"


@pytest.mark.parametrize(
    ("freq", "expected"),
    [("MS", "monthly"), ("W-SAT", "weekly"), ("2D", "2D-step"), ("C", "C-step"),
     (None, "integer")],
)
def test_describe_frequency(freq, expected):
    from tsforecast.frequency import describe_frequency

    assert describe_frequency(freq) == expected
