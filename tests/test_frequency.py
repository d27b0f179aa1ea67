import pandas as pd
import pytest

from tsforecast.frequency import infer_frequency, season_length


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
        ("min", 60),
        ("2MS", 6),
        ("5MS", 1),
        (None, 1),
    ],
)
def test_season_length(freq, expected):
    assert season_length(freq) == expected


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
