import os
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from tsforecast.dataio import CSVData, DataError, check_length, infer_freq, read_csv


@pytest.fixture
def write(tmp_path):
    def _write(text, name="data.csv"):
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return path

    return _write


def _daily(values, start="2020-01-01"):
    return pd.date_range(start, periods=len(values), freq="D")


# --------------------------------------------------------------------------- layouts


def test_single_series_with_header(write):
    data = read_csv(write("date,value\n2020-01-01,1\n2020-01-02,2.5\n2020-01-03,-3\n"))
    assert isinstance(data, CSVData)
    assert data.layout == "single" and data.time_col == "date" and data.target == "value"
    assert (
        data.id_col is None and data.freq == "D" and data.season_length == 7 and data.n_series == 1
    )
    assert data.y.name == "value" and data.y.index.name == "date"
    assert data.y.index.freqstr == "D"
    assert_allclose(data.y.to_numpy(), [1.0, 2.5, -3.0])
    assert any("'date'" in note for note in data.notes)


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(write, sep):
    text = f"date{sep}value\n2020-01-01{sep}1\n2020-01-02{sep}2\n2020-01-03{sep}3\n"
    data = read_csv(write(text))
    assert_allclose(data.y.to_numpy(), [1, 2, 3])
    if sep != ",":
        assert any(repr(sep) in note for note in data.notes)


def test_explicit_sep_and_tab_alias(write):
    path = write("date\tvalue\n2020-01-01\t1\n2020-01-02\t2\n")
    assert_allclose(read_csv(path, sep="\\t").y.to_numpy(), [1, 2])
    with pytest.raises(DataError, match="`sep`=';;' must be a single character"):
        read_csv(path, sep=";;")


def test_semicolon_file_with_decimal_comma_and_dotted_dates(write):
    data = read_csv(write("Datum;Wert\n31.01.2020;1,5\n29.02.2020;1.234,25\n31.03.2020;3\n"))
    assert data.time_col == "Datum" and data.target == "Wert" and data.freq == "ME"
    assert_allclose(data.y.to_numpy(), [1.5, 1234.25, 3.0])
    assert any("decimal comma" in note for note in data.notes)


def test_no_header_row(write):
    data = read_csv(write("2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n"))
    assert data.time_col == "column1" and data.target == "column2"
    assert any("No header" in note for note in data.notes)
    assert_allclose(data.y.to_numpy(), [1, 2, 3])


def test_headerless_years_are_detected(write):
    data = read_csv(write("1871,1120\n1872,1160\n1873,963\n"))
    assert data.freq == "YS-JAN" and data.y.index[0] == pd.Timestamp("1871-01-01")
    assert_allclose(data.y.to_numpy(), [1120, 1160, 963])


# the same three days, written in each supported format
_DAYS = ["2020-01-31", "2020-02-01", "2020-02-02"]


@pytest.mark.parametrize(
    ("stamps", "expected", "freq"),
    [
        (["2020-01-31", "2020-02-01", "2020-02-02"], _DAYS, "D"),
        (["01/31/2020", "02/01/2020", "02/02/2020"], _DAYS, "D"),
        (["31/01/2020", "01/02/2020", "02/02/2020"], _DAYS, "D"),
        (["31.01.2020", "01.02.2020", "02.02.2020"], _DAYS, "D"),
        (["31-01-2020", "01-02-2020", "02-02-2020"], _DAYS, "D"),
        (["2020/01/31", "2020/02/01", "2020/02/02"], _DAYS, "D"),
        (["20200131", "20200201", "20200202"], _DAYS, "D"),
        (["2020-01", "2020-02", "2020-03"], ["2020-01-01", "2020-02-01", "2020-03-01"], "MS"),
        (["Jan 1980", "Feb 1980", "Mar 1980"], ["1980-01-01", "1980-02-01", "1980-03-01"], "MS"),
        (["2020Q1", "2020Q2", "2020Q3"], ["2020-01-01", "2020-04-01", "2020-07-01"], "QS-JAN"),
        (["1990", "1991", "1992"], ["1990-01-01", "1991-01-01", "1992-01-01"], "YS-JAN"),
        (
            ["2020-01-04", "2020-01-11", "2020-01-18"],
            ["2020-01-04", "2020-01-11", "2020-01-18"],
            "W-SAT",
        ),
        (
            ["31/01/2020 10:00", "31/01/2020 11:00", "31/01/2020 12:00"],
            ["2020-01-31 10:00", "2020-01-31 11:00", "2020-01-31 12:00"],
            "h",
        ),
        (
            ["2020-01-01 00:00:00", "2020-01-01 00:30:00", "2020-01-01 01:00:00"],
            ["2020-01-01 00:00", "2020-01-01 00:30", "2020-01-01 01:00"],
            "30min",
        ),
    ],
)
def test_date_formats(write, stamps, expected, freq):
    text = "date,value\n" + "".join(f"{s},{i}\n" for i, s in enumerate(stamps))
    data = read_csv(write(text))
    assert data.y.index.equals(pd.DatetimeIndex(expected, name="date"))
    assert data.freq == freq


def test_ambiguous_day_month_asks_for_date_format(write):
    path = write("date,value\n01/02/2020,1\n02/02/2020,2\n03/02/2020,3\n")
    with pytest.raises(
        DataError, match=r"day-first or month-first; pass date_format='%d/%m/%Y' or '%m/%d/%Y'"
    ):
        read_csv(path)
    day_first = read_csv(path, date_format="%d/%m/%Y")
    assert day_first.freq == "D" and day_first.y.index[0] == pd.Timestamp("2020-02-01")
    month_first = read_csv(path, date_format="%m/%d/%Y")
    # month-first gives the 2nd of each month: moved to the month start, monthly
    assert month_first.freq == "MS" and month_first.y.index[-1] == pd.Timestamp("2020-03-01")


def test_date_format_mismatch_names_the_cell(write):
    with pytest.raises(DataError, match=r"cannot read '2020-01-02' \(line 3\).*format '%d/%m/%Y'"):
        read_csv(write("date,value\n01/01/2020,1\n2020-01-02,2\n"), date_format="%d/%m/%Y")


def test_time_zone_offsets_are_kept(write):
    text = (
        "time,value\n2020-01-01T00:00+01:00,1\n2020-01-01T01:00+01:00,2\n2020-01-01T02:00+01:00,3\n"
    )
    data = read_csv(write(text))
    assert str(data.y.index.tz) == "UTC+01:00" and data.freq == "h"
    assert data.y.index[0] == pd.Timestamp("2019-12-31T23:00Z")


def test_mixed_utc_offsets_are_converted_to_utc(write):
    text = (
        "time,value\n2020-03-29T00:00+01:00,1\n2020-03-29T01:00+01:00,2\n2020-03-29T03:00+02:00,3\n"
    )
    data = read_csv(write(text))
    assert str(data.y.index.tz) == "UTC" and data.freq == "h"
    assert any("UTC" in note for note in data.notes)


def test_timestamps_with_and_without_offset_are_rejected(write):
    text = "time,value\n2020-01-01T00:00+01:00,1\n2020-01-01T01:00,2\n"
    with pytest.raises(DataError, match="mixes timestamps with a UTC offset"):
        read_csv(write(text))


def test_unsorted_rows_are_sorted_and_noted(write):
    data = read_csv(write("date,value\n2020-01-03,3\n2020-01-01,1\n2020-01-02,2\n"))
    assert_allclose(data.y.to_numpy(), [1, 2, 3])
    assert data.y.index.is_monotonic_increasing
    assert any("not in time order" in note for note in data.notes)


def test_wide_layout(write):
    data = read_csv(write("date,A,B\n2020-01-01,1,\n2020-01-02,2,5\n2020-01-03,3,6\n"))
    assert data.layout == "wide" and data.target == ["A", "B"] and data.n_series == 2
    assert list(data.y.columns) == ["A", "B"] and data.y.index.freqstr == "D"
    assert np.isnan(data.y.loc["2020-01-01", "B"])
    assert_allclose(data.y["B"].dropna().to_numpy(), [5, 6])


def test_wide_file_with_numeric_series_names(write):
    data = read_csv(write("date,101,102\n2020-01-01,1,2\n2020-01-02,3,4\n"))
    assert data.layout == "wide" and data.target == ["101", "102"]
    assert_allclose(data.y.to_numpy(), [[1, 2], [3, 4]])


def test_target_picks_one_column_of_a_wide_file(write):
    data = read_csv(write("date,A,B\n2020-01-01,1,4\n2020-01-02,2,5\n"), target="B")
    assert data.layout == "single" and data.target == "B"
    assert_allclose(data.y.to_numpy(), [4, 5])


def test_long_layout_with_ragged_starts(write):
    text = "unique_id,ds,y\nA,2020-01-01,1\nA,2020-01-02,2\nA,2020-01-03,3\nB,2020-01-02,20\nB,2020-01-03,30\n"
    data = read_csv(write(text))
    assert data.layout == "long" and data.id_col == "unique_id" and data.target == "y"
    assert list(data.y.columns) == ["A", "B"]
    assert data.y.index.equals(pd.date_range("2020-01-01", periods=3, freq="D", name="ds"))
    assert np.isnan(data.y.loc["2020-01-01", "B"])
    assert_allclose(data.y["B"].dropna().to_numpy(), [20, 30])


def test_long_layout_detected_from_repeating_timestamps_without_header(write):
    text = "A,2020-01-01,1\nA,2020-01-02,2\nB,2020-01-01,3\nB,2020-01-02,4\n"
    data = read_csv(write(text))
    assert data.layout == "long" and data.id_col == "column1" and data.target == "column3"
    assert_allclose(data.y.to_numpy(), [[1, 3], [2, 4]])


def test_long_layout_unsorted_rows(write):
    text = "id,date,value\nB,2020-01-02,4\nA,2020-01-02,2\nB,2020-01-01,3\nA,2020-01-01,1\n"
    data = read_csv(write(text))
    assert_allclose(data.y[["A", "B"]].to_numpy(), [[1, 3], [2, 4]])
    assert any("not in time order" in note for note in data.notes)


def test_overrides_time_col_target_id_col(write):
    text = "when,store,sales,price\n2020-01-01,a,1,9\n2020-01-02,a,2,9\n2020-01-01,b,3,8\n2020-01-02,b,4,8\n"
    data = read_csv(write(text), time_col="when", target="price", id_col="store")
    assert data.layout == "long" and data.target == "price"
    assert_allclose(data.y.to_numpy(), [[9, 8], [9, 8]])
    default = read_csv(write(text))
    assert default.target == "sales"
    with pytest.raises(
        DataError,
        match=r"`time_col`='nope' is not a column .*\(columns: when, store, sales, price\)",
    ):
        read_csv(write(text), time_col="nope")


def test_thousands_of_series_in_long_format(write):
    rng = np.random.default_rng(0)
    n_series, n = 2000, 24
    stamps = pd.date_range("2018-01-01", periods=n, freq="MS").strftime("%Y-%m-%d")
    ids = np.repeat([f"s{i}" for i in range(n_series)], n)
    values = rng.normal(size=n_series * n).round(4)
    frame = pd.DataFrame({"unique_id": ids, "ds": np.tile(stamps, n_series), "y": values})
    frame = frame.sample(frac=1.0, random_state=0)
    path = write(frame.to_csv(index=False))
    data = read_csv(path)
    assert data.y.shape == (n, n_series) and data.freq == "MS"
    assert_allclose(data.y["s7"].to_numpy(), values[7 * n : 8 * n])


def test_no_time_column_uses_row_positions(write):
    data = read_csv(write("value\n1\n2\n3\n"))
    assert isinstance(data.y.index, pd.RangeIndex) and data.freq is None and data.season_length == 1
    assert any("No time column" in note for note in data.notes)


def test_integer_time_steps(write):
    data = read_csv(write("t,value\n3,30\n1,10\n2,20\n"))
    assert data.time_col == "t" and list(data.y.index) == [1, 2, 3]
    assert_allclose(data.y.to_numpy(), [10, 20, 30])


def test_monthly_mid_month_dates_are_moved_to_month_start(write):
    data = read_csv(write("date,value\n2020-01-15,1\n2020-02-15,2\n2020-03-15,3\n"))
    assert data.freq == "MS" and data.y.index[0] == pd.Timestamp("2020-01-01")


def test_bom_crlf_quotes_and_blank_lines(write):
    data = read_csv(write('\ufeff"date","value"\r\n"2020-01-01","1"\r\n\r\n"2020-01-02","2"\r\n'))
    assert data.time_col == "date"
    assert_allclose(data.y.to_numpy(), [1, 2])


def test_text_column_is_ignored_with_a_note(write):
    data = read_csv(write("date,value,comment\n2020-01-01,1,ok\n2020-01-02,2,\n"))
    assert data.layout == "single" and any("'comment'" in note for note in data.notes)


def test_leading_and_trailing_empty_values_are_trimmed(write):
    data = read_csv(write("date,value\n2020-01-01,\n2020-01-02,2\n2020-01-03,3\n2020-01-04,\n"))
    assert_allclose(data.y.to_numpy(), [2, 3])
    assert data.y.index[0] == pd.Timestamp("2020-01-02") and data.y.index.freqstr == "D"


# --------------------------------------------------------------------------- gaps and fill


def test_missing_timestamps_are_listed_with_the_fill_option(write):
    path = write("date,value\n2020-01-01,1\n2020-01-02,2\n2020-01-05,5\n2020-01-06,6\n")
    with pytest.raises(DataError) as info:
        read_csv(path)
    message = str(info.value)
    assert "2 missing timestamp(s)" in message and "2020-01-03, 2020-01-04" in message
    assert "fill='interpolate'" in message and "--fill" in message and "\n" not in message


@pytest.mark.parametrize(
    ("fill", "expected"),
    [
        ("interpolate", [1, 2, 3, 4, 5, 6]),
        ("ffill", [1, 2, 2, 2, 5, 6]),
        ("zero", [1, 2, 0, 0, 5, 6]),
    ],
)
def test_fill_methods(write, fill, expected):
    data = read_csv(
        write("date,value\n2020-01-01,1\n2020-01-02,2\n2020-01-05,5\n2020-01-06,6\n"), fill=fill
    )
    assert data.y.index.equals(pd.date_range("2020-01-01", periods=6, freq="D", name="date"))
    assert_allclose(data.y.to_numpy(), expected)
    assert any("Filled 2 missing timestamp(s)" in note for note in data.notes)


def test_empty_values_inside_a_series(write):
    path = write("date,value\n2020-01-01,1\n2020-01-02,\n2020-01-03,3\n")
    with pytest.raises(
        DataError, match=r"1 empty value\(s\) inside the series, first on line 3 \(2020-01-02\)"
    ):
        read_csv(path)
    assert_allclose(read_csv(path, fill="interpolate").y.to_numpy(), [1, 2, 3])


def test_fill_does_not_extend_a_later_starting_series(write):
    text = "id,date,value\nA,2020-01-01,1\nA,2020-01-03,3\nB,2020-01-02,2\nB,2020-01-03,4\n"
    with pytest.raises(DataError, match=r"1 missing timestamp\(s\) in 1 series \(first 'A'\)"):
        read_csv(write(text))
    data = read_csv(write(text), fill="zero")
    assert_allclose(data.y["A"].to_numpy(), [1, 0, 3])
    assert np.isnan(data.y["B"].iloc[0])


def test_weekly_gap_names_the_missing_week(write):
    with pytest.raises(DataError, match="1 missing timestamp.*weekly sequence: 2020-01-18"):
        read_csv(write("date,value\n2020-01-04,1\n2020-01-11,2\n2020-01-25,3\n2020-02-01,3\n"))


def test_invalid_fill(write):
    with pytest.raises(
        DataError, match="`fill`='mean' must be one of None, 'interpolate', 'ffill' or 'zero'"
    ):
        read_csv(write("date,value\n2020-01-01,1\n"), fill="mean")


def test_infer_freq_tolerates_gaps():
    assert (
        infer_freq(pd.DatetimeIndex(["2020-01-01", "2020-02-01", "2020-05-01", "2020-06-01"]))
        == "MS"
    )
    assert infer_freq(pd.DatetimeIndex(["2020-01-04", "2020-01-11", "2020-02-01"])) == "W-SAT"
    assert infer_freq(pd.DatetimeIndex(["2001-01-01", "2002-01-01", "2005-01-01"])) == "YS-JAN"
    assert infer_freq(pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-09 13:00"])) is None


# --------------------------------------------------------------------------- bad input


BAD_INPUTS = [
    ("missing file", None, r"does not exist; check the path"),
    ("empty file", "", r"is empty; it needs a header line"),
    ("whitespace only", "\n \n", r"is empty"),
    ("header only", "date,value\n", r"has a header \(date,value\) but no data rows; add one row"),
    (
        "no numeric column",
        "date,label\n2020-01-01,a\n2020-01-02,b\n",
        r"has no numeric column \(columns: date, label\); the values to forecast must be numbers",
    ),
    (
        "non-numeric value",
        "date,value\n2020-01-01,1\n2020-01-02,abc\n2020-01-03,3\n",
        r"column 'value' has 1 non-numeric value\(s\): 'abc' on line 3; fix those cells",
    ),
    (
        "all-NaN target",
        "date,value\n2020-01-01,\n2020-01-02,NA\n",
        r"column 'value' has no values \(all 2 cells are empty or NA\)",
    ),
    (
        "infinite value",
        "date,value\n2020-01-01,1\n2020-01-02,-inf\n",
        r"column 'value' has 1 infinite value\(s\): '-inf' on line 3; replace them",
    ),
    (
        "duplicate timestamps",
        "date,value\n2020-01-01,1\n2020-01-02,2\n2020-01-02,3\n",
        r"duplicate timestamp 2020-01-02 appears 2 times \(lines 3, 4\); remove the duplicate rows or aggregate",
    ),
    (
        "duplicate in long",
        "id,date,value\nA,2020-01-01,1\nA,2020-01-01,2\nB,2020-01-01,3\n",
        r"duplicate timestamp 2020-01-01 appears 2 times in one series \(lines 2, 3\)",
    ),
    (
        "irregular timestamps",
        "date,value\n2020-01-01,1\n2020-01-02,2\n2020-01-09 13:17,3\n",
        r"timestamps in 'date' are irregular.*resample the data to a regular frequency",
    ),
    (
        "bad date",
        "date,value\n2020-01-01,1\n2020-13-45,2\n",
        r"cannot read '2020-13-45' \(line 3\) in time column 'date' as a date.*--date-format",
    ),
    ("empty timestamp", "date,value\n2020-01-01,1\n,2\n", r"time column 'date' is empty on line 3"),
    (
        "ragged rows",
        "date,value\n2020-01-01,1\n2020-01-02,2,3\n",
        r"cannot parse 'data.csv': .*Expected 2 fields in line 3, saw 3; make every row have the same number",
    ),
    ("binary file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"is not a text CSV file"),
    (
        "empty series id",
        "id,date,value\nA,2020-01-01,1\n,2020-01-02,2\nB,2020-01-01,3\n",
        r"column 'id' \(series id\) is empty on line 3",
    ),
]


@pytest.mark.parametrize(
    ("text", "pattern"),
    [pytest.param(text, pattern, id=case) for case, text, pattern in BAD_INPUTS],
)
def test_bad_input_raises_one_line_data_error(write, tmp_path, text, pattern):
    path = tmp_path / "absent.csv" if text is None else write(text)
    with pytest.raises(DataError, match=pattern) as info:
        read_csv(path)
    message = str(info.value)
    assert "\n" not in message and ";" in message
    assert isinstance(info.value, ValueError)


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(DataError, match="is a directory, not a CSV file"):
        read_csv(tmp_path)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(write):
    path = write("date,value\n2020-01-01,1\n")
    path.chmod(0)
    with pytest.raises(DataError, match="cannot read"):
        read_csv(path)


def test_text_target_column_named_explicitly(write):
    with pytest.raises(DataError, match=r"column 'label' holds text, not numbers: 'a' on line 2"):
        read_csv(write("date,value,label\n2020-01-01,1,a\n2020-01-02,2,b\n"), target="label")


def test_same_column_as_time_and_target(write):
    with pytest.raises(DataError, match="cannot be both the time column and a value"):
        read_csv(write("date,value\n2020-01-01,1\n"), time_col="date", target="date")


# --------------------------------------------------------------------------- check_length


def test_check_length_passes_and_returns_length():
    assert check_length(pd.Series(np.arange(10.0)), window=6, horizon=4) == 10
    wide = pd.DataFrame({"a": np.arange(8.0), "b": [np.nan, np.nan, *range(6)]})
    assert check_length(wide, window=3, horizon=3) == 6


def test_check_length_too_short():
    with pytest.raises(
        DataError,
        match=r"^series has 5 values, needs at least window \+ horizon = 7; pass a smaller",
    ):
        check_length(np.arange(5.0), window=4, horizon=3)
    wide = pd.DataFrame({"a": np.arange(8.0), "b": [np.nan, np.nan, np.nan, *range(5)]})
    with pytest.raises(
        DataError, match=r"series 'b' has 5 values, needs at least window \+ horizon = 6"
    ):
        check_length(wide, window=3, horizon=3)


@pytest.mark.parametrize(
    ("window", "horizon", "bad"),
    [
        (0, 1, "window"),
        (-3, 1, "window"),
        (4, 0, "horizon"),
        (4, -1, "horizon"),
        (2.5, 1, "window"),
        (True, 1, "window"),
    ],
)
def test_check_length_rejects_non_positive_window_or_horizon(window, horizon, bad):
    with pytest.raises(DataError, match=rf"`{bad}`=.* must be a positive integer"):
        check_length(np.arange(20.0), window=window, horizon=horizon)


# --------------------------------------------------------------------------- property-based tests


def _assert_valid(data):
    assert data.layout in {"single", "wide", "long"}
    y = data.y
    frame = y.to_frame() if isinstance(y, pd.Series) else y
    assert isinstance(y, pd.Series) == (data.layout == "single")
    assert all(dtype == np.float64 for dtype in frame.dtypes)
    values = frame.to_numpy()
    assert not np.isinf(values).any()
    assert (~np.isnan(values)).any()
    index = frame.index
    assert isinstance(index, (pd.DatetimeIndex, pd.RangeIndex, pd.Index))
    assert index.is_unique and index.is_monotonic_increasing
    if isinstance(index, pd.DatetimeIndex) and data.freq is not None:
        assert index.freq is not None and index.freqstr == data.freq
    assert data.season_length >= 1
    assert all(isinstance(note, str) and "\n" not in note for note in data.notes)
    for column in frame.columns:
        present = ~np.isnan(frame[column].to_numpy())
        if present.any():
            first = int(np.argmax(present))
            last = len(present) - int(np.argmax(present[::-1]))
            assert present[first:last].all(), "a gap inside a series must be filled or reported"


_FREQS = {
    "D": ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%Y/%m/%d", "%d/%m/%Y"),
    "MS": ("%Y-%m", "%Y-%m-%d"),
    "W-SUN": ("%Y-%m-%d",),
    "h": ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"),
    "YS": ("%Y",),
    "QS": ("%Y-%m-%d",),
}

_values = st.one_of(
    st.integers(-(10**12), 10**12).map(float),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.floats(min_value=-1e-300, max_value=1e-300, allow_nan=False),
)


@st.composite
def _clean_panels(draw):
    freq = draw(st.sampled_from(sorted(_FREQS)))
    fmt = draw(st.sampled_from(_FREQS[freq]))
    n = draw(st.integers(2, 40))
    start = draw(
        st.dates(
            min_value=pd.Timestamp("1900-01-01").date(), max_value=pd.Timestamp("2100-01-01").date()
        )
    )
    index = pd.date_range(pd.Timestamp(start), periods=n, freq=freq)
    n_series = draw(st.integers(1, 3))
    values = np.array(
        draw(st.lists(_values, min_size=n * n_series, max_size=n * n_series))
    ).reshape(n, n_series)
    if draw(st.booleans()):
        values = np.full_like(values, values[0, 0])  # constant series
    layout = draw(st.sampled_from(["single", "wide", "long"] if n_series > 1 else ["single"]))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    header = draw(st.booleans()) if layout == "single" else True
    shuffle = draw(st.booleans())
    tz = draw(st.sampled_from([None, "+00:00", "+05:30"])) if freq == "h" and "T" in fmt else None
    return (
        index,
        values,
        layout,
        sep,
        header,
        shuffle,
        fmt,
        tz,
        draw(st.randoms(use_true_random=False)),
    )


def _render(index, values, layout, sep, header, shuffle, fmt, tz, rng):
    stamps = [ts.strftime(fmt) + (tz or "") for ts in index]
    cells = [
        repr(float(v)) if float(v) != int(v) or abs(v) > 1e15 else str(int(v))
        for v in values.ravel()
    ]
    cells = np.array(cells).reshape(values.shape)
    if layout == "long":
        rows = [
            [f"s{j}", stamps[i], cells[i, j]]
            for j in range(values.shape[1])
            for i in range(len(stamps))
        ]
        head = ["unique_id", "ds", "y"]
    else:
        width = 1 if layout == "single" else values.shape[1]
        rows = [[stamps[i], *cells[i, :width]] for i in range(len(stamps))]
        head = ["date", *(["value"] if layout == "single" else [f"v{j}" for j in range(width)])]
    if shuffle:
        rng.shuffle(rows)
    lines = ([sep.join(head)] if header else []) + [sep.join(row) for row in rows]
    return "\n".join(lines) + "\n"


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_clean_panels())
def test_property_clean_files_round_trip(write, panel):
    index, values, layout, _, _, _, _, tz, _ = panel
    path = write(_render(*panel))
    try:
        data = read_csv(path)
    except DataError as error:
        # the only legitimate refusal of a clean file: day and month cannot be told apart
        assert "day-first or month-first" in str(error)
        return
    _assert_valid(data)
    width = 1 if layout == "single" else values.shape[1]
    expected = values[:, :width]
    if layout == "single":
        got = data.y.to_frame().to_numpy()
    else:
        # long-file columns come in order of first appearance, which shuffling changes
        got = data.y[
            [f"s{j}" for j in range(width)] if layout == "long" else data.y.columns
        ].to_numpy()
    assert_allclose(got, expected, rtol=0, atol=0)
    assert len(data.y) == len(index)
    if tz is None:
        assert data.y.index.equals(index.rename(data.y.index.name))
        assert pd.date_range(index[0], periods=len(index), freq=data.freq).equals(index)
    else:
        hours, minutes = int(tz[1:3]), int(tz[4:6])
        instants = index - pd.Timedelta(hours=hours, minutes=minutes)
        assert data.y.index.tz is not None
        assert data.y.index.tz_convert("UTC").tz_localize(None).equals(instants)
    assert data.layout == layout


_CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "NA",
            "nan",
            "inf",
            "-inf",
            "abc",
            "1,5",
            "0",
            "-0",
            "1e308",
            "1e-320",
            "9" * 30,
            "2020-01-01",
            "2020-01-02",
            "2020-01-01T00:00+01:00",
            "01/02/2020",
            "13/01/2020",
            "31.12.2020",
            "2020Q1",
            "1999",
            "Jan 2020",
            " 7 ",
            '"x,y"',
            "A",
            "B",
        ]
    ),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet="0123456789-/.:T abZ", max_size=12),
)
_NUMBERS = st.one_of(
    st.integers(-(10**6), 10**6).map(str), st.floats(allow_nan=True, allow_infinity=False).map(repr)
)


@st.composite
def _messy_files(draw):
    n_cols = draw(st.integers(1, 4))
    n_rows = draw(st.integers(0, 25))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    head = draw(
        st.lists(
            st.sampled_from(["date", "ds", "value", "y", "id", "unique_id", "t", "x", "Month"]),
            min_size=n_cols,
            max_size=n_cols,
            unique=True,
        )
    )
    stamps = pd.date_range(
        "2020-01-01", periods=max(n_rows, 1), freq=draw(st.sampled_from(["D", "MS", "h"]))
    )
    rows = []
    for _ in range(n_rows):
        row = [draw(_CELLS if draw(st.integers(0, 4)) == 0 else _NUMBERS) for _ in range(n_cols)]
        if n_cols > 1 and draw(st.integers(0, 3)):
            row[0] = stamps[draw(st.integers(0, len(stamps) - 1))].strftime("%Y-%m-%d %H:%M")
        rows.append(sep.join(cell.replace("\n", " ") for cell in row))
    lines = ([sep.join(head)] if draw(st.booleans()) else []) + rows
    return "\n".join(lines) + ("\n" if draw(st.booleans()) else ""), draw(
        st.sampled_from([None, *("interpolate", "ffill", "zero")])
    )


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_messy_files())
def test_property_messy_files_give_a_result_or_a_data_error(write, messy):
    text, fill = messy
    path = write(text)
    try:
        data = read_csv(path, fill=fill)
    except DataError as error:
        message = str(error)
        assert message and "\n" not in message
        return
    _assert_valid(data)


_MUTATIONS = ("duplicate", "delete", "blank", "inf", "nan", "text", "huge", "swap", "none")


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    _clean_panels(),
    st.lists(st.tuples(st.sampled_from(_MUTATIONS), st.integers(0, 10**6)), max_size=3),
    st.sampled_from([None, "interpolate", "ffill", "zero"]),
)
def test_property_mutated_files_give_a_result_or_a_data_error(write, panel, mutations, fill):
    lines = _render(*panel).splitlines()
    header = 1 if not lines[0][:1].isdigit() else 0
    for kind, seed in mutations:
        body = len(lines) - header
        if body == 0:
            break
        row = header + seed % body
        sep = panel[3]
        cells = lines[row].split(sep)
        if kind == "duplicate":
            lines.insert(row, lines[row])
        elif kind == "delete":
            del lines[row]
        elif kind == "swap":
            other = header + (seed // 7) % body
            lines[row], lines[other] = lines[other], lines[row]
        elif kind != "none":
            cells[-1] = {"blank": "", "inf": "inf", "nan": "NaN", "text": "n/a?", "huge": "1e309"}[
                kind
            ]
            lines[row] = sep.join(cells)
    path = write("\n".join(lines) + "\n")
    try:
        data = read_csv(path, fill=fill)
    except DataError as error:
        assert str(error) and "\n" not in str(error)
        return
    _assert_valid(data)
    planted = [token for token in ("inf", "n/a?", "1e309") if token in "\n".join(lines)]
    assert not planted, f"{planted} must be reported as a DataError"
